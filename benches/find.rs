//! The number finder beside rlibphonenumber's `PhoneNumberMatcher`, in bytes of text per
//! second, on the two corpora of `benches/corpus.rs` (chat messages with a number every few
//! hundred bytes; log lines with none), region US, at both leniencies the two share
//! (`Possible` and `Valid`), in one run.
//!
//! Run with `cargo bench -p phonetoken-benches --bench find`; BENCHMARKS.md has the figures.
//! Before anything is timed, both engines search each corpus once at each leniency and their
//! matches (byte ranges and E.164 numbers) are compared: phonetoken must find none in the log
//! corpus, and the count of matches on which the peer disagrees is printed, so that a figure
//! is never the time of different answers unnoticed. Every timed iteration checks its count
//! of matches against that first search.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod corpus;

fn bench_find(c: &mut Criterion) {
    let mut group = c.benchmark_group("find");
    // One iteration searches 256 KiB; the peer takes tens of milliseconds for it.
    group.sample_size(10);
    for name in ["chat", "log"] {
        let text = corpus::by_name(name).expect("a corpus");
        group.throughput(Throughput::Bytes(text.len() as u64));
        for (leniency, ours, theirs) in corpus::LENIENCIES {
            let expected = corpus::ours(&text, ours);
            let peer = corpus::theirs(&text, theirs);
            let differ = expected.iter().filter(|m| !peer.contains(m)).count()
                + peer.iter().filter(|m| !expected.contains(m)).count();
            eprintln!(
                "find/{name}/{leniency}: {} bytes; phonetoken finds {}, rlibphonenumber {}; \
                 {differ} matches found by only one of them",
                text.len(),
                expected.len(),
                peer.len()
            );
            if name == "log" {
                assert!(
                    expected.is_empty(),
                    "a number in the log corpus: {expected:?}"
                );
            }
            let count = expected.len();
            let peer_count = peer.len();
            group.bench_function(format!("{name}/{leniency}/phonetoken"), |b| {
                b.iter(|| {
                    let n = phonetoken::find_numbers(black_box(&text), corpus::REGION.parse().ok())
                        .leniency(ours)
                        .count();
                    assert_eq!(n, count);
                    n
                })
            });
            let factory = &*rlibphonenumber::phonenumber_matcher::PHONE_MATCHER_FACTORY;
            let region = corpus::REGION.parse().ok();
            group.bench_function(format!("{name}/{leniency}/rlibphonenumber"), |b| {
                b.iter(|| {
                    let n = factory
                        .create_matcher(black_box(&text), theirs, corpus::MAX_TRIES, region)
                        .count();
                    assert_eq!(n, peer_count);
                    n
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_find);
criterion_main!(benches);
