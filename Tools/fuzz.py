#!/usr/bin/env python3
"""Mutational fuzz harness for the `explaincert` command-line tool.

The tool's rule for bad input: every malformed or hostile file yields exactly
ONE line on standard error naming the file at fault and exit code 2; a
violated property or a rejected certificate exits 1; nothing crashes (a Swift
trap: exit 132/133/134/139, a signal or a backtrace) or hangs.

This harness takes the repository's fixtures as seeds -- the ONNX models in
Fixtures/models, the inputs in Fixtures/data (NPY, plus CSV and JSON copies
derived from them), the YAML suites in Properties/ and Counterexamples/suites/,
the counterexamples in Counterexamples/*.json and certificates written first by
`explaincert certify` -- mutates one file per case (byte-level and
structure-aware mutations, see MUTATIONS below), runs the commands that read
that file (`info`, `predict`, `certify`, `verify`, `check`, `replay`) in a
scratch copy of the fixtures with a timeout, and classifies every run:

  ok                   exit 0 or 1
  rejected-correctly   exit 2 and exactly one non-empty stderr line that
                       contains the mutated file's path or name
  BAD-REJECTION        exit 2 but no stderr line, several lines, or a line
                       that does not name the mutated file
  BAD-EXIT             any other exit code below 128
  CRASH                killed by a signal, exit >= 128, "Fatal error",
                       "Program crashed" or a backtrace on stderr
  HANG                 still running after --timeout seconds

Usage (from anywhere; paths are relative to the repository root):

  python3 Tools/fuzz.py                                   # 2000 cases, seed 0
  python3 Tools/fuzz.py --binary /tmp/ec-bin/explaincert --cases 500 --seed 3 \\
      --jobs 2 --out /tmp/fuzz-repro
  python3 Tools/fuzz.py --first 1000 --cases 1000         # cases 1000..1999
  python3 Tools/fuzz.py --families onnx,npy --cases 300   # only these seeds

Other options: --timeout S (per command, default 20; longer is a HANG),
--mem-limit MiB (address-space limit per run, default 4096, 0 = none: an
allocation sized by the file then shows as "failed to allocate"), --no-gdb
(by default a crash whose backtrace names no source line -- an allocation
failure -- is re-run once under gdb to find its site), --progress S,
--keep-scratch. Commands run with --jobs 1 / --limit 2 / --no-save so that
one case takes well under a second; the YAML seeds are the suites with their
sample counts capped at 4 and one or two examples.

Each case is generated from its own random stream (seed, case index), so a
run is deterministic for a given --seed and independent of --jobs; --first
lets a long campaign be split into several runs. With --out every failing
case is kept as DIR/case-NNNNN/: the mutated file (plus any auxiliary file it
needs), `cmd.sh` (the failing command line, to run from the repository root)
and `result.txt` (exit status, classification, stderr head).

Exit status: 1 if any CRASH, HANG, BAD-REJECTION or BAD-EXIT occurred, else 0
(2 on a usage or setup error).

Only the Python 3 standard library, numpy and (for the structure-aware ONNX
mutations) the `onnx` package are used.
"""

from __future__ import annotations

import argparse
import ast
import collections
import concurrent.futures
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

try:
    import onnx  # noqa: F401
    from onnx import ModelProto, TensorProto, AttributeProto
    HAVE_ONNX = True
except Exception:  # pragma: no cover - the structure-aware ONNX mutations need it
    HAVE_ONNX = False

REPO = Path(__file__).resolve().parent.parent

# Which inputs each model takes (stem of Fixtures/models -> stem of Fixtures/data).
MODEL_DATA = {
    "digits_mlp": "digits_test",
    "digits_cnn": "digits_test_images",
    "digits_rnn": "digits_test_rows",
    "text_rnn": "text_test_ids",
    "tiny_abs": "tiny_inputs",
    "tiny_clip": "tiny_inputs",
    "tiny_leaky": "tiny_inputs",
    "tiny_mixed": "tiny_inputs",
    "tiny_prelu": "tiny_inputs",
}

# How often each family of seed file is picked (the commands that read each
# family are in commands_for).
FAMILY_WEIGHTS = {
    "onnx": 28, "npy": 16, "csv": 5, "json-input": 6,
    "yaml": 15, "certificate": 15, "counterexample": 15,
}

FAIL_OUTCOMES = ("CRASH", "HANG", "BAD-REJECTION", "BAD-EXIT")
OUTCOMES = ("ok", "rejected-correctly") + FAIL_OUTCOMES

# ----------------------------------------------------------------------------
# Interesting values
# ----------------------------------------------------------------------------

HUGE_INTS = [
    2**31 - 1, 2**31, 2**32, 2**32 + 1, 2**53 + 1, 2**62, 2**63 - 1,
    -1, -2, -(2**31), -(2**63), 0, 1,
]
HUGE_INT_TEXT = [str(v) for v in HUGE_INTS] + [
    str(2**63), str(2**64), str(2**64 + 1), "99999999999999999999999999999",
    "-9223372036854775809", "1" * 400, "-" + "9" * 400,
]
NUMBER_TEXT = HUGE_INT_TEXT + [
    "1e308", "-1e308", "1e309", "-1e309", "1.7976931348623157e308", "4.9e-324",
    "1e-320", "2.2250738585072014e-308", "3.4028236e38", "-3.4028236e38",
    "-0", "-0.0", "0.0", "0.5", "1e-45", "1e400", "nan", "NaN", "-nan", "inf",
    "-inf", "Infinity", "-Infinity", ".inf", "-.inf", ".nan", "0x10", "1_000",
    "1e", "--1", "+1", "1.", ".5", "1e+", "0e0", "1" + "0" * 330,
    "0." + "0" * 400 + "1", "123456789012345678901234567890.5",
]
JSON_NUMBERS = [
    0, -1, 1, 2, 3, 7, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**62, 2**63 - 1, 2**63,
    2**64, 10**30, 10**400, -(2**63), -(2**63) - 1, -(10**30), 0.5, -0.5, 1e308,
    -1e308, 5e-324, 1e-300, 3.4028236e38, 123456.789,
]
RAW_JSON_NUMBERS = ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1" * 5000,
                    "-0", "0.0000000000000000000000000000001e-400"]
RATIONALS = [
    "1/0", "0/0", "-1/0", "1/-3", "-0/1", "1/3", "abc", "", "1/", "/1", "1//2",
    "1/2/3", " 1/2", "1/2 ", "+1/2", "1.5/2", "1e3/1", "0x10/1", "nan/1", "inf",
    "9" * 5000 + "/1", "1/" + "9" * 5000, "-" + "7" * 300 + "/" + "3" * 300,
    "1/4503599627370496", "3527819714817775/4503599627370497", "1", "-1", "0",
]
SHAPES = [
    [2**62], [2**32, 2**32], [2**31, 2**31, 2**31], [2**63 - 1], [-1], [-1, 2],
    [0], [0, 2], [], [1] * 1000, [1, 0], [2**40, 1], [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, -(2**63)], [1, 65], [1, 1, 8, 8], [8, 1, 8],
]
RANDOM_STRINGS = [
    "", " ", "x", "Relu", "NaN", "\u0000", "\ud7ff", "é" * 1000, "a" * 100000,
    "../../../etc/passwd", "/dev/zero", "%s%n%x", "{}", "[]", "1/0", "\n", "\t\r",
    "Fixtures/models/digits_mlp.onnx", "Fixtures/models/does_not_exist.onnx",
    "Fixtures/data/digits_test.npy", "/dev/stdin", ".", "/",
]

KNOWN_OPS = [
    "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Neg", "Conv", "AveragePool",
    "GlobalAveragePool", "BatchNormalization", "Flatten", "Reshape", "Transpose",
    "Squeeze", "Unsqueeze", "Concat", "Identity", "Dropout", "Cast", "Constant",
    "Relu", "LeakyRelu", "PRelu", "Clip", "Abs", "MaxPool", "RNN", "Gather",
    "Softmax", "LogSoftmax", "Sigmoid",
]
OTHER_OPS = ["Tanh", "LSTM", "Loop", "If", "Foo", "", "relu", "Max", "Slice", "Pad",
             "Split", "Expand", "Shape", "Where", "Resize", "GRU", "TopK"]


# ----------------------------------------------------------------------------
# Generic byte-level mutations (every family)
# ----------------------------------------------------------------------------

def _pos(rng: random.Random, data: bytes, end: bool = False) -> int:
    return rng.randint(0, len(data)) if end or not data else rng.randrange(len(data))


def mut_bitflip(data: bytes, rng: random.Random, text: bool):
    b = bytearray(data)
    n = rng.choice([1, 1, 2, 4, 8])
    for _ in range(n):
        if b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    return bytes(b), f"{n} bit(s)"


def mut_byteset(data: bytes, rng: random.Random, text: bool):
    b = bytearray(data)
    n = rng.choice([1, 2, 4])
    vals = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE, 0x0A, 0x22, 0x5B, 0x7B, rng.randrange(256)]
    for _ in range(n):
        if b:
            b[rng.randrange(len(b))] = rng.choice(vals)
    return bytes(b), f"{n} byte(s)"


def mut_truncate(data: bytes, rng: random.Random, text: bool):
    cut = rng.choice([0, 1, rng.randint(0, len(data)), rng.randint(0, len(data)),
                      max(0, len(data) - rng.randint(1, 16))])
    return data[:cut], f"at {cut}/{len(data)}"


def mut_insert_number(data: bytes, rng: random.Random, text: bool):
    i = _pos(rng, data, end=True)
    if text:
        ins = rng.choice(NUMBER_TEXT + [str(rng.randint(-10**9, 10**9)), repr(rng.uniform(-1e6, 1e6))]).encode()
    else:
        kind = rng.randrange(3)
        if kind == 0:  # little-endian fixed-width integer
            v = rng.choice(HUGE_INTS + [rng.getrandbits(64)])
            ins = (v & (2**64 - 1)).to_bytes(8, "little")[: rng.choice([1, 2, 4, 8])]
        elif kind == 1:  # protobuf varint
            v = rng.choice(HUGE_INTS + [rng.getrandbits(64)]) & (2**64 - 1)
            out = bytearray()
            while True:
                byte = v & 0x7F
                v >>= 7
                if v:
                    out.append(byte | 0x80)
                else:
                    out.append(byte)
                    break
            ins = bytes(out)
        else:
            ins = bytes(rng.randrange(256) for _ in range(rng.choice([1, 4, 16, 64])))
    return data[:i] + ins + data[i:], f"{ins[:24]!r} at {i}"


def mut_overwrite_number(data: bytes, rng: random.Random, text: bool):
    """Text: replace one numeric token by an interesting number."""
    if not text:
        return mut_insert_number(data, rng, text)
    tokens = list(re.finditer(rb"-?\d+(\.\d+)?([eE][-+]?\d+)?", data))
    if not tokens:
        return mut_insert_number(data, rng, text)
    t = rng.choice(tokens)
    new = rng.choice(NUMBER_TEXT).encode()
    return data[: t.start()] + new + data[t.end():], f"{t.group()[:20]!r}@{t.start()} -> {new[:24]!r}"


def mut_dup_chunk(data: bytes, rng: random.Random, text: bool):
    if not data:
        return b"x", "empty"
    a = rng.randrange(len(data))
    n = rng.choice([1, 4, 16, 64, 256, len(data)])
    chunk = data[a: a + n]
    times = rng.choice([1, 1, 2, 10, 1000])
    at = rng.randint(0, len(data))
    return data[:at] + chunk * times + data[at:], f"{len(chunk)}B x{times} -> {at}"


def mut_remove_chunk(data: bytes, rng: random.Random, text: bool):
    if not data:
        return data, "empty"
    a = rng.randrange(len(data))
    n = rng.choice([1, 2, 4, 16, 64, 256])
    return data[:a] + data[a + n:], f"{n}B at {a}"


def mut_line_ops(data: bytes, rng: random.Random, text: bool):
    """Text: remove, duplicate, swap or re-indent a line."""
    if not text:
        return mut_remove_chunk(data, rng, text)
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    op = rng.choice(["remove", "dup", "swap", "indent", "dedent", "tab"])
    if op == "remove":
        del lines[i]
    elif op == "dup":
        lines.insert(i, lines[i])
    elif op == "swap" and len(lines) > 1:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent":
        lines[i] = b"   " + lines[i]
    elif op == "dedent":
        lines[i] = lines[i].lstrip()
    else:
        lines[i] = b"\t" + lines[i]
    return b"\n".join(lines), f"{op} line {i + 1}"


GENERIC = {
    "bitflip": mut_bitflip,
    "byteset": mut_byteset,
    "truncate": mut_truncate,
    "insert-number": mut_insert_number,
    "replace-number": mut_overwrite_number,
    "dup-chunk": mut_dup_chunk,
    "remove-chunk": mut_remove_chunk,
    "line-ops": mut_line_ops,
}
BINARY_GENERIC = ["bitflip", "byteset", "truncate", "insert-number", "dup-chunk", "remove-chunk"]
TEXT_GENERIC = BINARY_GENERIC + ["replace-number", "line-ops"]


# ----------------------------------------------------------------------------
# ONNX (structure-aware, with the onnx package's protobuf classes)
# ----------------------------------------------------------------------------

class NotApplicable(Exception):
    pass


def _onnx_tensor_names(g):
    names = [i.name for i in g.input] + [i.name for i in g.initializer]
    for n in g.node:
        names += list(n.output)
    return names


def onnx_optype(m, rng):
    g = m.graph
    if not g.node:
        raise NotApplicable
    n = rng.choice(g.node)
    old = n.op_type
    n.op_type = rng.choice(KNOWN_OPS + OTHER_OPS)
    if rng.random() < 0.2:
        n.domain = rng.choice(["ai.onnx.ml", "com.microsoft", "x"])
    return f"{n.name or old}: {old} -> {n.op_type!r} domain={n.domain!r}"


def onnx_drop_input(m, rng):
    cands = [n for n in m.graph.node if len(n.input)]
    if not cands:
        raise NotApplicable
    n = rng.choice(cands)
    if rng.random() < 0.3:
        del n.input[:]
        return f"{n.name} ({n.op_type}): all inputs removed"
    i = rng.randrange(len(n.input))
    if rng.random() < 0.3:
        n.input[i] = ""
        return f"{n.name} ({n.op_type}): input {i} emptied"
    del n.input[i]
    return f"{n.name} ({n.op_type}): input {i} removed"


def onnx_drop_output(m, rng):
    g = m.graph
    choice = rng.randrange(4)
    if choice == 0 and g.node:
        n = rng.choice(g.node)
        del n.output[:]
        return f"{n.name} ({n.op_type}): outputs removed"
    if choice == 1 and g.node:
        n = rng.choice(g.node)
        n.output.append(n.output[0] + "_extra" if n.output else "extra")
        return f"{n.name} ({n.op_type}): extra output"
    if choice == 2 and len(g.output):
        del g.output[:]
        return "graph outputs removed"
    if g.node:
        n = rng.choice(g.node)
        if n.output:
            n.output[0] = rng.choice(["", "nonexistent", g.input[0].name if len(g.input) else "x"])
            return f"{n.name} ({n.op_type}): output renamed to {n.output[0]!r}"
    raise NotApplicable


def onnx_rewire_input(m, rng):
    """Point a node input at a missing tensor, at itself (cycle) or at a later node."""
    g = m.graph
    cands = [(k, n) for k, n in enumerate(g.node) if len(n.input)]
    if not cands:
        raise NotApplicable
    k, n = rng.choice(cands)
    i = rng.randrange(len(n.input))
    opt = rng.randrange(4)
    if opt == 0:
        new = "does_not_exist"
    elif opt == 1 and n.output:
        new = n.output[0]
    elif opt == 2 and k + 1 < len(g.node) and g.node[-1].output:
        new = g.node[-1].output[0]
    else:
        new = rng.choice(_onnx_tensor_names(g))
    old = n.input[i]
    n.input[i] = new
    if rng.random() < 0.3:
        n.input.append(rng.choice(_onnx_tensor_names(g)))
    return f"{n.name} ({n.op_type}): input {i} {old!r} -> {new!r}"


def onnx_dims(m, rng):
    g = m.graph
    vis = [v for v in list(g.input) + list(g.output) + list(g.value_info)
           if v.type.HasField("tensor_type") and v.type.tensor_type.HasField("shape")]
    if not vis:
        raise NotApplicable
    v = rng.choice(vis)
    dims = v.type.tensor_type.shape.dim
    opt = rng.randrange(5)
    if opt == 0 or not len(dims):
        for _ in range(rng.choice([1, 1, 5, 100])):
            d = dims.add()
            d.dim_value = rng.choice([2**62, 2**31, 1, 0, -1])
        return f"{v.name}: dims appended -> {len(dims)} dims"
    if opt == 1:
        del dims[rng.randrange(len(dims))]
        return f"{v.name}: one dim removed"
    d = rng.choice(dims)
    if opt == 2:
        d.dim_param = rng.choice(["N", "", "batch", "x" * 1000])
        return f"{v.name}: dim -> param {d.dim_param[:8]!r}"
    val = rng.choice([2**62, 2**63 - 1, 2**32, 2**31 - 1, -1, -(2**63), 0, 65, 3])
    d.dim_value = val
    if rng.random() < 0.5:
        for d2 in dims:
            d2.dim_value = val if rng.random() < 0.5 else d2.dim_value
    return f"{v.name}: dim -> {val}"


def onnx_opset(m, rng):
    val = rng.choice([-1, 0, 99, 2**62, 5, 22, 2**63 - 1, -(2**63)])
    opt = rng.randrange(4)
    if opt == 0 or not len(m.opset_import):
        for o in m.opset_import:
            o.version = val
        if not len(m.opset_import):
            o = m.opset_import.add()
            o.version = val
        return f"opset -> {val}"
    if opt == 1:
        del m.opset_import[:]
        return "opset_import removed"
    if opt == 2:
        o = m.opset_import.add()
        o.domain = rng.choice(["", "ai.onnx", "com.microsoft"])
        o.version = val
        return f"extra opset {o.domain!r}:{val}"
    m.ir_version = rng.choice([-1, 0, 99, 2**62])
    return f"ir_version -> {m.ir_version}"


def onnx_init_dims(m, rng):
    g = m.graph
    if not g.initializer:
        raise NotApplicable
    t = rng.choice(g.initializer)
    old = list(t.dims)
    new = rng.choice([
        [2**32, 2**32], [2**31, 2**31, 2**31], [2**62, 4], [2**63 - 1, 2], [-1] + old[1:],
        [0] + old[1:], [], [1] * 70, [2**21] * 3, list(reversed(old)), old + [1], old[:-1],
        [(old[0] if old else 1) + 1] + old[1:], [-(2**62), -(2**62)],
    ])
    del t.dims[:]
    t.dims.extend(new)
    return f"{t.name}: dims {old} -> {new}"


def onnx_init_data(m, rng):
    g = m.graph
    if not g.initializer:
        raise NotApplicable
    t = rng.choice(g.initializer)
    opt = rng.randrange(6)
    if opt == 0:
        old = t.data_type
        t.data_type = rng.choice([0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 99, -1])
        return f"{t.name}: data_type {old} -> {t.data_type}"
    if opt == 1:
        if t.raw_data:
            n = rng.choice([0, 1, len(t.raw_data) // 2, len(t.raw_data) - 1])
            t.raw_data = t.raw_data[:n]
            return f"{t.name}: raw_data truncated to {n}"
        if len(t.float_data):
            del t.float_data[len(t.float_data) // 2:]
            return f"{t.name}: float_data halved"
        if len(t.int64_data):
            del t.int64_data[len(t.int64_data) // 2:]
            return f"{t.name}: int64_data halved"
        raise NotApplicable
    if opt == 2:  # non-finite / extreme values
        vals = np.array([np.nan, np.inf, -np.inf, 3.4e38, -3.4e38, 1e-45, 0.0], dtype=np.float32)
        if t.data_type == TensorProto.FLOAT and t.raw_data:
            arr = np.frombuffer(t.raw_data, dtype="<f4").copy()
            if not arr.size:
                raise NotApplicable
            k = rng.randrange(arr.size)
            arr[k] = vals[rng.randrange(vals.size)]
            t.raw_data = arr.tobytes()
            return f"{t.name}[{k}] -> {arr[k]}"
        if len(t.float_data):
            k = rng.randrange(len(t.float_data))
            t.float_data[k] = float(vals[rng.randrange(vals.size)])
            return f"{t.name}.float_data[{k}] -> {t.float_data[k]}"
        if len(t.int64_data):
            k = rng.randrange(len(t.int64_data))
            t.int64_data[k] = rng.choice([2**63 - 1, -(2**63), 2**31, -1])
            return f"{t.name}.int64_data[{k}] -> {t.int64_data[k]}"
        if t.raw_data and t.data_type == TensorProto.INT64:
            arr = np.frombuffer(t.raw_data, dtype="<i8").copy()
            if not arr.size:
                raise NotApplicable
            k = rng.randrange(arr.size)
            arr[k] = rng.choice([2**63 - 1, -(2**63), 2**31, -1, 0])
            t.raw_data = arr.tobytes()
            return f"{t.name}[{k}] -> {arr[k]} (int64)"
        raise NotApplicable
    if opt == 3:  # move between raw_data and typed fields / duplicate storage
        if t.raw_data and t.data_type == TensorProto.FLOAT:
            arr = np.frombuffer(t.raw_data, dtype="<f4")
            t.float_data.extend(arr.tolist()[: rng.choice([arr.size, max(0, arr.size - 1)])])
            if rng.random() < 0.5:
                t.raw_data = b""
            return f"{t.name}: float_data filled (raw {'kept' if t.raw_data else 'dropped'})"
        t.raw_data = bytes(rng.randrange(256) for _ in range(rng.choice([0, 3, 4, 8, 1000])))
        return f"{t.name}: raw_data random {len(t.raw_data)}B"
    if opt == 4:  # external data / segment
        e = t.external_data.add()
        e.key, e.value = "location", rng.choice(["/dev/zero", "../../etc/passwd", "missing.bin", ""])
        t.data_location = TensorProto.EXTERNAL
        return f"{t.name}: external data {e.value!r}"
    # duplicate an initializer name / rename
    other = rng.choice(g.initializer)
    t.name = other.name if other is not t else (g.input[0].name if len(g.input) else "x")
    return f"initializer renamed to {t.name!r}"


def onnx_attr(m, rng):
    cands = [n for n in m.graph.node if len(n.attribute)]
    if not cands or rng.random() < 0.2:
        # add an attribute where none was
        if not m.graph.node:
            raise NotApplicable
        n = rng.choice(m.graph.node)
        a = n.attribute.add()
        a.name = rng.choice(["axis", "alpha", "kernel_shape", "strides", "pads", "perm", "to",
                             "group", "hidden_size", "transA", "direction", "activations", "min"])
        a.type = AttributeProto.INT
        a.i = rng.choice([2**62, -1, 0, 99])
        return f"{n.name} ({n.op_type}): added {a.name}={a.i}"
    n = rng.choice(cands)
    a = rng.choice(n.attribute)
    opt = rng.randrange(6)
    if opt == 0:
        n.attribute.remove(a)
        return f"{n.name} ({n.op_type}): removed attribute {a.name}"
    if opt == 1:  # retype
        old = a.type
        a.type = rng.choice([AttributeProto.INT, AttributeProto.FLOAT, AttributeProto.INTS,
                             AttributeProto.STRING, AttributeProto.TENSOR, AttributeProto.FLOATS,
                             AttributeProto.GRAPH, AttributeProto.UNDEFINED])
        return f"{n.name} ({n.op_type}): {a.name} type {old} -> {a.type}"
    if opt == 2:
        n.attribute.append(a)
        return f"{n.name} ({n.op_type}): duplicated {a.name}"
    if a.type == AttributeProto.INT:
        a.i = rng.choice([2**62, 2**63 - 1, -(2**63), -1, 0, 2**31, 99, 2])
        return f"{n.name} ({n.op_type}): {a.name}={a.i}"
    if a.type == AttributeProto.FLOAT:
        a.f = rng.choice([float("nan"), float("inf"), -float("inf"), 3.4e38, -1.0, 0.0, 1e-45])
        return f"{n.name} ({n.op_type}): {a.name}={a.f}"
    if a.type == AttributeProto.INTS:
        opt2 = rng.randrange(4)
        if opt2 == 0:
            del a.ints[:]
        elif opt2 == 1:
            a.ints.extend([rng.choice([2**62, -1, 0, 1])] * rng.choice([1, 3, 100]))
        elif opt2 == 2 and len(a.ints):
            a.ints[rng.randrange(len(a.ints))] = rng.choice([2**62, 2**63 - 1, -(2**63), -1, 0, 2**31])
        else:
            del a.ints[len(a.ints) // 2:]
        return f"{n.name} ({n.op_type}): {a.name}={list(a.ints)[:8]}"
    if a.type == AttributeProto.FLOATS:
        a.floats.append(rng.choice([float("nan"), float("inf"), 1e38]))
        return f"{n.name} ({n.op_type}): {a.name} floats extended"
    if a.type == AttributeProto.STRING:
        a.s = rng.choice([b"", b"Tanh", b"bidirectional", b"reverse", b"SAME_UPPER", b"\xff" * 8, b"x" * 10000])
        return f"{n.name} ({n.op_type}): {a.name}={a.s[:16]!r}"
    if a.type == AttributeProto.STRINGS:
        a.strings.append(rng.choice([b"Tanh", b"", b"Sigmoid", b"\xff"]))
        return f"{n.name} ({n.op_type}): {a.name} strings extended"
    if a.type == AttributeProto.TENSOR:
        del a.t.dims[:]
        a.t.dims.extend(rng.choice(SHAPES[:8]))
        return f"{n.name} ({n.op_type}): {a.name}.t dims {list(a.t.dims)}"
    raise NotApplicable


def onnx_graph_io(m, rng):
    g = m.graph
    opt = rng.randrange(6)
    if opt == 0 and len(g.input):
        del g.input[:]
        return "graph inputs removed"
    if opt == 1 and len(g.input):
        g.input.append(g.input[0])
        return "graph input duplicated"
    if opt == 2 and len(g.input):
        g.input[0].type.tensor_type.elem_type = rng.choice([0, 2, 3, 6, 7, 8, 9, 10, 11, 16, 99])
        return f"graph input elem_type -> {g.input[0].type.tensor_type.elem_type}"
    if opt == 3 and len(g.output):
        g.output.append(g.output[0])
        g.output[-1].name = rng.choice(["missing", g.input[0].name if len(g.input) else "x", ""])
        return f"extra graph output {g.output[-1].name!r}"
    if opt == 4 and len(g.input):
        g.input[0].type.tensor_type.ClearField("shape")
        return "graph input shape cleared"
    if len(g.input):
        g.input[0].type.Clear()
        return "graph input type cleared"
    raise NotApplicable


def onnx_nodes(m, rng):
    g = m.graph
    if not g.node:
        raise NotApplicable
    opt = rng.randrange(5)
    nodes = list(g.node)
    if opt == 0:
        rng.shuffle(nodes)
        desc = "nodes shuffled"
    elif opt == 1:
        k = rng.randrange(len(nodes))
        nodes.insert(k, nodes[k])
        desc = f"node {k} duplicated"
    elif opt == 2:
        k = rng.randrange(len(nodes))
        del nodes[k]
        desc = f"node {k} removed"
    elif opt == 3:
        nodes = []
        desc = "all nodes removed"
    else:
        nodes = nodes * rng.choice([2, 50])
        desc = "graph repeated"
    del g.node[:]
    g.node.extend(nodes)
    return desc


ONNX_MUTATIONS = {
    "onnx-optype": onnx_optype,
    "onnx-drop-input": onnx_drop_input,
    "onnx-drop-output": onnx_drop_output,
    "onnx-rewire": onnx_rewire_input,
    "onnx-dims": onnx_dims,
    "onnx-opset": onnx_opset,
    "onnx-init-dims": onnx_init_dims,
    "onnx-init-data": onnx_init_data,
    "onnx-attr": onnx_attr,
    "onnx-graph-io": onnx_graph_io,
    "onnx-nodes": onnx_nodes,
}


def mutate_onnx(data: bytes, rng: random.Random, kind: str):
    for _ in range(20):
        m = ModelProto()
        m.ParseFromString(data)
        try:
            detail = ONNX_MUTATIONS[kind](m, rng)
        except NotApplicable:
            kind = rng.choice(sorted(ONNX_MUTATIONS))
            continue
        return kind, detail, m.SerializeToString()
    raise NotApplicable


# ----------------------------------------------------------------------------
# NPY (header and payload)
# ----------------------------------------------------------------------------

def split_npy(data: bytes):
    assert data[:6] == b"\x93NUMPY"
    major = data[6]
    if major == 1:
        hlen = int.from_bytes(data[8:10], "little")
        start = 10
    else:
        hlen = int.from_bytes(data[8:12], "little")
        start = 12
    header = data[start: start + hlen].decode("latin1")
    return ast.literal_eval(header), data[start + hlen:]


def build_npy(header: str, payload: bytes, version=(1, 0), hlen_delta=0) -> bytes:
    h = header.encode("latin1")
    pre = 6 + 2 + (2 if version[0] == 1 else 4)
    total = pre + len(h) + 1
    pad = (-total) % 64
    h = h + b" " * pad + b"\n"
    n = len(h) + hlen_delta
    size = 2 if version[0] == 1 else 4
    length = (n & (2 ** (8 * size) - 1)).to_bytes(size, "little")
    return b"\x93NUMPY" + bytes(version) + length + h + payload


def header_text(descr, fortran, shape) -> str:
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


def npy_shape(hdr, payload, rng):
    shape = rng.choice([
        "(4611686018427387904, 2)", "(2147483648, 2147483648, 2147483648)", "(-1, 2)", "(0, 2)",
        "()", "(%s)" % ", ".join(["1"] * 64), "(18446744073709551616,)", "(9223372036854775807,)",
        "(%d,)" % (len(payload) // 4 + 1), "(%d, %d)" % (hdr["shape"][0] * 2 if hdr["shape"] else 2, 2),
        "(1.5, 2)", "('a', 2)", "(None,)", "[20, 2]", "(2,", "((2, 2),)", "(True, 2)", "(0x10, 2)",
        "(1_0, 2)", "(-0, 2)", "(%s,)" % ("9" * 400), "(3, 0, 2**62)",
        "(%s)" % ", ".join(str(s) for s in reversed(hdr["shape"])) + ("," if len(hdr["shape"]) == 1 else ""),
        "(%d, %d)" % (2**32 + 1, 2**32 + 1),
    ])
    descr = repr(hdr["descr"])
    return build_npy(header_text(descr, hdr["fortran_order"], shape), payload), f"shape {shape[:40]}"


def npy_dtype(hdr, payload, rng):
    d = rng.choice(["'<f2'", "'<f8'", "'>f4'", "'>f8'", "'<i1'", "'<i4'", "'<u8'", "'|b1'", "'<c8'",
                    "'<U4'", "'|O'", "'|V8'", "'|S3'", "'<M8[s]'", "'x'", "''", "'<f16'", "'<i8'",
                    "[('a', '<f4')]", "'float32'", "'<f4 '", "5", "None", "'<f0'", "'<f99999999999'"])
    shape = repr(tuple(hdr["shape"]))
    return build_npy(header_text(d, hdr["fortran_order"], shape), payload), f"descr {d}"


def npy_fortran(hdr, payload, rng):
    f = rng.choice(["True", "1", "'yes'", "None", "0", "[]", "Flase"])
    shape = repr(tuple(hdr["shape"]))
    return build_npy(header_text(repr(hdr["descr"]), f, shape), payload), f"fortran_order {f}"


def npy_header_syntax(hdr, payload, rng):
    descr, shape = repr(hdr["descr"]), repr(tuple(hdr["shape"]))
    opt = rng.randrange(11)
    version = (1, 0)
    delta = 0
    if opt == 0:
        h = "{'descr': %s, 'shape': %s, }" % (descr, shape)
    elif opt == 1:
        h = header_text(descr, "False", shape) + " 'extra': 1}"
    elif opt == 2:
        h = "{'descr': %s, 'descr': '<i8', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    elif opt == 3:
        h = rng.choice(["[]", "None", "'x'", "{", "}", "", "{'descr': ", "{" * 5000, "(" * 5000])
    elif opt == 4:
        h = header_text(descr, "False", shape)
        version = rng.choice([(2, 0), (3, 0), (9, 9), (0, 0), (1, 1)])
    elif opt == 5:
        h = header_text(descr, "False", shape)
        delta = rng.choice([-1, 1, -10, 1000, 65535 - 200, -(2**16)])
    elif opt == 6:
        h = header_text(descr, "False", shape).replace("'", '"')
    elif opt == 7:
        h = header_text(descr, "False", shape).replace(", }", "}").replace(" ", "")
    elif opt == 8:
        h = header_text(descr, "False", shape) + "\x00\xff"
    elif opt == 9:
        h = "{'descr': %s, 'fortran_order': False, 'shape': %s, 'shape': (2**62,)}" % (descr, shape)
    else:
        h = "{b'descr': %s, 'fortran_order': False, 'shape': %s}" % (descr, shape)
    return build_npy(h, payload, version, delta), f"header variant {opt} v{version} delta {delta}"


def npy_values(hdr, payload, rng):
    dt = np.dtype(hdr["descr"])
    arr = np.frombuffer(payload, dtype=dt).copy()
    if not arr.size:
        raise NotApplicable
    k = rng.choice([1, 1, 3, arr.size])
    idx = [rng.randrange(arr.size) for _ in range(k)]
    if dt.kind == "f":
        v = rng.choice([np.nan, np.inf, -np.inf, 3.4e38, -3.4e38, 1e-45, -0.0, 1e30, 2.0**-149])
    else:
        v = rng.choice([2**63 - 1, -(2**63), -1, 2**31, 10**6, 0])
    arr[idx] = v
    return build_npy(header_text(repr(hdr["descr"]), hdr["fortran_order"], repr(tuple(hdr["shape"]))),
                     arr.tobytes()), f"{k} value(s) -> {v}"


def npy_payload(hdr, payload, rng):
    opt = rng.randrange(3)
    if opt == 0:
        p = payload[: rng.choice([0, 1, len(payload) // 2, len(payload) - 1])]
    elif opt == 1:
        p = payload + bytes(rng.choice([1, 7, 4096]))
    else:
        p = payload * 2
    h = header_text(repr(hdr["descr"]), hdr["fortran_order"], repr(tuple(hdr["shape"])))
    return build_npy(h, p), f"payload {len(payload)} -> {len(p)} bytes"


NPY_MUTATIONS = {
    "npy-shape": npy_shape,
    "npy-dtype": npy_dtype,
    "npy-fortran": npy_fortran,
    "npy-header": npy_header_syntax,
    "npy-values": npy_values,
    "npy-payload": npy_payload,
}


def mutate_npy(data: bytes, rng: random.Random, kind: str):
    hdr, payload = split_npy(data)
    for _ in range(10):
        try:
            out, detail = NPY_MUTATIONS[kind](hdr, payload, rng)
            return kind, detail, out
        except NotApplicable:
            kind = rng.choice(sorted(NPY_MUTATIONS))
    raise NotApplicable


# ----------------------------------------------------------------------------
# CSV / JSON inputs
# ----------------------------------------------------------------------------

def mutate_csv(data: bytes, rng: random.Random, kind: str):
    rows = [r.split(",") for r in data.decode().rstrip("\n").split("\n")]
    r = rng.randrange(len(rows))
    if kind == "csv-cell":
        c = rng.randrange(len(rows[r]))
        rows[r][c] = rng.choice(NUMBER_TEXT + ['"1"', '""', '"', "a", " ", "1 2", "\x00", "1;2"])
        detail = f"cell {r},{c} -> {rows[r][c][:20]!r}"
    elif kind == "csv-ragged":
        if rng.random() < 0.5 and len(rows[r]) > 1:
            rows[r].pop()
        else:
            rows[r].append(rng.choice(["0", "", "1e308"]))
        detail = f"row {r} has {len(rows[r])} cells"
    else:  # csv-wide: many columns / many rows
        if rng.random() < 0.5:
            rows = [row * rng.choice([2, 100, 5000]) for row in rows]
            detail = f"{len(rows[0])} columns"
        else:
            rows = rows * rng.choice([2, 1000])
            detail = f"{len(rows)} rows"
    return kind, detail, ("\n".join(",".join(x) for x in rows) + "\n").encode()


def mutate_json_input(data: bytes, rng: random.Random, kind: str):
    doc = json.loads(data)
    if kind == "json-deep":
        depth = rng.choice([100, 1000, 100000])
        return kind, f"nesting {depth}", (b"[" * depth + b"1" + b"]" * depth)
    leaves = list(json_leaves(doc))
    path, _ = rng.choice(leaves)
    if kind == "json-number":
        raw = rng.random() < 0.3
        val = rng.choice(RAW_JSON_NUMBERS) if raw else rng.choice(JSON_NUMBERS)
        doc, text = set_path(doc, path, val, raw)
        return kind, f"{fmt_path(path)} -> {str(val)[:24]}", text
    if kind == "json-type":
        val = rng.choice(["1", None, True, {}, [], [1, 2], {"a": 1}, [[1]]])
        doc, text = set_path(doc, path, val)
        return kind, f"{fmt_path(path)} -> {json.dumps(val)[:24]}", text
    # json-ragged: shorten or lengthen an inner array
    arrays = list(json_arrays(doc))
    apath, arr = rng.choice(arrays)
    if arr and rng.random() < 0.5:
        arr.pop()
    else:
        arr.append(arr[0] if arr else 0)
    return kind, f"{fmt_path(apath)} length {len(arr)}", json.dumps(doc).encode()


# ----------------------------------------------------------------------------
# JSON documents (certificates, counterexamples): walk the tree
# ----------------------------------------------------------------------------

def json_leaves(doc, path=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from json_leaves(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from json_leaves(v, path + (i,))
    else:
        yield path, doc


def json_arrays(doc, path=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from json_arrays(v, path + (k,))
    elif isinstance(doc, list):
        yield path, doc
        for i, v in enumerate(doc):
            yield from json_arrays(v, path + (i,))


def json_containers(doc, path=()):
    if isinstance(doc, dict):
        yield path, doc
        for k, v in doc.items():
            yield from json_containers(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from json_containers(v, path + (i,))


def fmt_path(path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path) or "."


RAW_MARK = "\u0001RAW{}\u0001"


def set_path(doc, path, val, raw=False):
    """Sets doc[path] = val; with raw, val is JSON text spliced in verbatim."""
    if raw:
        val_obj = RAW_MARK.format(0)
    else:
        val_obj = val
    if not path:
        doc = val_obj
    else:
        cur = doc
        for p in path[:-1]:
            cur = cur[p]
        cur[path[-1]] = val_obj
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if raw:
        text = text.replace(json.dumps(RAW_MARK.format(0)), val)
    return doc, text.encode()


def mutate_json_doc(data: bytes, rng: random.Random, kind: str):
    doc = json.loads(data)
    leaves = list(json_leaves(doc))
    # Sample a key name first so that every field is reached equally often,
    # whatever the size of its array (A has thousands of entries, `ties` one).
    def pick(pred):
        cands = [(p, v) for p, v in leaves if pred(v)]
        if not cands:
            raise NotApplicable
        groups = collections.defaultdict(list)
        for p, v in cands:
            groups[tuple(x for x in p if isinstance(x, str))].append((p, v))
        key = rng.choice(sorted(groups, key=str))
        return rng.choice(groups[key])

    is_num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if kind == "json-number":
        path, old = pick(is_num)
        raw = rng.random() < 0.2
        if raw:
            val = rng.choice(RAW_JSON_NUMBERS)
        elif isinstance(old, int):
            val = rng.choice(JSON_NUMBERS + [old + 1, old - 1, -old, old * 1000])
        else:
            val = rng.choice(JSON_NUMBERS + [old * 1e300, -old, old + 1e-12])
        _, text = set_path(doc, path, val, raw)
        return kind, f"{fmt_path(path)}: {old} -> {str(val)[:30]}", text
    if kind == "json-str2num":
        path, old = pick(lambda v: isinstance(v, str))
        val = rng.choice(JSON_NUMBERS[:14])
        _, text = set_path(doc, path, val)
        return kind, f"{fmt_path(path)}: {old[:20]!r} -> {val}", text
    if kind == "json-num2str":
        path, old = pick(lambda v: is_num(v) or isinstance(v, bool))
        val = rng.choice([str(old), "", "x", "1/0", str(old) + "/1", "9" * 400])
        _, text = set_path(doc, path, val)
        return kind, f"{fmt_path(path)}: {old} -> {val[:20]!r}", text
    if kind == "json-string":
        path, old = pick(lambda v: isinstance(v, str))
        if re.fullmatch(r"-?\d+/\d+", old) or rng.random() < 0.4:
            val = rng.choice(RATIONALS)
        elif re.fullmatch(r"[0-9]+", old) and old:  # activation pattern choices
            val = rng.choice([old + "0", old[:-1], old.replace(old[0], "9", 1), "x" * len(old), "", old * 2])
        else:
            val = rng.choice(RANDOM_STRINGS + [old + "x", old.upper(), old[:-1]])
        _, text = set_path(doc, path, val)
        return kind, f"{fmt_path(path)}: {old[:20]!r} -> {val[:24]!r}", text
    if kind == "json-shape":
        arrays = [(p, a) for p, a in json_arrays(doc) if p and isinstance(p[-1], str) and "hape" in p[-1]]
        if not arrays:
            raise NotApplicable
        path, old = rng.choice(arrays)
        val = rng.choice(SHAPES)
        _, text = set_path(doc, path, val)
        return kind, f"{fmt_path(path)}: {old} -> {str(val)[:40]}", text
    if kind == "json-array":
        arrays = [(p, a) for p, a in json_arrays(doc)]
        if not arrays:
            raise NotApplicable
        path, arr = rng.choice(arrays)
        opt = rng.randrange(4)
        if opt == 0:
            new = []
        elif opt == 1:
            new = arr[:-1]
        elif opt == 2:
            new = arr + arr[-1:] if arr else [0]
        else:
            new = arr * rng.choice([2, 100])
        _, text = set_path(doc, path, new)
        return kind, f"{fmt_path(path)}: length {len(arr)} -> {len(new)}", text
    if kind == "json-delete-key":
        conts = [(p, c) for p, c in json_containers(doc) if c]
        path, c = rng.choice(conts)
        k = rng.choice(sorted(c))
        del c[k]
        return kind, f"{fmt_path(path + (k,))} deleted", json.dumps(doc, indent=2).encode()
    if kind == "json-type":
        conts = [(p, c) for p, c in json_containers(doc) if c]
        path, c = rng.choice(conts)
        k = rng.choice(sorted(c))
        val = rng.choice([None, True, {}, [], "x", 0, [[1]], {"a": 1}])
        c[k] = val
        return kind, f"{fmt_path(path + (k,))} -> {json.dumps(val)}", json.dumps(doc, indent=2).encode()
    if kind == "json-deep":
        conts = [(p, c) for p, c in json_containers(doc) if c]
        path, c = rng.choice(conts)
        k = rng.choice(sorted(c))
        depth = rng.choice([1000, 100000])
        _, text = set_path(doc, path + (k,), "[" * depth + "]" * depth, raw=True)
        return kind, f"{fmt_path(path + (k,))} nested {depth}", text
    if kind == "json-dup-key":
        text = json.dumps(doc, indent=2)
        keys = list(re.finditer(r'\n(\s*)"([^"]+)" : ?', text)) or list(re.finditer(r'\n(\s*)"([^"]+)": ', text))
        if not keys:
            raise NotApplicable
        m = rng.choice(keys)
        dup = f'\n{m.group(1)}"{m.group(2)}": {json.dumps(rng.choice([0, "x", None, 2**64, []]))},'
        return kind, f"duplicate key {m.group(2)!r}", (text[: m.start()] + dup + text[m.start():]).encode()
    raise NotApplicable


JSON_DOC_MUTATIONS = ["json-number", "json-str2num", "json-num2str", "json-string", "json-shape",
                      "json-array", "json-delete-key", "json-type", "json-deep", "json-dup-key"]


def mutate_json_doc_any(data, rng, kind):
    for _ in range(10):
        try:
            return mutate_json_doc(data, rng, kind)
        except NotApplicable:
            kind = rng.choice(JSON_DOC_MUTATIONS)
    raise NotApplicable


# ----------------------------------------------------------------------------
# YAML suites (regex-level: no YAML library in the standard library)
# ----------------------------------------------------------------------------

YAML_NUM_KEYS = ["samples", "examples", "k", "patch", "seed", "shrink_evaluations", "output",
                 "num_samples", "max_abs_error", "max_rel_error", "radius_scale", "min", "max"]
YAML_HUGE = ["9223372036854775807", "9223372036854775808", "18446744073709551616", "4294967296",
             "2147483648", "1000000000000", "1e308", "-1", "0", "-9223372036854775808", "1e20",
             "100000000", "1" * 400, ".inf", ".nan", "-.inf", "0x7fffffffffffffff", "1.5", "-0"]


def _yaml_value_sites(text: str, keys):
    pat = re.compile(r"(?P<pre>\b(?P<key>%s)\s*:[ \t]*)(?P<val>\[[^\]\n]*\]|\{[^}\n]*\}|[^,}\]\n#]*)"
                     % "|".join(re.escape(k) for k in keys))
    return list(pat.finditer(text))


def _yaml_replace(text: str, m, val: str) -> str:
    return text[: m.start("val")] + val + text[m.end("val"):]


def _yaml_add_key(text: str, key: str, val: str) -> str:
    return f"{key}: {val}\n" + text


def mutate_yaml(data: bytes, rng: random.Random, kind: str):
    text = data.decode()
    if kind == "yaml-huge":
        sites = _yaml_value_sites(text, YAML_NUM_KEYS)
        val = rng.choice(YAML_HUGE)
        if not sites or rng.random() < 0.2:
            key = rng.choice(["examples", "seed"])
            return kind, f"added {key}: {val[:20]}", _yaml_add_key(text, key, val).encode()
        m = rng.choice(sites)
        return kind, f"{m.group('key')}: {m.group('val')[:16]!r} -> {val[:20]}", _yaml_replace(text, m, val).encode()
    if kind == "yaml-radius":
        sites = _yaml_value_sites(text, ["radius", "radius_scale"])
        val = rng.choice(["1e308", "1.0e308", "-1e308", ".inf", ".nan", "-1", "0", "1e-320",
                          "certified", "certifie", "[1]", "1e309", "-0.0", "4.9e-324"])
        if not sites:
            raise NotApplicable
        m = rng.choice(sites)
        return kind, f"{m.group('key')} -> {val}", _yaml_replace(text, m, val).encode()
    if kind == "yaml-image":
        val = rng.choice(["[2147483648, 2147483648]", "[4294967296, 4294967296]", "[0, 0]",
                          "[-1, 8]", "[8]", "[8, 8, 8]", "[1e308, 1]", "[9223372036854775807, 2]",
                          "[3037000500, 3037000500]", "[8, -8]", "[]", "8", "[64, 1]", "[1, 64]",
                          "[2, 2]", "{h: 8}", "[8, 8.5]"])
        sites = _yaml_value_sites(text, ["image"])
        if sites:
            return kind, f"image -> {val}", _yaml_replace(text, sites[0], val).encode()
        return kind, f"added image: {val}", _yaml_add_key(text, "image", val).encode()
    if kind == "yaml-examples":
        val = rng.choice(["[9223372036854775807]", "[-1]", "[100]", "[0, 0, 0]", "100000000000",
                          "[1e308]", "[0.5]", "[]", "0", "-3", "[[0]]", "{a: 1}", "[18446744073709551616]"])
        sites = _yaml_value_sites(text, ["examples"])
        if sites:
            return kind, f"examples -> {val}", _yaml_replace(text, sites[0], val).encode()
        return kind, f"added examples: {val}", _yaml_add_key(text, "examples", val).encode()
    if kind == "yaml-domain":
        val = rng.choice(["{min: 1, max: 0}", "{min: .nan, max: 1}", "{min: -1e308, max: 1e308}",
                          "{min: -.inf, max: .inf}", "{min: 0}", "{}", "[0, 1]", "{min: 0, max: 0}",
                          "{min: 0.5, max: 0.5000001}", "{min: 0, max: 1, min: 2}"])
        sites = _yaml_value_sites(text, ["domain"])
        if sites:
            return kind, f"domain -> {val}", _yaml_replace(text, sites[0], val).encode()
        return kind, f"added domain: {val}", _yaml_add_key(text, "domain", val).encode()
    if kind == "yaml-type":
        keys = YAML_NUM_KEYS + ["model", "inputs", "generator", "norm", "explainer", "radius",
                                "expectation", "image", "domain", "synonyms", "vocabulary", "budget"]
        sites = _yaml_value_sites(text, keys)
        if not sites:
            raise NotApplicable
        m = rng.choice(sites)
        val = rng.choice(["[1, 2]", "{a: 1}", '"x"', "~", "true", "[]", "{}", "[[[[1]]]]",
                          "!!binary AAAA", "&a 1", "*undefined", "'", '"\\x00"', "2001-01-01",
                          "/dev/zero", "Fixtures/models/missing.onnx", "."])
        return kind, f"{m.group('key')}: -> {val}", _yaml_replace(text, m, val).encode()
    if kind == "yaml-structure":
        opt = rng.randrange(9)
        if opt == 0:  # billion laughs
            bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            prev = "a"
            for i in range(1, 10):
                name = chr(ord("a") + i)
                bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
                prev = name
            return kind, "alias bomb", (bomb + text).encode()
        if opt == 1:
            depth = rng.choice([1000, 50000])
            return kind, f"nesting {depth}", (text + "extra: " + "[" * depth + "]" * depth + "\n").encode()
        if opt == 2:
            name = rng.choice(["nonexistent-property", "exactness ", "Exactness", "", "lime-fidelity"])
            return kind, f"property {name!r}", (text.rstrip("\n") + f"\n  - {name}: {{samples: 1}}\n").encode()
        if opt == 3:
            return kind, "unknown key", _yaml_add_key(text, rng.choice(["modle", "extra", "properties"]), "1").encode()
        if opt == 4:
            return kind, "properties emptied", re.sub(r"(?s)properties:.*", "properties: []\n", text).encode()
        if opt == 5:
            return kind, "document separator", (text + "---\n" + text).encode()
        if opt == 6:
            lines = text.split("\n")
            props = [i for i, l in enumerate(lines) if l.lstrip().startswith("- ")]
            if not props:
                raise NotApplicable
            i = rng.choice(props)
            lines[i:i + 1] = [lines[i]] * rng.choice([2, 30])  # more is just proportionally slower
            return kind, f"property line {i + 1} repeated", "\n".join(lines).encode()
        if opt == 7:
            gen = rng.choice(["nonexistent", "synonyms", "pixel", "patch", "ray", "sparse", "uniform"])
            sites = _yaml_value_sites(text, ["generator"])
            if not sites:
                raise NotApplicable
            return kind, f"generator -> {gen}", _yaml_replace(text, rng.choice(sites), gen).encode()
        return kind, "invalid utf-8", (text[:len(text) // 2] + "\udcff" + text[len(text) // 2:]).encode("utf-8", "surrogateescape")
    raise NotApplicable


YAML_MUTATIONS = ["yaml-huge", "yaml-radius", "yaml-image", "yaml-examples", "yaml-domain",
                  "yaml-type", "yaml-structure"]


def mutate_yaml_any(data, rng, kind):
    for _ in range(10):
        try:
            return mutate_yaml(data, rng, kind)
        except NotApplicable:
            kind = rng.choice(YAML_MUTATIONS)
    raise NotApplicable


STRUCTURED = {
    "onnx": (sorted(ONNX_MUTATIONS) if HAVE_ONNX else [], mutate_onnx),
    "npy": (sorted(NPY_MUTATIONS), mutate_npy),
    "csv": (["csv-cell", "csv-ragged", "csv-wide"], mutate_csv),
    "json-input": (["json-number", "json-type", "json-ragged", "json-deep"], mutate_json_input),
    "yaml": (YAML_MUTATIONS, mutate_yaml_any),
    "certificate": (JSON_DOC_MUTATIONS, mutate_json_doc_any),
    "counterexample": (JSON_DOC_MUTATIONS, mutate_json_doc_any),
}
TEXT_FAMILIES = {"csv", "json-input", "yaml", "certificate", "counterexample"}


# ----------------------------------------------------------------------------
# Seeds
# ----------------------------------------------------------------------------

@dataclass
class Seed:
    family: str
    path: Path             # the seed file (in the scratch tree)
    model: str | None      # model stem it goes with (Fixtures/models/<model>.onnx)
    data: str | None = None  # inputs file it goes with (path relative to the scratch root)
    cert: Path | None = None  # a certificate of the model (for `verify` of a mutated model)


def lighten_suite(text: str) -> str:
    """Caps sample counts and examples so that one `check` takes about a second."""
    text = re.sub(r"\b(samples|num_samples)(\s*:\s*)(\d+)", lambda m: f"{m.group(1)}{m.group(2)}{min(int(m.group(3)), 4)}", text)
    text = re.sub(r"(?m)^examples:.*$", "examples: 1", text)
    if not re.search(r"(?m)^examples:", text):
        text = re.sub(r"(?m)^(inputs:.*)$", r"\1\nexamples: 2", text, count=1)
    text = re.sub(r"(?m)^(budget:.*)$", "budget: {samples: 4, shrink_evaluations: 20}", text)
    return text


def prepare(scratch: Path, binary: str, log) -> list[Seed]:
    """Copies the fixtures into the scratch tree and builds the seed corpus."""
    for d in ["Fixtures", "Properties", "Counterexamples"]:
        shutil.copytree(REPO / d, scratch / d)
    seeds: list[Seed] = []
    sd = scratch / "seeds"
    (sd / "inputs").mkdir(parents=True)
    (sd / "suites").mkdir()
    (sd / "certs").mkdir()
    # Certificates (written by certify), one folder per model.
    certs: dict[str, Path] = {}
    for model, data in sorted(MODEL_DATA.items()):
        out = sd / "certs" / model
        cmd = [binary, "certify", f"Fixtures/models/{model}.onnx", f"Fixtures/data/{data}.npy",
               "--limit", "2", "--jobs", "1", "--quiet", "--output", str(out)]
        r = subprocess.run(cmd, cwd=scratch, capture_output=True, text=True, timeout=300,
                           env=child_env())
        files = sorted(out.glob("*.json")) if out.exists() else []
        if not files:
            log(f"warning: certify wrote no certificate for {model} (exit {r.returncode}): {r.stderr.strip()[:200]}")
            continue
        certs[model] = files[0]
        for f in files:
            seeds.append(Seed("certificate", f, model))
    for model in sorted(MODEL_DATA):
        seeds.append(Seed("onnx", scratch / "Fixtures/models" / f"{model}.onnx", model,
                          f"Fixtures/data/{MODEL_DATA[model]}.npy", certs.get(model)))
    # Inputs: the NPY fixtures, plus CSV and JSON copies of some of them.
    for model, data in sorted(MODEL_DATA.items()):
        seeds.append(Seed("npy", scratch / "Fixtures/data" / f"{data}.npy", model))
    for data, model, rows in [("tiny_inputs", "tiny_clip", 20), ("tiny_inputs", "tiny_mixed", 6),
                              ("digits_test", "digits_mlp", 3), ("text_test_ids", "text_rnn", 4)]:
        arr = np.load(REPO / "Fixtures/data" / f"{data}.npy")[:rows]
        p = sd / "inputs" / f"{data}_{model}.csv"
        fmt = "%d" if arr.dtype.kind in "iu" else "%.9g"
        np.savetxt(p, arr, delimiter=",", fmt=fmt)
        seeds.append(Seed("csv", p, model))
    for data, model, rows in [("tiny_inputs", "tiny_prelu", 5), ("digits_test_images", "digits_cnn", 2),
                              ("digits_test", "digits_mlp", 2), ("text_test_ids", "text_rnn", 3)]:
        arr = np.load(REPO / "Fixtures/data" / f"{data}.npy")[:rows]
        p = sd / "inputs" / f"{data}_{model}.json"
        p.write_text(json.dumps(arr.tolist()))
        seeds.append(Seed("json-input", p, model))
    # Suites (lightened copies, so that a `check` takes about a second).
    for src in sorted((scratch / "Properties").glob("*.yaml")) + sorted((scratch / "Counterexamples/suites").glob("*.yaml")):
        p = sd / "suites" / src.name
        p.write_text(lighten_suite(src.read_text()))
        seeds.append(Seed("yaml", p, None))
    for src in sorted((scratch / "Counterexamples").glob("*.json")):
        seeds.append(Seed("counterexample", src, None))
    return seeds


# ----------------------------------------------------------------------------
# Running and classifying
# ----------------------------------------------------------------------------

def child_env():
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                "SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no"})
    env.pop("TERM", None)
    return env


CRASH_MARKERS = ("Fatal error", "Program crashed", "Crash at", "Backtrace", "Thread 0 crashed",
                 "Stack dump", "fatalError", "Illegal instruction", "Segmentation fault",
                 "💣", "Current stack trace", "Assertion failed", "Precondition failed")


@dataclass
class Run:
    command: str
    argv: list            # tokens: str, or ("mut",) / ("aux", Path) / ("out", name)
    rc: int | None = None
    outcome: str = ""
    reason: str = ""
    stderr: str = ""
    stdout: str = ""
    seconds: float = 0.0
    site: str = ""        # crash site found by re-running under gdb


@dataclass
class Case:
    index: int
    family: str
    seed: str
    kind: str
    detail: str
    file_name: str
    runs: list = field(default_factory=list)

    @property
    def worst(self) -> str:
        order = {o: i for i, o in enumerate(OUTCOMES)}
        return max((r.outcome for r in self.runs), key=lambda o: order[o], default="ok")


def commands_for(seed: Seed, mutated_rel: str, outdir_rel: str) -> list[Run]:
    """The commands that read the mutated file. Tokens: ('mut',) the mutated
    file, ('aux', path) a generated helper file, ('out', name) an output path."""
    runs = []
    m = ("mut",)
    model = f"Fixtures/models/{seed.model}.onnx" if seed.model else None
    if seed.family == "onnx":
        runs.append(Run("info", ["info", m]))
        runs.append(Run("predict", ["predict", m, seed.data]))
        runs.append(Run("certify", ["certify", m, seed.data, "--limit", "2", "--jobs", "1", "--quiet",
                                    "--output", ("out", "certs")]))
        if seed.cert:
            runs.append(Run("verify", ["verify", m, ("aux", seed.cert)]))
    elif seed.family in ("npy", "csv", "json-input"):
        runs.append(Run("predict", ["predict", model, m]))
        runs.append(Run("certify", ["certify", model, m, "--limit", "2", "--jobs", "1", "--quiet",
                                    "--output", ("out", "certs")]))
    elif seed.family == "yaml":
        runs.append(Run("check", ["check", m, "--no-save", "--quiet", "--jobs", "1",
                                  "--counterexamples", ("out", "cx")]))
    elif seed.family == "certificate":
        runs.append(Run("verify", ["verify", model, m]))
    elif seed.family == "counterexample":
        runs.append(Run("replay", ["replay", m, "--jobs", "1"]))
    return runs


def resolve(argv, mutated: str, auxmap, outdir: str) -> list[str]:
    out = []
    for t in argv:
        if isinstance(t, tuple):
            if t[0] == "mut":
                out.append(mutated)
            elif t[0] == "aux":
                out.append(auxmap(t[1]))
            else:
                out.append(os.path.join(outdir, t[1]))
        else:
            out.append(t)
    return out


def classify(rc: int | None, stderr: str, names: list[str], timed_out: bool):
    if timed_out:
        return "HANG", "timeout"
    lines = [l for l in stderr.splitlines() if l.strip()]
    marker = next((m for m in CRASH_MARKERS if m in stderr), None)
    if rc is not None and rc < 0:
        return "CRASH", f"signal {-rc} ({signal.Signals(-rc).name if -rc in signal.valid_signals() else '?'})"
    if rc is not None and rc >= 128:
        return "CRASH", f"exit {rc}"
    if marker and not (rc == 2 and len(lines) == 1):
        return "CRASH", f"exit {rc} with {marker!r} on stderr"
    if rc in (0, 1):
        return "ok", ""
    if rc == 2:
        if not lines:
            return "BAD-REJECTION", "no stderr line"
        if len(lines) > 1:
            return "BAD-REJECTION", f"{len(lines)} stderr lines"
        if not any(n and n in lines[0] for n in names):
            return "BAD-REJECTION", "line names no/another file"
        return "rejected-correctly", ""
    return "BAD-EXIT", f"exit {rc}"


def run_binary(binary: str, args: list[str], cwd: Path, timeout: float, mem_mb: int):
    start = time.monotonic()
    # The limits are set by a shell that then execs the binary (preexec_fn is
    # not safe with threads); its own session lets a timeout kill everything.
    limits = "ulimit -c 0; " + (f"ulimit -v {mem_mb * 1024}; " if mem_mb > 0 else "")
    p = subprocess.Popen(["/bin/sh", "-c", limits + 'exec "$0" "$@"', binary] + args, cwd=cwd,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=child_env(), start_new_session=True)
    timed_out = False
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
    return (p.returncode, err.decode("utf-8", "replace"), out.decode("utf-8", "replace")[-4000:],
            timed_out, time.monotonic() - start)


def make_case(index: int, base_seed: int, seeds: list[Seed], families: list[str]):
    rng = random.Random(f"explaincert-fuzz/{base_seed}/{index}")
    fam = rng.choices(families, weights=[FAMILY_WEIGHTS[f] for f in families])[0]
    seed = rng.choice([s for s in seeds if s.family == fam])
    data = seed.path.read_bytes()
    structured, fn = STRUCTURED[fam]
    text = fam in TEXT_FAMILIES
    for _ in range(20):
        try:
            if structured and rng.random() < 0.6:
                kind, detail, out = fn(data, rng, rng.choice(structured))
            else:
                kind = rng.choice(TEXT_GENERIC if text else BINARY_GENERIC)
                out, detail = GENERIC[kind](data, rng, text)
        except NotApplicable:
            continue
        except Exception as e:  # a mutator bug must not stop the campaign
            print(f"fuzz: case {index}: mutation failed ({type(e).__name__}: {e}); trying another",
                  file=sys.stderr)
            continue
        if out != data:
            break
    else:
        kind, detail, out = "append", "byte appended", data + b"\n"
    name = f"fz{index:05d}-{seed.path.name}"
    case = Case(index, fam, str(seed.path.name), kind, detail, name)
    return case, seed, out


def save_failure(case: Case, run: Run, content: bytes, seed: Seed, outroot: Path, binary: str):
    d = outroot / f"case-{case.index:05d}"
    d.mkdir(parents=True, exist_ok=True)
    (d / case.file_name).write_bytes(content)

    def aux(p: Path):
        dst = d / f"aux-{p.name}"
        shutil.copyfile(p, dst)
        return str(dst)

    argv = resolve(run.argv, str(d / case.file_name), aux, str(d / "out"))
    line = " ".join(shlex_quote(a) for a in [binary] + argv)
    with open(d / "cmd.sh", "a") as f:
        f.write(f"# {run.outcome}: {run.reason}  (case {case.index}, {case.kind}: {case.detail})\n")
        f.write(f"cd {shlex_quote(str(REPO))} && {line}\n")
    with open(d / "result.txt", "a") as f:
        f.write(f"command: {line}\nfamily: {case.family}  seed file: {case.seed}\n"
                f"mutation: {case.kind}: {case.detail}\nexit: {run.rc}  time: {run.seconds:.2f}s\n"
                f"outcome: {run.outcome} ({run.reason})\nstderr (head):\n")
        f.write("\n".join(run.stderr.splitlines()[:300]) + "\n")
        if run.stdout:
            f.write("stdout (tail):\n" + "\n".join(run.stdout.splitlines()[-15:]) + "\n")
        f.write(f"signature: {signature(case, run)}\n\n")


def shlex_quote(s: str) -> str:
    import shlex
    return shlex.quote(s)


FRAME = re.compile(r"^\s*\d+ (?:\[\w+\]\s*)*0x[0-9a-f]+ (?P<func>.+?) \+ \d+ in \S+ at "
                   r"(?P<path>/\S*/Sources/\S+?)(?::(?P<line>\d+))?(?::\d+)?\s*$")


def crash_site(stderr: str) -> str:
    """The first frame of the crashed thread in the project's own sources
    (and, if it has no line number, the next one that has)."""
    lines = stderr.splitlines()
    start = next((i for i, l in enumerate(lines) if re.search(r"^Thread \d+.* crashed:", l)), 0)
    sites = []
    for l in lines[start:]:
        if sites and re.match(r"^Thread \d+", l):
            break
        m = FRAME.match(l)
        if m:
            where = m.group("path").split("/Sources/")[1]
            func = re.sub(r"<[^<>]*>", "", m.group("func"))
            func = re.sub(r"^(closure #\d+ in |implicit closure #\d+ in |partial apply for )+", "", func)
            if m.group("line"):
                sites.append(f"{where}:{m.group('line')} ({func[:50]})")
                break
            sites.append(f"{where} ({func[:50]})")
    return " via ".join(sites[:2]) or "no project frame"


GDB_FRAME = re.compile(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(?P<func>\S+).* at (?P<path>/\S*?/Sources/\S+?):(?P<line>\d+)\s*$")


def gdb_site(binary: str, args: list[str], cwd: Path, mem_mb: int, timeout: float = 180) -> str | None:
    """Re-runs a crash under gdb (same limits) for its first project frame:
    the Swift backtracer prints none when the crash is an allocation failure."""
    gdb = shutil.which("gdb")
    if not gdb:
        return None
    limits = "ulimit -c 0; " + (f"ulimit -v {mem_mb * 1024}; " if mem_mb > 0 else "")
    cmd = ["/bin/sh", "-c", limits + 'exec "$0" "$@"', gdb, "-batch", "-nx", "-ex", "run", "-ex", "bt 60",
           "--args", binary] + args
    env = child_env()
    env["SWIFT_BACKTRACE"] = "enable=no"
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout,
                           env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    except subprocess.TimeoutExpired:
        return None
    for l in r.stdout.splitlines():
        m = GDB_FRAME.match(l)
        if m and "/.build/" not in m.group("path"):
            where = m.group("path").split("/Sources/")[1]
            func = m.group("func")
            try:  # demangle when the Swift toolchain is around
                d = subprocess.run(["swift-demangle", "-simplified", "-compact", func], capture_output=True,
                                   text=True, timeout=10)
                func = re.sub(r"<[^<>]*>", "", d.stdout.strip()) or func
            except Exception:
                pass
            return f"{where}:{m.group('line')} ({func[:50]})"
    return None


GLIBC_HEAP = re.compile(r"^(malloc|free|realloc|double free|corrupted|munmap_chunk|malloc_consolidate|"
                        r"tcache|\*\*\* stack smashing)[^\n]*", re.M)


def crash_message(stderr: str, reason: str) -> str:
    heap = GLIBC_HEAP.search(stderr)
    if heap:  # glibc found the heap corrupted: worse than a trap, name it as such
        return "HEAP CORRUPTION (glibc: " + heap.group(0).strip()[:60] + ")"
    for l in stderr.splitlines():
        if "Fatal error" in l or "Precondition failed" in l or "Assertion failed" in l:
            return re.sub(r"\d{4,}", "N", l.strip())[:120]
    for l in stderr.splitlines():
        m = re.search(r"\*\*\* (Swift runtime failure: .*?|Program crashed: [A-Za-z ]+?)( at 0x|\s*\*\*\*)", l)
        if m and "runtime failure" in m.group(1):
            return m.group(1)
    for l in stderr.splitlines():
        m = re.search(r"\*\*\* (Program crashed: [A-Za-z ]+?)( at 0x|\s*\*\*\*)", l)
        if m:
            return m.group(1)
    return reason


def normalize_message(line: str) -> str:
    line = re.sub(r"fz\d{5}-", "", line)
    line = re.sub(r"(?<![A-Za-z])'[^']*'", "'X'", line)
    line = re.sub(r"\[[^\[\]]*\]", "[..]", line)
    line = re.sub(r"\[[^\[\]]*\]", "[..]", line)
    line = re.sub(r"\S+\.(onnx|npy|csv|json|yaml|yml)\b", "FILE", line)
    line = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", line)
    return line


def signature(case: "Case", run: Run) -> str:
    """Groups failures by a likely root cause."""
    err = run.stderr
    if run.outcome == "CRASH":
        return f"{crash_message(err, run.reason)} @ {run.site or crash_site(err)}"
    if run.outcome == "BAD-REJECTION":
        first = next((l for l in err.splitlines() if l.strip()), "")
        other = re.search(r"(\S+\.(onnx|npy|csv|json|yaml|yml))\b", first)
        reason = run.reason
        if run.reason.startswith("line names"):
            reason = f"names another file ({os.path.basename(other.group(1))})" if other else "names no file"
        return f"{reason}: {normalize_message(first)[:110]}"
    if run.outcome == "HANG":
        return f"timeout ({case.kind})"
    return run.reason


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module docstring (head -60 Tools/fuzz.py) for details.")
    ap.add_argument("--binary", default=os.environ.get("EXPLAINCERT", str(REPO / ".build/debug/explaincert")),
                    help="the explaincert executable (default: $EXPLAINCERT, else .build/debug/explaincert)")
    ap.add_argument("--cases", type=int, default=2000, help="number of cases (default 2000)")
    ap.add_argument("--first", type=int, default=0, help="index of the first case (to split a campaign)")
    ap.add_argument("--seed", type=int, default=0, help="campaign seed (default 0); same seed, same cases")
    ap.add_argument("--out", help="keep every failing case's file and command line here")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per command; longer is a HANG")
    ap.add_argument("--mem-limit", type=int, default=4096, help="address-space limit per run in MiB (0: none)")
    ap.add_argument("--families", default=",".join(FAMILY_WEIGHTS),
                    help="comma-separated seed families: " + ",".join(FAMILY_WEIGHTS))
    ap.add_argument("--progress", type=float, default=15.0, help="seconds between progress lines")
    ap.add_argument("--keep-scratch", action="store_true")
    ap.add_argument("--no-gdb", dest="gdb", action="store_false",
                    help="do not re-run a crash whose backtrace names no source line under gdb")
    args = ap.parse_args(argv)

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"fuzz: no executable binary at {binary}", file=sys.stderr)
        return 2
    families = [f for f in args.families.split(",") if f]
    bad = [f for f in families if f not in FAMILY_WEIGHTS]
    if bad or not families:
        print(f"fuzz: unknown families {bad}", file=sys.stderr)
        return 2
    if "onnx" in families and not HAVE_ONNX:
        print("fuzz: the onnx package is missing: ONNX seeds get byte-level mutations only", file=sys.stderr)
    print(f"fuzz: seed {args.seed}, cases {args.first}..{args.first + args.cases - 1}, jobs {args.jobs}, "
          f"timeout {args.timeout:g}s, binary {binary}", flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="explaincert-fuzz-"))
    outroot = Path(args.out).resolve() if args.out else None
    if outroot:
        outroot.mkdir(parents=True, exist_ok=True)
    try:
        seeds = prepare(scratch, binary, lambda s: print("fuzz: " + s, file=sys.stderr))
        families = [f for f in families if any(s.family == f for s in seeds)]
        counts = collections.Counter(s.family for s in seeds)
        print("fuzz: seeds " + ", ".join(f"{f} {counts[f]}" for f in FAMILY_WEIGHTS), flush=True)
        cases_dir = scratch / "cases"
        cases_dir.mkdir()
        lock = threading.Lock()
        results: dict[int, Case] = {}
        harness_errors = 0
        tally = collections.Counter()
        t0 = time.monotonic()
        last = [t0]
        done = [0]

        def work(index: int) -> Case:
            case, seed, content = make_case(index, args.seed, seeds, families)
            cdir = cases_dir / f"{index:05d}"
            cdir.mkdir()
            if outroot:  # a rerun into the same --out replaces the case's old files
                shutil.rmtree(outroot / f"case-{index:05d}", ignore_errors=True)
            mpath = cdir / case.file_name
            mpath.write_bytes(content)
            mrel = os.path.relpath(mpath, scratch)
            names = [mrel, str(mpath), case.file_name]
            for run in commands_for(seed, mrel, os.path.relpath(cdir, scratch)):
                argv_ = resolve(run.argv, mrel, lambda p: os.path.relpath(p, scratch),
                                os.path.relpath(cdir, scratch))
                rc, err, out, to, secs = run_binary(binary, argv_, scratch, args.timeout, args.mem_limit)
                run.rc, run.stderr, run.stdout, run.seconds = rc, err, out, secs
                run.outcome, run.reason = classify(rc, err, names, to)
                if run.outcome == "CRASH" and args.gdb and crash_site(err) == "no project frame":
                    site = gdb_site(binary, argv_, scratch, args.mem_limit)
                    if site:
                        run.site = site + " [gdb]"
                case.runs.append(run)
                if outroot and run.outcome in FAIL_OUTCOMES:
                    save_failure(case, run, content, seed, outroot, binary)
            shutil.rmtree(cdir, ignore_errors=True)
            with lock:
                done[0] += 1
                for r in case.runs:
                    tally[r.outcome] += 1
                now = time.monotonic()
                if now - last[0] >= args.progress or done[0] == args.cases:
                    last[0] = now
                    rate = done[0] / (now - t0)
                    print(f"[{done[0]:>6}/{args.cases}] {now - t0:7.1f}s {rate:5.1f} cases/s  "
                          + "  ".join(f"{o}={tally[o]}" for o in OUTCOMES), flush=True)
            return case

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = [ex.submit(work, i) for i in range(args.first, args.first + args.cases)]
            for f in concurrent.futures.as_completed(futs):
                try:
                    c = f.result()
                except Exception as e:  # a harness bug: report it, keep the other cases
                    import traceback
                    traceback.print_exception(e)
                    harness_errors += 1
                    continue
                results[c.index] = c
        wall = time.monotonic() - t0
    finally:
        if not args.keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"fuzz: scratch kept at {scratch}")

    # ---- Report -----------------------------------------------------------
    cases = [results[i] for i in sorted(results)]
    by_cmd = collections.defaultdict(collections.Counter)
    by_kind = collections.defaultdict(collections.Counter)
    groups = collections.defaultdict(list)
    for c in cases:
        for r in c.runs:
            by_cmd[r.command][r.outcome] += 1
            by_kind[c.kind][r.outcome] += 1
            if r.outcome in FAIL_OUTCOMES:
                groups[(r.outcome, signature(c, r))].append((c, r))

    def table(title, rows):
        cols = list(OUTCOMES) + ["total"]
        w0 = max(len(title), *(len(k) for k in rows)) if rows else len(title)
        short = {"rejected-correctly": "rejected", "BAD-REJECTION": "BAD-REJ"}
        print(f"\n{title:<{w0}} " + " ".join(f"{short.get(c, c):>8}" for c in cols))
        for k in sorted(rows):
            cnt = rows[k]
            print(f"{k:<{w0}} " + " ".join(f"{cnt[c]:>8}" for c in OUTCOMES) + f" {sum(cnt.values()):>8}")
        total = collections.Counter()
        for cnt in rows.values():
            total.update(cnt)
        print(f"{'all':<{w0}} " + " ".join(f"{total[c]:>8}" for c in OUTCOMES) + f" {sum(total.values()):>8}")

    print(f"\nfuzz: {len(cases)} cases, {sum(len(c.runs) for c in cases)} runs in {wall:.1f}s "
          f"({wall / max(1, len(cases)) * 1000:.0f}s per 1000 cases), seed {args.seed}")
    table("command", by_cmd)
    table("mutation", by_kind)
    failed = any(by_cmd[c][o] for c in by_cmd for o in FAIL_OUTCOMES)
    if groups:
        print("\nfailure classes (outcome, signature: runs, commands, first case):")
        for (o, sig), items in sorted(groups.items(), key=lambda kv: (FAIL_OUTCOMES.index(kv[0][0]), -len(kv[1]), kv[0])):
            c, r = items[0]
            cmds = ",".join(sorted({r2.command for _, r2 in items}))
            kinds = ",".join(sorted({c2.kind for c2, _ in items}))
            print(f"  {o:<13} x{len(items):<4} [{cmds}] {sig}")
            print(f"      e.g. case {c.index} ({c.family} {c.seed}, {c.kind}: {c.detail[:90]}); kinds: {kinds}")
            first = next((l for l in r.stderr.splitlines() if l.strip()), "")
            if first:
                print(f"      stderr: {first[:200]}")
        if outroot:
            print(f"\nfailing cases kept in {outroot}/case-NNNNN (cmd.sh, result.txt)")
    if harness_errors:
        print(f"\nfuzz: {harness_errors} case(s) could not run (harness errors above)")
    print(f"\nfuzz: {'FAILED' if failed else 'passed'}", flush=True)
    return 1 if failed or harness_errors else 0


if __name__ == "__main__":
    sys.exit(main())
