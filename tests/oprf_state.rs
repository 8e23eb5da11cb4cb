//! The exported blind state (`Blinded::export_into` / `Blinded::import`): a batch finalized
//! from its exported state equals the direct evaluation in every mode, and a state that was
//! altered, cut, extended or made for another key is refused with a precise error.
#![cfg(feature = "oprf")]

use phonetoken::oprf::{
    state_len, Blinded, Client, Mode, ObliviousPseudonym, OprfError, Request, Server,
};
use phonetoken::PhoneNumber;

fn numbers() -> [PhoneNumber; 3] {
    [
        "+14155552671".parse().unwrap(),
        "+442079460958".parse().unwrap(),
        "+61491570156".parse().unwrap(),
    ]
}

/// A batch of three blinded, its exported state and the server's response.
fn exported(server: &Server, info: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let numbers = numbers();
    let mut rng = rand::rng();
    let client = Client::new(&server.public_key()).with_info(info).unwrap();
    let mut request = [0u8; 512];
    let (blinded, request) = client
        .blind::<_, _, 3>(&numbers, &mut rng, &mut request)
        .unwrap();
    let mut state = [0u8; 512];
    let state = blinded.export_into(&mut state).unwrap().to_vec();
    let mut response = [0u8; 512];
    let response = server
        .evaluate(&Request::decode(request).unwrap(), &mut rng, &mut response)
        .unwrap()
        .to_vec();
    (state, response)
}

#[test]
fn an_imported_state_finalizes_to_the_direct_evaluation() {
    for mode in [Mode::Oprf, Mode::Voprf, Mode::Poprf] {
        let server = Server::derive(mode, 9, &[0x5a; 32], b"state").unwrap();
        let info: &[u8] = if mode == Mode::Poprf { b"2026-12" } else { b"" };
        let (state, response) = exported(&server, info);
        let input_bytes: usize = numbers().iter().map(|n| n.as_bytes().len()).sum();
        assert_eq!(
            state.len(),
            state_len(mode, 3, info.len(), input_bytes),
            "{mode}"
        );
        let blinded = Blinded::<3>::import(&server.public_key(), &state).unwrap();
        assert_eq!(blinded.len(), 3);
        let mut out = [ObliviousPseudonym::default(); 3];
        blinded.finalize(&response, &mut out).unwrap();
        for (n, p) in numbers().iter().zip(out) {
            assert_eq!(p, server.evaluate_input(n, info).unwrap(), "{mode}");
        }
        // Too small a batch for the state.
        assert_eq!(
            Blinded::<2>::import(&server.public_key(), &state).err(),
            Some(OprfError::BatchTooLarge { len: 3, max: 2 })
        );
    }
}

#[test]
fn a_state_for_another_key_or_mode_is_refused() {
    let server = Server::derive(Mode::Voprf, 9, &[0x5a; 32], b"state").unwrap();
    let (state, _) = exported(&server, b"");
    let other_id = Server::derive(Mode::Voprf, 10, &[0x5a; 32], b"state").unwrap();
    assert_eq!(
        Blinded::<3>::import(&other_id.public_key(), &state).err(),
        Some(OprfError::WrongKeyId {
            expected: 10,
            found: 9
        })
    );
    let other_mode = Server::derive(Mode::Poprf, 9, &[0x5a; 32], b"state").unwrap();
    assert_eq!(
        Blinded::<3>::import(&other_mode.public_key(), &state).err(),
        Some(OprfError::WrongMode {
            expected: Mode::Poprf,
            found: Mode::Voprf
        })
    );
    // Same id and mode, another key: imported, but the response does not verify against it.
    let other_key = Server::derive(Mode::Voprf, 9, &[0x5b; 32], b"state").unwrap();
    let (state, response) = exported(&server, b"");
    let blinded = Blinded::<3>::import(&other_key.public_key(), &state).unwrap();
    let mut out = [ObliviousPseudonym::default(); 3];
    assert_eq!(
        blinded.finalize(&response, &mut out),
        Err(OprfError::Verification)
    );
}

#[test]
fn altered_cut_or_extended_states_are_refused() {
    let server = Server::derive(Mode::Voprf, 9, &[0x5a; 32], b"state").unwrap();
    let pk = server.public_key();
    let (state, response) = exported(&server, b"");
    let mut s = state.clone();
    s[0] = 2;
    assert_eq!(
        Blinded::<3>::import(&pk, &s).err(),
        Some(OprfError::UnsupportedVersion { version: 2 })
    );
    let mut s = state.clone();
    s[1] = 7;
    assert_eq!(
        Blinded::<3>::import(&pk, &s).err(),
        Some(OprfError::UnknownMode { mode: 7 })
    );
    let mut s = state.clone();
    s[6] = 0;
    assert_eq!(
        Blinded::<3>::import(&pk, &s).err(),
        Some(OprfError::EmptyBatch)
    );
    let mut s = state.clone();
    s[7] = 1; // an info outside POPRF
    assert_eq!(
        Blinded::<3>::import(&pk, &s).err(),
        Some(OprfError::BadState)
    );
    // A blind that is not a canonical scalar (all 0xff).
    let mut s = state.clone();
    s[8..40].fill(0xff);
    assert_eq!(
        Blinded::<3>::import(&pk, &s).err(),
        Some(OprfError::BadState)
    );
    for len in [0, 7, 8, 40, state.len() - 1] {
        assert!(
            matches!(
                Blinded::<3>::import(&pk, &state[..len]),
                Err(OprfError::Length { .. })
            ),
            "cut at {len}"
        );
    }
    let mut longer = state.clone();
    longer.push(0);
    assert_eq!(
        Blinded::<3>::import(&pk, &longer).err(),
        Some(OprfError::Length {
            expected: state.len(),
            found: state.len() + 1
        })
    );
    // Any flipped bit after the header is refused on import or by the proof, never a wrong
    // pseudonym.
    for i in 8..state.len() {
        let mut s = state.clone();
        s[i] ^= 0x01;
        let mut out = [ObliviousPseudonym::default(); 3];
        let result = Blinded::<3>::import(&pk, &s).and_then(|b| b.finalize(&response, &mut out));
        assert!(result.is_err(), "byte {i} flipped was accepted");
    }
}

#[test]
fn export_needs_room_and_the_state_is_not_in_debug() {
    let server = Server::derive(Mode::Poprf, 9, &[0x5a; 32], b"state").unwrap();
    let n: PhoneNumber = "+14155552671".parse().unwrap();
    let client = Client::new(&server.public_key())
        .with_info(b"epoch")
        .unwrap();
    let mut request = [0u8; 64];
    let (blinded, _) = client
        .blind_one(&n, &mut rand::rng(), &mut request)
        .unwrap();
    let needed = state_len(Mode::Poprf, 1, 5, 12);
    let mut small = vec![0u8; needed - 1];
    assert_eq!(
        blinded.export_into(&mut small),
        Err(OprfError::BufferTooSmall { needed })
    );
    assert!(small.iter().all(|&b| b == 0), "nothing written");
    let mut buf = vec![0u8; needed];
    let state = blinded.export_into(&mut buf).unwrap().to_vec();
    let imported = Blinded::<1>::import(&server.public_key(), &state).unwrap();
    let shown = format!("{imported:?}");
    assert!(
        !shown.contains("4155552671") && !shown.contains("epoch"),
        "{shown}"
    );
}
