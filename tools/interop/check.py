"""Python half of phonetoken's interoperability check (driven by run.sh).

Reads what `cargo test --test interop -- --ignored interop_write` wrote into the work
directory and checks it with independent implementations:

- Tink (`tink` package): loads the exported Tink keyset and decrypts phonetoken's tokens,
  and its own deterministic encryption gives the same token bytes;
- `cryptography`'s AESSIV: opens the token bytes after the 5-byte Tink prefix, with the
  context as the single associated-data element;
- Python `hmac`: reproduces the pseudonyms under every enabled key;
- `cryptography`'s HKDF: reproduces the per-purpose keys from the documented derivation.

Then writes tink_tokens.json (tokens made by Tink) for phonetoken to open.
Exits non-zero on any mismatch and prints one summary line.
"""

import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path

import tink
from tink import cleartext_keyset_handle, daead
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT = b"phonetoken-v1"
LABELS = {"pseudonym_key": (b"pseudonym-key", 32), "token_key": (b"token-key", 64)}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Checker:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)


def derive(master, label, length, purpose):
    p = purpose.encode()
    info = label + b"\x00" + bytes([len(p)]) + p
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=SALT, info=info).derive(master)


def main(work):
    c = Checker()
    doc = json.loads((work / "cases.json").read_text())
    keyset = json.loads((work / "keyset.json").read_text())
    purpose_keyset = json.loads((work / "purpose_keyset.json").read_text())
    keys = {k["id"]: k for k in keyset["keys"]}
    purpose_keys = {k["id"]: k for k in purpose_keyset["keys"]}
    primary = keyset["primary_key_id"]
    c.check(primary == doc["primary_key_id"], "primary id in keyset.json")

    daead.register()
    handle = cleartext_keyset_handle.read(
        tink.JsonKeysetReader((work / "tink_keyset.json").read_text())
    )
    tink_daead = handle.primitive(daead.DeterministicAead)
    purpose_handle = cleartext_keyset_handle.read(
        tink.JsonKeysetReader((work / "purpose_tink_keyset.json").read_text())
    )
    purpose_daead = purpose_handle.primitive(daead.DeterministicAead)

    # HKDF purpose derivation, every key, both kinds.
    for key_id, key in keys.items():
        for field, (label, length) in LABELS.items():
            master = base64.b64decode(key[field])
            expected = derive(master, label, length, doc["purpose"])
            got = base64.b64decode(purpose_keys[key_id][field])
            c.check(expected == got, f"HKDF {field} of key {key_id}")

    tink_tokens = []
    for case in doc["cases"]:
        number = case["number"].encode()
        ctx = bytes.fromhex(case["context_hex"])
        where = f"{case['number']} ctx={case['context_hex'][:16]}"
        for field, prim, ks in (
            ("token", tink_daead, keys),
            ("old_token", tink_daead, keys),
            ("purpose_token", purpose_daead, purpose_keys),
        ):
            token = b64url_decode(case[field])
            # Tink decrypts phonetoken's token.
            try:
                c.check(prim.decrypt_deterministically(token, ctx) == number, f"Tink {field} {where}")
            except tink.TinkError as e:
                c.check(False, f"Tink {field} {where}: {e}")
            # cryptography's AES-SIV opens the bytes after the prefix.
            key_id = int.from_bytes(token[1:5], "big")
            c.check(token[0] == 1 and key_id in ks, f"prefix {field} {where}")
            siv = AESSIV(base64.b64decode(ks[key_id]["token_key"]))
            try:
                c.check(siv.decrypt(token[5:], [ctx]) == number, f"AESSIV {field} {where}")
            except Exception as e:  # InvalidTag
                c.check(False, f"AESSIV {field} {where}: {e!r}")
        # Tink's own encryption under the primary gives phonetoken's token exactly.
        c.check(
            b64url_encode(tink_daead.encrypt_deterministically(number, ctx)) == case["token"],
            f"Tink encrypts to the same token {where}",
        )
        # Pseudonyms under every enabled key, primary first.
        enabled = [k for k in keyset["keys"] if k["status"] == "enabled"]
        enabled.sort(key=lambda k: k["id"] != primary)
        got = case["pseudonyms_hex"]
        c.check([i for i, _ in got] == [k["id"] for k in enabled], f"pseudonym key ids {where}")
        for (key_id, p_hex) in got:
            mac = hmac.new(base64.b64decode(keys[key_id]["pseudonym_key"]), number, hashlib.sha256)
            c.check(mac.hexdigest() == p_hex, f"HMAC pseudonym key {key_id} {where}")
        pkey = base64.b64decode(purpose_keys[primary]["pseudonym_key"])
        c.check(
            hmac.new(pkey, number, hashlib.sha256).hexdigest() == case["purpose_pseudonym_hex"],
            f"purpose pseudonym {where}",
        )
        # Tokens made by Tink for phonetoken to open (a context phonetoken never saw too).
        for extra_ctx in (ctx, b"tink-made " + ctx):
            tink_tokens.append({
                "number": case["number"],
                "context_hex": extra_ctx.hex(),
                "token_b64url": b64url_encode(tink_daead.encrypt_deterministically(number, extra_ctx)),
            })

    (work / "tink_tokens.json").write_text(json.dumps({"tokens": tink_tokens}, indent=1))
    for f in c.failures[:20]:
        print(f"interop: MISMATCH {f}", file=sys.stderr)
    total = c.passed + len(c.failures)
    if c.failures:
        print(f"interop (python): FAILED {len(c.failures)} of {total} checks")
        return 1
    print(f"interop (python): all {total} checks passed (Tink, cryptography AESSIV, hmac, HKDF)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
