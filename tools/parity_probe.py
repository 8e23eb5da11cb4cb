#!/usr/bin/env python3
"""Differential probe: feeds many inputs through the Python port of libphonenumber (the
reference) and through phonetoken's parser, and reports every disagreement.

Usage (repository root; needs `pip install phonenumbers==9.0.35`):

    python3 tools/parity_probe.py --via-test [--random 20000] [--seed 1]

`--via-test` runs the ignored unit test `parse::tests::probe_lines`, which reads
`REGION<TAB>HEX-OF-UTF-8` lines and writes `ok <E.164> <extension or ->` or `err <code>`
lines; `--bin PROGRAM` instead pipes the same lines through any program that speaks this
protocol on stdin and stdout.

Verdicts are compared by category, since phonetoken splits some of libphonenumber's errors:
NOT_A_NUMBER (no-digits, not-a-number, invalid-phone-context), TOO_LONG (input-too-long,
too-long), INVALID_COUNTRY_CODE (missing-region, invalid-country-code), TOO_SHORT_AFTER_IDD,
TOO_SHORT (too-short), INVALID_LENGTH (invalid-length).
"""
import argparse
import random
import subprocess
import sys
import unicodedata

import phonenumbers as pn
from phonenumbers import NumberParseException as NPE
from phonenumbers import PhoneNumberFormat as PNF
from phonenumbers import PhoneNumberType as PNT
from phonenumbers import ValidationResult as VR

OURS = {
    "no-digits": "NOT_A_NUMBER",
    "not-a-number": "NOT_A_NUMBER",
    "invalid-phone-context": "NOT_A_NUMBER",
    "input-too-long": "TOO_LONG",
    "too-long": "TOO_LONG",
    "missing-region": "INVALID_COUNTRY_CODE",
    "invalid-country-code": "INVALID_COUNTRY_CODE",
    "too-short-after-idd": "TOO_SHORT_AFTER_IDD",
    "too-short": "TOO_SHORT",
    "invalid-length": "INVALID_LENGTH",
}
EXC = {
    NPE.NOT_A_NUMBER: "NOT_A_NUMBER",
    NPE.TOO_LONG: "TOO_LONG",
    NPE.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    NPE.TOO_SHORT_AFTER_IDD: "TOO_SHORT_AFTER_IDD",
    NPE.TOO_SHORT_NSN: "TOO_SHORT",
}
REASON = {
    VR.TOO_SHORT: "TOO_SHORT",
    VR.TOO_LONG: "TOO_LONG",
    VR.INVALID_LENGTH: "INVALID_LENGTH",
    VR.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
}


def oracle(text, region):
    try:
        n = pn.parse(text, region)
    except NPE as e:
        return "err " + EXC[e.error_type]
    r = pn.is_possible_number_with_reason(n)
    if r not in (VR.IS_POSSIBLE, VR.IS_POSSIBLE_LOCAL_ONLY):
        return "err " + REASON[r]
    ext = "".join(str(unicodedata.digit(c)) for c in n.extension) if n.extension else "-"
    return "ok %s %s" % (pn.format_number(n, PNF.E164), ext)


def ours_category(line):
    if line.startswith("err "):
        return "err " + OURS.get(line[4:], line[4:])
    return line


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
JUNK = list("0123456789+＋-‐–—()[]./ x X*#~ ;,:=ext EXT\t\u00a0\u3000０１٢۳abcKſıİ_²①;") + [
    "tel:", ";phone-context=", ";isub=", ";ext=", "ext.", "доб", "anexo", "extensión", "int",
    "ｅｘｔ", "\n", "00", "011", "0", "1", "44", "49", "54", "55", "39", "800", "15", "9",
]


def variants(number, region, rng):
    """Ways of writing an example number, with the region to parse them with."""
    cc = number.country_code
    e164 = pn.format_number(number, PNF.E164)
    intl = pn.format_number(number, PNF.INTERNATIONAL)
    nat = pn.format_number(number, PNF.NATIONAL)
    rfc = pn.format_number(number, PNF.RFC3966)
    nsn = pn.national_significant_number(number)
    out = [
        (e164, None), (intl, None), (rfc, None), (e164, region), (intl, region), (nat, region),
        (nat, None), (rfc, region), (nsn, region),
        (intl.translate(FULLWIDTH), region), (nat.translate(ARABIC), region),
        (nat.translate(PERSIAN), region), (e164.translate(DEVANAGARI), None),
        (str(cc) + nsn, region), (str(cc) + " " + nat, region), ("+" + str(cc) + nat, None),
        ("00" + str(cc) + nsn, region), ("011" + str(cc) + nsn, region),
        ("0011" + str(cc) + nsn, region), ("+" + str(cc) + nsn[:-1], None),
        ("+" + str(cc) + nsn + "1", None), ("+" + str(cc) + nsn + "12", None),
        (nat + " ext. 123", region), (intl + " x12", region), (nat + ";ext=7", region),
        (nat + ",,55#", region), (nat + " - 503#", region), ("Tel: " + intl + ".", None),
        ("tel:" + nsn + ";phone-context=+" + str(cc), None),
        ("tel:" + nat.replace(" ", "-") + ";phone-context=example.com", region),
        (intl + "/x12", None), (nat[:3] + "ABC" + nat[3:], region),
        ("+" + "+" + str(cc) + nsn, None), ("+0" + str(cc) + nsn, region),
        ("+" + nsn, region), (nsn[:2], region), (nsn[:3], region), (nsn + nsn, region),
    ]
    for _ in range(3):
        s = list(rng.choice([e164, intl, nat]))
        for _ in range(rng.randint(1, 3)):
            s.insert(rng.randint(0, len(s)), rng.choice(JUNK))
        out.append(("".join(s), rng.choice([region, None, rng.choice(REGIONS)])))
    return out


REGIONS = sorted(pn.SUPPORTED_REGIONS)


def corpus(rng, n_random):
    cases = []
    types = [t for t in PNT.values() if t != PNT.UNKNOWN]
    for region in REGIONS:
        for t in types:
            ex = pn.example_number_for_type(region, t)
            if ex is not None:
                cases.extend(variants(ex, region, rng))
    for cc in sorted(pn.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        ex = pn.example_number_for_non_geo_entity(cc)
        if ex is not None:
            cases.extend(variants(ex, rng.choice(REGIONS), rng))
    for _ in range(n_random):
        k = rng.randint(0, 12)
        s = "".join(rng.choice(JUNK) for _ in range(k))
        cases.append((s, rng.choice([None] + REGIONS)))
    # Digit strings: country codes, national and international prefixes, every length.
    for _ in range(n_random):
        head = rng.choice(["", "", "+", "00", "011", "0", "0011", "8~10", "810", "+0"])
        body = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20)))
        cases.append((head + body, rng.choice([None] + REGIONS)))
    # Extension and separator soup after a number.
    tails = [" ", "x", "X", "#", "＃", ",", ";", "ext", "EXT", "ｅｘｔ", "-", ".", ":", "\t", "~",
             "int", "доб", "anexo", "=", "1", "23", "456", "٧", " ", "/", "*", "(", ")"]
    for _ in range(n_random):
        s, r = rng.choice([("650 253 0000", "US"), ("+44 20 7946 0958", None),
                           ("030 123456", "DE"), ("12", "US"), ("+1", None), ("123", "GB")])
        s += "".join(rng.choice(tails) for _ in range(rng.randint(1, 8)))
        cases.append((s, r))
    # Arbitrary code points next to a number (the Unicode tables).
    for _ in range(n_random):
        cp = rng.choice([rng.randrange(0x80, 0x3000), rng.randrange(0x3000, 0x30000),
                         rng.randrange(0xFF00, 0xFFF0)])
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        base = rng.choice(["650 253 0000", "+1 650 253 0000", "650 253 0000 ext 12"])
        i = rng.choice([0, len(base), rng.randrange(len(base) + 1)])
        cases.append((base[:i] + c + base[i:], "US"))
        cases.append((c * rng.randint(1, 12), rng.choice([None, "US", "DE"])))
    # RFC 3966 phone-context soup.
    ctx = ["+1", "+1-650", "+(4)4", "+", "example.com", "a.b.", "1.com", "a-.b", "-a", "a..b",
           "+١٢", "", ";a=b", "x"]
    for _ in range(n_random // 4):
        s = rng.choice(["tel:", "", "TEL:", "x tel:"]) + rng.choice(
            ["253-0000", "+1-650-253-0000", "2530000;ext=12", "253 0000;isub=9", ""])
        s += ";phone-context=" + rng.choice(ctx) + rng.choice(["", ";isub=1", ";ext=2", "tel:"])
        cases.append((s, rng.choice([None, "US", "GB"])))
    # Long inputs around the 250-character limit.
    for _ in range(n_random // 20):
        s = ""
        while len(s) < rng.randint(200, 260):
            s += rng.choice(JUNK + ["650 253 0000", " ext 1", "+44 20 7946 0958"])
        cases.append((s, rng.choice([None, "US", "GB"])))
        pad = rng.choice(["1", " ", "a", "٣", "-"]) * rng.randint(230, 260)
        cases.append((pad + "650 253 0000", "US"))
        cases.append(("650 253 0000" + pad, "US"))
    # Mutated example numbers.
    examples = [c for c in cases[: len(cases) // 3]]
    for _ in range(n_random):
        s, r = rng.choice(examples)
        s = list(s)
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            if op < 0.4:
                s.insert(rng.randint(0, len(s)), rng.choice(JUNK))
            elif op < 0.7 and s:
                del s[rng.randrange(len(s))]
            elif s:
                i = rng.randrange(len(s))
                s[i] = s[i].translate(rng.choice([FULLWIDTH, ARABIC, PERSIAN, DEVANAGARI]))
        cases.append(("".join(s), rng.choice([r, r, None, rng.choice(REGIONS)])))
    return cases


def via_test(lines):
    """Runs the ignored `probe_lines` unit test over `lines` and returns its verdicts."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.txt")
        dst = os.path.join(tmp, "out.txt")
        with open(src, "w") as f:
            f.write(lines)
        env = dict(os.environ, PARSE_PROBE_IN=src, PARSE_PROBE_OUT=dst)
        subprocess.run(
            ["cargo", "test", "--lib", "--quiet", "parse::tests::probe_lines", "--",
             "--ignored", "--exact"],
            env=env, check=True, stdout=subprocess.DEVNULL)
        with open(dst) as f:
            return f.read().splitlines()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--via-test", action="store_true")
    ap.add_argument("--random", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=40)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = corpus(rng, args.random)
    lines = "".join("%s\t%s\n" % (r or "-", s.encode("utf-8").hex()) for s, r in cases)
    if args.via_test:
        ours = via_test(lines)
    else:
        run = subprocess.run([args.bin], input=lines.encode(), capture_output=True, check=True)
        ours = run.stdout.decode().splitlines()
    assert len(ours) == len(cases), (len(ours), len(cases))
    bad = 0
    for (s, r), got in zip(cases, ours):
        want = oracle(s, r)
        if ours_category(got) != want:
            bad += 1
            if bad <= args.show:
                print("MISMATCH region=%s input=%r\n  python: %s\n  ours:   %s" % (r, s, want, got))
    kinds = {}
    for got in ours:
        k = ours_category(got).split()[0:2] if got.startswith("err") else ["ok"]
        kinds[" ".join(k)] = kinds.get(" ".join(k), 0) + 1
    print("verdicts:", ", ".join("%s=%d" % kv for kv in sorted(kinds.items())))
    print("%d inputs, %d agree, %d differ" % (len(cases), len(cases) - bad, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
