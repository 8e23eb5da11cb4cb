"""The column functions and scalar forms on pyarrow arrays, against the CLI and the oracles."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import phonetoken
from conftest import (
    REGION,
    cli,
    cli_codes,
    cli_column,
    oracle_e164,
    oracle_pseudonym,
    pseudonym_key,
)


def test_installed_wheel():
    # The package under test is the installed wheel, not the source tree.
    source = Path(__file__).resolve().parents[1]
    assert not Path(phonetoken.__file__).resolve().is_relative_to(source)
    assert phonetoken.METADATA_VERSION == "9.0.35"


@pytest.fixture(scope="module")
def keys(keyset_path):
    return phonetoken.Keyset.from_file(keyset_path)


def test_normalize_equals_cli_and_phonenumbers(phones, input_file):
    got = phonetoken.normalize(pa.array(phones), REGION).to_pylist()
    assert got == cli_column(phones, input_file, "normalize", "--region", REGION)
    assert got == [oracle_e164(p) for p in phones]
    # Some of each: numbers, nulls, values that are not numbers.
    assert got.count(None) > len(phones) // 37 + 10
    assert len({g for g in got if g}) > 1000


def test_pseudonymize_equals_cli_and_hmac(phones, input_file, keyset_path, keyset_doc, keys):
    got = phonetoken.pseudonymize(pa.array(phones), keys, region=REGION).to_pylist()
    expected = cli_column(phones, input_file, "pseudonymize", "--keyset", str(keyset_path), "--region", REGION)
    assert got == expected
    key = pseudonym_key(keyset_doc)
    assert got == [oracle_pseudonym(p, key) for p in phones]


@pytest.mark.parametrize(
    "encoding,length,purpose", [("hex", 16, None), ("base64", 32, None), ("base64url", 8, "contacts")]
)
def test_pseudonymize_options_equal_cli(phones, input_file, keyset_path, keys, encoding, length, purpose):
    got = phonetoken.pseudonymize(
        pa.array(phones), keys, REGION, purpose, encoding, length
    ).to_pylist()
    args = ["pseudonymize", "--keyset", str(keyset_path), "--region", REGION, "--encoding", encoding]
    args += ["--length", str(length)]
    if purpose:
        args += ["--purpose", purpose]
    assert got == cli_column(phones, input_file, *args)


def test_purpose_pseudonyms_equal_hkdf_oracle(phones, keyset_doc, keys):
    got = phonetoken.pseudonymize(pa.array(phones), keys, REGION, purpose="contacts").to_pylist()
    key = pseudonym_key(keyset_doc, "contacts")
    assert got == [oracle_pseudonym(p, key) for p in phones]
    assert got != phonetoken.pseudonymize(pa.array(phones), keys, REGION).to_pylist()


def test_tokens_equal_cli_and_open(phones, input_file, keyset_path, keys):
    tokens = phonetoken.tokenize(pa.array(phones), keys, "crm", region=REGION)
    assert tokens.to_pylist() == cli_column(
        phones, input_file, "tokenize", "--keyset", str(keyset_path), "--region", REGION, "--context", "crm"
    )
    opened = phonetoken.detokenize(tokens, keys, "crm").to_pylist()
    assert opened == phonetoken.normalize(pa.array(phones), REGION).to_pylist()
    # The CLI opens them too.
    token_file = Path(input_file).with_name("tokens.txt")
    token_file.write_text("".join(t + "\n" for t in tokens.to_pylist() if t is not None))
    out = cli("detokenize", "--keyset", str(keyset_path), "--context", "crm", "--input", str(token_file))
    assert out.decode().split("\n")[:-1] == [o for o in opened if o is not None]
    # Bytes contexts are the same as text ones.
    assert phonetoken.tokenize(pa.array(phones), keys, b"crm", REGION).equals(tokens)


def test_wrong_context_does_not_open(phones, keys):
    tokens = phonetoken.tokenize(pa.array(phones[:50]), keys, "crm", REGION)
    out = phonetoken.detokenize(tokens, keys, "other", errors="column")
    codes = out.field("error").to_pylist()
    assert set(codes) - {None} == {"authentication-failed"}
    assert out.field("value").null_count == len(phones[:50])
    with pytest.raises(phonetoken.TokenError.Authentication) as info:
        phonetoken.detokenize(tokens, keys, "other", errors="raise")
    first = next(i for i, t in enumerate(tokens.to_pylist()) if t is not None)
    assert info.value.row == first and info.value.code == "authentication-failed"
    assert f"row {first}" in str(info.value)
    assert tokens[first].as_py() not in str(info.value)


@pytest.mark.parametrize("type_", [pa.string(), pa.large_string(), pa.string_view()])
def test_string_types_and_chunked(phones, keys, type_):
    base = phonetoken.pseudonymize(pa.array(phones), keys, REGION).to_pylist()
    arr = pa.array(phones, type=type_)
    out = phonetoken.pseudonymize(arr, keys, REGION)
    assert isinstance(out, pa.Array) and out.to_pylist() == base
    assert out.type == (pa.large_string() if type_ == pa.large_string() else pa.string())
    chunked = pa.chunked_array([arr[:1000], arr[1000:1001], arr[1001:]])
    out = phonetoken.pseudonymize(chunked, keys, REGION)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 3
    assert out.to_pylist() == base


def test_parallel_gives_the_same(phones, keys):
    arr = pa.array(phones * 20)
    one = phonetoken.tokenize(arr, keys, "x", REGION)
    many = phonetoken.tokenize(arr, keys, "x", REGION, parallel=True)
    assert many.equals(one)
    with pytest.raises(phonetoken.ParseError) as info:
        phonetoken.normalize(arr, REGION, errors="raise", parallel=True)
    assert info.value.row == next(i for i, p in enumerate(phones) if p is not None and oracle_e164(p) is None)


def test_errors_raise_and_column(phones, input_file):
    arr = pa.array(phones)
    first_bad = next(i for i, p in enumerate(phones) if p is not None and oracle_e164(p) is None)
    with pytest.raises(phonetoken.ParseError) as info:
        phonetoken.normalize(arr, REGION, errors="raise")
    assert info.value.row == first_bad
    assert info.value.code in str(info.value)
    out = phonetoken.normalize(arr, REGION, errors="column")
    assert out.type == pa.struct([("value", pa.string()), ("error", pa.string())])
    assert out.field("error").to_pylist() == cli_codes(phones, input_file, "normalize", "--region", REGION)
    assert out.field("value").to_pylist() == phonetoken.normalize(arr, REGION).to_pylist()
    with pytest.raises(ValueError, match="errors="):
        phonetoken.normalize(arr, errors="ignore")


def test_not_strings_is_a_type_error(keys):
    with pytest.raises(TypeError, match="strings"):
        phonetoken.normalize(pa.array([1, 2]))


def test_scalars_and_exception_classes(keys, keyset_doc):
    assert phonetoken.parse("020 7946 0958", "GB") == "+442079460958"
    key = pseudonym_key(keyset_doc)
    assert keys.pseudonymize("(415) 555-2671", region="US") == oracle_pseudonym("(415) 555-2671", key)
    token = keys.tokenize("+1 415 555 2671", "ctx")
    assert keys.detokenize(token, "ctx") == "+14155552671"
    cases = [
        ("", phonetoken.ParseError.NoDigits, "no-digits"),
        ("call me", phonetoken.ParseError.NoDigits, "no-digits"),
        ("12", phonetoken.ParseError.MissingRegion, "missing-region"),
        ("+1 555 5555 55555 5555", phonetoken.ParseError.TooLong, "too-long"),
        ("(415) 555-2671", phonetoken.ParseError.MissingRegion, "missing-region"),
        ("+999 123 456", phonetoken.ParseError.InvalidCountryCode, "invalid-country-code"),
        ("+1 415 555 26", phonetoken.ParseError.TooShort, "too-short"),
    ]
    for text, cls, code in cases:
        with pytest.raises(cls) as info:
            phonetoken.parse(text)
        assert info.value.code == code and info.value.row is None
        assert isinstance(info.value, phonetoken.ParseError)
        assert isinstance(info.value, ValueError)
    with pytest.raises(phonetoken.TokenError.BadEncoding):
        keys.detokenize("***", "ctx")
    with pytest.raises(phonetoken.TokenError.Authentication):
        keys.detokenize(token, "other")
    assert phonetoken.TokenError.TooShort is not phonetoken.ParseError.TooShort
    with pytest.raises(ValueError, match="region"):
        phonetoken.parse("1", "USA")
    with pytest.raises(ValueError, match="length"):
        keys.pseudonymize("+14155552671", length=64)
    with pytest.raises(phonetoken.KeyMaterialError):
        keys.pseudonymize("+14155552671", purpose="")


def test_keyset_shows_ids_only_and_is_not_pickled(keyset_path, keyset_doc, keys):
    primary = keyset_doc["primary_key_id"]
    assert repr(keys) == f"Keyset(primary_key_id={primary}, key_ids=[{primary}])"
    assert keys.primary_key_id == primary and keys.key_ids == [primary]
    secret = keyset_doc["keys"][0]["pseudonym_key"]
    assert secret not in repr(keys) and secret not in str(dir(keys))
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(keys)
    same = phonetoken.Keyset.from_json(keyset_path.read_text())
    assert same.pseudonymize("+14155552671") == keys.pseudonymize("+14155552671")


def test_encrypted_keyset_with_master_key_file(work):
    master = work / "master.json"
    sealed = work / "sealed.json"
    cli("master-key", "new", "--master-key", f"file:{master}")
    cli("keygen", "--output", str(sealed), "--master-key", f"file:{master}")
    with pytest.raises(phonetoken.KeysetFileError, match="encrypted"):
        phonetoken.Keyset.from_file(sealed)
    keys = phonetoken.Keyset.from_file(sealed, master_key=f"file:{master}")
    expected = cli(
        "pseudonymize", "--keyset", str(sealed), "--master-key", f"file:{master}",
        stdin=b"+14155552671\n",
    ).decode().strip()
    assert keys.pseudonymize("+14155552671") == expected
    with pytest.raises(phonetoken.KeysetFileError):
        phonetoken.Keyset.from_file(work / "missing.json")
    with pytest.raises(phonetoken.KeysetFileError, match="JSON"):
        phonetoken.Keyset.from_json("{")


def test_help_reads_well():
    doc = phonetoken.pseudonymize.__doc__
    assert "HMAC-SHA256" in doc and "errors" in doc
    assert "keyset" in phonetoken.pseudonymize.__text_signature__
    out = subprocess.run(
        [sys.executable, "-c", "import phonetoken; help(phonetoken.pseudonymize)"],
        capture_output=True, text=True, check=True, env={**os.environ, "PAGER": "cat"},
    ).stdout
    assert "pseudonymize(arr, keyset, region=None" in out
