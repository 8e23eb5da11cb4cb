//! Why an input is not a phone number.

use core::fmt;

/// Why [`parse`](crate::parse) refused an input.
///
/// Each variant is one of libphonenumber's refusals (its `NumberParseException` error types,
/// or an `isPossibleNumber` verdict), split where libphonenumber lumps causes together, so a
/// caller can tell the user what to fix.
///
/// ```
/// use phonetoken::{parse, ParseError};
///
/// assert_eq!(parse("call me", None), Err(ParseError::NoDigits));
/// assert_eq!(parse("020 7946 0958", None), Err(ParseError::MissingRegion));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ParseError {
    /// The input has no digit (in any script) where a number could start.
    NoDigits,
    /// The input has digits but is not written like a phone number: stray letters or symbols,
    /// a `+` after the first digit, fewer than three digits with punctuation.
    NotANumber,
    /// An RFC 3966 `;phone-context=` parameter that is neither `+digits` nor a domain name.
    InvalidPhoneContext,
    /// The input is longer than the 250 characters libphonenumber reads.
    InputTooLong,
    /// No default region was given (or it was unusable) and the number is not written in
    /// international form with a leading `+`.
    MissingRegion,
    /// The digits after `+` or the international dialling prefix do not start with an
    /// assigned country calling code.
    InvalidCountryCode,
    /// An international prefix or `+` followed by two digits or fewer.
    TooShortAfterIdd,
    /// The national significant number is shorter than the shortest number the country
    /// uses (or shorter than two digits).
    TooShort,
    /// The national significant number is longer than the longest number the country uses
    /// (or longer than the 17 digits libphonenumber accepts anywhere).
    TooLong,
    /// The length is between the country's shortest and longest, but no number has it.
    InvalidLength,
    /// [`PhoneNumber::from_str`](crate::PhoneNumber) only: the text is not the canonical
    /// E.164 form (`+` and digits, exactly as `parse` prints it).
    NotE164,
}

impl ParseError {
    /// A short, stable name for the error, suitable for counting or logging
    /// (`"too-short"`, `"invalid-country-code"`, …).
    ///
    /// ```
    /// assert_eq!(phonetoken::ParseError::TooShort.code(), "too-short");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::NoDigits => "no-digits",
            ParseError::NotANumber => "not-a-number",
            ParseError::InvalidPhoneContext => "invalid-phone-context",
            ParseError::InputTooLong => "input-too-long",
            ParseError::MissingRegion => "missing-region",
            ParseError::InvalidCountryCode => "invalid-country-code",
            ParseError::TooShortAfterIdd => "too-short-after-idd",
            ParseError::TooShort => "too-short",
            ParseError::TooLong => "too-long",
            ParseError::InvalidLength => "invalid-length",
            ParseError::NotE164 => "not-e164",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::NoDigits => "no digits: the input does not contain a phone number",
            ParseError::NotANumber => {
                "not a phone number: it has characters a phone number cannot contain, or too few digits"
            }
            ParseError::InvalidPhoneContext => {
                "invalid phone-context: RFC 3966 wants `+` and digits, or a domain name"
            }
            ParseError::InputTooLong => "input too long: phone numbers are read from at most 250 characters",
            ParseError::MissingRegion => {
                "missing region: write the number with + and its country code, or give a default region"
            }
            ParseError::InvalidCountryCode => {
                "invalid country code: the digits after + or the international prefix are not an assigned country calling code"
            }
            ParseError::TooShortAfterIdd => {
                "too short after the international prefix: a country code and number must follow"
            }
            ParseError::TooShort => "too short: fewer digits than any number of this country",
            ParseError::TooLong => "too long: more digits than any number of this country",
            ParseError::InvalidLength => {
                "invalid length: this country has no numbers with this many digits"
            }
            ParseError::NotE164 => {
                "not E.164: expected `+` and digits in canonical form (use `parse` for other forms)"
            }
        })
    }
}

impl core::error::Error for ParseError {}
