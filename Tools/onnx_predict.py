"""A model's outputs through onnxruntime on one thread, as the reference explainers query it.

Shared by Tools/lime_reference.py --bench and Tools/shap_reference.py (the benchmarks' references).
"""
import time

import numpy as np
import onnx
import onnxruntime as ort


def _session(model_or_path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    source = model_or_path.SerializeToString() if isinstance(model_or_path, onnx.ModelProto) else str(model_or_path)
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def _batched(path, name, shape, single):
    """A session on a copy of the model whose fixed batch of one is symbolic, when onnxruntime
    accepts it and it gives the single calls' outputs on two rows; else None."""
    model = onnx.load(str(path))
    graph_input = next(i for i in model.graph.input if i.name == name)
    for value in [graph_input, *model.graph.output]:
        dims = value.type.tensor_type.shape.dim
        if len(dims) > 0 and dims[0].dim_value == 1:
            dims[0].dim_param = "batch"
    probe = np.random.default_rng(0).uniform(0, 1, [2] + list(shape[1:])).astype(np.float32)
    try:
        batched = _session(model)
        together = batched.run(None, {name: probe})[0]
    except Exception:  # noqa: BLE001 (a graph that fixes the batch elsewhere, e.g. in a Reshape)
        return None
    alone = np.concatenate([single.run(None, {name: r[None]})[0] for r in probe])
    if together.shape != alone.shape or not np.allclose(together, alone, rtol=1e-5, atol=1e-6):
        return None
    return batched


def single_threaded_predict(path, per_row=False):
    """(predict, calls): predict(rows) -> [rows, outputs] in float32, and how it calls onnxruntime;
    predict.seconds adds up the time spent in it.
    A model whose input has a fixed batch of one (the VNN-COMP ACAS Xu and MNIST nets) runs with
    that dimension made symbolic when the graph allows it, so the references are not timed on
    Python's per-call overhead; otherwise, or with per_row (the model as shipped), once per row."""
    sess = _session(path)
    shape = sess.get_inputs()[0].shape
    name = sess.get_inputs()[0].name
    if not (isinstance(shape[0], int) and shape[0] == 1):
        batched, calls = sess, "one per batch"
    else:
        batched = None if per_row else _batched(path, name, shape, sess)
        calls = "one per row" if batched is None else "one per batch (the fixed batch of one made symbolic)"

    def predict(rows):
        start = time.perf_counter()
        rows = np.asarray(rows, dtype=np.float32)
        if batched is None:
            out = np.concatenate([sess.run(None, {name: r.reshape(shape)})[0].reshape(1, -1) for r in rows])
        else:
            out = batched.run(None, {name: rows.reshape([len(rows)] + list(shape[1:]))})[0].reshape(len(rows), -1)
        predict.seconds += time.perf_counter() - start
        return out
    predict.seconds = 0.0
    return predict, calls
