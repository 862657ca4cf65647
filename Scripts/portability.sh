#!/usr/bin/env bash
# Same seed, same result, on every machine: replays the counterexample corpus and re-runs the
# property suites under every OpenBLAS kernel this processor can run (OPENBLAS_CORETYPE Haswell,
# SkylakeX, Zen, Prescott), with 1 and 2 OpenBLAS threads, and with the generic copy of the
# fixed-order float kernels (EXPLAINCERT_KERNELS=generic). Every run must reproduce the whole
# corpus and give exactly the verdicts, counts and measured values of the run with the
# machine's own settings, a kernel the processor cannot run included (ExplainCert never calls it).
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
  if [ "$(uname -m)" != x86_64 ]; then
    echo "portability: SKIPPED OPENBLAS_CORETYPE=$kernel: an x86-64 kernel, and this processor is $(uname -m)"
    continue
  fi
  case "$kernel" in
    SkylakeX) need="avx512f avx512bw avx512dq avx512vl" ;;
    Haswell) need="avx2 fma" ;;
    Zen) need="avx2 fma" ;;
    Prescott) need="" ;;
  esac
  missing=""
  for flag in $need; do has "$flag" || missing+=" $flag"; done
  # A kernel the processor cannot run is never called: the exact products go to FLINT instead,
  # and the results must still be the same.
  [ -n "$missing" ] && echo "portability: OPENBLAS_CORETYPE=$kernel: this processor lacks$missing; ExplainCert must not call it"
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
