#!/usr/bin/env python3
"""Write an untrained 784-256-256-256-10 ReLU MLP (Gemm/Relu, float32, He init) for benchmarks.

    python3 Tools/make_bench_model.py OUT.onnx [--seed 0] [--hidden 256 256 256]

The model is generated on demand and not committed (about 1.4 MB). Input `input` float32 [N, 784],
output `logits` float32 [N, 10]. Weights are He-normal (std sqrt(2 / fan_in)), biases normal with
std 0.01 (not zero, so that no ReLU pre-activation is trivially tied), all drawn from
numpy.random.default_rng(seed): the same seed gives the same file bit for bit.
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(sizes, seed):
    rng = np.random.default_rng(seed)
    nodes, inits, cur = [], [], "input"
    n = len(sizes) - 1
    for i in range(n):
        fan_in, fan_out = sizes[i], sizes[i + 1]
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_out, fan_in)).astype(np.float32)  # [out, in]
        b = rng.normal(0.0, 0.01, fan_out).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"fc{i + 1}.weight"), numpy_helper.from_array(b, f"fc{i + 1}.bias")]
        out = "logits" if i == n - 1 else f"fc{i + 1}"
        nodes.append(helper.make_node("Gemm", [cur, f"fc{i + 1}.weight", f"fc{i + 1}.bias"], [out], name=f"fc{i + 1}", transB=1))
        if i < n - 1:
            nodes.append(helper.make_node("Relu", [out], [f"relu{i + 1}"], name=f"relu{i + 1}"))
            cur = f"relu{i + 1}"
    graph = helper.make_graph(
        nodes,
        "bench_mlp_" + "-".join(map(str, sizes)),
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", sizes[0]])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", sizes[-1]])],
        initializer=inits,
    )
    graph.doc_string = f"Untrained ReLU MLP {'-'.join(map(str, sizes))}, He init, seed {seed}."
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17)],
        producer_name="ExplainCert Tools/make_bench_model.py",
        producer_version="1",
        ir_version=8,
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    ap = argparse.ArgumentParser(description="Write an untrained ReLU MLP (default 784-256-256-256-10) as ONNX.")
    ap.add_argument("output", help="path of the .onnx file to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--inputs", type=int, default=784)
    ap.add_argument("--hidden", type=int, nargs="+", default=[256, 256, 256])
    ap.add_argument("--outputs", type=int, default=10)
    args = ap.parse_args()
    sizes = [args.inputs] + args.hidden + [args.outputs]
    onnx.save(build(sizes, args.seed), args.output)
    print(f"wrote {args.output}: {'-'.join(map(str, sizes))} ReLU MLP, seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
