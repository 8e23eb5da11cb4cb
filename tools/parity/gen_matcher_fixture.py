#!/usr/bin/env python3
"""Writes the matcher fixture: free text and the phone numbers libphonenumber finds in it.

Every case is a text and a default region (or none), searched twice, once per leniency, as two
lines in that order. What is found comes from the `phonenumbers` package (the Python port of
libphonenumber) and nothing else:

    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=L):   # default max_tries
        [utf8(m.start), utf8(m.end),                  # UTF-8 byte offsets into text
         format_number(m.number, E164),
         m.number.extension, its digits as ASCII, or null]

One line per (text, region, leniency), keys in this order:

    {"kind": "family/variant", "region": "US" | null, "leniency": "POSSIBLE" | "VALID",
     "text": "...", "matches": [[start, end, "+E164", "ext" | null], ...]}

`start` and `end` count UTF-8 bytes, not Python's code points, so a Rust test can slice the
text with them. libphonenumber keeps an extension's digits as written (`１２３`); like the
parity fixture (phonetoken's `Extension` holds ASCII), this one gives them as ASCII,
converted by libphonenumber's own `normalize_digits_only`; the span still covers the digits
as written.

The texts are made here: every example number of every region and number type (and the same
numbers with a digit changed, dropped or added) written in many forms, inside sentences of
fourteen languages, beside dates, times, prices, order numbers, IBANs and other digits that
are no phone numbers, glued to letters and symbols, several to a text, in brackets, with
extensions and carrier codes, with and without the national prefix, and hostile texts:
random mixes of digits and punctuation, long digit runs, Unicode spaces, full-width forms.
A case's `kind` names the generator that made it; every kind has texts with matches and texts
without under each leniency (the generator checks it).

The output is deterministic: each family draws from its own seeded RNG, every set and dict is
walked in sorted order, and the cases are written in the order they are made, the first one
kept when (text, region) repeats.

Run through tools/parity/generate.sh, which pins the oracle in a venv.
"""

import argparse
import json
import os
import platform
import random
import re
import sys
import unicodedata

import phonenumbers
from phonenumbers.phonenumberutil import (
    _choose_formatting_pattern_for_number,
    _formatting_rule_has_first_group_only,
)
from phonenumbers import (
    Leniency,
    NumberParseException,
    PhoneMetadata,
    PhoneNumberFormat,
    PhoneNumberMatcher,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fixture import collect_examples, idd_strings, mutate, to_script  # noqa: E402

SEED = 0x3A7C4E5

LENIENCIES = [("POSSIBLE", Leniency.POSSIBLE), ("VALID", Leniency.VALID)]
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)

# Sentences to put numbers in, per language: frames with one number and frames with two.
FRAMES = {
    "en": (["Call me at {n} tomorrow.", "Our office number is {n}; the fax is on the website.",
            "Phone: {n}", "You can reach the support desk on {n} between 9 and 5.",
            "My number is {n}!", "Please ring ({n}) after lunch."],
           ["Call {n} or {m} if nobody answers.", "Office: {n}, mobile: {m}."]),
    "de": (["Rufen Sie mich morgen unter {n} an.", "Telefon: {n}, Fax auf Anfrage.",
            "Erreichbar unter der Nummer {n} (Mo\u2013Fr).", "Tel.{n}"],
           ["Zentrale {n}, Durchwahl Vertrieb {m}.", "Unter {n} oder {m} erreichbar."]),
    "fr": (["Appelez-moi au {n} demain matin.", "T\u00e9l. : {n} \u2014 n'h\u00e9sitez pas !",
            "Vous pouvez joindre l'accueil au {n}.", "Num\u00e9ro\u00a0: {n}."],
           ["Standard : {n} ou portable : {m}.", "Appelez le {n} (ou le {m})."]),
    "es": (["Ll\u00e1mame al {n} ma\u00f1ana por la tarde.", "Tel\u00e9fono de contacto: {n}.",
            "Para reservas, marque el {n}.", "\u00bfSu n\u00famero es {n}?"],
           ["Oficina {n}, m\u00f3vil {m}.", "Marque {n} o bien {m}."]),
    "pt": (["Ligue para {n} at\u00e9 \u00e0s 18h.", "Telefone: {n}, falar com a Joana.",
            "O nosso n\u00famero \u00e9 {n}.", "WhatsApp {n}"],
           ["Fixo {n} e celular {m}.", "Ligue {n} ou {m}."]),
    "ru": (["\u041f\u043e\u0437\u0432\u043e\u043d\u0438\u0442\u0435 \u043c\u043d\u0435 "
            "\u0437\u0430\u0432\u0442\u0440\u0430 \u043f\u043e \u043d\u043e\u043c\u0435\u0440"
            "\u0443 {n}.",
            "\u0422\u0435\u043b\u0435\u0444\u043e\u043d: {n}, \u0441\u043f\u0440\u043e\u0441"
            "\u0438\u0442\u044c \u0418\u0432\u0430\u043d\u0430.",
            "\u041d\u0430\u0448 \u043d\u043e\u043c\u0435\u0440 {n} \u2014 "
            "\u0437\u0432\u043e\u043d\u0438\u0442\u0435!",
            "\u0442\u0435\u043b.{n}"],
           ["\u041e\u0444\u0438\u0441 {n}, \u043c\u043e\u0431\u0438\u043b\u044c\u043d\u044b"
            "\u0439 {m}.", "{n} \u0438\u043b\u0438 {m}"]),
    "ar": (["\u0627\u062a\u0635\u0644 \u0628\u064a \u0639\u0644\u0649 \u0627\u0644\u0631"
            "\u0642\u0645 {n} \u063a\u062f\u0627\u064b.",
            "\u0647\u0627\u062a\u0641: {n}",
            "\u0644\u0644\u0627\u0633\u062a\u0641\u0633\u0627\u0631 \u064a\u0631\u062c\u0649 "
            "\u0627\u0644\u0627\u062a\u0635\u0627\u0644 \u0628\u0640{n}.",
            "\u0631\u0642\u0645\u0646\u0627 \u200f{n}\u200f \u060c \u0634\u0643\u0631\u0627\u064b"],
           ["\u0627\u0644\u0645\u0643\u062a\u0628 {n} \u0648\u0627\u0644\u062c\u0648\u0627"
            "\u0644 {m}.", "{n} \u0623\u0648 {m}"]),
    "he": (["\u05d4\u05ea\u05e7\u05e9\u05e8\u05d5 \u05d0\u05dc\u05d9\u05d9 \u05de\u05d7\u05e8 "
            "\u05dc\u05de\u05e1\u05e4\u05e8 {n}.",
            "\u05d8\u05dc\u05e4\u05d5\u05df: {n}",
            "\u05d4\u05de\u05e1\u05e4\u05e8 \u05e9\u05dc\u05e0\u05d5 \u05d4\u05d5\u05d0 "
            "\u200e{n}\u200e, \u05ea\u05d5\u05d3\u05d4."],
           ["\u05de\u05e9\u05e8\u05d3 {n}, \u05e0\u05d9\u05d9\u05d3 {m}.",
            "{n} \u05d0\u05d5 {m}"]),
    "hi": (["\u092e\u0941\u091d\u0947 \u0915\u0932 {n} \u092a\u0930 \u0915\u0949\u0932 "
            "\u0915\u0930\u0947\u0902\u0964",
            "\u092b\u093c\u094b\u0928: {n}",
            "\u0939\u092e\u093e\u0930\u093e \u0928\u0902\u092c\u0930 {n} \u0939\u0948\u0964"],
           ["\u0915\u093e\u0930\u094d\u092f\u093e\u0932\u092f {n}, \u092e\u094b\u092c\u093e"
            "\u0907\u0932 {m}\u0964", "{n} \u092f\u093e {m}"]),
    "zh": (["\u8bf7\u62e8\u6253{n}\u8054\u7cfb\u6211\u4eec\u3002", "\u7535\u8bdd\uff1a{n}",
            "\u5982\u6709\u95ee\u9898\uff0c\u8bf7\u81f4\u7535 {n} \u3002"],
           ["\u529e\u516c\u5ba4{n}\uff0c\u624b\u673a{m}\u3002", "{n}\u6216{m}"]),
    "ja": (["\u304a\u554f\u3044\u5408\u308f\u305b\u306f{n}\u307e\u3067\u304a\u96fb\u8a71"
            "\u304f\u3060\u3055\u3044\u3002",
            "\u96fb\u8a71\u756a\u53f7\uff1a{n}",
            "\u53d7\u4ed8\uff08{n}\uff09\u306f\u5e73\u65e5\u306e\u307f\u3067\u3059\u3002"],
           ["\u4ee3\u8868{n}\u3001\u76f4\u901a{m}", "{n}\u307e\u305f\u306f{m}"]),
    "ko": (["{n}\ub85c \uc804\ud654\ud574 \uc8fc\uc138\uc694.", "\uc804\ud654: {n}",
            "\ubb38\uc758\ub294 {n}\ubc88\uc73c\ub85c \uc5f0\ub77d \uc8fc\uc138\uc694."],
           ["\uc0ac\ubb34\uc2e4 {n}, \ud734\ub300\ud3f0 {m}", "{n} \ub610\ub294 {m}"]),
    "th": (["\u0e42\u0e17\u0e23\u0e2b\u0e32\u0e09\u0e31\u0e19\u0e17\u0e35\u0e48 {n} "
            "\u0e19\u0e30\u0e04\u0e23\u0e31\u0e1a",
            "\u0e42\u0e17\u0e23. {n}",
            "\u0e15\u0e34\u0e14\u0e15\u0e48\u0e2d\u0e40\u0e23\u0e32\u0e44\u0e14\u0e49\u0e17"
            "\u0e35\u0e48\u0e40\u0e1a\u0e2d\u0e23\u0e4c{n}\u0e15\u0e25\u0e2d\u0e14 24 "
            "\u0e0a\u0e31\u0e48\u0e27\u0e42\u0e21\u0e07"],
           ["\u0e2a\u0e33\u0e19\u0e31\u0e01\u0e07\u0e32\u0e19 {n} \u0e21\u0e37\u0e2d\u0e16"
            "\u0e37\u0e2d {m}", "{n} \u0e2b\u0e23\u0e37\u0e2d {m}"]),
    "el": (["\u03a4\u03b7\u03bb\u03b5\u03c6\u03c9\u03bd\u03ae\u03c3\u03c4\u03b5 \u03bc\u03bf"
            "\u03c5 \u03b1\u03cd\u03c1\u03b9\u03bf \u03c3\u03c4\u03bf {n}.",
            "\u03a4\u03b7\u03bb.: {n}",
            "\u039f \u03b1\u03c1\u03b9\u03b8\u03bc\u03cc\u03c2 \u03bc\u03b1\u03c2 \u03b5\u03af"
            "\u03bd\u03b1\u03b9 {n}, \u03b5\u03c5\u03c7\u03b1\u03c1\u03b9\u03c3\u03c4\u03bf"
            "\u03cd\u03bc\u03b5."],
           ["\u0393\u03c1\u03b1\u03c6\u03b5\u03af\u03bf {n}, \u03ba\u03b9\u03bd\u03b7\u03c4"
            "\u03cc {m}.", "{n} \u03ae {m}"]),
}
LANGUAGES = sorted(FRAMES)
# "or" in each language, for numbers listed in a row.
OR_WORDS = [" or ", " oder ", " ou ", " o ", " \u0438\u043b\u0438 ", " \u0623\u0648 ",
            " \u05d0\u05d5 ", " \u092f\u093e ", "\u6216", "\u307e\u305f\u306f",
            " \ub610\ub294 ", " \u0e2b\u0e23\u0e37\u0e2d ", " \u03ae "]

# Spaces libphonenumber's punctuation lists, spaces Python's \s knows, and ones neither knows.
UNICODE_SPACES = ["\u00a0", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005",
                  "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u200b", "\u202f",
                  "\u205f", "\u3000", "\u1680", "\ufeff", "\u2060"]

DIGIT_ZEROS = {"fullwidth": 0xFF10, "arabic-indic": 0x0660, "persian": 0x06F0,
               "devanagari": 0x0966, "bengali": 0x09E6, "thai": 0x0E50}

# Extension labels, grouped by the part of libphonenumber's pattern they exercise.
EXTENSION_LABELS = {
    "ext-dot": [" ext. {e}", " ext.{e}", " ext.\u00a0{e}", "\u00a0ext. {e}", " ext. {e}."],
    "ext": [" ext {e}", " ext{e}", " ext: {e}", " ext - {e}", " ext, {e}", ",ext {e}"],
    "x": [" x{e}", " x {e}", "x{e}", " x. {e}", " X{e}", "\tx{e}", " x: {e}"],
    "hash": [" #{e}", "#{e}", " # {e}", " - {e}#", " {e}#", "-{e}#", " ext. {e}#", " x{e}#"],
    "rfc": [";ext={e}", " ;ext={e}", ";EXT={e}", ";ext= {e}", ";ext={e};foo"],
    "explicit": [" extn {e}", " extn. {e}", " extension {e}", " extensi\u00f3n {e}",
                 " extensio\u0301n {e}", " xtn {e}", " \u0434\u043e\u0431 {e}",
                 " \u0434\u043e\u0431. {e}", " anexo {e}", " \uff45\uff58\uff54 {e}",
                 " \uff58\uff54\uff4e {e}", " xt {e}"],
    "ambiguous": [" int {e}", " \uff49\uff4e\uff54 {e}", " ~{e}", " \uff5e{e}", " \uff03{e}",
                  " \uff58{e}", " ~ {e}"],
    # Python's case-insensitive matching folds these onto the labels' letters.
    "case": [" EXT. {e}", " Ext {e}", " eXtN {e}", " EXTENSI\u00d3N {e}", " \u0414\u041e\u0411 {e}",
             " ANEXO {e}", " \uff25\uff38\uff34 {e}", " extenſion {e}", " \u0131nt {e}",
             " \u0130NT {e}", " INT {e}", " \uff29\uff2e\uff34 {e}"],
    # Labels only parse() takes: the matcher's pattern stops before them.
    "parse-only": [",{e}", ",,{e}", ", {e}", ";{e}", " ;{e}", ",,,{e}", ";; {e}"],
    "not-a-label": [" e{e}", " extra {e}", " tel {e}", " ext {e} ext {e}", " #", " x",
                    " ext.", " x-{e}", " /{e}"],
}
EXTENSION_DIGITS = ["1", "12", "123", "4567", "123456", "1234567", "123456789", "1234567890",
                    "123456789012345", "12345678901234567890", "123456789012345678901"]


class Fixture:
    """The cases in the order made; the first (text, region) pair wins."""

    def __init__(self):
        self.cases = []
        self.seen = set()
        self.skipped = 0

    def add(self, kind, text, region):
        # Only real regions: phonetoken's `Region` has no "001" or "ZZ" placeholder.
        assert region is None or region in phonenumbers.SUPPORTED_REGIONS, region
        key = (text, region)
        if key in self.seen:
            return None
        self.seen.add(key)
        text.encode("utf-8")  # no lone surrogates: the fixture is UTF-8
        found = {}
        for name, leniency in LENIENCIES:
            try:
                found[name] = find(text, region, leniency)
            except Exception as e:  # a crash of the oracle itself: leave the case out, count it
                print(f"warning: oracle raised {type(e).__name__} on {text!r} {region}",
                      file=sys.stderr)
                self.skipped += 1
                return None
        case = (kind, region, text, found)
        self.cases.append(case)
        return case


def find(text, region, leniency):
    """Every match of the text, as the fixture writes it."""
    out = []
    starts = None
    for m in PhoneNumberMatcher(text, region, leniency=leniency):
        if text[m.start:m.end] != m.raw_string:
            raise SystemExit(f"span and raw string differ in {text!r}")
        if starts is None:
            # UTF-8 offset of every code point offset, the end included.
            starts = [0]
            for c in text:
                starts.append(starts[-1] + len(c.encode("utf-8")))
        extension = m.number.extension
        if extension is not None:
            ascii_digits = phonenumbers.normalize_digits_only(extension)
            if len(ascii_digits) != len(extension):
                raise SystemExit(f"extension {extension!r} is not all digits in {text!r}")
            extension = ascii_digits
        out.append([starts[m.start], starts[m.end],
                    phonenumbers.format_number(m.number, PhoneNumberFormat.E164), extension])
    return out


# -- numbers and how they are written -----------------------------------------------------------

def nsn_of(number):
    return phonenumbers.national_significant_number(number)


def fmt(number, f):
    return phonenumbers.format_number(number, f)


def national_groups(number):
    """The digit groups of the national format: ["020", "7946", "0958"]."""
    groups = re.findall(r"\d+", fmt(number, PhoneNumberFormat.NATIONAL))
    return groups or [nsn_of(number)]


def intl_groups(number):
    """The digit groups after the country code in the international format."""
    text = fmt(number, PhoneNumberFormat.INTERNATIONAL)
    groups = re.findall(r"\d+", text)[1:]
    return groups or [nsn_of(number)]


def varied(number, rng, how):
    """The number with one digit changed, dropped or added (None when it does not parse)."""
    digits = list(nsn_of(number))
    if how == "changed":
        i = rng.randrange(len(digits))
        digits[i] = rng.choice([d for d in "0123456789" if d != digits[i]])
    elif how == "dropped" and len(digits) > 2:
        del digits[rng.randrange(len(digits))]
    else:
        digits.insert(rng.randint(0, len(digits)), rng.choice("0123456789"))
    try:
        return phonenumbers.parse("+%d%s" % (number.country_code, "".join(digits)), None)
    except NumberParseException:
        return None


def some_number(number, rng):
    """Mostly the example itself; sometimes it with a digit changed (often invalid but still
    possible), dropped or added (often impossible)."""
    r = rng.random()
    how = None
    if r >= 0.72:
        how = "changed" if r < 0.92 else ("dropped" if r < 0.96 else "added")
    if how is not None:
        other = varied(number, rng, how)
        if other is not None:
            return other
    return number


_IDD = {}


def idd_of(region):
    """An international prefix to dial from `region` ("00" without one)."""
    if region is None:
        return "00"
    if region not in _IDD:
        metadata = PhoneMetadata.metadata_for_region(region)
        prefixes = idd_strings(region)
        preferred = metadata.preferred_international_prefix
        _IDD[region] = preferred or (prefixes[0] if prefixes else "00")
    return _IDD[region]


FORMS = ["e164", "international", "national", "rfc3966", "digits", "digits-cc", "nsn", "dots",
         "dashes", "slashes", "parens", "intl-dashes", "intl-parens", "idd", "fullwidth",
         "arabic-indic", "persian", "devanagari", "unicode-spaces"]


def render(number, form, rng, region):
    """The number written in `form`; `region` is the text's (for the international prefix)."""
    cc = number.country_code
    if form == "e164":
        return fmt(number, PhoneNumberFormat.E164)
    if form == "international":
        return fmt(number, PhoneNumberFormat.INTERNATIONAL)
    if form == "national":
        return fmt(number, PhoneNumberFormat.NATIONAL)
    if form == "rfc3966":
        return fmt(number, PhoneNumberFormat.RFC3966)
    if form == "digits":
        return "".join(national_groups(number))
    if form == "digits-cc":
        return "%d%s" % (cc, nsn_of(number))
    if form == "nsn":
        return nsn_of(number)
    if form == "dots":
        return ".".join(national_groups(number))
    if form == "dashes":
        return "-".join(national_groups(number))
    if form == "slashes":
        groups = national_groups(number)
        if len(groups) == 1:
            g = groups[0]
            groups = [g[:3], g[3:]] if len(g) > 4 else groups
        sep = rng.choice(["/", " / ", "/"])
        return groups[0] + sep + " ".join(groups[1:]) if len(groups) > 1 else groups[0]
    if form == "parens":
        groups = national_groups(number)
        if len(groups) == 1:
            g = groups[0]
            groups = [g[:3], g[3:]]
        return "(%s) %s" % (groups[0], rng.choice([" ", "-"]).join(groups[1:]))
    if form == "intl-dashes":
        return "+%d-%s" % (cc, "-".join(intl_groups(number)))
    if form == "intl-parens":
        groups = intl_groups(number)
        if len(groups) == 1:
            g = groups[0]
            groups = [g[:2], g[2:]]
        return "+%d (%s) %s" % (cc, groups[0], " ".join(groups[1:]))
    if form == "idd":
        return "%s %d %s" % (idd_of(region), cc, " ".join(intl_groups(number)))
    if form in DIGIT_ZEROS:
        base = fmt(number, rng.choice([PhoneNumberFormat.INTERNATIONAL,
                                       PhoneNumberFormat.NATIONAL]))
        text = to_script(base, DIGIT_ZEROS[form])
        if form == "fullwidth":
            # The full-width plus, hyphen and space too, some of the time.
            if rng.random() < 0.5:
                text = text.replace("+", "\uff0b")
            if rng.random() < 0.5:
                text = text.replace("-", "\uff0d").replace(" ", "\u3000")
        return text
    if form == "unicode-spaces":
        base = fmt(number, PhoneNumberFormat.INTERNATIONAL)
        return re.sub(" ", lambda _: rng.choice(UNICODE_SPACES), base)
    raise ValueError(form)


def text_region(rng, own):
    """The number's own region for most texts, another region for some, none for some."""
    r = rng.random()
    if own is None:
        return None if r < 0.6 else rng.choice(REGIONS)
    if r < 0.72:
        return own
    if r < 0.86:
        return rng.choice(REGIONS)
    return None


def embed(rng, number_text, bare=0.15):
    """The number in a sentence of some language, or alone."""
    if rng.random() < bare:
        return number_text
    frames = FRAMES[rng.choice(LANGUAGES)][0]
    return rng.choice(frames).replace("{n}", number_text)


def embed_two(rng, a, b):
    frames = FRAMES[rng.choice(LANGUAGES)][1]
    return rng.choice(frames).replace("{n}", a).replace("{m}", b)


# -- families -----------------------------------------------------------------------------------

def family_forms(fx, rng, examples):
    """Every example number (some with a digit changed) in several forms, in sentences."""
    others = [f for f in FORMS if f not in ("international", "national")]
    for own, _, example in examples:
        for form in ["international", "national"] + rng.sample(others, 4):
            number = some_number(example, rng)
            region = text_region(rng, own)
            fx.add("form/" + form, embed(rng, render(number, form, rng, region)), region)


def family_extensions(fx, rng, examples):
    """Numbers with an extension written in each of libphonenumber's ways, and near-misses."""
    showcase = {"BR", "DE", "FR", "GB", "JP", "US"}
    groups = sorted(EXTENSION_LABELS)
    for own, _, example in examples:
        if own in showcase:
            chosen = [(g, label) for g in groups for label in EXTENSION_LABELS[g]]
        else:
            g = rng.choice(groups)
            chosen = [(g, rng.choice(EXTENSION_LABELS[g]))]
        for group, label in chosen:
            number = some_number(example, rng)
            region = text_region(rng, own)
            form = rng.choice(["international", "national", "e164", "dashes", "parens"])
            digits = rng.choice(EXTENSION_DIGITS)
            if rng.random() < 0.1:
                digits = to_script(digits, rng.choice(sorted(DIGIT_ZEROS.values())))
            text = render(number, form, rng, region) + label.replace("{e}", digits)
            fx.add("extension/" + group, embed(rng, text, bare=0.3), region)


def family_second_extension(fx, rng, examples):
    """A second extension after a slash: "(530) 583-6985 x302/x2303" is two numbers."""
    variants = {
        "slash-x": "{n} x{a}/x{b}", "backslash-x": "{n} x{a}\\x{b}",
        "slash-space-x": "{n} x{a} / x{b}", "slash-digits": "{n} x{a}/{b}",
        "ext-slash-ext": "{n} ext. {a}/ext. {b}", "slash-X": "{n} X{a}/X{b}",
        "number-slash-x": "{n}/x{a}", "slash-x-nothing": "{n} x{a}/x",
    }
    for variant, pattern in sorted(variants.items()):
        for own, _, example in rng.sample(examples, 30):
            region = text_region(rng, own)
            form = rng.choice(["national", "international", "parens", "dashes"])
            number = some_number(example, rng)
            text = (pattern.replace("{n}", render(number, form, rng, region))
                    .replace("{a}", rng.choice(EXTENSION_DIGITS[:6]))
                    .replace("{b}", rng.choice(EXTENSION_DIGITS[:6])))
            fx.add("second-extension/" + variant, embed(rng, text, bare=0.3), region)
    us = [e for e in examples if e[0] == "US"]
    for _, _, number in us:
        fx.add("second-extension/slash-x",
               "(%s) %s x302/x2303" % (nsn_of(number)[:3], "-".join(national_groups(number)[1:])),
               "US")
    fx.add("second-extension/slash-x", "(530) 583-6985 x302/x2303", "US")


def random_date(rng):
    return rng.randint(1950, 2035), rng.randint(1, 12), rng.randint(1, 31)


def distractor(kind, rng):
    """A piece of text with digits that is no phone number."""
    y, m, d = random_date(rng)
    if kind == "date-iso":
        return rng.choice(["%04d-%02d-%02d" % (y, m, d), "2024-01-05", "%04d%02d%02d" % (y, m, d),
                           "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, rng.randint(0, 23),
                                                                rng.randint(0, 59),
                                                                rng.randint(0, 59))])
    if kind == "date-slash":
        return rng.choice(["%02d/%02d/%04d" % (d, m, y), "%d/%d/%d" % (m, d, y),
                           "%d/%d/%02d" % (d, m, y % 100), "05/01/2024", "3/10/2011", "31/10/96",
                           "08/31/95", "%04d/%02d/%02d" % (y, m, d), "%02d/%02d" % (d, m)])
    if kind == "date-dots":
        return rng.choice(["%02d.%02d.%04d" % (d, m, y), "%d.%d.%02d" % (d, m, y % 100),
                           "%02d.%02d.%04d." % (d, m, y), "%02d-%02d-%04d" % (d, m, y),
                           "%02d %02d %04d" % (d, m, y)])
    if kind == "timestamp":
        hh, mm = rng.randint(0, 23), rng.randint(0, 59)
        return rng.choice(["%04d-%02d-%02d %02d:%02d" % (y, m, d, hh, mm), "2012-01-02 08:00",
                           "%04d-%02d-%02d %02d:%02d:%02d" % (y, m, d, hh, mm, rng.randint(0, 59)),
                           "%04d/%02d/%02d %02d:%02d" % (y, m, d, hh, mm),
                           "%04d%02d%02d %02d:%02d" % (y, m, d, hh, mm),
                           "%04d-%02d-%02d  %02d:%02d" % (y, m, d, hh, mm)])
    if kind == "timestamp-near":
        # The date and the hour, then something that is not ":MM".
        hh = rng.randint(0, 29)
        tail = rng.choice([":00", " :00", ".00", "h00", ":0", ":60", ":5x", "", " Uhr",
                           ":\u0665\u0660", "\uff1a00"])
        return "%04d-%02d-%02d %02d%s" % (y, m, d, hh, tail)
    if kind == "time":
        hh, mm = rng.randint(0, 23), rng.randint(0, 59)
        return rng.choice(["%02d:%02d" % (hh, mm), "%d:%02d am" % (hh % 12 + 1, mm),
                           "%02dh%02d" % (hh, mm), "%d.%02d Uhr" % (hh, mm),
                           "%02d:%02d:%02d" % (hh, mm, rng.randint(0, 59)),
                           "%02d:%02d\u2013%02d:%02d" % (hh, mm, (hh + 1) % 24, mm),
                           "%02d:%02d-%02d:%02d" % (hh, mm, (hh + 2) % 24, mm)])
    if kind == "price":
        amount = rng.randint(1, 99999)
        cents = rng.randint(0, 99)
        return rng.choice(["$1,234.56", "\u20ac12", "12%", "\u00a3 40", "\u00a51200",
                           "$%s.%02d" % ("{:,}".format(amount), cents),
                           "%s,%02d \u20ac" % ("{:,}".format(amount).replace(",", "."), cents),
                           "US$ %d" % amount, "\u20b9 %d" % amount, "R$ %d,%02d" % (amount, cents),
                           "CHF %d.%02d" % (amount, cents), "\u20bd%d" % amount,
                           "%d%%" % rng.randint(1, 100), "%d.%d %%" % (amount % 100, cents),
                           "\u00a5%d" % (amount * 1000), "\u20a9%d" % (amount * 100000),
                           "%d\u20ac" % (amount * 10000), "$%d" % (amount * 100000)])
    if kind == "order":
        n = rng.randint(10 ** 5, 10 ** 10)
        return rng.choice(["#A-123456", "order 123456789", "Order No. %d" % n,
                           "Ticket #%d" % n, "INV-%04d-%06d" % (y, n % 10 ** 6),
                           "Bestellnummer %d" % n, "commande n\u00b0 %d" % n,
                           "pedido %d" % n, "\u0437\u0430\u043a\u0430\u0437 \u2116 %d" % n,
                           "#%d" % n, "SKU %d-%d" % (n % 10 ** 4, n % 10 ** 5),
                           "tracking 1Z%d" % n, "AWB %d" % (n * 7)])
    if kind == "iban":
        def digits(k):
            return "".join(rng.choice("0123456789") for _ in range(k))
        iban = rng.choice([
            "DE89 3704 0044 0532 0130 00", "DE%s" % digits(20), "GB%s NWBK %s" % (digits(2),
                                                                                   digits(14)),
            "FR%s" % digits(25), "ES%s" % digits(22), "NL%sABNA%s" % (digits(2), digits(10)),
            "IT%sX%s" % (digits(2), digits(22)), "CH%s" % digits(19), "BE%s" % digits(14)])
        if " " not in iban and rng.random() < 0.7:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return rng.choice([iban, iban, "4111 1111 1111 1111", "%s %s %s %s" % (
            digits(4), digits(4), digits(4), digits(4)), "BIC COBADEFFXXX"])
    if kind == "range":
        a = rng.randint(1, 9999)
        return rng.choice(["1234-5678", "%d-%d" % (a, a + rng.randint(1, 9999)),
                           "%d - %d" % (a, a + 5), "%d\u2013%d" % (a, a + 100),
                           "pages 10-20", "%d-%d m" % (a, a * 2), "%04d-%04d" % (y, y + 1),
                           "%d to %d" % (a, a * 3)])
    if kind == "pub-pages":
        a = rng.randint(1, 9999)
        return rng.choice(["211-227 (2003)", "VLDB J. 12(3): 211-227 (2003).",
                           "pp. %d-%d (%d)" % (a, a + 9, y), "%d-%d (%d)" % (a, a + 20, m),
                           "vol. %d, %d--%d (%d)" % (m, a, a + 30, y),
                           "%d-%d  (%d)" % (a, a + 3, y)])
    if kind == "postcode":
        return rng.choice(["75008 Paris", "10115 Berlin", "SW1A 1AA", "90210-1234",
                           "\u3012100-0001", "%05d" % rng.randint(0, 99999),
                           "%05d-%04d" % (rng.randint(0, 99999), rng.randint(0, 9999)),
                           "CEP %05d-%03d" % (rng.randint(0, 99999), rng.randint(0, 999))])
    if kind == "measure":
        a = rng.randint(1, 99999)
        return rng.choice(["1200 km", "3.5 kg", "12 x 34 cm", "1920x1080", "5 x 10",
                           "%d x %d mm" % (a, a + 10), "%dx%d" % (a, a * 2), "%d m\u00b2" % a,
                           "%d,%d \u00b0C" % (a % 50, a % 10), "%d.%03d km" % (a % 100, a % 1000)])
    raise ValueError(kind)


DISTRACTOR_FRAMES = [
    "Meeting on {d} at the office.", "Termin am {d} best\u00e4tigt.", "Rendez-vous le {d}.",
    "Fecha: {d}.", "Pagamento {d}", "\u0414\u0430\u0442\u0430: {d}", "{d}",
    "\u0627\u0644\u062a\u0627\u0631\u064a\u062e {d}", "\u05ea\u05d0\u05e8\u05d9\u05da: {d}",
    "\u0926\u093f\u0928\u093e\u0902\u0915 {d}", "\u65e5\u671f\uff1a{d}",
    "{d}\u306b\u5c4a\u304d\u307e\u3059", "\ub0a0\uc9dc: {d}",
    "\u0e27\u0e31\u0e19\u0e17\u0e35\u0e48 {d}",
    "\u0397\u03bc\u03b5\u03c1\u03bf\u03bc\u03b7\u03bd\u03af\u03b1: {d}", "({d})", "Ref. {d}, ok",
]
DISTRACTOR_KINDS = ["date-iso", "date-slash", "date-dots", "timestamp", "timestamp-near", "time",
                    "price", "order", "iban", "range", "pub-pages", "postcode", "measure"]


def family_distractors(fx, rng, examples):
    """Digits that are no phone numbers, alone or beside one."""
    for kind in DISTRACTOR_KINDS:
        for _ in range(160):
            d = distractor(kind, rng)
            region = rng.choice(["US", "GB", "DE", "FR", "BR", "IN", "JP", None,
                                 rng.choice(REGIONS)])
            r = rng.random()
            if r < 0.45:
                text = rng.choice(DISTRACTOR_FRAMES).replace("{d}", d)
            else:
                own, _, example = rng.choice(examples)
                if rng.random() < 0.6:
                    region = text_region(rng, own)
                form = rng.choice(["international", "national", "e164", "digits", "dashes"])
                n = render(some_number(example, rng), form, rng, region)
                if r < 0.7:
                    # Beside each other, with a space or a comma only.
                    sep = rng.choice([" ", ", ", " ", "; ", "\u00a0"])
                    text = d + sep + n if rng.random() < 0.5 else n + sep + d
                else:
                    sentence = embed(rng, n, bare=0)
                    frame = rng.choice(DISTRACTOR_FRAMES).replace("{d}", d)
                    text = frame + " " + sentence if rng.random() < 0.5 else sentence + " " + frame
            fx.add("distractor/" + kind, text, region)


GLUED = {
    "latin-before": (["abc", "a", "Tel", "call", "X", "tel", "no", "Z"], "before"),
    "latin-after": (["def", "a", "x", "abc", "ok", "Q", "h", "e"], "after"),
    "latin1": (["\u00fcnd", "\u00e9", "\u00df", "\u00c5", "\u00f1", "\u00fe", "\u00aa"], "either"),
    "latin-ext-a": (["\u0105", "\u0151", "\u0142", "\u017d", "\u0131", "\u017f"], "either"),
    "latin-ext-b": (["\u0180", "\u01c6", "\u0219", "\u024f", "\u01c5"], "either"),
    "latin-ext-additional": (["\u1e01", "\u1e9e", "\u1ea1", "\u1ef9"], "either"),
    # Latin letters outside the blocks libphonenumber counts as Latin; the last two (Latin
    # Extended-F and -G) are new in Unicode 14.
    "latin-other-blocks": (["\u0250", "\u2c61", "\ua733", "\uab30", "\uff41", "\uff21", "\ufb00",
                            "\U0001d41a", "\u1d00", "\U00010780", "\U0001df00"], "either"),
    "combining-latin": (["\u0301", "\u0308", "a\u0301", "\u036f"], "either"),
    "combining-other": (["\u20d7", "\u0951", "\u093f", "\u0e31", "\u05b8", "\u3099"], "either"),
    "non-latin": (["\u0442\u0435\u043b", "\u03c4\u03b7\u03bb", "\u7535\u8bdd",
                   "\ubc88\ud638", "\u0647\u0627\u062a\u0641", "\u05d8\u05dc",
                   "\u0e42\u0e17\u0e23", "\u092b\u093c\u094b\u0928", "\u3067\u3093\u308f",
                   "\u0570\u0565\u057c", "\u10e2\u10d4\u10da"], "either"),
    "currency": (["$", "\u20ac", "\u00a3", "\u00a5", "\u20b9", "\u20bd", "\u20a9", "\u00a2",
                  "\uff04", "\ufe69", "\u20bf", "\u0e3f", "US$", "\u20ba", "\uffe5", "\u20b4",
                  "\u060b"], "either"),
    "percent": (["%", "\uff05", "\u066a", "\u2030", "\ufe6a", " %"], "either"),
    # Letters right before a plus or an opening bracket: libphonenumber checks the letter
    # before the number only when the number starts with a digit.
    "lead-exempt": (["abc", "tel", "\u00fc", "x", "Tel:"], "lead"),
    "symbols": (["_", "@", "*", "=", "&", "\u00b0", "\u2116", "#", "'", "\"", "\u00a7", "^",
                 "!", "?", ":", "\u00b7", "\u2022", "\u00bf", "\u2019"], "either"),
    "digits-like": (["\u00b2", "\u00bd", "\u2460", "\u2168", "\u2070", "\u0660", "\uff10"],
                    "either"),
}


def family_glued(fx, rng, examples):
    """Numbers with letters, symbols or currency signs right against them."""
    for variant, (pieces, where) in sorted(GLUED.items()):
        for _ in range(75):
            own, _, example = rng.choice(examples)
            region = text_region(rng, own)
            if where == "lead":
                form = rng.choice(["international", "e164", "parens", "intl-parens"])
            else:
                form = rng.choice(["national", "international", "e164", "digits", "nsn",
                                   "dashes"])
            n = render(some_number(example, rng), form, rng, region)
            piece = rng.choice(pieces)
            side = where if where in ("before", "after") else rng.choice(["before", "after",
                                                                          "both"])
            if where == "lead":
                side = "before"
            if side == "before":
                text = piece + n
            elif side == "after":
                text = n + piece
            else:
                text = piece + n + rng.choice(pieces)
            fx.add("glued/" + variant, embed(rng, text, bare=0.4), region)
    for text in ["abc8005001234", "8005001234def", "\u00fcnd0301234567", "abc+18005001234",
                 "$8005001234", "8005001234%", "\u20ac 8005001234", "800500123\u20ac"]:
        for region in ["US", "DE", None]:
            fx.add("glued/fixed", text, region)


MULTI_SEPARATORS = {
    "slash-spaced": " / ", "slash": "/", "dash-spaced": " - ", "dash-left": " -", "comma": ", ",
    "comma-tight": ",", "x": "x", "x-spaced": " x ", "dot": ".", "dot-spaced": ". ",
    "space": " ", "two-spaces": "  ", "semicolon": "; ", "newline": "\n", "en-dash": "\u2013",
    "em-dash-spaced": " \u2014 ", "fullwidth-hyphen": "\uff0d", "pipe": " | ", "tab": "\t",
    "or": None, "ideographic-comma": "\u3001",
}


def family_multi(fx, rng, examples):
    """Several numbers in one text, with separators libphonenumber splits on and others."""
    for variant, sep in sorted(MULTI_SEPARATORS.items()):
        for _ in range(55):
            picks = [rng.choice(examples) for _ in range(rng.choice([2, 2, 2, 3, 4]))]
            if rng.random() < 0.5:  # numbers of one region, as in an address book
                own = picks[0][0]
                same = [e for e in examples if e[0] == own]
                picks = [picks[0]] + [rng.choice(same) for _ in picks[1:]]
            region = text_region(rng, picks[0][0])
            form = rng.choice(["international", "national", "e164", "dashes", "parens", "digits",
                               None])
            texts = []
            for own, _, example in picks:
                f = form or rng.choice(["international", "national", "e164", "dashes"])
                texts.append(render(some_number(example, rng), f, rng, region))
            joiner = sep if sep is not None else rng.choice(OR_WORDS)
            text = joiner.join(texts)
            if rng.random() < 0.5:
                text = embed(rng, text, bare=0)
            fx.add("multi/" + variant, text, region)
    for _ in range(150):
        # Two numbers in a sentence made for two.
        (own, _, a), (_, _, b) = rng.choice(examples), rng.choice(examples)
        region = text_region(rng, own)
        forms = [rng.choice(["international", "national", "e164", "dashes", "parens"])
                 for _ in range(2)]
        fx.add("multi/sentence", embed_two(rng, render(some_number(a, rng), forms[0], rng, region),
                                           render(some_number(b, rng), forms[1], rng, region)),
               region)


def pairs(rng, digits):
    """The digits cut into two to six pieces, each in brackets or (some) bare."""
    k = min(len(digits), rng.randint(2, 6))
    cuts = sorted(rng.sample(range(1, len(digits)), k - 1)) if k > 1 else []
    pieces = [digits[a:b] for a, b in zip([0] + cuts, cuts + [len(digits)])]
    return " ".join("(%s)" % p if rng.random() < 0.8 else p for p in pieces)


def family_brackets(fx, rng, examples):
    """Brackets balanced, unbalanced, nested, empty, too many, of other widths."""
    def pick():
        own, _, example = rng.choice(examples)
        number = some_number(example, rng)
        groups = national_groups(number)
        if len(groups) == 1:
            g = groups[0]
            groups = [g[:3], g[3:6], g[6:]] if len(g) > 6 else [g[:2], g[2:]]
        return own, number, [g for g in groups if g]

    variants = {
        "balanced": lambda g, h, n: "(%s) %s" % (g[0], " ".join(g[1:])),
        "two-numbers": lambda g, h, n: "(%s) %s (%s) %s" % (g[0], " ".join(g[1:]), h[0],
                                                            " ".join(h[1:])),
        # Brackets inside brackets, and (for contrast) pairs side by side.
        "nested": lambda g, h, n: rng.choice(["[[%s]] %s", "((%s)) %s", "([%s]) %s",
                                              "[(%s)] %s", "[%s] (%s)", "(%s) [%s]"]) % (
            g[0], " ".join(g[1:])) if len(g) < 3 or rng.random() < 0.7 else rng.choice(
            ["[%s] (%s) %s", "(%s) [%s] %s", "((%s) %s) %s"]) % (g[0], g[1], " ".join(g[2:])),
        "unbalanced-open": lambda g, h, n: rng.choice(["(%s %s", "%s (%s", "((%s) %s"]) % (
            g[0], " ".join(g[1:])),
        "unbalanced-close": lambda g, h, n: rng.choice(["%s) %s", "%s %s)", "(%s)) %s"]) % (
            g[0], " ".join(g[1:])),
        # libphonenumber takes at most an unclosed leading bracket and three pairs.
        "many-pairs": lambda g, h, n: pairs(rng, "".join(g)),
        "empty": lambda g, h, n: rng.choice(["() %s %s", "%s () %s", "%s %s ()"]) % (
            g[0], " ".join(g[1:])),
        "fullwidth": lambda g, h, n: rng.choice(["\uff08%s\uff09%s", "\uff3b%s\uff3d %s",
                                                 "\uff08%s) %s"]) % (g[0], "-".join(g[1:])),
        "mismatched": lambda g, h, n: rng.choice(["(%s] %s", "[%s) %s", "(%s\uff3d %s"]) % (
            g[0], " ".join(g[1:])),
        "plus": lambda g, h, n: rng.choice(["(+%d) %s", "+(%d) %s", "(+%d %s)", "+%d (%s)"]) % (
            n.country_code, " ".join(intl_groups(n))),
        "trunk-zero": lambda g, h, n: "+%d (0)%s" % (n.country_code, " ".join(intl_groups(n))),
        "in-sentence": lambda g, h, n: "(%s)" % fmt(n, rng.choice(
            [PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL])),
    }
    for variant, make in sorted(variants.items()):
        for _ in range(50):
            own, number, g = pick()
            _, _, h = pick()
            if len(g) < 2:
                continue
            region = text_region(rng, own)
            fx.add("brackets/" + variant, embed(rng, make(g, h or g, number), bare=0.4), region)
    for text in ["(650) 253 0000 (754) 223 3321", "[[650]] 253 0000", "[[650]] 253",
                 "(650) 253-0000", "650) 253-0000", "(650 253-0000", "((650) 253-0000"]:
        for region in ["US", None, "GB"]:
            fx.add("brackets/fixed", text, region)


def family_carrier(fx, rng, examples):
    """"xx" where a carrier code goes ("0xx21 2345 6789" in Brazil), and the like."""
    forms = ["0xx{a} {r}", "0XX{a} {r}", "(0xx{a}) {r}", "0 xx {a} {r}", "0xx {a} {r}",
             "xx{a} {r}", "0x{a} {r}", "0xxx{a} {r}", "0xx{a}{r}", "0{c}{a}{r}", "0 {c} {a} {r}",
             "0xx{c}{a} {r}", "0Xx{a}-{r}", "+55 xx{a} {r}", "0xx{a} {r} x12"]
    brazil = [e for e in examples if e[0] == "BR"]
    others = [e for e in examples if e[0] in ("AR", "CO", "GB", "DE", "US", "MX", "CL")]
    for pattern in forms:
        for own, _, example in brazil + rng.sample(others, 6):
            number = some_number(example, rng)
            nsn = nsn_of(number)
            split = 2 if own == "BR" else rng.randint(1, 3)
            text = (pattern.replace("{a}", nsn[:split])
                    .replace("{r}", rng.choice(["", " ", "-"]).join(
                        [nsn[split:][:len(nsn[split:]) // 2], nsn[split:][len(nsn[split:]) // 2:]]))
                    .replace("{c}", rng.choice(["12", "14", "15", "21", "23", "31", "41", "55"])))
            region = rng.choice([own, own, own, None, "BR", "US"]) if own else None
            fx.add("carrier/xx", embed(rng, text, bare=0.4), region)


def needs_national_prefix(number):
    """Whether libphonenumber wants the national prefix written for this number (VALID)."""
    region = phonenumbers.region_code_for_country_code(number.country_code)
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return False
    rule = _choose_formatting_pattern_for_number(metadata.number_format, nsn_of(number))
    return bool(rule is not None and rule.national_prefix_formatting_rule
                and not rule.national_prefix_optional_when_formatting
                and not _formatting_rule_has_first_group_only(rule.national_prefix_formatting_rule))


def family_national_prefix(fx, rng, examples):
    """Numbers written nationally with and without the national prefix, for regions whose
    formatting rule wants it (GB, DE, FR, ...) and, for contrast, some that do not."""
    for own, _, number in examples:
        if own is None:
            continue
        metadata = PhoneMetadata.metadata_for_region(own)
        prefix = metadata.national_prefix
        if not prefix:
            continue
        needed = needs_national_prefix(number)
        if not needed and rng.random() < 0.7:
            continue
        region = own if rng.random() < 0.9 else rng.choice(REGIONS)
        present = fmt(number, PhoneNumberFormat.NATIONAL)
        absent = " ".join(intl_groups(number))
        tag = "required" if needed else "optional"
        fx.add("national-prefix/%s-present" % tag, embed(rng, present), region)
        fx.add("national-prefix/%s-absent" % tag, embed(rng, absent), region)
        if rng.random() < 0.3:
            digits = rng.choice([prefix + nsn_of(number), nsn_of(number)])
            fx.add("national-prefix/%s-digits" % tag, embed(rng, digits), region)


LOG_MODULES = ["worker-3", "http", "db.pool", "scheduler", "auth", "cache", "kafka.consumer",
               "main", "grpc", "cron"]
LOG_LEVELS = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE", "I", "E"]


def log_line(rng, number=None):
    y, m, d = random_date(rng)
    hh, mm, ss, ms = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999)
    stamp = rng.choice([
        "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (y, m, d, hh, mm, ss, ms),
        "%04d-%02d-%02d %02d:%02d:%02d,%03d" % (y, m, d, hh, mm, ss, ms),
        "%s %2d %02d:%02d:%02d" % (rng.choice(["Jan", "Feb", "Mar", "Oct"]), d, hh, mm, ss),
        "%d" % rng.randint(10 ** 9, 2 * 10 ** 9), "[%d.%06d]" % (rng.randint(0, 99999), ms * 997),
        "%02d/%02d/%04d:%02d:%02d:%02d +0000" % (d, m, y, hh, mm, ss)])

    def hexid(k):
        return "".join(rng.choice("0123456789abcdef") for _ in range(k))
    messages = [
        "request %s completed in %dms status=%d" % (hexid(8), rng.randint(1, 99999),
                                                   rng.choice([200, 201, 404, 500, 503])),
        "connected to %d.%d.%d.%d:%d" % (rng.randint(1, 255), rng.randint(0, 255),
                                         rng.randint(0, 255), rng.randint(0, 255),
                                         rng.randint(1, 65535)),
        "retry %d/%d after %ds" % (rng.randint(1, 5), 5, rng.randint(1, 600)),
        "user_id=%d session=%s" % (rng.randint(1, 10 ** rng.randint(3, 11)), hexid(16)),
        "GET /api/v2/items/%d?page=%d HTTP/1.1 %d %d" % (
            rng.randint(1, 10 ** 9), rng.randint(1, 99), rng.choice([200, 304, 404]),
            rng.randint(0, 10 ** 7)),
        "disk usage %d%% on /dev/sda%d" % (rng.randint(1, 100), rng.randint(1, 9)),
        "job %s-%s-%s-%s-%s finished" % (hexid(8), hexid(4), hexid(4), hexid(4), hexid(12)),
        "version %d.%d.%d build %d" % (rng.randint(0, 20), rng.randint(0, 99), rng.randint(0, 999),
                                       rng.randint(1000, 99999999)),
        "heap %d bytes free of %d" % (rng.randint(10 ** 5, 10 ** 10),
                                      rng.randint(10 ** 9, 10 ** 11)),
        "pid=%d ppid=%d uid=%d" % (rng.randint(2, 99999), rng.randint(1, 9999),
                                   rng.randint(0, 65535)),
        "queue depth %d, lag %d ms" % (rng.randint(0, 10 ** 6), rng.randint(0, 10 ** 5)),
        "processed %d records in %d.%03ds" % (rng.randint(1, 10 ** 8), rng.randint(0, 999), ms),
        "checksum %s (%d bytes)" % (hexid(32), rng.randint(1, 10 ** 9)),
        "offset=%d partition=%d key=%d" % (rng.randint(0, 10 ** 12), rng.randint(0, 63),
                                           rng.randint(0, 10 ** 10)),
    ]
    message = rng.choice(messages)
    if number is not None:
        message = rng.choice(["sms sent to %s", "callback requested by %s (attempt 2)",
                              "caller_id=%s", "forwarding %s -> voicemail",
                              "dialled %s, duration 00:03:12"]) % number
    return "%s %s [%s] %s" % (stamp, rng.choice(LOG_LEVELS), rng.choice(LOG_MODULES), message)


def family_logs(fx, rng, examples):
    """Log lines: digits everywhere, phone numbers in a few."""
    for _ in range(700):
        lines = [log_line(rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        region = rng.choice(["US", "DE", "GB", "IN", None, None, rng.choice(REGIONS)])
        fx.add("log/plain", "\n".join(lines), region)
    for _ in range(200):
        own, _, example = rng.choice(examples)
        region = text_region(rng, own)
        form = rng.choice(["e164", "international", "national", "digits", "rfc3966"])
        n = render(some_number(example, rng), form, rng, region)
        lines = [log_line(rng) for _ in range(rng.choice([0, 0, 1, 2]))]
        lines.insert(rng.randint(0, len(lines)), log_line(rng, n))
        fx.add("log/with-number", "\n".join(lines), region)


HOSTILE_PIECES = (list("0123456789") * 4
                  + ["+", "\uff0b", " ", "-", ".", "/", "(", ")", "[", "]", "~", "\uff5e", "x",
                     "X", "#", "*", ";", ",", ":", "%", "$", "\u20ac", "\uff08", "\uff09",
                     "\uff3b", "\uff3d", "\uff0d", "\uff0e", "\uff0f", "\u2010", "\u2013",
                     "\u2014", "\u2212", "\u30fc", "\u00ad", "\u2053", "\u223c", "ext. ",
                     ";ext=", " ext ", "tel:", "a", "b", "\u00e9", "\u0436", "\u4e2d", "\n",
                     "\t", "\uff11", "\uff19", "\u0661", "\u0665", "\u06f7", "\u0969",
                     "\u00b2", "\u2460", "\u0301", "\u200e", "\u200f"] + UNICODE_SPACES)


def family_hostile(fx, rng, examples):
    """Random mixes of digits and punctuation, long digit runs, odd spaces and widths."""
    def real(region=None):
        own, _, example = rng.choice(examples)
        form = rng.choice(["international", "national", "e164", "dashes", "parens"])
        return own, render(some_number(example, rng), form, rng, region)

    def region_for(own=None):
        return rng.choice([own, own, None, "US", "DE", "GB", rng.choice(REGIONS)]) \
            if own else rng.choice([None, "US", "DE", "GB", rng.choice(REGIONS)])

    for _ in range(260):
        k = rng.choice([3, 8, 15, 25, 40, 80, 150, 300])
        text = "".join(rng.choice(HOSTILE_PIECES) for _ in range(rng.randint(1, k)))
        if rng.random() < 0.5:
            own, n = real()
            at = rng.randint(0, len(text))
            text = text[:at] + n + text[at:]
        else:
            own = None
        fx.add("hostile/pieces", text, region_for(own))
    for _ in range(200):
        blocks = []
        for _ in range(rng.choice([1, 1, 2, 3, 6, 20])):
            blocks.append("".join(rng.choice("0123456789") for _ in range(
                rng.choice([1, 3, 7, 10, 12, 15, 17, 18, 20, 25, 40, 100, 300]))))
        sep = rng.choice([" ", "-", "", " ", ".", "\u00a0", "/"])
        text = rng.choice(["", "", "+", "(", "+1 ", "00"]) + sep.join(blocks)
        own = None
        if rng.random() < 0.3:
            own, n = real()
            text = text + rng.choice([" ", ", ", " / "]) + n
        fx.add("hostile/long-digits", text, region_for(own))
    for _ in range(200):
        own, _, example = rng.choice(examples)
        number = some_number(example, rng)
        base = rng.choice([fmt(number, PhoneNumberFormat.INTERNATIONAL),
                           fmt(number, PhoneNumberFormat.NATIONAL)])
        spaces = rng.sample(UNICODE_SPACES, rng.randint(1, 4))
        out = []
        for c in base:
            if c in " -":
                out.append("".join(rng.choice(spaces) for _ in range(rng.randint(1, 3))))
            else:
                out.append(c)
                if c.isdigit() and rng.random() < 0.1:
                    out.append(rng.choice(spaces))
        text = "".join(out)
        if rng.random() < 0.5:
            text = embed(rng, text, bare=0)
        fx.add("hostile/unicode-spaces", text, region_for(own))
    for _ in range(200):
        own, _, example = rng.choice(examples)
        region = region_for(own)
        form = rng.choice(["international", "national", "parens", "dashes", "e164", "dots"])
        n = render(some_number(example, rng), form, rng, region)
        text = rng.choice(["Tel: {n}", "({n})", "{n} ext. 123", "[{n}]", "{n}, {n}",
                           "call {n} now", "{n}/{n}", "+{n}"]).replace("{n}", n)
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and rng.random() < 0.9
                       else ("\u3000" if c == " " and rng.random() < 0.7 else c) for c in text)
        fx.add("hostile/fullwidth", wide, region)
    for _ in range(200):
        own, n = real()
        chars = list(n)
        for _ in range(rng.randint(1, 6)):
            chars.insert(rng.randint(0, len(chars)), rng.choice(
                ["+", "++", "(", ")", "[", "]", "+(", ")+", "\uff0b", "((", "))", "+ ", " +"]))
        fx.add("hostile/plus-brackets", "".join(chars), region_for(own))
    for _ in range(200):
        own, n = real()
        chars = list(n)
        for _ in range(rng.randint(1, 4)):
            chars.insert(rng.randint(0, len(chars)), rng.choice(
                ["\u0000", "\u0007", "\n", "\r\n", "\t", "\u200d", "\u200c", "\u2028",
                 "\u2029", "\u0085", "\u001c", "\u202e", "\ufeff", "\u00ad", "\u034f",
                 "\ufffd", "\U0001f4de", "\U0001f600"]))
        fx.add("hostile/control", embed(rng, "".join(chars), bare=0.5), region_for(own))
    for _ in range(120):
        target = rng.randint(1000, 2000)
        parts = []
        total = 0
        # Some are prose with no digits at all.
        prose = rng.random() < 0.2
        while total < target:
            r = rng.random()
            if prose:
                frames = FRAMES[rng.choice(LANGUAGES)]
                part = rng.choice(frames[0] + frames[1]).replace("{n}", rng.choice(
                    ["the office", "B\u00fcro", "l'accueil", "\u0438\u0432\u0430\u043d",
                     "\u4e2d\u5fc3"])).replace("{m}", "...")
                parts.append(part)
                total += len(part) + 1
                continue
            if r < 0.35:
                _, n = real()
                part = embed(rng, n, bare=0)
            elif r < 0.6:
                part = rng.choice(DISTRACTOR_FRAMES).replace(
                    "{d}", distractor(rng.choice(DISTRACTOR_KINDS), rng))
            elif r < 0.75:
                part = log_line(rng)
            elif r < 0.9:
                part = "".join(rng.choice(HOSTILE_PIECES) for _ in range(rng.randint(5, 60)))
            else:
                _, a = real()
                _, b = real()
                part = embed_two(rng, a, b)
            parts.append(part)
            total += len(part) + 1
        text = rng.choice([" ", "\n", " ", "  "]).join(parts)[:2000]
        fx.add("hostile/long-text", text, region_for(rng.choice(REGIONS)))
    alphabet = (list("0123456789") * 3 + HOSTILE_PIECES + ["a", "Z", "\u00fc", "\u00e9"])
    pool = [c for c in fx.cases if not c[0].startswith("hostile/")]
    for _ in range(400):
        kind, region, text, _ = rng.choice(pool)
        text = mutate(rng, text, alphabet, 4)
        if rng.random() < 0.2:
            region = rng.choice(REGIONS + [None])
        fx.add("hostile/mutated", text, region)


FAMILIES = [family_forms, family_extensions, family_second_extension, family_distractors,
            family_glued, family_multi, family_brackets, family_carrier, family_national_prefix,
            family_logs, family_hostile]


def summarize(fx):
    """Per kind: texts, and texts with and without a match under each leniency."""
    stats = {}
    for kind, _, _, found in fx.cases:
        s = stats.setdefault(kind, {"texts": 0})
        s["texts"] += 1
        for name, _ in LENIENCIES:
            key = "with" if found[name] else "without"
            s[name + "_" + key] = s.get(name + "_" + key, 0) + 1
            s[name + "_matches"] = s.get(name + "_matches", 0) + len(found[name])
    return dict(sorted(stats.items()))


# Characters JSON leaves raw that some readers take for line ends.
LINE_BREAKS = ["\u0085", "\u2028", "\u2029"]


def write(fx, args, stats):
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for kind, region, text, found in fx.cases:
            for name, _ in LENIENCIES:
                line = {"kind": kind, "region": region, "leniency": name, "text": text,
                        "matches": found[name]}
                out = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
                # Escaped, though JSON allows them raw: some line splitters (Python's
                # splitlines) break lines at them.
                for c in LINE_BREAKS:
                    out = out.replace(c, "\\u%04x" % ord(c))
                f.write(out + "\n")
    meta = {
        "generator": "tools/parity/gen_matcher_fixture.py",
        "oracle": "phonenumbers",
        "phonenumbers": phonenumbers.__version__,
        "python": platform.python_version(),
        "unicode": unicodedata.unidata_version,
        "seed": args.seed,
        "leniencies": [name for name, _ in LENIENCIES],
        "texts": len(fx.cases),
        "lines": len(fx.cases) * len(LENIENCIES),
        "matches": {name: sum(s[name + "_matches"] for s in stats.values())
                    for name, _ in LENIENCIES},
        "texts_with_matches": {name: sum(s.get(name + "_with", 0) for s in stats.values())
                               for name, _ in LENIENCIES},
        "skipped_oracle_crashes": fx.skipped,
        "kinds": {kind: s["texts"] for kind, s in stats.items()},
    }
    with open(args.meta, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--seed", type=int, default=SEED,
                    help="RNG seed; the committed fixture uses the default")
    args = ap.parse_args()

    fx = Fixture()
    examples = collect_examples()
    # Each family its own RNG: changing one leaves the others' texts as they were.
    for i, family in enumerate(FAMILIES):
        family(fx, random.Random(args.seed + i), examples)

    stats = summarize(fx)
    print("%-36s %6s  %-23s %-23s" % ("kind", "texts", "POSSIBLE with/without/n",
                                      "VALID with/without/n"), file=sys.stderr)
    lacking = []
    for kind, s in stats.items():
        cells = []
        for name, _ in LENIENCIES:
            w, wo = s.get(name + "_with", 0), s.get(name + "_without", 0)
            cells.append("%5d/%5d/%6d" % (w, wo, s[name + "_matches"]))
            if w == 0 or wo == 0:
                lacking.append("%s %s" % (kind, name))
        print("%-36s %6d  %-23s %-23s" % (kind, s["texts"], cells[0], cells[1]), file=sys.stderr)
    if lacking:
        raise SystemExit("kinds without both texts with and without matches: "
                         + ", ".join(lacking))
    write(fx, args, stats)
    print("wrote %d texts (%d lines) to %s" % (len(fx.cases), len(fx.cases) * len(LENIENCIES),
                                               args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
