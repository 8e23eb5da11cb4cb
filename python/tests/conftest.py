"""Shared fixtures: the CLI, a keyset it made, a few thousand written numbers, and oracles.

The tests run against the installed wheel: tools/python/run.sh runs pytest from a directory
where the source tree is not importable, and `test_installed_wheel` checks that.
Environment: PHONETOKEN_CLI, the `phonetoken` binary (built with `--features cli`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest

ROOT = Path(__file__).resolve().parents[2]
GEN_INPUT = ROOT / "tools" / "bulk" / "gen_input.py"
REGION = "US"
ROWS = 3000


def cli_path() -> str:
    path = os.environ.get("PHONETOKEN_CLI")
    if not path:
        pytest.fail("set PHONETOKEN_CLI to the phonetoken binary (tools/python/run.sh does)")
    return path


def cli(*args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        [cli_path(), *args], input=stdin, check=True, capture_output=True
    ).stdout


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("phonetoken")


@pytest.fixture(scope="session")
def keyset_path(work: Path) -> Path:
    path = work / "keys.json"
    cli("keygen", "--output", str(path))
    return path


@pytest.fixture(scope="session")
def keyset_doc(keyset_path: Path) -> dict:
    return json.loads(keyset_path.read_text())


@pytest.fixture(scope="session")
def phones(work: Path) -> list[str | None]:
    """ROWS written numbers (tools/bulk/gen_input.py), with a null every 37th row and a few
    values that are not numbers."""
    text = subprocess.run(
        [sys.executable, str(GEN_INPUT), str(ROWS), "--seed", "13"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines: list[str | None] = text.split("\n")[:ROWS]
    for i in range(0, ROWS, 37):
        lines[i] = None
    lines[5] = "not a phone"
    lines[6] = "+44 20 7946 0958 "  # kept as written: the parser decides
    return lines


@pytest.fixture(scope="session")
def input_file(work: Path, phones: list[str | None]) -> Path:
    """The non-null values, one a line, for the CLI."""
    path = work / "in.txt"
    path.write_text("".join(p + "\n" for p in phones if p is not None))
    return path


def cli_column(phones: list[str | None], input_file: Path, *args: str) -> list[str | None]:
    """The CLI's answers for the non-null values, put back in place; `error: CODE` lines
    become None (the column functions' default)."""
    out = cli(*args, "--input", str(input_file)).decode().split("\n")
    answers = iter(out)
    column: list[str | None] = []
    for p in phones:
        if p is None:
            column.append(None)
            continue
        line = next(answers)
        column.append(None if line.startswith("error: ") else line)
    return column


def cli_codes(phones: list[str | None], input_file: Path, *args: str) -> list[str | None]:
    """The CLI's reason codes (None where it succeeded or the value is null)."""
    out = cli(*args, "--input", str(input_file)).decode().split("\n")
    answers = iter(out)
    return [
        None if p is None else (lambda l: l[len("error: "):] if l.startswith("error: ") else None)(next(answers))
        for p in phones
    ]


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869, written out on `hmac`."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def pseudonym_key(doc: dict, purpose: str | None = None) -> bytes:
    """The primary's pseudonym key from the keyset file; for a purpose, derived as
    docs/FORMAT.md says (HKDF-SHA256, salt "phonetoken-v1", info label 0x00 len purpose)."""
    primary = next(k for k in doc["keys"] if k["id"] == doc["primary_key_id"])
    key = base64.b64decode(primary["pseudonym_key"])
    if purpose is None:
        return key
    p = purpose.encode()
    return hkdf_sha256(key, b"phonetoken-v1", b"pseudonym-key\x00" + bytes([len(p)]) + p, 32)


def oracle_number(text: str | None, region: str | None = REGION):
    """The `phonenumbers` number phonetoken's parse gives (a possible number), else None."""
    if text is None:
        return None
    try:
        n = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return n if phonenumbers.is_possible_number(n) else None


def oracle_e164(text: str | None, region: str = REGION) -> str | None:
    """E.164 from `phonenumbers` (the possible-number check, as phonetoken does)."""
    n = oracle_number(text, region)
    return None if n is None else phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def oracle_pseudonym(text: str | None, key: bytes, region: str = REGION) -> str | None:
    """HMAC-SHA256 of the E.164 string's bytes, base64url without padding."""
    e164 = oracle_e164(text, region)
    if e164 is None:
        return None
    mac = hmac.new(key, e164.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
