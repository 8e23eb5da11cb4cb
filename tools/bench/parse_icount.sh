#!/usr/bin/env bash
# Instructions per parse (valgrind callgrind), over the parity fixture's rows, in all and by
# kind of input, for phonetoken and for rlibphonenumber (the exact peer), and their ratio:
# the measure of the parse path that holds still on a loaded machine, where times do not.
# Each kind runs twice per engine, with 0 and with REPS passes, and the difference is divided
# by the passes and rows, so reading the fixture does not count.
# Usage: bash tools/bench/parse_icount.sh [REPS] (default 4). Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps="${1:-4}"
cargo build -p phonetoken-benches --release --quiet --example parse_fixture
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/examples/parse_fixture"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
    | sed -n 's/.*I *refs: *//p' | tr -d ,
}
per_parse() { # ENGINE KIND ROWS
  local setup total
  setup=$(count "$bin" "$1" 0 "$2")
  total=$(count "$bin" "$1" "$reps" "$2")
  python3 -c "print(($total - $setup) / $reps / $3)"
}
kinds=$(python3 -c 'import json
print(" ".join(sorted({json.loads(l)["kind"].split("/")[0] for l in open("tests/data/parity.jsonl")})))')
printf "%-18s %8s %12s %16s %8s\n" kind rows phonetoken rlibphonenumber ratio
for kind in "" $kinds; do
  rows=$("$bin" phonetoken 0 "$kind")
  ours=$(per_parse phonetoken "$kind" "$rows")
  theirs=$(per_parse rlibphonenumber "$kind" "$rows")
  printf "%-18s %8s %12.1f %16.1f %8.2f\n" "${kind:-all}" "$rows" "$ours" "$theirs" \
    "$(python3 -c "print($theirs / $ours)")"
done
