//! The client's side of VOPRF and POPRF after the response: RFC 9497's `VerifyProof`
//! (§2.2.2, with `ComputeComposites` of §2.2.1) and the unblinding `Finalize`.
//!
//! The proof check sees only public values (the key, the blinded and evaluated elements, the
//! proof), so it runs curve25519-dalek's variable-time multiplications, several times faster on
//! a microcontroller than the constant-time ones `voprf-ng`'s client uses. The unblinding
//! touches the secret blind and stays constant time. Allocates nothing.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use sha2::{Digest, Sha512};
use voprf_ng::Group;
use zeroize::Zeroize;

use super::{Mode, Point, Suite, ELEMENT_LEN};

/// `I2OSP(Ne, 2)`: the length prefix of every serialized element.
const ELEMENT_LEN_BE: [u8; 2] = (ELEMENT_LEN as u16).to_be_bytes();
/// `I2OSP(Nh, 2)`: the length prefix of the composites' seed (SHA-512).
const SEED_LEN_BE: [u8; 2] = 64u16.to_be_bytes();
/// The suite's identifier in the context string.
const IDENTIFIER: &[u8] = b"ristretto255-SHA512";
/// Length of `contextString` = "OPRFV1-" || I2OSP(mode, 1) || "-" || identifier.
const CONTEXT_LEN: usize = 9 + IDENTIFIER.len();
/// `I2OSP(len(seedDST), 2)` with seedDST = "Seed-" || contextString.
const SEED_DST_LEN_BE: [u8; 2] = ((5 + CONTEXT_LEN) as u16).to_be_bytes();

/// RFC 9497's `contextString` for `mode`.
fn context(mode: Mode) -> [u8; CONTEXT_LEN] {
    let mut out = [0u8; CONTEXT_LEN];
    let (head, id) = out.split_at_mut(9);
    head.copy_from_slice(&[
        b'O',
        b'P',
        b'R',
        b'F',
        b'V',
        b'1',
        b'-',
        mode.to_byte(),
        b'-',
    ]);
    id.copy_from_slice(IDENTIFIER);
    out
}

/// `HashToScalar` with DST "HashToScalar-" || contextString.
fn hash_to_scalar(input: &[&[u8]], context: &[u8; CONTEXT_LEN]) -> Option<Scalar> {
    Suite::hash_to_scalar::<Sha512>(input, &[b"HashToScalar-", context]).ok()
}

/// `k·P` in variable time (the basepoint's scalar is zero, so it adds nothing).
fn vartime_mul(k: &Scalar, p: &RistrettoPoint) -> RistrettoPoint {
    RistrettoPoint::vartime_double_scalar_mul_basepoint(k, p, &Scalar::ZERO)
}

/// POPRF's `tweakedKey` = HashToScalar("Info" || I2OSP(len(info), 2) || info)·G + pkS, or
/// `None` for the identity (RFC 9497 §3.3.3 aborts). Public values only: variable time.
pub(super) fn tweaked_key(pk: &Point, info: &[u8]) -> Option<Point> {
    let len = u16::try_from(info.len()).ok()?.to_be_bytes();
    let m = hash_to_scalar(&[b"Info", &len, info], &context(Mode::Poprf))?;
    let key = RistrettoPoint::vartime_double_scalar_mul_basepoint(&Scalar::ONE, pk, &m);
    (key != RistrettoPoint::identity()).then_some(key)
}

/// RFC 9497's `VerifyProof(G, B, Cs, Ds, proof)` in `mode`, with `B` given as its point and
/// encoding and `pairs` yielding each `(Cs[i], Ds[i])` as canonical encodings. `proof` is
/// `c || s`. True exactly when the recomputed challenge equals `c`.
pub(super) fn verify_proof<'e>(
    mode: Mode,
    b: &Point,
    b_bytes: &[u8; ELEMENT_LEN],
    pairs: impl Iterator<Item = (&'e [u8], &'e [u8])>,
    proof: &[u8],
) -> bool {
    let (c, s) = proof.split_at(proof.len().min(ELEMENT_LEN));
    let (Ok(c), Ok(s)) = (Suite::deserialize_scalar(c), Suite::deserialize_scalar(s)) else {
        return false;
    };
    let context = context(mode);

    // ComputeComposites: M = Σ d_i·C_i, Z = Σ d_i·D_i.
    let seed = Sha512::new()
        .chain_update(ELEMENT_LEN_BE)
        .chain_update(b_bytes)
        .chain_update(SEED_DST_LEN_BE)
        .chain_update(b"Seed-")
        .chain_update(context)
        .finalize();
    let mut m = RistrettoPoint::identity();
    let mut z = RistrettoPoint::identity();
    for (i, (ci, di)) in pairs.enumerate() {
        let Ok(i) = u16::try_from(i) else {
            return false;
        };
        let input: [&[u8]; 8] = [
            &SEED_LEN_BE,
            &seed,
            &i.to_be_bytes(),
            &ELEMENT_LEN_BE,
            ci,
            &ELEMENT_LEN_BE,
            di,
            b"Composite",
        ];
        let (Some(d), Ok(cp), Ok(dp)) = (
            hash_to_scalar(&input, &context),
            Suite::deserialize_elem(ci),
            Suite::deserialize_elem(di),
        ) else {
            return false;
        };
        m += vartime_mul(&d, &cp);
        z += vartime_mul(&d, &dp);
    }

    // t2 = s·G + c·B, t3 = s·M + c·Z, then the challenge over B, M, Z, t2, t3.
    let t2 = RistrettoPoint::vartime_double_scalar_mul_basepoint(&c, b, &s);
    let t3 = vartime_mul(&s, &m) + vartime_mul(&c, &z);
    let (m, z, t2, t3) = (m.compress(), z.compress(), t2.compress(), t3.compress());
    let input: [&[u8]; 11] = [
        &ELEMENT_LEN_BE,
        b_bytes,
        &ELEMENT_LEN_BE,
        m.as_bytes(),
        &ELEMENT_LEN_BE,
        z.as_bytes(),
        &ELEMENT_LEN_BE,
        t2.as_bytes(),
        &ELEMENT_LEN_BE,
        t3.as_bytes(),
        b"Challenge",
    ];
    // Public values: an ordinary comparison.
    hash_to_scalar(&input, &context) == Some(c)
}

/// RFC 9497's client `Finalize` after a verified proof: `blind⁻¹·evaluated` (constant time: the
/// blind is secret), then Hash(I2OSP(len(input), 2) || input || [I2OSP(len(info), 2) || info,
/// POPRF only] || I2OSP(Ne, 2) || unblinded || "Finalize"). `None` for an input or info longer
/// than 65,535 bytes or a blind that is not a canonical non-zero scalar.
pub(super) fn unblind(
    blind: &[u8],
    evaluated: &Point,
    input: &[u8],
    info: Option<&[u8]>,
) -> Option<[u8; 64]> {
    let mut blind = Suite::deserialize_scalar(blind).ok()?;
    let mut inverse = Suite::invert_scalar(blind);
    let unblinded = Suite::serialize_elem(*evaluated * inverse);
    blind.zeroize();
    inverse.zeroize();
    let mut hash = Sha512::new()
        .chain_update(u16::try_from(input.len()).ok()?.to_be_bytes())
        .chain_update(input);
    if let Some(info) = info {
        hash = hash
            .chain_update(u16::try_from(info.len()).ok()?.to_be_bytes())
            .chain_update(info);
    }
    let output = hash
        .chain_update(ELEMENT_LEN_BE)
        .chain_update(unblinded)
        .chain_update(b"Finalize")
        .finalize();
    let mut out = [0u8; 64];
    out.copy_from_slice(&output);
    Some(out)
}
