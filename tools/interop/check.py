"""Python half of phonetoken's interoperability check (driven by run.sh).

Reads what `cargo test --test interop -- --ignored interop_write` wrote into the work
directory and checks it with independent implementations:

- Tink (`tink` package): loads the exported Tink keyset and decrypts phonetoken's tokens,
  and its own deterministic encryption gives the same token bytes;
- `cryptography`'s AESSIV: opens the token bytes after the 5-byte Tink prefix, with the
  context as the single associated-data element;
- Python `hmac`: reproduces the pseudonyms under every enabled key;
- `cryptography`'s HKDF: reproduces the per-purpose keys from the documented derivation.

- Tink's encrypted keysets: opens encrypted_keyset.json with the master key in
  master_key.json (both written by phonetoken), checks every key in it against keyset.json,
  and uses its AES-SIV keys as a DeterministicAead and its HMAC keys as a Mac.

Then writes tink_tokens.json (tokens made by Tink) for phonetoken to open, and a keyset Tink
seals under a master key Tink makes (tink_master_key.json, tink_encrypted_keyset.json) with
tokens and MACs of it (tink_encrypted_cases.json).
Exits non-zero on any mismatch and prints one summary line.
"""

import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path

import tink
from tink import aead, cleartext_keyset_handle, daead, mac, secret_key_access
from tink.proto import aes_siv_pb2, common_pb2, hmac_pb2, tink_pb2
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


def handle_of(keyset_proto):
    return tink.proto_keyset_format.parse(keyset_proto.SerializeToString(), secret_key_access.TOKEN)


def keyset_proto_of(handle):
    return tink_pb2.Keyset.FromString(
        tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN)
    )


def complement(key_id):
    return ~key_id & 0xFFFFFFFF


SIV_URL = "type.googleapis.com/google.crypto.tink.AesSivKey"
HMAC_URL = "type.googleapis.com/google.crypto.tink.HmacKey"


def check_encrypted(c, work, doc, keyset):
    """Tink opens phonetoken's encrypted keyset, and seals one for phonetoken to open."""
    aead.register()
    mac.register()
    master = tink.json_proto_keyset_format.parse(
        (work / "master_key.json").read_text(), secret_key_access.TOKEN
    ).primitive(aead.Aead)
    sealed = tink.json_proto_keyset_format.parse_encrypted(
        (work / "encrypted_keyset.json").read_text(), master, b""
    )
    inner = keyset_proto_of(sealed)
    keys = {k["id"]: k for k in keyset["keys"]}
    status = {"enabled": tink_pb2.ENABLED, "disabled": tink_pb2.DISABLED}
    c.check(inner.primary_key_id == keyset["primary_key_id"], "encrypted keyset: primary id")
    c.check(len(inner.key) == 2 * len(keys), "encrypted keyset: two Tink keys per key")
    siv_keys, hmac_keys = [], []
    for k in inner.key:
        if k.key_data.type_url == SIV_URL:
            ours = keys.get(k.key_id)
            value = aes_siv_pb2.AesSivKey.FromString(k.key_data.value).key_value
            c.check(ours is not None and base64.b64decode(ours["token_key"]) == value,
                    f"encrypted keyset: token key {k.key_id}")
            c.check(k.output_prefix_type == tink_pb2.TINK, f"TINK prefix {k.key_id}")
            siv_keys.append(k)
        elif k.key_data.type_url == HMAC_URL:
            ours = keys.get(complement(k.key_id))
            h = hmac_pb2.HmacKey.FromString(k.key_data.value)
            c.check(ours is not None and base64.b64decode(ours["pseudonym_key"]) == h.key_value,
                    f"encrypted keyset: pseudonym key of {complement(k.key_id)}")
            c.check(h.params.hash == common_pb2.SHA256 and h.params.tag_size == 32,
                    "HMAC-SHA256, 32-byte tags")
            c.check(k.output_prefix_type == tink_pb2.RAW, f"RAW prefix {k.key_id}")
            hmac_keys.append(k)
        else:
            c.check(False, f"encrypted keyset: unexpected key type {k.key_data.type_url}")
            continue
        c.check(ours is not None and k.status == status[ours["status"]], f"status {k.key_id}")
    # Its token keys are a DeterministicAead that opens phonetoken's tokens; its pseudonym
    # keys a Mac whose tag is phonetoken's pseudonym.
    primary = inner.primary_key_id
    siv = handle_of(tink_pb2.Keyset(primary_key_id=primary, key=siv_keys)).primitive(
        daead.DeterministicAead
    )
    tags = handle_of(tink_pb2.Keyset(primary_key_id=complement(primary), key=hmac_keys)).primitive(
        mac.Mac
    )
    for case in doc["cases"][::5]:
        number = case["number"].encode()
        ctx = bytes.fromhex(case["context_hex"])
        c.check(siv.decrypt_deterministically(b64url_decode(case["token"]), ctx) == number,
                f"encrypted keyset's DAEAD opens {case['number']}")
        c.check(tags.compute_mac(number).hex() == case["pseudonyms_hex"][0][1],
                f"encrypted keyset's MAC is the pseudonym of {case['number']}")

    # Tink makes a master key and seals a keyset of its own keys in the same layout.
    tink_master = tink.new_keyset_handle(aead.aead_key_templates.AES256_GCM)
    (work / "tink_master_key.json").write_text(
        tink.json_proto_keyset_format.serialize(tink_master, secret_key_access.TOKEN)
    )
    siv_handle = tink.new_keyset_handle(daead.deterministic_aead_key_templates.AES256_SIV)
    siv_proto = keyset_proto_of(siv_handle)
    template = mac.mac_key_templates.HMAC_SHA256_256BITTAG
    template.output_prefix_type = tink_pb2.RAW
    hmac_proto = keyset_proto_of(tink.new_keyset_handle(template))
    pair = tink_pb2.Keyset(primary_key_id=siv_proto.primary_key_id)
    pair.key.append(siv_proto.key[0])
    hk = pair.key.add()
    hk.CopyFrom(hmac_proto.key[0])
    hk.key_id = complement(siv_proto.primary_key_id)
    (work / "tink_encrypted_keyset.json").write_text(
        tink.json_proto_keyset_format.serialize_encrypted(
            handle_of(pair), tink_master.primitive(aead.Aead), b""
        )
    )
    made_siv = siv_handle.primitive(daead.DeterministicAead)
    made_mac = handle_of(hmac_proto).primitive(mac.Mac)
    cases = []
    for case in doc["cases"][::3]:
        number = case["number"].encode()
        ctx = bytes.fromhex(case["context_hex"])
        cases.append({
            "number": case["number"],
            "context_hex": case["context_hex"],
            "token_b64url": b64url_encode(made_siv.encrypt_deterministically(number, ctx)),
            "mac_hex": made_mac.compute_mac(number).hex(),
        })
    (work / "tink_encrypted_cases.json").write_text(json.dumps(
        {"primary_key_id": siv_proto.primary_key_id, "cases": cases}, indent=1))


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
    check_encrypted(c, work, doc, keyset)
    for f in c.failures[:20]:
        print(f"interop: MISMATCH {f}", file=sys.stderr)
    total = c.passed + len(c.failures)
    if c.failures:
        print(f"interop (python): FAILED {len(c.failures)} of {total} checks")
        return 1
    print(f"interop (python): all {total} checks passed (Tink, Tink encrypted keysets, cryptography AESSIV, hmac, HKDF)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
