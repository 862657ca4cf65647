#!/usr/bin/env python3
"""An independent checker of ExplainCert certificates.

    python3 Tools/check_certificate.py MODEL.onnx CERT.json [CERT2.json ...]

A second, small implementation that shares no code with ExplainCert (Python 3, `onnx`, `numpy`
and `fractions` only). It is written for ExplainCert 0.1.0 (semantics explaincert-semantics/1).
From the ONNX file and each certificate's input it re-derives, in exact rational arithmetic
and, for the float findings, in float32 in ExplainCert's fixed order, everything the
certificate states and compares:

  tool, version    "explaincert" and "0.1.0": the version whose float order and notes this
                   checker reproduces; a certificate of another version is rejected
  model            the base name of MODEL.onnx as given on the command line (certify writes the
                   base name of the file it certified)
  modelSHA256      the SHA-256 of the model file's bytes
  input            x0 (the body's input), each a float64 (the float run is at float32(x0)); for
                   token models it must be exactly the embedding rows of `tokens`, and
                   `inputShape` must be the token shape plus the width
  pattern          the activation pattern at x0, site by site (node, operator, choices)
  outputs          per body output: its name and shape, A, c and value = f(x0), exactly
  identityHolds    whether A·x0 + c = f(x0) holds as an identity of rationals
  inputInRegion    whether x0 satisfies every inequality G·x <= h of the region P
  constraints      the number of inequalities of P
  ties             the number of exact ties: per breakpoint, the elements exactly at it (an RNN
                   step's pre-activations included), plus the MaxPool windows whose largest
                   value occurs more than once (identities such as 0 = 0 included)
  radii            linf and l1 exactly; l2Lower <= r2 <= l2Upper (the stored bounds must bracket
                   the true r2 = min_i slack_i/||g_i||_2, checked with squares, exactly)
  floatFindings    maxAbsoluteError and maxRelativeError bit for bit, and flippedNeurons exactly
                   (every neuron where the float32 pattern differs from the exact one, in site
                   and element order, none other), from the float32 run described below
  notes            the notes ExplainCert 0.1.0 writes for this model, string by string: four
                   always, then one each when a BatchNormalization or an output link (Softmax,
                   LogSoftmax, Sigmoid) reads the input, and one for a token model

A certificate is accepted only when every field agrees, it has no field outside this list
besides two optional inputs (`tokens`, checked with `input` above, and `radii.domain`, the box
of r_inf below), and the derived identity and membership hold. One line per certificate:
`ACCEPTED path` or `REJECTED path: field F: reason`. Exit 0 if all are accepted, 1 if any is
rejected, 2 on a malformed or unreadable file or a model this checker does not support (one line
on stderr naming the file).

Semantics (as documented by ExplainCert): the real-number evaluation of the network whose
parameters are the stored floats, each converted exactly (float.as_integer_ratio, never decimal
text). Constants a float runtime derives are rounded to float32 once, as ExplainCert does:
BatchNormalization's s = gamma/sqrt(var+eps) and t = beta - mean*s (each float32 operation
rounded), Gemm's beta*C when beta != 1, Clip bounds given as inputs, and nodes whose inputs are
all constants (folded in float32). Ties take the lower piece: the choice of an elementwise
function is the number of breakpoints strictly below its input (ReLU at 0 is inactive, Clip at
its min is saturated), MaxPool takes the first largest element of its window (padding is
skipped). Regions: per element, choice k > 0 gives z >= b_{k-1} and k < #breakpoints gives
z <= b_k; MaxPool gives z_k - z_chosen <= 0 for every other (non-padding) window element.
Inequalities whose row g_i is zero (identities such as 0 <= 0) count as constraints and for
membership but do not bound the radii. r_inf = min slack_i/||g_i||_1 and r_1 = min
slack_i/||g_i||_inf over the other rows ("inf" if none). With `radii.domain` (read as float64s,
as ExplainCert writes them: [lo, hi] for every coordinate, or the n lower bounds then the n upper
bounds of a box per coordinate), r_inf is the in-box radius: per row the smallest r with
phi_i(r) = sum_j |g_ij| min(r, room_ij) >= slack_i (room_ij: distance from x0_j to the box
face g_ij points at, at least 0), rows with phi_i(inf) < slack_i not bounding it. Output links
(Softmax, LogSoftmax, Sigmoid) are excluded: A and c describe their inputs.

The float findings (ExplainCert's float core, whose order Sources/CFixedOrderKernels/README.md
documents): every constant rounded once to float32 and every operation in float32. Each
product x·Wᵀ (Gemm, MatMul, Conv after im2col with zeros at the padding, AveragePool's window
sum as a product with ones, an RNN step's two products) computes each output as eight lane
sums (lane l adds the products of the indices p ≡ l mod 8 below 8·⌊k/8⌋, in increasing p),
combined as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)), then the remaining products in increasing p;
no fused multiply-add. A bias is added to the finished product; Gemm's alpha multiplies the
product before the bias; c − x is (x·(−1)) + c; an elementwise piece is z·slope + offset;
BatchNormalization is x·s + t; AveragePool divides the sum by the count; an RNN step is
z = x_t·Wᵀ + Wb, z = z + h·Rᵀ, z = z + Rb. The float pattern is that run's at float32(x0) (the
same choice rules, on float32 values). The float Jacobian is the same run on the n unit
vectors under the float pattern with every constant term dropped (biases, shifts, Clip's
saturation values, initial states). Per entry, error = |double(float32 entry) − A rounded to
the nearest double (ties to even)| in float64; maxAbsoluteError is the largest error and
maxRelativeError the largest error/|rounded A| over the entries whose rounded A is not 0
(maxima start at 0; a NaN is skipped, as Swift's max skips it).

Models this checker does not read are not judged (exit 2): operators outside SUPPORTED below
(ExplainCert reads more: Slice, Pad, Resize, ReduceMean, 1-D and 3-D windows, ...), and
initializers stored in external data files.

Not checked, and why:
  the tightness of l2Lower/l2Upper: ExplainCert derives them from 64-bit square-root bounds;
      any valid bracket (including "inf" as the upper bound) is accepted.
  whether rationals are written in lowest terms: they are compared as values.
"""

import hashlib
import json
import math
import os
import re
import sys
from fractions import Fraction
from functools import reduce

import numpy as np
import onnx
from onnx import numpy_helper

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
OFFSET_ROWS = 2  # rows 0 (the value at x0) and 1 (the constant term c) carry biases
LINKS = {"Softmax", "LogSoftmax", "Sigmoid"}
SUPPORTED = {
    "Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant",
    "Conv", "Div", "Dropout", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "Identity",
    "LeakyRelu", "MatMul", "MaxPool", "Mul", "Neg", "PRelu", "RNN", "Relu", "Reshape", "Squeeze",
    "Sub", "Transpose", "Unsqueeze",
} | LINKS
RATIONAL = re.compile(r"-?[0-9]+(/[0-9]+)?")

# The ExplainCert this checker is written for: its tool name, version and semantics. The float
# findings follow that version's float order and the notes its wording; another version's may
# differ, so its certificates are rejected rather than judged by the wrong rules.
TOOL = "explaincert"
VERSION = "0.1.0"
SEMANTICS = "explaincert-semantics/1"
# The notes ExplainCert 0.1.0 writes (Certifier.notes): four always, then one per feature.
NOTES = [
    f"Certified semantics ({SEMANTICS}, docs/certificate-schema.md): the real-number evaluation of the network"
    " whose parameters are the stored floats, converted exactly.",
    "Ties (a value exactly at a breakpoint) take the lower piece; MaxPool takes the first largest element.",
    "Constants the runtime computes when it loads the model (Gemm's β·C, Clip's bounds, folded constant"
    " subgraphs) are rounded once to float32, then used exactly.",
    "r₂ is bracketed by square roots bounded to 64 fractional bits; r∞ and r₁ are exact.",
]
BATCH_NORM_NOTE = ("BatchNormalization is folded as the runtime folds it: s = γ/sqrt(var+ε), t = β−μ·s, rounded"
                   " once to float32, then used exactly.")
LINKS_NOTE = "Output links ({}) are not piecewise linear: A and c describe their inputs."
TOKENS_NOTE = "The input space is the sequence of embedding vectors of the given tokens."


class Malformed(Exception):
    """A file that cannot be read or a model this checker does not support (exit 2)."""


class Reject(Exception):
    def __init__(self, field, reason):
        super().__init__(f"field {field}: {reason}")


# ---------------------------------------------------------------------------------------------
# Exact tensors: Python integers over one positive common denominator.

def lcm(a, b):
    return a // math.gcd(a, b) * b


def objects(values, shape):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


def exact(array):
    """A numeric array as (integer object array, common denominator), exactly."""
    a = np.asarray(array)
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)):
            raise Malformed("a constant holds a non-finite value")
        ratios = [float(v).as_integer_ratio() for v in a.ravel()]  # float32 -> float: exact
    else:
        ratios = [(int(v), 1) for v in a.ravel()]
    den = reduce(lcm, (q for _, q in ratios), 1)
    return objects([p * (den // q) for p, q in ratios], a.shape), den


class Ex:
    """A stack of exact tensors num/den; axis 0 is the row: 0 = value at x0, 1 = constant
    term, 2 + j = derivative along input j (so rows 1.. are the affine form under the pattern)."""

    def __init__(self, num, den):
        g = math.gcd(den, *num.ravel()) if num.size else den
        self.num, self.den = (num // g, den // g) if g > 1 else (num, den)

    @property
    def shape(self):
        return self.num.shape[1:]

    def rows(self, num):
        return Ex(num, self.den)


def common(*xs):
    den = reduce(lcm, (x.den for x in xs))
    return den, [x.num * (den // x.den) for x in xs]


def check_broadcast(x, c):
    if np.broadcast_shapes(x.shape, np.shape(c)) != tuple(x.shape):
        raise Malformed(f"a constant of shape {list(np.shape(c))} does not broadcast to {list(x.shape)}")


def shift(x, c):
    """x + c, c a constant added to the value and constant rows."""
    check_broadcast(x, c)
    cnum, cden = exact(c)
    den = lcm(x.den, cden)
    num = x.num * (den // x.den)
    num[:OFFSET_ROWS] = num[:OFFSET_ROWS] + cnum * (den // cden)
    return Ex(num, den)


def scale(x, c):
    check_broadcast(x, c)
    cnum, cden = exact(c)
    return Ex(x.num * cnum, x.den * cden)


def divide(x, c):
    check_broadcast(x, c)
    cnum, cden = exact(c)
    m = reduce(lcm, (abs(v) for v in cnum.ravel()), 1)
    factor = objects([m // v if v > 0 else -(m // -v) for v in cnum.ravel()], cnum.shape)
    return Ex(x.num * factor * cden, x.den * m)


def matmul(x, w):
    """x @ w over the last axis (w a 2-D constant)."""
    wnum, wden = exact(w)
    return Ex(np.matmul(x.num, wnum), x.den * wden)


# ---------------------------------------------------------------------------------------------
# Windows (Conv, MaxPool, AveragePool).

def window(attrs, kernel, hw):
    """(indices [positions, kernel elements] into the H*W plane, -1 for padding; out H, W)."""
    strides = attrs.get("strides", [1, 1])
    dilations = attrs.get("dilations", [1, 1])
    pads = list(attrs.get("pads", [0, 0, 0, 0]))
    auto_pad = attrs.get("auto_pad", b"NOTSET").decode() or "NOTSET"
    ceil_mode = attrs.get("ceil_mode", 0) != 0
    if len(kernel) != 2 or len(strides) != 2 or len(dilations) != 2 or len(pads) != 4:
        raise Malformed("only 2-D windows are supported")
    outs = [0, 0]
    for a in range(2):
        extent = dilations[a] * (kernel[a] - 1) + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            outs[a] = -(-hw[a] // strides[a])
            total = max(0, (outs[a] - 1) * strides[a] + extent - hw[a])
            pads[a] = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
        elif auto_pad == "VALID":
            pads[a] = 0
            outs[a] = (hw[a] - extent) // strides[a] + 1
        elif auto_pad == "NOTSET":
            span = hw[a] + pads[a] + pads[a + 2] - extent
            if span >= 0:
                outs[a] = (-(-span // strides[a]) if ceil_mode else span // strides[a]) + 1
                if ceil_mode and (outs[a] - 1) * strides[a] >= hw[a] + pads[a]:
                    outs[a] -= 1
        else:
            raise Malformed(f"unknown auto_pad '{auto_pad}'")
    if min(outs) < 1:
        raise Malformed(f"window {kernel} does not fit an input of {hw}")
    oy, ox, ky, kx = np.meshgrid(np.arange(outs[0]), np.arange(outs[1]), np.arange(kernel[0]),
                                 np.arange(kernel[1]), indexing="ij")
    y = oy * strides[0] - pads[0] + ky * dilations[0]
    x = ox * strides[1] - pads[1] + kx * dilations[1]
    inside = (y >= 0) & (y < hw[0]) & (x >= 0) & (x < hw[1])
    index = np.where(inside, y * hw[1] + x, -1)
    return index.reshape(outs[0] * outs[1], kernel[0] * kernel[1]), outs[0], outs[1]


def patches(x, index):
    """[R, N, C, positions, kernel] gathered from NCHW values, zeros where padding."""
    r, n, c, h, w = x.num.shape
    flat = np.concatenate([x.num.reshape(r, n, c, h * w), np.zeros((r, n, c, 1), dtype=object)], axis=3)
    return flat[:, :, :, np.where(index < 0, h * w, index)]


# ---------------------------------------------------------------------------------------------
# Evaluation under the pattern chosen at x0, with the region's inequalities.

class Run:
    """One evaluation: the sites (node, operator, choices), ties, and the inequality blocks
    (G as integers [m, n], h as integers [m], over one denominator)."""

    def __init__(self):
        self.sites, self.ties, self.blocks = [], 0, []

    def elementwise(self, z, breakpoints, pieces):
        """Choices (number of breakpoints strictly below z), inequalities and the output."""
        z0 = z.num[0].ravel()
        choices = np.zeros(z0.size, dtype=int)
        for b in breakpoints:
            scaled, t = z0 * b.denominator, b.numerator * z.den
            choices += (scaled > t).astype(bool)
            self.ties += int((scaled == t).astype(bool).sum())
        n = z.num.shape[0] - 2
        flat = z.num.reshape(n + 2, -1)
        bden = reduce(lcm, (b.denominator for b in breakpoints), 1)
        for lower in (True, False):
            rows = np.nonzero(choices > 0 if lower else choices < len(breakpoints))[0]
            if rows.size == 0:
                continue
            bounds = objects([breakpoints[c - 1 if lower else c] for c in choices[rows]], rows.shape)
            bnum = objects([b.numerator * (bden // b.denominator) * z.den for b in bounds], rows.shape)
            sign = -1 if lower else 1  # z >= b  <=>  -z <= -b
            g = sign * flat[2:, rows].T * bden
            h = sign * (bnum - flat[1, rows] * bden)
            self.blocks.append((g, h, z.den * bden))
        out = []
        for piece in pieces:
            if isinstance(piece, str) and piece == "zero":
                out.append(Ex(np.zeros_like(z.num), 1))
            elif isinstance(piece, str) and piece == "identity":
                out.append(z)
            elif isinstance(piece, Fraction):  # a constant piece
                num = np.zeros_like(z.num)
                num[:OFFSET_ROWS] = piece.numerator
                out.append(Ex(num, piece.denominator))
            else:  # a slope (broadcast constant)
                out.append(scale(z, piece))
        den, nums = common(*out)
        result = nums[0].copy()
        chosen = choices.reshape(z.shape)
        for k in range(1, len(nums)):
            result[:, chosen == k] = nums[k][:, chosen == k]
        return choices, Ex(result, den)

    def site(self, node, op, choices):
        self.sites.append((node_name(node), op, "".join(DIGITS[c] for c in choices)))

    def maxpool(self, x, index):
        """Argmax choices (first largest, padding skipped), inequalities and the output."""
        r, n, c, h, w = x.num.shape
        v = x.num[0].reshape(n * c, h * w)
        choices, chosen_flat, others, best_of_other = [], [], [], []
        for plane in range(n * c):
            for j in range(index.shape[0]):
                ks = [k for k in range(index.shape[1]) if index[j, k] >= 0]
                if not ks:
                    raise Malformed("a MaxPool window lies entirely in the padding")
                top = max(v[plane, index[j, k]] for k in ks)
                best = next(k for k in ks if v[plane, index[j, k]] == top)
                self.ties += sum(v[plane, index[j, k]] == top for k in ks) > 1
                choices.append(best)
                chosen = plane * h * w + index[j, best]
                chosen_flat.append(chosen)
                for k in ks:
                    if k != best:
                        others.append(plane * h * w + index[j, k])
                        best_of_other.append(chosen)
        flat = x.num.reshape(r, -1)
        if others:
            g = (flat[2:, others] - flat[2:, best_of_other]).T
            hvec = flat[1, best_of_other] - flat[1, others]
            self.blocks.append((g, hvec, x.den))
        out = flat[:, chosen_flat].reshape((r, n, c) + (index.shape[0],))
        return choices, out


# ---------------------------------------------------------------------------------------------
# The float32 run, in ExplainCert's fixed order (its Sources/CFixedOrderKernels/README.md), for
# the float findings. Every value is a float32 numpy array whose axis 0 counts copies (one copy:
# x0; n copies: the unit vectors of the Jacobian). numpy rounds every float32 multiply and add
# to float32 and fuses none; nothing here goes through float64 or a reordering sum (np.sum,
# np.dot, np.matmul are never applied to float32 values).

F32 = np.float32


def f32(c):
    """A constant as the float core holds it: each value rounded once to float32."""
    return np.asarray(c).astype(F32)


def fixed_dot(x, w):
    """out[..., o] = x[..., :] · w[o, :] in float32, every output in the kernels' order:
      1. eight lane sums, lane l adding x[p]·w[o, p] for p ≡ l (mod 8), p < 8·⌊k/8⌋, p increasing
         (each lane starts at +0; each product rounded before it is added: no fused multiply-add);
      2. the lanes combined as ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
      3. the remaining products, p >= 8·⌊k/8⌋, added in increasing p.
    Vectorized over the outputs; p is an explicit loop. (A bias the kernel adds to the result
    afterwards is added by the caller: bias + r = r + bias.)"""
    x, w = np.asarray(x), np.asarray(w)
    assert x.dtype == F32 and w.dtype == F32
    k = x.shape[-1]
    k8 = k - k % 8
    lanes = [np.zeros(x.shape[:-1] + (w.shape[0],), dtype=F32) for _ in range(8)]
    for p in range(k8):
        lanes[p % 8] += x[..., p, None] * w[:, p]
    s = lanes
    total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
    for p in range(k8, k):
        total += x[..., p, None] * w[:, p]
    return total


class FloatValue:
    """A float32 value that depends on the input (axis 0: copies)."""

    def __init__(self, v):
        assert v.dtype == F32, v.dtype
        self.v = v

    @property
    def shape(self):
        return self.v.shape[1:]


class FloatPass:
    """The choices of one float evaluation: recorded from copy 0 (the forward run at x0), or
    given (the Jacobian's run, which follows the float pattern at x0), one array per site."""

    def __init__(self, given=None):
        self.given, self.choices, self.site = given, [], 0

    def choose(self, z, breakpoints, part=slice(None)):
        """The choice of each element of one copy: the number of breakpoints (float32) strictly
        below it; `part` selects an RNN step's share of the site's choices."""
        if self.given is not None:
            return self.given[self.site][part].reshape(z.shape[1:])
        counts = np.zeros(z.shape[1:], dtype=np.int64)
        for b in breakpoints:
            counts += z[0] > b
        return counts

    def choose_max(self, values, index):
        """MaxPool's choice per window of one copy ([N, C, positions]): the position of the
        first largest element (a later one replaces it only when strictly larger), padding
        skipped; values are [copies, N, C, positions, window]."""
        if self.given is not None:
            return self.given[self.site].reshape(values.shape[1:4])
        v = values[0]
        best = np.full(v.shape[:3], -1, dtype=np.int64)
        top = np.zeros(v.shape[:3], dtype=F32)
        for k in range(v.shape[3]):
            take = (index[:, k] >= 0) & ((best < 0) | (v[..., k] > top))
            best = np.where(take, k, best)
            top = np.where(take, v[..., k], top).astype(F32)
        return np.maximum(best, 0)

    def record(self, choices):
        """Ends a site: keeps its choices (one copy's, flat)."""
        if self.given is None:
            self.choices.append(np.asarray(choices).ravel())
        self.site += 1


def pieces_applied(z, choices, slopes, offsets):
    """y = z·slope + offset of each element's chosen piece (ExplainCert's piecewise kernel: one
    float32 multiply, then one add); `choices` is one copy's, repeated over the copies."""
    shape = z.shape[1:]
    slope, offset = np.zeros(shape, dtype=F32), np.zeros(shape, dtype=F32)
    for k, (s, o) in enumerate(zip(slopes, offsets)):
        slope = np.where(choices == k, np.broadcast_to(f32(s), shape), slope).astype(F32)
        offset = np.where(choices == k, np.broadcast_to(f32(o), shape), offset).astype(F32)
    return z * slope + offset


def gathered_windows(v, index):
    """[copies, N, C, positions, window] from NCHW float32 values, +0 where the window reads
    padding (ExplainCert's im2col gathers zeros there; they stay in the products)."""
    r, n, c, h, w = v.shape
    flat = np.concatenate([v.reshape(r, n, c, h * w), np.zeros((r, n, c, 1), dtype=F32)], axis=3)
    return flat[:, :, :, np.where(index < 0, h * w, index)]


def node_name(node):
    return node.name or node.output[0]


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class Model:
    def __init__(self, path):
        try:
            with open(path, "rb") as f:
                data = f.read()
            self.proto = onnx.load_from_string(data)
        except Exception as error:  # noqa: BLE001 - any failure to read is a malformed file
            raise Malformed(f"cannot read the ONNX model: {error}") from None
        self.sha256 = hashlib.sha256(data).hexdigest()
        graph = self.proto.graph
        self.opset = next((o.version for o in self.proto.opset_import if o.domain in ("", "ai.onnx")), 0)
        external = [t.name for t in graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
        if external:  # ExplainCert's modelSHA256 then covers the external files too; not checked here
            raise Malformed(f"initializer '{external[0]}' is stored in an external data file; this checker"
                            " reads models whose data is all in the .onnx file")
        self.initializers = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        inputs = [i for i in graph.input if i.name not in self.initializers]
        if len(inputs) != 1:
            raise Malformed(f"the graph has {len(inputs)} variable inputs; one is supported")
        self.input = inputs[0].name
        tensor_type = inputs[0].type.tensor_type
        self.declared = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
                         for d in tensor_type.shape.dim]
        self.tokens = tensor_type.elem_type in (onnx.TensorProto.INT64, onnx.TensorProto.INT32)
        for node in graph.node:
            if node.domain not in ("", "ai.onnx") or node.op_type not in SUPPORTED:
                raise Malformed(f"unsupported operator '{node.op_type}' in node '{node_name(node)}'"
                                f" (this checker supports {', '.join(sorted(SUPPORTED))})")
        self.embedding = None
        if self.tokens:
            gathers = [n for n in graph.node if n.op_type == "Gather" and list(n.input[1:2]) == [self.input]]
            if len(gathers) != 1 or gathers[0].input[0] not in self.initializers \
                    or attributes(gathers[0]).get("axis", 0) != 0:
                raise Malformed("a token model must start with one Gather of a constant table on axis 0")
            self.embedding = gathers[0]
            self.table = self.initializers[gathers[0].input[0]]
            if self.table.ndim != 2:
                raise Malformed("the embedding table must be 2-D")
        links = {n.output[0]: n.input[0] for n in graph.node if n.op_type in LINKS}
        self.body_outputs = []
        for output in graph.output:
            name = links.get(output.name, output.name)
            if name not in self.body_outputs:
                self.body_outputs.append(name)
        self.file_name = os.path.basename(path)
        self.notes = self.certified_notes()

    def certified_notes(self):
        """The notes ExplainCert writes for this model. Its features are those of the nodes that
        read the input, directly or not (nodes over constants only are folded away)."""
        variables, operators = {self.input}, set()
        for node in self.proto.graph.node:
            if any(i in variables for i in node.input if i):
                variables.update(o for o in node.output if o)
                operators.add(node.op_type)
        notes = list(NOTES)
        if "BatchNormalization" in operators:
            notes.append(BATCH_NORM_NOTE)
        if operators & LINKS:
            notes.append(LINKS_NOTE.format(", ".join(sorted(operators & LINKS))))
        if self.tokens:
            notes.append(TOKENS_NOTE)
        return notes

    # The evaluation. `env` maps names to numpy constants or Ex values.
    def evaluate(self, x0, shape):
        n = len(x0)
        xden = reduce(lcm, (v.denominator for v in x0), 1)
        num = np.zeros((n + 2, n), dtype=object)
        num[0] = [v.numerator * (xden // v.denominator) for v in x0]
        for j in range(n):
            num[2 + j, j] = xden
        body_input = self.embedding.output[0] if self.embedding is not None else self.input
        env = dict(self.initializers)
        env[body_input] = Ex(num.reshape([n + 2] + list(shape)), xden)
        run = Run()
        for node in self.proto.graph.node:
            if node is self.embedding:
                continue
            try:
                self.step(node, env, run)
            except Malformed as error:
                raise Malformed(f"node '{node_name(node)}' ({node.op_type}): {error}") from None
            except (ValueError, IndexError, KeyError, TypeError) as error:
                raise Reject("inputShape", f"the model cannot be evaluated at the certificate's input"
                                           f" (node '{node_name(node)}', {node.op_type}: {error})") from None
        outputs = []
        for name in self.body_outputs:
            value = env.get(name)
            if not isinstance(value, Ex):
                raise Malformed(f"graph output '{name}' is not computed from the input")
            outputs.append((name, value))
        return run, outputs

    def step(self, node, env, run):
        op, attrs = node.op_type, attributes(node)
        if op == "Constant":
            env[node.output[0]] = self.constant_node(attrs)
            return
        present = [i for i in node.input if i]
        for i in present:
            if i not in env:
                raise Malformed(f"reads '{i}', which nothing computes")
        if not any(isinstance(env[i], Ex) for i in present):
            env[node.output[0]] = self.fold(node, [env[i] for i in present], attrs)
            return
        if op in LINKS:
            return
        x = env[node.input[0]]

        def const(k):
            value = env[node.input[k]] if k < len(node.input) and node.input[k] else None
            if isinstance(value, Ex):
                raise Malformed(f"input {k} must be a constant, but it depends on the input")
            return value

        def variable(value):
            if not isinstance(value, Ex):
                raise Malformed("the variable operand must come first")
            return value

        out = node.output[0]
        if op == "Gemm":
            x = variable(x)
            if attrs.get("transA", 0):
                x = x.rows(np.swapaxes(x.num, 1, 2))
            b = const(1)
            alpha, beta = np.float32(attrs.get("alpha", 1.0)), np.float32(attrs.get("beta", 1.0))
            y = matmul(x, b.T if attrs.get("transB", 0) else b)
            if alpha != 1:
                y = scale(y, alpha)
            c = const(2)
            if c is not None:
                y = shift(y, c if beta == 1 else (c.astype(np.float32) * beta).astype(np.float32))
            env[out] = y
        elif op == "MatMul":
            if isinstance(x, Ex):
                if np.ndim(const(1)) != 2:
                    raise Malformed("the constant right operand must be 2-D")
                env[out] = matmul(x, const(1))
            else:
                y, (anum, aden) = variable(env[node.input[1]]), exact(x)
                if x.ndim != 2 or len(y.shape) not in (1, 2):
                    raise Malformed("a constant left operand must be 2-D and the right 1-D or 2-D")
                env[out] = Ex(np.matmul(anum, y.num[..., None])[..., 0] if len(y.shape) == 1
                              else np.matmul(anum, y.num), y.den * aden)
        elif op in ("Add", "Sub", "Mul", "Div"):
            a, b = env[node.input[0]], env[node.input[1]]
            if isinstance(a, Ex) and isinstance(b, Ex):
                if op in ("Mul", "Div"):
                    raise Malformed("multiplies two tensors that depend on the input: not piecewise linear")
                if a.shape != b.shape:
                    raise Malformed("adds tensors of different shapes")
                den, (an, bn) = common(a, b)
                env[out] = Ex(an + bn if op == "Add" else an - bn, den)
            elif isinstance(a, Ex):
                env[out] = {"Add": lambda: shift(a, b), "Sub": lambda: shift(a, -np.asarray(b)),
                            "Mul": lambda: scale(a, b), "Div": lambda: divide(a, b)}[op]()
            elif op == "Add":
                env[out] = shift(b, a)
            elif op == "Sub":
                env[out] = shift(scale(b, np.float32(-1)), a)
            elif op == "Mul":
                env[out] = scale(b, a)
            else:
                raise Malformed("divides a constant by the input: not piecewise linear")
        elif op == "Neg":
            env[out] = scale(x, np.float32(-1))
        elif op in ("Relu", "LeakyRelu", "PRelu", "Abs", "Clip"):
            breakpoints, pieces = [Fraction(0)], None
            if op == "Relu":
                pieces = ["zero", "identity"]
            elif op == "LeakyRelu":
                pieces = [np.float32(attrs.get("alpha", np.float32(0.01))), "identity"]
            elif op == "PRelu":
                pieces = [const(1), "identity"]
            elif op == "Abs":
                pieces = [np.float32(-1), "identity"]
            else:
                if self.opset < 11:
                    lo, hi = attrs.get("min"), attrs.get("max")
                    lo, hi = [None if v is None else np.float32(v) for v in (lo, hi)]
                else:
                    lo, hi = [None if const(k) is None else np.float32(np.asarray(const(k)).ravel()[0]) for k in (1, 2)]
                breakpoints, pieces = [], []
                if lo is not None:
                    breakpoints.append(Fraction(float(lo)))
                    pieces.append(Fraction(float(lo)))
                pieces.append("identity")
                if hi is not None:
                    breakpoints.append(Fraction(float(hi)))
                    pieces.append(Fraction(float(hi)))
                if lo is not None and hi is not None and lo > hi:
                    raise Malformed("Clip min exceeds max")
            choices, env[out] = run.elementwise(x, breakpoints, pieces)
            run.site(node, op, choices)
        elif op == "Conv":
            w = const(1)
            r, n, c, h, wd = x.num.shape
            index, oh, ow = window(attrs, attrs.get("kernel_shape", list(w.shape[2:])), (h, wd))
            group = attrs.get("group", 1)
            cout, cg = w.shape[0], w.shape[1]
            if cg * group != c or cout % group:
                raise Malformed(f"weight {list(w.shape)} with group {group} does not fit {c} channels")
            p, (wnum, wden), cog = patches(x, index), exact(w), cout // group
            parts = []
            for g in range(group):
                pg = p[:, :, g * cg:(g + 1) * cg].transpose(0, 1, 3, 2, 4).reshape(r, n, oh * ow, -1)
                parts.append(np.matmul(pg, wnum[g * cog:(g + 1) * cog].reshape(cog, -1).T))
            y = Ex(np.concatenate(parts, axis=3).transpose(0, 1, 3, 2).reshape(r, n, cout, oh, ow), x.den * wden)
            bias = const(2)
            env[out] = shift(y, bias.reshape(-1, 1, 1)) if bias is not None else y
        elif op in ("MaxPool", "AveragePool", "GlobalAveragePool"):
            r, n, c, h, wd = x.num.shape
            kernel = [h, wd] if op == "GlobalAveragePool" else attrs["kernel_shape"]
            index, oh, ow = window({} if op == "GlobalAveragePool" else attrs, kernel, (h, wd))
            if op == "MaxPool":
                if len(node.output) > 1 and node.output[1]:
                    raise Malformed("the Indices output is not supported")
                choices, num = run.maxpool(x, index)
                env[out] = Ex(num.reshape(r, n, c, oh, ow), x.den)
                run.site(node, op, choices)
            else:
                sums = x.rows(patches(x, index).sum(axis=4).reshape(r, n, c, oh, ow))
                include = op == "GlobalAveragePool" or attrs.get("count_include_pad", 0) != 0
                counts = np.full(index.shape[0], index.shape[1]) if include else (index >= 0).sum(axis=1)
                env[out] = divide(sums, counts.reshape(oh, ow))
        elif op == "BatchNormalization":
            if attrs.get("training_mode", 0):
                raise Malformed("training mode is not supported")
            gamma, beta, mean, var = [np.asarray(const(k), dtype=np.float32).ravel() for k in (1, 2, 3, 4)]
            eps = np.float32(attrs.get("epsilon", np.float32(1e-5)))
            if not np.all(var + eps > 0):
                raise Malformed("variance + epsilon is not positive")
            s = (gamma / np.sqrt(var + eps)).astype(np.float32)   # each operation rounded to float32
            t = (beta - (mean * s).astype(np.float32)).astype(np.float32)
            channel = [-1] + [1] * (len(x.shape) - 2)
            env[out] = shift(scale(x, s.reshape(channel)), t.reshape(channel))
        elif op == "RNN":
            env[node.output[0] if node.output[0] else "/unused"], hn = self.rnn(node, attrs, x, const, run)
            if len(node.output) > 1 and node.output[1]:
                env[node.output[1]] = hn
        elif op == "Concat":
            parts = [env[i] for i in present]
            if not all(isinstance(v, Ex) for v in parts):
                raise Malformed("concatenating constants with the input is not supported")
            axis = attrs.get("axis", 0) % len(x.shape)
            den, nums = common(*parts)
            env[out] = Ex(np.concatenate(nums, axis=axis + 1), den)
        elif op in ("Identity", "Dropout", "Cast"):
            if op == "Dropout" and len(node.output) > 1 and node.output[1]:
                raise Malformed("the mask output is not supported")
            if op == "Cast" and attrs.get("to") not in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE):
                raise Malformed("only casts to float are supported")
            env[out] = x
        elif op == "Transpose":
            perm = attrs.get("perm") or list(reversed(range(len(x.shape))))
            env[out] = x.rows(x.num.transpose([0] + [p + 1 for p in perm]))
        elif op in ("Flatten", "Reshape", "Squeeze", "Unsqueeze"):
            env[out] = x.rows(x.num.reshape([x.num.shape[0]] + self.reshaped(op, attrs, list(x.shape), const)))
        else:  # Gather other than the embedding lookup of the token input
            raise Malformed("Gather is supported only as the embedding lookup of integer token ids")

    def reshaped(self, op, attrs, shape, const):
        if op == "Flatten":
            a = attrs.get("axis", 1)
            a = a + len(shape) if a < 0 else a
            return [math.prod(shape[:a]), math.prod(shape[a:])]
        if op == "Reshape":
            target = [int(v) for v in np.asarray(const(1)).ravel()]
            if not attrs.get("allowzero", 0):
                target = [shape[i] if d == 0 else d for i, d in enumerate(target)]
            if -1 in target:
                known = math.prod(d for d in target if d != -1)
                target[target.index(-1)] = math.prod(shape) // known
            return target
        axes = const(1) if const(1) is not None else attrs.get("axes", [])
        axes = [int(a) for a in np.asarray(axes).ravel()]
        if op == "Squeeze":
            axes = [a % len(shape) for a in axes] if axes else [i for i, d in enumerate(shape) if d == 1]
            if any(shape[a] != 1 for a in axes):
                raise Malformed(f"cannot squeeze axes {axes} of shape {shape}")
            return [d for i, d in enumerate(shape) if i not in axes]
        rank = len(shape) + len(axes)
        axes = {a % rank for a in axes}
        source = iter(shape)
        return [1 if i in axes else next(source) for i in range(rank)]

    def rnn(self, node, attrs, x, const, run):
        if [a.decode() for a in attrs.get("activations", [b"Tanh"])] != ["Relu"]:
            raise Malformed("only activations [Relu] are piecewise linear")
        if attrs.get("direction", b"forward").decode() != "forward" or "clip" in attrs or attrs.get("layout", 0):
            raise Malformed("only forward RNNs without clip in layout 0 are supported")
        if len(node.input) > 4 and node.input[4]:
            raise Malformed("sequence_lens is not supported")
        w, rec, bias, h0 = const(1), const(2), const(3), const(5)
        hidden = rec.shape[-1]
        steps, batch, features = x.shape
        w, rec = w.reshape(hidden, features), rec.reshape(hidden, hidden)
        rows = x.num.shape[0]
        h = Ex(np.zeros((rows, batch, hidden), dtype=object), 1)
        if h0 is not None:
            h = shift(h, np.asarray(h0).reshape(batch, hidden))
        choices, states = [], []
        for t in range(steps):
            z = matmul(x.rows(x.num[:, t]), w.T)
            if bias is not None:
                z = shift(z, np.asarray(bias).ravel()[:hidden])
            recurrent = matmul(h, rec.T)
            den, (zn, rn) = common(z, recurrent)
            z = Ex(zn + rn, den)
            if bias is not None:
                z = shift(z, np.asarray(bias).ravel()[hidden:])
            step, h = run.elementwise(z, [Fraction(0)], ["zero", "identity"])
            choices += list(step)
            states.append(h)
        run.site(node, "RNN", choices)
        den, nums = common(*states)
        y = Ex(np.stack(nums, axis=1).reshape(rows, steps, 1, batch, hidden), den)
        return y, h.rows(h.num.reshape(rows, 1, batch, hidden))

    def constant_node(self, attrs):
        if "value" in attrs:
            return numpy_helper.to_array(attrs["value"])
        for key, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                           ("value_int", np.int64), ("value_ints", np.int64)):
            if key in attrs:
                return np.asarray(attrs[key], dtype=dtype)
        raise Malformed("a Constant without a numeric value")

    def fold(self, node, values, attrs):
        """A node whose inputs are all constants, evaluated as a float32 runtime does."""
        op = node.op_type
        if op in ("Identity", "Dropout", "Cast"):
            return values[0]
        if op == "Concat":
            return np.concatenate([np.asarray(v).ravel() for v in values])
        x = np.asarray(values[0]).astype(np.float32)
        if op in ("Add", "Sub", "Mul", "Div"):
            y = np.asarray(values[1]).astype(np.float32)
            return {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op](x, y).astype(np.float32)
        if op == "Neg":
            return -x
        if op in ("Reshape", "Flatten", "Squeeze", "Unsqueeze"):
            return x.reshape(self.reshaped(op, attrs, list(x.shape), lambda k: values[k] if k < len(values) else None))
        if op == "Transpose":
            return x.transpose(attrs.get("perm") or None)
        raise Malformed(f"folding {op} over constants is not supported by this checker")

    # The float32 run (the float findings). Same walk as `evaluate`, in ExplainCert's float order.
    def float_evaluate(self, x, offsets, given=None):
        """The body outputs of a float32 run on x (float32, [copies] + body input shape) and its
        pattern. With `offsets` false every constant term (biases, shifts, Clip's saturation
        values, initial states) is dropped and the pattern is `given`: ExplainCert's Jacobian."""
        env = dict(self.initializers)
        body_input = self.embedding.output[0] if self.embedding is not None else self.input
        env[body_input] = FloatValue(x)
        run = FloatPass(given)
        for node in self.proto.graph.node:
            if node is not self.embedding:
                self.float_step(node, env, run, offsets)
        return {name: env[name].v for name in self.body_outputs}, run.choices

    def float_step(self, node, env, run, offsets):
        op, attrs, out = node.op_type, attributes(node), node.output[0]
        if op == "Constant":
            env[out] = self.constant_node(attrs)
            return
        present = [i for i in node.input if i]
        if not any(isinstance(env[i], FloatValue) for i in present):
            env[out] = self.fold(node, [env[i] for i in present], attrs)  # as the exact walk
            return
        if op in LINKS:
            return
        x = env[node.input[0]]

        def const(k):
            return env[node.input[k]] if k < len(node.input) and node.input[k] else None

        def shifted(v, c):  # x + c, a constant term (dropped without offsets)
            return v + f32(c) if offsets else v

        if op == "Gemm":  # transA: a transpose; x·Bᵀ or x·B; then ·alpha; then + beta·C
            v = np.swapaxes(x.v, 1, 2) if attrs.get("transA", 0) else x.v
            b = f32(const(1))
            y = fixed_dot(v, b if attrs.get("transB", 0) else np.ascontiguousarray(b.T))
            alpha, beta = F32(attrs.get("alpha", 1.0)), F32(attrs.get("beta", 1.0))
            if alpha != 1:
                y = y * alpha
            c = const(2)
            if c is not None:
                y = shifted(y, f32(c) if beta == 1 else f32(c) * beta)
            env[out] = FloatValue(y)
        elif op == "MatMul":
            if isinstance(x, FloatValue):  # x·B: the dot products run over B's rows
                env[out] = FloatValue(fixed_dot(x.v, np.ascontiguousarray(f32(const(1)).T)))
            else:  # A·y: over y's first axis (y transposed to rows, and back)
                a, y = f32(x), env[node.input[1]].v
                env[out] = FloatValue(fixed_dot(y, a) if y.ndim == 2
                                      else np.swapaxes(fixed_dot(np.swapaxes(y, 1, 2), a), 1, 2))
        elif op in ("Add", "Sub", "Mul", "Div"):
            a, b = env[node.input[0]], env[node.input[1]]
            if isinstance(a, FloatValue) and isinstance(b, FloatValue):
                y = a.v + b.v if op == "Add" else a.v - b.v
            elif isinstance(a, FloatValue):  # x − c is x + (−c): the same float32 result
                y = {"Add": lambda: shifted(a.v, b), "Sub": lambda: shifted(a.v, -f32(b)),
                     "Mul": lambda: a.v * f32(b), "Div": lambda: a.v / f32(b)}[op]()
            else:  # c + x, c − x = (x·(−1)) + c, c·x
                y = {"Add": lambda: shifted(b.v, a), "Sub": lambda: shifted(b.v * F32(-1), a),
                     "Mul": lambda: b.v * f32(a)}[op]()
            env[out] = FloatValue(y)
        elif op == "Neg":
            env[out] = FloatValue(x.v * F32(-1))
        elif op in ("Relu", "LeakyRelu", "PRelu", "Abs", "Clip"):
            breakpoints, slopes, constants = self.float_pieces(op, attrs, const)
            choices = run.choose(x.v, breakpoints)
            terms = constants if offsets else [F32(0)] * len(slopes)  # Clip's saturation values
            env[out] = FloatValue(pieces_applied(x.v, choices, slopes, terms))
            run.record(choices)
        elif op == "Conv":
            env[out] = FloatValue(self.float_conv(x.v, attrs, f32(const(1)), const(2), offsets))
        elif op == "MaxPool":
            r, n, c, h, wd = x.v.shape
            index, oh, ow = window(attrs, attrs["kernel_shape"], (h, wd))
            values = gathered_windows(x.v, index)
            choices = run.choose_max(values, index)
            picks = np.broadcast_to(choices[None, ..., None], values.shape[:-1] + (1,))
            chosen = np.take_along_axis(values, picks, axis=4)
            env[out] = FloatValue(chosen.reshape(r, n, c, oh, ow))
            run.record(choices)
        elif op in ("AveragePool", "GlobalAveragePool"):  # the window's sum (a dot with ones), / count
            r, n, c, h, wd = x.v.shape
            kernel = [h, wd] if op == "GlobalAveragePool" else attrs["kernel_shape"]
            index, oh, ow = window({} if op == "GlobalAveragePool" else attrs, kernel, (h, wd))
            sums = fixed_dot(gathered_windows(x.v, index), np.ones((1, index.shape[1]), dtype=F32))
            include = op == "GlobalAveragePool" or attrs.get("count_include_pad", 0) != 0
            counts = np.full(index.shape[0], index.shape[1]) if include else (index >= 0).sum(axis=1)
            env[out] = FloatValue(sums.reshape(r, n, c, oh, ow) / f32(counts).reshape(oh, ow))
        elif op == "BatchNormalization":  # x·s + t, s and t folded in float32 as in the exact walk
            gamma, beta, mean, var = [np.asarray(const(k), dtype=F32).ravel() for k in (1, 2, 3, 4)]
            eps = F32(attrs.get("epsilon", F32(1e-5)))
            s = gamma / np.sqrt(var + eps)
            t = beta - mean * s
            channel = [-1] + [1] * (len(x.shape) - 2)
            env[out] = FloatValue(shifted(x.v * s.reshape(channel), t.reshape(channel)))
        elif op == "RNN":
            y, hn = self.float_rnn(x.v, const, run, offsets)
            env[node.output[0] if node.output[0] else "/unused"] = FloatValue(y)
            if len(node.output) > 1 and node.output[1]:
                env[node.output[1]] = FloatValue(hn)
        elif op == "Concat":
            axis = attrs.get("axis", 0) % len(x.shape)
            env[out] = FloatValue(np.concatenate([env[i].v for i in present], axis=axis + 1))
        elif op in ("Identity", "Dropout", "Cast"):
            env[out] = x
        elif op == "Transpose":
            perm = attrs.get("perm") or list(reversed(range(len(x.shape))))
            env[out] = FloatValue(np.ascontiguousarray(x.v.transpose([0] + [p + 1 for p in perm])))
        elif op in ("Flatten", "Reshape", "Squeeze", "Unsqueeze"):
            shape = self.reshaped(op, attrs, list(x.shape), const)
            env[out] = FloatValue(x.v.reshape([x.v.shape[0]] + shape))
        else:
            raise Malformed(f"no float32 semantics for {op}")

    def float_pieces(self, op, attrs, const):
        """An elementwise site's breakpoints (float32) and its pieces z·slope + constant."""
        zero, one = F32(0), F32(1)
        if op == "Relu":
            return [zero], [zero, one], [zero, zero]
        if op == "LeakyRelu":
            return [zero], [F32(attrs.get("alpha", F32(0.01))), one], [zero, zero]
        if op == "PRelu":
            return [zero], [f32(const(1)), one], [zero, zero]
        if op == "Abs":
            return [zero], [F32(-1), one], [zero, zero]
        if self.opset < 11:  # Clip: saturated low (0·z + min), linear, saturated high (0·z + max)
            lo, hi = attrs.get("min"), attrs.get("max")
        else:
            lo, hi = [None if const(k) is None else np.asarray(const(k)).ravel()[0] for k in (1, 2)]
        breakpoints, slopes, constants = [], [one], [zero]
        if lo is not None:
            breakpoints.insert(0, F32(lo))
            slopes.insert(0, zero)
            constants.insert(0, F32(lo))
        if hi is not None:
            breakpoints.append(F32(hi))
            slopes.append(zero)
            constants.append(F32(hi))
        return breakpoints, slopes, constants

    def float_conv(self, v, attrs, weight, bias, offsets):
        """Convolution as ExplainCert lowers it: per group, im2col patches [.., positions, K]
        (K channel-major, then kernel row, then column; zeros at padding) times the group's
        weight rows [Cout/group, K]; groups joined on the channel axis; then + bias."""
        r, n, c, h, wd = v.shape
        index, oh, ow = window(attrs, attrs.get("kernel_shape", list(weight.shape[2:])), (h, wd))
        group = attrs.get("group", 1)
        cout, cg = weight.shape[0], weight.shape[1]
        cog, patches = cout // group, gathered_windows(v, index)
        parts = []
        for g in range(group):
            pg = patches[:, :, g * cg:(g + 1) * cg].transpose(0, 1, 3, 2, 4).reshape(r, n, oh * ow, -1)
            rows = weight[g * cog:(g + 1) * cog].reshape(cog, -1)
            parts.append(fixed_dot(np.ascontiguousarray(pg), rows))
        y = np.concatenate(parts, axis=3).transpose(0, 1, 3, 2).reshape(r, n, cout, oh, ow)
        return y + f32(bias).reshape(-1, 1, 1) if offsets and bias is not None else y

    def float_rnn(self, v, const, run, offsets):
        """ExplainCert's RNN step t: z = x_t·Wᵀ (+ Wb), z = z + h·Rᵀ, (+ Rb), h = ReLU(z); the
        initial state h0 (zeros when absent or without offsets)."""
        w, rec, bias, h0 = const(1), const(2), const(3), const(5)
        hidden = rec.shape[-1]
        copies, steps, batch, features = v.shape
        w, rec = f32(w).reshape(hidden, features), f32(rec).reshape(hidden, hidden)
        h = np.zeros((copies, batch, hidden), dtype=F32)
        if offsets and h0 is not None:
            h = h + f32(h0).reshape(batch, hidden)
        states, chosen, chunk = [], [], batch * hidden
        for t in range(steps):
            z = fixed_dot(np.ascontiguousarray(v[:, t]), w)
            if offsets and bias is not None:
                z = z + f32(bias).ravel()[:hidden]
            z = z + fixed_dot(h, rec)
            if offsets and bias is not None:
                z = z + f32(bias).ravel()[hidden:]
            step = run.choose(z, [F32(0)], slice(t * chunk, (t + 1) * chunk))
            h = pieces_applied(z, step, [F32(0), F32(1)], [F32(0), F32(0)])
            chosen.append(step)
            states.append(h)
        run.record(np.concatenate([c.ravel() for c in chosen]) if chosen else np.zeros(0, dtype=np.int64))
        y = np.stack(states, axis=1).reshape(copies, steps, 1, batch, hidden)
        return y, h.reshape(copies, 1, batch, hidden)


# ---------------------------------------------------------------------------------------------
# Radii and the derived certificate.

def sign(v):
    return (v > 0) - (v < 0)


def sqrt_sign(a, q, s):
    """The sign of a*sqrt(q) - s, exactly (q >= 0)."""
    left = sign(a) if q > 0 else 0
    if left >= 0 and s <= 0:
        return 0 if left == 0 and s == 0 else 1
    if left <= 0 and s >= 0:
        return -1
    d = sign(a * a * q - s * s)
    return d if left > 0 else -d


def boxed_radius(g, target, rooms_up, rooms_down, rd):
    """Smallest r with sum_j |g_j| min(r, room_j) >= target (None if never); rooms are integers
    over rd, target is an integer over rd."""
    pairs = sorted((rooms_up[j] if gj > 0 else rooms_down[j], abs(gj)) for j, gj in enumerate(g) if gj != 0)
    saturated, remaining = 0, sum(a for _, a in pairs)
    for room, a in pairs:
        if saturated + remaining * room >= target:
            return Fraction(target - saturated, rd * remaining)
        saturated += a * room
        remaining -= a
    return None


def derive(model, x0, shape, domain):
    run, outputs = model.evaluate(x0, shape)
    n = len(x0)
    xden = reduce(lcm, (v.denominator for v in x0), 1)
    xnum = objects([v.numerator * (xden // v.denominator) for v in x0], (n,))
    derived_outputs, identity = [], True
    for name, y in outputs:
        flat = y.num.reshape(n + 2, -1)
        identity &= bool(np.all(np.matmul(flat[2:].T, xnum) + flat[1] * xden == flat[0] * xden))
        derived_outputs.append((name, list(y.shape), flat, y.den))
    # Slacks S/(den*xden) and norms of every inequality.
    linf = l1 = None
    rows = []  # (S, xden, squared l2 numerator) of the bounding rows, for r2
    in_region, count = True, 0
    if domain is not None:
        lo, hi = list(domain[0]), list(domain[1])  # per coordinate
        rd = reduce(lcm, [xden] + [b.denominator for b in lo + hi])
        xs = [v * rd for v in x0]
        up = [max(int(h * rd - v), 0) for h, v in zip(hi, xs)]
        down = [max(int(v - l * rd), 0) for l, v in zip(lo, xs)]
    for g, h, den in run.blocks:
        count += len(h)
        slack = h * xden - np.matmul(g, xnum)
        absolute = np.abs(g)
        for i in range(len(h)):
            s = slack[i]
            in_region &= s >= 0
            norm1 = sum(absolute[i])
            if norm1 == 0:
                continue  # an identity: no bound on the radii
            r = Fraction(s, xden * norm1)
            if domain is not None:
                r = boxed_radius(g[i], s * (rd // xden), up, down, rd)
            if r is not None:
                linf = r if linf is None else min(linf, r)
            r = Fraction(s, xden * max(absolute[i]))
            l1 = r if l1 is None else min(l1, r)
            rows.append((s, xden, sum(v * v for v in g[i])))
    return {"sites": run.sites, "outputs": derived_outputs, "identity": identity, "inRegion": bool(in_region),
            "constraints": count, "ties": run.ties, "linf": linf, "l1": l1, "l2rows": rows}


def float_findings(model, x0, shape, d):
    """ExplainCert's float findings at x0 (a list of float64s), as its certify computes them:
    the float32 run at float32(x0) gives the float pattern; the Jacobian is the float32 run on
    the n unit vectors under that pattern without constant terms; per entry of A the error is
    |double(float32 entry) - A rounded to the nearest double| in float64, and the relative error
    divides it by |rounded A| where that is not 0. Maxima start at 0 and skip NaN (Swift's max)."""
    n = len(x0)
    x = np.array([float(v) for v in x0], dtype=np.float64).astype(F32).reshape([1] + list(shape))
    units = np.eye(n, dtype=F32).reshape([n] + list(shape))
    with np.errstate(all="ignore"):  # an overflow is found below (a Jacobian that is not finite)
        _, pattern = model.float_evaluate(x, offsets=True)
        columns, _ = model.float_evaluate(units, offsets=False, given=pattern)
    assert [len(p) for p in pattern] == [len(choices) for _, _, choices in d["sites"]]
    max_abs = max_rel = 0.0
    for name, _, flat, den in d["outputs"]:
        floats = columns[name].reshape(n, -1).astype(np.float64)  # [j, i] = A[i][j], widened exactly
        exact = np.array([[nearest_double(v, den) for v in row] for row in flat[2:]]).reshape(floats.shape)
        with np.errstate(invalid="ignore", over="ignore"):
            error = np.abs(floats - exact)
            max_abs = max(max_abs, float(np.fmax.reduce(error.ravel(), initial=0.0)))
            nonzero = exact != 0
            relative = error[nonzero] / np.abs(exact[nonzero])
            max_rel = max(max_rel, float(np.fmax.reduce(relative, initial=0.0)))
    flips = []
    for (node, _, exact_choices), float_choices in zip(d["sites"], pattern):
        for e in np.nonzero(float_choices != np.array([DIGITS.find(c) for c in exact_choices]))[0]:
            flips.append({"node": node, "element": int(e), "floatChoice": int(float_choices[e]),
                          "exactChoice": DIGITS.find(exact_choices[e])})
    return {"maxAbsoluteError": max_abs, "maxRelativeError": max_rel, "flips": flips}


def nearest_double(p, q):
    """p/q rounded once to the nearest double, ties to even (Python's int / int is correctly
    rounded, as ExplainCert's roundedToDouble); ±inf beyond the doubles' range."""
    try:
        return p / q
    except OverflowError:
        return math.copysign(math.inf, p)


# ---------------------------------------------------------------------------------------------
# Reading and comparing certificates.

def rational(text, field):
    if not isinstance(text, str) or not RATIONAL.fullmatch(text):
        raise Reject(field, f"{text!r} is not a rational number p/q")
    p, _, q = text.partition("/")
    if q and int(q) == 0:
        raise Reject(field, f"{text!r} has a zero denominator")
    return Fraction(int(p), int(q or 1))


def radius(text, field):
    return None if text == "inf" else rational(text, field)


def show(r):
    return "inf" if r is None else f"{r.numerator}/{r.denominator}"


SCHEMA = {
    "tool": str, "version": str, "model": str, "modelSHA256": str, "input": [str],
    "inputShape": [int], "pattern": [{"node": str, "operator": str, "choices": str}],
    "outputs": [{"output": str, "shape": [int], "a": [[str]], "c": [str], "value": [str]}],
    "identityHolds": bool, "inputInRegion": bool, "constraints": int, "ties": int,
    "radii": {"linf": str, "l1": str, "l2Lower": str, "l2Upper": str},
    "floatFindings": {"maxAbsoluteError": (int, float), "maxRelativeError": (int, float),
                      "flippedNeurons": [{"node": str, "element": int, "floatChoice": int, "exactChoice": int}]},
    "notes": [str],
}


OPTIONAL = {"tokens", "radii.domain"}  # checked in compare()


def validate(value, schema, where, unknown):
    """Checks the certificate's structure (keys and JSON types), raising Malformed; collects
    fields that are not part of the format in `unknown`."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise Malformed(f"{where or 'the certificate'} is not an object")
        for key, sub in schema.items():
            if key not in value:
                raise Malformed(f"missing field {where}{key}")
            validate(value[key], sub, f"{where}{key}.", unknown)
        unknown += [f"{where}{key}" for key in value if key not in schema and f"{where}{key}" not in OPTIONAL]
    elif isinstance(schema, list):
        if not isinstance(value, list):
            raise Malformed(f"field {where.rstrip('.')} is not a list")
        for i, item in enumerate(value):
            validate(item, schema[0], f"{where.rstrip('.')}[{i}].", unknown)
    elif isinstance(value, bool) != (schema is bool) or not isinstance(value, schema):
        raise Malformed(f"field {where.rstrip('.')} has the wrong type")


def check_description(cert, model):
    """tool, version, model and notes: what ExplainCert 0.1.0 writes for this model file."""
    if cert["tool"] != TOOL:
        raise Reject("tool", f"is {cert['tool']!r}, not {TOOL!r}")
    if cert["version"] != VERSION:
        raise Reject("version", f"{cert['version']!r}: this checker is written for {TOOL} {VERSION} (semantics"
                                f" {SEMANTICS}), whose float findings and notes it reproduces; not for another version")
    if cert["model"] != model.file_name:
        raise Reject("model", f"is {cert['model']!r}, but the model file is named {model.file_name!r}"
                              " (certify writes the base name of the file it certified)")
    given = cert["notes"]
    for i, (a, b) in enumerate(zip(given, model.notes)):
        if a != b:
            raise Reject(f"notes[{i}]", f"certificate has {a!r}, expected {b!r}")
    if len(given) != len(model.notes):
        raise Reject("notes", f"{len(given)} notes, expected {len(model.notes)}"
                              + (f": {model.notes[len(given)]!r} is missing" if len(given) < len(model.notes) else ""))


def check_float_findings(cert, f):
    """maxAbsoluteError and maxRelativeError bit for bit, and the flips: exactly the neurons where
    the float32 run's choice differs from the exact one, in site and element order."""
    given = cert["floatFindings"]
    if not all(math.isfinite(f[key]) for key in ("maxAbsoluteError", "maxRelativeError")):
        raise Reject("floatFindings", "the float32 Jacobian at x0 is not finite: ExplainCert certifies no such input")
    for key in ("maxAbsoluteError", "maxRelativeError"):
        if given[key] != f[key]:
            raise Reject(f"floatFindings.{key}", f"certificate has {given[key]!r}, the float32 run gives {f[key]!r}")
    listed, flips = given["flippedNeurons"], f["flips"]
    for i, (a, b) in enumerate(zip(listed, flips)):
        if a != b:
            raise Reject(f"floatFindings.flippedNeurons[{i}]",
                         f"is {json.dumps(a)}, the float32 run's flip is {json.dumps(b)}")
    if len(listed) > len(flips):
        raise Reject(f"floatFindings.flippedNeurons[{len(flips)}]",
                     f"{json.dumps(listed[len(flips)])} is not a flip of the float32 run (it has {len(flips)})")
    if len(listed) < len(flips):
        raise Reject("floatFindings.flippedNeurons", f"misses the flip {json.dumps(flips[len(listed)])}")


def check_float64(texts, x0):
    """Every input value must be a float64, as verify requires: the float run is at float32(x0)."""
    for i, v in enumerate(x0):
        try:
            double = float(v)
        except OverflowError:
            double = math.inf
        if not math.isfinite(double) or Fraction(double) != v:
            raise Reject(f"input[{i}]", f"{texts[i]} is not a float64 (ExplainCert certifies float inputs)")


def compare(cert, model, cache):
    check_description(cert, model)
    if cert["modelSHA256"] != model.sha256:
        raise Reject("modelSHA256", f"{cert['modelSHA256']} is not this model's hash {model.sha256}")
    shape = cert["inputShape"]
    x0 = [rational(t, f"input[{i}]") for i, t in enumerate(cert["input"])]
    check_float64(cert["input"], x0)
    if not shape or any(d < 1 for d in shape) or math.prod(shape) != len(x0):
        raise Reject("inputShape", f"{shape} does not hold {len(x0)} values")
    tokens = cert.get("tokens")
    if model.tokens:
        declared = shape[:-1]
        if not isinstance(tokens, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in tokens):
            raise Reject("tokens", "a token model's certificate must list its token ids")
        vocabulary, width = model.table.shape
        if shape[-1] != width or math.prod(declared) != len(tokens):
            raise Reject("inputShape", f"{shape} is not {len(tokens)} tokens of embedding width {width}")
        if any(not 0 <= t < vocabulary for t in tokens):
            raise Reject("tokens", f"a token id is outside the vocabulary of {vocabulary}")
        table_num, table_den = exact(model.table)
        for k, t in enumerate(tokens):
            for j in range(width):
                if x0[k * width + j] != Fraction(table_num[t, j], table_den):
                    raise Reject(f"input[{k * width + j}]", f"is not entry {j} of the embedding of token {t}")
    else:
        declared = shape
        if tokens is not None:
            raise Reject("tokens", "the model does not read tokens")
    if len(declared) != len(model.declared) or any(d is not None and d != s for d, s in zip(model.declared, declared)):
        raise Reject("inputShape", f"{shape} does not fit the model's input {model.declared}")
    domain = cert["radii"].get("domain")
    if domain is not None:
        # [min, max] for every coordinate, or the n lower bounds then the n upper bounds.
        n = len(cert["input"])
        try:
            bounds = [Fraction(float(v)) for v in domain]  # as ExplainCert reads them: float64s
        except (TypeError, ValueError, OverflowError):
            raise Reject("radii.domain", f"{domain} holds something that is not a number") from None
        if len(bounds) == 2:
            lo, hi = [bounds[0]] * n, [bounds[1]] * n
        elif len(bounds) == 2 * n:
            lo, hi = bounds[:n], bounds[n:]
        else:
            raise Reject("radii.domain", f"{len(bounds)} numbers: expected [min, max] or {n} lower then {n} upper bounds")
        if any(a > b for a, b in zip(lo, hi)):
            raise Reject("radii.domain", "a lower bound exceeds its upper bound")
        domain = (tuple(lo), tuple(hi))
    key = (tuple(cert["input"]), tuple(shape), domain)
    if key not in cache:
        cache[key] = derive(model, x0, shape, domain)
    d = cache[key]

    if len(cert["pattern"]) != len(d["sites"]):
        raise Reject("pattern", f"{len(cert['pattern'])} sites, the model has {len(d['sites'])}")
    for i, (given, (node, op, choices)) in enumerate(zip(cert["pattern"], d["sites"])):
        if given["node"] != node or given["operator"] != op:
            raise Reject(f"pattern[{i}]", f"is {given['node']} ({given['operator']}), the model's is {node} ({op})")
        if given["choices"] != choices:
            where = next((k for k, (a, b) in enumerate(zip(given["choices"], choices)) if a != b), None)
            raise Reject(f"pattern[{i}] ({node})", f"choice {where} differs" if where is not None
                         else f"{len(given['choices'])} choices, expected {len(choices)}")
    if len(cert["outputs"]) != len(d["outputs"]):
        raise Reject("outputs", f"{len(cert['outputs'])} outputs, the model has {len(d['outputs'])}")
    n = len(x0)
    for k, (given, (name, out_shape, flat, den)) in enumerate(zip(cert["outputs"], d["outputs"])):
        if given["output"] != name:
            raise Reject(f"outputs[{k}].output", f"is {given['output']}, the model's is {name}")
        if given["shape"] != out_shape:
            raise Reject(f"outputs[{k}].shape", f"is {given['shape']}, the model gives {out_shape}")
        m = flat.shape[1]

        def same(text, field, value):
            q = rational(text, field)
            if q.numerator * den != value * q.denominator:
                raise Reject(field, f"certificate has {text}, the model gives {show(Fraction(value, den))}")

        if len(given["a"]) != m or any(len(row) != n for row in given["a"]):
            raise Reject(f"outputs[{k}].a", f"is not {m} rows of {n} entries")
        for i, row in enumerate(given["a"]):
            for j, text in enumerate(row):
                same(text, f"outputs[{k}].a[{i}][{j}]", flat[2 + j, i])
        for field, texts, r in (("c", given["c"], 1), ("value", given["value"], 0)):
            if len(texts) != m:
                raise Reject(f"outputs[{k}].{field}", f"{len(texts)} entries, expected {m}")
            for i, text in enumerate(texts):
                same(text, f"outputs[{k}].{field}[{i}]", flat[r, i])
    for field, key in (("identityHolds", "identity"), ("inputInRegion", "inRegion"),
                       ("constraints", "constraints"), ("ties", "ties")):
        if cert[field] != d[key]:
            raise Reject(field, f"certificate has {json.dumps(cert[field])}, the model gives {json.dumps(d[key])}")
    for field in ("linf", "l1"):
        if radius(cert["radii"][field], f"radii.{field}") != d[field]:
            raise Reject(f"radii.{field}", f"certificate has {cert['radii'][field]}, the model gives {show(d[field])}")
    lower = radius(cert["radii"]["l2Lower"], "radii.l2Lower")
    upper = radius(cert["radii"]["l2Upper"], "radii.l2Upper")
    rows = d["l2rows"]
    if lower is None and rows or lower is not None and any(sqrt_sign(lower * xd, q, s) > 0 for s, xd, q in rows):
        raise Reject("radii.l2Lower", f"{cert['radii']['l2Lower']} exceeds r2 (some slack_i/||g_i||_2 is smaller)")
    if upper is not None and not any(sqrt_sign(upper * xd, q, s) >= 0 for s, xd, q in rows):
        raise Reject("radii.l2Upper", f"{cert['radii']['l2Upper']} is below r2 (every slack_i/||g_i||_2 is larger)")
    if "float" not in d:
        d["float"] = float_findings(model, x0, shape, d)
    check_float_findings(cert, d["float"])
    if not (d["identity"] and d["inRegion"]):
        raise Reject("identityHolds", "the region does not reproduce f(x0) at x0: nothing is certified")


def main(argv):
    if len(argv) < 3:
        print("usage: check_certificate.py MODEL.onnx CERT.json [CERT2.json ...]", file=sys.stderr)
        return 2
    try:
        model = Model(argv[1])
    except Malformed as error:
        print(f"{argv[1]}: {error}", file=sys.stderr)
        return 2
    status, cache = 0, {}
    for path in argv[2:]:
        try:
            try:
                with open(path, encoding="utf-8") as f:
                    cert = json.load(f)
            except (OSError, ValueError) as error:
                raise Malformed(f"cannot read the certificate: {error}") from None
            unknown = []
            validate(cert, SCHEMA, "", unknown)
            if unknown:
                raise Reject(unknown[0], "is not a field of the certificate format")
            compare(cert, model, cache)
            print(f"ACCEPTED {path}")
        except Reject as rejection:
            print(f"REJECTED {path}: {rejection}")
            status = max(status, 1)
        except Malformed as error:
            where = argv[1] if str(error).startswith("node ") else path
            print(f"{where}: {error}", file=sys.stderr)
            status = 2
        sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
