"""Seed 000 (Gaponov, Bakhteev, Yakovlev, Strijov, "Choosing interpretable recurrent deep learning
models"), sections 4-5: OpenBox vs LIME on a ReLU RNN sentiment classifier over word embeddings.

    python3 Experiments/run.py seed000           # full run (~7 min on 2 busy cores), rewrites EXPERIMENTS.md
    python3 Experiments/run.py seed000 --quick   # 40 objects per corpus, LIME with 500 samples, < 1 min

Two corpora, each with a ReLU RNN  tokens -> Gather(embedding) -> RNN(relu) -> Y_h -> Gemm -> Sigmoid:

- IMDB: the 1000 labelled IMDB sentences of ../shared/data/sentiment_labelled_sentences/
  (read at run time, never copied into the repository), lower-cased and split into words, split 3:1
  into train/test (stratified, seed SPLIT_SEED). The model is trained here by
  Tools/make_fixtures.py's `build_text_rnn` (numpy BPTT + AdamW, embedding 8, hidden 12) on the
  training words; words outside the training vocabulary map to <unk>.
- synthetic: the corpus that Tools/make_fixtures.py generates (`make_corpus`), with the committed
  model Fixtures/models/text_rnn.onnx trained on it.

For each object x (the seed's 1000 objects; sentences without any substitutable word are skipped) a
nearby object x' is made by synonym substitution: every substitutable word is replaced with
probability 1/2 (at least one is), by a synonym drawn uniformly. Synonyms: for IMDB, WordNet 3.0
synonyms (every lemma of every synset of the word, any part of speech, single words only) that are
in the model's vocabulary, stop words (scikit-learn's list) neither replaced nor used; WordNet is
read from Debian's `wordnet-base` package (/usr/share/wordnet; `apt-get install wordnet-base`).
For the synthetic corpus: its own synonym table (make_fixtures.SYNONYMS = Fixtures/text/synonyms.tsv).
A second, closer neighbour x1 replaces exactly one word (seed NEIGHBOUR_SEED + 1).

Everything the table reports comes from `explaincert`:
- f(x), f(x'): `explaincert predict --double` (the positive-class probability);
- OpenBox: `explaincert explain --method openbox` at x gives the region's affine map A, c of the
  logit over the embedded sequence; its prediction for x' is sigmoid(A.e(x') + c), e(x') being x''s
  rows of the model's embedding table (plain arithmetic on the tool's output; likewise for x1);
- LIME: `explaincert explain --method lime --setting target=probability` at x (text LIME, 5000
  samples, word removal -> <pad>, seed LIME_SEED); as in the seed its prediction is its local_pred at
  x, compared with f(x);
- x' is inside x's certified region P iff `explaincert certify` gives x and x' the same exact
  activation pattern.
"""
import collections
import json
import math
import random
import re
import sys
import time
from pathlib import Path

import common

sys.path.insert(0, str(common.REPO / "Tools"))
import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

import make_fixtures as mf  # noqa: E402

NAME = "seed000"
SPLIT_SEED = mf.SPLIT_SEED  # stratified 3:1 train/test split of the IMDB sentences
NEIGHBOUR_SEED = 0  # synonym substitution (x'); NEIGHBOUR_SEED + 1 for the one-word neighbours x1
LIME_SEED = 0  # explaincert explain --method lime --seed
OBJECTS = 1000
LIME_SAMPLES = 5000
JOBS = 2
WORDNET = Path("/usr/share/wordnet")
IMDB_FILE = ("data", "sentiment_labelled_sentences", "imdb_labelled.txt")
SEED_PUBLISHED = {"OpenBox": (0.01541, 0.00849, 0.01923), "LIME": (0.04085, 0.01479, 0.03923)}


def log(message):
    print(f"[seed000 {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Data, models and synonyms
# ------------------------------------------------------------------------------------------------


def tokenize(text):
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def read_imdb():
    """[(sentence as space-separated words, label)] in file order."""
    text = common.shared_file(*IMDB_FILE).read_text(encoding="utf-8")
    pairs = []
    for line in text.split("\n"):  # not splitlines(): a few sentences contain U+0085
        if line.strip():
            sentence, label = line.rsplit("\t", 1)
            pairs.append((" ".join(tokenize(sentence)), int(label)))
    return pairs


def load_wordnet():
    """{lemma: set of single-word synonyms} from WordNet's index.* and data.* files."""
    if not (WORDNET / "index.noun").exists():
        sys.exit("seed000: error: WordNet is missing: install Debian's package wordnet-base (apt-get install wordnet-base)")
    synonyms = collections.defaultdict(set)
    for pos in ("noun", "verb", "adj", "adv"):
        data = (WORDNET / f"data.{pos}").read_bytes()
        for line in (WORDNET / f"index.{pos}").read_text(encoding="latin-1").split("\n"):
            if not line or line.startswith(" "):  # licence header
                continue
            fields = line.split()
            lemma, n_synsets, n_pointers = fields[0], int(fields[2]), int(fields[3])
            for offset in map(int, fields[6 + n_pointers:6 + n_pointers + n_synsets]):
                record = data[offset:data.index(b"\n", offset)].decode("latin-1").split()
                words = record[4:4 + 2 * int(record[3], 16):2]
                words = {re.sub(r"\(.*\)$", "", w).lower() for w in words}  # "good(a)" adjective markers
                synonyms[lemma] |= {w for w in words if w != lemma and re.fullmatch(r"[a-z]+", w)}
    return synonyms


def imdb_setup(out):
    """The IMDB model (trained here), its objects and their synonym table."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from sklearn.model_selection import train_test_split

    pairs = read_imdb()
    train, test = train_test_split(pairs, test_size=0.25, stratify=[y for _, y in pairs], random_state=SPLIT_SEED)
    words = sorted({w for s, _ in train for w in s.split()})
    vocab = ["<pad>", "<unk>"] + words
    index = {w: i for i, w in enumerate(vocab)}
    log(f"IMDB: {len(pairs)} sentences, {len(train)} train / {len(test)} test, vocabulary {len(vocab)}; training the RNN")
    started = time.time()
    model = mf.build_text_rnn(train, index)
    path = out / "imdb_text_rnn.onnx"
    onnx.save(model, str(path))
    log(f"IMDB: trained in {time.time() - started:.1f}s -> {path.relative_to(common.REPO)}")
    wordnet = load_wordnet()
    stop = set(ENGLISH_STOP_WORDS)
    synonyms = {w: sorted(s for s in wordnet.get(w, ()) if s in index and s not in stop)
                for w in {w for s, _ in pairs for w in s.split()} if w not in stop}
    synonyms = {w: s for w, s in synonyms.items() if s}
    return dict(name="IMDB", path=path, index=index, train=train, test=test, objects=pairs, synonyms=synonyms,
                vocab=len(vocab), parameters=parameter_count(path))


def synthetic_setup():
    """The committed synthetic-corpus model, its corpus (regenerated) and synonym table."""
    train, test = mf.make_corpus(2000)
    vocab, index = mf.build_vocab(train + test)
    committed = (common.REPO / "Fixtures" / "text" / "vocab.txt").read_text().split("\n")[:-1]
    tsv = (common.REPO / "Fixtures" / "text" / "test.tsv").read_text()
    if vocab != committed or tsv != "".join(f"{s}\t{y}\n" for s, y in test):
        sys.exit("seed000: error: make_fixtures.make_corpus no longer reproduces Fixtures/text/ (re-run Tools/make_fixtures.py)")
    path = common.REPO / "Fixtures" / "models" / "text_rnn.onnx"
    return dict(name="synthetic", path=path, index=index, train=train, test=test, objects=test + train,
                synonyms=mf.SYNONYMS, vocab=len(vocab), parameters=parameter_count(path))


def parameter_count(path):
    return sum(int(np.prod(t.dims)) for t in onnx.load(str(path)).graph.initializer if t.data_type == onnx.TensorProto.FLOAT)


def embedding_table(path):
    tables = [numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer if t.name == "embedding.weight"]
    return tables[0].astype(np.float64)


def neighbour(words, synonyms, rng, one=False):
    """x' from x: each substitutable word replaced with probability 1/2, at least one (one: exactly
    one word); None when no word has a synonym."""
    slots = [i for i, w in enumerate(words) if synonyms.get(w)]
    if not slots:
        return None, 0
    chosen = [rng.choice(slots)] if one else [i for i in slots if rng.random() < 0.5] or [rng.choice(slots)]
    out = list(words)
    for i in chosen:
        out[i] = rng.choice(synonyms[words[i]])
    return out, len(chosen)


# ------------------------------------------------------------------------------------------------
# Asking explaincert
# ------------------------------------------------------------------------------------------------


def encode(words, index):
    return [index.get(w, 1) for w in words]


def by_length(items):
    """{T: [item indices]} for items with a 'ids' list."""
    groups = collections.defaultdict(list)
    for k, item in enumerate(items):
        groups[len(item["ids"])].append(k)
    return dict(sorted(groups.items()))


def save_ids(path, rows):
    np.save(path, np.array(rows, dtype=np.int64).T.copy())  # [T, N], sequence-major


def as_list(value):
    return value if isinstance(value, list) else [value]


def predict(model, path):
    report = common.explaincert("predict", model, path, "--double", "--json", parse_json=True)
    return report["outputs"][0]["values"]


def certify_patterns(model, path):
    """The exact activation pattern of every input (one string per input), and how many
    certificates fail their identity or membership check."""
    certificates = as_list(common.explaincert("certify", model, path, "--json", "--quiet", "--jobs", JOBS,
                                              parse_json=True, check=False))
    failed = sum(not (c["identityHolds"] and c["inputInRegion"]) for c in certificates)
    ties = sum(c["ties"] for c in certificates)
    return ["|".join(site["choices"] for site in c["pattern"]) for c in certificates], failed, ties


def run_corpus(setup, out, quick, started):
    name, model = setup["name"], setup["path"]
    rng, rng_one = random.Random(NEIGHBOUR_SEED), random.Random(NEIGHBOUR_SEED + 1)
    objects, seen = [], 0
    for sentence, label in setup["objects"]:
        seen += 1
        words = sentence.split()
        changed, count = neighbour(words, setup["synonyms"], rng)
        if changed is None:
            continue
        one, _ = neighbour(words, setup["synonyms"], rng_one, one=True)
        objects.append(dict(sentence=sentence, neighbour=" ".join(changed), neighbour1=" ".join(one), label=label,
                            substituted=count, ids=encode(words, setup["index"]), ids2=encode(changed, setup["index"]),
                            ids1=encode(one, setup["index"])))
        if len(objects) == (40 if quick else OBJECTS):
            break
    skipped = seen - len(objects)
    log(f"{name}: {len(objects)} objects with a synonym neighbour ({skipped} sentences without a substitutable word skipped)")
    table = embedding_table(model)
    folder = out / name.lower()
    folder.mkdir(exist_ok=True)
    groups = by_length(objects)
    certificate_failures, ties = 0, 0
    for n_group, (length, members) in enumerate(groups.items()):
        x_path, x2_path, x1_path = (folder / f"{v}_T{length}.npy" for v in ("x", "x2", "x1"))
        save_ids(x_path, [objects[k]["ids"] for k in members])
        save_ids(x2_path, [objects[k]["ids2"] for k in members])
        save_ids(x1_path, [objects[k]["ids1"] for k in members])
        p_x, p_x2, p_x1 = predict(model, x_path), predict(model, x2_path), predict(model, x1_path)
        openbox = as_list(common.explaincert("explain", model, x_path, "--method", "openbox", "--json", "--jobs", JOBS, parse_json=True))
        lime = as_list(common.explaincert("explain", model, x_path, "--method", "lime", "--setting", "target=probability",
                                          "--samples", 500 if quick else LIME_SAMPLES, "--seed", LIME_SEED,
                                          "--json", "--jobs", JOBS, parse_json=True))
        patterns, failed, t1 = certify_patterns(model, x_path)
        patterns2, failed2, t2 = certify_patterns(model, x2_path)
        patterns1, failed1, t3 = certify_patterns(model, x1_path)
        certificate_failures += failed + failed2 + failed1
        ties += t1 + t2 + t3
        for j, k in enumerate(members):
            o = objects[k]
            a = np.array(openbox[j]["surrogate"]["weights"])
            c = openbox[j]["surrogate"]["intercept"]
            e_x, e_x2, e_x1 = (table[o[v]].reshape(-1) for v in ("ids", "ids2", "ids1"))
            o.update(
                p_x=p_x[j], p_x2=p_x2[j], p_x1=p_x1[j],
                openbox_at_x=1 / (1 + math.exp(-(a @ e_x + c))),
                openbox=1 / (1 + math.exp(-(a @ e_x2 + c))),
                openbox1=1 / (1 + math.exp(-(a @ e_x1 + c))),
                lime=lime[j]["diagnostics"]["localPrediction"],
                lime_score=lime[j]["diagnostics"]["score"],
                inside=patterns[j] == patterns2[j],
                inside1=patterns[j] == patterns1[j],
            )
        if n_group % 10 == 0 or n_group == len(groups) - 1:
            log(f"{name}: length {length} done ({n_group + 1}/{len(groups)} length groups, {time.time() - started:.0f}s)")
    for o in objects:
        del o["ids"], o["ids2"], o["ids1"]
    (out / f"{name.lower()}_objects.json").write_text(json.dumps(objects, indent=1) + "\n")
    return objects, dict(skipped=skipped, certificate_failures=certificate_failures, ties=ties)


# ------------------------------------------------------------------------------------------------
# Metrics, plots, report
# ------------------------------------------------------------------------------------------------


def metrics(true, predicted):
    true, predicted = np.asarray(true), np.asarray(predicted)
    error = predicted - true
    return dict(rmse=float(np.sqrt(np.mean(error**2))), mae=float(np.mean(np.abs(error))),
                mape=float(np.mean(np.abs(error) / np.abs(true))),
                cosine=float(true @ predicted / (np.linalg.norm(true) * np.linalg.norm(predicted))))


def cosine_distances(true, predicted):
    """Per object: 1 - cos between the class-probability vectors (p, 1 - p) and (q, 1 - q)."""
    p, q = np.asarray(true), np.asarray(predicted)
    return 1 - (p * q + (1 - p) * (1 - q)) / (np.hypot(p, 1 - p) * np.hypot(q, 1 - q))


# (label, true probability, method's probability, inside flag) of each row of the table and plots.
VARIANTS = [
    ("OpenBox at x'", "p_x2", "openbox", "inside"),
    ("OpenBox at x1 (one word)", "p_x1", "openbox1", "inside1"),
    ("LIME at x (local_pred)", "p_x", "lime", None),
]


def dots(axes, x, y, color, label):
    # plot() rather than scatter(): one marker definition, so the SVG stays small.
    axes.plot(x, y, linestyle="none", marker="o", markersize=2, markeredgewidth=0, color=color, label=label, zorder=3)


def figure(name, objects):
    plt = common.pyplot()
    with plt.rc_context({"svg.fonttype": "none"}):  # text as text, not glyph paths: a smaller SVG
        return _figure(plt, name, objects)


def _figure(plt, name, objects):
    fig, axes = plt.subplots(len(VARIANTS), 2, figsize=(11, 3.4 * len(VARIANTS)), gridspec_kw=dict(width_ratios=[3, 2]))
    for row, (label, true_key, key, inside_key) in enumerate(VARIANTS):
        order = sorted(range(len(objects)), key=lambda k: objects[k][true_key])
        true = np.array([objects[k][true_key] for k in order])
        predicted = np.array([objects[k][key] for k in order])
        rank = np.arange(len(order))
        left, right = axes[row]
        point = "x'" if key == "openbox" else "x1" if key == "openbox1" else "x"
        if inside_key:
            inside = np.array([objects[k][inside_key] for k in order])
            dots(left, rank[~inside], predicted[~inside], "tab:red", f"OpenBox, {point} outside P(x)")
            dots(left, rank[inside], predicted[inside], "tab:blue", f"OpenBox, {point} inside P(x)")
        else:
            dots(left, rank, predicted, "tab:orange", "LIME local_pred")
        left.plot(rank, true, color="black", linewidth=1, label=f"network f({point})")
        left.set_title(f"{name}: {label}", fontsize=10)
        left.set_xlabel("objects, sorted by the network's probability")
        left.set_ylabel("P(positive)")
        left.legend(loc="upper left", fontsize=8, markerscale=4)
        right.plot(rank, cosine_distances(true, predicted), color="tab:orange" if key == "lime" else "tab:blue", linewidth=0.7)
        right.set_yscale("symlog", linthresh=1e-4)
        right.set_ylim(0, 1.5)
        right.set_title(f"{name}: per-object cosine distance", fontsize=10)
        right.set_xlabel("objects, sorted by the network's probability")
        right.set_ylabel("1 - cos((p, 1-p), (q, 1-q))")
    fig.tight_layout()
    return common.save_figure(fig, f"seed000-{name.lower()}.svg")


def main(quick=False):
    started = time.time()
    log(f"seeds: split {SPLIT_SEED}, neighbours {NEIGHBOUR_SEED} and {NEIGHBOUR_SEED + 1}, LIME {LIME_SEED}; "
        f"binary {common.explaincert_binary()}")
    out = common.out_dir(NAME)
    setups = [imdb_setup(out), synthetic_setup()]
    results = []
    for setup in setups:
        accuracy = test_accuracy(setup, out)
        log(f"{setup['name']}: test accuracy {accuracy:.4f}")
        objects, info = run_corpus(setup, out, quick, started)
        results.append((setup, accuracy, objects, info))
    rows, summary = [], []
    for setup, accuracy, objects, info in results:
        item = dict(setup=setup, accuracy=accuracy, objects=objects, info=info, split={},
                    identity=max(abs(o["openbox_at_x"] - o["p_x"]) for o in objects))
        for label, true_key, key, inside_key in VARIANTS:
            m = metrics([o[true_key] for o in objects], [o[key] for o in objects])
            share = "—"
            if inside_key:
                inside = np.array([o[inside_key] for o in objects])
                share = f"{inside.mean():.3f} ({inside.sum()}/{len(inside)})"
                item["split"][key] = [
                    (where, int(mask.sum()), metrics([o[true_key] for o, i in zip(objects, mask) if i],
                                                     [o[key] for o, i in zip(objects, mask) if i])["rmse"] if mask.any() else None)
                    for where, mask in (("inside", inside), ("outside", ~inside))]
            rows.append([setup["name"], label, m["rmse"], m["mae"], m["mape"], m["cosine"], share])
            print(f"{setup['name']:9s} {label:26s} RMSE {m['rmse']:.5f} MAE {m['mae']:.5f} MAPE {m['mape']:.5f} "
                  f"cosine {m['cosine']:.5f} inside P(x) {share}")
        summary.append(item)
    elapsed = time.time() - started
    log(f"done in {elapsed:.0f}s")
    if quick:
        log("--quick: EXPERIMENTS.md and the plots are not written")
        return
    figures = {s["setup"]["name"]: figure(s["setup"]["name"], s["objects"]) for s in summary}
    common.write_section(NAME, report(rows, summary, figures, elapsed))
    log(f"wrote EXPERIMENTS.md section {NAME} and {', '.join(figures.values())}")


def test_accuracy(setup, out):
    """Accuracy of the model's 0.5 threshold on the test sentences, from explaincert predict."""
    folder = out / f"{setup['name'].lower()}_test"
    folder.mkdir(exist_ok=True)
    items = [dict(ids=encode(s.split(), setup["index"]), label=y) for s, y in setup["test"]]
    correct = 0
    for length, members in by_length(items).items():
        path = folder / f"T{length}.npy"
        save_ids(path, [items[k]["ids"] for k in members])
        correct += sum((p > 0.5) == bool(items[k]["label"]) for p, k in zip(predict(setup["path"], path), members))
    return correct / len(items)


def report(rows, summary, figures, elapsed):
    imdb, synthetic = summary
    s = imdb["setup"]
    lines = [
        "## Seed 000: OpenBox vs LIME on a ReLU RNN over word embeddings (IMDB sentences)",
        "",
        "Reproduces sections 4-5 of seed 000 (Gaponov, Bakhteev, Yakovlev, Strijov): for each object x a "
        "similar object x' is made by replacing words with synonyms; OpenBox's interpretation at x (the exact "
        "affine map A, c of x's region P(x)) predicts the positive-class probability of x' as sigmoid(A·e(x') + c), "
        "compared with the network's f(x'); as in the seed, LIME predicts at the original object (its `local_pred` "
        "at x), compared with f(x).",
        "",
        f"- **IMDB data**: the {len(s['train']) + len(s['test'])} labelled IMDB sentences of "
        "`../shared/data/sentiment_labelled_sentences/imdb_labelled.txt` (read at run time), lower-cased and "
        f"split into words; train/test 3:1 ({len(s['train'])}/{len(s['test'])}, stratified, `random_state={SPLIT_SEED}`).",
        f"- **IMDB model**: `tokens [T,N] -> Gather(embedding {s['vocab']}x8) -> RNN(relu, hidden 12) -> Y_h -> "
        f"Gemm 12->1 -> Sigmoid`, {s['parameters']} parameters, trained by `Tools/make_fixtures.py`'s `build_text_rnn` "
        f"(numpy BPTT, AdamW, 40 epochs, seed 4) on the training words (vocabulary = training words; others -> `<unk>`). "
        f"**Test accuracy {imdb['accuracy']:.4f}** (seed: 0.6555).",
        f"- **Synthetic corpus**: the 2000 generated sentences of `Tools/make_fixtures.py` (`make_corpus`, 1500/500 "
        f"train/test) with the committed model `Fixtures/models/text_rnn.onnx` (embedding {synthetic['setup']['vocab']}x8, "
        f"same architecture, {synthetic['setup']['parameters']} parameters), test accuracy {synthetic['accuracy']:.4f}.",
        "- **Neighbours**: x' — every word that has a synonym is replaced with probability 1/2 (at least one word is), by a "
        f"synonym drawn uniformly (Python `random.Random({NEIGHBOUR_SEED})`); x1 — exactly one such word replaced "
        f"(`random.Random({NEIGHBOUR_SEED + 1})`), a closer neighbour. IMDB: WordNet 3.0 synonyms (all lemmas of all "
        "synsets of the word, any part of speech, single words) from Debian's `wordnet-base` package, restricted to the "
        "model's vocabulary, with scikit-learn's English stop words neither replaced nor inserted. Synthetic: the corpus's "
        "own synonym table (`Fixtures/text/synonyms.tsv`). Neighbours have the length of x.",
        f"- **Objects**: IMDB {len(imdb['objects'])} (all sentences, in file order, with a substitutable word; "
        f"{imdb['info']['skipped']} sentences have none), synthetic {len(synthetic['objects'])} (the first with a "
        "substitutable word, test sentences first). Mean words substituted: "
        f"IMDB {np.mean([o['substituted'] for o in imdb['objects']]):.2f}, "
        f"synthetic {np.mean([o['substituted'] for o in synthetic['objects']]):.2f}.",
        f"- **From explaincert**: f(x), f(x') by `explaincert predict --double`; A, c by `explaincert explain --method openbox`; "
        f"LIME by `explaincert explain --method lime --setting target=probability --seed {LIME_SEED}` (text LIME: "
        f"{LIME_SAMPLES} samples, a removed word's positions get the `<pad>` embedding, kernel width 25, 10 features, "
        "Ridge); a neighbour is inside P(x) iff `explaincert certify` gives it and x the same exact activation pattern.",
        "- **Metrics**: RMSE, MAE, MAPE (mean |q − p|/p) of the method's probability q against the network's p over the "
        "objects; cosine = p·q/(‖p‖‖q‖) between the vectors of all objects' true and predicted probabilities. The seed's "
        "comparison is the rows OpenBox at x' and LIME at x.",
        "",
        markdown_table(rows),
        "",
        "The seed's published numbers (IMDB reviews, its own model):",
        "",
        common.markdown_table(["method", "RMSE", "MAE", "MAPE"],
                              [[m, *v] for m, v in SEED_PUBLISHED.items()]),
        "",
    ]
    for item in summary:
        parts = []
        for key, point in (("openbox", "x'"), ("openbox1", "x1")):
            (_, n_in, rmse_in), (_, n_out, rmse_out) = item["split"][key]
            text = f"OpenBox at {point}: RMSE " + (f"{rmse_in:.2g} on the {n_in} inside P(x)" if n_in else "— (none inside P(x))")
            parts.append(text + (f", {rmse_out:.4g} on the {n_out} outside" if n_out else ""))
        lime = [o["lime"] for o in item["objects"]]
        parts.append(f"LIME's local_pred lies in [{min(lime):.3f}, {max(lime):.3f}]")
        parts.append(f"OpenBox at x itself reproduces f(x) to {item['identity']:.1e}")
        parts.append(f"{item['info']['certificate_failures']} certificates failed their checks, {item['info']['ties']} ties")
        lines.append(f"- {item['setup']['name']}: " + "; ".join(parts) + ".")
    lines += [
        "",
        "Inside P(x) OpenBox's prediction is the network's (A·e + c is then exactly the logit; what remains is float "
        "rounding), so its error comes entirely from neighbours that leave x's region. MAPE divides by the network's "
        "probability, so it is dominated by the objects the network gives a probability near 0 (LIME's local_pred is "
        "an unclipped linear surrogate and can be negative or above 1).",
        "",
        f"Plots (left: the network's probability and the method's prediction per object, objects sorted by the network's "
        "probability; right: per-object cosine distance 1 − cos((p, 1−p), (q, 1−q))): "
        f"[IMDB]({figures['IMDB']}), [synthetic]({figures['synthetic']}).",
        "",
        f"![IMDB]({figures['IMDB']})",
        "",
        f"![synthetic]({figures['synthetic']})",
        "",
        "**What differs from the seed**: the seed used the 50 000-review IMDB dataset, pretrained word embeddings and a "
        "2 592 105-parameter RNN; here there are only the 1000 labelled IMDB sentences, so the model is a small ReLU RNN "
        f"({s['parameters']} parameters, embeddings learned from 750 sentences, test accuracy {imdb['accuracy']:.3f}) and the "
        "objects are those sentences (training and test alike) rather than reviews. The seed does not say which synonym "
        "source it used, nor how many words it replaced; here WordNet, each candidate word with probability 1/2. "
        "LIME removes words by the `<pad>` embedding (the sequence keeps its length) where the reference LIME deletes them "
        "from the string.",
        "",
        f"Seeds: split {SPLIT_SEED}, model `build_text_rnn` (numpy seed 4), neighbours {NEIGHBOUR_SEED} and {NEIGHBOUR_SEED + 1}, "
        f"LIME {LIME_SEED}. "
        f"Run time {elapsed / 60:.1f} min (2 cores). Reproduce with:",
        "",
        "```",
        "python3 Experiments/run.py seed000     # EXPLAINCERT=path/to/explaincert to use a built binary",
        "```",
    ]
    return "\n".join(lines)


def markdown_table(rows):
    return common.markdown_table(["corpus", "method", "RMSE", "MAE", "MAPE", "cosine", "neighbour inside P(x)"], rows)
