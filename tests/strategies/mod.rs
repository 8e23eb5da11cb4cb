//! Proptest strategies shared by the property tests of tokens and sealed numbers.

use phonetoken::{parse, PhoneNumber};
use proptest::prelude::*;

/// Canonical numbers: `+`, a country code the metadata knows, some digits, normalized by the
/// parser. Only fixed points of the parser are kept: detokenize and open check the plaintext
/// with the strict `PhoneNumber::from_str`, and a few inputs the parser accepts are not
/// fixed points.
pub fn numbers() -> impl Strategy<Value = PhoneNumber> {
    let cc = prop::sample::select(vec![
        "1", "7", "20", "33", "39", "44", "49", "55", "61", "81", "86", "91", "234", "358", "800",
        "882",
    ]);
    (cc, "[0-9]{4,14}").prop_filter_map("not a canonical number", |(cc, digits)| {
        parse(&format!("+{cc}{digits}"), None)
            .ok()
            .filter(|n| n.as_str().parse::<PhoneNumber>() == Ok(*n))
    })
}
