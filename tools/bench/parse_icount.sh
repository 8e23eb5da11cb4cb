#!/usr/bin/env bash
# Instructions per parse (valgrind callgrind), over the parity fixture's rows, in all and by
# kind of input: the measure of the parse path that holds still on a loaded machine, where
# times do not. Each kind runs twice, with 0 and with REPS passes, and the difference is
# divided by the passes and rows, so reading the fixture does not count.
# Usage: bash tools/bench/parse_icount.sh [REPS] (default 4). Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps="${1:-4}"
cargo build --release --quiet --example parse_fixture
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/examples/parse_fixture"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
    | sed -n 's/.*I *refs: *//p' | tr -d ,
}
kinds=$(python3 -c 'import json
print(" ".join(sorted({json.loads(l)["kind"].split("/")[0] for l in open("tests/data/parity.jsonl")})))')
printf "%-18s %8s %12s\n" kind rows instr/parse
for kind in "" $kinds; do
  rows=$("$bin" 0 "$kind")
  setup=$(count "$bin" 0 "$kind")
  total=$(count "$bin" "$reps" "$kind")
  printf "%-18s %8s %12.1f\n" "${kind:-all}" "$rows" \
    "$(python3 -c "print(($total - $setup) / $reps / $rows)")"
done
