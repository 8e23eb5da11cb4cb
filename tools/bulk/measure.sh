#!/usr/bin/env bash
# Throughput of the bulk tool against the Python baseline, as rows per second.
#
# Usage (from anywhere):   bash tools/bulk/measure.sh [N] [PYTHON_N]
#   N         lines for phonetoken (default 10,000,000)
#   PYTHON_N  lines for the Python baseline (default: N, at most 1,000,000; its rate is
#             per line, so a shorter run gives the same figure in less time)
# Environment:
#   BASELINE_PYTHON  a Python interpreter that already has phonenumbers installed; without
#                    it the script creates (or reuses) the repository's .venv/ and installs
#                    the pinned phonenumbers there, as tools/parity/generate.sh does.
#   PYTHON           the interpreter that creates that venv (default python3).
#   WORK             where the inputs and outputs go (default target/bulk-measure).
#
# It builds `--release --features cli`, generates the inputs with gen_input.py, makes a
# throwaway keyset, times `phonetoken pseudonymize --region US` in line mode and CSV mode
# with 1 thread and with every core, then the baseline, checks that phonetoken and the
# baseline agree on every line both accept, and prints a Markdown table.
#
# Like for like: every run, the baseline's too, writes its standard output to a file. One
# more row times line mode with `--output FILE`, which writes a temporary file, flushes it
# to the disk (fsync) and renames it into place: the cost of that guarantee is the disk's,
# and the baseline does not pay it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

n="${1:-10000000}"
py_n="${2:-$(( n < 1000000 ? n : 1000000 ))}"
work="${WORK:-$root/target/bulk-measure}"
cores="$(nproc 2>/dev/null || echo 1)"
mkdir -p "$work"

if [ -n "${BASELINE_PYTHON:-}" ]; then
  py="$BASELINE_PYTHON"
else
  venv="$root/.venv"
  if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r tools/parity/requirements.txt
  py="$venv/bin/python"
fi

cargo build --release --features cli --quiet
bin="${CARGO_TARGET_DIR:-$root/target}/release/phonetoken"

lines="$work/numbers-$n.txt"
table="$work/numbers-$n.csv"
[ -s "$lines" ] || python3 tools/bulk/gen_input.py "$n" > "$lines"
[ -s "$table" ] || python3 tools/bulk/gen_input.py "$n" --csv > "$table"
keys="$work/keys.json"
rm -f "$keys"
"$bin" keygen --out "$keys" 2>/dev/null

# Runs the command with its stdout to OUT and its stderr to the summary file, and prints its
# rows per second (rows / wall time, process start to exit).
rate() {
  local rows="$1" out="$2"; shift 2
  local start end
  start="$(date +%s.%N)"
  "$@" > "$out" 2> "$work/summary.txt"
  end="$(date +%s.%N)"
  python3 -c "import sys; r,s,e=map(float,sys.argv[1:]); print(f'{r/(e-s):.0f}')" "$rows" "$start" "$end"
}

results=()
for mode in lines csv; do
  for threads in 1 "$cores"; do
    if [ "$mode" = lines ]; then
      r="$(rate "$n" "$work/out-lines.txt" "$bin" pseudonymize --keyset "$keys" --region US \
        --threads "$threads" --input "$lines")"
    else
      r="$(rate "$n" "$work/out.csv" "$bin" pseudonymize --keyset "$keys" --region US \
        --threads "$threads" --csv --column phone --input "$table")"
    fi
    echo "phonetoken $mode, $threads thread(s): $r rows/s ($(cat "$work/summary.txt"))" >&2
    results+=("| phonetoken pseudonymize, $mode mode | $threads | $n | $r |")
  done
done

r="$(rate "$n" /dev/null "$bin" pseudonymize --keyset "$keys" --region US --threads 1 \
  --input "$lines" --output "$work/out-atomic.txt")"
echo "phonetoken lines, 1 thread(s), --output: $r rows/s ($(cat "$work/summary.txt"))" >&2
results+=("| phonetoken pseudonymize, lines mode, \`--output FILE\` (fsync, rename) | 1 | $n | $r |")
cmp -s "$work/out-lines.txt" "$work/out-atomic.txt" || { echo "--output differs from stdout" >&2; exit 1; }

head -n "$py_n" "$lines" > "$work/baseline-in.txt"
r="$(rate "$py_n" "$work/baseline-out.txt" "$py" tools/bulk/baseline.py --keyset "$keys" \
  --region US --input "$work/baseline-in.txt")"
echo "python baseline: $r rows/s ($(cat "$work/summary.txt"))" >&2
results+=("| Python phonenumbers + hmac (tools/bulk/baseline.py) | 1 | $py_n | $r |")

# Both must give the same pseudonym wherever both accepted the line.
disagree="$(head -n "$py_n" "$work/out-lines.txt" | paste -d '\t' - "$work/baseline-out.txt" \
  | awk -F '\t' '$1 !~ /^error: / && $2 !~ /^error: / && $1 != $2' | wc -l)"
both="$(head -n "$py_n" "$work/out-lines.txt" | paste -d '\t' - "$work/baseline-out.txt" \
  | awk -F '\t' '$1 !~ /^error: / && $2 !~ /^error: /' | wc -l)"
echo "agreement: $both lines accepted by both, $disagree with different pseudonyms" >&2

echo
echo "| run | threads | lines | rows/s |"
echo "|---|---|---|---|"
printf '%s\n' "${results[@]}"
[ "$disagree" = 0 ]
