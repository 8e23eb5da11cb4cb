//! phonetoken beside rlibphonenumber, the exact peer, on every kind of input the parity
//! fixture holds, in one run.
//!
//! Run with `cargo bench -p phonetoken-benches --bench kinds`; `tools/bench/ratios.py --bench
//! kinds` turns the medians into ratios, and BENCHMARKS.md has the figures.
//!
//! The fixture (tests/data/parity.jsonl) records how each row was made as `family/variant`;
//! the groups here are the families, plus `all` (every row). One iteration normalizes every
//! row of a group once; criterion's throughput is set to the row count, so its per-element
//! time is the time per row. Both sides do the same work: parse with the row's region, the
//! possible-number check, the E.164 string (or the rejection). Before anything is timed,
//! each side's answers are compared with the fixture: phonetoken must agree on every row
//! (tests/parity.rs asserts the same), and the peer's disagreements are counted and printed,
//! so a figure is never the time of a wrong answer unnoticed. The peer panics on some rows
//! (slicing a string inside a character, for one): those rows are counted, printed, and left
//! out of both sides' timed sets, so both sides time the same rows.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod peer;

use peer::Row;

fn rows() -> BTreeMap<String, Vec<Row>> {
    let mut families: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in peer::fixture() {
        families
            .entry(row.family().to_owned())
            .or_default()
            .push(row);
    }
    families
}

fn ours(row: &Row) -> Option<phonetoken::PhoneNumber> {
    phonetoken::parse(black_box(&row.input), row.ours).ok()
}

fn theirs(row: &Row) -> Option<String> {
    peer::e164(black_box(&row.input), row.theirs)
}

fn bench_kinds(c: &mut Criterion) {
    let families = rows();
    let mut group = c.benchmark_group("kinds");
    // One iteration is a whole family (up to the 82,351 rows of `all`): ten samples suffice.
    group.sample_size(10);
    let all: Vec<&Row> = families.values().flatten().collect();
    let mut groups: Vec<(&str, Vec<&Row>)> = vec![("all", all)];
    groups.extend(
        families
            .iter()
            .map(|(k, v)| (k.as_str(), v.iter().collect())),
    );
    let groups: Vec<(&str, Vec<&Row>, usize, usize)> = peer::quietly(|| {
        groups
            .into_iter()
            .map(|(family, rows)| {
                let total = rows.len();
                let (kept, wrong) =
                    rows.into_iter()
                        .fold((Vec::new(), 0), |(mut kept, wrong), r| {
                            match r.peer_answer() {
                                Some(got) => {
                                    let wrong =
                                        wrong + usize::from(got.as_deref() != r.expect.as_deref());
                                    kept.push(r);
                                    (kept, wrong)
                                }
                                None => (kept, wrong),
                            }
                        });
                (family, kept, total, wrong)
            })
            .collect()
    });
    for (family, rows, total, theirs_wrong) in &groups {
        let ours_wrong = rows
            .iter()
            .filter(|r| ours(r).as_ref().map(|n| n.as_str()) != r.expect.as_deref())
            .count();
        assert_eq!(
            ours_wrong, 0,
            "{family}: phonetoken disagrees with the fixture"
        );
        eprintln!(
            "kinds/{family}: {total} rows; rlibphonenumber panics on {} (left out of both \
             sides' timings) and disagrees with libphonenumber on {theirs_wrong} of the rest",
            total - rows.len()
        );
        group.throughput(Throughput::Elements(rows.len() as u64));
        group.bench_function(format!("{family}/phonetoken"), |b| {
            b.iter(|| rows.iter().filter(|r| ours(r).is_some()).count())
        });
        group.bench_function(format!("{family}/rlibphonenumber"), |b| {
            b.iter(|| rows.iter().filter(|r| theirs(r).is_some()).count())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_kinds);
criterion_main!(benches);
