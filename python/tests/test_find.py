"""is_valid, number_type, region_code, format, find and scrub on pyarrow arrays: against
`phonenumbers` (libphonenumber's Python port) and the CLI's `phonetoken scrub`."""

from __future__ import annotations

import random
from pathlib import Path

import phonenumbers
import pyarrow as pa
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

import phonetoken
from conftest import cli, oracle_number

# libphonenumber's names of its number types, by value.
TYPE_NAMES = {
    getattr(PhoneNumberType, name): name
    for name in dir(PhoneNumberType)
    if name.isupper() and isinstance(getattr(PhoneNumberType, name), int)
}


def variants(e164: str) -> list[str]:
    """The number and numbers near it: last digit changed, a digit dropped, one added."""
    last = str((int(e164[-1]) + 1) % 10)
    return [e164, e164[:-1] + last, e164[:-1], e164 + "5", e164[:-2] + "00"]


@pytest.fixture(scope="module")
def numbers() -> list[str | None]:
    """E.164 texts of every region's and non-geographic entity's example numbers of every
    type, and their variants (many not valid, some not possible), with a null and junk."""
    examples = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for t in TYPE_NAMES:
            n = phonenumbers.example_number_for_type(region, t)
            if n is not None:
                examples.add(phonenumbers.format_number(n, PhoneNumberFormat.E164))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        n = phonenumbers.example_number_for_non_geo_entity(code)
        if n is not None:
            examples.add(phonenumbers.format_number(n, PhoneNumberFormat.E164))
    values: list[str | None] = sorted({v for e in examples for v in variants(e)})
    return values + [None, "not a number", "+1"]


def agree(name: str, got: list, want: list, inputs: list) -> None:
    """100% agreement, with every mismatch printed."""
    bad = [(i, inputs[i], g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
    for i, text, g, w in bad[:50]:
        print(f"{name}: row {i} {text!r}: phonetoken {g!r}, phonenumbers {w!r}")
    assert len(got) == len(want)
    assert not bad, f"{name}: {len(bad)} of {len(want)} differ"


def test_validity_types_and_regions_equal_phonenumbers(numbers):
    arr = pa.array(numbers)
    parsed = [oracle_number(v, None) for v in numbers]
    assert len(numbers) > 2000
    # Valid and invalid numbers both, and values that do not parse.
    assert sum(p is not None and phonenumbers.is_valid_number(p) for p in parsed) > 1000
    assert sum(p is not None and not phonenumbers.is_valid_number(p) for p in parsed) > 500
    assert sum(p is None for p in parsed) > 100
    agree(
        "is_valid",
        phonetoken.is_valid(arr).to_pylist(),
        [None if p is None else phonenumbers.is_valid_number(p) for p in parsed],
        numbers,
    )
    types = phonetoken.number_type(arr).to_pylist()
    agree(
        "number_type",
        types,
        [None if p is None else TYPE_NAMES[phonenumbers.number_type(p)] for p in parsed],
        numbers,
    )
    assert len(set(types)) >= 10
    regions = phonetoken.region_code(arr).to_pylist()
    agree(
        "region_code",
        regions,
        [None if p is None else phonenumbers.region_code_for_number(p) for p in parsed],
        numbers,
    )
    assert "001" in regions and "US" in regions and "CA" in regions


@pytest.mark.parametrize(
    "style,oracle_format",
    [
        ("e164", PhoneNumberFormat.E164),
        ("international", PhoneNumberFormat.INTERNATIONAL),
        ("national", PhoneNumberFormat.NATIONAL),
        ("rfc3966", PhoneNumberFormat.RFC3966),
    ],
)
def test_format_equals_phonenumbers(numbers, style, oracle_format):
    got = phonetoken.format(pa.array(numbers), style).to_pylist()
    want = [None if p is None else phonenumbers.format_number(p, oracle_format) for p in (oracle_number(v, None) for v in numbers)]
    agree(f"format {style}", got, want, numbers)


def test_national_forms_with_a_region():
    # Written as people in each country write them, read with that region.
    for region in ["GB", "DE", "FR", "US", "JP", "BR", "IN", "AU"]:
        texts = []
        for t in TYPE_NAMES:
            n = phonenumbers.example_number_for_type(region, t)
            if n is not None:
                texts.append(phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL))
        parsed = [oracle_number(t, region) for t in texts]
        arr = pa.array(texts)
        agree(f"is_valid {region}", phonetoken.is_valid(arr, region).to_pylist(),
              [phonenumbers.is_valid_number(p) for p in parsed], texts)
        agree(f"national {region}", phonetoken.format(arr, "national", region).to_pylist(),
              [phonenumbers.format_number(p, PhoneNumberFormat.NATIONAL) for p in parsed], texts)


def test_masked_and_bad_styles():
    arr = pa.array(["020 7946 0958", None, "+1 650 253 0000"])
    assert phonetoken.format(arr, "masked", "GB", 3).to_pylist() == [
        "+44 ** **** *958", None, "+1 ***-***-*000"
    ]
    assert phonetoken.format(arr, "masked", "GB").to_pylist()[0] == "+44 ** **** 0958"
    with pytest.raises(ValueError, match="style="):
        phonetoken.format(arr, "mask")


def test_errors_modes_and_types():
    arr = pa.array(["+44 20 7946 0958", None, "n/a", "+44 10 7946 0958", "+800 1234 5678"])
    out = phonetoken.is_valid(arr, errors="column")
    assert out.type == pa.struct([("value", pa.bool_()), ("error", pa.string())])
    assert out.field("value").to_pylist() == [True, None, None, False, True]
    assert out.field("error").to_pylist() == [None, None, "no-digits", None, None]
    with pytest.raises(phonetoken.ParseError.NoDigits) as info:
        phonetoken.number_type(arr, errors="raise")
    assert info.value.row == 2
    assert phonetoken.number_type(arr).to_pylist() == ["FIXED_LINE", None, None, "UNKNOWN", "TOLL_FREE"]
    # +44 is shared (GB, GG, IM, JE): a number in no plan of them has no region.
    assert phonetoken.region_code(arr).to_pylist() == ["GB", None, None, None, "001"]
    large = phonetoken.region_code(pa.array(["+1 416 555 0123"], pa.large_string()))
    assert large.type == pa.large_string() and large.to_pylist() == ["CA"]
    chunked = phonetoken.is_valid(pa.chunked_array([arr[:2], arr[2:]]))
    assert isinstance(chunked, pa.ChunkedArray) and chunked.num_chunks == 2
    assert phonetoken.is_valid(pa.array(["+44 20 7946 0958"] * 40_000), parallel=True).to_pylist() == [True] * 40_000


# ---------------------------------------------------------------------------------------
# find

FILLERS = [
    "Call", "or", "ring me at", "fax:", "not", "Büro", "€12,50", "order 12345", "on 3/10/2011",
    "émail", "—", "電話", "😀", "(", ")", "ext. 12", "x", ",", ".", "at 14:30", "page 23-45",
]


def written(rng: random.Random, n) -> str:
    fmt = rng.choice(
        [PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL, PhoneNumberFormat.E164,
         PhoneNumberFormat.RFC3966]
    )
    return phonenumbers.format_number(n, fmt)


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """Texts of prose, dates, junk digits and numbers written in several ways (US, GB, DE
    and others), with characters of 2, 3 and 4 UTF-8 bytes before them."""
    rng = random.Random(14)
    pool = []
    for region in ["US", "GB", "DE", "FR", "CH", "JP", "IN", "BR"]:
        for t in [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE]:
            n = phonenumbers.example_number_for_type(region, t)
            if n is not None:
                pool.append(n)
                # A digit changed: often not valid any more.
                bent = phonenumbers.parse(
                    phonenumbers.format_number(n, PhoneNumberFormat.E164)[:-1] + str(rng.randrange(10))
                )
                pool.append(bent)
    texts = []
    for _ in range(300):
        parts = []
        for _ in range(rng.randrange(1, 8)):
            if rng.random() < 0.4:
                parts.append(written(rng, rng.choice(pool)))
            elif rng.random() < 0.2:
                parts.append(str(rng.randrange(10 ** rng.randrange(1, 12))))
            else:
                parts.append(rng.choice(FILLERS))
        texts.append(rng.choice([" ", "  ", ", "]).join(parts))
    return texts


def oracle_find(text: str, region: str | None, leniency) -> list[dict]:
    out = []
    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
        start = len(text[: m.start].encode())
        end = start + len(text[m.start : m.end].encode())
        out.append(
            {"start": start, "end": end,
             "number": phonenumbers.format_number(m.number, PhoneNumberFormat.E164),
             "raw": m.raw_string}
        )
    return out


@pytest.mark.parametrize("region", ["US", "DE", None])
@pytest.mark.parametrize("leniency", ["valid", "possible"])
def test_find_equals_phonenumber_matcher(sentences, region, leniency):
    oracle_leniency = phonenumbers.Leniency.VALID if leniency == "valid" else phonenumbers.Leniency.POSSIBLE
    got = phonetoken.find(pa.array(sentences), region, leniency).to_pylist()
    want = [oracle_find(t, region, oracle_leniency) for t in sentences]
    agree(f"find {region} {leniency}", got, want, sentences)
    assert sum(len(w) for w in want) > 100
    # The offsets are bytes of the UTF-8 text.
    for text, found in zip(sentences, got):
        for f in found:
            assert text.encode()[f["start"] : f["end"]].decode() == f["raw"]


def test_find_types_nulls_and_giving_up():
    out = phonetoken.find(pa.array(["é +1 650 253 0000", None, "nothing here"]))
    assert out.type == pa.list_(
        pa.struct([("start", pa.int64()), ("end", pa.int64()), ("number", pa.string()), ("raw", pa.string())])
    )
    assert out.to_pylist() == [
        [{"start": 3, "end": 18, "number": "+16502530000", "raw": "+1 650 253 0000"}], None, []
    ]
    texts = pa.array(["+1 650 253 0000", "1-2 3-4 +1 650 253 0000"])
    with pytest.raises(phonetoken.FindError.TooManyCandidates) as info:
        phonetoken.find(texts, max_tries=1, errors="raise")
    assert info.value.row == 1 and info.value.code == "too-many-candidates"
    checked = phonetoken.find(texts, max_tries=1, errors="column")
    assert checked.field("error").to_pylist() == [None, "too-many-candidates"]
    assert phonetoken.find(texts, max_tries=1).to_pylist()[1] is None
    with pytest.raises(ValueError, match="leniency="):
        phonetoken.find(texts, leniency="exact")


# ---------------------------------------------------------------------------------------
# scrub


def cli_scrub(work: Path, texts: list[str], *args: str) -> list[str | None]:
    """`phonetoken scrub` on the texts, one a line; `error: CODE` lines become None."""
    path = work / "scrub-in.txt"
    path.write_text("".join(t + "\n" for t in texts))
    out = cli("scrub", *args, "--input", str(path)).decode().split("\n")[: len(texts)]
    return [None if line.startswith("error: ") else line for line in out]


@pytest.mark.parametrize(
    "replace,options,flags",
    [
        ("e164", {}, []),
        ("mask", {"visible": 2}, ["--visible", "2"]),
        ("pseudonym", {}, []),
        ("pseudonym", {"length": 16, "purpose": "notes"}, ["--length", "16", "--purpose", "notes"]),
        ("token", {"context": "crm"}, ["--context", "crm"]),
    ],
)
def test_scrub_equals_the_cli(sentences, work, keyset_path, replace, options, flags):
    keyed = replace in ("pseudonym", "token")
    keys = phonetoken.Keyset.from_file(keyset_path) if keyed else None
    got = phonetoken.scrub(pa.array(sentences), replace, keys, "US", **options).to_pylist()
    args = ["--replace", replace, "--region", "US", *flags]
    if keyed:
        args += ["--keyset", str(keyset_path)]
    assert got == cli_scrub(work, sentences, *args)
    assert sum(g != s for g, s in zip(got, sentences)) > 100


def test_scrub_is_idempotent_and_keeps_text_without_numbers(sentences, keyset_path):
    keys = phonetoken.Keyset.from_file(keyset_path)
    once = phonetoken.scrub(pa.array(sentences), "pseudonym", keys, "US")
    assert phonetoken.scrub(once, "pseudonym", keys, "US").equals(once)
    assert any("[phone-pseudonym:" in s for s in once.to_pylist())
    prose = ["Order 12345678 shipped 2011-10-12, €12,50", "", "no digits at all 😀", None]
    for replace in ["e164", "mask"]:
        assert phonetoken.scrub(pa.array(prose), replace, region="DE").to_pylist() == prose
    # The pseudonyms are those of the numbers found.
    text = "Call (650) 253-0000 now"
    expected = keys.pseudonymize("+16502530000")
    assert phonetoken.scrub(pa.array([text]), "pseudonym", keys, "US").to_pylist() == [
        f"Call [phone-pseudonym:{expected}] now"
    ]


def test_scrub_arguments_and_failures(keyset_path):
    keys = phonetoken.Keyset.from_file(keyset_path)
    arr = pa.array(["1-2 3-4 5-6 then (650) 253-0000", "(650) 253-0000"])
    with pytest.raises(phonetoken.FindError.TooManyCandidates) as info:
        phonetoken.scrub(arr, "e164", region="US", max_tries=2, errors="raise")
    assert info.value.row == 0
    assert phonetoken.scrub(arr, "e164", region="US", max_tries=2).to_pylist() == [None, "+16502530000"]
    with pytest.raises(ValueError, match="needs a keyset"):
        phonetoken.scrub(arr, "token")
    with pytest.raises(ValueError, match="keyset does not apply"):
        phonetoken.scrub(arr, "e164", keys)
    with pytest.raises(ValueError, match="context does not apply"):
        phonetoken.scrub(arr, "pseudonym", keys, context="x")
    with pytest.raises(ValueError, match="replace="):
        phonetoken.scrub(arr, "masked")
    with pytest.raises(ValueError, match="length"):
        phonetoken.scrub(arr, "pseudonym", keys, length=4)
    # Tokens open with detokenize.
    scrubbed = phonetoken.scrub(pa.array(["tel 650-253-0000"]), "token", keys, "US", context=b"c")
    token = scrubbed[0].as_py().removeprefix("tel [phone-token:").removesuffix("]")
    assert keys.detokenize(token, b"c") == "+16502530000"
