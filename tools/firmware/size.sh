#!/usr/bin/env bash
# Builds the firmware example (examples/firmware, thumbv7em-none-eabihf, no allocator) with
# release settings, prints its flash size (.text + .rodata + .data initializers) and the
# biggest contributors and a per-component breakdown (tools/firmware/breakdown.py), and fails
# if it exceeds the budget.
# Needs: rustup target thumbv7em-none-eabihf and the llvm-tools component.
set -euo pipefail
cd "$(dirname "$0")/../.."
budget_kib="${FLASH_BUDGET_KIB:-128}"
target_dir="${CARGO_TARGET_DIR:-$PWD/examples/firmware/target}"
(cd examples/firmware && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet)
elf="$target_dir/thumbv7em-none-eabihf/release/phonetoken-firmware"
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
"$bin/llvm-size" -A "$elf" | awk '$1 ~ /^\.(vector_table|text|rodata|data)$/ {print}'
flash=$("$bin/llvm-size" -A "$elf" | awk '$1 ~ /^\.(vector_table|text|rodata|data)$/ {s += $2} END {print s}')
echo "flash: $flash bytes ($((flash / 1024)) KiB; budget ${budget_kib} KiB)"
echo "biggest contributors (bytes, symbol):"
"$bin/llvm-nm" --print-size --size-sort --radix=d --demangle "$elf" \
  | awk '{size = $2 + 0; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); print size "\t" $0}' \
  | sort -rn | awk 'NR <= 15'
echo "by component (bytes):"
python3 tools/firmware/breakdown.py "$bin" "$elf"
if [ "$flash" -gt $((budget_kib * 1024)) ]; then
  echo "flash budget exceeded: $flash > $((budget_kib * 1024)) bytes" >&2
  exit 1
fi
