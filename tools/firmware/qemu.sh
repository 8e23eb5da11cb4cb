#!/usr/bin/env bash
# Runs the firmware self-test on an emulated Cortex-M4 and checks it: builds the image with
# the `qemu`, `oprf`, `seal` and `find` features (`find` brings `validate` and `format`; with
# FIRMWARE_XWING=1 `seal-xwing` instead of `seal`: X-Wing sealing too, whose stack is over the
# default budget, BENCHMARKS.md), runs it in QEMU on the `netduinoplus2` board (an STM32F405,
# the example's memory map) with an exec trace, checks every printed output on the host
# (tools/firmware/check), counts the instructions of each operation between its markers
# (tools/firmware/count.awk), prints the table and fails past the limits: STACK_BUDGET_BYTES
# for every operation, OPRF_ONE_BUDGET_INSTRUCTIONS for blind + finalize of one number in VOPRF
# mode (the defaults are the issue's budgets), or if QEMU faults or times out.
# Needs: qemu-system-arm, rustup target thumbv7em-none-eabihf and the llvm-tools component.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
stack_budget=${STACK_BUDGET_BYTES:-8192}
oprf_budget=${OPRF_ONE_BUDGET_INSTRUCTIONS:-8000000}
target_dir="${CARGO_TARGET_DIR:-$PWD/examples/firmware/target}"
xwing=${FIRMWARE_XWING:-0}
if [ "$xwing" = 1 ]; then
  features=qemu,oprf,seal-xwing,find
  operations=(parse validate format find pseudonymize tokenize detokenize blind_one finalize_one blind_batch finalize_batch seal seal_xwing)
  check_args=(--xwing)
else
  features=qemu,oprf,seal,find
  operations=(parse validate format find pseudonymize tokenize detokenize blind_one finalize_one blind_batch finalize_batch seal)
  check_args=()
fi
(cd examples/firmware && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet --features "$features")
elf="$target_dir/thumbv7em-none-eabihf/release/phonetoken-firmware"
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/llvm-nm" --print-size "$elf" | awk '$4 ~ /^phonetoken_mark_/ {print $1, $2, $4}' >"$work/markers"
# QEMU runs the stripped copy: without symbols its trace lines are shorter (the trace is the
# cost of this script); the addresses are the same.
"$bin/llvm-objcopy" --strip-all "$elf" "$work/image"
mkfifo "$work/trace"
awk -v markers="$work/markers" -f tools/firmware/count.awk "$work/trace" >"$work/counts" &
counter=$!

# The trace: by default each executed translation block with the instruction listing of each
# block (`in_asm`), so count.awk counts a block as its listed instructions; with
# FIRMWARE_TRACE=singlestep one instruction per block, every line one instruction (slower by
# about 8 times; the two gave the same counts, instruction for instruction).
if [ "${FIRMWARE_TRACE:-blocks}" = singlestep ]; then
  qemu_version=$(qemu-system-arm --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
  read -r major minor <<<"$qemu_version"
  if [ "$major" -gt 8 ] || { [ "$major" -eq 8 ] && [ "$minor" -ge 1 ]; }; then
    trace=(-accel tcg,one-insn-per-tb=on -d exec,nochain)
  else
    trace=(-singlestep -d exec,nochain)
  fi
else
  trace=(-d in_asm,exec,nochain)
fi
status=0
timeout "${QEMU_TIMEOUT_SECONDS:-300}" qemu-system-arm -M netduinoplus2 \
  -display none -monitor none -serial null \
  -chardev file,id=semihosting,path="$work/transcript" \
  -semihosting-config enable=on,target=native,chardev=semihosting \
  "${trace[@]}" -D "$work/trace" \
  -kernel "$work/image" || status=$?
# Opening the FIFO read-write never blocks; closing it gives the counter its end of file even
# if QEMU stopped before it opened the trace.
exec 3<>"$work/trace"
exec 3>&-
counted=0
wait "$counter" || counted=$?
if [ "$status" -ne 0 ]; then
  cat "$work/transcript" >&2 || true
  echo "the firmware self-test failed in QEMU (exit status $status; 124 is a timeout)" >&2
  exit 1
fi
if [ "$counted" -ne 0 ]; then
  echo "the instruction count failed" >&2
  exit 1
fi

# The test profile: the build `cargo test -p phonetoken-firmware-check` already made.
cargo run --quiet --profile test -p phonetoken-firmware-check -- "${check_args[@]}" "$work/transcript" >"$work/stack"
flash=$("$bin/llvm-size" -A "$elf" | awk '$1 ~ /^\.(vector_table|text|rodata|data)$/ {s += $2} END {print s}')

fail=0
# Sets $verdict to "ok", or to "OVER" and marks the run failed, for figure $1 against limit $2.
mark() { if [ "$1" -gt "$2" ]; then fail=1; verdict=OVER; else verdict=ok; fi; }
printf '%-30s %14s %12s  %s\n' operation instructions "stack bytes" "stack <= $stack_budget"
for op in "${operations[@]}"; do
  n=$(awk -v op="$op" '$1 == op {print $2}' "$work/counts")
  s=$(awk -v op="$op" '$2 == op {print $3}' "$work/stack")
  if [ -z "$n" ] || [ -z "$s" ]; then
    echo "no figure for $op" >&2
    exit 1
  fi
  mark "$s" "$stack_budget"
  printf '%-30s %14s %12s  %s\n' "$op" "$n" "$s" "$verdict"
done
one=$(awk '$1 == "blind_one" || $1 == "finalize_one" {s += $2} END {print s}' "$work/counts")
mark "$one" "$oprf_budget"
printf '%-30s %14s %12s  %s\n' "blind + finalize one (VOPRF)" "$one" "" \
  "instructions <= $oprf_budget: $verdict"
printf '%-30s %14s\n' "whole run, reset to exit" "$(awk '$1 == "total" {print $2}' "$work/counts")"
echo "self-test image ($features features) flash: $flash bytes"
echo "firmware self-test: $((SECONDS - started)) s"
if [ "$fail" -ne 0 ]; then
  echo "over a limit (STACK_BUDGET_BYTES=$stack_budget, OPRF_ONE_BUDGET_INSTRUCTIONS=$oprf_budget)" >&2
fi
exit "$fail"
