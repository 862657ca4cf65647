#!/usr/bin/env bash
# The test command: unit and property tests, then conformance of the float core with
# onnxruntime on every fixture and on ../shared/models (when present).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build
swift test

# Property suites (exit 1 on a violation) and the counterexample corpus (exit 1 on a regression).
.build/debug/explaincert check Properties/ --quiet --junit .build/property-check.xml
.build/debug/explaincert replay Counterexamples/

# The same results on every machine: the corpus and the suites under every OpenBLAS kernel this
# processor can run, 1 and 2 OpenBLAS threads, and the generic float kernels.
if command -v python3 >/dev/null 2>&1; then
  Scripts/portability.sh .build/debug/explaincert
else
  echo "SKIPPED the portability check: python3 is not installed"
fi

# Certificates re-checked by an independent implementation (Python: onnx, numpy, fractions), and
# tampered copies rejected by it and by `verify`.
if python3 -c "import onnx, numpy" >/dev/null 2>&1; then
  Scripts/check-certificates.sh .build/debug/explaincert
else
  echo "SKIPPED the independent certificate checker: python3 with onnx and numpy is not installed (Scripts/install.sh installs them)"
fi

# Hostile input: 2,000 mutated fixtures (ONNX, NPY, CSV, JSON, suites, certificates,
# counterexamples) through every command; no crash, no hang, every rejection one line naming the
# file. The same seed gives the same cases.
if python3 -c "import onnx, numpy" >/dev/null 2>&1; then
  python3 Tools/fuzz.py --binary .build/debug/explaincert --cases 2000 --seed 0 --no-gdb --progress 60
else
  echo "SKIPPED the fuzz harness: python3 with onnx and numpy is not installed (Scripts/install.sh installs them)"
fi

# The commands of the README and of the guides in docs/, so they cannot rot.
if command -v python3 >/dev/null 2>&1; then
  python3 Scripts/doc-commands.py --explaincert .build/debug/explaincert
else
  echo "SKIPPED the documentation commands: python3 is not installed"
fi

if python3 -c "import onnxruntime" >/dev/null 2>&1; then
  python3 Tools/conformance.py --explaincert .build/debug/explaincert
else
  echo "SKIPPED conformance with onnxruntime: python3 with onnxruntime is not installed (Scripts/install.sh installs it)"
fi
