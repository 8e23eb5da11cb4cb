//! The peer's side of every comparison, shared by the benchmarks.

/// What phonetoken's `parse` does, with rlibphonenumber: parse, the possible-number check,
/// the E.164 string; `None` where it rejects the input.
pub fn e164(input: &str, region: Option<rlibphonenumber::Region>) -> Option<String> {
    let util = &*rlibphonenumber::PHONE_NUMBER_UTIL;
    let number = util.parse(input, region).ok()?;
    util.is_possible_number(&number).then(|| {
        util.format(&number, rlibphonenumber::PhoneNumberFormat::E164)
            .into_owned()
    })
}
