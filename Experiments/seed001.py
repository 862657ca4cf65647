"""Seed 001 (Muradov, Bakhteev, Yakovlev, Strijov, "Choosing interpretable convolutional deep
learning models"): OpenBox vs LIME on CNNs, scored by explanation accuracy and cosine.

The seed (section 4) scores an explanation method by "the accuracy of predicting the objects'
class" and by "the cosine distance between the class probability distribution q(x) obtained by
the method and the distribution g(x) obtained by the classifier". Our reading, per test image x:

- OpenBox: x's region gives the exact affine map A·x + c of all 10 logits (`explaincert explain
  --method openbox --all-outputs`: for each class k, row A[k] and c[k]); q(x) = softmax(A·x + c).
- LIME: one image-LIME surrogate per class on one set of seeded perturbations (`--method lime
  --all-outputs --setting target=probability`: like the reference `LimeImageExplainer`, the
  surrogate fits the classifier's probability of class k); q_k(x) = the surrogate's local
  prediction at x (all patches present, LIME's `local_pred`).
- g(x) = the CNN's softmax (`explaincert predict`).
- accuracy = the share of explained images with argmax q(x) = the true label (also reported:
  agreement, argmax q(x) = argmax g(x)); cosine = q·g / (|q| |g|) per image (cosine distance =
  1 − cosine).

Data: the digits CNN is the committed Fixtures/models/digits_cnn.onnx on make_fixtures' digits
split; the MNIST CNN is trained here (make_fixtures' numpy backprop and Adam) on 3/4 of
../shared/data/mnist (the t10k files) and tested on the other quarter. The MNIST ONNX graph is
digits_cnn's graph with new weights. Both models get a final Softmax for LIME's probabilities
(OpenBox explains the logits before it).
"""
import gzip
import json
import sys
import time

import common

sys.path.insert(0, str(common.REPO / "Tools"))
import make_fixtures as mf  # noqa: E402  (numpy CNN training and the ONNX helpers)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import helper  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

NAME = "seed001"
MNIST_SPLIT_SEED = 1      # stratified 3:1 split of the 10 000 t10k images
MNIST_TRAIN_SEED = 1      # weight initialisation and minibatch order
MNIST_CHANNELS = (4, 8)   # digits_cnn's architecture and widths
MNIST_EPOCHS = 4
LIME_SEED = 0
LIME_SAMPLES = 1000       # the reference LimeImageExplainer's default
CLASSES = 10
# Explained test images (all 450 digits test images) and, of those, how many are certified exactly
# (an exact MNIST certificate takes seconds).
FULL = dict(digits=450, mnist=100, certify_digits=450, certify_mnist=20)
QUICK = dict(digits=8, mnist=2, certify_digits=8, certify_mnist=1)
COMMAND = "python3 Experiments/run.py seed001   # EXPLAINCERT=path/to/explaincert to use a built binary"

T0 = time.time()


def log(message):
    print(f"[seed001 {time.time() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Data and models
# --------------------------------------------------------------------------------------------


def read_idx(path):
    raw = gzip.open(path).read()
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(raw[3])]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3]).reshape(dims)


def mnist_split():
    x = read_idx(common.shared_file("data", "mnist", "t10k-images-idx3-ubyte.gz"))
    y = read_idx(common.shared_file("data", "mnist", "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    x = (x / 255.0).astype(np.float32).reshape(-1, 1, 28, 28)
    return train_test_split(x, y, test_size=0.25, random_state=MNIST_SPLIT_SEED, stratify=y)


def with_softmax(model, name, doc):
    """The model with a Softmax after its logits (the only output): the tool explains the logits
    (the piecewise-linear body) and LIME's target=probability sees the softmax."""
    graph = model.graph
    graph.node.append(helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, ["N", CLASSES]))
    graph.name, graph.doc_string = name, doc
    onnx.checker.check_model(model, full_check=True)
    return model


def train_mnist_cnn(xtr, ytr, epochs, out):
    """digits_cnn's architecture (Conv-BN-ReLU-MaxPool-Conv-ReLU-AvgPool-Gemm) on 28x28 images,
    trained with make_fixtures' forward/backward passes and Adam; exported by swapping the
    weights into digits_cnn's ONNX graph."""
    c1, c2 = MNIST_CHANNELS
    rng = np.random.default_rng(MNIST_TRAIN_SEED)
    x = xtr.astype(np.float64)
    flat = c2 * 7 * 7
    p = {
        "w1": rng.normal(0, np.sqrt(2 / 9), (c1, 1, 3, 3)),
        "b1": rng.normal(0, 0.1, c1),
        "gamma": np.ones(c1),
        "beta": np.zeros(c1),
        "w2": rng.normal(0, np.sqrt(2 / (9 * c1)), (c2, c1, 3, 3)),
        "b2": np.zeros(c2),
        "wf": rng.normal(0, np.sqrt(1 / flat), (CLASSES, flat)),
        "bf": np.zeros(CLASSES),
    }
    opt = mf.Adam(p, lr=3e-3)
    for epoch in range(epochs):
        losses = []
        for idx in mf.batches(len(x), 64, rng):
            logits, cache = mf.cnn_forward(p, x[idx], train=True)
            loss, dl = mf.softmax_xent(logits, ytr[idx])
            losses.append(loss)
            opt.step(mf.cnn_backward(p, cache, dl))
        log(f"mnist CNN epoch {epoch + 1}/{epochs}: mean training loss {np.mean(losses):.4f}")
    conv, _ = mf.conv3(x, p["w1"], p["b1"])  # inference BatchNorm statistics, as make_fixtures
    weights = {
        "conv1.weight": p["w1"], "conv1.bias": p["b1"], "bn1.scale": p["gamma"], "bn1.bias": p["beta"],
        "bn1.mean": conv.mean(axis=(0, 2, 3)), "bn1.var": conv.var(axis=(0, 2, 3)),
        "conv2.weight": p["w2"], "conv2.bias": p["b2"], "fc.weight": p["wf"], "fc.bias": p["bf"],
    }
    model = onnx.load(str(common.REPO / "Fixtures" / "models" / "digits_cnn.onnx"))
    for k, initializer in enumerate(model.graph.initializer):
        model.graph.initializer[k].CopyFrom(mf.init(initializer.name, weights.pop(initializer.name)))
    assert not weights, f"digits_cnn.onnx lacks {sorted(weights)}"
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_value, dims[3].dim_value = 28, 28
    doc = (f"CNN on 28x28 MNIST: Conv({c1},3x3,pad1)-BatchNorm-Relu-MaxPool2-Conv({c2},3x3,pad1)-Relu-AvgPool2-"
           f"Flatten-Gemm {flat}->10-Softmax (seed001; digits_cnn's graph).")
    path = out / "mnist_cnn.onnx"
    onnx.save(with_softmax(model, "mnist_cnn", doc), str(path))
    return path


# --------------------------------------------------------------------------------------------
# The tool's predictions and explanations
# --------------------------------------------------------------------------------------------


def predict(model, inputs):
    """The CNN's softmax g(x) per input, from `explaincert predict`."""
    report = common.explaincert("predict", model, inputs, "--json", parse_json=True)
    out = report["outputs"][0]
    return np.array(out["values"]).reshape(-1, CLASSES)


def explain_all_classes(model, inputs, method, out, tag, extra=()):
    """One explanation per input and class: explanations[k][i] for class k, input i."""
    path = out / f"{tag}_{method}_all_classes.json"
    common.explaincert("explain", model, inputs, "--method", method, "--all-outputs", "--seed", LIME_SEED,
                       "--output", path, *extra)
    flat = json.loads(path.read_text())  # input by input, classes 0..9 within each
    assert [e["output"] for e in flat[:CLASSES]] == list(range(CLASSES)), "explain --all-outputs: unexpected order"
    explanations = [flat[k::CLASSES] for k in range(CLASSES)]
    log(f"{tag}: {method} explanations of {CLASSES} classes ({len(explanations[0])} images)")
    return explanations


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cosine(q, g):
    return np.sum(q * g, axis=1) / (np.linalg.norm(q, axis=1) * np.linalg.norm(g, axis=1))


def run_dataset(tag, model, images, labels, n, certify, out):
    """Explains the first n images of (images, labels) with OpenBox and LIME for every class."""
    x = images[:n]
    inputs = out / f"{tag}_explained_images.npy"
    np.save(inputs, x)
    g = predict(model, inputs)
    flat = x.reshape(n, -1).astype(np.float64)

    openbox = explain_all_classes(model, inputs, "openbox", out, tag)
    a = np.array([[e["surrogate"]["weights"] for e in per_class] for per_class in openbox])  # [class, image, pixel]
    c = np.array([[e["surrogate"]["intercept"] for e in per_class] for per_class in openbox])
    logits = (np.einsum("kip,ip->ik", a, flat) + c.T)
    identity = max(e["diagnostics"]["identityError"] for per_class in openbox for e in per_class)

    lime_args = ("--samples", LIME_SAMPLES, "--setting", "target=probability")
    lime = explain_all_classes(model, inputs, "lime", out, tag, lime_args)
    q_lime = np.array([[e["diagnostics"]["localPrediction"] for e in per_class] for per_class in lime]).T
    scores = np.array([[e["diagnostics"]["score"] for e in per_class] for per_class in lime]).T

    # The exact side: certify every explained image (exact A, c and pattern with GMP rationals).
    certificates = json.loads(common.explaincert("certify", model, inputs, "--json", "--quiet", "--domain", "0,1",
                                                 "--limit", certify))
    certificates = certificates if isinstance(certificates, list) else [certificates]
    log(f"{tag}: certified {len(certificates)} images")
    patterns = ["|".join(site["choices"] for site in cert["pattern"]) for cert in certificates]

    return dict(
        tag=tag, n=n, labels=labels[:n], images=x, g=g,
        q={"OpenBox": softmax(logits), "LIME": q_lime},
        explanations={"OpenBox": openbox, "LIME": lime},
        lime_score=scores, identity_error=identity,
        n_certified=len(certificates),
        certified=sum(cert["identityHolds"] and cert["inputInRegion"] for cert in certificates),
        float_error=max(cert["floatFindings"]["maxAbsoluteError"] for cert in certificates),
        regions=len(set(patterns)),
        lime_settings=lime[0][0]["settings"],
    )


# --------------------------------------------------------------------------------------------
# Metrics, plots, the section
# --------------------------------------------------------------------------------------------


def metrics(result):
    g, y = result["g"], result["labels"]
    rows = {}
    for method, q in result["q"].items():
        cos = cosine(q, g)
        rows[method] = dict(
            accuracy=float(np.mean(q.argmax(axis=1) == y)),
            agreement=float(np.mean(q.argmax(axis=1) == g.argmax(axis=1))),
            cos=cos,
        )
    rows["CNN"] = dict(accuracy=float(np.mean(g.argmax(axis=1) == y)))
    return rows


def relevance_map(result, method, i, k):
    explanations = result["explanations"][method]
    return np.array(explanations[k][i]["relevance"]).reshape(result["images"].shape[-2:])


def plot_heatmaps(results, filename, per_dataset=4):
    plt = common.pyplot()
    rows = per_dataset * len(results)
    fig, axes = plt.subplots(rows, 4, figsize=(8.4, 2.0 * rows))
    r = 0
    for result in results:
        shape = result["images"].shape[-2:]
        for i in range(per_dataset):
            k = int(result["g"][i].argmax())
            axes[r, 0].imshow(result["images"][i].reshape(shape), cmap="gray_r")
            axes[r, 0].set_title(f"{result['tag']} #{i}: label {result['labels'][i]}, CNN {k}", fontsize=7)
            weights = np.array(result["explanations"]["OpenBox"][k][i]["surrogate"]["weights"]).reshape(shape)
            panels = ((weights, f"OpenBox A[{k}] (region's weights)"),
                      (relevance_map(result, "OpenBox", i, k), f"OpenBox A[{k}]⊙x"),
                      (relevance_map(result, "LIME", i, k), f"LIME, class {k} (patches)"))
            for col, (m, title) in enumerate(panels, start=1):
                bound = float(np.max(np.abs(m))) or 1.0
                axes[r, col].imshow(m, cmap="bwr", vmin=-bound, vmax=bound)
                axes[r, col].set_title(title, fontsize=7)
            for ax in axes[r]:
                ax.set_xticks([])
                ax.set_yticks([])
            r += 1
    fig.suptitle("The CNN's class k: OpenBox's exact local weights and contributions vs LIME's patch relevance\n"
                 "(red +, blue −; each panel scaled to its own largest |value|)", fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    return common.save_figure(fig, filename)


def plot_metrics(results, table, filename):
    plt = common.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw=dict(width_ratios=[3, 2]))
    colors = {"CNN": "tab:gray", "OpenBox": "tab:blue", "LIME": "tab:orange"}
    floor = 1e-17
    for result in results:
        for method in ("OpenBox", "LIME"):
            distance = np.sort(np.maximum(1 - table[result["tag"]][method]["cos"], floor))
            share = np.arange(1, len(distance) + 1) / len(distance)
            style = "-" if result["tag"] == "digits" else "--"
            axes[0].step(distance, share, where="post", linestyle=style, color=colors[method],
                         label=f"{method}, {result['tag']} (n={len(distance)})")
    axes[0].set_xscale("log")
    axes[0].set_xlim(floor, 1)
    axes[0].set_xlabel(f"cosine distance 1 − cos(q(x), g(x)) per image (values below {floor:g} drawn at it)")
    axes[0].set_ylabel("share of explained images ≤ x")
    axes[0].legend(fontsize=7, loc="upper left")
    width = 0.25
    tags = [result["tag"] for result in results]
    for j, method in enumerate(("CNN", "OpenBox", "LIME")):
        values = [table[t][method]["accuracy"] for t in tags]
        xs = np.arange(len(tags)) + (j - 1) * width
        axes[1].bar(xs, values, width, color=colors[method], label=method)
        for x, v in zip(xs, values):
            axes[1].text(x, v + 0.002, f"{v:.3f}", ha="center", fontsize=6)
    axes[1].set_xticks(np.arange(len(tags)), tags)
    low = min(0.9, min(table[t][m]["accuracy"] for t in tags for m in colors) - 0.02)
    axes[1].set_ylim(low, 1.0)
    axes[1].set_ylabel(f"accuracy: argmax q(x) = label (axis from {low:g})")
    axes[1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return common.save_figure(fig, filename)


def spread(values):
    values = np.asarray(values)
    return (f"{values.mean():.4f} ± {values.std():.4f}", f"{np.median(values):.4f}", f"{values.min():.4f}",
            f"{1 - values.min():.2g}")


def top_score(result):
    """LIME's mean score for the CNN's class of each image."""
    return float(np.mean(result["lime_score"][np.arange(result["n"]), result["g"].argmax(axis=1)]))


def section(results, table, info, figures):
    rows = []
    for result in results:
        t = result["tag"]
        for method in ("OpenBox", "LIME"):
            m = table[t][method]
            rows.append([t, method, result["n"], f"{m['accuracy']:.4f}", f"{m['agreement']:.4f}", *spread(m["cos"])])
        rows.append([t, "(the CNN itself)", result["n"], f"{table[t]['CNN']['accuracy']:.4f}", "1", "—", "—", "—", "—"])
    header = ["data", "method", "images", "accuracy (argmax q = label)", "agreement (argmax q = argmax g)",
              "cosine mean ± std", "cosine median", "cosine min",
              "largest cosine distance"]
    d, m = results[0], results[1]
    ls = d["lime_settings"]
    lines = [
        "## Seed 001: OpenBox vs LIME on CNNs (digits, MNIST)",
        "",
        "Seed: Muradov, Bakhteev, Yakovlev, Strijov, *Выбор интерпретируемых сверточных моделей глубокого обучения* "
        "(`../shared/seeds/001_*.txt`), issue #5 item 4. Produced by:",
        "",
        f"    {COMMAND}",
        "",
        f"(run time {info['seconds']:.0f} s on a 2-core machine, `--jobs` = all cores; "
        f"seeds: MNIST split `random_state={MNIST_SPLIT_SEED}`, MNIST training `default_rng({MNIST_TRAIN_SEED})`, "
        f"LIME `--seed {LIME_SEED}`; digits split `random_state={mf.SPLIT_SEED}` as in Tools/make_fixtures.py).",
        "",
        "**Data and models.**",
        f"- *digits*: scikit-learn's 8×8 digits, pixels /16, the stratified 3:1 split of Tools/make_fixtures.py "
        f"({info['digits_train']} train / {info['digits_test']} test); the committed `Fixtures/models/digits_cnn.onnx`: "
        "Conv(4, 3×3, pad 1)-BatchNorm-ReLU-MaxPool 2×2-Conv(8, 3×3, pad 1)-ReLU-AvgPool 2×2-Gemm 32→10. "
        f"Test accuracy (explaincert predict, all {info['digits_test']} test images): **{info['digits_acc']:.4f}**.",
        f"- *MNIST*: the 10 000 images of `../shared/data/mnist` (t10k only), pixels /255, stratified 3:1 split "
        f"({info['mnist_train']} train / {info['mnist_test']} test). The same architecture with "
        f"{MNIST_CHANNELS[0]} and {MNIST_CHANNELS[1]} channels (Gemm {MNIST_CHANNELS[1] * 49}→10), trained here "
        f"with Tools/make_fixtures.py's numpy backprop and Adam (lr 3e-3, batch 64, {info['epochs']} epochs). "
        f"Test accuracy (explaincert predict, all {info['mnist_test']} test images): **{info['mnist_acc']:.4f}**.",
        "- Both ONNX files get a final Softmax (in out/experiments/seed001/): OpenBox explains the logits before it, "
        "LIME sees its probabilities.",
        f"- Explained images: the first {d['n']} digits test images (all of them) and the first {m['n']} MNIST test "
        "images (the split is already a seeded shuffle), every one for all 10 classes.",
        "",
        "**Methods** (every number comes from the explaincert binary; Python only takes softmaxes, argmaxes and cosines):",
        "- OpenBox: `explaincert explain MODEL X.npy --method openbox --all-outputs` gives, for each class k, row k of "
        "x's region map A and c[k] (float64 on the stored float32 weights); q(x) = softmax(A·x + c). "
        "`explaincert certify --domain 0,1` re-derives all of A, c and the activation pattern with exact rationals "
        f"(for the first {d['n_certified']} digits and {m['n_certified']} MNIST explained images: an exact MNIST "
        "certificate takes seconds).",
        f"- LIME: `explaincert explain MODEL X.npy --method lime --all-outputs --samples {LIME_SAMPLES} "
        "--setting target=probability --seed 0`: the reference `LimeImageExplainer` procedure — "
        f"{ls['samples']} samples, each patch kept with probability ½ (the first sample keeps all), removed patches "
        f"take their mean (`hide_color=None`), cosine-distance kernel of width {ls['kernelWidth']}, Ridge(α = 1) on all "
        "patches — except the segmentation: grid patches instead of quickshift superpixels "
        f"({d['lime_settings']['segmentation']}, {d['lime_settings']['groups']} patches on digits; "
        f"{m['lime_settings']['segmentation']}, {m['lime_settings']['groups']} patches on MNIST). One surrogate per "
        "class on the same perturbations (same seed), as the reference fits every label on one sample set; "
        "q_k(x) = surrogate k's local prediction at x (all patches present).",
        "",
        "**Metrics** (our reading of the seed's section 4: \"the accuracy of predicting the objects' class\" and \"the "
        "cosine distance between the class distribution q(x) obtained by the method and the distribution g(x) of the "
        "classifier\"): *accuracy* = share of explained images with argmax q(x) = the true label; *agreement* = share "
        "with argmax q(x) = argmax g(x) (the CNN's class); *cosine* = q(x)·g(x) / (|q(x)| |g(x)|) per image, "
        "g(x) = the CNN's softmax from `explaincert predict` (cosine distance = 1 − cosine). LIME's q(x) is not "
        "normalised (its surrogates may predict values outside [0, 1]); the cosine does not need it. g(x) is the "
        "model's float32 evaluation and OpenBox's q(x) float64, so OpenBox's cosine distances are rounding, not "
        "approximation.",
        "",
        common.markdown_table(header, rows),
        "",
        "Exactness and regions (`explaincert certify`, GMP rationals, on the first explained images): "
        f"digits: the identity f(x) = A·x + c and x ∈ P hold exactly for {d['certified']}/{d['n_certified']} images, "
        f"the float OpenBox map is within {d['float_error']:.2g} of the exact one, and the {d['n_certified']} images "
        f"lie in {d['regions']} distinct activation patterns (regions); MNIST: {m['certified']}/{m['n_certified']}, "
        f"within {m['float_error']:.2g}, {m['regions']} regions for {m['n_certified']} images. "
        "The float OpenBox identity error |A·x + c − f(x)| is at most "
        f"{max(d['identity_error'], m['identity_error']):.2g}. LIME's weighted R² (its `score`), mean over the "
        f"images: {top_score(d):.3f} (digits) and {top_score(m):.3f} (MNIST) for the CNN's class, "
        f"{d['lime_score'].mean():.3f} and {m['lime_score'].mean():.3f} over all ten classes.",
        "",
        f"![explained images]({figures['heatmaps']})",
        "",
        f"![cosine distribution and accuracy]({figures['metrics']})",
        "",
        f"Plots: [{figures['heatmaps']}]({figures['heatmaps']}) (images; OpenBox's local weights A[k] and contributions A[k]⊙x and LIME's relevance for the CNN's "
        f"class k), [{figures['metrics']}]({figures['metrics']}) (distribution of the per-image cosine distance, accuracy).",
        "",
        "**The seed's numbers**: the seed publishes none — its results are figures (\"LIME accuracy\", \"OpenBox "
        "accuracy\") whose content is not in the text. **Differences from the seed**: the seed's experiment is "
        "described on Fashion-MNIST (its abstract names MNIST and CIFAR-10); we follow the issue (sklearn digits and "
        "the 10 000 MNIST t10k images, split 3:1, so the CNN trains on 7 500 images only); its CNN's architecture "
        "is not given, ours are small; its LIME segmentation is not given, we use grid patches where the reference "
        "uses quickshift; how q(x) is obtained from LIME is not stated, we use the per-class probability surrogates' "
        "local predictions.",
    ]
    return "\n".join(lines)


def main(quick=False):
    counts = QUICK if quick else FULL
    out = common.out_dir(NAME)
    log(f"explaincert: {common.explaincert_binary()}; quick={quick}; out {out}")

    # digits
    xtr, xte, ytr, yte = mf.digits_split()
    digits_images = xte.reshape(-1, 1, 8, 8)
    digits_model = out / "digits_cnn.onnx"
    source = onnx.load(str(common.REPO / "Fixtures" / "models" / "digits_cnn.onnx"))
    onnx.save(with_softmax(source, "digits_cnn", source.graph.doc_string + " With a final Softmax (seed001)."),
              str(digits_model))
    np.save(out / "digits_test_all.npy", digits_images)
    digits_acc = float(np.mean(predict(digits_model, out / "digits_test_all.npy").argmax(axis=1) == yte))
    log(f"digits CNN test accuracy {digits_acc:.4f} ({len(yte)} images)")

    # MNIST
    mtr, mte, mytr, myte = mnist_split()
    epochs = MNIST_EPOCHS
    if quick:
        mtr, mytr, epochs = mtr[:1500], mytr[:1500], 1
    log(f"training the MNIST CNN on {len(mtr)} images, {epochs} epochs")
    mnist_model = train_mnist_cnn(mtr, mytr, epochs, out)
    np.save(out / "mnist_test_all.npy", mte)
    mnist_acc = float(np.mean(predict(mnist_model, out / "mnist_test_all.npy").argmax(axis=1) == myte))
    log(f"MNIST CNN test accuracy {mnist_acc:.4f} ({len(myte)} images)")

    results = [
        run_dataset("digits", digits_model, digits_images, yte, counts["digits"], counts["certify_digits"], out),
        run_dataset("mnist", mnist_model, mte, myte, counts["mnist"], counts["certify_mnist"], out),
    ]
    table = {r["tag"]: metrics(r) for r in results}
    for tag, rows in table.items():
        for method in ("OpenBox", "LIME"):
            r = rows[method]
            log(f"{tag} {method}: accuracy {r['accuracy']:.4f}, agreement {r['agreement']:.4f}, "
                f"cosine {r['cos'].mean():.4f} ± {r['cos'].std():.4f}")
        log(f"{tag} CNN accuracy on the explained images {rows['CNN']['accuracy']:.4f}")
    if quick:
        log("quick run: EXPERIMENTS.md and the plots are not written")
        return
    figures = dict(heatmaps=plot_heatmaps(results, "seed001-heatmaps.svg"),
                   metrics=plot_metrics(results, table, "seed001-metrics.svg"))
    info = dict(seconds=time.time() - T0, digits_train=len(ytr), digits_test=len(yte), digits_acc=digits_acc,
                mnist_train=len(mytr), mnist_test=len(myte), mnist_acc=mnist_acc, epochs=epochs)
    common.write_section(NAME, section(results, table, info, figures))
    log(f"wrote the seed001 section of {common.EXPERIMENTS_MD.name} and {', '.join(figures.values())}")
