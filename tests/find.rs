//! The number finder against answers of libphonenumber's `PhoneNumberMatcher` (the Python
//! port, 9.0.35), on texts chosen for its rules; the generated matcher fixture covers the rest.
#![cfg(feature = "find")]

use phonetoken::{find_numbers, Leniency, Region};

fn region(code: &str) -> Option<Region> {
    Some(code.parse().expect("a region"))
}

fn spans(text: &str, r: Option<Region>, leniency: Leniency) -> Vec<(usize, usize, String)> {
    find_numbers(text, r)
        .leniency(leniency)
        .map(|m| (m.start(), m.end(), m.number().to_string()))
        .collect()
}

#[test]
fn numbers_among_words() {
    let text = "Call 650-253-0000 or +44 20 7946 0958, not order 12345.";
    assert_eq!(
        spans(text, region("US"), Leniency::Valid),
        [
            (5, 17, "+16502530000".to_string()),
            (21, 37, "+442079460958".to_string())
        ]
    );
}

#[test]
fn valid_needs_the_national_prefix_where_it_is_written() {
    assert_eq!(
        spans("020 7946 0958", region("GB"), Leniency::Valid).len(),
        1
    );
    assert_eq!(
        spans("20 7946 0958", region("GB"), Leniency::Valid).len(),
        0
    );
    assert_eq!(
        spans("20 7946 0958", region("GB"), Leniency::Possible).len(),
        1
    );
}

#[test]
fn x_only_before_an_extension() {
    assert_eq!(
        spans("x650 253 0000", region("US"), Leniency::Valid).len(),
        0
    );
    assert_eq!(
        spans("x650 253 0000", region("US"), Leniency::Possible).len(),
        1
    );
    assert_eq!(
        spans("0xx21 1234 5678", region("BR"), Leniency::Valid).len(),
        0
    );
    assert_eq!(
        spans("0xx21 1234 5678", region("BR"), Leniency::Possible).len(),
        1
    );
}

#[test]
fn the_search_gives_up_after_max_tries() {
    // Every "12" is a candidate that is not a number; libphonenumber stops after 65,535.
    let many = "12a ".repeat(70_000) + "+1 650 253 0000";
    assert_eq!(find_numbers(&many, region("US")).count(), 0);
    let fewer = "12a ".repeat(60_000) + "+1 650 253 0000";
    assert_eq!(find_numbers(&fewer, region("US")).count(), 1);
}

#[test]
fn long_runs_of_separators_stay_cheap() {
    let spaces = format!("650 253 0000 ext{}1", " ".repeat(100_000));
    assert_eq!(find_numbers(&spaces, region("US")).count(), 0);
    let dashes = format!("650 253 0000{} 1#", " -".repeat(50_000));
    assert_eq!(find_numbers(&dashes, region("US")).count(), 1);
}
