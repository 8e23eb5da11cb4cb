//! The server's side of a verifiable batch (VOPRF and POPRF): the evaluations and their one
//! DLEQ proof, RFC 9497 §2.2.1 (`GenerateProof` with `ComputeCompositesFast`).
//!
//! `voprf-ng`'s prover computes the composite `M = Σ dᵢ·Cᵢ` with one constant-time scalar
//! multiplication per element and serializes every element again, which makes the proof cost
//! about as much as the evaluations. Every input of `M` is public (the elements travel on the
//! wire, the `dᵢ` are hashes of them), so here `M` is one variable-time multiscalar
//! multiplication, and the hashes read the encodings the request and the response already hold.
//! The secret key only meets constant-time operations: the evaluations, `Z = k·M` and
//! `s = r − c·k`. The group arithmetic is curve25519-dalek's (through `voprf-ng`'s group),
//! the hashing `voprf-ng`'s `HashToScalar` and sha2's SHA-512; this module only composes the
//! RFC's steps. Its output is byte for byte `voprf-ng`'s for the same proof randomness (the
//! RFC vectors and a property test check it).
//!
//! curve25519-dalek offers multiscalar multiplication and batch encoding only with its `alloc`
//! feature: they allocate their tables (a few KiB per element) for each batch. So this prover
//! is built with the crate's `alloc` feature, and without it the server uses `voprf-ng`'s.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::CryptoRng;
use sha2::{Digest, Sha512};
use voprf_ng::Group;
use zeroize::Zeroize;

use super::{as_try_rng, Mode, OprfError, Point, Suite, ELEMENT_LEN, MAX_BATCH, PROOF_LEN};

/// The suite's identifier, the end of RFC 9497's `contextString`.
const SUITE_ID: &[u8] = b"ristretto255-SHA512";
/// `I2OSP(Ne, 2)`: the length prefix of every element in the proof's hashes.
const ELEMENT_LEN_PREFIX: [u8; 2] = [0, ELEMENT_LEN as u8];
/// `I2OSP(Nh, 2)`: the length prefix of the composite seed (a SHA-512 output).
const SEED_LEN_PREFIX: [u8; 2] = [0, 64];

/// `"OPRFV1-" || I2OSP(mode, 1) || "-"`: RFC 9497's `contextString` without the suite id.
fn context(mode: Mode) -> [u8; 9] {
    let [a, b, c, d, e, f, g] = *b"OPRFV1-";
    [a, b, c, d, e, f, g, mode.to_byte(), b'-']
}

/// `HashToScalar(input)` with the DST `"HashToScalar-" || contextString`.
fn hash_to_scalar(mode: Mode, input: &[&[u8]]) -> Result<Scalar, OprfError> {
    let context = context(mode);
    <Suite as Group>::hash_to_scalar::<Sha512>(input, &[b"HashToScalar-", &context, SUITE_ID])
        .map_err(|_| OprfError::Aborted)
}

/// The key a verifiable batch is evaluated and proven with (wiped on drop).
pub(super) struct ProvingKey {
    mode: Mode,
    /// RFC 9497's `k` of `GenerateProof`: `skS` (VOPRF), `t = skS + m` (POPRF).
    k: Scalar,
    /// What each blinded element is multiplied by: `skS` (VOPRF), `t⁻¹` (POPRF).
    evaluate: Scalar,
    /// `B = k·G`: `pkS` (VOPRF), the tweaked key `T` (POPRF), and its encoding.
    b: Point,
    b_bytes: [u8; ELEMENT_LEN],
}

impl Drop for ProvingKey {
    fn drop(&mut self) {
        self.k.zeroize();
        self.evaluate.zeroize();
    }
}

impl ProvingKey {
    /// The VOPRF key: `skS` and the public key `pkS` (with its encoding).
    pub(super) fn voprf(sk: Scalar, pk: Point, pk_bytes: [u8; ELEMENT_LEN]) -> ProvingKey {
        ProvingKey {
            mode: Mode::Voprf,
            k: sk,
            evaluate: sk,
            b: pk,
            b_bytes: pk_bytes,
        }
    }

    /// The POPRF key for `info` (RFC 9497 §3.3.3 `BlindEvaluate`): `m = HashToScalar("Info" ||
    /// I2OSP(len(info), 2) || info)`, `t = skS + m`, evaluated with `t⁻¹` and proven with `t`
    /// against `T = t·G`.
    ///
    /// # Errors
    ///
    /// [`OprfError::Aborted`] if `t` is zero (the RFC's `InverseError`) or `info` is longer
    /// than two length bytes allow.
    pub(super) fn poprf(sk: Scalar, info: &[u8]) -> Result<ProvingKey, OprfError> {
        let len = u16::try_from(info.len())
            .map_err(|_| OprfError::Aborted)?
            .to_be_bytes();
        let m = hash_to_scalar(Mode::Poprf, &[b"Info", &len, info])?;
        let mut key = ProvingKey {
            mode: Mode::Poprf,
            k: sk + m,
            evaluate: sk,
            b: <Suite as Group>::identity_elem(),
            b_bytes: [0; ELEMENT_LEN],
        };
        if bool::from(<Suite as Group>::is_zero_scalar(key.k)) {
            return Err(OprfError::Aborted);
        }
        key.evaluate = <Suite as Group>::invert_scalar(key.k);
        key.b = <Suite as Group>::base_elem() * key.k;
        key.b_bytes = <Suite as Group>::serialize_elem(key.b).into();
        Ok(key)
    }

    /// Evaluates the blinded elements `blinded` (canonical encodings, 32 bytes each, at most
    /// [`MAX_BATCH`]) into `elements_out` and writes the batch's proof into `proof_out`,
    /// drawing the proof's random scalar from `rng` as `voprf-ng` does.
    ///
    /// # Errors
    ///
    /// [`OprfError::NonCanonicalElement`] for an element that does not decode,
    /// [`OprfError::BatchTooLarge`] past [`MAX_BATCH`], [`OprfError::Aborted`] if `rng` fails.
    pub(super) fn evaluate_batch<R: CryptoRng + ?Sized>(
        &self,
        blinded: &[u8],
        rng: &mut R,
        elements_out: &mut [u8],
        proof_out: &mut [u8],
    ) -> Result<(), OprfError> {
        let count = blinded.len() / ELEMENT_LEN;
        if count > MAX_BATCH {
            return Err(OprfError::BatchTooLarge {
                len: count,
                max: MAX_BATCH,
            });
        }
        // Each element times half the evaluation scalar, so that curve25519-dalek's batch
        // encoding of the doubled points (one field inversion for the batch, where encoding
        // one by one takes an inverse square root each) gives the evaluated elements.
        let mut half = self.evaluate * Scalar::from(2u8).invert();
        let mut halves = [<Suite as Group>::identity_elem(); MAX_BATCH];
        let mut points = [<Suite as Group>::identity_elem(); MAX_BATCH];
        for (index, ((p, h), bytes)) in points
            .iter_mut()
            .zip(halves.iter_mut())
            .zip(blinded.chunks_exact(ELEMENT_LEN))
            .enumerate()
        {
            *p = <Suite as Group>::deserialize_elem(bytes)
                .map_err(|_| OprfError::NonCanonicalElement { index })?;
            *h = *p * half;
        }
        half.zeroize();
        let halves = halves.get(..count).unwrap_or_default();
        for (out, encoded) in elements_out
            .chunks_exact_mut(ELEMENT_LEN)
            .zip(RistrettoPoint::double_and_compress_batch(halves))
        {
            out.copy_from_slice(encoded.as_bytes());
        }
        // The composite's points `Cs`: the blinded elements in VOPRF mode, the evaluated
        // ones in POPRF mode (where the proof shows `blinded = t·evaluated`).
        if self.mode == Mode::Poprf {
            for (p, h) in points.iter_mut().zip(halves) {
                *p = *h + h;
            }
        }
        let cs = points.get(..count).unwrap_or_default();
        let evaluated = elements_out.get(..count * ELEMENT_LEN).unwrap_or_default();
        let (c_bytes, d_bytes) = match self.mode {
            Mode::Poprf => (evaluated, blinded),
            _ => (blinded, evaluated),
        };

        // ComputeCompositesFast: seed = Hash(I2OSP(len(Bm), 2) || Bm || I2OSP(len(seedDST),
        // 2) || seedDST), dᵢ = HashToScalar(I2OSP(len(seed), 2) || seed || I2OSP(i, 2) ||
        // I2OSP(len(Ci), 2) || Ci || I2OSP(len(Di), 2) || Di || "Composite"), M = Σ dᵢ·Cᵢ,
        // Z = k·M.
        let context = context(self.mode);
        let seed_dst_len = (b"Seed-".len() + context.len() + SUITE_ID.len()) as u16;
        let seed = Sha512::new()
            .chain_update(ELEMENT_LEN_PREFIX)
            .chain_update(self.b_bytes)
            .chain_update(seed_dst_len.to_be_bytes())
            .chain_update(b"Seed-")
            .chain_update(context)
            .chain_update(SUITE_ID)
            .finalize();
        let mut ds = [Scalar::ZERO; MAX_BATCH];
        for (i, ((d, ci), di)) in ds
            .iter_mut()
            .zip(c_bytes.chunks_exact(ELEMENT_LEN))
            .zip(d_bytes.chunks_exact(ELEMENT_LEN))
            .enumerate()
        {
            // `count <= MAX_BATCH`, so the index fits in two bytes.
            let index = (i as u16).to_be_bytes();
            *d = hash_to_scalar(
                self.mode,
                &[
                    &SEED_LEN_PREFIX,
                    &seed,
                    &index,
                    &ELEMENT_LEN_PREFIX,
                    ci,
                    &ELEMENT_LEN_PREFIX,
                    di,
                    b"Composite",
                ],
            )?;
        }
        let ds = ds.get(..count).unwrap_or_default();
        let m: Point = RistrettoPoint::vartime_multiscalar_mul(ds, cs);
        let z = m * self.k;

        // GenerateProof: r random, t2 = r·A (A = G), t3 = r·M, c = HashToScalar(Bm || M ||
        // Z || t2 || t3 || "Challenge", each element with its length), s = r − c·k.
        let mut rng = as_try_rng(rng);
        let mut r = <Suite as Group>::random_scalar(&mut rng).map_err(|_| OprfError::Aborted)?;
        let t2 = <Suite as Group>::base_elem() * r;
        let t3 = m * r;
        let [m, z, t2, t3] = [m, z, t2, t3].map(<Suite as Group>::serialize_elem);
        let c = hash_to_scalar(
            self.mode,
            &[
                &ELEMENT_LEN_PREFIX,
                &self.b_bytes,
                &ELEMENT_LEN_PREFIX,
                &m,
                &ELEMENT_LEN_PREFIX,
                &z,
                &ELEMENT_LEN_PREFIX,
                &t2,
                &ELEMENT_LEN_PREFIX,
                &t3,
                b"Challenge",
            ],
        );
        let c = match c {
            Ok(c) => c,
            Err(e) => {
                r.zeroize();
                return Err(e);
            }
        };
        let mut ck = c * self.k;
        let mut s = r - ck;
        r.zeroize();
        ck.zeroize();
        let (c_out, s_out) = proof_out.split_at_mut((PROOF_LEN / 2).min(proof_out.len()));
        c_out.copy_from_slice(&<Suite as Group>::serialize_scalar(c));
        s_out.copy_from_slice(&<Suite as Group>::serialize_scalar(s));
        s.zeroize();
        Ok(())
    }
}
