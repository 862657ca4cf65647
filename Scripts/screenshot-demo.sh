#!/usr/bin/env bash
# Regenerates docs/demo-report.png, the screenshot of the demo's audit report that the README
# shows: runs `explaincert demo`, then headless Chromium (Scripts/install.sh --browser) with no
# network (every host name fails to resolve) and a throwaway profile.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${EXPLAINCERT:-.build/debug/explaincert}"
[ -x "$binary" ] || swift build
"$binary" demo --quiet --output out/demo-report.html > /dev/null
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --no-pings "--host-resolver-rules=MAP * ~NOTFOUND" --user-data-dir="$profile" \
  --window-size=1280,2000 --screenshot=docs/demo-report.png "file://$PWD/out/demo-report.html" 2>/dev/null
echo "wrote docs/demo-report.png"
