#!/usr/bin/env bash
# Builds the firmware example (examples/firmware, thumbv7em-none-eabihf, no allocator) with
# release settings and prints its flash size (.text + .rodata + .data initializers): the base
# image (normalize, pseudonymize, tokenize, detokenize) with its biggest contributors and a
# per-component breakdown (tools/firmware/breakdown.py), then the image with each of the
# features `oprf` (the OPRF client) and `seal` (HPKE sealing) and with both, and, with no
# budget, with `seal-xwing` (X-Wing sealing too) alone and with `oprf`, with `validate`
# (validity, number type and region of the number), with `format` (the number formatted
# for a person) and with `find` (the numbers in a typed message). Fails if the base
# image exceeds FLASH_BUDGET_KIB or the image with `oprf` and `seal` FULL_FLASH_BUDGET_KIB.
# Needs: rustup target thumbv7em-none-eabihf and the llvm-tools component.
set -euo pipefail
cd "$(dirname "$0")/../.."
budget_kib="${FLASH_BUDGET_KIB:-128}"
full_budget_kib="${FULL_FLASH_BUDGET_KIB:-128}"
target_dir="${CARGO_TARGET_DIR:-$PWD/examples/firmware/target}"
elf="$target_dir/thumbv7em-none-eabihf/release/phonetoken-firmware"
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"

# Builds the image with features "$1" (comma-separated, may be empty) and prints its flash.
flash_with() {
  (cd examples/firmware && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet ${1:+--features "$1"})
  "$bin/llvm-size" -A "$elf" | awk '$1 ~ /^\.(vector_table|text|rodata|data)$/ {s += $2} END {print s}'
}

declare -A flash
for features in oprf seal oprf,seal seal-xwing oprf,seal-xwing validate format find base; do
  flash[$features]=$(flash_with "${features#base}")
done
# The base image was built last: the ELF on disk is the base image.
"$bin/llvm-size" -A "$elf" | awk '$1 ~ /^\.(vector_table|text|rodata|data)$/ {print}'
base=${flash[base]}
full=${flash[oprf,seal]}
echo "flash: $base bytes ($((base / 1024)) KiB; budget ${budget_kib} KiB)"
echo "biggest contributors (bytes, symbol):"
"$bin/llvm-nm" --print-size --size-sort --radix=d --demangle "$elf" \
  | awk '{size = $2 + 0; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); print size "\t" $0}' \
  | sort -rn | awk 'NR <= 15'
echo "by component (bytes):"
python3 tools/firmware/breakdown.py "$bin" "$elf"
echo "flash by feature (bytes):"
printf '  %-26s %8s\n' base "$base" "base + oprf" "${flash[oprf]}" "base + seal" "${flash[seal]}" \
  "base + oprf + seal" "$full" "base + seal-xwing" "${flash[seal-xwing]}" \
  "base + oprf + seal-xwing" "${flash[oprf,seal-xwing]}" "base + validate" "${flash[validate]}" \
  "base + format" "${flash[format]}" "base + find" "${flash[find]}"
echo "flash with oprf and seal: $full bytes ($((full / 1024)) KiB; budget ${full_budget_kib} KiB)"
fail=0
if [ "$base" -gt $((budget_kib * 1024)) ]; then
  echo "flash budget exceeded: $base > $((budget_kib * 1024)) bytes" >&2
  fail=1
fi
if [ "$full" -gt $((full_budget_kib * 1024)) ]; then
  echo "flash budget of the image with oprf and seal exceeded: $full > $((full_budget_kib * 1024)) bytes" >&2
  fail=1
fi
exit "$fail"
