//! Parity with libphonenumber: every case of `tests/data/parity.jsonl` must come out of
//! [`phonetoken::parse`] exactly as the Python port `phonenumbers` says.
//!
//! The fixture is written by `tools/parity/generate.sh` (see `tests/data/README.md`). Each line
//! holds an input, a default region (or `null`), a `kind` naming the generator family, and
//! either `expect` (the E.164 string) or `error` (libphonenumber's category) with an optional
//! `detail` where libphonenumber's message tells causes apart.
//!
//! A case that parses to a possible number also carries what libphonenumber says of its
//! validity: `valid` (`is_valid_number`), `type` (`number_type`, by name) and `number_region`
//! (`region_code_for_number`: a region, `"001"` for a non-geographic code, or `null`); with
//! the feature `validate`, `validity_agrees_…` checks them against
//! [`PhoneNumber::is_valid`], [`PhoneNumber::number_type`] and [`PhoneNumber::region`].
//!
//! A number written with an extension carries it (`extension`, libphonenumber's digits), which
//! `parse_agrees_…` checks against [`phonetoken::parse_with_extension`]'s. The first case of
//! each (E.164, extension) pair also carries `formats`: libphonenumber's `format_number` in
//! INTERNATIONAL, NATIONAL and RFC3966; with the feature `format`, `formats_agree_…` formats
//! every number of the fixture, with its extension, and compares it with the pair's.
//!
//! On disagreement the test prints every mismatch, with its fixture line, then counts per
//! kind, then fails. `PHONETOKEN_PARITY_FIXTURE=path` runs it on another fixture file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use phonetoken::{parse_with_extension, ParseError, PhoneNumber, Region};
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parity.jsonl");
/// Names another fixture for `parse_agrees_…` (a larger one made with `gen_fixture.py
/// --mutations N --seed S` for a local stress run); the committed one is used otherwise.
const FIXTURE_ENV: &str = "PHONETOKEN_PARITY_FIXTURE";
const META: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parity.meta.json");

/// What libphonenumber says about one case.
#[derive(Debug)]
enum Expected {
    /// Parsed, possible, and formatted as this E.164 string, with this extension.
    Number(String, Option<String>),
    /// Refused: the category (`"TOO_SHORT_NSN"`, `"possible:TOO_LONG"`, …) and the detail.
    Error {
        category: String,
        detail: Option<String>,
    },
}

/// What libphonenumber says of a possible number's validity.
#[derive(Debug)]
#[cfg_attr(not(feature = "validate"), allow(dead_code))]
struct Validity {
    valid: bool,
    /// `PhoneNumberType` name: `"MOBILE"`, `"UNKNOWN"`, …
    kind: String,
    /// `region_code_for_number`: a region, `"001"`, or `None`.
    region: Option<String>,
}

#[derive(Debug)]
struct Case {
    /// 1-based line of the fixture.
    line: usize,
    input: String,
    region: Option<String>,
    kind: String,
    expected: Expected,
    /// Present exactly when `expected` is a number.
    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    validity: Option<Validity>,
    /// INTERNATIONAL, NATIONAL, RFC3966: on the first case of each (E.164, extension) pair.
    #[cfg_attr(not(feature = "format"), allow(dead_code))]
    formats: Option<[String; 3]>,
}

fn read_text(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("cannot read {path}: {e}; regenerate it with `bash tools/parity/generate.sh`")
    })
}

fn string_field(value: &Value, key: &str, line: usize) -> Option<String> {
    match value.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => panic!("fixture line {line}: `{key}` is not a string: {other}"),
    }
}

fn load_cases(path: &str) -> Vec<Case> {
    let text = read_text(path);
    text.lines()
        .enumerate()
        .map(|(i, raw)| {
            let line = i + 1;
            let value: Value = serde_json::from_str(raw)
                .unwrap_or_else(|e| panic!("fixture line {line} is not JSON: {e}"));
            let input = string_field(&value, "input", line)
                .unwrap_or_else(|| panic!("fixture line {line} has no `input`"));
            let kind = string_field(&value, "kind", line)
                .unwrap_or_else(|| panic!("fixture line {line} has no `kind`"));
            let expected = match (
                string_field(&value, "expect", line),
                string_field(&value, "error", line),
            ) {
                (Some(number), None) => {
                    Expected::Number(number, string_field(&value, "extension", line))
                }
                (None, Some(category)) => Expected::Error {
                    category,
                    detail: string_field(&value, "detail", line),
                },
                _ => panic!("fixture line {line} needs exactly one of `expect` and `error`"),
            };
            let validity = match (&expected, value.get("valid")) {
                (Expected::Number(..), Some(Value::Bool(valid))) => Some(Validity {
                    valid: *valid,
                    kind: string_field(&value, "type", line)
                        .unwrap_or_else(|| panic!("fixture line {line} has no `type`")),
                    region: string_field(&value, "number_region", line),
                }),
                (Expected::Error { .. }, None) => None,
                _ => panic!("fixture line {line}: `valid` goes with `expect`, and only with it"),
            };
            let formats = match (&expected, value.get("formats")) {
                (_, None) => None,
                (Expected::Number(..), Some(Value::Array(list))) => {
                    let strings: Vec<String> = list
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<_>>()
                        .unwrap_or_else(|| panic!("fixture line {line}: `formats` not strings"));
                    Some(strings.try_into().unwrap_or_else(|_| {
                        panic!("fixture line {line}: `formats` needs three strings")
                    }))
                }
                _ => panic!("fixture line {line}: `formats` goes with `expect`, as a list"),
            };
            Case {
                line,
                input,
                region: string_field(&value, "region", line),
                kind,
                expected,
                validity,
                formats,
            }
        })
        .collect()
}

/// The `ParseError`s that stand for a libphonenumber refusal (see `ParseError`'s docs).
fn allowed_errors(category: &str, detail: Option<&str>) -> Option<&'static [ParseError]> {
    use ParseError::*;
    Some(match (category, detail) {
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
        _ => return None,
    })
}

/// `None` when phonetoken agrees with the case, otherwise a description of what it gave.
fn disagreement(case: &Case) -> Option<String> {
    let region = match case.region.as_deref().map(str::parse::<Region>) {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => return Some(format!("region refused by Region::from_str: {e:?}")),
    };
    let got = parse_with_extension(&case.input, region);
    match (&case.expected, got) {
        (Expected::Number(want, ext), Ok((n, got_ext)))
            if n.as_str() == want && got_ext.as_ref().map(|e| e.as_str()) == ext.as_deref() =>
        {
            None
        }
        (Expected::Number(..), other) => Some(describe_got(other)),
        (Expected::Error { category, detail }, got) => {
            let allowed = allowed_errors(category, detail.as_deref()).unwrap_or_else(|| {
                panic!(
                    "fixture line {}: unknown category {category:?} / detail {detail:?}",
                    case.line
                )
            });
            match got {
                Err(e) if allowed.contains(&e) => None,
                other => Some(format!(
                    "{} (wanted one of {allowed:?})",
                    describe_got(other)
                )),
            }
        }
    }
}

fn describe_got(got: Result<(PhoneNumber, Option<phonetoken::Extension>), ParseError>) -> String {
    match got {
        Ok((n, None)) => format!("Ok({n})"),
        Ok((n, Some(ext))) => format!("Ok({n} extension {ext})"),
        Err(e) => format!("Err({e:?})"),
    }
}

fn describe_expected(expected: &Expected) -> String {
    match expected {
        Expected::Number(n, None) => format!("Ok({n})"),
        Expected::Number(n, Some(ext)) => format!("Ok({n} extension {ext})"),
        Expected::Error {
            category,
            detail: Some(d),
        } => format!("{category} ({d})"),
        Expected::Error {
            category,
            detail: None,
        } => category.clone(),
    }
}

#[test]
fn parse_agrees_with_libphonenumber_on_every_fixture_case() {
    let path = std::env::var(FIXTURE_ENV).unwrap_or_else(|_| FIXTURE.to_owned());
    let cases = load_cases(&path);
    assert!(!cases.is_empty(), "{path} holds no case");

    // kind -> (cases, mismatches)
    let mut per_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut report = String::new();
    let mut mismatches = 0usize;
    for case in &cases {
        let entry = per_kind.entry(case.kind.as_str()).or_default();
        entry.0 += 1;
        if let Some(got) = disagreement(case) {
            entry.1 += 1;
            mismatches += 1;
            let region = case.region.as_deref().unwrap_or("none");
            let _ = writeln!(
                report,
                "line {}: [{}] input {:?} region {} expected {} got {}",
                case.line,
                case.kind,
                case.input,
                region,
                describe_expected(&case.expected),
                got
            );
        }
    }
    if mismatches == 0 {
        return;
    }
    let _ = writeln!(report, "\nper kind (mismatches / cases):");
    for (kind, (total, bad)) in &per_kind {
        if *bad > 0 {
            let _ = writeln!(report, "  {kind:<32} {bad:>6} / {total}");
        }
    }
    let agreed = cases.len() - mismatches;
    let _ = writeln!(
        report,
        "\nparity: {agreed} of {} cases agree ({:.2}%), {mismatches} mismatches",
        cases.len(),
        100.0 * agreed as f64 / cases.len() as f64
    );
    println!("{report}");
    panic!(
        "{mismatches} of {} fixture cases disagree with libphonenumber (listed above)",
        cases.len()
    );
}

#[test]
fn fixture_matches_its_metadata_and_the_tables_release() {
    let meta: Value = serde_json::from_str(&read_text(META)).expect("parity.meta.json is JSON");
    assert_eq!(
        meta["phonenumbers"].as_str(),
        Some(phonetoken::metadata::VERSION),
        "the fixture was made by another libphonenumber release than the tables"
    );
    let cases = load_cases(FIXTURE);
    assert!(
        cases.len() > 10_000,
        "the fixture has only {} cases",
        cases.len()
    );
    assert_eq!(
        meta["cases"].as_u64(),
        Some(cases.len() as u64),
        "parity.meta.json counts another number of cases than parity.jsonl holds"
    );
    let mut families: BTreeMap<String, u64> = BTreeMap::new();
    for case in &cases {
        let family = case.kind.split('/').next().unwrap_or_default();
        *families.entry(family.to_owned()).or_default() += 1;
    }
    let recorded: BTreeMap<String, u64> = meta["families"]
        .as_object()
        .expect("meta has `families`")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("family counts are numbers")))
        .collect();
    assert_eq!(families, recorded, "families in meta and fixture differ");
    for case in &cases {
        if let Expected::Error { category, detail } = &case.expected {
            assert!(
                allowed_errors(category, detail.as_deref()).is_some(),
                "fixture line {}: category {category:?} / detail {detail:?} has no mapping",
                case.line
            );
        }
    }
}

/// `None` when phonetoken's validity, type and region agree with the case's.
#[cfg(feature = "validate")]
fn validity_disagreement(number: &PhoneNumber, want: &Validity) -> Option<String> {
    let valid = number.is_valid();
    let kind = number.number_type();
    // libphonenumber names a non-geographic code's region "001"; `region` gives `None`.
    let region = match number.region() {
        Some(r) => Some(r.as_str().to_owned()),
        None if number.country_code().is_non_geographic() => Some("001".to_owned()),
        None => None,
    };
    let agrees = valid == want.valid && kind.as_str() == want.kind && region == want.region;
    (!agrees).then(|| {
        format!(
            "valid {valid} type {kind} region {region:?}; libphonenumber: valid {} type {} \
             region {:?}",
            want.valid, want.kind, want.region
        )
    })
}

#[cfg(feature = "validate")]
#[test]
fn validity_agrees_with_libphonenumber_on_every_fixture_number() {
    let path = std::env::var(FIXTURE_ENV).unwrap_or_else(|_| FIXTURE.to_owned());
    let cases = load_cases(&path);
    let mut report = String::new();
    let (mut checked, mut mismatches, mut valid) = (0usize, 0usize, 0usize);
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        let Some(want) = &case.validity else {
            continue;
        };
        // The parse itself is the other test's business; a case it gets wrong is skipped
        // here, and fails there.
        let region = case
            .region
            .as_deref()
            .and_then(|r| r.parse::<Region>().ok());
        let Ok((number, _)) = parse_with_extension(&case.input, region) else {
            continue;
        };
        if !matches!(&case.expected, Expected::Number(e, _) if e == number.as_str()) {
            continue;
        }
        checked += 1;
        valid += usize::from(want.valid);
        if let Some(got) = validity_disagreement(&number, want) {
            mismatches += 1;
            *per_kind.entry(case.kind.as_str()).or_default() += 1;
            let _ = writeln!(
                report,
                "line {}: [{}] {} (input {:?}): {got}",
                case.line, case.kind, number, case.input
            );
        }
    }
    // The fixture must exercise both answers, and every number of it must have been checked.
    let numbers = cases.iter().filter(|c| c.validity.is_some()).count();
    assert_eq!(
        checked, numbers,
        "some fixture numbers did not parse as expected"
    );
    assert!(
        valid > 1000 && checked - valid > 1000,
        "{valid} valid of {checked}"
    );
    if mismatches == 0 {
        return;
    }
    let _ = writeln!(report, "\nper kind: {per_kind:?}");
    println!("{report}");
    panic!("{mismatches} of {checked} numbers disagree with libphonenumber on validity (above)");
}

/// `None` when phonetoken's INTERNATIONAL, NATIONAL and RFC3966 forms are `want`.
#[cfg(feature = "format")]
fn format_disagreement(
    number: &PhoneNumber,
    extension: Option<&phonetoken::Extension>,
    want: &[String; 3],
) -> Option<String> {
    use phonetoken::Format;
    let mut buf = [0u8; phonetoken::MAX_FORMATTED_LEN];
    let formats = [Format::International, Format::National, Format::Rfc3966];
    let got: Vec<String> = formats
        .iter()
        .map(
            |&f| match number.format_with_extension(extension, f, &mut buf) {
                Ok(text) => text.to_owned(),
                Err(e) => format!("error: {e}"),
            },
        )
        .collect();
    (got != want[..]).then(|| format!("{got:?}; libphonenumber: {want:?}"))
}

#[cfg(feature = "format")]
#[test]
fn formats_agree_with_libphonenumber_on_every_fixture_number() {
    use std::collections::HashMap;

    let path = std::env::var(FIXTURE_ENV).unwrap_or_else(|_| FIXTURE.to_owned());
    let cases = load_cases(&path);
    // Each (E.164, extension) pair's formats, from the first case that has the pair.
    let mut pairs: HashMap<(&str, Option<&str>), &[String; 3]> = HashMap::new();
    for case in &cases {
        if let (Expected::Number(e164, ext), Some(formats)) = (&case.expected, &case.formats) {
            let earlier = pairs.insert((e164, ext.as_deref()), formats);
            assert!(
                earlier.is_none(),
                "fixture line {}: a second `formats` for {e164} {ext:?}",
                case.line
            );
        }
    }
    let mut report = String::new();
    let (mut checked, mut mismatches) = (0usize, 0usize);
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        let Expected::Number(e164, ext) = &case.expected else {
            continue;
        };
        let want = pairs
            .get(&(e164.as_str(), ext.as_deref()))
            .unwrap_or_else(|| {
                panic!(
                    "fixture line {}: no case carries the formats of {e164} {ext:?}",
                    case.line
                )
            });
        // The parse itself is the other test's business, as for validity.
        let region = case
            .region
            .as_deref()
            .and_then(|r| r.parse::<Region>().ok());
        let Ok((number, extension)) = parse_with_extension(&case.input, region) else {
            continue;
        };
        if number.as_str() != e164 || extension.as_ref().map(|e| e.as_str()) != ext.as_deref() {
            continue;
        }
        checked += 1;
        if let Some(got) = format_disagreement(&number, extension.as_ref(), want) {
            mismatches += 1;
            *per_kind.entry(case.kind.as_str()).or_default() += 1;
            let _ = writeln!(
                report,
                "line {}: [{}] {number} ext {ext:?} (input {:?}): {got}",
                case.line, case.kind, case.input
            );
        }
    }
    let numbers = cases
        .iter()
        .filter(|c| matches!(c.expected, Expected::Number(..)))
        .count();
    println!(
        "formats: {checked} numbers checked ({} distinct with their extension), {mismatches} \
         mismatches",
        pairs.len()
    );
    assert_eq!(
        checked, numbers,
        "some fixture numbers did not parse as expected"
    );
    if mismatches == 0 {
        return;
    }
    let _ = writeln!(report, "\nper kind: {per_kind:?}");
    println!("{report}");
    panic!("{mismatches} of {checked} numbers are formatted unlike libphonenumber (above)");
}
