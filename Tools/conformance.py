#!/usr/bin/env python3
"""Conformance: `explaincert predict` against onnxruntime on every ONNX model we have.

    python3 Tools/conformance.py [--explaincert .build/debug/explaincert] [--shared ../shared]
                                 [--filter SUBSTRING] [--keep] [--ort-only] [--verbose]

Models: every .onnx under Fixtures/models/ and Fixtures/pytorch/ (today's PyTorch exports), the ONNX
backend tests that the installed `onnx` package ships (onnx/backend/test/data/pytorch-converted and
pytorch-operator: PyTorch modules and operators exported by ONNX's own test generator), and every
.onnx under ../shared/models/ (relative to the repository root; if ../shared is absent a loud
"SKIPPED: ../shared not found" line is printed).

For each model one input batch is made:
- ONNX backend tests (a `test_data_set_0/` folder beside model.onnx): its input_0.pb, and the
  reference is its output_0.pb (onnxruntime is also checked against it);
- otherwise a deterministic random batch (seeded by the model's path) of the declared input shape,
  symbolic dims set to 10 for sequence-like names (T, seq, time, ...) and 4 otherwise; float inputs
  uniform in [0, 1] for image models (digits, mnist, Convnet) and [-1, 1] otherwise; int64 inputs
  that index a Gather'd initializer are uniform over its first dimension (token ids).
The reference is onnxruntime's first output (CPUExecutionProvider). The input is written as .npy,
`explaincert predict MODEL INPUT.npy --output OUT.npy` is run, and OUT.npy is compared:
    err = max |a - b| / max(1, |b|)   (a: explaincert, b: reference);  PASS iff err <= 1e-5
and the shapes must be equal.

Output: one line per model (PASS / FAIL / SKIP and the error), then exactly
`N passed, M failed` (with `, K skipped` appended when K > 0). Exit status 1 if any model failed,
2 on a setup error (e.g. the explaincert binary is missing), 0 otherwise.

An exit status 2 from explaincert whose message contains "unsupported" is a FAIL unless the model
is in ALLOWED_UNSUPPORTED below (then it is a SKIP). A refusal because the model is not piecewise
linear (Tanh, Softplus, a product of two values, ...) is a SKIP that says so: such a model is outside
what ExplainCert certifies, and `explaincert info` must still describe it (checked here too). --ort-only runs only the onnxruntime half
(input generation, onnxruntime, backend-test expectations): for checking this script itself.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

REPO = Path(__file__).resolve().parent.parent
ort.set_default_logger_severity(3)  # errors only: old-opset backend tests warn on every session
TOLERANCE = 1e-5

# Models that explaincert may legitimately refuse with "unsupported" (exit code 2): a refusal of
# any other model is a failure. Keys are paths as printed by this script (relative to the
# repository root, e.g. "../shared/models/verrnn/verrnn_N7_relu_rnn.onnx"); values say why.
# Keep it empty unless a model really uses an operator outside the product's scope, and remove
# an entry as soon as the model is supported (the script says so when an allowlisted model passes).
ALLOWED_UNSUPPORTED = {
    # "../shared/models/example/model.onnx": "uses LSTM, out of scope (only RNN with Relu is certified)",
}
# Backend tests (by folder name) that may be refused as unsupported, and why.
ALLOWED_UNSUPPORTED_BACKEND_TESTS = {
    "test_MaxPool1d_stride_padding_dilation": "a MaxPool window of 200 elements; a pattern records at most 36 positions per window",
    "test_MaxPool2d_stride_padding_dilation": "a MaxPool window of 4800 elements; a pattern records at most 36 positions per window",
}

SEQUENCE_DIM_NAMES = {"t", "seq", "seq_len", "seqlen", "sequence", "sequence_length", "time", "time_steps",
                      "steps", "len", "length"}
IMAGE_MODEL_HINTS = ("digits", "mnist", "convnet")


def display_path(path):
    try:
        return os.path.relpath(path, REPO)
    except ValueError:
        return str(path)


def onnx_backend_tests():
    """model.onnx of the backend tests the onnx package ships (PyTorch modules and operators)."""
    root = Path(onnx.__file__).resolve().parent / "backend" / "test" / "data"
    return sorted(p for kind in ("pytorch-converted", "pytorch-operator") for p in (root / kind).glob("*/model.onnx"))


def find_models(shared):
    models = sorted((REPO / "Fixtures" / "models").rglob("*.onnx")) + sorted((REPO / "Fixtures" / "pytorch").glob("*.onnx"))
    models += onnx_backend_tests()
    notes = []
    if shared.is_dir():
        shared_models = sorted((shared / "models").rglob("*.onnx"))
        if not shared_models:
            notes.append(f"SKIPPED: no .onnx files under {display_path(shared / 'models')}")
        models += shared_models
    else:
        notes.append(f"SKIPPED: ../shared not found (looked for {shared}); checking Fixtures/models only")
    return models, notes


def graph_inputs(model):
    inits = {i.name for i in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in inits]


def resolve_dims(value_info):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        if d.HasField("dim_value") and d.dim_value > 0:
            dims.append(d.dim_value)
        elif d.dim_param.strip().lower() in SEQUENCE_DIM_NAMES:
            dims.append(10)
        else:
            dims.append(4)  # batch or any other unknown dimension
    return dims


def gather_table_rows(model, input_name):
    """Rows of the initializer that a Gather indexes with `input_name` (vocabulary size), or None."""
    inits = {i.name: i for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Gather" and len(node.input) > 1 and node.input[1] == input_name and node.input[0] in inits:
            axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
            return inits[node.input[0]].dims[axis]
    return None


def random_input(model, path, value_info):
    rng = np.random.default_rng(zlib.crc32(display_path(path).encode()))
    shape = resolve_dims(value_info)
    elem = value_info.type.tensor_type.elem_type
    if elem in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16):
        lo, hi = (0.0, 1.0) if any(h in path.name.lower() for h in IMAGE_MODEL_HINTS) else (-1.0, 1.0)
        dtype = onnx.helper.tensor_dtype_to_np_dtype(elem)
        return rng.uniform(lo, hi, shape).astype(dtype)
    if elem in (onnx.TensorProto.INT64, onnx.TensorProto.INT32):
        high = gather_table_rows(model, value_info.name) or 10
        return rng.integers(0, high, shape).astype(onnx.helper.tensor_dtype_to_np_dtype(elem))
    raise ValueError(f"input {value_info.name!r} has element type "
                     f"{onnx.TensorProto.DataType.Name(elem)}, which this script cannot generate")


def load_pb(path):
    t = onnx.TensorProto()
    t.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(t)


def max_rel_err(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return None, f"shape {list(a.shape)} != expected {list(b.shape)}"
    if a.size == 0:
        return 0.0, None
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf"), "NaN positions differ"
    finite = np.isfinite(b)
    if np.any(a[np.isinf(b)] != b[np.isinf(b)]):
        return float("inf"), "infinite values differ"
    err = np.abs(a[finite] - b[finite]) / np.maximum(1.0, np.abs(b[finite]))
    return (float(err.max()) if err.size else 0.0), None


def run_ort(path, feed):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, feed)[0]


def first_line(text, limit=300):
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


def check_model(path, args, tmp):
    """Returns (status, detail): status in PASS / FAIL / SKIP."""
    name = display_path(path)
    try:
        model = onnx.load(str(path))
    except Exception as e:  # noqa: BLE001 - report any load error as a failure of the fixture
        return "FAIL", f"onnx.load: {e}"
    inputs = graph_inputs(model)
    if len(inputs) != 1:
        return "SKIP", f"{len(inputs)} graph inputs; `explaincert predict` takes one"

    data_dir = path.parent / "test_data_set_0"
    expected = None
    if (data_dir / "input_0.pb").is_file():
        x = load_pb(data_dir / "input_0.pb")
        if (data_dir / "output_0.pb").is_file():
            expected = load_pb(data_dir / "output_0.pb")
        origin = "test_data_set_0"
    else:
        try:
            x = random_input(model, path, inputs[0])
        except ValueError as e:
            return "SKIP", str(e)
        origin = "random"

    notes = []
    try:
        ort_out = run_ort(path, {inputs[0].name: x})
    except Exception as e:  # noqa: BLE001
        if expected is None:
            return "FAIL", f"onnxruntime: {first_line(str(e))}"
        # An old-opset backend test onnxruntime no longer runs: its recorded output is the reference.
        ort_out = expected
        notes.append(f"onnxruntime cannot run it ({first_line(str(e), 80)}); compared with output_0.pb")
    if expected is not None and ort_out is not expected:
        err, why = max_rel_err(ort_out, expected)
        if why or err > TOLERANCE:
            notes.append(f"onnxruntime vs output_0.pb: {why or f'{err:.3g}'}")
        reference = expected
    else:
        reference = ort_out
    shape_desc = f"input {list(x.shape)} {x.dtype} ({origin})"

    if args.ort_only:
        if notes:
            return "FAIL", f"{shape_desc}; " + "; ".join(notes)
        return "PASS", f"{shape_desc}; onnxruntime output {list(ort_out.shape)} (ort-only)"

    stem = name.replace("/", "_").replace("..", "up").removesuffix(".onnx")
    inp = tmp / f"{stem}.input.npy"
    out = tmp / f"{stem}.output.npy"
    np.save(inp, x)
    np.save(tmp / f"{stem}.reference.npy", reference)
    cmd = [str(args.explaincert), "predict", str(path), str(inp), "--output", str(out)]
    if inputs[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE:
        cmd.append("--double")  # a float64 model: the float core in float64 (float32 by default)
    if args.verbose:
        print("  $ " + " ".join(cmd), flush=True)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return "FAIL", f"explaincert timed out after {args.timeout}s"
    message = first_line(proc.stderr) or first_line(proc.stdout)
    if proc.returncode != 0:
        if proc.returncode == 2 and "not piecewise linear" in proc.stderr:
            described = subprocess.run([str(args.explaincert), "info", str(path)], capture_output=True, text=True, timeout=args.timeout)
            if described.returncode != 0:
                return "FAIL", f"not piecewise linear, and `explaincert info` does not describe it: {first_line(described.stderr)}"
            return "SKIP", f"not piecewise linear (info describes it): {message}"
        unsupported = proc.returncode == 2 and "unsupported" in (proc.stderr + proc.stdout).lower()
        if unsupported and name in ALLOWED_UNSUPPORTED:
            return "SKIP", f"unsupported (allowlisted: {ALLOWED_UNSUPPORTED[name]}): {message}"
        if unsupported and path.parent.name in ALLOWED_UNSUPPORTED_BACKEND_TESTS:
            return "SKIP", f"unsupported (allowlisted: {ALLOWED_UNSUPPORTED_BACKEND_TESTS[path.parent.name]})"
        kind = "unsupported" if unsupported else f"exit {proc.returncode}"
        return "FAIL", f"explaincert {kind}: {message}"
    if not out.is_file():
        return "FAIL", f"explaincert exited 0 but wrote no {out.name}"
    try:
        got = np.load(out, allow_pickle=False)
    except Exception as e:  # noqa: BLE001
        return "FAIL", f"cannot read explaincert output: {e}"
    err, why = max_rel_err(got, reference)
    notes.insert(0, shape_desc)
    if name in ALLOWED_UNSUPPORTED:
        notes.append("allowlisted as unsupported but now works: remove it from ALLOWED_UNSUPPORTED")
    if why:
        return "FAIL", f"{why}; " + "; ".join(notes)
    status = "PASS" if err <= TOLERANCE else "FAIL"
    return status, f"max_rel_err={err:.3g}; " + "; ".join(notes)


def main():
    ap = argparse.ArgumentParser(description="Compare `explaincert predict` with onnxruntime on every model.")
    ap.add_argument("--explaincert", default=str(REPO / ".build" / "debug" / "explaincert"),
                    help="path of the explaincert binary (default: .build/debug/explaincert)")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="the shared folder (default: ../shared)")
    ap.add_argument("--filter", default="", help="only models whose path contains this substring")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per explaincert run (default 300)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder with inputs/outputs")
    ap.add_argument("--ort-only", action="store_true", help="run only the onnxruntime half (no explaincert)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print each explaincert command")
    args = ap.parse_args()

    args.explaincert = Path(args.explaincert)
    if not args.explaincert.is_absolute():
        args.explaincert = (Path.cwd() / args.explaincert).resolve()
    if not args.ort_only and not (args.explaincert.is_file() and os.access(args.explaincert, os.X_OK)):
        print(f"ERROR: explaincert binary not found or not executable at {args.explaincert}; "
              "build it with `swift build` or pass --explaincert PATH (or use --ort-only)", file=sys.stderr)
        return 2

    models, notes = find_models(Path(args.shared))
    for n in notes:
        print("=" * 72)
        print(n)
        print("=" * 72)
    models = [m for m in models if args.filter in display_path(m)]
    if not models:
        print("ERROR: no models to check", file=sys.stderr)
        return 2

    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    tmp = Path(tempfile.mkdtemp(prefix="explaincert-conformance-"))
    try:
        for path in models:
            status, detail = check_model(path, args, tmp)
            counts[status] += 1
            print(f"{status} {display_path(path)}: {detail}", flush=True)
    finally:
        if args.keep:
            print(f"kept inputs and outputs in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = f"{counts['PASS']} passed, {counts['FAIL']} failed"
    if counts["SKIP"]:
        summary += f", {counts['SKIP']} skipped"
    print(summary)
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
