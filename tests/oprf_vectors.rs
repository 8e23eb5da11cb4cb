//! RFC 9497 Appendix A.1 (ristretto255-SHA512) through the crate's own API: key derivation,
//! the request the client writes, the response (elements and proof) the server writes, the
//! client's outputs and the server's direct evaluation, in all three modes, batch sizes 1
//! and 2. The RFC's fixed blinds and proof scalars come in through a generator that replays
//! them, so no fixed-blind path exists in the library.
#![cfg(feature = "oprf")]

mod support_oprf;

use phonetoken::oprf::{Client, Mode, ObliviousPseudonym, Request, Server};
use support_oprf::{hex, Replay};

/// One test vector: the suite's key parameters and the vector's values.
struct Vector {
    mode: Mode,
    seed: Vec<u8>,
    key_info: Vec<u8>,
    pk: Option<Vec<u8>>,
    fields: Vec<(String, Vec<Vec<u8>>)>,
}

impl Vector {
    fn get(&self, name: &str) -> &[Vec<u8>] {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &v[..])
            .unwrap_or_else(|| panic!("vector has no {name}"))
    }

    fn one(&self, name: &str) -> &[u8] {
        let v = self.get(name);
        assert_eq!(v.len(), 1, "{name}");
        &v[0]
    }
}

/// Reads the RFC text: `Name = hex` lines whose hex wraps onto the following indented lines.
fn vectors() -> Vec<Vector> {
    let text = include_str!("data/rfc9497_ristretto255.txt");
    let mut out = Vec::new();
    let mut mode = None;
    let mut suite: Vec<(String, String)> = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut in_vector = false;
    let flush = |in_vector: bool,
                 fields: &mut Vec<(String, String)>,
                 suite: &[(String, String)],
                 mode: Option<Mode>,
                 out: &mut Vec<Vector>| {
        if !in_vector || fields.is_empty() {
            return;
        }
        let find = |k: &str| suite.iter().find(|(n, _)| n == k).map(|(_, v)| hex(v));
        out.push(Vector {
            mode: mode.expect("mode section"),
            seed: find("Seed").expect("Seed"),
            key_info: find("KeyInfo").expect("KeyInfo"),
            pk: find("pkSm"),
            fields: fields
                .drain(..)
                .map(|(k, v)| (k, v.split(',').map(hex).collect()))
                .collect(),
        });
    };
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let trimmed = line.trim();
        if let Some(m) = [
            ("A.1.1.  OPRF Mode", Mode::Oprf),
            ("A.1.2.  VOPRF Mode", Mode::Voprf),
            ("A.1.3.  POPRF Mode", Mode::Poprf),
        ]
        .iter()
        .find(|(h, _)| trimmed == *h)
        {
            flush(in_vector, &mut fields, &suite, mode, &mut out);
            mode = Some(m.1);
            suite.clear();
            in_vector = false;
        } else if trimmed.contains("Test Vector") {
            flush(in_vector, &mut fields, &suite, mode, &mut out);
            in_vector = true;
        } else if let Some((k, v)) = trimmed.split_once(" = ") {
            let target = if in_vector { &mut fields } else { &mut suite };
            target.push((k.to_string(), v.to_string()));
        } else if !trimmed.is_empty() && !trimmed.starts_with("A.") {
            let target = if in_vector { &mut fields } else { &mut suite };
            target.last_mut().expect("continuation").1.push_str(trimmed);
        }
    }
    flush(in_vector, &mut fields, &suite, mode, &mut out);
    out
}

#[test]
fn rfc9497_a1_ristretto255_sha512_through_the_api() {
    let vectors = vectors();
    let counts: Vec<(Mode, usize)> = vectors
        .iter()
        .map(|v| (v.mode, v.get("Input").len()))
        .collect();
    assert_eq!(
        counts,
        [
            (Mode::Oprf, 1),
            (Mode::Oprf, 1),
            (Mode::Voprf, 1),
            (Mode::Voprf, 1),
            (Mode::Voprf, 2),
            (Mode::Poprf, 1),
            (Mode::Poprf, 1),
            (Mode::Poprf, 2),
        ],
        "all eight A.1 vectors are read"
    );
    for (n, v) in vectors.iter().enumerate() {
        let server = Server::derive(v.mode, 7, &v.seed, &v.key_info).unwrap();
        let pk = server.public_key();
        if let Some(expected) = &v.pk {
            assert_eq!(&pk.element()[..], &expected[..], "vector {n}: pkSm");
        }
        let info = match v.mode {
            Mode::Poprf => v.one("Info").to_vec(),
            _ => Vec::new(),
        };
        let client = Client::new(&pk).with_info(&info).unwrap();
        let inputs: Vec<&[u8]> = v.get("Input").iter().map(|i| &i[..]).collect();

        // Blind with the RFC's blinds: the request carries the RFC's blinded elements.
        let mut blinds = Replay::new(v.get("Blind"));
        let mut request = [0u8; 512];
        let (blinded, request) = client
            .blind::<_, _, 2>(&inputs, &mut blinds, &mut request)
            .unwrap();
        let header_len = if v.mode == Mode::Poprf {
            8 + info.len()
        } else {
            7
        };
        assert_eq!(
            request[..7],
            [1, v.mode.to_byte(), 0, 0, 0, 7, inputs.len() as u8]
        );
        assert_eq!(
            request[header_len..],
            v.get("BlindedElement").concat()[..],
            "vector {n}: blinded elements"
        );

        // Evaluate with the RFC's proof scalar: the response carries its elements and proof.
        let request = Request::decode(request).unwrap();
        assert_eq!(request.info(), &info[..]);
        let mut proof_rng = match v.mode {
            Mode::Oprf => Replay::new(&[]),
            _ => Replay::new(v.get("ProofRandomScalar")),
        };
        let mut response = [0u8; 512];
        let response = server
            .evaluate(&request, &mut proof_rng, &mut response)
            .unwrap();
        let mut expected = vec![1, v.mode.to_byte(), 0, 0, 0, 7, inputs.len() as u8];
        expected.extend(v.get("EvaluationElement").concat());
        if v.mode != Mode::Oprf {
            expected.extend(v.one("Proof"));
        }
        assert_eq!(response, &expected[..], "vector {n}: response");

        // Finalize: the RFC's outputs, which the direct evaluation also gives.
        let mut out = [ObliviousPseudonym::default(); 2];
        blinded.finalize(response, &mut out).unwrap();
        for (k, output) in v.get("Output").iter().enumerate() {
            assert_eq!(out[k].as_bytes(), &output[..], "vector {n}: output {k}");
            let direct = server.evaluate_input(&inputs[k], &info).unwrap();
            assert_eq!(direct.as_bytes(), &output[..], "vector {n}: Evaluate {k}");
        }
    }
}

/// The public key of OPRF mode is not in the RFC; the key's other halves are: VOPRF and
/// POPRF derive different keys from the same seed (the mode is in DeriveKeyPair's DST).
#[test]
fn modes_derive_distinct_keys_from_one_seed() {
    let keys: Vec<_> = [Mode::Oprf, Mode::Voprf, Mode::Poprf]
        .into_iter()
        .map(|m| {
            *Server::derive(m, 1, &[0xa3; 32], b"test key")
                .unwrap()
                .public_key()
                .element()
        })
        .collect();
    assert_ne!(keys[0], keys[1]);
    assert_ne!(keys[1], keys[2]);
    assert_ne!(keys[0], keys[2]);
}
