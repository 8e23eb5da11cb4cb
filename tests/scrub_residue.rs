//! Residue checks for `phonetoken::find::scrub`: scrubbing a text leaves no copy of the text
//! or of its result in freed heap memory (the scanners are in `tests/residue/mod.rs`). The
//! text holds plaintext numbers; a caller who wipes the text and the result it got back
//! must not find them again in blocks the scrubber freed.

#![cfg(all(feature = "find", feature = "alloc"))]

mod residue;

use phonetoken::find::scrub::{Replacement, Scrubber};
use phonetoken::{Keyset, Leniency, PseudonymKey, TokenKey};
use residue::{residue, Needles};
use zeroize::Zeroize;

/// Many numbers, each replacement longer or shorter than what it replaces, so every working
/// buffer has to grow (and a labelled replacement that found numbers searches again, so its
/// first result is freed).
fn text() -> String {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "ticket {i:04}: call (650) 253-{:04} or +44 20 7946 {:04} before 12/10/2011; ",
            1000 + i,
            2000 + i
        ));
    }
    text
}

fn keys() -> Keyset {
    Keyset::new(
        7,
        PseudonymKey::from_bytes(&[3; 32]).unwrap(),
        TokenKey::from_bytes(&[5; 64]).unwrap(),
    )
}

/// Scrubs `text` with each replacement, through `scrub` and through `scrub_into` with a
/// buffer that must grow, and checks what the scrubber freed.
#[test]
fn scrubbing_leaves_no_copy_of_the_text_behind() {
    let keys = keys();
    let text = text();
    let replacements = [
        (
            "pseudonym",
            Replacement::Pseudonym {
                keyset: &keys,
                length: None,
            },
        ),
        (
            "token",
            Replacement::Token {
                keyset: &keys,
                context: b"ctx",
            },
        ),
        ("e164", Replacement::E164),
        ("mask", Replacement::Masked { visible: 2 }),
    ];
    for (name, replacement) in replacements {
        for leniency in [Leniency::Valid, Leniency::Possible] {
            let scrubber =
                Scrubber::new(replacement, Some("US".parse().unwrap())).leniency(leniency);
            // The result, computed outside the scan, is a needle too.
            let mut expected = scrubber.scrub(&text).unwrap();
            assert_ne!(expected, text, "{name}: nothing was replaced");
            let mut needles = Needles::default();
            needles.add("the text".into(), text.as_bytes());
            needles.add("the result".into(), expected.as_bytes());

            let mut got = None;
            let found = residue(&needles, || got = Some(scrubber.scrub(&text).unwrap()));
            assert_eq!(
                found.0, None,
                "{name}, {leniency:?}: scrub left a copy behind"
            );
            let mut got = got.unwrap();
            assert_eq!(got, expected);
            got.zeroize();

            let mut out = String::from("> ");
            let found = residue(&needles, || {
                scrubber.scrub_into(&text, &mut out).unwrap();
            });
            assert_eq!(
                found.0, None,
                "{name}, {leniency:?}: scrub_into left a copy behind"
            );
            assert_eq!(out.strip_prefix("> "), Some(expected.as_str()));
            out.zeroize();
            expected.zeroize();
        }
    }
}

#[test]
fn the_scanner_sees_an_unwiped_copy() {
    // The check above is only worth something if the scan finds a text that is there.
    let text = text();
    let mut needles = Needles::default();
    needles.add("the text".into(), text.as_bytes());
    let found = residue(&needles, || {
        let mut copy = String::new();
        copy.push_str(&text[..100]);
        copy.push_str(&text[100..]);
        drop(std::hint::black_box(copy));
    });
    assert!(
        found
            .0
            .as_deref()
            .is_some_and(|s| s.starts_with("the text in a freed heap block")),
        "{found:?}"
    );
}
