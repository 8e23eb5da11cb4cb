#!/usr/bin/env bash
# Runs every fuzz target for a bounded time and fails on any crash.
# Usage: tools/fuzz/run.sh [SECONDS_PER_TARGET]   (default 60)
# Needs the nightly toolchain and cargo-fuzz (`cargo install --locked cargo-fuzz`).
# A crash leaves its input in fuzz/artifacts/<target>/: copy it into
# tests/data/fuzz-regressions/<target>/ so tests/fuzz_regressions.rs replays it forever.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
python3 tools/fuzz/seed.py fuzz/corpus >/dev/null
cp -r fuzz/seeds/. fuzz/corpus/
cp -r tests/data/fuzz-regressions/. fuzz/corpus/
targets=$(cd fuzz && cargo +nightly fuzz list)
for target in $targets; do
  echo "fuzzing $target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target"
  log="fuzz/$target.log"
  status=0
  (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- \
     -dict=dict/phone.dict -max_total_time="$seconds" -max_len=512 -timeout=5 \
     -print_final_stats=1) >"$log" 2>&1 || status=$?
  tail -n 5 "$log"
  if [ "$status" != 0 ]; then
    echo "fuzz target $target failed (exit $status): the crashing input is in fuzz/artifacts/$target/" >&2
    grep -m 20 -E "panicked|ERROR|SUMMARY" "$log" >&2 || true
    exit 1
  fi
done
