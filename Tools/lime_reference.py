#!/usr/bin/env python3
"""Reference LIME outputs for ExplainCert's conformance tests.

Runs the Python `lime` package (marcotcr/lime, `LimeTabularExplainer` at its default settings
unless a case says otherwise, fixed `random_state`) on fixture models through onnxruntime, and
saves into `Fixtures/lime/<case>/`:

- `data.npy`      the perturbation samples LIME regresses on (its `scaled_data`: bits "in x0's
                  bin" with discretization, as uint8; standardized values without, float64);
                  row 0 is the explained instance;
- `inverse.npy`   the first 20 model inputs LIME built for those samples (float32, as the model
                  saw them);
- `labels.npy`    the model's value for the explained label on every sample (float64);
- `weights.npy`   the kernel weights of every sample (float64);
- `reference.json` the settings, the kernel width, and LIME's result on these samples: selected
                  features, coefficients, intercept, `score`, `local_pred`;
                  and, for the statistical comparison, the coefficient vectors of full runs with
                  random_state 0..9.

Usage (from the repository root; needs numpy, onnxruntime, scikit-learn and lime):
    python3 Tools/lime_reference.py
Deterministic: fixed seeds, single-threaded onnxruntime.

    python3 Tools/lime_reference.py --bench MODEL.onnx TRAINING.npy [--explanations 5] [--per-row]
times the reference LIME at its defaults (5000 samples, quartile discretization, 10 features)
on MODEL through single-threaded onnxruntime: seconds per explanation (median), as JSON. A model
with a fixed batch of one runs with that dimension made symbolic where the graph allows it, or
with --per-row once per row, as shipped (Tools/onnx_predict.py).
"""
import json
import os
import warnings

import numpy as np
import onnxruntime as ort
from lime.lime_tabular import LimeTabularExplainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Fixtures")
OUT = os.path.join(FIXTURES, "lime")

warnings.filterwarnings("ignore")  # LIME warns that logits are not probabilities.


def session(model):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(os.path.join(FIXTURES, "models", model + ".onnx"), options,
                                providers=["CPUExecutionProvider"])


def predictor(sess):
    name = sess.get_inputs()[0].name

    def predict(rows):
        return sess.run(None, {name: np.asarray(rows, dtype=np.float32)})[0].astype(np.float64)
    return predict


def run(training, x0, predict, label, seed, discretize, num_features=10, capture=False):
    explainer = LimeTabularExplainer(training, discretize_continuous=discretize, random_state=seed)
    seen = {}
    if capture:
        original = explainer.base.explain_instance_with_data

        def recording(neighborhood_data, neighborhood_labels, distances, label, num_features, **kwargs):
            result = original(neighborhood_data, neighborhood_labels, distances, label, num_features, **kwargs)
            seen.update(data=neighborhood_data.copy(), labels=neighborhood_labels[:, label].copy(),
                        weights=explainer.base.kernel_fn(distances), result=result)
            return result
        explainer.base.explain_instance_with_data = recording

        inner = predict

        def predict_recording(rows):
            seen["inverse"] = np.asarray(rows, dtype=np.float32)
            return inner(rows)
        predict = predict_recording
    exp = explainer.explain_instance(x0, predict, labels=(label,), num_features=num_features)
    coefficients = np.zeros(training.shape[1])
    for feature, weight in exp.local_exp[label]:
        coefficients[feature] = weight
    return exp, coefficients, seen


def case(name, model, data, example, discretize, label=None):
    training = np.load(os.path.join(FIXTURES, "data", data + ".npy")).astype(np.float64)
    training = training.reshape(training.shape[0], -1)
    x0 = training[example]
    predict = predictor(session(model))
    if label is None:
        label = int(np.argmax(predict(x0[None, :])[0]))
    exp, coefficients, seen = run(training, x0, predict, label, 0, discretize, capture=True)
    intercept, ordered, score, local_pred = seen["result"]
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    data_array = seen["data"].astype(np.uint8) if discretize else seen["data"].astype(np.float64)
    if discretize:
        assert np.array_equal(data_array, seen["data"]), "discretized samples are not bits"
    np.save(os.path.join(folder, "data.npy"), data_array)
    np.save(os.path.join(folder, "inverse.npy"), seen["inverse"][:20])
    np.save(os.path.join(folder, "labels.npy"), seen["labels"].astype(np.float64))
    np.save(os.path.join(folder, "weights.npy"), np.asarray(seen["weights"], dtype=np.float64))
    runs = []
    for seed in range(10):
        _, c, _ = run(training, x0, predict, label, seed, discretize)
        runs.append(c.tolist())
    runs_all = []
    for seed in range(10):
        _, c, _ = run(training, x0, predict, label, seed, discretize, num_features=training.shape[1])
        runs_all.append(c.tolist())
    reference = {
        "model": model, "data": data, "example": example, "label": label,
        "settings": {"discretize_continuous": discretize, "discretizer": "quartile" if discretize else None,
                     "num_samples": 5000, "num_features": 10, "feature_selection": "auto",
                     "kernel_width": float(np.sqrt(training.shape[1]) * 0.75), "random_state": 0},
        "features": sorted(int(f) for f, _ in ordered),
        "coefficients_by_feature": coefficients.tolist(),
        "intercept": float(intercept),
        "score": float(score),
        "local_pred": float(np.ravel(local_pred)[0]),
        "runs_default": runs,
        "runs_all_features": runs_all,
    }
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{name}: label {label}, score {score:.4f}, {data_array.shape} samples")


def bench(model_path, training_path, explanations, per_row):
    import time
    from onnx_predict import single_threaded_predict
    predict, calls = single_threaded_predict(model_path, per_row=per_row)
    training = np.load(training_path).astype(np.float64)
    training = training.reshape(training.shape[0], -1)
    label = int(np.argmax(predict(training[:1])[0]))
    times, model_times = [], []
    for k in range(explanations):
        explainer = LimeTabularExplainer(training, random_state=k)
        predict.seconds = 0.0
        start = time.perf_counter()
        explainer.explain_instance(training[k % len(training)], predict, labels=(label,))
        times.append(time.perf_counter() - start)
        model_times.append(predict.seconds)
    print(json.dumps({"model": model_path, "features": training.shape[1], "explanations": explanations,
                      "onnxruntime_calls": calls, "onnxruntime_seconds_median": float(np.median(model_times)),
                      "seconds_per_explanation_median": float(np.median(times)), "seconds": times}))


def main():
    import sys
    if len(sys.argv) > 1 and sys.argv[1] == "--bench":
        count = int(sys.argv[sys.argv.index("--explanations") + 1]) if "--explanations" in sys.argv else 5
        bench(sys.argv[2], sys.argv[3], count, "--per-row" in sys.argv)
        return
    case("digits_mlp_quartile", "digits_mlp", "digits_test", 0, True)
    case("tiny_mixed_quartile", "tiny_mixed", "tiny_inputs", 14, True, label=2)
    case("tiny_leaky_continuous", "tiny_leaky", "tiny_inputs", 13, False, label=0)


if __name__ == "__main__":
    main()
