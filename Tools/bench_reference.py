#!/usr/bin/env python3
"""onnxruntime reference timings for one model, as JSON on stdout.

    python3 Tools/bench_reference.py MODEL.onnx [--input DATA.npy] [--calls 2000] [--batch 1000]
    python3 Tools/bench_reference.py MODEL.onnx --write-inputs OUT.npy [--batch 1000] [--seed 0]
                                     [--images IDX.gz]

Measures two onnxruntime configurations (CPUExecutionProvider):
- "single_thread": intra_op_num_threads = inter_op_num_threads = 1, sequential execution;
- "default_threads": onnxruntime's defaults.
For each: single-input latency (median and percentiles over --calls calls of session.run with a
batch of one input; the time includes the session.run call overhead, which is what a caller pays)
and batch throughput (inputs per second for one session.run on a batch of --batch inputs, median
over --repeats runs). When the model has a fixed batch dimension of 1 (e.g. the VNN-COMP ACAS Xu
nets), a batch cannot be fed at once, so throughput is measured as --batch sequential calls and
reported with "mode": "sequential".

Inputs: slices of --input along the model's batch axis (axis 0 for a model without a symbolic
batch; cycled if there are fewer than needed), else deterministic random data (seed --seed, uniform [0, 1) for
float inputs, token ids below the Gather'd table size for int64 inputs), or with --images the images of
an MNIST-style IDX file scaled to [0, 1]. Symbolic dims other than
the batch are 10 (sequence-like names) or 1.

Used by the benchmarks to compute ratios against the Swift core measured in the same run.
"""
import argparse
import gzip
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

ort.set_default_logger_severity(3)

SEQUENCE_DIM_NAMES = {"t", "seq", "seq_len", "seqlen", "sequence", "sequence_length", "time", "time_steps",
                      "steps", "len", "length"}


def input_spec(model):
    inits = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    if len(inputs) != 1:
        raise SystemExit(f"error: {len(inputs)} graph inputs; this tool handles models with one input")
    vi = inputs[0]
    dims, batch_axis = [], None
    for axis, d in enumerate(vi.type.tensor_type.shape.dim):
        if d.HasField("dim_value") and d.dim_value > 0:
            dims.append(d.dim_value)
            continue
        if d.dim_param.strip().lower() in SEQUENCE_DIM_NAMES:
            dims.append(10)
        else:
            if batch_axis is None:  # the first symbolic dim that is not sequence-like is the batch
                batch_axis = axis
            dims.append(1)
    return vi, dims, batch_axis


def gather_rows(model, name):
    inits = {i.name: i for i in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Gather" and len(n.input) > 1 and n.input[1] == name and n.input[0] in inits:
            return inits[n.input[0]].dims[0]
    return None


def make_batch(model, vi, dims, batch_axis, count, data, rng):
    """`count` inputs stacked along the batch axis (axis 0 when the model has no symbolic batch)."""
    axis = 0 if batch_axis is None else batch_axis
    per = 1 if batch_axis is not None else dims[0]  # slices per input along axis
    elem = vi.type.tensor_type.elem_type
    dtype = onnx.helper.tensor_dtype_to_np_dtype(elem)
    if data is not None:
        idx = np.arange(count * per) % data.shape[axis]
        return np.ascontiguousarray(np.take(data, idx, axis=axis)).astype(dtype, copy=False)
    shape = list(dims)
    shape[axis] = count * per
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, gather_rows(model, vi.name) or 10, shape).astype(dtype)
    return rng.uniform(0.0, 1.0, shape).astype(dtype)


def read_images(path, dims, batch_axis):
    """The images of a (gzipped) IDX file as float32 in [0, 1], one per model input along axis 0."""
    raw = gzip.open(path).read() if str(path).endswith(".gz") else Path(path).read_bytes()
    if len(raw) < 4 or raw[:3] != b"\0\0\x08":
        raise ValueError("not an IDX file of unsigned bytes")
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(raw[3])]
    images = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(shape)).astype(np.float32) / 255
    per_input = [d for axis, d in enumerate(dims) if axis != (0 if batch_axis is None else batch_axis)]
    if images.size != shape[0] * int(np.prod(per_input)):
        raise ValueError(f"images of {shape[1:]} pixels do not fit the model's input {dims}")
    return images.reshape([shape[0]] + per_input)


def session(path, single_thread):
    so = ort.SessionOptions()
    if single_thread:
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def percentile(sorted_values, q):
    k = (len(sorted_values) - 1) * q
    lo, hi = int(np.floor(k)), int(np.ceil(k))
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def measure(path, name, single_thread, batch_axis, batch, args):
    sess = session(path, single_thread)
    batched_ok = batch_axis is not None
    axis = 0 if batch_axis is None else batch_axis
    per = batch.shape[axis] // args.batch
    # single-input latency: cycle through (up to) 16 distinct single inputs taken from the batch
    singles = [np.ascontiguousarray(np.take(batch, range(i * per, (i + 1) * per), axis=axis))
               for i in range(min(16, args.batch))]
    for i in range(args.warmup):
        sess.run(None, {name: singles[i % len(singles)]})
    times = []
    for i in range(args.calls):
        x = singles[i % len(singles)]
        t0 = time.perf_counter_ns()
        sess.run(None, {name: x})
        times.append(time.perf_counter_ns() - t0)
    times_us = sorted(t / 1000.0 for t in times)
    latency = {
        "median_us": statistics.median(times_us),
        "p10_us": percentile(times_us, 0.10),
        "p90_us": percentile(times_us, 0.90),
        "mean_us": statistics.fmean(times_us),
        "min_us": times_us[0],
        "calls": args.calls,
    }
    # throughput
    if batched_ok:
        feed = {name: batch}
        for _ in range(max(1, args.warmup // 100)):
            sess.run(None, feed)
        runs = []
        for _ in range(args.repeats):
            t0 = time.perf_counter_ns()
            sess.run(None, feed)
            runs.append((time.perf_counter_ns() - t0) / 1e9)
        mode = "batched"
    else:
        runs = []
        for _ in range(args.repeats):
            t0 = time.perf_counter_ns()
            for i in range(args.batch):
                sess.run(None, {name: singles[i % len(singles)]})
            runs.append((time.perf_counter_ns() - t0) / 1e9)
        mode = "sequential"
    med = statistics.median(runs)
    throughput = {
        "mode": mode,
        "batch": args.batch,
        "repeats": args.repeats,
        "median_seconds": med,
        "min_seconds": min(runs),
        "inputs_per_second": args.batch / med,
    }
    return {"latency": latency, "throughput": throughput}


def main():
    ap = argparse.ArgumentParser(description="onnxruntime latency and throughput for one model, as JSON.")
    ap.add_argument("model", help="the .onnx model")
    ap.add_argument("--input", help=".npy with inputs (batch axis as in the model); default: random data")
    ap.add_argument("--calls", type=int, default=2000, help="single-input calls for the latency median (2000)")
    ap.add_argument("--warmup", type=int, default=200, help="warm-up calls before measuring (200)")
    ap.add_argument("--batch", type=int, default=1000, help="inputs per throughput batch (1000)")
    ap.add_argument("--repeats", type=int, default=20, help="throughput runs; the median is reported (20)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write-inputs", metavar="OUT.npy",
                    help="only write --batch random inputs (seed --seed) to OUT.npy, stacked along a new leading "
                         "axis for a fixed-batch model, and exit (the explainer benchmarks' data)")
    ap.add_argument("--images", metavar="IDX.gz",
                    help="take the inputs from the images of an MNIST-style IDX file, scaled to [0, 1]")
    ap.add_argument("--configs", default="single_thread,default_threads",
                    help="comma-separated subset of single_thread,default_threads")
    args = ap.parse_args()

    path = Path(args.model)
    if not path.is_file():
        print(f"error: {path}: no such file", file=sys.stderr)
        return 2
    try:
        model = onnx.load(str(path))
    except Exception as e:  # noqa: BLE001
        print(f"error: {path}: cannot load ONNX: {e}", file=sys.stderr)
        return 2
    vi, dims, batch_axis = input_spec(model)
    data = None
    if args.input:
        data = np.load(args.input, allow_pickle=False)
    elif args.images:
        try:
            data = read_images(args.images, dims, batch_axis)
        except (OSError, ValueError) as e:
            print(f"error: {args.images}: {e}", file=sys.stderr)
            return 2
    rng = np.random.default_rng(args.seed)
    batch = make_batch(model, vi, dims, batch_axis, args.batch, data, rng)
    if args.write_inputs:
        if batch_axis is None:
            batch = batch.reshape([args.batch, batch.shape[0] // args.batch] + list(batch.shape[1:]))
        np.save(args.write_inputs, batch)
        return 0

    configs = {}
    for cfg in [c.strip() for c in args.configs.split(",") if c.strip()]:
        if cfg not in ("single_thread", "default_threads"):
            print(f"error: unknown config {cfg!r}", file=sys.stderr)
            return 2
        configs[cfg] = measure(path, vi.name, cfg == "single_thread", batch_axis, batch, args)

    single_shape = list(batch.shape)
    single_shape[0 if batch_axis is None else batch_axis] //= args.batch
    result = {
        "tool": "onnxruntime",
        "onnxruntime_version": ort.__version__,
        "model": str(path),
        "model_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "input_name": vi.name,
        "single_input_shape": single_shape,
        "batch_axis": batch_axis,
        "input_source": args.input or f"random(seed={args.seed})",
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "configs": configs,
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
