#!/usr/bin/env python3
"""Compare what `cargo xtask metadata` extracts from PhoneNumberMetadata.xml with the compiled
metadata of the Python port of libphonenumber (`phonenumbers`, same release).

Usage (from the repository root, with `phonenumbers` installed in the running Python):

    python3 tools/check_metadata.py            # runs `cargo xtask metadata --dump-json`
    python3 tools/check_metadata.py dump.json  # or reads a saved dump

Prints one line per difference and exits non-zero if there is any.
"""

import json
import re
import subprocess
import sys

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.data import _COUNTRY_CODE_TO_REGION_CODE


# The number types of the dump, with the PhoneMetadata attribute of each.
TYPE_FIELDS = [
    ("premiumRate", "premium_rate"),
    ("tollFree", "toll_free"),
    ("sharedCost", "shared_cost"),
    ("voip", "voip"),
    ("personalNumber", "personal_number"),
    ("pager", "pager"),
    ("uan", "uan"),
    ("voicemail", "voicemail"),
    ("fixedLine", "fixed_line"),
    ("mobile", "mobile"),
]


def lengths(desc, field):
    values = getattr(desc, field, None) if desc is not None else None
    # The Python port stores (-1,) for "no lengths"; -1 is not a length.
    return sorted(n for n in (values or ()) if n != -1)


def transform_rule(rule):
    # The XML writes group references as `$1`; the Python port as `\1`.
    return None if rule is None else re.sub(r"\\(\d)", r"$\1", rule)


def number_formats(formats, with_rule):
    """The phonenumbers NumberFormat list as the dump writes it."""
    out = []
    for f in formats or ():
        entry = {
            "pattern": f.pattern,
            "leading_digits": f.leading_digits_pattern[-1] if f.leading_digits_pattern else None,
            "format": transform_rule(f.format),
        }
        if with_rule:
            entry["national_prefix_formatting_rule"] = (
                transform_rule(f.national_prefix_formatting_rule) or "")
        out.append(entry)
    return out


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            dump = json.load(f)
    else:
        out = subprocess.run(
            ["cargo", "xtask", "metadata", "--dump-json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        dump = json.loads(out)

    diffs = []

    def diff(where, field, ours, theirs):
        if ours != theirs:
            diffs.append(f"{where} {field}: ours {ours!r}, phonenumbers {theirs!r}")

    seen_regions = set()
    for t in dump["territories"]:
        if t["id"] == "001":
            where = f"+{t['country_code']}"
            meta = PhoneMetadata.metadata_for_nongeo_region(t["country_code"])
        else:
            where = t["id"]
            seen_regions.add(t["id"])
            meta = PhoneMetadata.metadata_for_region(t["id"])
        if meta is None:
            diffs.append(f"{where}: not in phonenumbers")
            continue
        diff(where, "country_code", t["country_code"], meta.country_code)
        diff(where, "international_prefix", t["international_prefix"], meta.international_prefix)
        diff(
            where,
            "national_prefix_for_parsing",
            t["national_prefix_for_parsing"],
            meta.national_prefix_for_parsing,
        )
        diff(
            where,
            "national_prefix_transform_rule",
            t["national_prefix_transform_rule"],
            transform_rule(meta.national_prefix_transform_rule),
        )
        gd = meta.general_desc
        diff(
            where,
            "general_desc",
            t["general_desc"],
            gd.national_number_pattern if gd is not None else None,
        )
        diff(where, "possible_lengths", t["possible_lengths"], lengths(gd, "possible_length"))
        diff(
            where,
            "local_only_lengths",
            t["local_only_lengths"],
            lengths(gd, "possible_length_local_only"),
        )
        # The `validate` feature's tables: leading digits and every number type's pattern and
        # lengths (an empty list: no length check).
        diff(where, "leading_digits", t["leading_digits"], meta.leading_digits)
        diff(
            where,
            "same_mobile_and_fixed_line",
            t["same_mobile_and_fixed_line"],
            meta.same_mobile_and_fixed_line_pattern,
        )
        for name, field in TYPE_FIELDS:
            ours = t["types"].get(name)
            desc = getattr(meta, field, None)
            theirs = None
            if desc is not None:
                theirs = {
                    "pattern": desc.national_number_pattern,
                    "lengths": lengths(desc, "possible_length"),
                }
            diff(where, name, ours, theirs)
        # The `format` feature's tables: the formats, with the national prefix rule each one
        # uses, the international list, and the text before an extension.
        diff(where, "number_formats", t["number_formats"], number_formats(meta.number_format, True))
        diff(where, "intl_number_formats", t["intl_number_formats"],
             number_formats(meta.intl_number_format, False))
        diff(where, "preferred_extn_prefix", t["preferred_extn_prefix"], meta.preferred_extn_prefix)

    diff("", "regions", sorted(seen_regions), sorted(phonenumbers.SUPPORTED_REGIONS))
    nongeo = sorted(int(c) for c, ids in dump["country_codes"].items() if ids == ["001"])
    diff("", "non-geographic codes", nongeo, sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS))
    ours_codes = {int(c): tuple(ids) for c, ids in dump["country_codes"].items()}
    theirs_codes = {c: tuple(ids) for c, ids in _COUNTRY_CODE_TO_REGION_CODE.items()}
    for code in sorted(set(ours_codes) | set(theirs_codes)):
        diff(f"+{code}", "regions", ours_codes.get(code), theirs_codes.get(code))
        if ours_codes.get(code, ("001",))[0] != "001":
            diff(
                f"+{code}",
                "main region",
                ours_codes[code][0],
                phonenumbers.region_code_for_country_code(code),
            )

    for d in diffs:
        print(d)
    print(f"{len(dump['territories'])} territories compared, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
