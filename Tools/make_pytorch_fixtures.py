#!/usr/bin/env python3
"""Export small piecewise-linear PyTorch models to ONNX with both of PyTorch's exporters.

Run from the repository root (needs torch, onnxscript, onnx, onnxruntime, numpy):

    python3 Tools/make_pytorch_fixtures.py

Writes Fixtures/pytorch/: for every model NAME

    NAME.torchscript.onnx              torch.onnx.export(..., dynamo=False, dynamic_axes=...)
    NAME.dynamo.onnx (+ .onnx.data)    torch.onnx.export(..., dynamo=True, dynamic_shapes=...), the
                                       exporter's own default file layout: initializers larger than
                                       256 bytes go to NAME.dynamo.onnx.data beside the model
    NAME.inputs.npy                    a batch of 4 inputs (float32; int64 token ids for embedding_rnn)
    NAME.EXPORTER.reference.npy        onnxruntime's output for those inputs (float32)

and, for two models, NAME.onnx_save_external.onnx: the TorchScript export re-saved with
onnx.save(save_as_external_data=True, size_threshold=0) into NAME.onnx_save_external.weights,
a second writer of external data (onnx's own, with a location that is not MODEL.onnx.data).

manifest.json lists, per model and export, the ONNX operators, opset, input/output names and
shapes, external-data use, and the check against PyTorch eager; README.md is regenerated too.

Every export is checked: onnxruntime's output vs PyTorch eager on the 4-input batch and on
batches of 1 and 3 (the batch dimension must really be dynamic). An exporter that fails is
recorded in the manifest as "export_error" instead of dropping the model.

Deterministic: fixed seeds per model, single-threaded torch and onnxruntime, no timestamps.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse
import contextlib
import io
import json
import logging
import shutil
import sys
import tempfile
import traceback
import warnings
import zlib
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Fixtures" / "pytorch"
BATCH = 4
TOLERANCE = 1e-5  # max |ort - torch| / max |torch|
EXTERNAL_RESAVE = ("mlp", "cnn_padded_bn")  # also re-saved with onnx.save(save_as_external_data=True)

torch.set_num_threads(1)

# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def randomize_bn(bn, g):
    """Non-trivial running statistics and affine parameters (eval mode uses them)."""
    with torch.no_grad():
        n = bn.num_features
        bn.running_mean.copy_(torch.rand(n, generator=g) - 0.5)
        bn.running_var.copy_(0.5 + 1.5 * torch.rand(n, generator=g))
        bn.weight.copy_(0.5 + torch.rand(n, generator=g))
        bn.bias.copy_(0.6 * torch.rand(n, generator=g) - 0.3)


class MLP(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.fc2 = nn.Linear(16, 16)
        self.fc3 = nn.Linear(16, 3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class CNNView(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv(x)))
        x = x.view(x.size(0), -1)
        return self.fc(x)


class CNNPaddedBN(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.bn = nn.BatchNorm2d(6)
        randomize_bn(self.bn, g)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(6 * 4 * 4, 5)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv(x))))
        x = torch.flatten(x, 1)
        return self.fc(x)


class Residual(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(8)
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        for bn in (self.bn0, self.bn1, self.bn2):
            randomize_bn(bn, g)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = F.relu(self.bn0(self.stem(x)))
        identity = x
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = F.relu(out + identity)
        out = torch.flatten(self.pool(out), 1)
        return self.fc(out)


class Conv1DNet(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv1 = nn.Conv1d(2, 4, 5)
        self.pool1 = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(4, 6, 3)
        self.pool2 = nn.AvgPool1d(2)
        self.fc = nn.Linear(6 * 6, 3)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


class Activations(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.fc1 = nn.Linear(8, 12)
        self.act1 = nn.LeakyReLU(0.1)
        self.fc2 = nn.Linear(12, 12)
        self.act2 = nn.Hardtanh(-0.5, 2.0)
        self.fc3 = nn.Linear(12, 12)
        self.act3 = nn.ReLU6()
        self.fc4 = nn.Linear(12, 12)
        self.act4 = nn.PReLU(12)
        with torch.no_grad():
            self.act4.weight.copy_(0.05 + 0.35 * torch.rand(12, generator=g))
        self.fc5 = nn.Linear(12, 3)

    def forward(self, x):
        x = self.act1(self.fc1(x))
        x = self.act2(self.fc2(x))
        x = self.act3(self.fc3(x))
        x = self.act4(self.fc4(x))
        return self.fc5(x)


class MaxMin(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.a = nn.Linear(8, 10)
        self.b = nn.Linear(8, 10)
        self.c = nn.Linear(8, 10)
        self.head = nn.Linear(10, 3)

    def forward(self, x):
        a, b, c = self.a(x), self.b(x), self.c(x)
        hi = torch.maximum(a, b)
        lo = torch.minimum(b, c)
        s = F.relu(hi) + F.relu(lo) + F.relu(c)
        return self.head(s)


class SliceConcat(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.fc1 = nn.Linear(10, 8)
        self.fa = nn.Linear(4, 5)
        self.fb = nn.Linear(4, 5)
        self.fc = nn.Linear(3, 2)
        self.head = nn.Linear(5 + 5 + 4 + 2 + 3, 3)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        a, b = torch.chunk(h, 2, dim=1)
        p, q = torch.split(x, [7, 3], dim=1)
        z = torch.cat([F.relu(self.fa(a)), self.fb(b), x[:, 2:6], F.relu(self.fc(q)), p[:, -3:]], dim=1)
        return self.head(z)


class RNNReLU(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.rnn = nn.RNN(4, 8, nonlinearity="relu", batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


class RNNBidirectional(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.rnn = nn.RNN(4, 6, nonlinearity="relu", batch_first=True, bidirectional=True)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        _, h_n = self.rnn(x)  # h_n: [2, N, 6] (forward, backward)
        return self.fc(torch.cat([h_n[0], h_n[1]], dim=1))


class EmbeddingRNN(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.emb = nn.Embedding(20, 6)
        self.rnn = nn.RNN(6, 8, nonlinearity="relu", batch_first=True)
        self.fc = nn.Linear(8, 2)

    def forward(self, tokens):
        out, _ = self.rnn(self.emb(tokens))
        return self.fc(out[:, -1, :])


class ConvTranspose(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.fc = nn.Linear(6, 8 * 2 * 2)
        self.up1 = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.up2 = nn.ConvTranspose2d(4, 1, 4, stride=2, padding=1)

    def forward(self, x):
        x = F.relu(self.fc(x))
        x = x.view(x.size(0), 8, 2, 2)
        x = F.relu(self.up1(x))  # [N, 4, 4, 4]
        return self.up2(x)  # [N, 1, 8, 8]


class PoolsCeil(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.maxpool = nn.MaxPool2d(2, ceil_mode=True)  # 7x7 -> 4x4
        self.avgpool = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)  # 4x4 -> 3x3
        self.fc = nn.Linear(4 * 3 * 3, 3)

    def forward(self, x):
        x = self.maxpool(F.relu(self.conv(x)))
        x = self.avgpool(x)
        return self.fc(torch.flatten(x, 1))


class PadModes(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.reflect = nn.ReflectionPad2d(1)
        self.conv2 = nn.Conv2d(2, 3, 3)
        self.replicate = nn.ReplicationPad2d((1, 0, 1, 0))
        self.conv3 = nn.Conv2d(3, 2, 3)
        self.fc = nn.Linear(2 * 7 * 7, 3)

    def forward(self, x):
        x = F.relu(self.conv1(F.pad(x, (1, 1, 1, 1), mode="constant", value=0.5)))  # 8x8
        x = F.relu(self.conv2(self.reflect(x)))  # 8x8
        x = F.relu(self.conv3(self.replicate(x)))  # 9x9 -> 7x7
        return self.fc(torch.flatten(x, 1))


class UpsampleNet(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 3, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv2 = nn.Conv2d(3, 2, 3, padding=1)
        self.fc = nn.Linear(2 * 8 * 8, 3)

    def forward(self, x):
        x = self.up(F.relu(self.conv1(x)))  # [N, 3, 8, 8]
        x = F.relu(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


class ExpandNet(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.b = nn.Parameter(torch.randn(1, 8, generator=g) * 0.5)
        self.fc1 = nn.Linear(8, 10)
        self.w = nn.Parameter(torch.randn(3, 10, generator=g) * 0.5)
        self.c = nn.Parameter(torch.randn(3, 10, generator=g) * 0.1)
        self.fc2 = nn.Linear(30, 3)

    def forward(self, x):
        x = x + self.b.expand(x.size(0), -1)
        z = F.relu(self.fc1(x))
        t = z.unsqueeze(1).expand(-1, 3, -1)  # [N, 3, 10]
        t = F.relu(t * self.w + self.c)
        return self.fc2(torch.flatten(t, 1))


class Conv3DNet(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv = nn.Conv3d(1, 3, 3, padding=1)
        self.pool = nn.MaxPool3d(2)
        self.fc = nn.Linear(3 * 2 * 3 * 3, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.conv(x)))
        return self.fc(torch.flatten(x, 1))


class TanhMLP(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.fc1 = nn.Linear(6, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


class MLPBNDropout(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(8, 16),
            nn.BatchNorm1d(16),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(16, 3),
        )
        randomize_bn(self.net[2], g)

    def forward(self, x):
        return self.net(x)


class RNNTwoLayer(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.rnn = nn.RNN(3, 6, num_layers=2, nonlinearity="relu", batch_first=True)
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        _, h_n = self.rnn(x)  # [2 layers, N, 6]
        return self.fc(h_n[-1])


class PermuteClampMean(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.conv = nn.Conv1d(3, 5, 3, padding=1)
        self.fc = nn.Linear(5, 2)

    def forward(self, x):  # x: [N, T, C]
        x = x.permute(0, 2, 1)  # [N, C, T]
        x = torch.clamp(self.conv(x), min=-1.0, max=2.0)
        x = torch.abs(x)
        return self.fc(x.mean(dim=-1))


# name, class, per-sample input shape, input kind, description
MODELS = [
    ("mlp", MLP, (10,), "float", "Linear-ReLU-Linear-ReLU-Linear, 10 features -> 3"),
    ("cnn_view", CNNView, (1, 8, 8), "float",
     "Conv2d(1,4,3)-ReLU-MaxPool2d(2), x.view(x.size(0), -1), Linear(36,10)"),
    ("cnn_padded_bn", CNNPaddedBN, (3, 8, 8), "float",
     "Conv2d(3,6,3,padding=1)-BatchNorm2d (eval, non-trivial running stats)-ReLU-AvgPool2d(2)-torch.flatten-Linear(96,5)"),
    ("residual", Residual, (3, 8, 8), "float",
     "stem conv-bn-relu, then block conv-bn-relu-conv-bn + identity skip, ReLU, AdaptiveAvgPool2d(1), flatten, Linear(8,4)"),
    ("conv1d", Conv1DNet, (2, 32), "float",
     "time series 2x32: Conv1d(2,4,5)-ReLU-MaxPool1d(2)-Conv1d(4,6,3)-ReLU-AvgPool1d(2)-flatten-Linear(36,3)"),
    ("activations", Activations, (8,), "float",
     "Linears with LeakyReLU(0.1), Hardtanh(-0.5,2), ReLU6, PReLU(12 channels) between them"),
    ("max_min", MaxMin, (8,), "float",
     "three Linear branches a,b,c: relu(torch.maximum(a,b)) + relu(torch.minimum(b,c)) + relu(c), Linear head"),
    ("slice_concat", SliceConcat, (10,), "float",
     "torch.chunk, torch.split, x[:, 2:6], p[:, -3:], torch.cat of five branches, Linear head"),
    ("rnn_relu", RNNReLU, (16, 4), "float",
     "nn.RNN(4, 8, nonlinearity='relu', batch_first=True), output[:, -1, :] -> Linear(8,3); 16 steps"),
    ("rnn_bidirectional", RNNBidirectional, (16, 4), "float",
     "nn.RNN(4, 6, relu, batch_first=True, bidirectional=True), cat(h_n[0], h_n[1]) -> Linear(12,3)"),
    ("embedding_rnn", EmbeddingRNN, (16,), "tokens",
     "nn.Embedding(20, 6) + nn.RNN(6, 8, relu, batch_first=True), last step -> Linear(8,2); int64 token ids, length 16"),
    ("conv_transpose", ConvTranspose, (6,), "float",
     "decoder: Linear(6,32)-ReLU, x.view(x.size(0),8,2,2), ConvTranspose2d(8,4,3,stride 2,pad 1,output_padding 1)-ReLU-ConvTranspose2d(4,1,4,stride 2,pad 1) -> 1x8x8"),
    ("pools_ceil", PoolsCeil, (2, 7, 7), "float",
     "Conv2d(2,4,3,pad 1)-ReLU-MaxPool2d(2, ceil_mode=True)-AvgPool2d(3, stride 2, padding 1, count_include_pad=False, ceil_mode=True)-flatten-Linear"),
    ("pad_modes", PadModes, (1, 8, 8), "float",
     "F.pad(constant 0.5)-Conv2d-ReLU, ReflectionPad2d(1)-Conv2d-ReLU, ReplicationPad2d((1,0,1,0))-Conv2d-ReLU, flatten, Linear"),
    ("upsample", UpsampleNet, (1, 4, 4), "float",
     "Conv2d(1,3,3,pad 1)-ReLU-Upsample(scale_factor=2, nearest)-Conv2d(3,2,3,pad 1)-ReLU-flatten-Linear"),
    ("expand", ExpandNet, (8,), "float",
     "x + b.expand(x.size(0), -1), Linear-ReLU, z.unsqueeze(1).expand(-1, 3, -1) * w + c, ReLU, flatten, Linear"),
    ("conv3d", Conv3DNet, (1, 4, 6, 6), "float",
     "volume 1x4x6x6: Conv3d(1,3,3,pad 1)-ReLU-MaxPool3d(2)-flatten-Linear(54,3)"),
    ("tanh_mlp", TanhMLP, (6,), "float",
     "Linear(6,8)-Tanh-Linear(8,2): NOT piecewise linear (info should describe it, certify should refuse it)"),
    ("mlp_bn_dropout", MLPBNDropout, (2, 4), "float",
     "nn.Sequential(Flatten, Linear(8,16), BatchNorm1d(16) (eval, non-trivial stats), ReLU, Dropout(0.2), Linear(16,3))"),
    ("rnn_two_layer", RNNTwoLayer, (12, 3), "float",
     "nn.RNN(3, 6, num_layers=2, relu, batch_first=True), h_n[-1] -> Linear(6,2); 12 steps"),
    ("permute_clamp_mean", PermuteClampMean, (16, 3), "float",
     "input [N, T=16, C=3] permuted to [N, C, T], Conv1d(3,5,3,pad 1), torch.clamp(-1, 2), abs, mean over time, Linear(5,2)"),
]

VOCAB = 20

# --------------------------------------------------------------------------------------------
# Export and checks
# --------------------------------------------------------------------------------------------


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def make_inputs(name, shape, kind, batch):
    g = torch.Generator().manual_seed(seed_of(name) + 1)
    if kind == "tokens":
        return torch.randint(0, VOCAB, (batch, *shape), generator=g, dtype=torch.int64)
    return torch.randn((batch, *shape), generator=g, dtype=torch.float32)


def session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def run_ort(path, x):
    sess = session(path)
    outs = sess.run(None, {sess.get_inputs()[0].name: x})
    return np.asarray(outs[0], dtype=np.float32)


def rel_diff(got, want):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf"), float("inf")
    abs_d = float(np.max(np.abs(got - want))) if got.size else 0.0
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    return abs_d, abs_d / max(scale, 1e-30)


def all_nodes(graph):
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from all_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    yield from all_nodes(sub)


def op_name(node):
    return node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}::{node.op_type}"


def value_info(v):
    t = v.type.tensor_type
    dims = []
    for d in t.shape.dim:
        dims.append(d.dim_param if d.dim_param else (d.dim_value if d.HasField("dim_value") else "?"))
    return {"name": v.name, "dtype": onnx.TensorProto.DataType.Name(t.elem_type).lower(), "shape": dims}


def describe(path):
    """Operators and layout of one saved ONNX file (external data is not loaded)."""
    m = onnx.load(str(path), load_external_data=False)
    ops = set(op_name(n) for n in all_nodes(m.graph))
    for f in m.functions:  # local functions, if any
        ops.update(op_name(n) for n in f.node)
    counts = {}
    for n in all_nodes(m.graph):
        counts[op_name(n)] = counts.get(op_name(n), 0) + 1
    ext = [i for i in m.graph.initializer if i.data_location == onnx.TensorProto.EXTERNAL]
    locations = sorted({kv.value for i in ext for kv in i.external_data if kv.key == "location"})
    opset = {(o.domain or "ai.onnx"): o.version for o in m.opset_import}
    params = 0
    for i in m.graph.initializer:
        if i.data_type == onnx.TensorProto.FLOAT:
            params += int(np.prod(i.dims)) if len(i.dims) else 1
    try:
        onnx.checker.check_model(str(path), full_check=True)
        checker = "ok"
    except Exception as e:
        checker = short_error(e)
    return {
        "onnx_checker_full_check": checker,
        "operators": sorted(ops),
        "node_counts": dict(sorted(counts.items())),
        "local_functions": sorted(f"{f.domain}::{f.name}" for f in m.functions),
        "opset": opset.get("ai.onnx"),
        "opset_imports": dict(sorted(opset.items())),
        "ir_version": m.ir_version,
        "producer": f"{m.producer_name} {m.producer_version}".strip(),
        "inputs": [value_info(v) for v in m.graph.input],
        "outputs": [value_info(v) for v in m.graph.output],
        "initializers": len(m.graph.initializer),
        "float_parameters_in_initializers": params,
        "external_initializers": len(ext),
        "external_data_files": locations,
    }


def file_size(path):
    return path.stat().st_size if path.exists() else 0


def export_torchscript(model, x, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (x,), str(path), dynamo=False,
            input_names=["input"], output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        )


def export_dynamo(model, x, path):
    batch = torch.export.Dim("batch")
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), str(path), dynamo=True, dynamic_shapes=({0: batch},))


EXPORTERS = {"torchscript": export_torchscript, "dynamo": export_dynamo}


def check_export(path, model, name, shape, kind, x_np, eager_out):
    """onnxruntime vs eager on the fixture batch and on batches of 1 and 3."""
    ref = run_ort(path, x_np)
    abs_d, rel = rel_diff(ref, eager_out)
    checks = {"batch_4": {"max_abs_diff": abs_d, "max_rel_diff": rel}}
    for b in (1, 3):
        xb = make_inputs(name, shape, kind, 7)[:b]
        with torch.no_grad():
            want = model(xb).numpy()
        try:
            got = run_ort(path, xb.numpy())
            a, r = rel_diff(got, want)
            checks[f"batch_{b}"] = {"max_abs_diff": a, "max_rel_diff": r}
        except Exception as e:  # a batch size baked into the graph
            checks[f"batch_{b}"] = {"error": short_error(e)}
    return ref, checks


def short_error(e):
    msg = f"{type(e).__name__}: {e}".strip()
    lines = [line for line in msg.splitlines() if line.strip()]
    msg = " | ".join(lines[:6])
    return msg if len(msg) <= 600 else msg[:597] + "..."


def fmt(v):
    return f"{v:.2e}" if isinstance(v, float) else str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="generate only these models (manifest is then partial)")
    args = ap.parse_args()
    logging.getLogger("torch").setLevel(logging.ERROR)
    logging.getLogger("onnxscript").setLevel(logging.ERROR)

    import onnxscript

    versions = {
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": ort.__version__,
        "onnxscript": onnxscript.__version__,
        "numpy": np.__version__,
        "python": ".".join(map(str, sys.version_info[:3])),
    }
    print("versions:", json.dumps(versions))

    models = [m for m in MODELS if not args.only or m[0] in args.only]
    if not args.only:
        if OUT.exists():
            shutil.rmtree(OUT)
    OUT.mkdir(parents=True, exist_ok=True)

    manifest_models = []
    failures = 0
    for name, cls, shape, kind, desc in models:
        torch.manual_seed(seed_of(name))
        g = torch.Generator().manual_seed(seed_of(name) + 2)
        model = cls(g).eval()
        params = sum(p.numel() for p in model.parameters()) + sum(
            b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
        x = make_inputs(name, shape, kind, BATCH)
        x_np = x.numpy()
        np.save(OUT / f"{name}.inputs.npy", x_np)
        with torch.no_grad():
            eager = model(x).numpy().astype(np.float32)
        entry = {
            "name": name,
            "description": desc,
            "input_shape": ["batch", *shape],
            "input_dtype": "int64" if kind == "tokens" else "float32",
            "inputs_file": f"{name}.inputs.npy",
            "batch": BATCH,
            "output_shape": ["batch", *eager.shape[1:]],
            "torch_parameters": int(params),
            "weights_bytes_float32": int(params) * 4,
            "piecewise_linear": name != "tanh_mlp",
            "versions": versions,
            "exports": {},
        }
        if kind == "tokens":
            entry["vocabulary"] = VOCAB
        print(f"\n== {name}: {desc}")
        print(f"   input {entry['input_shape']} {entry['input_dtype']}, {params} parameters")
        variants = list(EXPORTERS.items())
        for exporter, fn in variants:
            path = OUT / f"{name}.{exporter}.onnx"
            info = {"file": path.name}
            with tempfile.TemporaryDirectory() as tmp:
                tmp_path = Path(tmp) / path.name
                try:
                    fn(model, x, tmp_path)
                except Exception as e:
                    info["export_error"] = short_error(e)
                    print(f"   {exporter:12s} EXPORT FAILED: {info['export_error']}")
                    (OUT / f"{name}.{exporter}.export_error.txt").write_text(
                        "".join(traceback.format_exception(e))[-8000:])
                    entry["exports"][exporter] = info
                    failures += 1
                    continue
                for f in sorted(Path(tmp).iterdir()):
                    shutil.copyfile(f, OUT / f.name)
            info.update(describe(path))
            data = OUT / (path.name + ".data")
            if data.exists():
                info["data_file"] = data.name
                info["data_file_bytes"] = file_size(data)
            info["onnx_file_bytes"] = file_size(path)
            verify(info, path, model, name, shape, kind, x_np, eager, exporter)
            failures += info["checks"].get("failed", 0)
            entry["exports"][exporter] = info

        if name in EXTERNAL_RESAVE and "export_error" not in entry["exports"]["torchscript"]:
            exporter = "onnx_save_external"
            path = OUT / f"{name}.{exporter}.onnx"
            location = f"{name}.{exporter}.weights"
            m = onnx.load(str(OUT / f"{name}.torchscript.onnx"))
            onnx.save(m, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                      location=location, size_threshold=0)
            info = {"file": path.name,
                    "how": "NAME.torchscript.onnx re-saved by onnx.save(save_as_external_data=True, "
                           "all_tensors_to_one_file=True, location=NAME.onnx_save_external.weights, size_threshold=0)"}
            info.update(describe(path))
            info["data_file"] = location
            info["data_file_bytes"] = file_size(OUT / location)
            info["onnx_file_bytes"] = file_size(path)
            verify(info, path, model, name, shape, kind, x_np, eager, exporter)
            failures += info["checks"].get("failed", 0)
            entry["exports"][exporter] = info
        manifest_models.append(entry)

    manifest = {
        "generator": "Tools/make_pytorch_fixtures.py",
        "regenerate": "python3 Tools/make_pytorch_fixtures.py",
        "versions": versions,
        "tolerance_max_rel_diff": TOLERANCE,
        "note": "max_rel_diff = max|onnxruntime - torch eager| / max|torch eager|; batch_1 and batch_3 "
                "check the dynamic batch dimension on other batch sizes",
        "models": manifest_models,
    }
    if not args.only:
        (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
        write_readme(manifest)
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"\nwrote {len(list(OUT.iterdir()))} files, {total} bytes, to {OUT.relative_to(REPO)}")
    print(f"{failures} export failures or checks over tolerance")
    return 0


def verify(info, path, model, name, shape, kind, x_np, eager, exporter):
    try:
        ref, checks = check_export(path, model, name, shape, kind, x_np, eager)
    except Exception as e:
        info["checks"] = {"onnxruntime_error": short_error(e), "failed": 1}
        print(f"   {exporter:18s} onnxruntime FAILED: {info['checks']['onnxruntime_error']}")
        return
    np.save(OUT / f"{name}.{exporter}.reference.npy", ref.astype(np.float32))
    info["reference_file"] = f"{name}.{exporter}.reference.npy"
    bad = [k for k, v in checks.items() if "error" in v or v["max_rel_diff"] > TOLERANCE]
    checks["failed"] = len(bad)
    info["checks"] = checks
    summary = ", ".join(
        f"{k} rel {fmt(v['max_rel_diff'])}" if "error" not in v else f"{k} ERROR {v['error']}"
        for k, v in checks.items() if k != "failed")
    ext = f", {info['external_initializers']} external tensors" if info["external_initializers"] else ""
    chk = "" if info["onnx_checker_full_check"] == "ok" else f" [onnx.checker: {info['onnx_checker_full_check']}]"
    print(f"   {exporter:18s} opset {info['opset']}{ext}{chk}: {summary}{'  <-- OVER TOLERANCE' if bad else ''}")
    print(f"   {'':18s} ops: {' '.join(info['operators'])}")


def write_readme(manifest):
    v = manifest["versions"]
    lines = [
        "# PyTorch export fixtures",
        "",
        "Small piecewise-linear PyTorch models (plus one Tanh model that is not piecewise linear), each",
        "exported with both of `torch.onnx.export`'s exporters, with a dynamic batch dimension:",
        "",
        "- `NAME.torchscript.onnx`: the TorchScript exporter, `dynamo=False`, `input_names=[\"input\"]`,",
        "  `output_names=[\"output\"]`, `dynamic_axes={\"input\": {0: \"batch\"}, \"output\": {0: \"batch\"}}`,",
        "  default opset, constant folding on (the defaults). Weights are embedded.",
        "- `NAME.dynamo.onnx`: the current default exporter, `dynamo=True`,",
        "  `dynamic_shapes=({0: torch.export.Dim(\"batch\")},)`, everything else default (input named after the",
        "  `forward` argument, output named by the exporter). As the exporter does by default, every initializer",
        "  larger than 256 bytes is written to `NAME.dynamo.onnx.data` beside the model (ONNX external data:",
        "  `location`, `offset`, `length` per tensor); smaller ones stay embedded. A model whose tensors are",
        "  all small gets an empty `.data` file, kept as the exporter wrote it.",
        "- `NAME.onnx_save_external.onnx` (for " + ", ".join(f"`{n}`" for n in EXTERNAL_RESAVE) + "):",
        "  the TorchScript export re-saved by `onnx.save(..., save_as_external_data=True,",
        "  all_tensors_to_one_file=True, location=\"NAME.onnx_save_external.weights\", size_threshold=0)`:",
        "  every tensor external, in a file not named `MODEL.onnx.data`, written by onnx's own writer.",
        "- `NAME.inputs.npy`: a batch of 4 inputs (float32; int64 token ids in [0, 20) for `embedding_rnn`).",
        "- `NAME.EXPORTER.reference.npy`: onnxruntime's output on those inputs (float32, CPU, one thread).",
        "- `manifest.json`: per model and export, the ONNX operators (sorted set and counts), opset, IR",
        "  version, input/output names and shapes, external-data use, any `export_error`, and the check",
        "  against PyTorch eager.",
        "",
        "Every export is checked: onnxruntime's output vs PyTorch eager, max |ort - torch| / max |torch|,",
        f"on the 4-input batch and on batches of 1 and 3 (so the batch dimension is really dynamic);",
        f"tolerance {manifest['tolerance_max_rel_diff']:g}.",
        "",
        "## Regenerating",
        "",
        "From the repository root:",
        "",
        "    python3 Tools/make_pytorch_fixtures.py",
        "",
        "It deletes and rewrites this folder. Deterministic (per-model seeds from the model name, one thread,",
        "no timestamps). Made with " + ", ".join(f"{k} {v[k]}" for k in
                                                ("torch", "onnxscript", "onnx", "onnxruntime", "numpy", "python")) + ".",
        "torch was the CPU wheel (`torch==" + v["torch"] + "`, no CUDA packages); the dynamo exporter needs",
        "`onnxscript` (which brings `onnx_ir` and `ml_dtypes`). Tests never need torch: the files are committed.",
        "",
        "## Models",
        "",
        "| model | input | architecture | parameters |",
        "|---|---|---|---|",
    ]
    for m in manifest["models"]:
        shape = "[" + ", ".join(map(str, m["input_shape"])) + "] " + m["input_dtype"]
        lines.append(f"| `{m['name']}` | {shape} | {m['description']} | {m['torch_parameters']} |")
    lines += [
        "",
        "## Operators per export",
        "",
        "| model | exporter | opset | operators | external tensors |",
        "|---|---|---|---|---|",
    ]
    for m in manifest["models"]:
        for exporter, e in m["exports"].items():
            if "export_error" in e:
                lines.append(f"| `{m['name']}` | {exporter} | | export failed: {e['export_error'][:200]} | |")
                continue
            ext = f"{e['external_initializers']} of {e['initializers']}"
            lines.append(f"| `{m['name']}` | {exporter} | {e['opset']} | {', '.join(e['operators'])} | {ext} |")
    lines.append("")
    (OUT / "README.md").write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
