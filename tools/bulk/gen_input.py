#!/usr/bin/env python3
"""Writes N lines of phone numbers written in many ways, for the bulk throughput runs.

Deterministic: the same N and seed give the same bytes. Most lines are numbers in the forms
people write (international, national for the --region given to the tools, IDD prefixes,
tel: URIs, full-width digits, extensions, vanity letters); about one line in twenty is not a
number at all, so error handling is part of the measured work.

    python3 tools/bulk/gen_input.py N [--csv] [--seed S] > FILE

With --csv the output is a CSV file with a header `id,phone,note`: the phone column holds
the same strings, quoted where RFC 4180 needs it, and the note column holds text with
commas and quotes that the tools must pass through unchanged.
"""

import argparse
import csv
import random
import sys


def number_line(rng: random.Random) -> str:
    """One written number; national forms are for region US."""
    area = rng.randint(201, 989)
    exchange = rng.randint(200, 999)
    line = rng.randint(0, 9999)
    kind = rng.randrange(20)
    if kind < 5:
        return f"+1 ({area}) {exchange}-{line:04d}"
    if kind < 9:
        return f"({area}) {exchange}-{line:04d}"
    if kind == 9:
        return f"{area}.{exchange}.{line:04d}"
    if kind == 10:
        return f"+44 20 {rng.randint(7000, 8999)} {line:04d}"
    if kind == 11:
        return f"011 44 7700 {rng.randint(900000, 900999)}"
    if kind == 12:
        return f"+49 30 {rng.randint(100000, 99999999)}"
    if kind == 13:
        return f"tel:+33-1-{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    if kind == 14:
        full = "".join(chr(0xFF10 + int(d)) for d in f"{area}{exchange}{line:04d}")
        return "＋１ " + full
    if kind == 15:
        return f"+1 {area} {exchange} {line:04d} ext. {rng.randint(1, 999)}"
    if kind == 16:
        return f"1-800-{rng.choice(['FLOWERS', 'CONTACT', 'GOFEDEX', 'HOLIDAY'])}"
    if kind == 17:
        return f"+91 {rng.randint(70000, 99999)} {rng.randint(10000, 99999)}"
    if kind == 18:
        return f"{area}{exchange}{line:04d}"
    # Not numbers, or not possible ones.
    return rng.choice(["call me", "12", "+999 123 456", "n/a", "+1 415 555 26", ""])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="lines (or CSV records) to write")
    ap.add_argument("--csv", action="store_true", help="write CSV with a header")
    ap.add_argument("--seed", type=int, default=4, help="random seed (default 4)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    if args.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "phone", "note"])
        for i in range(args.n):
            note = rng.choice(["", "vip", 'said "call back", later', "a,b"])
            writer.writerow([i, number_line(rng), note])
    else:
        write = out.write
        for _ in range(args.n):
            write(number_line(rng) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
