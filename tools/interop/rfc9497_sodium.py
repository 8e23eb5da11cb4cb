"""RFC 9497 (ristretto255-SHA512) written out from the RFC, on libsodium's ristretto255.

An independent implementation for tools/interop/device.py: the group arithmetic is
libsodium's `crypto_core_ristretto255_*` and `crypto_scalarmult_ristretto255*` through
ctypes, the hashing is Python's hashlib, and every protocol step (hash to group and to
scalar, DeriveKeyPair, blind, evaluate, the DLEQ proof and its check, finalize) is written
here from RFC 9497 and RFC 9380, sharing no code with phonetoken or voprf-ng.

`python3 tools/interop/rfc9497_sodium.py tests/data/rfc9497_ristretto255.txt` checks this
module against the RFC's Appendix A.1 vectors.
"""

import ctypes
import ctypes.util
import hashlib
import re
import sys

OPRF, VOPRF, POPRF = 0, 1, 2
ELEMENT_LEN = 32
SCALAR_LEN = 32


def _load():
    name = ctypes.util.find_library("sodium")
    for candidate in ([name] if name else []) + ["libsodium.so.23", "libsodium.so"]:
        try:
            lib = ctypes.CDLL(candidate)
            break
        except OSError:
            continue
    else:
        raise SystemExit("libsodium not found (Debian: apt-get install libsodium23)")
    if lib.sodium_init() < 0:
        raise SystemExit("sodium_init failed")
    return lib


_na = _load()


def _call(fn, size, *args):
    out = ctypes.create_string_buffer(size)
    rc = fn(out, *args)
    return rc, out.raw


def is_canonical_point(p):
    # libsodium 1.0.18 ignores the top bit of the last byte; RFC 9496 rejects it.
    if len(p) != ELEMENT_LEN or p[31] & 0x80:
        return False
    return _na.crypto_core_ristretto255_is_valid_point(p) == 1


def point_mul(scalar, point):
    """scalar·point; None when the result is the identity (libsodium refuses to return it)."""
    rc, out = _call(_na.crypto_scalarmult_ristretto255, ELEMENT_LEN, scalar, point)
    return None if rc != 0 else out


def base_mul(scalar):
    rc, out = _call(_na.crypto_scalarmult_ristretto255_base, ELEMENT_LEN, scalar)
    return None if rc != 0 else out


def point_add(p, q):
    # None stands for the identity, which libsodium's encodings cannot carry through `add`.
    if p is None:
        return q
    if q is None:
        return p
    _, out = _call(_na.crypto_core_ristretto255_add, ELEMENT_LEN, p, q)
    return out


def serialize(p):
    return bytes(ELEMENT_LEN) if p is None else p


def scalar_reduce(wide):
    _, out = _call(_na.crypto_core_ristretto255_scalar_reduce, SCALAR_LEN, wide)
    return out


def scalar_invert(s):
    rc, out = _call(_na.crypto_core_ristretto255_scalar_invert, SCALAR_LEN, s)
    if rc != 0:
        raise ValueError("InverseError")
    return out


def scalar_add(a, b):
    return _call(_na.crypto_core_ristretto255_scalar_add, SCALAR_LEN, a, b)[1]


def scalar_sub(a, b):
    return _call(_na.crypto_core_ristretto255_scalar_sub, SCALAR_LEN, a, b)[1]


def scalar_mul(a, b):
    return _call(_na.crypto_core_ristretto255_scalar_mul, SCALAR_LEN, a, b)[1]


def is_canonical_scalar(s):
    # Canonical means below the group order: reducing it (as a 64-byte number) changes nothing.
    return len(s) == SCALAR_LEN and scalar_reduce(s + bytes(32)) == s


def i2osp2(n):
    return n.to_bytes(2, "big")


def expand_message_xmd(msg, dst, length):
    """RFC 9380 §5.3.1 with SHA-512 (b_in_bytes 64, s_in_bytes 128)."""
    ell = -(-length // 64)
    assert ell <= 255 and len(dst) <= 255
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha512(bytes(128) + msg + i2osp2(length) + b"\x00" + dst_prime).digest()
    b = [hashlib.sha512(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, b[-1]))
        b.append(hashlib.sha512(mixed + bytes([i]) + dst_prime).digest())
    return b"".join(b)[:length]


def context_string(mode):
    return b"OPRFV1-" + bytes([mode]) + b"-ristretto255-SHA512"


def hash_to_group(mode, msg):
    uniform = expand_message_xmd(msg, b"HashToGroup-" + context_string(mode), 64)
    _, out = _call(_na.crypto_core_ristretto255_from_hash, ELEMENT_LEN, uniform)
    return None if out == bytes(ELEMENT_LEN) else out


def hash_to_scalar(mode, msg, dst=None):
    dst = b"HashToScalar-" + context_string(mode) if dst is None else dst
    return scalar_reduce(expand_message_xmd(msg, dst, 64))


def derive_key_pair(mode, seed, info):
    """RFC 9497 §3.2.1: (skS, pkS)."""
    derive_input = seed + i2osp2(len(info)) + info
    for counter in range(256):
        sk = hash_to_scalar(
            mode, derive_input + bytes([counter]), b"DeriveKeyPair" + context_string(mode)
        )
        if sk != bytes(SCALAR_LEN):
            return sk, base_mul(sk)
    raise ValueError("DeriveKeyPairError")


def _frame_info(info):
    return b"Info" + i2osp2(len(info)) + info


def poprf_tweak(mode, sk, pk, info):
    """POPRF: the tweaked secret t = skS + m and tweaked public key T = m·G + pkS."""
    m = hash_to_scalar(mode, _frame_info(info))
    t = scalar_add(sk, m)
    tweaked = point_add(base_mul(m), pk)
    if t == bytes(SCALAR_LEN) or tweaked is None:
        raise ValueError("InverseError")
    return t, tweaked


def blind(mode, data, r):
    element = hash_to_group(mode, data)
    if element is None:
        raise ValueError("InvalidInputError")
    return point_mul(r, element)


def blind_evaluate(mode, sk, blinded, pk=None, info=b""):
    """The evaluated element; in POPRF mode with the tweaked key (needs pk)."""
    if mode == POPRF:
        t, _ = poprf_tweak(mode, sk, pk, info)
        return point_mul(scalar_invert(t), blinded)
    return point_mul(sk, blinded)


def finalize(mode, data, r, evaluated, info=b""):
    unblinded = serialize(point_mul(scalar_invert(r), evaluated))
    framed = i2osp2(len(data)) + data
    if mode == POPRF:
        framed += i2osp2(len(info)) + info
    return hashlib.sha512(framed + i2osp2(ELEMENT_LEN) + unblinded + b"Finalize").digest()


def evaluate(mode, sk, data, pk=None, info=b""):
    """Evaluate(skS, input[, info]): what the server computes without a client."""
    element = hash_to_group(mode, data)
    if element is None:
        raise ValueError("InvalidInputError")
    if mode == POPRF:
        t, _ = poprf_tweak(mode, sk, pk, info)
        issued = point_mul(scalar_invert(t), element)
        framed = i2osp2(len(data)) + data + i2osp2(len(info)) + info
    else:
        issued = point_mul(sk, element)
        framed = i2osp2(len(data)) + data
    return hashlib.sha512(framed + i2osp2(ELEMENT_LEN) + serialize(issued) + b"Finalize").digest()


def _composites(mode, b, cs, ds):
    """RFC 9497 §2.2.1 ComputeComposites, the form both prover and verifier can run."""
    seed_dst = b"Seed-" + context_string(mode)
    seed = hashlib.sha512(
        i2osp2(ELEMENT_LEN) + b + i2osp2(len(seed_dst)) + seed_dst
    ).digest()
    m = z = None
    for i, (c, d) in enumerate(zip(cs, ds)):
        h2 = (
            i2osp2(len(seed)) + seed + i2osp2(i)
            + i2osp2(ELEMENT_LEN) + c + i2osp2(ELEMENT_LEN) + d + b"Composite"
        )
        di = hash_to_scalar(mode, h2)
        m = point_add(point_mul(di, c), m)
        z = point_add(point_mul(di, d), z)
    return m, z


def _challenge(mode, b, m, z, t2, t3):
    parts = b"".join(i2osp2(ELEMENT_LEN) + serialize(x) for x in (b, m, z, t2, t3))
    return hash_to_scalar(mode, parts + b"Challenge")


def generate_proof(mode, k, a, b, cs, ds, r):
    """GenerateProof(k, A, B, C, D) with proof randomness r: c ‖ s."""
    m, z = _composites(mode, b, cs, ds)
    t2, t3 = point_mul(r, a), point_mul(r, m)
    c = _challenge(mode, b, m, z, t2, t3)
    return c + scalar_sub(r, scalar_mul(c, k))


def verify_proof(mode, a, b, cs, ds, proof):
    if len(proof) != 2 * SCALAR_LEN:
        return False
    c, s = proof[:SCALAR_LEN], proof[SCALAR_LEN:]
    if not (is_canonical_scalar(c) and is_canonical_scalar(s)):
        return False
    m, z = _composites(mode, b, cs, ds)
    t2 = point_add(point_mul(s, a), point_mul(c, b))
    t3 = point_add(point_mul(s, m), point_mul(c, z))
    return _challenge(mode, b, m, z, t2, t3) == c


def generator():
    one = (1).to_bytes(SCALAR_LEN, "little")
    return base_mul(one)


def server_proof(mode, sk, pk, blinded, evaluated, r, info=b""):
    """The server's proof over a batch (VOPRF: k = skS, B = pkS; POPRF: the tweaked pair,
    with the roles of the blinded and evaluated elements swapped, as RFC 9497 §3.3.3 does)."""
    if mode == POPRF:
        t, tweaked = poprf_tweak(mode, sk, pk, info)
        return generate_proof(mode, t, generator(), tweaked, evaluated, blinded, r)
    return generate_proof(mode, sk, generator(), pk, blinded, evaluated, r)


def client_verify(mode, pk, blinded, evaluated, proof, info=b""):
    if mode == POPRF:
        m = hash_to_scalar(mode, _frame_info(info))
        tweaked = point_add(base_mul(m), pk)
        return verify_proof(mode, generator(), tweaked, evaluated, blinded, proof)
    return verify_proof(mode, generator(), pk, blinded, evaluated, proof)


# ---------------------------------------------------------------------------------------------
# Self-check against the RFC's vectors (the file tests/data/rfc9497_ristretto255.txt).


def _read_vectors(text):
    suites = []
    current = None
    last = None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        heading = re.match(r"A\.1\.(\d)\.\s+(\w+) Mode", line)
        if heading:
            current = {"mode": {"OPRF": OPRF, "VOPRF": VOPRF, "POPRF": POPRF}[heading.group(2)],
                       "vectors": [], "params": {}}
            suites.append(current)
            target = current["params"]
            continue
        if re.match(r"A\.1\.\d\.\d\.\s+Test Vector", line):
            target = {}
            current["vectors"].append(target)
            continue
        kv = re.match(r"\s+(\w+) = ([0-9a-f,]+)$", line)
        if kv:
            last = kv.group(1)
            target[last] = kv.group(2)
        elif line.startswith("   ") and last and re.match(r"\s+[0-9a-f,]+$", line):
            target[last] += line.strip()
        else:
            last = None
    return suites


def _split(value):
    return [bytes.fromhex(v) for v in value.split(",")]


def self_check(path):
    with open(path, encoding="utf-8") as f:
        suites = _read_vectors(f.read())
    checked = 0
    for suite in suites:
        mode, params = suite["mode"], suite["params"]
        sk, pk = derive_key_pair(mode, bytes.fromhex(params["Seed"]), bytes.fromhex(params["KeyInfo"]))
        assert sk.hex() == params["skSm"], (mode, "skSm")
        if "pkSm" in params:
            assert pk.hex() == params["pkSm"], (mode, "pkSm")
        for v in suite["vectors"]:
            inputs, blinds = _split(v["Input"]), _split(v["Blind"])
            info = bytes.fromhex(v["Info"]) if "Info" in v else b""
            blinded = [blind(mode, x, r) for x, r in zip(inputs, blinds)]
            assert [b.hex() for b in blinded] == v["BlindedElement"].split(","), (mode, "blinded")
            evaluated = [blind_evaluate(mode, sk, b, pk, info) for b in blinded]
            assert [e.hex() for e in evaluated] == v["EvaluationElement"].split(","), (mode, "eval")
            if mode != OPRF:
                proof = server_proof(mode, sk, pk, blinded, evaluated,
                                     bytes.fromhex(v["ProofRandomScalar"]), info)
                assert proof.hex() == v["Proof"], (mode, "proof")
                assert client_verify(mode, pk, blinded, evaluated, proof, info), (mode, "verify")
                bad = bytearray(proof)
                bad[0] ^= 1
                assert not client_verify(mode, pk, blinded, evaluated, bytes(bad), info)
            outputs = [finalize(mode, x, r, e, info) for x, r, e in zip(inputs, blinds, evaluated)]
            assert [o.hex() for o in outputs] == v["Output"].split(","), (mode, "output")
            assert [evaluate(mode, sk, x, pk, info) for x in inputs] == outputs, (mode, "direct")
            checked += 1
    assert checked == 8, checked
    return checked


if __name__ == "__main__":
    n = self_check(sys.argv[1])
    print(f"rfc9497_sodium: {n} RFC 9497 A.1 vectors reproduced on libsodium")
