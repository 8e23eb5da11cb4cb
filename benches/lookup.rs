//! The benchmark suite: phonetoken beside the floor and the peers, in one run.
//!
//! Run with `cargo bench --bench lookup`; BENCHMARKS.md has the figures and the machine.
//! Every timed closure checks its result, so a benchmark of a broken path fails loudly.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use phonetoken::{parse, Region};

/// The inputs of the `parse` group: (name, input, default region, expected E.164 or None
/// for an input that must be rejected).
const PARSE_CASES: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    (
        "us_international",
        "+1 (415) 555-2671",
        None,
        Some("+14155552671"),
    ),
    (
        "gb_national",
        "020 7946 0958",
        Some("GB"),
        Some("+442079460958"),
    ),
    (
        "ar_from_us_idd",
        "011 54 9 11 2345-6789",
        Some("US"),
        Some("+5491123456789"),
    ),
    ("rejected_too_short", "+1 415 555 26", None, None),
];

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for &(name, input, region, expected) in PARSE_CASES {
        let ours = region.map(|r| r.parse::<Region>().expect("bench region"));
        group.bench_function(format!("{name}/phonetoken"), |b| {
            b.iter(|| {
                let result = parse(black_box(input), black_box(ours));
                assert_eq!(result.as_ref().ok().map(|n| n.as_str()), expected);
                result
            })
        });
        let peer_region =
            region.map(|r| r.parse::<phonenumber::country::Id>().expect("peer region"));
        group.bench_function(format!("{name}/phonenumber_crate"), |b| {
            b.iter(|| {
                let result = phonenumber::parse(black_box(peer_region), black_box(input))
                    .map(|n| n.format().mode(phonenumber::Mode::E164).to_string());
                if let Some(e164) = expected {
                    assert_eq!(result.as_deref().ok(), Some(e164));
                }
                result
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
