#!/usr/bin/env python3
"""The Python baseline of `phonetoken pseudonymize`: the same job with `phonenumbers` + `hmac`.

Reads lines from stdin (or --input), parses each with the given default region, checks it is
a possible number (as phonetoken does), formats E.164, and writes the HMAC-SHA256 of the
E.164 string under the keyset file's primary pseudonym key in base64url without padding; a
line that fails gives `error: <reason>`. One output line per input line, in order. The
summary on stderr gives the rows per second.

    python tools/bulk/baseline.py --keyset KEYS.json --region US < in.txt > out.txt
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys
import time

import phonenumbers


def primary_pseudonym_key(path: str) -> bytes:
    with open(path, encoding="utf-8") as f:
        keyset = json.load(f)
    primary = keyset["primary_key_id"]
    for key in keyset["keys"]:
        if key["id"] == primary:
            return base64.b64decode(key["pseudonym_key"])
    raise SystemExit(f"{path}: no primary key")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keyset", required=True)
    ap.add_argument("--region", default=None)
    ap.add_argument("--input", default=None)
    args = ap.parse_args()
    key = primary_pseudonym_key(args.keyset)
    source = (
        open(args.input, "rb") if args.input else sys.stdin.buffer
    )
    out = sys.stdout.buffer
    parse = phonenumbers.parse
    possible = phonenumbers.is_possible_number
    fmt = phonenumbers.format_number
    e164 = phonenumbers.PhoneNumberFormat.E164
    new = hmac.new
    sha256 = hashlib.sha256
    encode = base64.urlsafe_b64encode
    rows = failed = 0
    start = time.perf_counter()
    for raw in source:
        rows += 1
        raw = raw.rstrip(b"\n")
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            n = parse(raw.decode("utf-8"), args.region)
            if not possible(n):
                raise ValueError("not possible")
            text = fmt(n, e164).encode("ascii")
            out.write(encode(new(key, text, sha256).digest()).rstrip(b"=") + b"\n")
        except Exception:  # noqa: BLE001 - every failure is a data row here
            failed += 1
            out.write(b"error: not-a-number\n")
    out.flush()
    secs = time.perf_counter() - start
    rate = rows / secs if secs > 0 else 0.0
    print(
        f"baseline: {rows} lines, {failed} failed, in {secs:.2f} s ({rate:.0f} lines/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
