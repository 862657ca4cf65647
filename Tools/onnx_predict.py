"""A model's outputs through onnxruntime on one thread, as the reference explainers query it.

Shared by Tools/lime_reference.py --bench and Tools/shap_reference.py (the benchmarks' references).
"""
import numpy as np
import onnxruntime as ort


def single_threaded_predict(path):
    """predict(rows) -> [rows, outputs] in float32: one batched call, or one call per row for a
    model whose input has a fixed batch of one (ACAS Xu)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    shape = sess.get_inputs()[0].shape
    name = sess.get_inputs()[0].name

    def predict(rows):
        rows = np.asarray(rows, dtype=np.float32)
        if isinstance(shape[0], int) and shape[0] == 1:  # a fixed batch of one: one call per row
            return np.concatenate([sess.run(None, {name: r.reshape(shape)})[0].reshape(1, -1) for r in rows])
        return sess.run(None, {name: rows.reshape([len(rows)] + list(shape[1:]))})[0].reshape(len(rows), -1)
    return predict
