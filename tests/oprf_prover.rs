//! The server's batch proof (src/oprf/prover.rs, with feature `alloc`) against `voprf-ng`'s
//! own: for random keys, batches (1 to `MAX_BATCH` inputs), POPRF infos and one fixed
//! proof-randomness generator, `Server::evaluate` writes exactly the evaluated elements and
//! proof bytes that `voprf-ng`'s `batch_blind_evaluate_finish` gives, and `voprf-ng`'s client
//! verifies them and unblinds to the direct evaluation. Without `alloc` the server is
//! `voprf-ng`'s, and the same properties hold trivially.
#![cfg(feature = "oprf")]

use core::convert::Infallible;

use phonetoken::oprf::{Mode, Request, Server, MAX_BATCH};
use proptest::prelude::*;
use rand_core::{TryCryptoRng, TryRng};
use voprf_ng::{
    BlindedElement, EvaluationElement, Group, PoprfClient, PoprfServer, Proof, Ristretto255,
    VoprfClient, VoprfServer,
};

/// SplitMix64: a fixed stream for the proofs' random scalar and the blinds. Test only.
struct Fixed(u64);

impl TryRng for Fixed {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for Fixed {}

/// The request bytes (docs/FORMAT.md) for already blinded elements.
fn request(mode: Mode, info: &[u8], blinded: &[BlindedElement<Ristretto255>]) -> Vec<u8> {
    let mut out = vec![1, mode.to_byte(), 0, 0, 0, 7, blinded.len() as u8];
    if mode == Mode::Poprf {
        out.push(info.len() as u8);
        out.extend_from_slice(info);
    }
    for b in blinded {
        out.extend_from_slice(&b.serialize());
    }
    out
}

/// Our response's elements and proof, decoded for voprf-ng.
fn split(
    response: &[u8],
    count: usize,
) -> (Vec<EvaluationElement<Ristretto255>>, Proof<Ristretto255>) {
    let elements = &response[7..7 + 32 * count];
    let proof = &response[7 + 32 * count..];
    assert_eq!(proof.len(), 64);
    (
        elements
            .chunks_exact(32)
            .map(|e| EvaluationElement::deserialize(e).unwrap())
            .collect(),
        Proof::deserialize(proof).unwrap(),
    )
}

/// Inputs of 1 to 40 bytes, 1 to `MAX_BATCH` of them.
fn inputs() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(
        proptest::collection::vec(any::<u8>(), 1..=40),
        1..=MAX_BATCH,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn voprf_proof_is_voprf_ngs(seed in any::<[u8; 32]>(), inputs in inputs(), stream in any::<u64>()) {
        let ours = Server::derive(Mode::Voprf, 7, &seed, b"prover").unwrap();
        let theirs = VoprfServer::<Ristretto255>::new_from_seed(&seed, b"prover").unwrap();
        let pk = <Ristretto255 as Group>::deserialize_elem(ours.public_key().element()).unwrap();
        prop_assert_eq!(theirs.get_public_key(), pk);

        let mut blinds = Fixed(!stream);
        let (clients, blinded): (Vec<_>, Vec<_>) = inputs
            .iter()
            .map(|i| {
                let r = VoprfClient::<Ristretto255>::blind(i, &mut blinds).unwrap();
                (r.state, r.message)
            })
            .unzip();

        // Ours, through the API.
        let request = request(Mode::Voprf, b"", &blinded);
        let mut response = vec![0u8; 7 + 32 * inputs.len() + 64];
        let response = ours
            .evaluate(&Request::decode(&request).unwrap(), &mut Fixed(stream), &mut response)
            .unwrap();

        // voprf-ng's, with the same proof randomness.
        let prepared: Vec<_> = theirs.batch_blind_evaluate_prepare(blinded.iter()).collect();
        let expected = theirs
            .batch_blind_evaluate_finish(&mut Fixed(stream), blinded.iter(), &prepared)
            .unwrap();
        let mut expected_bytes = vec![1, 1, 0, 0, 0, 7, inputs.len() as u8];
        for m in expected.messages {
            expected_bytes.extend_from_slice(&m.serialize());
        }
        expected_bytes.extend_from_slice(&expected.proof.serialize());
        prop_assert_eq!(response, &expected_bytes[..]);

        // voprf-ng's client verifies our proof and unblinds to the direct evaluation.
        let (messages, proof) = split(response, inputs.len());
        let outputs = VoprfClient::batch_finalize(&inputs, &clients, &messages, &proof, pk).unwrap();
        for (input, output) in inputs.iter().zip(outputs) {
            let direct = ours.evaluate_input(&&input[..], b"").unwrap();
            prop_assert_eq!(&output.unwrap()[..], direct.as_bytes());
        }
        // …and refuses it under another key.
        let other = VoprfServer::<Ristretto255>::new_from_seed(&[!seed[0]; 32], b"prover").unwrap();
        prop_assert!(
            VoprfClient::batch_finalize(&inputs, &clients, &messages, &proof, other.get_public_key()).is_err()
        );
    }

    #[test]
    fn poprf_proof_is_voprf_ngs(
        seed in any::<[u8; 32]>(),
        inputs in inputs(),
        info in proptest::collection::vec(any::<u8>(), 0..=255),
        stream in any::<u64>(),
    ) {
        let ours = Server::derive(Mode::Poprf, 7, &seed, b"prover").unwrap();
        let theirs = PoprfServer::<Ristretto255>::new_from_seed(&seed, b"prover").unwrap();
        let pk = <Ristretto255 as Group>::deserialize_elem(ours.public_key().element()).unwrap();
        prop_assert_eq!(theirs.get_public_key(), pk);

        let mut blinds = Fixed(!stream);
        let (clients, blinded): (Vec<_>, Vec<_>) = inputs
            .iter()
            .map(|i| {
                let r = PoprfClient::<Ristretto255>::blind(i, &mut blinds).unwrap();
                (r.state, r.message)
            })
            .unzip();

        let request = request(Mode::Poprf, &info, &blinded);
        let mut response = vec![0u8; 7 + 32 * inputs.len() + 64];
        let response = ours
            .evaluate(&Request::decode(&request).unwrap(), &mut Fixed(stream), &mut response)
            .unwrap();

        let prepared = theirs.batch_blind_evaluate_prepare(blinded.iter(), Some(&info)).unwrap();
        let tweak = prepared.prepared_tweak;
        let prepared: Vec<_> = prepared.prepared_evaluation_elements.collect();
        let expected = PoprfServer::batch_blind_evaluate_finish(
            &mut Fixed(stream),
            blinded.iter(),
            &prepared,
            &tweak,
        )
        .unwrap();
        let mut expected_bytes = vec![1, 2, 0, 0, 0, 7, inputs.len() as u8];
        for m in expected.messages {
            expected_bytes.extend_from_slice(&m.serialize());
        }
        expected_bytes.extend_from_slice(&expected.proof.serialize());
        prop_assert_eq!(&response[..7], &expected_bytes[..7]);
        prop_assert_eq!(&response[7..], &expected_bytes[7..]);

        let (messages, proof) = split(response, inputs.len());
        let outputs = PoprfClient::batch_finalize(
            inputs.iter().map(|i| &i[..]),
            &clients,
            &messages,
            &proof,
            pk,
            Some(&info),
        )
        .unwrap();
        for (input, output) in inputs.iter().zip(outputs) {
            let direct = ours.evaluate_input(&&input[..], &info).unwrap();
            prop_assert_eq!(&output.unwrap()[..], direct.as_bytes());
        }
        // The proof is bound to the info: another info's tweaked key refuses it.
        let mut other_info = info.clone();
        other_info.push(0);
        prop_assert!(PoprfClient::batch_finalize(
            inputs.iter().map(|i| &i[..]),
            &clients,
            &messages,
            &proof,
            pk,
            Some(&other_info),
        )
        .is_err());
    }
}
