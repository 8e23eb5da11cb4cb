#!/usr/bin/env python3
"""Writes the parity fixture: phone-number inputs and what libphonenumber makes of them.

Every case is an input string and a default region (or none). Its expected outcome comes from
the `phonenumbers` package (the Python port of libphonenumber) and nothing else:

    n = phonenumbers.parse(input, region)          # may raise NumberParseException
    reason = phonenumbers.is_possible_number_with_reason(n)
    IS_POSSIBLE / IS_POSSIBLE_LOCAL_ONLY  ->  {"expect": format_number(n, E164),
                                               "extension": n.extension, its digits as ASCII
                                                            (when it has one),
                                               "valid": is_valid_number(n),
                                               "type": <PhoneNumberType name of number_type(n)>,
                                               "number_region": region_code_for_number(n),
                                               "formats": [format_number(n, INTERNATIONAL),
                                                           format_number(n, NATIONAL),
                                                           format_number(n, RFC3966)]}
    any other reason                      ->  {"error": "possible:<REASON>"}
    NumberParseException                  ->  {"error": "<ERROR_TYPE>", "detail": ...}

`detail` is present only where libphonenumber's exception message separates causes that share
an error type: "phone-context" (NOT_A_NUMBER for an invalid RFC 3966 phone-context), "input"
and "nsn" (TOO_LONG for more than 250 characters, or for a national number over 17 digits),
"region" and "country-code" (INVALID_COUNTRY_CODE for a missing default region, or for digits
after `+`/the international prefix that are no calling code).

`formats` is formatted with the extension's digits as ASCII, as `extension` gives them. It
depends only on the number and its extension, so it is written on
the first case of each (E.164, extension) pair and left out of the cases that repeat the pair
(the generator checks that they would carry the same three strings); a test looks it up by
the pair. That keeps the fixture small while every parsed number is checked.

Each case also carries a `kind`: `family/variant`, naming the generator that made it, so a
failing test can report which families disagree.

The output is deterministic: one seeded RNG, every set and dict walked in sorted order, and
the cases written in the order they are made, first one kept when (input, region) repeats.

Run through tools/parity/generate.sh, which pins the oracle in a venv.
"""

import argparse
import copy
import json
import platform
import random
import re
import sys
import unicodedata

try:  # Python 3.11 and later; the old name still works, with a deprecation warning
    import re._parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_parse

import phonenumbers
from phonenumbers.phonenumberutil import _choose_formatting_pattern_for_number
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
)

SEED = 0x9E164

# Regions every example is also parsed with, besides its own and none.
OTHER_REGIONS = ["US", "GB", "DE", "AU", "BR", "AR", "IN"]

# Every character libphonenumber's _VALID_PUNCTUATION accepts, without 'x' (it doubles as an
# extension label and a carrier placeholder, so it is exercised with the letters).
VALID_PUNCTUATION = (
    "-./()[]~ "
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\uff0e\uff0f"
    "\u00a0\u00ad\u200b\u2060\u3000\uff08\uff09\uff3b\uff3d\u2053\u223c\uff5e"
)
# Separators people type that libphonenumber does not list; the oracle decides what they do.
OTHER_SEPARATORS = "\t_,:|\u2009\u202f\u2007\ufeff"

# Decimal digits (Unicode Nd) of several scripts, as the code point of their zero.
DIGIT_SCRIPTS = {
    "fullwidth": 0xFF10,
    "arabic-indic": 0x0660,
    "eastern-arabic-indic": 0x06F0,
    "devanagari": 0x0966,
    "bengali": 0x09E6,
    "thai": 0x0E50,
    "tibetan": 0x0F20,
    "myanmar": 0x1040,
    "khmer": 0x17E0,
    "mongolian": 0x1810,
    "nko": 0x07C0,
    "math-bold": 0x1D7CE,
    "adlam": 0x1E950,
}
# Characters with a digit value that are not Nd (superscripts, circled numbers, a Roman
# numeral); libphonenumber's \d does not match them.
DIGIT_LIKE = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2460\u2461\u2462\u2168\u00bd"

EXTENSION_FORMS = [
    " ext. {e}", " ext {e}", " ext{e}", " Ext. {e}", " EXT: {e}", " extn {e}", " extn. {e}",
    " extension {e}", " extensi\u00f3n {e}", " extensio\u0301n {e}", " xtn {e}",
    " x{e}", " x {e}", "x{e}", " X{e}", " x. {e}", " #{e}", "#{e}", " # {e}",
    ";ext={e}", ",,{e}", ",{e}", ", {e}", ";{e}", " ;{e}", ",,,{e}",
    " \u0434\u043e\u0431 {e}", " \u0434\u043e\u0431. {e}", " anexo {e}",
    " \uff45\uff58\uff54 {e}", " \uff58{e}", " \uff03{e}", " int {e}", " \uff49\uff4e\uff54 {e}",
    " ~{e}", " \uff5e{e}", " - {e}#", " {e}#", "\text {e}", "\u00a0ext.\u00a0{e}",
    " ext. {e}#", " ext:{e}", " x{e}/x456", " ext. {e} and more",
]
EXTENSION_DIGITS = ["1", "123", "4567", "123456", "1234567890", "12345678901234567890",
                    "123456789012345678901"]

LEADING_TEXT = ["Tel: ", "Tel.: ", "Phone: ", "Mobile ", "call ", "T ", "tel ", "Fax:", "(",
                "\u260e ", "\u2706", "No. ", "*", "#", "..", "\ufeff", "\u200e", "<", "\"",
                "number\t"]
TRAILING_TEXT = [".", "!", " ", "  ", ")", " (mobile)", " (home)", " ;", ",", "\u3002", " -",
                 " now", " please", " ok", " / ", "\u200f", "\"", ">", " \u2706", "_",
                 " or +1 201 555 0123"]

VANITY = [
    ("1-800-FLOWERS", "US"), ("1 800 FLOWERS", None), ("+1 800 FLOWERS", None),
    ("1-800-GOT-JUNK", "US"), ("1800 MICROSOFT", "US"), ("800 MICROSOFT", "US"),
    ("1-800-MY-APPLE", "CA"), ("+1-800-FLOWERSABC", None), ("0800 REVERSE", "GB"),
    ("0800-FLOWERS", "GB"), ("+44 800 FLOWERS", None), ("1300 FLOWERS", "AU"),
    ("13 BANK", "AU"), ("0800 HOLA", "ES"), ("+49 800 ABCDEFG", None),
    ("1-800-flowers", "US"), ("1-800-FlOwErS", "US"), ("1-800-FLOWER", "US"),
    ("+1 (800) FLOWERS ext. 1", None), ("800 ab", "US"), ("800 abc", "US"),
    ("ABC", "US"), ("+ABC", None), ("1-AB", "US"), ("+1 201 555 01AB", None),
]

INVALID_FIXED = [
    "", " ", "  ", "\t", "\n", "abc", "phone", "tel:", "tel:+", "+", "++", "+-", "+ ", "+\u00a0",
    "\uff0b", "-", "()", "()-./", "----", "...", "[]", "~", "#", "*", "**", "*#", "#123",
    "0", "1", "12", "123", "+1", "+12", "+123", "+1 2", "1 2", "1-2", "12-", "-12-", "(12)",
    "00", "000", "0000", "+0", "+00", "+00 12345", "+0 123456", "+999 1234567",
    "+ 999 123 456", "+888 12345678", "+21 12345678", "+28", "+80 1234", "+83 12345678",
    "+1 +1 201 555 0123", "201+555+0123", "2015550123+", "+1 201 555 0123 +",
    "+1 201 555+0123", "++1 201 555 0123", "+++1 201 555 0123", "+\uff0b1 201 555 0123",
    "1 201 555 0123 2", "\u0000", "\u0000\u0001\u0002", "2015550123\u0000",
    "201\u0007 555 0123", "\n+1 201 555 0123\n", "+1\n201 555 0123", "+1\r\n201 555 0123",
    "\u202e+1 201 555 0123", "+1 201 555 0123\u202c", "\u00b2\u00b3\u2074",
    "\u2460\u2461\u2462\u2463\u2464\u2465\u2466", "\u2160\u2161\u2162",
    "+\u0661 \u0662\u0660\u0661 \u0665\u0665\u0665 0123", "+\u0664\u0664 20 \uff17\uff19\uff14\uff16 0958",
    "\U0001d7ce\U0001d7d0\U0001d7ce \U0001d7d5\U0001d7d7\U0001d7d2\U0001d7d4 \U0001d7ce\U0001d7d7\U0001d7d3\U0001d7d6",
    "+44 20 7946 0958 \u0661\u0662", "+44 \u0968\u0966 7946 0958",
    "\u0e52\u0e50\u0e51\u0e55\u0e55\u0e55\u0e50\u0e51\u0e52\u0e53", "\U0001f4de 201 555 0123",
    "+1 201 555 0123 \U0001f600", "+1 201 \U0001f600 555 0123", "\u00e9\u00e8 201 555 0123",
    "+1 201 555 O123", "+1 2O1 555 0123", "+1 201 555 0l23", "1-800-FLOWERS-NOW",
    "123 abc", "12 ab", "1 a", "ab 12", "x12345", "+x12345", "x+12345", "12x34",
    "+44 (0) 20 7946 0958 (0)", "+44 ((20)) 7946 0958", "+44 [20] 7946-0958",
    "tel:+44;phone-context=+44", ";phone-context=+44", "tel:;phone-context=example.com",
]


class Fixture:
    """The cases in the order made; the first (input, region) pair wins."""

    def __init__(self):
        self.cases = []
        self.seen = set()
        self.skipped = 0
        # (E.164, extension) -> the formats written on the first case of the pair.
        self.formats = {}

    def add(self, kind, text, region):
        # Only real regions: phonetoken's `Region` has no "001" or "ZZ" placeholder.
        assert region is None or region in phonenumbers.SUPPORTED_REGIONS, region
        key = (text, region)
        if key in self.seen:
            return None
        self.seen.add(key)
        outcome = verdict(text, region)
        if outcome is None:
            self.skipped += 1
            return None
        formats = outcome.pop("formats", None)
        case = {"input": text, "region": region}
        case.update(outcome)
        if formats is not None:
            pair, values = formats
            known = self.formats.get(pair)
            if known is None:
                self.formats[pair] = values
                case["formats"] = values
            elif known != values:
                raise SystemExit(f"formats of {pair} differ between cases: {known} {values}")
        case["kind"] = kind
        self.cases.append(case)
        return case


ERROR_NAMES = {
    NumberParseException.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    NumberParseException.NOT_A_NUMBER: "NOT_A_NUMBER",
    NumberParseException.TOO_SHORT_AFTER_IDD: "TOO_SHORT_AFTER_IDD",
    NumberParseException.TOO_SHORT_NSN: "TOO_SHORT_NSN",
    NumberParseException.TOO_LONG: "TOO_LONG",
}
REASON_NAMES = {
    ValidationResult.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    ValidationResult.TOO_SHORT: "TOO_SHORT",
    ValidationResult.INVALID_LENGTH: "INVALID_LENGTH",
    ValidationResult.TOO_LONG: "TOO_LONG",
}
# Exception messages that tell apart causes sharing an error type.
DETAILS = {
    "The phone-context value is invalid": "phone-context",
    "The string supplied was too long to parse.": "input",
    "The string supplied is too long to be a phone number.": "nsn",
    "Missing or invalid default region.": "region",
    "Could not interpret numbers after plus-sign.": "country-code",
    "Country calling code supplied was not recognised.": "country-code",
}
NO_DETAIL = {
    "The string supplied did not seem to be a phone number.",
    "The string supplied is too short to be a phone number.",
    "Phone number had an IDD, but after this was not long enough to be a viable phone number.",
}


def verdict(text, region):
    """What libphonenumber makes of (text, region), as fixture fields."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as e:
        out = {"error": ERROR_NAMES[e.error_type]}
        message = e._msg
        if message in DETAILS:
            out["detail"] = DETAILS[message]
        elif message not in NO_DETAIL:
            raise SystemExit(f"unexpected libphonenumber message {message!r} for {text!r}")
        return out
    except Exception as e:  # a crash of the oracle itself: leave the case out, count it
        print(f"warning: oracle raised {type(e).__name__} on {text!r} {region}", file=sys.stderr)
        return None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        out = {"expect": phonenumbers.format_number(number, PhoneNumberFormat.E164)}
        if number.extension:
            # libphonenumber keeps an extension's digits as written (`１２３`); phonetoken's
            # Extension holds them as ASCII, so the fixture gives them (and formats with
            # them) as ASCII, converted by libphonenumber's own digit normalization.
            number = copy.copy(number)
            number.extension = phonenumbers.normalize_digits_only(number.extension)
            out["extension"] = number.extension
        out.update({
            "valid": phonenumbers.is_valid_number(number),
            "type": TYPE_NAMES[phonenumbers.number_type(number)],
            # "001" for a non-geographic code, None when no region of a shared code fits.
            "number_region": phonenumbers.region_code_for_number(number),
            # Taken out again by Fixture.add, which writes them once per pair.
            "formats": ((phonenumbers.format_number(number, PhoneNumberFormat.E164),
                         number.extension or ""),
                        [phonenumbers.format_number(number, f) for f in
                         (PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL,
                          PhoneNumberFormat.RFC3966)]),
        })
        return out
    return {"error": "possible:" + REASON_NAMES[reason]}


TYPE_NAMES = {getattr(PhoneNumberType, n): n for n in dir(PhoneNumberType) if n.isupper()}


def type_names():
    names = [n for n in dir(PhoneNumberType) if n.isupper()]
    return sorted(names, key=lambda n: getattr(PhoneNumberType, n))


def collect_examples():
    """(region or None, type name, PhoneNumber) for every example number, deduplicated."""
    out = []
    types = type_names()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        seen = set()
        for name in types:
            number = phonenumbers.example_number_for_type(region, getattr(PhoneNumberType, name))
            if number is None:
                continue
            key = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            if key not in seen:
                seen.add(key)
                out.append((region, name, number))
    desc_fields = ["fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                   "personal_number", "voip", "pager", "uan", "voicemail"]
    for cc in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        metadata = PhoneMetadata.metadata_for_nongeo_region(cc)
        seen = set()
        for field in desc_fields:
            desc = getattr(metadata, field, None)
            if desc is None or desc.example_number is None:
                continue
            number = phonenumbers.parse("+%d%s" % (cc, desc.example_number), None)
            key = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            if key not in seen:
                seen.add(key)
                out.append((None, field.upper(), number))
        default = phonenumbers.example_number_for_non_geo_entity(cc)
        if default is not None:
            key = phonenumbers.format_number(default, PhoneNumberFormat.E164)
            if key not in seen:
                seen.add(key)
                out.append((None, "DEFAULT", default))
    return out


FORMATS = [
    ("e164", PhoneNumberFormat.E164),
    ("international", PhoneNumberFormat.INTERNATIONAL),
    ("national", PhoneNumberFormat.NATIONAL),
    ("rfc3966", PhoneNumberFormat.RFC3966),
]


def idd_strings(region):
    """Digit strings that fully match the region's international prefix, shortest first."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.international_prefix is None:
        return []
    pattern = re.compile(metadata.international_prefix)
    found = set()
    candidates = [str(i).zfill(n) for n in range(1, 5) for i in range(10 ** n)]
    candidates += ["0%d" % i for i in range(1000, 10000)]
    candidates += ["14110011", "14880011", "14660011", "14770011"]
    for c in candidates:
        if pattern.fullmatch(c):
            found.add(c)
    return sorted(found, key=lambda s: (len(s), s))


def nsn_of(number):
    return phonenumbers.national_significant_number(number)


def to_script(text, zero):
    return "".join(chr(zero + ord(c) - 48) if "0" <= c <= "9" else c for c in text)


def mutate(rng, text, alphabet, max_edits):
    """`text` after 1 to `max_edits` random edits: a character of `alphabet` inserted or put
    in place of one, a character deleted, or two neighbours swapped."""
    chars = list(text)
    for _ in range(rng.randint(1, max_edits)):
        op = rng.randrange(4)
        if op == 0 or not chars:
            chars.insert(rng.randint(0, len(chars)), rng.choice(alphabet))
        elif op == 1:
            del chars[rng.randrange(len(chars))]
        elif op == 2:
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        elif len(chars) > 1:
            i = rng.randrange(len(chars) - 1)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def spread(rng, digits, separators, max_run=2, probability=0.5):
    """Digits with runs of separators put between some of them."""
    out = []
    for i, c in enumerate(digits):
        if i > 0 and rng.random() < probability:
            out.append("".join(rng.choice(separators) for _ in range(rng.randint(1, max_run))))
        out.append(c)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--seed", type=int, default=SEED,
                    help="RNG seed; the committed fixture uses the default")
    ap.add_argument("--mutations", type=int, default=8000,
                    help="number of mutation cases to try; more for a local stress run")
    ap.add_argument("--random-pieces", type=int, default=2500,
                    help="number of random phone-like strings to try")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    fx = Fixture()
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    examples = collect_examples()
    idd = {r: idd_strings(r) for r in regions}

    # -- example numbers in libphonenumber's own formats, parsed with several regions --------
    for region, type_name, number in examples:
        cc = number.country_code
        siblings = [r for r in phonenumbers.region_codes_for_country_code(cc)
                    if r != region and r in phonenumbers.SUPPORTED_REGIONS]
        for fmt_name, fmt in FORMATS:
            text = phonenumbers.format_number(number, fmt)
            kind = "example/" + fmt_name
            fx.add(kind, text, region)
            fx.add(kind, text, None)
            if fmt_name != "rfc3966":
                fx.add(kind, text, rng.choice(regions))
            if fmt_name == "national":
                for other in OTHER_REGIONS + siblings[:3]:
                    fx.add(kind, text, other)

    # -- separators: libphonenumber's punctuation, and other characters people type ----------
    for region, _, number in examples:
        intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        sep = rng.choice(VALID_PUNCTUATION)
        fx.add("noise/separator-swap", intl.replace(" ", sep), None)
        fx.add("noise/separator-swap", national.replace(" ", rng.choice(VALID_PUNCTUATION)),
               region)
        fx.add("noise/separator-spread", "+" + spread(rng, e164[1:], VALID_PUNCTUATION), None)
        fx.add("noise/separator-spread", spread(rng, national, VALID_PUNCTUATION), region)
        if rng.random() < 0.5:
            fx.add("noise/separator-other", intl.replace(" ", rng.choice(OTHER_SEPARATORS)), None)
        else:
            fx.add("noise/separator-other",
                   "+" + spread(rng, e164[1:], OTHER_SEPARATORS, 1, 0.2), None)
        fx.add("noise/separator-after-plus", "+" + rng.choice(VALID_PUNCTUATION) + e164[1:],
               region)
        fx.add("noise/brackets", "+%d (%s) %s" % (number.country_code, nsn_of(number)[:3],
                                                  nsn_of(number)[3:]), None)

    # -- leading text, trailing junk ---------------------------------------------------------
    for region, _, number in examples:
        intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        candidates = [
            ("noise/leading", rng.choice(LEADING_TEXT) + intl, None),
            ("noise/leading", rng.choice(LEADING_TEXT) + national, region),
            ("noise/trailing", intl + rng.choice(TRAILING_TEXT), None),
            ("noise/trailing", national + rng.choice(TRAILING_TEXT), region),
        ]
        for kind, text, reg in rng.sample(candidates, 2):
            fx.add(kind, text, reg)

    # -- digits of other scripts, plus signs ------------------------------------------------
    scripts = sorted(DIGIT_SCRIPTS.items())
    for region, _, number in examples:
        intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        name, zero = rng.choice(scripts)
        fx.add("digits/" + name, to_script(intl, zero), None)
        name, zero = rng.choice(scripts)
        fx.add("digits/" + name, to_script(national, zero), region)
        mixed = "".join(chr(rng.choice(scripts)[1] + ord(c) - 48)
                        if c.isdigit() and rng.random() < 0.4 else c for c in intl)
        fx.add("digits/mixed", mixed, None)
        like = "".join(rng.choice(DIGIT_LIKE) if c.isdigit() and rng.random() < 0.1 else c
                       for c in national)
        fx.add("digits/not-nd", like, region)
        rest = intl[1:]
        fx.add("plus/fullwidth", "\uff0b" + rest, None)
        fx.add("plus/double", rng.choice(["++", "\uff0b\uff0b", "+\uff0b", "+ +"]) + rest,
               rng.choice([None, region]))
        fx.add("plus/spaced", "+ " + rest, region)
    for name, zero in scripts:
        fx.add("digits/" + name, to_script("+1 201 555 0123", zero), None)
        fx.add("digits/" + name, to_script("020 7946 0958", zero), "GB")

    # -- international dialling prefixes of the default region -------------------------------
    by_region = {}
    for region, _, number in examples:
        by_region.setdefault(region, []).append(number)
    for region in regions:
        prefixes = idd[region]
        metadata = PhoneMetadata.metadata_for_region(region)
        preferred = metadata.preferred_international_prefix
        chosen = prefixes[:2] + rng.sample(prefixes[2:], min(2, len(prefixes[2:])))
        if preferred:
            chosen += [preferred, preferred.replace("~", ""), preferred.replace("~", " ")]
        for prefix in chosen:
            far = rng.choice(examples)[2]
            fx.add("idd/own", "%s %d %s" % (prefix, far.country_code, nsn_of(far)), region)
            fx.add("idd/own", "%s%d%s" % (prefix, far.country_code, nsn_of(far)), region)
            fx.add("idd/short", "%s %s" % (prefix, rng.choice(["1", "12", "44", "123", "1 2"])),
                   region)
            fx.add("idd/bad-code", "%s %s 1234567" % (prefix, rng.choice(["999", "28", "0"])),
                   region)
        for number in by_region.get(region, [])[:2]:
            # A number of the region itself dialled through its own international prefix.
            if prefixes:
                fx.add("idd/self", "%s %d %s" % (prefixes[0], number.country_code,
                                                 nsn_of(number)), region)
    for region, _, number in examples:
        other = rng.choice(OTHER_REGIONS + regions)
        prefixes = idd[other] or ["00"]
        prefix = rng.choice(prefixes)
        fx.add("idd/other", "%s %d %s" % (prefix, number.country_code, nsn_of(number)), other)
        fx.add("idd/wrong", "011 %d %s" % (number.country_code, nsn_of(number)),
               rng.choice(["GB", "DE", "FR", "JP"]))
    for carrier in ["12", "14", "15", "21", "23", "31", "41", "43", "55", "65", "99", "11", "00"]:
        for number in by_region.get("BR", []):
            fx.add("idd/br-carrier", "00 %s %d %s" % (carrier, number.country_code,
                                                    nsn_of(number)), "BR")
            fx.add("national-prefix/br-carrier", "0 %s %s" % (carrier, nsn_of(number)), "BR")
            fx.add("national-prefix/br-carrier", "0%s%s" % (carrier, nsn_of(number)), "BR")

    # -- national prefix forms, (0) after the country code, code repeated without + ----------
    for region, _, number in examples:
        nsn = nsn_of(number)
        cc = number.country_code
        metadata = PhoneMetadata.metadata_for_region(region) if region else None
        prefix = metadata.national_prefix if metadata else None
        if region:
            fx.add("national-prefix/bare-nsn", nsn, region)
            if prefix:
                fx.add("national-prefix/prefixed", prefix + nsn, region)
                fx.add("national-prefix/prefixed-spaced", prefix + " " + nsn, region)
                fx.add("national-prefix/doubled", prefix + prefix + nsn, region)
                fx.add("national-prefix/wrong-region", prefix + nsn, rng.choice(OTHER_REGIONS))
            candidates = [
                ("cc-without-plus/own", "%d %s" % (cc, nsn), region),
                ("cc-without-plus/own-joined", "%d%s" % (cc, nsn), region),
                ("cc-without-plus/other", "%d %s" % (cc, nsn), rng.choice(OTHER_REGIONS)),
            ]
            if prefix:
                candidates.append(("cc-without-plus/prefixed", "%d %s%s" % (cc, prefix, nsn),
                                   region))
            for kind, text, reg in rng.sample(candidates, 2):
                fx.add(kind, text, reg)
        candidates = [
            ("trunk-after-cc/paren", "+%d (0)%s" % (cc, nsn), None),
            ("trunk-after-cc/paren-spaced", "+%d (0) %s" % (cc, nsn), region),
            ("trunk-after-cc/bare", "+%d 0%s" % (cc, nsn), None),
        ]
        if prefix and prefix != "0":
            candidates.append(("trunk-after-cc/own-prefix", "+%d %s%s" % (cc, prefix, nsn), None))
        for kind, text, reg in rng.sample(candidates, 2):
            fx.add(kind, text, reg)

    # -- region-specific national forms -------------------------------------------------------
    for number in by_region.get("AR", []):
        nsn = nsn_of(number)
        for form in ["0%s", "0 %s", "%s", "0%s15%s", "%s 15 %s", "15 %s", "9 %s", "0 9 %s"]:
            if form.count("%s") == 2:
                text = form % (nsn[:2], nsn[2:])
            else:
                text = form % nsn
            fx.add("national-prefix/ar", text, "AR")
            fx.add("national-prefix/ar", "+54 " + text, "AR")
    for number in by_region.get("MX", []):
        nsn = nsn_of(number)
        for form in ["01 %s", "044 %s", "045 %s", "1 %s", "+52 1 %s", "00 52 1 %s", "%s"]:
            fx.add("national-prefix/mx", form % nsn, "MX")
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata.national_prefix_transform_rule is None:
            continue
        for number in by_region.get(region, []):
            nsn = nsn_of(number)
            fx.add("national-prefix/transform", nsn, region)
            if metadata.national_prefix:
                fx.add("national-prefix/transform", metadata.national_prefix + nsn, region)

    # -- letters: vanity numbers, one or two stray letters -----------------------------------
    for text, region in VANITY:
        fx.add("letters/vanity", text, region)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for region, _, number in examples:
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        for count in (1, 2):
            base = intl if count == 1 else national
            chars = list(base)
            for _ in range(count):
                pos = rng.randint(1, len(chars))
                chars.insert(pos, rng.choice(letters))
            fx.add("letters/stray-%d" % count, "".join(chars), None if count == 1 else region)
        digits = list(nsn_of(number))
        for _ in range(3):
            i = rng.randrange(len(digits))
            digits[i] = rng.choice(letters)
        fx.add("letters/vanity-random", "+%d %s" % (number.country_code, "".join(digits)), None)

    # -- extensions ---------------------------------------------------------------------------
    showcase = {"US", "GB", "DE", "BR", "RU", "JP"}
    for region, _, number in examples:
        intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if region in showcase:
            forms = EXTENSION_FORMS
        else:
            forms = rng.sample(EXTENSION_FORMS, 2)
        for form in forms:
            ext = rng.choice(EXTENSION_DIGITS)
            fx.add("extension/international", intl + form.format(e=ext), None)
            if region:
                fx.add("extension/national", national + form.format(e=ext), region)
        if region in showcase or rng.random() < 0.2:
            fx.add("extension/fullwidth",
                   intl + " \uff45\uff58\uff54 " + to_script("123", 0xFF10), None)

    # -- RFC 3966 URIs ------------------------------------------------------------------------
    contexts_valid = ["example.com", "example.com.", "a.b-c.d", "ims.mnc001.mcc001.3gppnetwork.org",
                      "x", "A1.B2"]
    contexts_invalid = ["", "+", "+-", "abc!def", "1234", "-example.com", "example..com",
                        "+44a", "+ 44", "example.com-", "\u00e9xample.com", "1.2.3", "+(44)",
                        "+4-4", "+.4", "+44;", "example_com"]
    for region, _, number in examples:
        rfc = phonenumbers.format_number(number, PhoneNumberFormat.RFC3966)
        cc = number.country_code
        nsn = nsn_of(number)
        split = rng.randint(1, max(1, len(nsn) - 2))
        spaced = spread(rng, nsn, "-.()", 1, 0.3)
        candidates = [
            ("tel/uri", rfc, None),
            ("tel/uri-ext", rfc + ";ext=" + rng.choice(EXTENSION_DIGITS[:4]), None),
            ("tel/isub", rfc + ";isub=" + rng.choice(["1234", "abc", "12;foo=bar"]), None),
            ("tel/context-plus", "tel:%s;phone-context=+%d" % (nsn, cc), None),
            ("tel/context-plus", "tel:%s;phone-context=+%d" % (spaced, cc), region),
            ("tel/context-split", "tel:%s;phone-context=+%d-%s" % (nsn[split:], cc, nsn[:split]),
             None),
            ("tel/context-domain",
             "tel:%s;phone-context=%s" % (nsn, rng.choice(contexts_valid)), region),
            ("tel/context-domain",
             "tel:%s;phone-context=%s" % (nsn, rng.choice(contexts_valid)), None),
            ("tel/context-invalid",
             "tel:%s;phone-context=%s" % (nsn, rng.choice(contexts_invalid)), region),
            ("tel/context-then-params", "tel:%s;phone-context=+%d;foo=bar" % (nsn, cc), None),
            ("tel/no-prefix", "%s;phone-context=+%d" % (nsn, cc), None),
            ("tel/other-params", rfc + ";foo=bar", region),
            ("tel/uppercase", rfc.upper(), None),
        ]
        for kind, text, reg in rng.sample(candidates, 6):
            fx.add(kind, text, reg)
    for context in contexts_valid + contexts_invalid:
        fx.add("tel/context-list", "tel:2015550123;phone-context=" + context, "US")
        fx.add("tel/context-list", "tel:2015550123;isub=1;phone-context=" + context, None)

    # -- invalid inputs, lengths --------------------------------------------------------------
    for text in INVALID_FIXED:
        fx.add("invalid/fixed", text, None)
        fx.add("invalid/fixed", text, "US")
        fx.add("invalid/fixed", text, rng.choice(regions))
    long_inputs = [
        "1" * 250, "1" * 251, "+" + "1" * 249, "+" + "1" * 250, " " * 240 + "+12015550123",
        " " * 239 + "+12015550123", "a" * 300, "\uff11" * 250, "\uff11" * 251,
        "\U0001d7cf" * 250, "\U0001d7cf" * 251, "+1 201 555 0123" + " " * 236,
        "+1 201 555 0123" + " " * 235, "+1 201 555 0123" + "x" * 240,
        "tel:+1-201-555-0123;isub=" + "1" * 226, "tel:+1-201-555-0123;isub=" + "1" * 225,
        "+1 201 555 0123 ext. " + "1" * 230,
    ]
    for text in long_inputs:
        fx.add("length/input", text, None)
        fx.add("length/input", text, "US")
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region)
        cc = metadata.country_code
        for n in sorted(rng.sample(range(1, 20), 8)):
            digits = "".join(rng.choice("0123456789") for _ in range(n))
            nsn = rng.choice("123456789") + digits[1:] if n > 1 else digits
            fx.add("length/nsn", "+%d %s" % (cc, nsn), None)
            if n % 3 == 0:
                fx.add("length/nsn-national", nsn, region)
        invalid = phonenumbers.invalid_example_number(region)
        if invalid is not None:
            fx.add("invalid/example", phonenumbers.format_number(invalid, PhoneNumberFormat.E164),
                   None)
            fx.add("invalid/example",
                   phonenumbers.format_number(invalid, PhoneNumberFormat.NATIONAL), region)
    assigned = set(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    for code in range(0, 1000):
        if code in assigned:
            continue
        # Unassigned codes whose own prefixes are unassigned too: no shorter code can match.
        text = str(code)
        if any(int(text[:k]) in assigned for k in range(1, len(text))):
            continue
        if rng.random() < 0.2 or code < 10:
            fx.add("invalid/country-code", "+%s %s" % (text, "2345678"), None)
            fx.add("invalid/country-code", "+%s%s" % (text, "23456789"), rng.choice(regions))

    # -- mutations of valid inputs ------------------------------------------------------------
    alphabet = (list("0123456789") * 3 + list(VALID_PUNCTUATION) + list(OTHER_SEPARATORS)
                + list("abcxyzABCXYZetn") + ["+", "\uff0b", "#", "*", ";", ",", "=", ":", "x",
                                              "\u0000", "\n", "\u00e9", "\u20ac", "\U0001f600",
                                              "\ufffd"]
                + [chr(zero + d) for _, zero in scripts for d in (0, 1, 5, 9)]
                + list(DIGIT_LIKE))
    pool = [c for c in fx.cases if c["kind"].startswith(("example/", "extension/", "tel/uri"))]
    for _ in range(args.mutations):
        base = rng.choice(pool)
        text = mutate(rng, base["input"], alphabet, 3)
        region = base["region"] if rng.random() < 0.7 else rng.choice(regions + [None])
        fx.add("mutation/edit", text, region)

    # -- text assembled at random from the pieces phone numbers are written with -----------
    pieces = (list("0123456789") * 4
              + ["+", "\uff0b", " ", "-", ".", "/", "(", ")", "~", "\uff5e", "\u00a0", "\u3000",
                 "\u00ad", "\u200b", "\u30fc", "x", "X", "#", "*", ";", ",", ",,", "=", ":", "_",
                 "ext. ", "extensi\u00f3n", "\u0434\u043e\u0431", "anexo", "\uff45\uff58\uff54",
                 "int", "tel:", "TEL:", ";phone-context=", ";phone-context=+44",
                 ";phone-context=example.com", ";isub=", ";ext=", "00", "011", "0011", "810",
                 "8~10", "(0)", "0", "1", "15", "9", "a", "B", "z", "\u00e9", "\u00df", "\u0130",
                 "\u0661", "\u06f4", "\u0969", "\uff11", "\uff19", "\u0e59", "\U0001d7ce",
                 "\u00b2", "\u2460", "\u0000", "\t", "\n"])
    for _ in range(args.random_pieces):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        fx.add("random/pieces", text, rng.choice(regions + [None] * 40))

    # -- every E.164 result, parsed again -----------------------------------------------------
    results = sorted({c["expect"] for c in fx.cases if "expect" in c})
    for text in sorted(rng.sample(results, min(2500, len(results)))):
        fx.add("e164-reparse/none", text, None)
    for text in rng.sample(results, min(800, len(results))):
        fx.add("e164-reparse/region", text, rng.choice(regions))

    # -- valid numbers made invalid: one digit of each example changed ------------------------
    # Its own RNG, so the cases above stay what they were before these were added.
    vrng = random.Random(args.seed + 1)
    for region, _, number in examples:
        nsn = nsn_of(number)
        for _ in range(2):
            digits = list(nsn)
            i = vrng.randrange(len(digits))
            digits[i] = vrng.choice([d for d in "0123456789" if d != digits[i]])
            changed = "".join(digits)
            fx.add("validity/digit-changed", "+%d%s" % (number.country_code, changed), None)
        if region:
            digits = list(nsn)
            i = vrng.randrange(len(digits))
            digits[i] = vrng.choice([d for d in "0123456789" if d != digits[i]])
            fx.add("validity/digit-changed-national", "".join(digits), region)

    # -- one number per number format: every format libphonenumber can choose is exercised --
    # Its own RNG too, so the cases above stay what they were before these were added.
    each_format(fx, random.Random(args.seed + 2))

    write(fx, args)


def _class_digits(items):
    """The digits a character class (`[2-5]`, `\\d`, a literal) admits."""
    digits = []
    for op, value in items:
        if str(op) == "LITERAL":
            digits.append(chr(value))
        elif str(op) == "RANGE":
            digits.extend(chr(c) for c in range(value[0], value[1] + 1))
        elif str(op) == "CATEGORY" and str(value) == "CATEGORY_DIGIT":
            digits.extend("0123456789")
        else:
            raise SystemExit(f"unexpected class item {op} {value}")
    return [d for d in digits if "0" <= d <= "9"]


def _sample(items, rng):
    """A random string of digits that the parsed pattern `items` matches from its start."""
    out = []
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name == "IN":
            out.append(rng.choice(_class_digits(value)))
        elif name == "CATEGORY":
            out.append(rng.choice(_class_digits([(op, value)])))
        elif name == "MAX_REPEAT":
            low, high, sub = value
            for _ in range(rng.randint(low, min(high, low + 4))):
                out.extend(_sample(sub, rng))
        elif name == "SUBPATTERN":
            out.extend(_sample(value[-1], rng))
        elif name == "BRANCH":
            out.extend(_sample(rng.choice(value[1]), rng))
        elif name == "AT":
            pass
        else:
            raise SystemExit(f"unexpected pattern item {op} {value}")
    return out


def sample_match(pattern, rng):
    """A random digit string `pattern` (libphonenumber's digit-only syntax) matches."""
    return "".join(_sample(sre_parse.parse(pattern), rng))


def each_format(fx, rng):
    """For every number format of every calling code's main region, national and
    international, a number that libphonenumber formats with it, written as +CC NSN."""
    for cc in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        region = phonenumbers.region_code_for_country_code(cc)
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
        for formats in (metadata.number_format, metadata.intl_number_format):
            for wanted in formats:
                # Draws until libphonenumber picks this format for a possible number: a
                # format that an earlier one shadows for every number is never picked.
                for _ in range(300):
                    nsn = sample_match(wanted.pattern, rng)
                    if wanted.leading_digits_pattern:
                        lead = sample_match(wanted.leading_digits_pattern[-1], rng)
                        nsn = lead + nsn[len(lead):]
                    if re.fullmatch(wanted.pattern, nsn) is None:
                        continue
                    if _choose_formatting_pattern_for_number(formats, nsn) is not wanted:
                        continue
                    number = phonenumbers.parse("+%d%s" % (cc, nsn), None)
                    if (phonenumbers.national_significant_number(number) != nsn
                            or not phonenumbers.is_possible_number(number)):
                        continue
                    if fx.add("format/each", "+%d %s" % (cc, nsn), None) is not None:
                        break


def write(fx, args):
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for case in fx.cases:
            f.write(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts = {}
    outcomes = {}
    validity = {}
    formatted = 0
    for case in fx.cases:
        family = case["kind"].split("/")[0]
        counts[family] = counts.get(family, 0) + 1
        key = "success" if "expect" in case else case["error"]
        outcomes[key] = outcomes.get(key, 0) + 1
        if "expect" in case:
            key = "valid" if case["valid"] else "invalid"
            validity[key] = validity.get(key, 0) + 1
        formatted += "formats" in case
    meta = {
        "generator": "tools/parity/gen_fixture.py",
        "oracle": "phonenumbers",
        "phonenumbers": phonenumbers.__version__,
        "python": platform.python_version(),
        "unicode": unicodedata.unidata_version,
        "seed": args.seed,
        "cases": len(fx.cases),
        "skipped_oracle_crashes": fx.skipped,
        "families": dict(sorted(counts.items())),
        "outcomes": dict(sorted(outcomes.items())),
        "validity": dict(sorted(validity.items())),
        # Cases that carry `formats`: one per distinct (E.164, extension) pair.
        "formatted_pairs": formatted,
    }
    with open(args.meta, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print("wrote %d cases to %s" % (len(fx.cases), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
