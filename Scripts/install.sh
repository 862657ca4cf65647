#!/usr/bin/env bash
# Installs what ExplainCert needs to build and test on Debian/Ubuntu:
#   - system libraries: GMP (exact rationals), FLINT (exact integer matrix products),
#     OpenBLAS (the float core's matrix products);
#   - Python packages for the conformance checks against onnxruntime (optional for building);
#   - with --browser (or EXPLAINCERT_BROWSER=1): Chromium, for the test that loads an HTML report
#     in a real headless browser (it skips loudly without it). CI passes --browser.
#   - with --bench (or EXPLAINCERT_BENCH=1): the Python packages the benchmarks compare against
#     (lime, shap, scikit-learn; Benchmarks/run.py's explainers section). Optional.
# Safe to run again: it installs only what is missing.
set -euo pipefail

browser="${EXPLAINCERT_BROWSER:-}"
bench="${EXPLAINCERT_BENCH:-}"
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --bench) bench=1 ;;
    *) echo "install.sh: unknown option $arg (options: --browser, --bench)" >&2; exit 2 ;;
  esac
done
packages=(libgmp-dev libflint-dev libopenblas-dev)
if [ "$browser" = "1" ]; then
  packages+=(chromium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if command -v python3 >/dev/null 2>&1; then
  if ! python3 -c "import numpy, onnx, onnxruntime" >/dev/null 2>&1; then
    echo "install.sh: installing numpy, onnx, onnxruntime (conformance checks)"
    python3 -m pip install --quiet --disable-pip-version-check numpy onnx onnxruntime || \
      echo "install.sh: warning: pip install failed; conformance checks against onnxruntime will be skipped"
  fi
fi
if [ "$bench" = "1" ] && command -v python3 >/dev/null 2>&1; then
  if ! python3 -c "import lime, shap, sklearn" >/dev/null 2>&1; then
    echo "install.sh: installing lime, shap, scikit-learn (benchmark references)"
    python3 -m pip install --quiet --disable-pip-version-check lime shap scikit-learn || \
      echo "install.sh: warning: pip install failed; Benchmarks/run.py's explainers section will fail"
  fi
fi
echo "install.sh: ready"
