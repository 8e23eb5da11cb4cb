//! The normalizer: any written form of a phone number to libphonenumber's E.164.
//!
//! PLACEHOLDER: being written.

mod error;

pub use error::ParseError;

use crate::number::{PhoneNumber, Region};

/// Parses `input` as libphonenumber's `parse(input, default_region)` followed by
/// `isPossibleNumber` and `format(E164)` would, and returns the canonical number.
///
/// ```
/// use phonetoken::{parse, Region};
///
/// let n = parse("+1 (415) 555-2671", None)?;
/// assert_eq!(n.as_str(), "+14155552671");
/// let gb: Region = "GB".parse()?;
/// assert_eq!(parse("020 7946 0958", Some(gb))?.as_str(), "+442079460958");
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn parse(input: &str, default_region: Option<Region>) -> Result<PhoneNumber, ParseError> {
    let _ = (input, default_region);
    Err(ParseError::NotANumber)
}
