#!/usr/bin/env python3
"""Runs the commands of README.md and docs/*.md, so the documentation cannot rot.

Every ```sh block is run as one bash script (set -euo pipefail) in a scratch copy of the
repository's Fixtures/, Properties/, Counterexamples/ and Tools/, with `explaincert` (and
`swift run explaincert`) meaning the binary given by --explaincert (also exported as $EXPLAINCERT, which
Tools/fuzz.py takes by default). A command whose line ends
with a comment `# exits N` must exit with status N. `Scripts/install.sh` and `Scripts/test.sh`
are not run here: .ci/run runs them. Blocks fenced as ```yaml, ```text, ```console are not run.

Usage: Scripts/doc-commands.py --explaincert .build/debug/explaincert [FILES...]
Exit 0 when every block passes; 1 otherwise (naming the file, the block's line and the output).
"""
import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COPIED = ["Fixtures", "Properties", "Counterexamples", "Tools"]
EXITS = re.compile(r"^(?P<command>.*?)\s+#\s*exits\s+(?P<code>\d+)\b.*$")


def blocks(path):
    """(line number, text) of every ```sh block."""
    result, current, start = [], None, 0
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if current is None and stripped in ("```sh", "```bash", "```shell"):
                current, start = [], number + 1
            elif current is not None and stripped == "```":
                result.append((start, "".join(current)))
                current = None
            elif current is not None:
                current.append(line)
    return result


def script(text):
    """The block as a bash script: CI-run scripts dropped, expected exit codes checked."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r"\bswift run explaincert\b", "explaincert", line)
        line = re.sub(r"^Scripts/install\.sh(\s+--browser)?\s*&&\s*", "", line)
        if re.match(r"^\s*Scripts/(install|test)\.sh\b", line):
            lines.append("# (run by .ci/run) " + line)
            continue
        match = EXITS.match(line)
        if match and not line.lstrip().startswith("#"):
            code = match.group("code")
            command = match.group("command")
            lines.append(f"set +e; {command}; status=$?; set -e; "
                         f"if [ $status -ne {code} ]; then echo \"expected exit {code}, got $status: {command}\" >&2; exit 1; fi")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--explaincert", required=True)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    binary = os.path.abspath(args.explaincert)
    files = args.files or [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    passed = failed = 0
    for path in files:
        # One scratch folder per file: a guide's blocks run in order, as a reader runs them.
        scratch = tempfile.mkdtemp(prefix="explaincert-docs-")
        for name in COPIED:
            shutil.copytree(os.path.join(ROOT, name), os.path.join(scratch, name))
        try:
            for line, text in blocks(path):
                body = (f"set -euo pipefail\nexport EXPLAINCERT={shlex.quote(binary)}\n"
                        f"explaincert() {{ {shlex.quote(binary)} \"$@\"; }}\n" + script(text))
                start = time.time()
                run = subprocess.run(["bash", "-c", body], cwd=scratch, capture_output=True, text=True,
                                     env=dict(os.environ, NO_COLOR="1"))
                where = f"{os.path.relpath(path, ROOT)}:{line}"
                if run.returncode == 0:
                    passed += 1
                    print(f"PASSED {where} ({time.time() - start:.1f} s)")
                else:
                    failed += 1
                    print(f"FAILED {where} (exit {run.returncode})")
                    print("  block:\n" + "".join("    " + l + "\n" for l in text.splitlines()))
                    print("  output (last lines):\n" + "".join("    " + l + "\n" for l in (run.stdout + run.stderr).splitlines()[-15:]))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    total = passed + failed
    print(f"documentation commands: all {total} blocks ran as documented" if not failed
          else f"documentation commands: {failed} of {total} blocks FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
