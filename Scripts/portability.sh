#!/usr/bin/env bash
# Same seed, same result, on every machine: replays the counterexample corpus and re-runs the
# property suites under every OpenBLAS kernel this processor can run (OPENBLAS_CORETYPE Haswell,
# SkylakeX, Zen, Prescott), with 1 and 2 OpenBLAS threads, and with the generic copy of the
# fixed-order float kernels (EXPLAINCERT_KERNELS=generic). Every run must reproduce the whole
# corpus and give exactly the verdicts, counts and measured values of the run with the
# machine's own settings. A kernel the processor cannot run is skipped with a line saying so.
# Usage: Scripts/portability.sh [EXPLAINCERT_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
explaincert="${1:-.build/debug/explaincert}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

flags="$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || true)"
has() { [[ " $flags " == *" $1 "* ]]; }

# One run: the replay's text and the check's JSON without timings, under the given environment.
run() {
  local name="$1"; shift
  env "$@" "$explaincert" replay Counterexamples/ > "$work/$name.replay" 2>&1 || {
    echo "portability: FAILED under $*: the corpus does not replay:"; cat "$work/$name.replay"; exit 1; }
  env "$@" "$explaincert" check Properties/ --quiet --no-save --json "$work/$name.json" > /dev/null 2>&1 || true
  python3 - "$work/$name.json" <<'PY'
import json, sys
path = sys.argv[1]
report = json.load(open(path))
report.pop("seconds", None)
for case in report["cases"]:
    case.pop("seconds", None)
json.dump(report, open(path, "w"), sort_keys=True, indent=1)
PY
}

run reference
runs=0
for kernel in Haswell SkylakeX Zen Prescott; do
  case "$kernel" in
    SkylakeX) need="avx512f avx512bw avx512dq avx512vl" ;;
    Haswell) need="avx2 fma" ;;
    Zen) need="avx2" ;;
    Prescott) need="sse3" ;;
  esac
  missing=""
  for flag in $need; do
    if [ "$flag" = sse3 ]; then has pni || missing+=" $flag"; else has "$flag" || missing+=" $flag"; fi
  done
  if [ "$(uname -m)" != x86_64 ] || [ -n "$missing" ]; then
    echo "portability: SKIPPED OPENBLAS_CORETYPE=$kernel: this processor ($(uname -m)) lacks${missing:- the x86-64 instruction set}"
    continue
  fi
  for threads in 1 2; do
    run "$kernel-$threads" OPENBLAS_CORETYPE="$kernel" OPENBLAS_NUM_THREADS="$threads"
    runs=$((runs + 1))
  done
done
run generic EXPLAINCERT_KERNELS=generic
runs=$((runs + 1))

status=0
for result in "$work"/*.replay; do
  name="$(basename "$result" .replay)"
  [ "$name" = reference ] && continue
  if ! cmp -s "$work/reference.replay" "$result"; then
    echo "portability: FAILED: replay under $name differs from the machine's own settings:"; diff "$work/reference.replay" "$result" | head -20; status=1
  fi
  if ! cmp -s "$work/reference.json" "$work/$name.json"; then
    echo "portability: FAILED: the property suites under $name give other results:"; diff "$work/reference.json" "$work/$name.json" | head -20; status=1
  fi
done
[ "$status" -eq 0 ] || exit 1
echo "portability: $runs settings (OpenBLAS kernels × threads, generic float kernels): the corpus replays and every suite gives the same results, bit for bit"
