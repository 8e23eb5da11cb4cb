//! The peer's side of every comparison, and the parity fixture's rows, shared by the
//! benchmarks (each uses a part of it).
#![allow(dead_code)]

use std::panic;

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

/// One row of tests/data/parity.jsonl, its region parsed for each engine once, outside any
/// timed loop.
pub struct Row {
    pub input: String,
    /// How the row was made: `family/variant`.
    pub kind: String,
    pub ours: Option<phonetoken::Region>,
    pub theirs: Option<rlibphonenumber::Region>,
    /// The E.164 string, or `None` where libphonenumber rejects the input.
    pub expect: Option<String>,
}

impl Row {
    /// The family of the row's kind (`extension` for `extension/national`).
    pub fn family(&self) -> &str {
        self.kind.split('/').next().unwrap_or(&self.kind)
    }

    /// The peer's answer, or `None` when it panics on the row (it does on a few; run inside
    /// [`quietly`]).
    pub fn peer_answer(&self) -> Option<Option<String>> {
        panic::catch_unwind(|| e164(&self.input, self.theirs)).ok()
    }
}

/// Every row of the fixture, in file order.
pub fn fixture() -> Vec<Row> {
    include_str!("../tests/data/parity.jsonl")
        .lines()
        .enumerate()
        .map(|(n, line)| {
            let value: serde_json::Value =
                serde_json::from_str(line).expect("fixture line is JSON");
            let field = |name: &str| value.get(name).and_then(|v| v.as_str());
            let region = field("region");
            Row {
                input: field("input").expect("input").to_owned(),
                kind: field("kind")
                    .unwrap_or_else(|| panic!("line {}: no kind", n + 1))
                    .to_owned(),
                ours: region.map(|r| r.parse().expect("fixture regions are regions")),
                theirs: region.map(|r| {
                    r.parse()
                        .unwrap_or_else(|_| panic!("rlibphonenumber has no region {r}"))
                }),
                expect: field("expect").map(str::to_owned),
            }
        })
        .collect()
}

/// Runs `f` with panic messages silenced: the peer's panics on the fixture are expected, and
/// their messages would bury the output.
pub fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let out = f();
    panic::set_hook(hook);
    out
}
