#!/usr/bin/env python3
"""Reference KernelSHAP timings: the `shap` package's KernelExplainer on a model through
onnxruntime, as JSON on stdout.

    python3 Tools/shap_reference.py MODEL.onnx DATA.npy [--explanations 5] [--background 10]
                                    [--nsamples N]

Settings, the same as `explaincert bench MODEL --explainers DATA.npy` uses for its KernelSHAP:
- background: the first --background examples of DATA (rows of the model's input, flattened);
- explained output: the class onnxruntime predicts at example 0 (the model function handed to
  shap returns that one column, so shap fits one output);
- coalitions: --nsamples, default 2M + 2048 (shap's "auto"; shap caps it at 2^M − 2 and then
  enumerates every coalition, as ExplainCert does for M ≤ 12);
- `l1_reg=False`: no feature selection before the fit (ExplainCert's KernelSHAP fits all
  features; shap's default "auto" would add a LARS/AIC selection on top for large M);
- explanations of examples 0, 1, ... (one `shap_values` call each, timed; the explainer is built,
  which evaluates the background once, before the timer starts); the median is reported.

onnxruntime runs single-threaded (intra_op_num_threads = inter_op_num_threads = 1), as in
Tools/lime_reference.py --bench. A model with a fixed batch of one (ACAS Xu) runs with that
dimension made symbolic where the graph allows it (Tools/onnx_predict.py), or with --per-row once
per row, as shipped. Needs numpy, onnxruntime and shap (`pip install shap`; Scripts/install.sh --bench).
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np

from onnx_predict import single_threaded_predict

warnings.filterwarnings("ignore")


def main():
    ap = argparse.ArgumentParser(description="shap.KernelExplainer seconds per explanation through onnxruntime, as JSON.")
    ap.add_argument("model")
    ap.add_argument("data", help=".npy of model inputs (examples to explain; the background is the first ones)")
    ap.add_argument("--explanations", type=int, default=5)
    ap.add_argument("--background", type=int, default=10)
    ap.add_argument("--nsamples", type=int, default=None, help="coalitions (default 2M + 2048)")
    ap.add_argument("--per-row", action="store_true",
                    help="call a model with a fixed batch of one once per row, as shipped")
    args = ap.parse_args()

    import shap

    data = np.load(args.data).astype(np.float64)
    data = data.reshape(data.shape[0], -1)
    m = data.shape[1]
    predict, calls = single_threaded_predict(args.model, per_row=args.per_row)
    label = int(np.argmax(predict(data[:1])[0]))

    def f(rows):
        return predict(rows)[:, label].astype(np.float64)
    background = data[:args.background]
    nsamples = args.nsamples or 2 * m + 2048
    explainer = shap.KernelExplainer(f, background)
    times, model_times = [], []
    for k in range(args.explanations):
        x = data[k % len(data)][None, :]
        predict.seconds = 0.0
        start = time.perf_counter()
        explainer.shap_values(x, nsamples=nsamples, l1_reg=False, silent=True)
        times.append(time.perf_counter() - start)
        model_times.append(predict.seconds)
    print(json.dumps({
        "model": args.model, "features": m, "label": label, "explanations": args.explanations,
        "background": len(background), "nsamples": nsamples, "coalitions_used": int(explainer.nsamplesRun),
        "evaluations": int(explainer.nsamplesRun) * len(background),
        "shap_version": shap.__version__, "onnxruntime_calls": calls,
        "onnxruntime_seconds_median": float(np.median(model_times)),
        "seconds_per_explanation_median": float(np.median(times)), "seconds": times,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
