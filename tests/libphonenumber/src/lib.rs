//! libphonenumber's own parse tests against phonetoken built on libphonenumber's test metadata.
//!
//! `cases.jsonl` holds the `parse` / `parseAndKeepRawInput` calls of libphonenumber's
//! `PhoneNumberUtilTest.java` whose arguments are literals, each with the verdict of the Python
//! port `phonenumbers` on the same test metadata (`generate.py` writes it; see `README.md`).
//! The suite only means something on the tables generated from
//! `data/libphonenumber/testing/PhoneNumberMetadataForTesting.xml`, which the library uses only
//! when built with `--cfg phonetoken_testing_metadata`:
//!
//! ```text
//! RUSTFLAGS="--cfg phonetoken_testing_metadata" cargo test -p libphonenumber-suite
//! ```
//!
//! Without that cfg the test is ignored (and says why).

#[cfg(test)]
mod tests {
    use phonetoken::{parse, ParseError, Region, RegionError};
    use serde_json::Value;

    const CASES: &str = include_str!("../cases.jsonl");

    /// The `ParseError`s that stand for a libphonenumber verdict, as in `tests/parity.rs`.
    fn allowed(category: &str, detail: Option<&str>) -> &'static [ParseError] {
        use ParseError::*;
        match (category, detail) {
            ("NOT_A_NUMBER", Some("phone-context")) => &[InvalidPhoneContext],
            ("NOT_A_NUMBER", None) => &[NoDigits, NotANumber],
            ("TOO_LONG", Some("input")) => &[InputTooLong],
            ("TOO_LONG", Some("nsn")) => &[TooLong],
            ("INVALID_COUNTRY_CODE", Some("region")) => &[MissingRegion],
            ("INVALID_COUNTRY_CODE", Some("country-code")) => &[InvalidCountryCode],
            ("TOO_SHORT_AFTER_IDD", None) => &[TooShortAfterIdd],
            ("TOO_SHORT_NSN", None) => &[TooShort],
            ("possible:TOO_SHORT", None) => &[TooShort],
            ("possible:TOO_LONG", None) => &[TooLong],
            ("possible:INVALID_LENGTH", None) => &[InvalidLength],
            ("possible:INVALID_COUNTRY_CODE", None) => &[InvalidCountryCode],
            other => panic!("unknown verdict {other:?}"),
        }
    }

    fn field<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
        case.get(key).and_then(Value::as_str)
    }

    #[test]
    #[cfg_attr(
        not(phonetoken_testing_metadata),
        ignore = "needs RUSTFLAGS=\"--cfg phonetoken_testing_metadata\" (the test metadata's tables)"
    )]
    fn parse_agrees_with_libphonenumber_on_its_own_test_cases() {
        let mut report = Vec::new();
        let mut total = 0;
        for (i, line) in CASES.lines().enumerate() {
            let case: Value = serde_json::from_str(line).expect("cases.jsonl line is JSON");
            let input = field(&case, "input").expect("a case has an input");
            // libphonenumber takes a default region it has no metadata for (ZZ, CS, 001) as
            // no default region; `Region::from_str` refuses it as unknown.
            let region = match field(&case, "region").map(str::parse::<Region>) {
                None | Some(Err(RegionError::Unknown)) => None,
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => panic!("line {}: region refused: {e:?}", i + 1),
            };
            let got = parse(input, region);
            let agrees = match (field(&case, "expect"), &got) {
                (Some(want), Ok(n)) => n.as_str() == want,
                (Some(_), Err(_)) => false,
                (None, got) => {
                    let category = field(&case, "error").expect("a case has expect or error");
                    let allowed = allowed(category, field(&case, "detail"));
                    matches!(got, Err(e) if allowed.contains(e))
                }
            };
            total += 1;
            if !agrees {
                report.push(format!("line {}: {case} got {got:?}", i + 1));
            }
        }
        assert!(total > 200, "only {total} cases");
        assert!(
            report.is_empty(),
            "{} of {total} cases disagree:\n{}",
            report.len(),
            report.join("\n")
        );
    }
}
