//! End-to-end tests of `parse`; every expected value comes from the Python port of
//! libphonenumber (`phonenumbers` 9.0.35): `format_number(parse(input, region), E164)` after
//! `is_possible_number`, or the exception / `is_possible_number_with_reason` verdict.

use super::*;
use std::string::ToString;

fn region(code: &str) -> Option<Region> {
    Some(code.parse().expect("region known to the metadata"))
}

/// libphonenumber's error categories; phonetoken splits some of them.
fn category(e: ParseError) -> &'static str {
    match e {
        ParseError::NoDigits | ParseError::NotANumber | ParseError::InvalidPhoneContext => {
            "NOT_A_NUMBER"
        }
        ParseError::InputTooLong | ParseError::TooLong => "TOO_LONG",
        ParseError::MissingRegion | ParseError::InvalidCountryCode => "INVALID_COUNTRY_CODE",
        ParseError::TooShortAfterIdd => "TOO_SHORT_AFTER_IDD",
        ParseError::TooShort => "TOO_SHORT",
        ParseError::InvalidLength => "INVALID_LENGTH",
        ParseError::NotE164 => "NOT_E164",
    }
}

type Expected = Result<(&'static str, &'static str), &'static str>;

/// (input, default region or "", E.164 and extension, or the error category).
const CASES: &[(&str, &str, Expected)] = &[
    // Argentina: national prefix 0, carrier 15 turned into the mobile 9.
    ("011 15 2345 6789", "AR", Ok(("+5491123456789", ""))),
    ("0343 15 555 1212", "AR", Ok(("+5493435551212", ""))),
    ("+54 9 11 2345 6789", "", Ok(("+5491123456789", ""))),
    ("011 4123 4567", "AR", Ok(("+541141234567", ""))),
    ("15 2345 6789", "AR", Ok(("+541523456789", ""))),
    // Mexico: the retired 044/01/1 prefixes leave numbers too long.
    ("044 55 1234 5678", "MX", Err("TOO_LONG")),
    ("01 55 1234 5678", "MX", Err("TOO_LONG")),
    ("+52 1 55 1234 5678", "", Err("TOO_LONG")),
    ("55 1234 5678", "MX", Ok(("+525512345678", ""))),
    // Brazil: carrier codes after the national prefix.
    ("0 21 11 2345 6789", "BR", Ok(("+551123456789", ""))),
    ("021 11 2345 6789", "BR", Ok(("+551123456789", ""))),
    ("(11) 2345-6789", "BR", Ok(("+551123456789", ""))),
    ("0xx21 11 2345 6789", "BR", Ok(("+551123456789", ""))),
    // Australia's international prefix 0011.
    ("0011 1 650 253 0000", "AU", Ok(("+16502530000", ""))),
    ("0011 44 20 7946 0958", "AU", Ok(("+442079460958", ""))),
    ("0011 0 20", "AU", Ok(("+61011020", ""))),
    ("0011", "AU", Err("TOO_SHORT_AFTER_IDD")),
    // The region's own country code written without +.
    ("44 20 7946 0958", "GB", Ok(("+442079460958", ""))),
    ("1 650 253 0000", "US", Ok(("+16502530000", ""))),
    ("64 3 331 6005", "NZ", Ok(("+6433316005", ""))),
    ("49 30 123456", "DE", Ok(("+4930123456", ""))),
    // Italian leading zeros stay in the national number.
    ("02 1234 5678", "IT", Ok(("+390212345678", ""))),
    ("+39 02 1234 5678", "", Ok(("+390212345678", ""))),
    ("+39 0000", "", Err("TOO_SHORT")),
    ("+39 000 000 000", "", Ok(("+39000000000", ""))),
    ("+39 3123456789", "", Ok(("+393123456789", ""))),
    // Non-geographic codes.
    ("+800 1234 5678", "", Ok(("+80012345678", ""))),
    ("+800 1234 567", "", Err("TOO_SHORT")),
    ("00 800 1234 5678", "GB", Ok(("+80012345678", ""))),
    ("+979 1 2345 6789", "", Ok(("+979123456789", ""))),
    ("+882 13 2345 6789", "", Ok(("+8821323456789", ""))),
    // Guernsey and Jersey: national prefix transforms, GB lengths.
    ("01481 256789", "GG", Ok(("+441481256789", ""))),
    ("07781 123456", "JE", Ok(("+447781123456", ""))),
    ("256789", "GG", Ok(("+441481256789", ""))),
    ("+44 1481 256789", "GG", Ok(("+441481256789", ""))),
    ("1534 456789", "JE", Ok(("+441534456789", ""))),
    // RFC 3966.
    (
        "tel:253-0000;phone-context=+1-650",
        "",
        Ok(("+16502530000", "")),
    ),
    (
        "tel:253-0000;phone-context=www.google.com",
        "US",
        Ok(("+12530000", "")),
    ),
    ("tel:+64-3-331-6005;isub=12", "", Ok(("+6433316005", ""))),
    (
        "tel:3 331 6005;phone-context=+64",
        "US",
        Ok(("+6433316005", "")),
    ),
    (
        "tel:331 6005;phone-context=+64-3",
        "",
        Ok(("+6433316005", "")),
    ),
    (
        "tel:253-0000;phone-context=www.google.com",
        "",
        Err("INVALID_COUNTRY_CODE"),
    ),
    ("tel:1;phone-context=a..b", "US", Err("NOT_A_NUMBER")),
    // Digits of other scripts.
    ("＋１ ６５０ ２５３ ００００", "", Ok(("+16502530000", ""))),
    ("٠٢٠ ٧٩٤٦ ٠٩٥٨", "GB", Ok(("+442079460958", ""))),
    ("۰۲۱ ۱۲۳۴ ۵۶۷۸", "IR", Ok(("+982112345678", ""))),
    ("+४४ २० ७९४६ ०९५८", "", Ok(("+442079460958", ""))),
    // Vanity numbers.
    ("1-800-FLOWERS", "US", Ok(("+18003569377", ""))),
    ("+1 800 FLOWERS", "", Ok(("+18003569377", ""))),
    ("0800 REPAIR", "GB", Ok(("+44800737247", ""))),
    ("1-800-MICROSOFT", "US", Err("TOO_LONG")),
    ("1 800 ABC ٠١٢٣", "US", Ok(("+11800222", ""))),
    // Refusals and lengths.
    ("+1", "", Err("NOT_A_NUMBER")),
    ("+12", "", Err("NOT_A_NUMBER")),
    ("+123", "", Err("TOO_SHORT")),
    ("+999 1234", "", Err("INVALID_COUNTRY_CODE")),
    ("+0 650 253 0000", "US", Err("INVALID_COUNTRY_CODE")),
    ("+0 650 253 0000", "", Err("INVALID_COUNTRY_CODE")),
    ("12", "US", Err("TOO_SHORT")),
    ("1", "US", Err("NOT_A_NUMBER")),
    ("650 253 00001234", "US", Err("TOO_LONG")),
    ("12345678901234567890", "US", Err("TOO_LONG")),
    ("+49 1", "", Err("TOO_SHORT")),
    ("2530000", "US", Ok(("+12530000", ""))),
    ("12345", "GB", Ok(("+4412345", ""))),
    ("+44 123456789012", "", Err("TOO_LONG")),
    ("+1 650 253 000", "", Err("TOO_SHORT")),
    ("011 44", "US", Err("TOO_SHORT_AFTER_IDD")),
    ("011 0 44 20", "US", Err("TOO_SHORT")),
    // Extensions.
    ("(650) 253-0000 x123", "US", Ok(("+16502530000", "123"))),
    (
        "+1 650 253 0000 ext. 1234#",
        "",
        Ok(("+16502530000", "1234")),
    ),
    ("650-253-0000/x12", "US", Ok(("+16502530000", ""))),
    ("+7 495 123 45 67 доб 89", "", Ok(("+74951234567", "89"))),
    ("+1 650-253-0000,,123", "", Ok(("+16502530000", "123"))),
    ("+1 650 253 0000;ext=١٢", "", Ok(("+16502530000", "12"))),
    // International prefixes.
    ("03-3333-3333", "JP", Ok(("+81333333333", ""))),
    ("+41 44 668 18 00", "", Ok(("+41446681800", ""))),
    ("0041 44 668 18 00", "CH", Ok(("+41446681800", ""))),
    ("00 41 44 668 1800", "DE", Ok(("+41446681800", ""))),
    ("8 10 1 650 253 0000", "RU", Ok(("+16502530000", ""))),
    ("8 495 123 45 67", "RU", Ok(("+74951234567", ""))),
    ("+7 8 495 123 45 67", "", Ok(("+74951234567", ""))),
];

#[test]
fn agrees_with_libphonenumber() {
    for &(input, code, expected) in CASES {
        let r = if code.is_empty() { None } else { region(code) };
        let got = parse_with_extension(input, r);
        let got = match &got {
            Ok((n, ext)) => Ok((n.as_str(), ext.as_ref().map_or("", |e| e.as_str()))),
            Err(e) => Err(category(*e)),
        };
        assert_eq!(got, expected, "parse({input:?}, {code:?})");
        // `parse` is `parse_with_extension` without the extension.
        assert_eq!(
            parse(input, r).map(|n| n.to_string()).map_err(category),
            expected.map(|(e164, _)| e164.into()),
            "{input:?}"
        );
    }
}

// Categories from the oracle; the variant within a category follows its documented meaning.
#[test]
fn each_error_variant() {
    use ParseError::*;
    let us = region("US");
    assert_eq!(parse("call me", us), Err(NoDigits));
    assert_eq!(parse("+1 650 253 0000 ü", us), Err(NotANumber));
    assert_eq!(
        parse("tel:2530000;phone-context=a..b", us),
        Err(InvalidPhoneContext)
    );
    let long: std::string::String = "1".repeat(251);
    assert_eq!(parse(&long, us), Err(InputTooLong));
    assert_eq!(parse(&long[..250], us), Err(TooLong));
    assert_eq!(parse("650 253 0000", None), Err(MissingRegion));
    assert_eq!(parse("+999 1234", us), Err(InvalidCountryCode));
    assert_eq!(parse("011 44", us), Err(TooShortAfterIdd));
    assert_eq!(parse("+1 650 253 000", None), Err(TooShort));
    assert_eq!(parse("+44 123456789012", None), Err(TooLong));
    assert_eq!(parse("+7 22222222222", None), Err(InvalidLength));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let us = region("US");
    let nasty = [
        "",
        "+",
        "++++",
        "\0",
        "\u{10FFFF}",
        "tel:",
        ";phone-context=",
        ";phone-context=+",
        ";isub=",
        "tel:;phone-context=+1;isub=",
        "\u{301}\u{301}",
        "x/x\\x",
    ];
    for s in nasty {
        let _ = parse(s, us);
        let _ = parse(s, None);
    }
    let mut s = std::string::String::new();
    for c in ['9', '+', '\u{FF10}', '#', ';', 'x', ',', '\u{1D7CE}'] {
        s.clear();
        for _ in 0..250 {
            s.push(c);
        }
        let _ = parse(&s, us);
        s.push(c);
        assert_eq!(parse(&s, us), Err(ParseError::InputTooLong));
    }
}

#[test]
fn metadata_free_refusals() {
    assert_eq!(parse("call me", None), Err(ParseError::NoDigits));
    assert_eq!(parse("+", None), Err(ParseError::NoDigits));
    assert_eq!(parse("12a3", None), Err(ParseError::NotANumber));
    assert_eq!(parse("1", None), Err(ParseError::NotANumber));
    assert_eq!(parse("020 7946 0958", None), Err(ParseError::MissingRegion));
    assert_eq!(
        parse("tel:1;phone-context=", None),
        Err(ParseError::InvalidPhoneContext)
    );
    let long = "1".repeat(251);
    assert_eq!(parse(&long, None), Err(ParseError::InputTooLong));
    let long = "١".repeat(251);
    assert_eq!(parse(&long, None), Err(ParseError::InputTooLong));
    let _ = region;
}

/// Differential harness for `tools/parity_probe.py --via-test`: reads `REGION<TAB>HEX`
/// lines from the file named by `PARSE_PROBE_IN` and writes one verdict per line to
/// `PARSE_PROBE_OUT` (`ok <E.164> <extension or ->` or `err <code>`).
#[test]
#[ignore = "run by tools/parity_probe.py"]
fn probe_lines() {
    use std::string::{String, ToString};
    use std::vec::Vec;
    let (Ok(input), Ok(output)) = (
        std::env::var("PARSE_PROBE_IN"),
        std::env::var("PARSE_PROBE_OUT"),
    ) else {
        return;
    };
    let text = std::fs::read_to_string(input).expect("probe input");
    let mut out = String::new();
    for line in text.lines() {
        let (code, hex) = line.split_once('\t').unwrap_or((line, ""));
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect();
        let input = String::from_utf8(bytes).expect("utf-8");
        let region = if code == "-" { None } else { region(code) };
        match parse_with_extension(&input, region) {
            Ok((n, ext)) => {
                let ext = ext.map_or_else(|| "-".to_string(), |e| e.to_string());
                out.push_str(&std::format!("ok {n} {ext}\n"));
            }
            Err(e) => out.push_str(&std::format!("err {}\n", e.code())),
        }
    }
    std::fs::write(output, out).expect("probe output");
}

#[test]
fn strict_e164_reads_back_outputs_that_reparsing_would_shorten() {
    // Oracle (phonenumbers 9.0.35): "+200000000000" gives +20000000000, and parsing that
    // again strips Egypt's national prefix once more, giving +2000000000.
    let first = parse("+200000000000", None).unwrap();
    assert_eq!(first.as_str(), "+20000000000");
    assert_eq!(parse(first.as_str(), None).unwrap().as_str(), "+2000000000");
    // Reading the canonical value back must not change it.
    assert_eq!(first.as_str().parse::<PhoneNumber>(), Ok(first));
}

/// The one-pass plain path answers exactly as the general steps do (extraction, then the
/// candidate's steps) on every input it takes, and leaves the others to them; the table
/// scan (off firmware) and the firmware's stateful scan take the same inputs and answer the
/// same.
#[test]
fn plain_input_path_agrees_with_the_general_steps() {
    let alphabet = [b'4', b'0', b'+', b' ', b'(', b'/', b'-', b'x', b'#', b';'];
    let mut taken = 0usize;
    let mut s = std::vec::Vec::new();
    for len in 0..=6u32 {
        for mut n in 0..alphabet.len().pow(len) {
            s.clear();
            for _ in 0..len {
                s.push(alphabet[n % alphabet.len()]);
                n /= alphabet.len();
            }
            // A known number after the generated prefix, so acceptances are exercised too.
            // The last tail has 32 digits, the most the path takes, or 33 after a digit.
            for tail in [
                &b""[..],
                b"20 7946 0958",
                b"1 415 555 2671",
                b"44 1234567890 1234567890 12345678-90",
            ] {
                let mut input = s.clone();
                input.extend_from_slice(tail);
                for region in [None, region("GB"), region("US")] {
                    assert_eq!(
                        parse_plain_input(&input, region),
                        parse_plain_input_stateful(&input, region),
                        "{:?}",
                        core::str::from_utf8(&input)
                    );
                    let Some(fast) =
                        parse_plain_input(&input, region).map(|r| r.map(Parsed::plain))
                    else {
                        continue;
                    };
                    taken += 1;
                    let candidate = scan::extract_possible_ascii(&input);
                    let general = parse_candidate(candidate, region);
                    let shown = core::str::from_utf8(&input).unwrap();
                    assert_eq!(fast, general, "{shown:?}");
                }
            }
        }
    }
    assert!(taken > 100_000, "only {taken} inputs took the plain path");
}

/// The path that writes digits of other scripts and the plain punctuation outside ASCII in
/// ASCII answers exactly as the general steps do on the input as written, on every input it
/// takes, and leaves the others to them.
#[test]
fn plain_digits_path_agrees_with_the_general_steps() {
    let alphabet = [
        "4",
        "\u{664}",
        "\u{FF10}",
        "\u{1D7D2}",
        "+",
        "\u{FF0B}",
        " ",
        "\u{A0}",
        "\u{3000}",
        "\u{2012}",
        "\u{FF0D}",
        "\u{FF0E}",
        "\u{FF08}",
        "\u{FF09}",
        "\u{FF3B}",
        "\u{FF0F}",
        "\u{AD}",
        "\u{FF5E}",
        "\u{FF58}",
        "\u{B2}",
        "x",
    ];
    let mut taken = 0usize;
    let mut next = crate::test_rng(0x1234_5678);
    for _ in 0..60_000 {
        let len = next(8);
        let mut input: std::string::String =
            (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
        input.push_str(
            [
                "",
                "\u{FF12}\u{FF10} \u{FF17}\u{FF19}\u{FF14}\u{FF16} 0958",
                "1 415 555 2671",
            ][next(3)],
        );
        for region in [None, region("GB"), region("US")] {
            let Some(fast) = parse_plain_digits(&input, region).map(|r| r.map(Parsed::plain))
            else {
                continue;
            };
            taken += 1;
            let mut candidate = Text::new();
            let general = scan::build_national_number(&input, &mut candidate)
                .and_then(|()| parse_candidate(candidate.as_slice(), region));
            assert_eq!(fast, general, "{input:?} in {region:?}");
        }
    }
    assert!(taken > 20_000, "only {taken} inputs took the path");
}
