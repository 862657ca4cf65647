#!/usr/bin/env bash
# Certificates checked by a second, independent implementation: certifies a few inputs of every
# fixture model with ExplainCert, requires Tools/check_certificate.py (Python: onnx, numpy,
# fractions; no code shared with ExplainCert) to accept every certificate, then requires it to
# reject tampered copies (one field changed each) and a malformed file; `explaincert verify` must
# reject the tampered copies as well, and the fields only it re-derives (float findings, notes).
#
#   Scripts/check-certificates.sh [path/to/explaincert]     (default .build/debug/explaincert)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-.build/debug/explaincert}"
if [[ ! -x "$BIN" ]]; then
  echo "check-certificates: $BIN is not an executable (build first, or pass the binary)" >&2
  exit 2
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# certify NAME MODEL DATA [options...]: certificates into $WORK/NAME.
certify() {
  local name=$1 model=$2 data=$3
  shift 3
  "$BIN" certify "Fixtures/models/$model.onnx" "Fixtures/data/$data" --output "$WORK/$name" --quiet "$@" >/dev/null
  echo "$name $model" >>"$WORK/classes"
}
certify digits_mlp digits_mlp digits_test.npy --limit 3
certify digits_mlp_box digits_mlp digits_test.npy --limit 3 --domain 0,1
certify digits_cnn digits_cnn digits_test_images.npy --limit 2
certify digits_cnn_box digits_cnn digits_test_images.npy --limit 3 --domain 0,1
certify digits_rnn_box digits_rnn digits_test_rows.npy --limit 3 --domain 0,1
certify text_rnn text_rnn text_test_ids.npy --limit 3
for model in tiny_clip tiny_leaky tiny_mixed tiny_abs tiny_prelu; do
  certify "$model" "$model" tiny_inputs.npy --limit 5
done
certify tiny_clip_box tiny_clip tiny_inputs.npy --limit 5 --domain=-1,1

# tamper CERT FOLDER: copies of CERT with one field changed each (a still-valid JSON value).
tamper() {
  python3 - "$1" "$2" <<'PY'
import copy, json, os, sys
from fractions import Fraction

cert = json.load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out, exist_ok=True)

def text(q):
    q = Fraction(q)
    return f"{q.numerator}/{q.denominator}"

def bumped(s, by=Fraction(1, 1024)):
    return "1/1" if s == "inf" else text(Fraction(s) + by)

def write(name, change):
    d = copy.deepcopy(cert)
    change(d)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(d, f)

first = cert["outputs"][0]
# An input coordinate the output depends on (a column of A that is not zero).
j = next(j for j in range(len(cert["input"])) if any(Fraction(row[j]) != 0 for row in first["a"]))
radii = cert["radii"]
upper = radii["l2Upper"]
write("a", lambda d: d["outputs"][0]["a"][0].__setitem__(j, bumped(first["a"][0][j])))
write("c", lambda d: d["outputs"][0]["c"].__setitem__(0, bumped(first["c"][0])))
write("value", lambda d: d["outputs"][0]["value"].__setitem__(0, bumped(first["value"][0])))
write("pattern", lambda d: d["pattern"][0].__setitem__(
    "choices", ("1" if d["pattern"][0]["choices"][0] == "0" else "0") + d["pattern"][0]["choices"][1:]))
write("input", lambda d: d["input"].__setitem__(j, bumped(d["input"][j])))
write("constraints", lambda d: d.__setitem__("constraints", d["constraints"] + 1))
write("ties", lambda d: d.__setitem__("ties", d["ties"] + 1))
write("identityHolds", lambda d: d.__setitem__("identityHolds", not d["identityHolds"]))
write("inputInRegion", lambda d: d.__setitem__("inputInRegion", not d["inputInRegion"]))
write("modelSHA256", lambda d: d.__setitem__("modelSHA256", "0" * 64))
write("radii.linf", lambda d: d["radii"].__setitem__("linf", bumped(radii["linf"])))
write("radii.l1", lambda d: d["radii"].__setitem__("l1", bumped(radii["l1"], Fraction(-1, 1024))))
# r2's bounds: a lower bound above r2, an upper bound below it.
write("radii.l2Lower", lambda d: d["radii"].__setitem__("l2Lower", bumped(upper, Fraction(1, 2**40))))
write("radii.l2Upper", lambda d: d["radii"].__setitem__(
    "l2Upper", "-1/1" if upper == "inf" or Fraction(radii["l2Lower"]) <= 0 else text(Fraction(radii["l2Lower"]) / 2)))
write("extra-field", lambda d: d.__setitem__("certifiedBy", "someone"))
# Fields only ExplainCert's verify re-derives (they depend on the float32 runtime, or state the
# semantics): the independent checker leaves them, verify must reject them.
meta = os.path.join(os.path.dirname(out), "verify-only-tampered")
os.makedirs(meta, exist_ok=True)
def write_meta(name, change):
    d = copy.deepcopy(cert)
    change(d)
    with open(os.path.join(meta, os.path.basename(out) + "-" + name + ".json"), "w") as f:
        json.dump(d, f)
write_meta("maxAbsoluteError", lambda d: d["floatFindings"].__setitem__("maxAbsoluteError", 2 * d["floatFindings"]["maxAbsoluteError"] + 1e-9))
write_meta("maxRelativeError", lambda d: d["floatFindings"].__setitem__("maxRelativeError", 0.5))
write_meta("notes", lambda d: d.__setitem__("notes", d["notes"][:-1]))
write_meta("tool", lambda d: d.__setitem__("tool", "other"))
if "tokens" in cert:
    write("tokens", lambda d: d["tokens"].__setitem__(0, (d["tokens"][0] + 1) % 100))
    write("tokens-removed", lambda d: d.pop("tokens"))
else:
    write("tokens-added", lambda d: d.__setitem__("tokens", [0]))
PY
}

accepted=0
rejected=0
failures=0
while read -r name model; do
  # The first and the last certificate of each class (they differ in ties and radii).
  certs=("$WORK/$name"/certificate-*.json)
  tamper "${certs[0]}" "$WORK/$name/tampered-first"
  tamper "${certs[${#certs[@]} - 1]}" "$WORK/$name/tampered-last"
  status=0
  python3 Tools/check_certificate.py "Fixtures/models/$model.onnx" "${certs[@]}" \
    "$WORK/$name"/tampered-*/*.json >"$WORK/$name.out" || status=$?
  if [[ $status -ne 1 ]]; then
    echo "FAILED $name: the checker exited with $status (expected 1: tampered copies rejected)"
    failures=$((failures + 1))
  fi
  for cert in "${certs[@]}"; do
    if grep -qxF "ACCEPTED $cert" "$WORK/$name.out"; then
      accepted=$((accepted + 1))
    else
      echo "FAILED $name: the independent checker does not accept ${cert#"$WORK"/}:"
      grep -F "$cert" "$WORK/$name.out" || true
      failures=$((failures + 1))
    fi
  done
  for cert in "$WORK/$name"/tampered-*/*.json; do
    if grep -qF "REJECTED $cert: " "$WORK/$name.out"; then
      rejected=$((rejected + 1))
    else
      echo "FAILED $name: the tampered copy ${cert#"$WORK"/} (field $(basename "$cert" .json)) was not rejected"
      failures=$((failures + 1))
    fi
  done
done <"$WORK/classes"

# ExplainCert's own verify must reject every tampered copy too (exit 1, or 2 for a field that is
# not part of a certificate), the verify-only ones included; two at a time.
verified=0
while read -r name model; do
  for cert in "$WORK/$name"/tampered-first/*.json "$WORK/$name"/verify-only-tampered/*.json; do
    echo "$model $cert"
  done
done <"$WORK/classes" >"$WORK/verify-list"
xargs -P 2 -L 1 sh -c '"$0" verify "Fixtures/models/$1.onnx" "$2" >/dev/null 2>&1; echo "$? $2"' "$BIN" <"$WORK/verify-list" >"$WORK/verify-results"
while read -r status cert; do
  if [[ $status -eq 0 ]]; then
    echo "FAILED: explaincert verify accepts the tampered copy ${cert#"$WORK"/}"
    failures=$((failures + 1))
  else
    verified=$((verified + 1))
  fi
done <"$WORK/verify-results"

# A malformed certificate is a bad input (exit 2, one line on stderr naming the file).
head -c 200 "$WORK/digits_mlp/certificate-0.json" >"$WORK/truncated.json"
status=0
python3 Tools/check_certificate.py Fixtures/models/digits_mlp.onnx "$WORK/truncated.json" >/dev/null 2>"$WORK/truncated.err" || status=$?
if [[ $status -ne 2 ]] || ! grep -qF "$WORK/truncated.json" "$WORK/truncated.err"; then
  echo "FAILED: a truncated certificate gave exit $status, expected 2 with a line naming the file"
  failures=$((failures + 1))
fi

if [[ $failures -gt 0 ]]; then
  echo "check-certificates: $failures failure(s)"
  exit 1
fi
echo "check-certificates: $accepted certificates accepted by the independent checker, $rejected tampered copies rejected by it, $verified rejected by explaincert verify"
