#!/usr/bin/env bash
# Builds the Python package (python/) into a wheel with maturin, installs it into a venv with
# PySpark, DuckDB, Polars and the oracles, and runs its tests (python/tests) from a directory
# where the source tree is not importable, so they test the installed wheel. CI calls this.
#
# Environment:
#   PHONETOKEN_PY_VENV  the virtual environment to create/reuse (default: .venv-python/)
#   PYTHON              Python 3.11 or later to build it with (default: python3)
#   WHEEL_PROFILE       the Cargo profile of the wheel (default: release)
#   CARGO_TARGET_DIR    honoured as usual
# Arguments are passed to pytest (e.g. -k duckdb).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${PHONETOKEN_PY_VENV:-$root/.venv-python}"
python="${PYTHON:-python3}"
profile="${WHEEL_PROFILE:-release}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$root/python/requirements-test.txt"

cd "$root"
# The CLI the tests compare with (the same build tools/interop/run.sh makes).
cargo build --quiet --profile test --all-features --bin phonetoken
cli="${CARGO_TARGET_DIR:-$root/target}/debug/phonetoken"

start=$SECONDS
"$venv/bin/maturin" build --quiet --profile "$profile" -m python/Cargo.toml \
    --interpreter "$venv/bin/python" --out "$work/wheels"
echo "tools/python/run.sh: wheel built in $((SECONDS - start)) s ($profile)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
    "$work"/wheels/phonetoken-*.whl

mkdir "$work/run"
cd "$work/run"
export PHONETOKEN_CLI="$cli"
export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON="$venv/bin/python"
export PYSPARK_DRIVER_PYTHON="$venv/bin/python"
"$venv/bin/python" -m pytest -p no:cacheprovider -q "$root/python/tests" "$@"
