//! The oblivious-pseudonym worked example of `docs/FORMAT.md`, byte for byte.
//!
//! The document's values are RFC 9497 A.1.2.3 framed in the crate's formats: each element,
//! proof and output is checked against the RFC's text, the headers against the layout written
//! out here by hand, and then the library must produce exactly these bytes.
#![cfg(feature = "oprf")]

mod support_oprf;

use phonetoken::oprf::{Client, Mode, ObliviousPseudonym, PublicKey, Request, Server};
use support_oprf::{hex, Replay};

const DOC: &str = include_str!("../docs/FORMAT.md");
const RFC: &str = include_str!("data/rfc9497_ristretto255.txt");

/// The value of `name` in the document's `text` blocks.
fn doc(name: &str) -> Vec<u8> {
    let mut in_text = false;
    let mut found = None;
    for line in DOC.lines() {
        if line.starts_with("```") {
            in_text = line == "```text";
        } else if let (true, Some((n, v))) = (in_text, line.split_once(" = ")) {
            if n.trim() == name {
                assert!(found.is_none(), "{name} twice in docs/FORMAT.md");
                found = Some(v.trim().to_string());
            }
        }
    }
    let value = found.unwrap_or_else(|| panic!("docs/FORMAT.md has no {name}"));
    if name.ends_with("(hex)") {
        hex(&value)
    } else {
        value.into_bytes()
    }
}

/// The RFC's vectors with the line breaks inside hex values removed.
fn rfc_joined() -> String {
    RFC.lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::trim)
        .collect()
}

fn in_rfc(bytes: &[u8], what: &str) {
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        rfc_joined().contains(&text),
        "{what} {text} is not in RFC 9497 A.1"
    );
}

#[test]
fn document_values_come_from_the_rfc() {
    let public_key = doc("oprf public key (hex)");
    assert_eq!(
        public_key[..6],
        [1, 1, 0, 0, 0, 7],
        "version, VOPRF, key id 7"
    );
    in_rfc(&public_key[6..], "pkSm");
    let request = doc("oprf request (hex)");
    assert_eq!(
        request[..7],
        [1, 1, 0, 0, 0, 7, 2],
        "version, VOPRF, key id 7, two"
    );
    assert_eq!(request.len(), 7 + 64);
    for e in request[7..].chunks(32) {
        in_rfc(e, "BlindedElement");
    }
    let response = doc("oprf response (hex)");
    assert_eq!(response[..7], [1, 1, 0, 0, 0, 7, 2]);
    assert_eq!(response.len(), 7 + 64 + 64);
    for e in response[7..71].chunks(32) {
        in_rfc(e, "EvaluationElement");
    }
    in_rfc(&response[71..], "Proof");
    for name in [
        "oprf seed (hex)",
        "oprf keyInfo (hex)",
        "oprf blind 1 (hex)",
        "oprf blind 2 (hex)",
        "oprf proof random scalar (hex)",
        "oprf output 1 (hex)",
        "oprf output 2 (hex)",
        "oprf input 2 (hex)",
    ] {
        in_rfc(&doc(name), name);
    }
}

#[test]
fn library_writes_the_document_bytes() {
    let key_id: u32 = std::str::from_utf8(&doc("oprf key id"))
        .unwrap()
        .parse()
        .unwrap();
    let server = Server::derive(
        Mode::Voprf,
        key_id,
        &doc("oprf seed (hex)"),
        &doc("oprf keyInfo (hex)"),
    )
    .unwrap();
    let public_key = doc("oprf public key (hex)");
    assert_eq!(server.public_key().to_bytes()[..], public_key[..]);
    let pinned = PublicKey::from_bytes(&public_key).unwrap();

    let (input1, input2) = (doc("oprf input 1 (hex)"), doc("oprf input 2 (hex)"));
    let inputs: [&[u8]; 2] = [&input1, &input2];
    let mut blinds = Replay::new(&[doc("oprf blind 1 (hex)"), doc("oprf blind 2 (hex)")]);
    let mut request = [0u8; 128];
    let (blinded, request) = Client::new(&pinned)
        .blind::<_, _, 2>(&inputs, &mut blinds, &mut request)
        .unwrap();
    assert_eq!(request, &doc("oprf request (hex)")[..]);

    let mut proof_rng = Replay::new(&[doc("oprf proof random scalar (hex)")]);
    let mut response = [0u8; 256];
    let response = server
        .evaluate(
            &Request::decode(request).unwrap(),
            &mut proof_rng,
            &mut response,
        )
        .unwrap();
    assert_eq!(response, &doc("oprf response (hex)")[..]);

    let mut out = [ObliviousPseudonym::default(); 2];
    blinded.finalize(response, &mut out).unwrap();
    assert_eq!(out[0].as_bytes(), &doc("oprf output 1 (hex)")[..]);
    assert_eq!(out[1].as_bytes(), &doc("oprf output 2 (hex)")[..]);
}
