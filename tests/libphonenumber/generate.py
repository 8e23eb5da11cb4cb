#!/usr/bin/env python3
"""Writes cases.jsonl: the parse calls of libphonenumber's PhoneNumberUtilTest.java whose
arguments are literals (or local variables assigned a literal), each with what the Python port `phonenumbers` says on libphonenumber's
test metadata (the compiled copy its sdist ships under tests/testdata).

Usage (from the repository root):

    python3 tests/libphonenumber/generate.py PhoneNumberUtilTest.java RegionCode.java \
        SDIST_DIR > tests/libphonenumber/cases.jsonl

where the Java files are java/libphonenumber/test/com/google/i18n/phonenumbers/ of
libphonenumber v9.0.35 and SDIST_DIR is the unpacked `phonenumbers-9.0.35` sdist (`pip
download --no-binary :all: --no-deps phonenumbers==9.0.35`). The verdicts are the parity
fixture's (tools/parity/gen_fixture.py): E.164 when parsed and possible, else the category.
"""
import json
import re
import sys

CALL = re.compile(r"phoneUtil\.(parse|parseAndKeepRawInput)\(")
STRING = r'"(?:[^"\\]|\\.)*"'
# One argument list of literals: a string (or concatenated strings), then a region.
LITERAL = r"%s(?:\s*\+\s*%s)*" % (STRING, STRING)
REGION = r"RegionCode\.\w+|null|%s" % STRING
ARGS = re.compile(r"\s*(%s|\w+)\s*,\s*(%s)\s*\)" % (LITERAL, REGION))


def java_string(lit):
    """The value of one Java string literal (with its quotes)."""
    body = lit[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}[e])
            i += 2
    return "".join(out)


def main():
    java, region_java, sdist = sys.argv[1:4]
    regions = dict(re.findall(r'static final String (\w+) = "([^"]*)";', open(region_java).read()))
    source = open(java, encoding="utf-8").read()

    sys.path.insert(0, sdist)
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult
    from tests.testmetadatatest import insert_test_metadata

    insert_test_metadata()
    errors = {v: k for k, v in vars(NumberParseException).items() if k.isupper() and isinstance(v, int)}
    reasons = {v: k for k, v in vars(ValidationResult).items() if k.isupper() and isinstance(v, int)}
    details = {
        "The phone-context value is invalid": "phone-context",
        "The string supplied was too long to parse.": "input",
        "The string supplied is too long to be a phone number.": "nsn",
        "Missing or invalid default region.": "region",
        "Could not interpret numbers after plus-sign.": "country-code",
        "Country calling code supplied was not recognised.": "country-code",
    }

    calls = skipped = 0
    for m in CALL.finditer(source):
        calls += 1
        args = ARGS.match(source, m.end())
        if not args:
            skipped += 1
            continue
        text = args.group(1)
        if not text.startswith('"'):
            # A local variable: its latest assignment of a string literal before the call.
            assigned = re.findall(r"\b%s\s*=\s*(%s|\w+)\s*;" % (text, LITERAL), source[: m.start()])
            if not assigned or not assigned[-1].startswith('"'):
                skipped += 1  # built at run time, or null: no literal to take
                continue
            text = assigned[-1]
        text = "".join(java_string(s) for s in re.findall(STRING, text))
        r = args.group(2)
        region = None if r == "null" else regions[r[11:]] if r.startswith("RegionCode.") else java_string(r)
        line = source.count("\n", 0, m.start()) + 1
        case = {"input": text, "region": region, "java_line": line, "call": m.group(1)}
        try:
            number = phonenumbers.parse(text, region)
        except NumberParseException as e:
            case["error"] = errors[e.error_type]
            if e._msg in details:
                case["detail"] = details[e._msg]
        else:
            reason = phonenumbers.is_possible_number_with_reason(number)
            if reason in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
                case["expect"] = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            else:
                case["error"] = "possible:" + reasons[reason]
        print(json.dumps(case, ensure_ascii=False))
    print(f"{calls} calls, {calls - skipped} with literal arguments", file=sys.stderr)


main()
