#!/usr/bin/env bash
# Installs what ExplainCert needs to build and test on Debian/Ubuntu:
#   - system libraries: GMP (exact rationals), FLINT (exact integer matrix products),
#     OpenBLAS (the float core's matrix products);
#   - Python packages for the conformance checks against onnxruntime (optional for building);
#   - with --browser (or EXPLAINCERT_BROWSER=1): Chromium, for the test that loads an HTML report
#     in a real headless browser (it skips loudly without it). CI passes --browser.
# Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(libgmp-dev libflint-dev libopenblas-dev)
if [ "${1:-}" = "--browser" ] || [ "${EXPLAINCERT_BROWSER:-}" = "1" ]; then
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
echo "install.sh: ready"
