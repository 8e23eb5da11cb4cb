//! Properties of the oblivious pseudonyms: the blinded protocol gives the direct evaluation,
//! blinds are fresh, any flipped bit in a response's elements, proof or key id (or a
//! request's key id) is refused, and a response made under another key fails verification.
#![cfg(feature = "oprf")]

use phonetoken::oprf::{
    max_request_len, Blinded, Client, Mode, ObliviousPseudonym, OprfError, Request, Server,
};
use phonetoken::{CountryCode, PhoneNumber};
use proptest::prelude::*;

/// A number from a country code and national digits (not necessarily valid: any E.164 text
/// the type can hold is an input).
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

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Oprf), Just(Mode::Voprf), Just(Mode::Poprf)]
}

fn server(mode: Mode, seed: u8) -> Server {
    Server::derive(mode, 7, &[seed; 32], b"properties").unwrap()
}

/// Blinds `numbers` for `server` and returns the batch and the server's response bytes.
fn round<'a>(
    server: &Server,
    client: &Client<'a>,
    numbers: &'a [PhoneNumber],
    request: &'a mut [u8],
) -> (Blinded<'a, 8>, Vec<u8>) {
    let (blinded, request) = client
        .blind::<_, _, 8>(numbers, &mut rand::rng(), request)
        .unwrap();
    let request = Request::decode(request).unwrap();
    let mut response = [0u8; 1024];
    let response = server
        .evaluate(&request, &mut rand::rng(), &mut response)
        .unwrap()
        .to_vec();
    (blinded, response)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn blinded_protocol_equals_direct_evaluation(
        mode in mode(),
        numbers in proptest::collection::vec(number(), 1..=8),
        info in proptest::collection::vec(any::<u8>(), 0..=16),
    ) {
        let server = server(mode, 1);
        let client = Client::new(&server.public_key()).with_info(&info).unwrap();
        let mut request = [0u8; 1024];
        let (blinded, response) = round(&server, &client, &numbers, &mut request);
        let mut out = [ObliviousPseudonym::default(); 8];
        blinded.finalize(&response, &mut out).unwrap();
        let info = if mode == Mode::Poprf { &info[..] } else { &[] };
        for (number, got) in numbers.iter().zip(&out) {
            prop_assert_eq!(*got, server.evaluate_input(number, info).unwrap());
        }
    }

    #[test]
    fn blinded_elements_differ_between_runs(mode in mode(), number in number()) {
        let server = server(mode, 2);
        let client = Client::new(&server.public_key());
        let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
        let (_, a) = client.blind_one(&number, &mut rand::rng(), &mut a).unwrap();
        let (_, b) = client.blind_one(&number, &mut rand::rng(), &mut b).unwrap();
        prop_assert_eq!(a.len(), b.len());
        prop_assert_eq!(&a[..7], &b[..7]);
        prop_assert_ne!(&a[7..], &b[7..]);
        // And neither contains the number's text.
        let text = number.as_bytes();
        prop_assert!(!a.windows(text.len()).any(|w| w == text));
    }

    #[test]
    fn a_flipped_bit_in_a_verifiable_response_is_refused(
        verifiable in prop_oneof![Just(Mode::Voprf), Just(Mode::Poprf)],
        numbers in proptest::collection::vec(number(), 1..=3),
        bit in any::<prop::sample::Index>(),
    ) {
        let server = server(verifiable, 3);
        let client = Client::new(&server.public_key());
        let mut request = [0u8; 1024];
        let (blinded, mut response) = round(&server, &client, &numbers, &mut request);
        // Every bit after the version and mode bytes: key id, count, elements, proof.
        let bit = 16 + bit.index((response.len() - 2) * 8);
        response[bit / 8] ^= 1 << (bit % 8);
        let mut out = [ObliviousPseudonym::default(); 8];
        let err = blinded.finalize(&response, &mut out).unwrap_err();
        let expected = match bit / 8 {
            2..=5 => matches!(err, OprfError::WrongKeyId { expected: 7, .. }),
            6 => matches!(err, OprfError::Length { .. } | OprfError::EmptyBatch | OprfError::BatchTooLarge { .. }),
            _ => matches!(
                err,
                OprfError::Verification
                    | OprfError::NonCanonicalElement { .. }
                    | OprfError::NonCanonicalProof
            ),
        };
        prop_assert!(expected, "byte {}: {:?}", bit / 8, err);
        prop_assert!(out.iter().all(|p| *p == ObliviousPseudonym::default()), "nothing written");
    }

    #[test]
    fn a_flipped_bit_in_a_request_key_id_is_refused(mode in mode(), number in number(), bit in 0usize..32) {
        let server = server(mode, 4);
        let client = Client::new(&server.public_key());
        let mut buf = [0u8; 64];
        let (_, request) = client.blind_one(&number, &mut rand::rng(), &mut buf).unwrap();
        let mut request = request.to_vec();
        request[2 + bit / 8] ^= 1 << (bit % 8);
        let request = Request::decode(&request).unwrap();
        let err = server.evaluate(&request, &mut rand::rng(), &mut [0u8; 128]).unwrap_err();
        prop_assert!(matches!(err, OprfError::WrongKeyId { expected: 7, .. }), "{:?}", err);
    }

    #[test]
    fn a_response_under_another_key_fails_verification(
        verifiable in prop_oneof![Just(Mode::Voprf), Just(Mode::Poprf)],
        numbers in proptest::collection::vec(number(), 1..=4),
    ) {
        // Same mode and key id, another secret: only the proof can tell.
        let pinned = server(verifiable, 5);
        let other = server(verifiable, 6);
        let client = Client::new(&pinned.public_key());
        let mut request = [0u8; 1024];
        let (blinded, response) = round(&other, &client, &numbers, &mut request);
        let mut out = [ObliviousPseudonym::default(); 8];
        prop_assert_eq!(blinded.finalize(&response, &mut out), Err(OprfError::Verification));
    }
}

#[test]
fn poprf_info_must_match() {
    let server = server(Mode::Poprf, 8);
    let number: PhoneNumber = "+14155552671".parse().unwrap();
    let client = Client::new(&server.public_key())
        .with_info(b"epoch-1")
        .unwrap();
    let mut buf = [0u8; max_request_len(Mode::Poprf, 1, 7)];
    let (blinded, request) = client
        .blind_one(&number, &mut rand::rng(), &mut buf)
        .unwrap();
    // The server evaluates under another info (as if the request were rewritten on the way).
    let mut request = request.to_vec();
    request[8..15].copy_from_slice(b"epoch-2");
    let request = Request::decode(&request).unwrap();
    let mut response = [0u8; 128];
    let response = server
        .evaluate(&request, &mut rand::rng(), &mut response)
        .unwrap();
    assert_eq!(blinded.finalize_one(response), Err(OprfError::Verification));
}

#[test]
fn oversized_and_empty_batches_are_refused() {
    let server = server(Mode::Voprf, 9);
    let client = Client::new(&server.public_key());
    let numbers: Vec<PhoneNumber> = (0..65)
        .map(|i| format!("+1415555{i:04}").parse().unwrap())
        .collect();
    let mut buf = vec![0u8; 4096];
    assert_eq!(
        client
            .blind::<_, _, 80>(&numbers, &mut rand::rng(), &mut buf)
            .err(),
        Some(OprfError::BatchTooLarge { len: 65, max: 64 })
    );
    assert_eq!(
        client
            .blind::<_, _, 4>(&numbers[..5], &mut rand::rng(), &mut buf)
            .err(),
        Some(OprfError::BatchTooLarge { len: 5, max: 4 })
    );
    assert_eq!(
        client
            .blind::<_, _, 4>(&numbers[..0], &mut rand::rng(), &mut buf)
            .err(),
        Some(OprfError::EmptyBatch)
    );
    // A request header announcing 65 elements is refused before its length is looked at.
    assert_eq!(
        Request::decode(&[1, 1, 0, 0, 0, 7, 65]).err(),
        Some(OprfError::BatchTooLarge { len: 65, max: 64 })
    );
}

#[test]
fn identity_and_non_canonical_elements_are_told_apart() {
    let server = server(Mode::Voprf, 10);
    let mut request = vec![1, 1, 0, 0, 0, 7, 2];
    request.extend_from_slice(server.public_key().element());
    request.extend_from_slice(&[0; 32]);
    assert_eq!(
        Request::decode(&request).err(),
        Some(OprfError::IdentityElement { index: 1 })
    );
    // 2^255 - 18 (p - 1, top bit clear) is not canonical: RFC 9496 requires s < p and s even.
    let mut bad = [0xffu8; 32];
    bad[0] = 0xed - 1;
    bad[31] = 0x7f;
    request[39..].copy_from_slice(&bad);
    assert_eq!(
        Request::decode(&request).err(),
        Some(OprfError::NonCanonicalElement { index: 1 })
    );
    // A valid element with the top bit set (which libsodium 1.0.18 would accept) is refused.
    request[39..].copy_from_slice(server.public_key().element());
    request[70] |= 0x80;
    assert_eq!(
        Request::decode(&request).err(),
        Some(OprfError::NonCanonicalElement { index: 1 })
    );
}

#[test]
fn errors_name_no_secret() {
    let server = server(Mode::Voprf, 11);
    let text = format!("{server:?}");
    assert_eq!(text, "Server { mode: Voprf, key_id: 7, .. }");
    let number: PhoneNumber = "+14155552671".parse().unwrap();
    let client = Client::new(&server.public_key());
    let mut buf = [0u8; 64];
    let (blinded, _) = client
        .blind_one(&number, &mut rand::rng(), &mut buf)
        .unwrap();
    let text = format!("{blinded:?}");
    assert!(!text.contains("4155552671"), "{text}");
}
