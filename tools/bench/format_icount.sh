#!/usr/bin/env bash
# Instructions per format call (valgrind callgrind), over the numbers of the parity fixture
# (every row that parses, with its extension), for phonetoken's `format_with_extension` and
# rlibphonenumber's `format`, in INTERNATIONAL, NATIONAL and RFC3966. Each runs with 0 and
# with REPS passes; the difference, divided by the passes and the numbers, leaves out
# reading the fixture and parsing.
# Usage: bash tools/bench/format_icount.sh [REPS] (default 4). Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps="${1:-4}"
cargo build -p phonetoken-benches --release --quiet --example parse_fixture
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/examples/parse_fixture"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
    | sed -n 's/.*I *refs: *//p' | tr -d ,
}
per_call() { # ENGINE:FORMAT; the example prints how many numbers it formats
  local setup total numbers
  numbers=$("$bin" "$1" 0)
  setup=$(count "$bin" "$1" 0)
  total=$(count "$bin" "$1" "$reps")
  python3 -c "print(($total - $setup) / $reps / $numbers)"
}
numbers=$("$bin" phonetoken:international 0)
printf "%-14s %8s %12s %16s %8s\n" format numbers phonetoken rlibphonenumber ratio
for format in international national rfc3966; do
  ours=$(per_call "phonetoken:$format")
  theirs=$(per_call "rlibphonenumber:$format")
  printf "%-14s %8s %12.1f %16.1f %8.2f\n" "$format" "$numbers" "$ours" "$theirs" \
    "$(python3 -c "print($theirs / $ours)")"
done
