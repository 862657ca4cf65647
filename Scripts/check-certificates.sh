#!/usr/bin/env bash
# Certificates checked by a second, independent implementation: certifies a few inputs of every
# fixture model and of four generated ones (one whose float32 pattern flips, three with operators
# and attributes the fixtures lack) with ExplainCert, requires Tools/check_certificate.py (Python:
# onnx, numpy, fractions; no code shared with ExplainCert) to accept every certificate, then
# requires it to reject tampered copies (one field changed each, every field: the float findings
# doubled, zeroed or one unit in the last place up, a flip added or removed, the notes, tool,
# version and model edited) and a malformed file; `explaincert verify` must reject the tampered
# copies as well. Certificates
# made under another OpenBLAS kernel and the generic fixed-order kernels must be the same bytes,
# and the checker must accept them.
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

# Generated models: one whose float32 run flips two ReLUs at a float64 input (x0 = 1 + 2^-40
# rounds to 1 in float32), so that certificates list flips, with an input where nothing flips;
# and three with random weights that use what the fixtures do not (grouped, strided, dilated,
# padded and SAME convolutions; AveragePool with and without the padding counted; MaxPool with
# padding and ceil_mode; GlobalAveragePool; Gemm with alpha, beta, transA; MatMul by a constant
# on the left; constant − x, x − y, Neg, Div; Clip by attributes at opset 10; BatchNormalization
# on 3-D values; an RNN with an initial state, a batch of 2 and both outputs).
python3 - "$WORK" <<'PY'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

work = sys.argv[1]
rng = np.random.default_rng(7)
make, value = helper.make_node, helper.make_tensor_value_info


def w(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def save(name, nodes, x, ys, arrays, opset, inputs):
    graph = helper.make_graph(nodes, name, [x], ys, [numpy_helper.from_array(a, k) for k, a in arrays.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), f"{work}/{name}.onnx")
    np.save(f"{work}/{name}_inputs.npy", inputs)


save("float_flip", [make("Gemm", ["x", "W1", "b1"], ["h"], name="fc1", transB=1),
                    make("Relu", ["h"], ["r"], name="relu"),
                    make("Gemm", ["r", "W2", "b2"], ["y"], name="fc2", transB=1)],
     value("x", TensorProto.FLOAT, ["N", 2]), [value("y", TensorProto.FLOAT, ["N", 1])],
     {"W1": np.array([[1, 0], [0, 1], [1, -1]], dtype=np.float32), "b1": np.array([-1, -0.25, -0.5], dtype=np.float32),
      "W2": np.ones((1, 3), dtype=np.float32), "b2": np.zeros(1, dtype=np.float32)},
     17, np.array([[1 + 2.0**-40, 0.5], [2.0, 0.5]]))

save("ops_conv", [
    make("Conv", ["x", "cw", "cb"], ["c1"], name="conv_g", group=2, pads=[1, 0, 2, 1], strides=[2, 1], dilations=[1, 2]),
    make("PRelu", ["c1", "pw"], ["p1"], name="prelu_c"),
    make("AveragePool", ["p1"], ["a1"], name="avg_inc", kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1),
    make("AveragePool", ["a1"], ["a2"], name="avg_exc", kernel_shape=[2, 3], pads=[1, 1, 0, 1], strides=[1, 2]),
    make("MaxPool", ["a2"], ["m1"], name="maxp", kernel_shape=[2, 2], pads=[0, 1, 1, 0], strides=[2, 2], ceil_mode=1),
    make("Conv", ["m1", "c2w"], ["c2"], name="conv_same", auto_pad="SAME_UPPER"),
    make("LeakyRelu", ["c2"], ["l2"], name="leaky", alpha=0.2),
    make("GlobalAveragePool", ["l2"], ["g"], name="gap"),
    make("Flatten", ["g"], ["f"], name="flat"),
    make("Gemm", ["f", "fw", "fb"], ["y0"], name="gemm_ab", alpha=0.75, beta=1.5),
    make("PRelu", ["y0", "slope"], ["y"], name="prelu")],
    value("x", TensorProto.FLOAT, ["N", 2, 9, 8]), [value("y", TensorProto.FLOAT, ["N", 5])],
    {"cw": w(4, 1, 3, 2), "cb": w(4), "pw": w(4, 1, 1), "c2w": w(6, 4, 2, 2), "fw": w(6, 5), "fb": w(1, 5), "slope": w(5)},
    17, w(3, 2, 9, 8, scale=1.0))

save("ops_affine", [
    make("Transpose", ["x"], ["xt"], name="t1"),
    make("MatMul", ["A", "xt"], ["ax"], name="left"),
    make("Transpose", ["ax"], ["axt"], name="t2", perm=[1, 0]),
    make("Gemm", ["x", "g1"], ["gx"], name="gemm_tb", transB=1),
    make("Sub", ["axt", "gx"], ["s"], name="sub_vv"),
    make("Relu", ["s"], ["r"], name="relu"),
    make("Add", ["r", "gx"], ["rs"], name="add_vv"),
    make("Neg", ["x"], ["nx"], name="neg"),
    make("Sub", ["c", "nx"], ["cx"], name="sub_cv"),
    make("Div", ["cx", "d"], ["dx"], name="div"),
    make("Abs", ["dx"], ["adx"], name="abs"),
    make("Concat", ["rs", "adx"], ["cat0"], name="cat", axis=1),
    make("Reshape", ["cat0", "shape"], ["cat"], name="reshape"),
    make("Gemm", ["cat", "row"], ["h"], name="gemm_ta", transA=1),
    make("Mul", ["h", "m"], ["hm"], name="mul"),
    make("MatMul", ["hm", "g2w"], ["h2"], name="mm"),
    make("Add", ["k", "h2"], ["y"], name="add_cv")],
    value("x", TensorProto.FLOAT, ["N", 3]), [value("y", TensorProto.FLOAT, [7, 2])],
    {"A": w(4, 3), "g1": w(4, 3), "c": w(3), "d": np.array(1.7, dtype=np.float32), "m": w(1, 6), "g2w": w(6, 2),
     "k": w(2), "shape": np.array([1, 7], dtype=np.int64), "row": w(1, 6)},
    17, w(4, 3, scale=1.0))

save("ops_rnn", [
    make("RNN", ["x", "W", "R", "B", "", "h0"], ["Y", "Yh"], name="rnn", hidden_size=5, activations=["Relu"]),
    make("Squeeze", ["Y"], ["Ys"], name="squeeze", axes=[1]),
    make("Transpose", ["Ys"], ["Yt"], name="t1", perm=[1, 2, 0]),
    make("BatchNormalization", ["Yt", "bs", "bb", "bm", "bv"], ["bn"], name="bn", epsilon=1e-3),
    make("Clip", ["bn"], ["cl"], name="clip", min=-0.5, max=0.75),
    make("Transpose", ["cl"], ["ct"], name="t2", perm=[0, 2, 1]),
    make("MatMul", ["ct", "fw"], ["y"], name="mm")],
    value("x", TensorProto.FLOAT, [4, 2, 3]),
    [value("y", TensorProto.FLOAT, [2, 4, 2]), value("Yh", TensorProto.FLOAT, [1, 2, 5])],
    {"W": w(1, 5, 3), "R": w(1, 5, 5, scale=0.3), "B": w(1, 10), "h0": w(1, 2, 5), "bs": w(5), "bb": w(5), "bm": w(5),
     "bv": np.abs(w(5)) + 0.1, "fw": w(5, 2)},
    10, w(3, 4, 2, 3, scale=1.0))
PY
# certify NAME MODEL DATA [options...]: certificates into $WORK/NAME (MODEL, DATA: paths); the
# arguments are kept in $WORK/NAME.arguments to certify again under other settings.
certify() {
  local name=$1
  shift
  "$BIN" certify "$@" --output "$WORK/$name" --quiet >/dev/null
  printf '%s\0' "$@" >"$WORK/$name.arguments"
  echo "$name $1" >>"$WORK/classes"
}
M=Fixtures/models
D=Fixtures/data
certify digits_mlp $M/digits_mlp.onnx $D/digits_test.npy --limit 3
certify digits_mlp_box $M/digits_mlp.onnx $D/digits_test.npy --limit 3 --domain 0,1
certify digits_cnn $M/digits_cnn.onnx $D/digits_test_images.npy --limit 2
certify digits_cnn_box $M/digits_cnn.onnx $D/digits_test_images.npy --limit 3 --domain 0,1
certify digits_rnn_box $M/digits_rnn.onnx $D/digits_test_rows.npy --limit 3 --domain 0,1
certify text_rnn $M/text_rnn.onnx $D/text_test_ids.npy --limit 3
for model in tiny_clip tiny_leaky tiny_mixed tiny_abs tiny_prelu; do
  certify "$model" "$M/$model.onnx" $D/tiny_inputs.npy --limit 5
done
certify tiny_clip_box $M/tiny_clip.onnx $D/tiny_inputs.npy --limit 5 --domain=-1,1
for model in float_flip ops_conv ops_affine ops_rnn; do
  certify "$model" "$WORK/$model.onnx" "$WORK/${model}_inputs.npy"
done

# tamper CERT FOLDER: copies of CERT with one field changed each (a still-valid JSON value).
tamper() {
  python3 - "$1" "$2" <<'PY'
import copy, json, math, os, sys
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
# The float findings, bit for bit (both checkers reproduce the float32 run): doubled, zeroed and
# moved by one unit in the last place (a value they would leave unchanged becomes 2^-30).
findings = cert["floatFindings"]
for key in ("maxAbsoluteError", "maxRelativeError"):
    v = findings[key]
    for how, new in (("doubled", 2 * v), ("zeroed", 0.0), ("last-bit", math.nextafter(v, math.inf))):
        new = new if new != v else 2.0**-30
        write(f"{key}-{how}", lambda d, key=key, new=new: d["floatFindings"].__setitem__(key, new))
# The flips must be complete: one added where the float run agrees with the exact pattern (its
# exactChoice is the exact choice, so it looks consistent), and a listed one removed or changed.
flips = findings["flippedNeurons"]
listed = {(f["node"], f["element"]) for f in flips}
site, e = next((s, e) for s in cert["pattern"] for e in range(len(s["choices"])) if (s["node"], e) not in listed)
exact = int(site["choices"][e], 36)
added = {"node": site["node"], "element": e, "floatChoice": 0 if exact else 1, "exactChoice": exact}
write("flip-added", lambda d: d["floatFindings"]["flippedNeurons"].append(added))
if flips:
    write("flip-removed", lambda d: d["floatFindings"]["flippedNeurons"].pop(0))
    write("flip-floatChoice", lambda d: d["floatFindings"]["flippedNeurons"][0].__setitem__("floatChoice", flips[0]["exactChoice"]))
write("notes-edited", lambda d: d["notes"].__setitem__(0, d["notes"][0].replace("exactly", "approximately")))
write("notes-emptied", lambda d: d.__setitem__("notes", []))
write("notes-last-dropped", lambda d: d.__setitem__("notes", d["notes"][:-1]))
write("notes-added", lambda d: d["notes"].append("Certified by someone else."))
write("tool", lambda d: d.__setitem__("tool", "other"))
write("version", lambda d: d.__setitem__("version", "0.1.1"))
write("model", lambda d: d.__setitem__("model", "other.onnx"))
if "tokens" in cert:
    write("tokens", lambda d: d["tokens"].__setitem__(0, (d["tokens"][0] + 1) % 100))
    write("tokens-removed", lambda d: d.pop("tokens"))
else:
    write("tokens-added", lambda d: d.__setitem__("tokens", [0]))
PY
}

# The first and the last certificate of each class (they differ in ties and radii) tampered.
while read -r name model; do
  certs=("$WORK/$name"/certificate-*.json)
  tamper "${certs[0]}" "$WORK/$name/tampered-first"
  tamper "${certs[${#certs[@]} - 1]}" "$WORK/$name/tampered-last"
done <"$WORK/classes"

# The checker on each class's certificates and tampered copies, two classes at a time; its
# output in $WORK/NAME.out, its exit status in $WORK/NAME.status.
export WORK
xargs -P 2 -L 1 sh -c 'status=0
  python3 Tools/check_certificate.py "$1" "$WORK/$0"/certificate-*.json "$WORK/$0"/tampered-*/*.json \
    >"$WORK/$0.out" || status=$?
  echo "$status" >"$WORK/$0.status"' <"$WORK/classes"

accepted=0
rejected=0
failures=0
while read -r name model; do
  status=$(cat "$WORK/$name.status")
  if [[ $status -ne 1 ]]; then
    echo "FAILED $name: the checker exited with $status (expected 1: tampered copies rejected)"
    failures=$((failures + 1))
  fi
  for cert in "$WORK/$name"/certificate-*.json; do
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
# not part of a certificate); two at a time.
verified=0
while read -r name model; do
  for cert in "$WORK/$name"/tampered-first/*.json; do
    echo "$model $cert"
  done
done <"$WORK/classes" >"$WORK/verify-list"
xargs -P 2 -L 1 sh -c '"$0" verify "$1" "$2" >/dev/null 2>&1; echo "$? $2"' "$BIN" <"$WORK/verify-list" >"$WORK/verify-results"
while read -r status cert; do
  if [[ $status -eq 0 ]]; then
    echo "FAILED: explaincert verify accepts the tampered copy ${cert#"$WORK"/}"
    failures=$((failures + 1))
  else
    verified=$((verified + 1))
  fi
done <"$WORK/verify-results"

# The same certificates, byte for byte, under another OpenBLAS kernel (the exact engine's products)
# and under the generic copy of the fixed-order float kernels; the checker accepts them.
portable=0
for name in digits_cnn_box digits_rnn_box text_rnn float_flip ops_conv ops_rnn; do
  mapfile -d '' arguments <"$WORK/$name.arguments"
  model=${arguments[0]}
  for setting in OPENBLAS_CORETYPE=Prescott EXPLAINCERT_KERNELS=generic; do
    out="$WORK/portable/$name/${setting%%=*}"
    env "$setting" "$BIN" certify "${arguments[@]}" --output "$out" --quiet >/dev/null
    for cert in "$WORK/$name"/certificate-*.json; do
      if ! cmp -s "$cert" "$out/$(basename "$cert")"; then
        echo "FAILED: with $setting, $name/$(basename "$cert") is not the same bytes"
        failures=$((failures + 1))
      fi
    done
  done
  if python3 Tools/check_certificate.py "$model" "$WORK/portable/$name"/*/certificate-*.json >"$WORK/portable/$name.out"; then
    portable=$((portable + $(grep -c '^ACCEPTED ' "$WORK/portable/$name.out")))
  else
    echo "FAILED: the checker does not accept every $name certificate made under the other kernels:"
    grep -v '^ACCEPTED ' "$WORK/portable/$name.out" || true
    failures=$((failures + 1))
  fi
done

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
echo "check-certificates: $accepted certificates accepted by the independent checker, $rejected tampered copies rejected by it, $verified rejected by explaincert verify; $portable certificates the same bytes and accepted under OPENBLAS_CORETYPE=Prescott and EXPLAINCERT_KERNELS=generic"
