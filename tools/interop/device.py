"""The Python half of the device-side cross-check (tools/interop/run.sh).

Reads device.json (written by tests/interop_device.rs: device_write) and checks, with
implementations that share no code with phonetoken:

* oblivious pseudonyms, with tools/interop/rfc9497_sodium.py (RFC 9497 on libsodium): the
  OPRF key derived from the keyset key as docs/FORMAT.md says, the direct evaluations, every
  evaluated element and proof of phonetoken's server, and the outputs of phonetoken's device
  path; in OPRF, VOPRF and POPRF mode;
* sealed numbers, with pyhpke (RFC 9180 on `cryptography`): the sealing key pair derived from
  the token key, and every envelope opened to its number.

Then it plays both parts the other way round and writes python_device.json for device_read:
as a device it draws blinds and builds requests in phonetoken's wire format, as a server it
answers them with its own proofs, and it seals numbers to phonetoken's public key.

And the command line (run.sh runs it over WORK_DIR/numbers.txt first, in VOPRF mode, hex):
cli_oprf_direct.txt (`oprf pseudonymize`) and cli_oprf_device.txt (`oprf blind`, `evaluate`,
`finalize`) must equal the libsodium evaluation line for line. For `phonetoken open` it writes
python_envelopes.txt (context "activation", base64url) and python_envelopes_numbers.txt.

Usage: device.py WORK_DIR
"""

import base64

import hashlib
import hmac
import json
import os
import sys
from pathlib import Path

from pyhpke import AEADId, CipherSuite, KDFId, KEMId

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rfc9497_sodium as oprf  # noqa: E402

SALT = b"phonetoken-v1"
WIRE_VERSION = 1
MAX_BATCH = 64
SEAL_SUITE = bytes.fromhex("002000010003")  # KEM X25519, KDF HKDF-SHA256, AEAD ChaCha20Poly1305
PLAINTEXT_LEN = 21


def hkdf(salt, ikm, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for i in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
    return out[:length]


def oprf_key(mode, pseudonym_key, key_id):
    seed = hkdf(SALT, pseudonym_key, b"oprf-seed", 32)
    return oprf.derive_key_pair(mode, seed, b"phonetoken-oprf-v1" + key_id.to_bytes(4, "big"))


def header(mode, key_id, count):
    return bytes([WIRE_VERSION, mode]) + key_id.to_bytes(4, "big") + bytes([count])


def check_oprf(doc, key_id, pseudonym_key):
    checked = 0
    numbers = [n.encode() for n in doc["numbers"]]
    for case in doc["oprf"]:
        mode, info = case["mode"], bytes.fromhex(case["info"])
        sk, pk = oprf_key(mode, pseudonym_key, key_id)
        assert case["public_key"] == (bytes([WIRE_VERSION, mode]) + key_id.to_bytes(4, "big") + pk).hex(), mode
        direct = [oprf.evaluate(mode, sk, n, pk, info).hex() for n in numbers]
        assert case["direct"] == direct, f"mode {mode}: direct evaluations differ"
        for i, batch in enumerate(case["batches"]):
            chunk = numbers[i * MAX_BATCH:(i + 1) * MAX_BATCH]
            request = bytes.fromhex(batch["request"])
            head = header(mode, key_id, len(chunk))
            assert request[:7] == head, (mode, i, "request header")
            body = request[7:]
            if mode == oprf.POPRF:
                assert body[0] == len(info) and body[1:1 + len(info)] == info, (mode, i, "info")
                body = body[1 + len(info):]
            blinded = [body[j:j + 32] for j in range(0, len(body), 32)]
            assert len(blinded) == len(chunk) and all(map(oprf.is_canonical_point, blinded))
            response = bytes.fromhex(batch["response"])
            assert response[:7] == head, (mode, i, "response header")
            evaluated = [response[7 + 32 * j:7 + 32 * (j + 1)] for j in range(len(chunk))]
            want = [oprf.blind_evaluate(mode, sk, b, pk, info) for b in blinded]
            assert evaluated == want, (mode, i, "evaluated elements")
            rest = response[7 + 32 * len(chunk):]
            if mode == oprf.OPRF:
                assert rest == b"", (mode, i, "no proof in OPRF mode")
            else:
                assert oprf.client_verify(mode, pk, blinded, evaluated, rest, info), (mode, i, "proof")
            assert batch["outputs"] == direct[i * MAX_BATCH:i * MAX_BATCH + len(chunk)], (mode, i)
            checked += len(chunk)
    return checked


def python_oprf(doc, key_id, pseudonym_key):
    """Python as device (blinds, requests) and as server (responses with its own proofs)."""
    numbers = [n.encode() for n in doc["numbers"]]
    cases = []
    for case in doc["oprf"]:
        mode, info = case["mode"], bytes.fromhex(case["info"])
        sk, pk = oprf_key(mode, pseudonym_key, key_id)
        batches = []
        # Every number, in batches of several sizes, the wire format's largest among them.
        sizes = [1, 2, 17, MAX_BATCH]
        start = 0
        while start < len(numbers):
            chunk = numbers[start:start + sizes[len(batches) % len(sizes)]]
            start += len(chunk)
            blinds = [random_scalar() for _ in chunk]
            blinded = [oprf.blind(mode, n, r) for n, r in zip(chunk, blinds)]
            request = header(mode, key_id, len(chunk))
            if mode == oprf.POPRF:
                request += bytes([len(info)]) + info
            request += b"".join(blinded)
            evaluated = [oprf.blind_evaluate(mode, sk, b, pk, info) for b in blinded]
            response = header(mode, key_id, len(chunk)) + b"".join(evaluated)
            if mode != oprf.OPRF:
                response += oprf.server_proof(mode, sk, pk, blinded, evaluated, random_scalar(), info)
            outputs = [oprf.finalize(mode, n, r, e, info) for n, r, e in zip(chunk, blinds, evaluated)]
            assert outputs == [oprf.evaluate(mode, sk, n, pk, info) for n in chunk]
            batches.append({
                "numbers": [n.decode() for n in chunk],
                "blinds": [r.hex() for r in blinds],
                "request": request.hex(),
                "response": response.hex(),
                "outputs": [o.hex() for o in outputs],
            })
        cases.append({"mode": mode, "batches": batches})
    return cases


def random_scalar():
    # Uniform and canonical: 64 random bytes reduced modulo the group order, as RFC 9497's
    # RandomScalar allows; never zero in practice, refused below if it were.
    while True:
        s = oprf.scalar_reduce(os.urandom(64))
        if s != bytes(32):
            return s


def seal_suite():
    return CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.CHACHA20_POLY1305)


def seal_key_pair(token_key):
    seed = hkdf(SALT, token_key, b"seal-key\x00" + SEAL_SUITE, 32)
    return seal_suite().kem.derive_key_pair(seed)


def check_seal(doc, key_id, token_key):
    suite = seal_suite()
    pair = seal_key_pair(token_key)
    assert pair.public_key.to_public_bytes().hex() == doc["seal"]["public_key"][-64:], "seal public key"
    head = bytes([1]) + SEAL_SUITE + key_id.to_bytes(4, "big")
    opened = 0
    for e in doc["seal"]["envelopes"]:
        envelope, context = bytes.fromhex(e["envelope"]), bytes.fromhex(e["context"])
        assert len(envelope) == 11 + 32 + PLAINTEXT_LEN + 16 and envelope[:11] == head
        enc, ct = envelope[11:43], envelope[43:]
        recipient = suite.create_recipient_context(enc, pair.private_key, info=b"phonetoken-seal-v1" + head)
        pt = recipient.open(ct, aad=context)
        number = e["number"].encode()
        assert pt == number + bytes(PLAINTEXT_LEN - len(number)), e["number"]
        opened += 1
    return opened


def python_seal(doc, key_id, token_key):
    suite = seal_suite()
    public = seal_key_pair(token_key).public_key
    head = bytes([1]) + SEAL_SUITE + key_id.to_bytes(4, "big")
    out = []
    for i, n in enumerate(doc["numbers"]):
        context = [b"", b"activation", os.urandom(i % 40)][i % 3]
        pt = n.encode() + bytes(PLAINTEXT_LEN - len(n))
        enc, sender = suite.create_sender_context(public, info=b"phonetoken-seal-v1" + head)
        ct = sender.seal(pt, aad=context)
        out.append({"number": n, "context": context.hex(), "envelope": (head + enc + ct).hex()})
    return out


def main(work):
    doc = json.loads((work / "device.json").read_text())
    key_id = doc["key_id"]
    pseudonym_key = bytes.fromhex(doc["pseudonym_key"])
    token_key = bytes.fromhex(doc["token_key"])
    checked = check_oprf(doc, key_id, pseudonym_key)
    opened = check_seal(doc, key_id, token_key)
    sk, _ = oprf_key(oprf.VOPRF, pseudonym_key, key_id)
    want = [oprf.evaluate(oprf.VOPRF, sk, n.encode()).hex() for n in doc["numbers"]]
    for name in ("cli_oprf_direct.txt", "cli_oprf_device.txt"):
        lines = (work / name).read_text().splitlines()
        assert lines == want, f"{name}: the command line differs from libsodium"
    envelopes = python_seal(doc, key_id, token_key)
    result = {"oprf": python_oprf(doc, key_id, pseudonym_key), "seal": {"envelopes": envelopes}}
    (work / "python_device.json").write_text(json.dumps(result))
    activation = [e for e in envelopes if e["context"] == b"activation".hex()]
    assert len(activation) >= 100, len(activation)
    b64 = [base64.urlsafe_b64encode(bytes.fromhex(e["envelope"])).rstrip(b"=").decode() for e in activation]
    (work / "python_envelopes.txt").write_text("".join(line + "\n" for line in b64))
    (work / "python_envelopes_numbers.txt").write_text("".join(e["number"] + "\n" for e in activation))
    print(f"device: {checked} oblivious pseudonyms, {2 * len(want)} from the command line, and "
          f"{opened} envelopes of phonetoken agree with libsodium and pyhpke")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
