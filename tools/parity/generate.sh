#!/usr/bin/env bash
# Regenerates tests/data/parity.jsonl and tests/data/parity.meta.json (parse), and
# tests/data/matcher.jsonl and tests/data/matcher.meta.json (numbers found in text), from the
# Python port of libphonenumber (the oracle), pinned in tools/parity/requirements.txt.
#
# Usage (from anywhere):   bash tools/parity/generate.sh
# Environment:             PYTHON=python3.11 to pick the interpreter that creates the venv.
#
# The venv lives in .venv/ at the repository root (git-ignored) and is created on first use.
# The output is deterministic: running this twice gives the same bytes, so CI reruns it and
# fails on any difference.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
# Installs or confirms the pinned oracle; quiet when it is already there.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r tools/parity/requirements.txt

"$venv/bin/python" tools/parity/gen_fixture.py \
  --out tests/data/parity.jsonl \
  --meta tests/data/parity.meta.json

"$venv/bin/python" tools/parity/gen_matcher_fixture.py \
  --out tests/data/matcher.jsonl \
  --meta tests/data/matcher.meta.json
