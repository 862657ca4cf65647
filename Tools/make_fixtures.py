#!/usr/bin/env python3
"""Build the ExplainCert test fixtures: small ONNX models, test data and onnxruntime reference outputs.

Run from the repository root:

    python3 Tools/make_fixtures.py

Everything is written under Fixtures/ (models/, data/, text/, reference/, README.md).
The script is deterministic: fixed seeds, single-threaded BLAS, no timestamps in the files,
so re-running it on the same machine reproduces every file bit for bit.

Models are built with onnx.helper (opset 17, IR version 8, float32 weights). Training uses
scikit-learn (MLP) and hand-written numpy backprop with Adam (CNN, RNNs); no deep-learning
framework is needed. Each model's test accuracy is measured with onnxruntime on the exported
model and printed.
"""
import os

# Single-threaded BLAS before numpy is imported: multi-threaded reductions can change the
# last bits of a float sum, and the fixtures must be reproducible bit for bit.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse
import hashlib
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

OPSET = 17
IR_VERSION = 8  # the oldest IR version that allows opset 17: readable by most tools
SPLIT_SEED = 0
REPO = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------
# ONNX helpers
# --------------------------------------------------------------------------------------------


def init(name, array):
    """Initializer from a numpy array (float arrays become float32)."""
    a = np.asarray(array)
    if a.dtype.kind == "f":
        a = a.astype(np.float32)
    return numpy_helper.from_array(a, name=name)


def make_model(name, nodes, inputs, outputs, initializers, doc):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=initializers)
    graph.doc_string = doc
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="ExplainCert Tools/make_fixtures.py",
        producer_version="1",
        ir_version=IR_VERSION,
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def ort_session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def ort_run(path, x):
    sess = ort_session(path)
    (inp,) = sess.get_inputs()
    return sess.run(None, {inp.name: x})[0]


# --------------------------------------------------------------------------------------------
# Training helpers (numpy)
# --------------------------------------------------------------------------------------------


class Adam:
    def __init__(self, params, lr=1e-2, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0):
        self.p, self.lr, self.b1, self.b2, self.eps = params, lr, b1, b2, eps
        self.wd = weight_decay  # decoupled (AdamW)
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads, clip=None):
        if clip is not None:
            norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
            if norm > clip:
                grads = {k: g * (clip / norm) for k, g in grads.items()}
        self.t += 1
        for k, g in grads.items():
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * g * g
            mh = self.m[k] / (1 - self.b1**self.t)
            vh = self.v[k] / (1 - self.b2**self.t)
            self.p[k] -= self.lr * (mh / (np.sqrt(vh) + self.eps) + self.wd * self.p[k])


def softmax_xent(logits, y):
    """Mean cross-entropy and its gradient with respect to the logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y] + 1e-12))
    g = p
    g[np.arange(n), y] -= 1
    return loss, g / n


def batches(n, size, rng):
    idx = rng.permutation(n)
    for s in range(0, n, size):
        yield idx[s : s + size]


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def digits_split():
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)  # pixels 0..16 -> [0, 1]; k/16 is exact in float32
    y = d.target.astype(np.int64)
    return train_test_split(x, y, test_size=0.25, random_state=SPLIT_SEED, stratify=y)


def accuracy(scores, y):
    return float(np.mean(np.argmax(scores, axis=1) == y))


# --------------------------------------------------------------------------------------------
# (a) digits MLP 64-32-32-10
# --------------------------------------------------------------------------------------------


def build_digits_mlp(xtr, ytr):
    clf = MLPClassifier(
        hidden_layer_sizes=(32, 32),
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size=64,
        learning_rate_init=1e-3,
        max_iter=300,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(xtr.astype(np.float64), ytr)
    inits, nodes, cur = [], [], "input"
    n_layers = len(clf.coefs_)
    for i, (w, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
        inits += [init(f"fc{i + 1}.weight", w.T), init(f"fc{i + 1}.bias", b)]  # W is [out, in]
        out = "logits" if i == n_layers - 1 else f"fc{i + 1}"
        nodes.append(
            helper.make_node("Gemm", [cur, f"fc{i + 1}.weight", f"fc{i + 1}.bias"], [out], name=f"fc{i + 1}", transB=1)
        )
        if i < n_layers - 1:
            nodes.append(helper.make_node("Relu", [out], [f"relu{i + 1}"], name=f"relu{i + 1}"))
            cur = f"relu{i + 1}"
    return make_model(
        "digits_mlp",
        nodes,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        inits,
        "MLP 64-32-32-10 (ReLU) on scikit-learn 8x8 digits, pixels/16. Output: logits.",
    )


# --------------------------------------------------------------------------------------------
# (b) digits CNN: Conv-BN-Relu-MaxPool-Conv-Relu-AvgPool-Flatten-Gemm
# --------------------------------------------------------------------------------------------


def im2col3(x):
    """x [B,C,H,W] -> columns [B*H*W, C*9] for a 3x3 kernel with padding 1 (ONNX Conv order)."""
    b, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    patches = np.stack([xp[:, :, i : i + h, j : j + w] for i in range(3) for j in range(3)], axis=2)
    return patches.transpose(0, 3, 4, 1, 2).reshape(b * h * w, c * 9)


def col2im3(dcols, shape):
    b, c, h, w = shape
    d = dcols.reshape(b, h, w, c, 9).transpose(0, 3, 4, 1, 2)
    dxp = np.zeros((b, c, h + 2, w + 2))
    k = 0
    for i in range(3):
        for j in range(3):
            dxp[:, :, i : i + h, j : j + w] += d[:, :, k]
            k += 1
    return dxp[:, :, 1:-1, 1:-1]


def conv3(x, w, bias):
    b, _, h, ww = x.shape
    f = w.shape[0]
    cols = im2col3(x)
    out = cols @ w.reshape(f, -1).T + bias
    return out.reshape(b, h, ww, f).transpose(0, 3, 1, 2), cols


def conv3_back(dout, cols, w, x_shape, need_dx):
    f = w.shape[0]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, f)
    dw = (d.T @ cols).reshape(w.shape)
    db = d.sum(axis=0)
    dx = col2im3(d @ w.reshape(f, -1), x_shape) if need_dx else None
    return dx, dw, db


def maxpool2(x):
    b, c, h, w = x.shape
    r = x.reshape(b, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(b, c, h // 2, w // 2, 4)
    am = np.argmax(r, axis=-1)  # first index on ties, like the ONNX runtimes
    return np.take_along_axis(r, am[..., None], axis=-1)[..., 0], am


def maxpool2_back(dout, am, shape):
    b, c, h, w = shape
    d = np.zeros((b, c, h // 2, w // 2, 4))
    np.put_along_axis(d, am[..., None], dout[..., None], axis=-1)
    return d.reshape(b, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(shape)


def avgpool2(x):
    b, c, h, w = x.shape
    return x.reshape(b, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


def avgpool2_back(dout):
    return np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3) / 4.0


BN_EPS = 1e-5


def cnn_forward(p, x, train, bn_stats=None):
    """Returns logits and a cache. train=True uses batch statistics for BatchNorm."""
    c1, cols1 = conv3(x, p["w1"], p["b1"])
    if train:
        mu = c1.mean(axis=(0, 2, 3))
        var = c1.var(axis=(0, 2, 3))
    else:
        mu, var = bn_stats
    inv = 1.0 / np.sqrt(var + BN_EPS)
    xhat = (c1 - mu[None, :, None, None]) * inv[None, :, None, None]
    bn = p["gamma"][None, :, None, None] * xhat + p["beta"][None, :, None, None]
    r1 = np.maximum(bn, 0)
    m1, am1 = maxpool2(r1)
    c2, cols2 = conv3(m1, p["w2"], p["b2"])
    r2 = np.maximum(c2, 0)
    a2 = avgpool2(r2)
    flat = a2.reshape(len(x), -1)
    logits = flat @ p["wf"].T + p["bf"]
    cache = dict(x=x, cols1=cols1, c1=c1, inv=inv, xhat=xhat, bn=bn, r1=r1, am1=am1, m1=m1, cols2=cols2, c2=c2, a2=a2, flat=flat)
    return logits, cache


def cnn_backward(p, cache, dlogits):
    g = {}
    g["wf"] = dlogits.T @ cache["flat"]
    g["bf"] = dlogits.sum(axis=0)
    dflat = dlogits @ p["wf"]
    da2 = dflat.reshape(cache["a2"].shape)
    dr2 = avgpool2_back(da2)
    dc2 = dr2 * (cache["c2"] > 0)
    dm1, g["w2"], g["b2"] = conv3_back(dc2, cache["cols2"], p["w2"], cache["m1"].shape, True)
    dr1 = maxpool2_back(dm1, cache["am1"], cache["r1"].shape)
    dbn = dr1 * (cache["bn"] > 0)
    xhat = cache["xhat"]
    g["gamma"] = (dbn * xhat).sum(axis=(0, 2, 3))
    g["beta"] = dbn.sum(axis=(0, 2, 3))
    dxhat = dbn * p["gamma"][None, :, None, None]
    m = dbn.shape[0] * dbn.shape[2] * dbn.shape[3]
    inv = cache["inv"][None, :, None, None]
    dc1 = (inv / m) * (
        m * dxhat - dxhat.sum(axis=(0, 2, 3), keepdims=True) - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True)
    )
    _, g["w1"], g["b1"] = conv3_back(dc1, cache["cols1"], p["w1"], cache["x"].shape, False)
    return g


def build_digits_cnn(xtr, ytr):
    rng = np.random.default_rng(1)
    ximg = xtr.reshape(-1, 1, 8, 8).astype(np.float64)
    p = {
        "w1": rng.normal(0, np.sqrt(2 / 9), (4, 1, 3, 3)),
        "b1": rng.normal(0, 0.1, 4),  # redundant before BN (its gradient is 0) but exercises Conv's bias
        "gamma": np.ones(4),
        "beta": np.zeros(4),
        "w2": rng.normal(0, np.sqrt(2 / 36), (8, 4, 3, 3)),
        "b2": np.zeros(8),
        "wf": rng.normal(0, np.sqrt(1 / 32), (10, 32)),
        "bf": np.zeros(10),
    }
    opt = Adam(p, lr=5e-3)
    for _epoch in range(40):
        for idx in batches(len(ximg), 64, rng):
            logits, cache = cnn_forward(p, ximg[idx], train=True)
            _, dl = softmax_xent(logits, ytr[idx])
            opt.step(cnn_backward(p, cache, dl))
    # Inference statistics: population mean/var of the first conv over the whole training set.
    c1, _ = conv3(ximg, p["w1"], p["b1"])
    mean, var = c1.mean(axis=(0, 2, 3)), c1.var(axis=(0, 2, 3))
    # The BN scale/bias must not be trivial; training keeps gamma/beta away from (1, 0) but check.
    assert np.all(np.abs(p["gamma"] - 1) > 1e-3) or np.all(np.abs(p["beta"]) > 1e-3)

    inits = [
        init("conv1.weight", p["w1"]),
        init("conv1.bias", p["b1"]),
        init("bn1.scale", p["gamma"]),
        init("bn1.bias", p["beta"]),
        init("bn1.mean", mean),
        init("bn1.var", var),
        init("conv2.weight", p["w2"]),
        init("conv2.bias", p["b2"]),
        init("fc.weight", p["wf"]),
        init("fc.bias", p["bf"]),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["conv1", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"], ["bn1"],
                         name="bn1", epsilon=BN_EPS, momentum=0.9),
        helper.make_node("Relu", ["bn1"], ["relu1"], name="relu1"),
        helper.make_node("MaxPool", ["relu1"], ["pool1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["pool1", "conv2.weight", "conv2.bias"], ["conv2"], name="conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["conv2"], ["relu2"], name="relu2"),
        helper.make_node("AveragePool", ["relu2"], ["pool2"], name="pool2", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool2"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    return make_model(
        "digits_cnn",
        nodes,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        inits,
        "CNN on 8x8 digits: Conv(4,3x3,pad1)-BatchNorm-Relu-MaxPool2-Conv(8,3x3,pad1)-Relu-AvgPool2-Flatten-Gemm.",
    )


# --------------------------------------------------------------------------------------------
# Elman ReLU RNN (ONNX RNN semantics): h_t = relu(W x_t + R h_{t-1} + Wb + Rb), h_0 = 0
# --------------------------------------------------------------------------------------------


def rnn_forward(p, xs):
    """xs [T,B,I] -> (h_T, list of pre-activations, list of hidden states h_0..h_T)."""
    t_len, b, _ = xs.shape
    hs = [np.zeros((b, p["R"].shape[0]))]
    pre = []
    for t in range(t_len):
        a = xs[t] @ p["W"].T + hs[-1] @ p["R"].T + p["Wb"] + p["Rb"]
        pre.append(a)
        hs.append(np.maximum(a, 0))
    return hs[-1], pre, hs


def rnn_backward(p, xs, pre, hs, dh, dhs=None):
    """BPTT through one ReLU RNN layer: dh is the gradient at the last state; dhs[t], if given,
    a gradient every step's output receives too (a layer under another one)."""
    g = {k: np.zeros_like(p[k]) for k in ("W", "R", "Wb", "Rb")}
    dxs = np.zeros_like(xs)
    for t in reversed(range(len(pre))):
        da = (dh if dhs is None else dh + dhs[t]) * (pre[t] > 0)
        g["W"] += da.T @ xs[t]
        g["R"] += da.T @ hs[t]
        g["Wb"] += da.sum(axis=0)
        dxs[t] = da @ p["W"]
        dh = da @ p["R"]
    g["Rb"] = g["Wb"].copy()
    return g, dxs


def rnn_init(rng, inp, hidden):
    return {
        "W": rng.normal(0, 1 / np.sqrt(inp), (hidden, inp)),
        "R": 0.5 * np.eye(hidden) + rng.normal(0, 0.05, (hidden, hidden)),  # IRNN-style, damped
        "Wb": rng.normal(0, 0.05, hidden),
        "Rb": np.zeros(hidden),  # Wb and Rb get equal updates and stay distinct: both are exercised
    }


def rnn_nodes_and_inits(p, x_name, prefix):
    hidden = p["R"].shape[0]
    inits = [
        init(f"{prefix}.W", p["W"][None]),
        init(f"{prefix}.R", p["R"][None]),
        init(f"{prefix}.B", np.concatenate([p["Wb"], p["Rb"]])[None]),
        init(f"{prefix}.squeeze_axes", np.array([0], dtype=np.int64)),
    ]
    nodes = [
        helper.make_node("RNN", [x_name, f"{prefix}.W", f"{prefix}.R", f"{prefix}.B"], ["", f"{prefix}.Y_h"],
                         name=prefix, activations=["Relu"], hidden_size=hidden, direction="forward"),
        helper.make_node("Squeeze", [f"{prefix}.Y_h", f"{prefix}.squeeze_axes"], [f"{prefix}.h"], name=f"{prefix}.squeeze"),
    ]
    return nodes, inits, f"{prefix}.h"


def build_digits_rnn(xtr, ytr):
    rng = np.random.default_rng(2)
    xs = xtr.reshape(-1, 8, 8).transpose(1, 0, 2).astype(np.float64)  # [T=8 rows, B, 8 pixels]
    p = rnn_init(rng, 8, 16)
    p["Wo"] = rng.normal(0, 1 / 4, (10, 16))
    p["bo"] = np.zeros(10)
    opt = Adam(p, lr=5e-3)
    for _epoch in range(80):
        for idx in batches(xs.shape[1], 64, rng):
            x = xs[:, idx]
            h, pre, hs = rnn_forward(p, x)
            _, dl = softmax_xent(h @ p["Wo"].T + p["bo"], ytr[idx])
            g, _ = rnn_backward(p, x, pre, hs, dl @ p["Wo"])
            g["Wo"] = dl.T @ h
            g["bo"] = dl.sum(axis=0)
            opt.step(g, clip=5.0)
    nodes, inits, h = rnn_nodes_and_inits(p, "input", "rnn")
    inits += [init("fc.weight", p["Wo"]), init("fc.bias", p["bo"])]
    nodes.append(helper.make_node("Gemm", [h, "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1))
    return make_model(
        "digits_rnn",
        nodes,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [8, "N", 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        inits,
        "ReLU RNN (hidden 16) reading an 8x8 digit row by row; input [seq=8, N, 8]; Y_h -> Gemm -> logits.",
    )


# --------------------------------------------------------------------------------------------
# (d) synthetic sentiment corpus and text RNN
# --------------------------------------------------------------------------------------------

NOUNS = ["movie", "film", "plot", "story", "acting", "cast", "ending", "script", "soundtrack", "music",
         "dialogue", "director", "performance", "show", "series", "book", "sequel", "villain", "hero",
         "humor", "pacing", "camera", "scene", "finale"]
POS_ADJ = ["good", "great", "excellent", "wonderful", "amazing", "brilliant", "fantastic", "superb",
           "enjoyable", "delightful", "charming", "beautiful", "lovely", "fun", "clever", "moving",
           "impressive", "solid", "nice", "fine", "perfect", "funny", "engaging", "memorable", "stunning",
           "touching", "gripping", "fresh", "smart", "pleasant"]
NEG_ADJ = ["bad", "terrible", "awful", "boring", "dull", "horrible", "poor", "weak", "annoying",
           "disappointing", "mediocre", "stupid", "painful", "ugly", "messy", "bland", "predictable",
           "forgettable", "tedious", "lame", "pointless", "awkward", "clumsy", "silly", "slow", "shallow",
           "confusing", "cheap", "unpleasant", "dreadful"]
INTENS = ["very", "really", "extremely", "so", "quite", "incredibly", "truly", "totally", "absolutely",
          "rather", "pretty", "super"]
NEGATORS = ["not", "never", "hardly", "barely"]
POS_VERB = ["loved", "liked", "enjoyed", "adored", "admired", "appreciated"]
NEG_VERB = ["hated", "disliked", "loathed", "despised", "resented", "detested"]
POS_VERB_BASE = ["love", "like", "enjoy", "adore", "admire", "appreciate"]
NEG_VERB_BASE = ["hate", "dislike", "loathe", "despise", "resent", "detest"]
DETS = ["the", "this", "that"]
BE = ["is", "was", "seems", "felt", "looked"]
OPENERS = ["overall", "honestly", "frankly", "basically", "well"]
SUBJ = ["i", "we", "my friends", "everyone"]

SYNONYMS = {
    "good": ["great", "fine", "nice"], "great": ["good", "excellent", "superb"],
    "excellent": ["great", "superb", "brilliant"], "wonderful": ["amazing", "lovely", "delightful"],
    "amazing": ["fantastic", "wonderful", "stunning"], "brilliant": ["excellent", "superb", "clever"],
    "fantastic": ["amazing", "wonderful"], "enjoyable": ["pleasant", "fun", "engaging"],
    "funny": ["fun", "clever"], "moving": ["touching"], "touching": ["moving"],
    "bad": ["poor", "awful", "terrible"], "terrible": ["awful", "horrible", "dreadful"],
    "awful": ["terrible", "horrible", "dreadful"], "horrible": ["awful", "terrible"],
    "boring": ["dull", "tedious", "bland"], "dull": ["boring", "tedious", "bland"],
    "tedious": ["boring", "dull"], "stupid": ["silly", "pointless"], "poor": ["bad", "weak"],
    "weak": ["poor", "lame"], "forgettable": ["bland", "mediocre"],
    "very": ["really", "extremely", "truly"], "really": ["very", "truly"], "extremely": ["incredibly", "very"],
    "totally": ["absolutely"], "absolutely": ["totally"],
    "movie": ["film"], "film": ["movie"], "plot": ["story"], "story": ["plot"], "show": ["series"],
    "series": ["show"], "ending": ["finale"], "finale": ["ending"], "music": ["soundtrack"],
    "soundtrack": ["music"], "loved": ["adored", "enjoyed"], "liked": ["enjoyed", "appreciated"],
    "hated": ["loathed", "despised", "detested"], "disliked": ["resented"],
    "love": ["adore", "enjoy"], "hate": ["loathe", "despise", "detest"],
    "not": ["never"], "never": ["not"], "hardly": ["barely"], "barely": ["hardly"],
    "is": ["was"], "was": ["is"], "the": ["this"], "this": ["the", "that"],
}


def gen_clause(rng):
    """A clause and its polarity (+1 positive, -1 negative)."""
    pol = rng.choice([1, -1])
    kind = rng.random()
    if kind < 0.55:  # "the plot was (not) (very) good"
        neg = rng.random() < 0.35
        words = [rng.choice(DETS), rng.choice(NOUNS), rng.choice(BE)]
        if neg:
            words.append(rng.choice(NEGATORS))
        if rng.random() < 0.45:
            words.append(rng.choice(INTENS))
        words.append(rng.choice(POS_ADJ if pol > 0 else NEG_ADJ))
        return words, -pol if neg else pol
    if kind < 0.8:  # "i (really) loved the film" / "i did not like the film"
        subj = rng.choice(SUBJ).split()
        noun = [rng.choice(DETS), rng.choice(NOUNS)]
        if rng.random() < 0.35:
            base = rng.choice(POS_VERB_BASE if pol > 0 else NEG_VERB_BASE)
            return subj + ["did", "not", base] + noun, -pol
        adv = [rng.choice(["really", "truly", "totally", "absolutely"])] if rng.random() < 0.3 else []
        return subj + adv + [rng.choice(POS_VERB if pol > 0 else NEG_VERB)] + noun, pol
    if kind < 0.9:  # "what a (truly) brilliant film"
        adv = [rng.choice(INTENS)] if rng.random() < 0.4 else []
        adj = rng.choice(POS_ADJ if pol > 0 else NEG_ADJ)
        article = "an" if (adv or [adj])[0][0] in "aeiou" else "a"
        return ["what", article] + adv + [adj, rng.choice(NOUNS)], pol
    # fixed phrases: recommendations, waste of time, worth watching
    if pol > 0:
        return rng.choice([
            ["i", "would", "recommend", "it", "to", "everyone"],
            [rng.choice(DETS), rng.choice(NOUNS), "is", "worth", "watching"],
            ["i", "would", "watch", "it", "again"],
            ["i", "would", "not", "call", "it", "bad"],
        ]), 1
    return rng.choice([
        ["i", "would", "not", "recommend", "it"],
        [rng.choice(DETS), rng.choice(NOUNS), "was", "a", "waste", "of", "time"],
        ["i", "would", "never", "watch", "it", "again"],
        ["i", "want", "my", "money", "back"],
    ]), -1


def gen_sentence(rng):
    r = rng.random()
    if r < 0.3:  # contrast: the clause after "but" decides
        (w1, p1), (w2, p2) = gen_clause(rng), gen_clause(rng)
        while p1 == p2:
            w2, p2 = gen_clause(rng)
        return w1 + ["but"] + w2, p2
    if r < 0.45:  # agreement
        w1, p1 = gen_clause(rng)
        w2, p2 = gen_clause(rng)
        while p2 != p1:
            w2, p2 = gen_clause(rng)
        return w1 + ["and"] + w2, p1
    words, pol = gen_clause(rng)
    if rng.random() < 0.25:
        words = [rng.choice(OPENERS)] + words
    return words, pol


def make_corpus(n=2000):
    rng = random.Random(3)
    seen, out = set(), []
    while len(out) < n:
        words, pol = gen_sentence(rng)
        s = " ".join(words)
        if s not in seen:
            seen.add(s)
            out.append((s, 1 if pol > 0 else 0))
    rng.shuffle(out)
    n_train = n * 3 // 4
    return out[:n_train], out[n_train:]


def build_vocab(sentences):
    words = sorted({w for s, _ in sentences for w in s.split()} | {w for ws in SYNONYMS.values() for w in ws} | set(SYNONYMS))
    vocab = ["<pad>", "<unk>"] + words
    return vocab, {w: i for i, w in enumerate(vocab)}


def encode(sentence, index):
    return [index.get(w, 1) for w in sentence.split()]


def by_length(pairs):
    groups = {}
    for ids, label in pairs:
        groups.setdefault(len(ids), []).append((ids, label))
    return groups


def build_text_rnn(train, index):
    rng = np.random.default_rng(4)
    vocab_size, emb_dim, hidden = len(index), 8, 12
    p = rnn_init(rng, emb_dim, hidden)
    p["E"] = rng.normal(0, 0.5, (vocab_size, emb_dim))
    p["wo"] = rng.normal(0, 1 / np.sqrt(hidden), (1, hidden))
    p["bo"] = np.zeros(1)
    groups = by_length([(encode(s, index), y) for s, y in train])
    # Weight decay keeps the logits moderate (|logit| < ~10): without it the task is learned so well
    # that float32 sigmoid outputs saturate to exactly 0 or 1.
    opt = Adam(p, lr=5e-3, weight_decay=0.2)
    for _epoch in range(40):
        mbs = []
        for length in sorted(groups):
            g = groups[length]
            order = rng.permutation(len(g))
            mbs += [[g[i] for i in order[s : s + 32]] for s in range(0, len(g), 32)]
        for k in rng.permutation(len(mbs)):
            mb = mbs[k]
            ids = np.array([ids for ids, _ in mb]).T  # [T, B]
            y = np.array([lab for _, lab in mb], dtype=np.float64)
            xs = p["E"][ids]
            h, pre, hs = rnn_forward(p, xs)
            z = (h @ p["wo"].T)[:, 0] + p["bo"][0]
            prob = 1 / (1 + np.exp(-z))
            dz = (prob - y) / len(y)  # d(mean BCE)/dz
            g, dxs = rnn_backward(p, xs, pre, hs, dz[:, None] @ p["wo"])
            g["wo"] = dz[None, :] @ h
            g["bo"] = np.array([dz.sum()])
            gE = np.zeros_like(p["E"])
            np.add.at(gE, ids.reshape(-1), dxs.reshape(-1, emb_dim))
            g["E"] = gE
            opt.step(g, clip=5.0)
    nodes = [helper.make_node("Gather", ["embedding.weight", "tokens"], ["embedded"], name="embedding", axis=0)]
    rnn_nodes, inits, h = rnn_nodes_and_inits(p, "embedded", "rnn")
    nodes += rnn_nodes
    inits = [init("embedding.weight", p["E"])] + inits + [init("fc.weight", p["wo"]), init("fc.bias", p["bo"])]
    nodes += [
        helper.make_node("Gemm", [h, "fc.weight", "fc.bias"], ["logit"], name="fc", transB=1),
        helper.make_node("Sigmoid", ["logit"], ["prob"], name="sigmoid"),
    ]
    return make_model(
        "text_rnn",
        nodes,
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["T", "N"])],
        [helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["N", 1])],
        inits,
        f"Sentiment classifier: token ids [T,N] -> Gather(embedding [{vocab_size},8]) -> ReLU RNN (hidden 12) "
        "-> Y_h -> Gemm -> 1 logit -> Sigmoid (prob of positive).",
    )


# --------------------------------------------------------------------------------------------
# (e) tiny hand-made nets on 2-D inputs
# --------------------------------------------------------------------------------------------

# Dyadic weights (exactly k/2^e) mixed with non-dyadic ones (0.1, 1/3, 0.7, ... rounded to float32).
TINY_W1 = np.array([[1.0, -1.0], [0.5, 0.25], [-0.75, 1.5], [0.1, -0.3]], dtype=np.float32)
TINY_B1 = np.array([0.0, 0.125, -0.5, 0.2], dtype=np.float32)
TINY_W2 = np.array([[1.0, -0.5, 0.25, 1 / 3]], dtype=np.float32)
TINY_B2 = np.array([0.0625], dtype=np.float32)
X2 = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])


def tiny_gemm_act_gemm(name, act_nodes, act_inits, doc):
    inits = [init("fc1.weight", TINY_W1), init("fc1.bias", TINY_B1),
             init("fc2.weight", TINY_W2), init("fc2.bias", TINY_B2)] + act_inits
    nodes = [helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1)]
    nodes += act_nodes
    nodes.append(helper.make_node("Gemm", ["a", "fc2.weight", "fc2.bias"], ["y"], name="fc2", transB=1))
    return make_model(name, nodes, [X2], [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1])], inits, doc)


def build_tiny_models():
    models = {}
    models["tiny_leaky"] = tiny_gemm_act_gemm(
        "tiny_leaky", [helper.make_node("LeakyRelu", ["h"], ["a"], name="leaky", alpha=0.1)], [],
        "Gemm 2->4, LeakyRelu(alpha=0.1), Gemm 4->1. Hand-set dyadic and non-dyadic weights.")
    models["tiny_clip"] = tiny_gemm_act_gemm(
        "tiny_clip", [helper.make_node("Clip", ["h", "clip.min", "clip.max"], ["a"], name="clip")],
        [init("clip.min", np.array(-0.5, dtype=np.float32)), init("clip.max", np.array(1.0, dtype=np.float32))],
        "Gemm 2->4, Clip(min=-0.5, max=1.0 as inputs), Gemm 4->1.")
    models["tiny_abs"] = tiny_gemm_act_gemm(
        "tiny_abs", [helper.make_node("Abs", ["h"], ["a"], name="abs")], [], "Gemm 2->4, Abs, Gemm 4->1.")
    models["tiny_prelu"] = tiny_gemm_act_gemm(
        "tiny_prelu", [helper.make_node("PRelu", ["h", "prelu.slope"], ["a"], name="prelu")],
        [init("prelu.slope", np.array([0.25, 0.1, 0.0, -0.5], dtype=np.float32))],
        "Gemm 2->4, PRelu (per-channel slope [0.25, 0.1, 0, -0.5]), Gemm 4->1.")

    # tiny_mixed: MatMul+Add, Relu, Sub/Mul/Div by constants (a constant first operand included),
    # Constant, Reshape, Transpose, Flatten, Identity, Concat, Dropout (inference: identity).
    w1 = np.array([[1.0, 0.5, -0.25, 0.1], [-1.0, 0.75, 1.5, -0.3]], dtype=np.float32)  # [in=2, out=4]
    b1 = np.array([0.0, -0.125, 0.25, 0.2], dtype=np.float32)
    w2 = np.array([[0.5, -1.0, 0.25], [0.125, 0.3, -0.5], [1.0, 0.0, 0.75], [-0.25, 0.5, 1 / 3],
                   [1.0, 0.25, -0.5], [-0.5, 1.0, 0.1], [0.25, -0.75, 1.0], [0.7, 0.5, -0.125]], dtype=np.float32)
    b2 = np.array([0.0625, -0.1, 0.5], dtype=np.float32)
    inits = [
        init("W1", w1), init("b1", b1),
        init("sub_c", np.array([0.25, -0.5, 0.1, 0.0], dtype=np.float32)),
        init("mul_c", np.array([2.0, 0.5, -1.5, 0.3], dtype=np.float32)),
        init("div_c", np.array(3.0, dtype=np.float32)),  # division by 3: not dyadic
        init("dropout.ratio", np.array(0.25, dtype=np.float32)),
        init("W2", w2), init("b2", b2),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["mm1"], name="matmul1"),
        helper.make_node("Add", ["mm1", "b1"], ["lin1"], name="add1"),
        helper.make_node("Relu", ["lin1"], ["r1"], name="relu1"),
        helper.make_node("Sub", ["r1", "sub_c"], ["s1"], name="sub"),
        helper.make_node("Mul", ["mul_c", "s1"], ["m1"], name="mul"),  # constant as first operand
        helper.make_node("Div", ["m1", "div_c"], ["d1"], name="div"),
        helper.make_node("Constant", [], ["shape3"], name="shape_const",
                         value=numpy_helper.from_array(np.array([-1, 2, 2], dtype=np.int64), name="shape3")),
        helper.make_node("Reshape", ["d1", "shape3"], ["rs"], name="reshape"),
        helper.make_node("Transpose", ["rs"], ["tr"], name="transpose", perm=[0, 2, 1]),
        helper.make_node("Flatten", ["tr"], ["fl"], name="flatten", axis=1),
        helper.make_node("Identity", ["r1"], ["id1"], name="identity"),
        helper.make_node("Concat", ["fl", "id1"], ["cat"], name="concat", axis=1),
        helper.make_node("Dropout", ["cat", "dropout.ratio"], ["dr"], name="dropout"),
        helper.make_node("MatMul", ["dr", "W2"], ["mm2"], name="matmul2"),
        helper.make_node("Add", ["mm2", "b2"], ["y"], name="add2"),
    ]
    models["tiny_mixed"] = make_model(
        "tiny_mixed", nodes, [X2], [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])], inits,
        "MatMul+Add 2->4, Relu, Sub/Mul/Div by constants, Reshape [-1,2,2] (Constant shape), Transpose, Flatten, "
        "Identity, Concat -> 8, Dropout (inference), MatMul+Add 8->3.")
    return models


def tiny_inputs():
    """20 points: 12 hand-picked dyadic points (some on region boundaries), 8 random float32 points."""
    hand = np.array([
        [0.0, 0.0], [0.5, 0.5],      # fc1 row 0 (x0 - x1) is exactly 0: a ReLU/LeakyRelu/Abs tie
        [1.0, 0.0],                  # fc1 row 0 is exactly 1.0 = clip max
        [-0.5, 0.0],                 # fc1 row 0 is exactly -0.5 = clip min
        [1.0, -1.0], [-1.0, 1.0], [0.25, -0.75], [2.0, 1.0], [-1.5, -0.5], [0.125, 0.375],
        [1.0, 0.5],                  # fc1 row 2 (-0.75 x0 + 1.5 x1 - 0.5) is exactly -0.5
        [-0.25, -0.625],
    ], dtype=np.float32)
    rnd = np.random.default_rng(5).uniform(-2, 2, (8, 2)).astype(np.float32)
    return np.concatenate([hand, rnd])


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def human_ops(model):
    ops = []
    for n in model.graph.node:
        if n.op_type not in ops:
            ops.append(n.op_type)
    return ", ".join(ops)


def io_desc(model):
    def dims(v):
        return "[" + ", ".join(d.dim_param if d.dim_param else str(d.dim_value) for d in v.type.tensor_type.shape.dim) + "]"

    def typ(v):
        return {"FLOAT": "float32"}.get(TensorProto.DataType.Name(v.type.tensor_type.elem_type), TensorProto.DataType.Name(v.type.tensor_type.elem_type).lower())

    i, o = model.graph.input[0], model.graph.output[0]
    return f"`{i.name}` {typ(i)} {dims(i)}", f"`{o.name}` {typ(o)} {dims(o)}"


def write_readme(out, rows, text_info):
    lines = [
        "# Fixtures",
        "",
        "Small models, data and onnxruntime reference outputs for ExplainCert's tests.",
        "Everything here is generated by `python3 Tools/make_fixtures.py` (run from the repository root;",
        "deterministic: fixed seeds, single-threaded BLAS, no timestamps, so a re-run reproduces the files",
        "bit for bit on the same machine). Needs Python 3 with numpy, onnx, onnxruntime and scikit-learn.",
        "",
        "All models: ONNX opset 17, IR version 8, float32 weights, built with `onnx.helper` and checked",
        "with `onnx.checker.check_model(full_check=True)`. Symbolic dims: `N` = batch, `T` = sequence length.",
        "",
        "| file | architecture | operators | input | output | test accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| `models/{r['file']}` | {r['arch']} | {r['ops']} | {r['input']} | {r['output']} | {r['acc']} |")
    lines += [
        "",
        "Accuracies are measured by the script with onnxruntime on the exported float32 models:",
        "digits models on the full held-out split of scikit-learn's `load_digits` (450 images; split",
        f"`train_test_split(test_size=0.25, stratify=y, random_state={SPLIT_SEED})`, pixels divided by 16),",
        f"the text model on all {text_info['n_test']} test sentences.",
        "",
        "## Training",
        "",
        "- `digits_mlp`: scikit-learn `MLPClassifier(hidden_layer_sizes=(32, 32), relu, adam, random_state=0)`.",
        "- `digits_cnn`: numpy backprop + Adam, 40 epochs, BatchNormalization trained in training mode",
        "  (batch statistics); the exported mean/var are the population statistics of the first conv over the",
        "  training set and scale/bias are the trained affine parameters (not an identity transform).",
        "  `conv1.bias` is kept (non-zero, untrained since BN cancels it) to exercise Conv with a bias.",
        "- `digits_rnn`, `text_rnn`: numpy BPTT + Adam (gradient norm clipped at 5), IRNN-style recurrent init;",
        "  `text_rnn` uses decoupled weight decay 0.2 so its logits stay moderate (sigmoid outputs do not saturate).",
        "  The ONNX `RNN` node has inputs X, W, R, B only (no `sequence_lens`, no `initial_h`: h0 = 0) and only",
        "  the `Y_h` output is used; `B` = [Wb, Rb] with both halves non-zero and different.",
        "- tiny nets: hand-set weights mixing dyadic values (1, -0.75, 0.125, ...) and non-dyadic float32",
        "  values (0.1, -0.3, 1/3, 0.7, LeakyRelu alpha 0.1, division by 3).",
        "",
        "## Data (`data/`)",
        "",
        "| file | dtype, shape | contents |",
        "|---|---|---|",
        "| `digits_test.npy` | float32 [100, 64] | first 100 test images, pixels in [0, 1] (multiples of 1/16) |",
        "| `digits_test_images.npy` | float32 [100, 1, 8, 8] | the same images as NCHW |",
        "| `digits_test_rows.npy` | float32 [8, 100, 8] | the same images as RNN input [row, N, column] |",
        "| `digits_test_labels.npy` | int64 [100] | their labels |",
        f"| `text_test_ids.npy` | int64 [{text_info['T']}, {text_info['N']}] | token ids of the first {text_info['N']} test sentences with exactly {text_info['T']} tokens (no padding: an RNN would read the pads) |",
        f"| `text_test_labels.npy` | int64 [{text_info['N']}] | their labels (1 = positive) |",
        "| `tiny_inputs.npy` | float32 [20, 2] | 12 hand-picked dyadic points (several exactly on a ReLU/Clip boundary of the tiny nets' first layer: (0,0), (0.5,0.5), (1,0), (-0.5,0), (1,0.5)) and 8 random points in [-2, 2] |",
        "",
        "## Text (`text/`)",
        "",
        f"A synthetic sentiment corpus of {text_info['n_total']} distinct sentences (seeded templates with negation",
        "\"not/never/hardly/barely\", \"did not like\", intensifiers, and \"X but Y\" contrasts where the clause after",
        f"\"but\" decides), split 3:1 into train/test. Vocabulary: {text_info['V']} tokens.",
        "",
        "- `vocab.txt`: one token per line, token id = line number (0-based); 0 = `<pad>`, 1 = `<unk>`.",
        "  Tokenization is lower-case whitespace splitting; unknown words map to 1.",
        "- `synonyms.tsv`: `word<TAB>syn1,syn2,...`; every synonym is in the vocabulary and keeps the sentiment.",
        "- `test.tsv`: `sentence<TAB>label` for every test sentence (label 1 = positive); `text_test_ids.npy`",
        "  holds the first sentences in this file that have exactly the chosen length.",
        "",
        "## Reference outputs (`reference/`)",
        "",
        "`<model>__<data>.npy`: float32 outputs of onnxruntime (CPUExecutionProvider, one thread) for the model",
        "on the data file of the same name.",
        "",
        "| reference | shape |",
        "|---|---|",
    ]
    for name, shape in text_info["refs"]:
        lines.append(f"| `{name}` | {list(shape)} |")
    lines += [
        "",
        "## Other tools",
        "",
        "- `Tools/make_bench_model.py OUT.onnx`: an untrained 784-256-256-256-10 ReLU MLP for benchmarks (not committed).",
        "- `Tools/conformance.py`: compares `explaincert predict` with onnxruntime on every model here and in `../shared/models`.",
        "- `Tools/bench_reference.py MODEL.onnx`: onnxruntime latency/throughput as JSON.",
        "",
    ]
    (out / "README.md").write_text("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "Fixtures"), help="output directory (default: Fixtures/)")
    args = ap.parse_args()
    out = Path(args.out)
    for sub in ("models", "data", "text", "reference"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    rows, refs = [], []

    def save_model(name, model):
        path = out / "models" / f"{name}.onnx"
        onnx.save(model, str(path))
        onnx.checker.check_model(str(path), full_check=True)
        return path

    def reference(name, path, data_name, x):
        y = ort_run(path, x).astype(np.float32)
        np.save(out / "reference" / f"{name}__{data_name}.npy", y)
        refs.append((f"{name}__{data_name}.npy", y.shape))
        return y

    def row(name, model, arch, acc):
        i, o = io_desc(model)
        rows.append(dict(file=f"{name}.onnx", arch=arch, ops=human_ops(model), input=i, output=o, acc=acc))
        print(f"{name:12s} test accuracy {acc}   ({time.time() - t0:.1f}s)", flush=True)

    # digits data
    xtr, xte, ytr, yte = digits_split()
    digits_flat = xte[:100]
    digits_img = digits_flat.reshape(-1, 1, 8, 8)
    digits_rows = digits_flat.reshape(-1, 8, 8).transpose(1, 0, 2).copy()
    np.save(out / "data" / "digits_test.npy", digits_flat)
    np.save(out / "data" / "digits_test_images.npy", digits_img)
    np.save(out / "data" / "digits_test_rows.npy", digits_rows)
    np.save(out / "data" / "digits_test_labels.npy", yte[:100])

    # (a) MLP
    m = build_digits_mlp(xtr, ytr)
    path = save_model("digits_mlp", m)
    acc = accuracy(ort_run(path, xte), yte)
    reference("digits_mlp", path, "digits_test", digits_flat)
    row("digits_mlp", m, "MLP 64-32-32-10, ReLU", f"{acc:.4f}")

    # (b) CNN
    m = build_digits_cnn(xtr, ytr)
    path = save_model("digits_cnn", m)
    acc = accuracy(ort_run(path, xte.reshape(-1, 1, 8, 8)), yte)
    reference("digits_cnn", path, "digits_test_images", digits_img)
    row("digits_cnn", m, "Conv(4,3x3,pad 1)-BN-ReLU-MaxPool 2x2-Conv(8,3x3,pad 1)-ReLU-AvgPool 2x2-Flatten-Gemm 32->10", f"{acc:.4f}")
    assert acc > 0.85, f"digits_cnn accuracy {acc} too low"

    # (c) digits RNN
    m = build_digits_rnn(xtr, ytr)
    path = save_model("digits_rnn", m)
    acc = accuracy(ort_run(path, xte.reshape(-1, 8, 8).transpose(1, 0, 2).copy()), yte)
    reference("digits_rnn", path, "digits_test_rows", digits_rows)
    row("digits_rnn", m, "ReLU RNN (8 steps of 8 pixels, hidden 16) -> Y_h -> Gemm 16->10", f"{acc:.4f}")
    assert acc > 0.8, f"digits_rnn accuracy {acc} too low"

    # (d) text RNN
    train, test = make_corpus(2000)
    vocab, index = build_vocab(train + test)
    for w, syns in SYNONYMS.items():
        assert w in index and all(s in index for s in syns), w
    (out / "text" / "vocab.txt").write_text("\n".join(vocab) + "\n")
    (out / "text" / "synonyms.tsv").write_text("".join(f"{w}\t{','.join(s)}\n" for w, s in SYNONYMS.items()))
    (out / "text" / "test.tsv").write_text("".join(f"{s}\t{y}\n" for s, y in test))
    m = build_text_rnn(train, index)
    path = save_model("text_rnn", m)
    sess = ort_session(path)
    correct = 0
    for length, group in sorted(by_length([(encode(s, index), y) for s, y in test]).items()):
        ids = np.array([g[0] for g in group], dtype=np.int64).T
        prob = sess.run(None, {"tokens": ids})[0][:, 0]
        correct += int(np.sum((prob > 0.5) == np.array([g[1] for g in group], dtype=bool)))
    acc = correct / len(test)
    T, N = 10, 8
    chosen = [(encode(s, index), y) for s, y in test if len(s.split()) == T][:N]
    assert len(chosen) == N, "not enough test sentences of length T"
    text_ids = np.array([c[0] for c in chosen], dtype=np.int64).T.copy()
    np.save(out / "data" / "text_test_ids.npy", text_ids)
    np.save(out / "data" / "text_test_labels.npy", np.array([c[1] for c in chosen], dtype=np.int64))
    reference("text_rnn", path, "text_test_ids", text_ids)
    row("text_rnn", m, f"Gather(embedding {len(vocab)}x8) -> ReLU RNN (hidden 12) -> Y_h -> Gemm 12->1 -> Sigmoid", f"{acc:.4f}")

    # (e) tiny nets
    xt = tiny_inputs()
    np.save(out / "data" / "tiny_inputs.npy", xt)
    archs = {
        "tiny_leaky": "Gemm 2->4, LeakyRelu(0.1), Gemm 4->1",
        "tiny_clip": "Gemm 2->4, Clip[-0.5, 1] (min/max as inputs), Gemm 4->1",
        "tiny_abs": "Gemm 2->4, Abs, Gemm 4->1",
        "tiny_prelu": "Gemm 2->4, PRelu (per-channel), Gemm 4->1",
        "tiny_mixed": "MatMul+Add 2->4, Relu, Sub/Mul/Div by constants, Reshape/Transpose/Flatten, Identity, Concat, Dropout, MatMul+Add 8->3",
    }
    for name, m in build_tiny_models().items():
        path = save_model(name, m)
        reference(name, path, "tiny_inputs", xt)
        row(name, m, archs[name], "n/a (hand-set)")

    write_readme(out, rows, dict(n_test=len(test), n_total=len(train) + len(test), V=len(vocab), T=T, N=N, refs=refs))

    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"wrote {out} ({total / 1024:.0f} KiB) in {time.time() - t0:.1f}s")
    for f in sorted(out.rglob("*")):
        if f.is_file():
            print(f"  {hashlib.sha256(f.read_bytes()).hexdigest()[:16]}  {f.relative_to(out)}")


if __name__ == "__main__":
    sys.exit(main())
