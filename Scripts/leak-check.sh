#!/usr/bin/env bash
# Runs the exact engine under valgrind and fails on any definitely or indirectly lost block.
#
# valgrind 3.19 cannot read the DWARF 5 debug information Swift 6 emits, so the check runs on a
# stripped copy of the release binary. "Possibly lost" blocks are expected and not errors: FLINT
# keeps a per-thread cache of integers for the dispatch worker threads, and the exact engine keeps
# every model constant it converted (ConstantCache) for the life of the process.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "leak-check.sh: valgrind is not installed (apt-get install valgrind)"; exit 2; }
swift build -c release --product explaincert
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip -o "$work/explaincert" .build/release/explaincert
python3 - "$work" <<'PY'
import sys, numpy as np
np.save(sys.argv[1] + "/images.npy", np.load("Fixtures/data/digits_test_images.npy")[:2])
np.save(sys.argv[1] + "/rows.npy", np.load("Fixtures/data/digits_test_rows.npy")[:, :2])
PY
for run in "Fixtures/models/digits_cnn.onnx $work/images.npy" "Fixtures/models/digits_rnn.onnx $work/rows.npy" \
           "Fixtures/models/tiny_clip.onnx Fixtures/data/tiny_inputs.npy"; do
  set -- $run
  echo "leak-check.sh: certify $1"
  valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
    "$work/explaincert" certify "$1" "$2" --output "$work/certificates/" > /dev/null
done
echo "leak-check.sh: no definitely or indirectly lost memory"
