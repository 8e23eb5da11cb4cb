#!/usr/bin/env bash
# `phonetoken scrub` on a large text file: megabytes of text per second, one thread, for each
# `--replace` and both leniencies, on the two corpora of benches/find.rs.
#
# Usage (from anywhere):   bash tools/bench/scrub_rate.sh [COPIES]
#   COPIES  how many times each 256 KiB corpus is repeated into the file (default 256: 64 MiB)
# Environment:
#   WORK    where the inputs and outputs go (default target/scrub-measure)
#
# It builds `--release --features cli` and the `find_corpus` example, writes the chat corpus
# (a number every few hundred bytes) and the log corpus (none) COPIES times each into a file,
# makes a throwaway keyset, and times `phonetoken scrub --region US --threads 1` with its
# standard output to a file, process start to exit (reading and writing included), best of
# three. It checks the count of replaced numbers against COPIES times the matches of one
# corpus (the summary line on standard error), and prints a Markdown table.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

copies="${1:-256}"
work="${WORK:-$root/target/scrub-measure}"
mkdir -p "$work"

cargo build --release --features cli --quiet
cargo build -p phonetoken-benches --profile bench --example find_corpus --quiet
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/release/phonetoken"
corpus="$target/release/examples/find_corpus"

keys="$work/keys.json"
rm -f "$keys"
"$bin" keygen --output "$keys" 2>/dev/null

echo "| corpus | size | leniency | --replace | numbers replaced | MB/s (one thread) |"
echo "|---|---:|---|---|---:|---:|"
for name in chat log; do
  input="$work/$name-$copies.txt"
  if [ ! -s "$input" ]; then
    "$corpus" print "$name" > "$work/$name.txt"
    for _ in $(seq "$copies"); do cat "$work/$name.txt"; done > "$input"
  fi
  bytes=$(stat -c %s "$input")
  for leniency in valid possible; do
    per_copy=$("$corpus" matches phonetoken "$name" "$leniency" | wc -l)
    expected=$((per_copy * copies))
    for replace in pseudonym token e164 mask; do
      case "$replace" in
        pseudonym) extra=(--keyset "$keys") ;;
        token) extra=(--keyset "$keys" --context bench) ;;
        *) extra=() ;;
      esac
      best=""
      for _ in 1 2 3; do
        start=$(date +%s.%N)
        "$bin" scrub --replace "$replace" --region US --leniency "$leniency" --threads 1 \
          "${extra[@]}" --input "$input" > "$work/out.txt" 2> "$work/summary.txt"
        end=$(date +%s.%N)
        secs=$(echo "$end - $start" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; fi
      done
      replaced=$(sed -n 's/^phonetoken: \([0-9]*\) numbers\{0,1\} replaced$/\1/p' "$work/summary.txt")
      if [ "${replaced:-0}" != "$expected" ]; then
        echo "$name/$leniency/$replace: $replaced numbers replaced, expected $expected:" >&2
        cat "$work/summary.txt" >&2
        exit 1
      fi
      rate=$(echo "$bytes / $best / 1000000" | bc -l)
      printf '| %s | %s | %s | %s | %s | %.1f |\n' "$name" "$bytes" "$leniency" "$replace" \
        "$replaced" "$rate"
    done
  done
done
