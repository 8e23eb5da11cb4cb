#!/usr/bin/env bash
# Benchmarks of the Python package (BENCHMARKS.md, "The Python package"): builds the tool and
# the wheel (release), installs the wheel into tools/python/run.sh's venv, generates N numbers
# with tools/bulk/gen_input.py and runs python/bench/bench.py, which prints a Markdown table.
#
# Usage: bash python/bench/run.sh [N] [ENGINE_ROWS]   (defaults 1,000,000 and 200,000)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
n="${1:-1000000}"
engine_rows="${2:-200000}"
venv="${PHONETOKEN_PY_VENV:-$root/.venv-python}"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/python-bench"
mkdir -p "$work"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt
cargo build --quiet --release --features cli --bin phonetoken
"$venv/bin/maturin" build --quiet --release -m python/Cargo.toml --interpreter "$venv/bin/python" \
    --out "$work/wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
    "$(ls -t "$work"/wheels/phonetoken-*.whl | head -1)"

python3 tools/bulk/gen_input.py "$n" > "$work/numbers.txt"
rm -f "$work/keys.json"
"$target/release/phonetoken" keygen --output "$work/keys.json" 2>/dev/null
cd "$work"
SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$venv/bin/python" "$venv/bin/python" "$root/python/bench/bench.py" \
    --input "$work/numbers.txt" --keyset "$work/keys.json" --cli "$target/release/phonetoken" \
    --engine-rows "$engine_rows"
