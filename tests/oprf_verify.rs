//! The client's proof check (variable time, in phonetoken) gives `voprf-ng`'s verdict, case for
//! case: on valid responses, on responses with any bit of an element or the proof flipped, on
//! responses under another key and, in POPRF mode, evaluated with another `info`. `voprf-ng`
//! finalizes from the same exported state and response bytes; both verdicts and, when both
//! accept, the outputs must agree.
#![cfg(feature = "oprf")]

use phonetoken::oprf::{state_len, Client, Mode, ObliviousPseudonym, PublicKey, Request, Server};
use phonetoken::{CountryCode, PhoneNumber};
use proptest::prelude::*;
use voprf_ng::{EvaluationElement, Group, PoprfClient, Proof, Ristretto255, VoprfClient};

fn number() -> impl Strategy<Value = PhoneNumber> {
    (1u16..=999, proptest::collection::vec(b'0'..=b'9', 2..=14)).prop_filter_map(
        "a possible country code",
        |(cc, nsn)| {
            let cc = CountryCode::new(cc)?;
            format!("+{}{}", cc.get(), std::str::from_utf8(&nsn).ok()?)
                .parse()
                .ok()
        },
    )
}

#[derive(Clone, Debug)]
enum Change {
    None,
    /// A bit of the elements or the proof (the index wraps around their bits).
    Flip(prop::sample::Index),
    /// Evaluated by a server with the same mode and key id but another secret.
    OtherKey,
    /// Evaluated with another POPRF `info` (no change in VOPRF mode).
    OtherInfo(Vec<u8>),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::None),
        any::<prop::sample::Index>().prop_map(Change::Flip),
        Just(Change::OtherKey),
        proptest::collection::vec(any::<u8>(), 0..=8).prop_map(Change::OtherInfo),
    ]
}

/// `voprf-ng`'s client finalize on the exported state and the response bytes: the outputs,
/// or `None` where it refuses (a bad encoding or a failed proof).
fn reference(
    mode: Mode,
    pk: &PublicKey,
    info: &[u8],
    state: &[u8],
    response: &[u8],
) -> Option<Vec<Vec<u8>>> {
    let count = usize::from(state[6]);
    let mut rest = &state[8 + usize::from(state[7])..];
    let mut clients_v = Vec::new();
    let mut clients_p = Vec::new();
    let mut inputs: Vec<&[u8]> = Vec::new();
    for _ in 0..count {
        let (client, tail) = rest.split_at(64);
        clients_v.push(VoprfClient::<Ristretto255>::deserialize(client).unwrap());
        clients_p.push(PoprfClient::<Ristretto255>::deserialize(client).unwrap());
        let len = usize::from(u16::from_be_bytes([tail[0], tail[1]]));
        inputs.push(&tail[2..2 + len]);
        rest = &tail[2 + len..];
    }
    let elements = &response[7..7 + 32 * count];
    let messages = elements
        .chunks(32)
        .map(EvaluationElement::<Ristretto255>::deserialize)
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let proof = Proof::<Ristretto255>::deserialize(&response[7 + 32 * count..]).ok()?;
    let key = Ristretto255::deserialize_elem(pk.element()).unwrap();
    let outputs: Vec<Vec<u8>> = match mode {
        Mode::Voprf => VoprfClient::batch_finalize(&inputs, &clients_v, &messages, &proof, key)
            .ok()?
            .map(|o| o.map(|o| o.to_vec()))
            .collect::<Result<_, _>>()
            .ok()?,
        _ => PoprfClient::batch_finalize(
            inputs.iter().copied(),
            &clients_p,
            &messages,
            &proof,
            key,
            Some(info),
        )
        .ok()?
        .map(|o| o.map(|o| o.to_vec()))
        .collect::<Result<_, _>>()
        .ok()?,
    };
    Some(outputs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn our_proof_check_agrees_with_voprf_ng(
        mode in prop_oneof![Just(Mode::Voprf), Just(Mode::Poprf)],
        numbers in proptest::collection::vec(number(), 1..=3),
        info in proptest::collection::vec(any::<u8>(), 0..=8),
        change in change(),
    ) {
        let pinned = Server::derive(mode, 9, &[1; 32], b"verify").unwrap();
        let other = Server::derive(mode, 9, &[2; 32], b"verify").unwrap();
        let pk = pinned.public_key();
        let client = Client::new(&pk).with_info(&info).unwrap();
        let info = if mode == Mode::Poprf { &info[..] } else { &[] };
        let mut request = [0u8; 512];
        let (blinded, request) = client.blind::<_, _, 3>(&numbers, &mut rand::rng(), &mut request).unwrap();
        let input_bytes: usize = numbers.iter().map(|n| n.as_bytes().len()).sum();
        let mut state = vec![0u8; state_len(mode, numbers.len(), info.len(), input_bytes)];
        let state = blinded.export_into(&mut state).unwrap().to_vec();

        let mut request = request.to_vec();
        if let (Change::OtherInfo(new), Mode::Poprf) = (&change, mode) {
            // Header, then the info's length and bytes, then the elements.
            let elements = request.split_off(8 + info.len());
            request.truncate(7);
            request.push(new.len() as u8);
            request.extend_from_slice(new);
            request.extend_from_slice(&elements);
        }
        let server = if matches!(change, Change::OtherKey) { &other } else { &pinned };
        let mut response = [0u8; 512];
        let mut response = server
            .evaluate(&Request::decode(&request).unwrap(), &mut rand::rng(), &mut response)
            .unwrap()
            .to_vec();
        if let Change::Flip(bit) = &change {
            let bit = 7 * 8 + bit.index((response.len() - 7) * 8);
            response[bit / 8] ^= 1 << (bit % 8);
        }

        let mut out = [ObliviousPseudonym::default(); 3];
        let ours = blinded.finalize(&response, &mut out).ok().map(|()| {
            out[..numbers.len()].iter().map(|p| p.as_bytes().to_vec()).collect::<Vec<_>>()
        });
        let theirs = reference(mode, &pk, info, &state, &response);
        prop_assert_eq!(&ours, &theirs, "{:?}", change);
        if matches!(change, Change::None) {
            prop_assert!(ours.is_some(), "a valid response is accepted");
        }
        if matches!(change, Change::OtherKey | Change::Flip(_)) {
            prop_assert!(ours.is_none(), "a changed response is refused");
        }
    }
}
