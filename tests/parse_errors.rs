//! One test per refusal: a concrete input for every `ParseError` variant (and for
//! `RegionError`), each checked against the Python port of libphonenumber (`phonenumbers`
//! 9.0.35: `parse`, then `is_possible_number_with_reason`). The oracle's verdict is noted
//! beside each input.

use phonetoken::{parse, ParseError, PhoneNumber, Region, RegionError};

fn region(code: &str) -> Option<Region> {
    Some(
        code.parse()
            .unwrap_or_else(|e| panic!("region {code} refused: {e:?}")),
    )
}

#[test]
fn no_digits() {
    // NOT_A_NUMBER: nothing a number could start with.
    assert_eq!(parse("call me", None), Err(ParseError::NoDigits));
    assert_eq!(parse("call me", region("US")), Err(ParseError::NoDigits));
    // NOT_A_NUMBER: the empty string.
    assert_eq!(parse("", region("GB")), Err(ParseError::NoDigits));
}

#[test]
fn not_a_number() {
    // NOT_A_NUMBER: a `+` after the first digit.
    assert_eq!(
        parse("201+555+0123", region("US")),
        Err(ParseError::NotANumber)
    );
    // NOT_A_NUMBER: two digits with punctuation are not viable.
    assert_eq!(parse("1-2", region("US")), Err(ParseError::NotANumber));
    // NOT_A_NUMBER: one digit.
    assert_eq!(parse("1", None), Err(ParseError::NotANumber));
}

#[test]
fn invalid_phone_context() {
    // NOT_A_NUMBER, "The phone-context value is invalid": neither +digits nor a domain.
    assert_eq!(
        parse("tel:2015550123;phone-context=abc!def", region("US")),
        Err(ParseError::InvalidPhoneContext)
    );
    // NOT_A_NUMBER, same message: an empty phone-context.
    assert_eq!(
        parse("tel:2015550123;phone-context=", region("US")),
        Err(ParseError::InvalidPhoneContext)
    );
}

#[test]
fn input_too_long() {
    // TOO_LONG, "The string supplied was too long to parse.": 251 characters.
    let long = "1".repeat(251);
    assert_eq!(parse(&long, None), Err(ParseError::InputTooLong));
    assert_eq!(parse(&long, region("US")), Err(ParseError::InputTooLong));
    // 250 characters are read: TOO_LONG, "too long to be a phone number" (the digits).
    assert_eq!(
        parse(&"1".repeat(250), region("US")),
        Err(ParseError::TooLong)
    );
}

#[test]
fn missing_region() {
    // INVALID_COUNTRY_CODE, "Missing or invalid default region.".
    assert_eq!(parse("020 7946 0958", None), Err(ParseError::MissingRegion));
}

#[test]
fn invalid_country_code() {
    // INVALID_COUNTRY_CODE: 999 (and 99, 9) is no calling code.
    assert_eq!(
        parse("+999 1234567", None),
        Err(ParseError::InvalidCountryCode)
    );
    // INVALID_COUNTRY_CODE: the same after the US international prefix.
    assert_eq!(
        parse("011 999 1234567", region("US")),
        Err(ParseError::InvalidCountryCode)
    );
    // INVALID_COUNTRY_CODE: a leading zero after `+`.
    assert_eq!(
        parse("+0014155552671", None),
        Err(ParseError::InvalidCountryCode)
    );
}

#[test]
fn too_short_after_idd() {
    // TOO_SHORT_AFTER_IDD: the US international prefix and two digits.
    assert_eq!(
        parse("011 12", region("US")),
        Err(ParseError::TooShortAfterIdd)
    );
    // TOO_SHORT_AFTER_IDD: the GB international prefix and one digit.
    assert_eq!(
        parse("00 1", region("GB")),
        Err(ParseError::TooShortAfterIdd)
    );
}

#[test]
fn too_short() {
    // TOO_SHORT_NSN: one digit after the country code.
    assert_eq!(parse("+44 1", None), Err(ParseError::TooShort));
    // is_possible_number_with_reason TOO_SHORT: nine digits for +1.
    assert_eq!(parse("+1 201 555 012", None), Err(ParseError::TooShort));
    // is_possible_number_with_reason TOO_SHORT: two digits in the US.
    assert_eq!(parse("12", region("US")), Err(ParseError::TooShort));
}

#[test]
fn too_long() {
    // TOO_LONG, "too long to be a phone number": 19 digits after +44.
    assert_eq!(
        parse("+44 1234567890123456789", None),
        Err(ParseError::TooLong)
    );
    // is_possible_number_with_reason TOO_LONG: eleven digits for +1.
    assert_eq!(parse("+1 201 555 01234", None), Err(ParseError::TooLong));
}

#[test]
fn invalid_length() {
    // is_possible_number_with_reason INVALID_LENGTH: Norway has 5- and 8-digit numbers.
    assert_eq!(parse("+47 222 222", None), Err(ParseError::InvalidLength));
    // is_possible_number_with_reason INVALID_LENGTH: ten digits in Switzerland.
    assert_eq!(
        parse("+41 22 222 22222", None),
        Err(ParseError::InvalidLength)
    );
}

#[test]
fn phone_number_from_str_wants_canonical_e164() {
    // Not `+` and digits: refused before parsing.
    for text in [
        "+1 415 555 2671",
        "14155552671",
        "+",
        "",
        "+1-4155552671",
        "＋14155552671",
    ] {
        assert_eq!(
            text.parse::<PhoneNumber>(),
            Err(ParseError::NotE164),
            "{text:?}"
        );
    }
    // Strict reading takes the digits as written and judges the length as
    // is_possible_number_with_reason does on PhoneNumber(country_code, national number):
    // for (1, 23456789012345678901) and for (44, 02079460958 with its leading zero kept)
    // phonenumbers answers TOO_LONG.
    assert_eq!(
        "+123456789012345678901".parse::<PhoneNumber>(),
        Err(ParseError::TooLong)
    );
    assert_eq!(
        "+4402079460958".parse::<PhoneNumber>(),
        Err(ParseError::TooLong)
    );
    // Canonical text is accepted and kept.
    let n: PhoneNumber = "+442079460958".parse().expect("canonical E.164");
    assert_eq!(n.as_str(), "+442079460958");
    // When the digits do not parse, the parse error comes through (INVALID_COUNTRY_CODE).
    assert_eq!(
        "+0014155552671".parse::<PhoneNumber>(),
        Err(ParseError::InvalidCountryCode)
    );
    // is_possible_number_with_reason TOO_LONG.
    assert_eq!(
        "+120155501234".parse::<PhoneNumber>(),
        Err(ParseError::TooLong)
    );
}

#[test]
fn region_errors() {
    for text in ["G", "GBR", "", "1A", "001", "G1", "ÄB", " GB"] {
        assert_eq!(
            text.parse::<Region>(),
            Err(RegionError::Malformed),
            "{text:?}"
        );
    }
    // ZZ is libphonenumber's "unknown region", not a region with metadata.
    for text in ["ZZ", "XX", "QQ", "zz"] {
        assert_eq!(
            text.parse::<Region>(),
            Err(RegionError::Unknown),
            "{text:?}"
        );
    }
    assert_eq!(
        "gb".parse::<Region>().map(|r| r.to_string()),
        Ok("GB".to_owned())
    );
}

#[test]
fn every_variant_has_a_distinct_code_and_message() {
    let all = [
        ParseError::NoDigits,
        ParseError::NotANumber,
        ParseError::InvalidPhoneContext,
        ParseError::InputTooLong,
        ParseError::MissingRegion,
        ParseError::InvalidCountryCode,
        ParseError::TooShortAfterIdd,
        ParseError::TooShort,
        ParseError::TooLong,
        ParseError::InvalidLength,
        ParseError::NotE164,
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(ParseError::code).collect();
    let messages: std::collections::BTreeSet<_> = all.iter().map(ToString::to_string).collect();
    assert_eq!(codes.len(), all.len());
    assert_eq!(messages.len(), all.len());
}
