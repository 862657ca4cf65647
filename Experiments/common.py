"""Shared plumbing of the experiments: the explaincert binary, output folders, EXPERIMENTS.md
sections and deterministic plots.

Every experiment trains its models with numpy (tooling), exports them to ONNX under
out/experiments/NAME/ and asks the Swift tool (`explaincert predict/explain/certify ...`) for
every prediction, activation pattern and explanation it reports.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

# Single-threaded BLAS before numpy is imported anywhere: training is then reproducible bit
# for bit on one machine.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXPERIMENTS_MD = REPO / "EXPERIMENTS.md"
PLOTS = REPO / "docs" / "experiments"


def out_dir(name):
    """out/experiments/NAME/, created (never committed: out/ is ignored)."""
    path = REPO / "out" / "experiments" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def shared_file(*parts):
    """A file under ../shared; exits 2 with one line if it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        sys.exit(f"experiments: error: {path} is missing (the experiments read ../shared/data)")
    return path


_binary = None


def explaincert_binary():
    """$EXPLAINCERT, or the release build of this checkout (built on first use)."""
    global _binary
    if _binary is None:
        if os.environ.get("EXPLAINCERT"):
            _binary = os.environ["EXPLAINCERT"]
        else:
            subprocess.run(["swift", "build", "-c", "release", "--product", "explaincert"], cwd=REPO, check=True)
            _binary = str(REPO / ".build" / "release" / "explaincert")
    return _binary


def explaincert(*args, parse_json=False, check=True):
    """Runs `explaincert ARGS` from the repository root; its stdout (parsed with parse_json)."""
    command = [explaincert_binary(), *map(str, args)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"experiments: error: {' '.join(command)} exited {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout) if parse_json else result.stdout


def write_section(name, markdown):
    """Replaces the section between <!-- experiment:NAME --> markers of EXPERIMENTS.md (appends it
    when absent)."""
    begin, end = f"<!-- experiment:{name} -->", f"<!-- /experiment:{name} -->"
    text = EXPERIMENTS_MD.read_text() if EXPERIMENTS_MD.exists() else "# Experiments\n"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    temporary = EXPERIMENTS_MD.with_suffix(".md.tmp")
    temporary.write_text(text)
    temporary.replace(EXPERIMENTS_MD)


def markdown_table(header, rows):
    """A Markdown table; floats are written with 4 significant digits."""
    def cell(value):
        return f"{value:.4g}" if isinstance(value, float) else str(value)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def pyplot():
    """matplotlib's pyplot, headless, writing SVG files without dates or random ids."""
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "explaincert"
    import matplotlib.pyplot as plt
    return plt


def save_figure(figure, filename):
    """Saves a matplotlib figure as docs/experiments/FILENAME (SVG, reproducible); its path
    relative to the repository root, for links from EXPERIMENTS.md."""
    PLOTS.mkdir(parents=True, exist_ok=True)
    path = PLOTS / filename
    figure.savefig(path, metadata={"Date": None}, bbox_inches="tight")
    pyplot().close(figure)
    return path.relative_to(REPO).as_posix()
