//! What each fuzz target asserts, shared by the targets in `fuzz_targets/` and by
//! `tests/fuzz_regressions.rs`, which replays saved inputs as ordinary tests.

use phonetoken::{parse, PhoneNumber, Region};

/// Splits fuzz input into a default region (first two bytes, often not a region, which is a
/// case too) and the text to parse.
fn region_and_text(data: &[u8]) -> (Option<Region>, String) {
    let (region_bytes, text) = data.split_at(data.len().min(2));
    let region = core::str::from_utf8(region_bytes)
        .ok()
        .and_then(|r| r.parse::<Region>().ok());
    (region, String::from_utf8_lossy(text).into_owned())
}

/// `parse` returns on any input, and every success is canonical E.164 that parses back to
/// itself.
pub fn parse_case(data: &[u8]) {
    let (region, text) = region_and_text(data);
    if let Ok(number) = parse(&text, region) {
        let e164 = number.as_str();
        assert!(
            e164.len() > 1
                && e164.starts_with('+')
                && e164[1..].bytes().all(|b| b.is_ascii_digit()),
            "parse({text:?}) gave {e164:?}, which is not + and digits"
        );
        assert_eq!(
            e164.parse::<PhoneNumber>(),
            Ok(number),
            "the E.164 form of {text:?} must parse back to itself"
        );
    }
}

/// Whatever `parse` produces reads back as itself through strict E.164, and parsing it again
/// (with the same region or none) keeps the country code and never lengthens the number.
///
/// Parsing again is not always the identity: libphonenumber strips a national prefix after
/// the country code once per parse (`+200000000000` gives `+20000000000`, which gives
/// `+2000000000`), and phonetoken must do exactly the same.
pub fn e164_fixpoint_case(data: &[u8]) {
    let (region, text) = region_and_text(data);
    if let Ok(first) = parse(&text, region) {
        assert_eq!(
            first.as_str().parse::<PhoneNumber>(),
            Ok(first),
            "parse({text:?}) gave {first}, which strict E.164 does not read back as itself"
        );
        for again in [None, region] {
            let second = parse(first.as_str(), again);
            assert!(
                second.is_ok_and(|n| n.country_code() == first.country_code()
                    && n.as_str().len() <= first.as_str().len()),
                "parse({text:?}) gave {first}; parsing that with region {again:?} gave {second:?}"
            );
        }
    }
}
