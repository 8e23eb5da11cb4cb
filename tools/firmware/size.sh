#!/usr/bin/env bash
# Builds the firmware example (examples/firmware, thumbv7em-none-eabihf, no allocator) with
# release settings, prints its flash size (.text + .rodata + .data initializers) and the
# biggest contributors, and fails if it exceeds the budget.
# Needs: rustup target thumbv7em-none-eabihf and the llvm-tools component.
set -euo pipefail
cd "$(dirname "$0")/../.."
budget_kib="${FLASH_BUDGET_KIB:-128}"
(cd examples/firmware && cargo build --release --quiet)
elf=examples/firmware/target/thumbv7em-none-eabihf/release/phonetoken-firmware
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
"$bin/llvm-size" -A "$elf" | awk '$1 ~ /^\.(vector_table|text|rodata|data)$/ {print}'
flash=$("$bin/llvm-size" -A "$elf" | awk '$1 ~ /^\.(vector_table|text|rodata|data)$/ {s += $2} END {print s}')
echo "flash: $flash bytes ($((flash / 1024)) KiB; budget ${budget_kib} KiB)"
echo "biggest contributors (bytes, symbol):"
"$bin/llvm-nm" --print-size --size-sort --radix=d --demangle "$elf" \
  | awk '{size = $2 + 0; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); print size "\t" $0}' \
  | sort -rn | head -n 15
echo "by component:"
"$bin/llvm-nm" --print-size --radix=d --demangle "$elf" | awk '
  NF >= 4 {
    size = $2 + 0; name = $0
    if (name ~ /phonetoken_firmware/) c = "firmware example"
    else if (name ~ /phonetoken::metadata/) c = "metadata tables + matcher"
    else if (name ~ /sha2::|compress256|phonetoken::pseudonym/) c = "SHA-256 / HMAC"
    else if (name ~ /aes::|phonetoken::siv|phonetoken::token|cmac/) c = "AES / SIV"
    else if (name ~ /phonetoken::/) c = "phonetoken code"
    else c = "other (runtime, core)"
    total[c] += size
  }
  END { for (c in total) printf "  %-24s %8d\n", c, total[c] }' | sort -k2 -rn
if [ "$flash" -gt $((budget_kib * 1024)) ]; then
  echo "flash budget exceeded: $flash > $((budget_kib * 1024)) bytes" >&2
  exit 1
fi
