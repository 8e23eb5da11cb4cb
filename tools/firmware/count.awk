# Instructions executed per operation, from a QEMU exec trace (`-d in_asm,exec,nochain`).
#
# Usage: awk -v markers=FILE -f count.awk TRACE
# FILE holds `address size name` lines (hex address and size, from llvm-nm --print-size) of the
# firmware's `phonetoken_mark_<op>` functions and `phonetoken_mark_end`. An operation's count
# is the instructions from its marker's call to the end marker's, the markers' own excluded.
# Prints `<op> <instructions>` per operation and `total <instructions>` (the whole run).
#
# Each `Trace` line is one execution of a translation block. `in_asm` lists a block's
# instructions when QEMU translates it, just before its first execution, so a block counts as
# many instructions as it lists; with one instruction per block (`-singlestep`), or without
# `in_asm`, every `Trace` line counts one.

function hex(s,    i, n) {
  n = 0
  s = tolower(s)
  for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  return n
}

function last8(s) { return substr(s, length(s) - 7) }

BEGIN {
  while ((getline line < markers) > 0) {
    split(line, f, " ")
    start = hex(f[1]) - hex(f[1]) % 2   # Thumb symbols may carry bit 0
    name = f[3]
    sub(/^phonetoken_mark_/, "", name)
    # Every halfword of the marker: a Thumb instruction starts at any of them.
    for (a = start; a < start + hex(f[2]); a += 2) inside[sprintf("%08x", a)] = 1
    entry[sprintf("%08x", start)] = name
    markers_read++
  }
  close(markers)
  if (markers_read < 2) { print "count.awk: no markers in " markers > "/dev/stderr"; exit 2 }
  op = ""
}

$1 == "IN:" { listing = 1; listed = 0; first = ""; next }

listing && $1 ~ /^0x[0-9a-fA-F]+:$/ {
  if (first == "") first = last8(substr($1, 3, length($1) - 3))
  listed++
  next
}

$1 == "Trace" {
  # `[cs_base/pc/flags/cflags]`: the pc is the second field (8 or 16 hex digits).
  split($4, field, "/")
  pc = last8(field[2])
  block = pc "/" field[3]
  if (listing) {
    if (pc == first && listed > 0) size[block] = listed
    listing = 0
  }
  k = (block in size) ? size[block] : 1
  total += k
  if (pc in entry) {
    name = entry[pc]
    if (name == "end") {
      if (op != "") { count[op] = n; op = "" }
    } else {
      if (name in count) { print "count.awk: " name " ran twice" > "/dev/stderr"; bad = 1 }
      op = name
      n = 0
    }
  } else if (op != "" && !(pc in inside)) {
    n += k
  }
}

END {
  if (bad) exit 1
  if (op != "") { print "count.awk: " op " did not end" > "/dev/stderr"; exit 1 }
  for (k in count) print k, count[k]
  print "total", total
}
