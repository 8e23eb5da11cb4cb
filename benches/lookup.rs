//! The benchmark suite: phonetoken beside the floor and the peers, in one run.
//!
//! Run with `cargo bench -p phonetoken-benches --bench lookup`; BENCHMARKS.md has the figures and the machine.
//! Every timed closure checks its result, so a benchmark of a broken path fails loudly.

use std::hint::black_box;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use phonetoken::{parse, PhoneNumber, Pseudonymizer, Region, Tokenizer};
use sha2::Sha256;

mod peer;

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
            region.map(|r| r.parse::<rlibphonenumber::Region>().expect("peer region"));
        group.bench_function(format!("{name}/rlibphonenumber"), |b| {
            b.iter(|| {
                let result = peer::e164(black_box(input), black_box(peer_region));
                assert_eq!(result.as_deref(), expected);
                result
            })
        });
    }
    group.finish();
}

/// A fixed key for the benchmarks (the values do not matter, the work does).
const PSEUDONYM_KEY: [u8; 32] = [0x42; 32];
const TOKEN_KEY: [u8; 64] = [0x24; 64];
const CONTEXT: &[u8] = b"contacts";
const RAW_INTERNATIONAL: &str = "+1 (415) 555-2671";
const E164: &str = "+14155552671";

/// The lookup path beside its floor (the cryptography it cannot avoid) and beside what a
/// user would otherwise write with the crates of the field.
fn bench_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    let number: PhoneNumber = E164.parse().expect("bench number");
    let us: Region = "US".parse().expect("bench region");

    // Floor: the two SHA-256 compressions HMAC-SHA256 of a one-block message needs, as one
    // `compress256` call on two blocks. The second depends on the first, as HMAC's outer
    // compression depends on the inner hash. The state also carries over from one iteration
    // to the next, so the processor cannot overlap iterations: this is the time the two
    // compressions take for one pseudonym (the "about 76 ns"), the floor the goals
    // are set against. `_overlapped` starts every iteration afresh, so the processor runs
    // consecutive iterations partly at once: the throughput of the compressions alone,
    // reported beside it.
    let blocks = [[0x36u8; 64], [0x5cu8; 64]];
    let mut state = [0x6a09e667u32; 8];
    group.bench_function("floor_sha256_2_blocks", |b| {
        b.iter(|| {
            sha2::block_api::compress256(&mut state, black_box(&blocks));
            state
        })
    });
    group.bench_function("floor_sha256_2_blocks_overlapped", |b| {
        b.iter(|| {
            let mut state = [0x6a09e667u32; 8];
            sha2::block_api::compress256(&mut state, black_box(&blocks));
            state
        })
    });

    // Floor: the AES-256 block encryptions AES-SIV needs for a message under 16 bytes with
    // one short associated-data element (CMAC of the context, CMAC of the final S2V block,
    // one CTR block), keys expanded once, each block the previous one's output, whole
    // blocks moved between them. Carried over between iterations like the SHA-256 floor
    // (the "about 18 ns each"); `_overlapped` starts every iteration afresh.
    let mac_cipher = aes::Aes256::new_from_slice(&TOKEN_KEY[..32]).expect("32-byte key");
    let ctr_cipher = aes::Aes256::new_from_slice(&TOKEN_KEY[32..]).expect("32-byte key");
    let three_blocks = |start: aes::Block| {
        let mut block = start;
        mac_cipher.encrypt_block(&mut block);
        mac_cipher.encrypt_block(&mut block);
        ctr_cipher.encrypt_block(&mut block);
        block
    };
    let mut carried = aes::Block::default();
    group.bench_function("floor_aes_siv_blocks", |b| {
        b.iter(|| {
            carried = three_blocks(carried);
            carried
        })
    });
    let start = aes::Block::default();
    group.bench_function("floor_aes_siv_blocks_overlapped", |b| {
        b.iter(|| three_blocks(*black_box(&start)))
    });

    group.bench_function("peer_rlibphonenumber_parse_e164", |b| {
        b.iter(|| {
            let e164 = peer::e164(black_box(RAW_INTERNATIONAL), None).expect("peer parses");
            assert_eq!(e164, E164);
            e164
        })
    });
    group.bench_function("peer_naive_hmac", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(black_box(&PSEUDONYM_KEY)).expect("key");
            mac.update(black_box(E164.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function("peer_naive_aes_siv", |b| {
        b.iter(|| {
            let mut siv =
                aes_siv::siv::Aes256Siv::new_from_slice(black_box(&TOKEN_KEY)).expect("key");
            let mut buf = [0u8; 12];
            buf.copy_from_slice(E164.as_bytes());
            let tag = siv
                .encrypt_inout_detached([CONTEXT], (&mut buf[..]).into())
                .expect("encrypts");
            (tag, buf)
        })
    });

    group.bench_function("normalize_international", |b| {
        b.iter(|| {
            let n = parse(black_box(RAW_INTERNATIONAL), None).expect("parses");
            assert_eq!(n.as_str(), E164);
            n
        })
    });
    group.bench_function("normalize_national", |b| {
        b.iter(|| {
            let n = parse(black_box("(415) 555-2671"), Some(us)).expect("parses");
            assert_eq!(n.as_str(), E164);
            n
        })
    });

    let pseudonymizer = Pseudonymizer::new(&PSEUDONYM_KEY).expect("32-byte key");
    let expected = {
        let mut mac = Hmac::<Sha256>::new_from_slice(&PSEUDONYM_KEY).expect("key");
        mac.update(E164.as_bytes());
        mac.finalize().into_bytes()
    };
    assert_eq!(
        pseudonymizer.pseudonymize(&number).as_bytes(),
        &expected[..]
    );
    group.bench_function("pseudonymize_parsed", |b| {
        b.iter(|| pseudonymizer.pseudonymize(black_box(&number)))
    });
    group.bench_function("pseudonymize_raw", |b| {
        b.iter(|| {
            let n = parse(black_box(RAW_INTERNATIONAL), None).expect("parses");
            pseudonymizer.pseudonymize(&n)
        })
    });

    let tokenizer = Tokenizer::new(7, &TOKEN_KEY).expect("64-byte key");
    let token = tokenizer.tokenize(&number, CONTEXT);
    group.bench_function("tokenize", |b| {
        b.iter(|| tokenizer.tokenize(black_box(&number), black_box(CONTEXT)))
    });
    group.bench_function("detokenize", |b| {
        b.iter(|| {
            let n = tokenizer
                .detokenize(black_box(&token), black_box(CONTEXT))
                .expect("opens");
            assert_eq!(n, number);
            n
        })
    });

    // The same four operations one after another instead of side by side: each one's input
    // is picked (between two equal copies) by a bit of the previous one's output, so the
    // processor cannot start an operation before the previous one ends. These are the time
    // of one call, to set beside the floors measured the same way.
    // `black_box`, so that the compiler cannot see that both copies are equal and drop the
    // choice (and with it the wait).
    let numbers = black_box([number, number]);
    let inputs = black_box([RAW_INTERNATIONAL, RAW_INTERNATIONAL]);
    let tokens = black_box([token, token]);
    let mut bit = 0usize;
    group.bench_function("pseudonymize_parsed_chained", |b| {
        b.iter(|| {
            let p = pseudonymizer.pseudonymize(&numbers[bit]);
            bit = usize::from(p.as_bytes()[0] & 1);
            p
        })
    });
    group.bench_function("pseudonymize_raw_chained", |b| {
        b.iter(|| {
            let n = parse(inputs[bit], None).expect("parses");
            let p = pseudonymizer.pseudonymize(&n);
            bit = usize::from(p.as_bytes()[0] & 1);
            p
        })
    });
    group.bench_function("tokenize_chained", |b| {
        b.iter(|| {
            let t = tokenizer.tokenize(&numbers[bit], black_box(CONTEXT));
            bit = usize::from(t.as_bytes()[5] & 1);
            t
        })
    });
    group.bench_function("detokenize_chained", |b| {
        b.iter(|| {
            let n = tokenizer
                .detokenize(&tokens[bit], black_box(CONTEXT))
                .expect("opens");
            bit = usize::from(n.as_bytes()[11] & 1);
            n
        })
    });
    group.finish();
}

/// 1024 written numbers in several forms, all valid with region US: the batch inputs.
fn batch_inputs() -> Vec<String> {
    (0..1024)
        .map(|i| match i % 4 {
            0 => format!("+1 (415) 555-{:04}", i),
            1 => format!("(650) 253-{:04}", i),
            2 => format!("+44 20 7946 {:04}", i),
            _ => format!("011 33 1 42 68 {:02} {:02}", i % 100, i / 100),
        })
        .collect()
}

/// The batch API beside the same 1024 inputs through the single-item calls, per element.
fn bench_batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    let inputs = batch_inputs();
    let us: Region = "US".parse().expect("bench region");
    let pseudonymizer = Pseudonymizer::new(&PSEUDONYM_KEY).expect("32-byte key");
    group.throughput(criterion::Throughput::Elements(inputs.len() as u64));
    let mut out = vec![Err(phonetoken::ParseError::NoDigits); inputs.len()];
    group.bench_function("pseudonymize_raw_batch_1024", |b| {
        b.iter(|| {
            let ok = phonetoken::pseudonymize_batch(
                &pseudonymizer,
                black_box(&inputs),
                Some(us),
                &mut out,
            )
            .expect("one slot per input");
            assert_eq!(ok, 1024);
        })
    });
    // The same work item by item, into the same kind of output slice.
    group.bench_function("pseudonymize_raw_loop_1024", |b| {
        b.iter(|| {
            let mut ok = 0;
            for (input, slot) in black_box(&inputs).iter().zip(out.iter_mut()) {
                *slot = parse(input, Some(us)).map(|n| pseudonymizer.pseudonymize(&n));
                ok += usize::from(slot.is_ok());
            }
            assert_eq!(ok, 1024);
        })
    });
    // The expected values, checked once: the batch agrees with HMAC-SHA256 of each E.164.
    phonetoken::pseudonymize_batch(&pseudonymizer, &inputs, Some(us), &mut out).expect("slots");
    for (input, slot) in inputs.iter().zip(&out) {
        let e164 = parse(input, Some(us)).expect("valid input");
        let mut mac = Hmac::<Sha256>::new_from_slice(&PSEUDONYM_KEY).expect("key");
        mac.update(e164.as_bytes());
        assert_eq!(
            slot.as_ref().expect("pseudonym").as_bytes(),
            &mac.finalize().into_bytes()[..]
        );
    }
    group.finish();
}

/// Validity and number type (feature `validate`) of the numbers the `parse` group accepts,
/// parsed once outside the timed loop, beside rlibphonenumber's `is_valid_number` and
/// `get_number_type` on its own parse of the same input.
fn bench_validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    let util = &*rlibphonenumber::PHONE_NUMBER_UTIL;
    for &(name, input, region, expected) in PARSE_CASES {
        if expected.is_none() {
            continue;
        }
        let ours = parse(input, region.map(|r| r.parse().expect("bench region"))).expect("parses");
        let peer_region =
            region.map(|r| r.parse::<rlibphonenumber::Region>().expect("peer region"));
        let theirs = util.parse(input, peer_region).expect("peer parses");
        let peer_valid = util.is_valid_number(&theirs);
        assert_eq!(ours.is_valid(), peer_valid, "{name}");
        group.bench_function(format!("{name}/phonetoken"), |b| {
            b.iter(|| {
                let n = black_box(&ours);
                (n.is_valid(), n.number_type())
            })
        });
        group.bench_function(format!("{name}/rlibphonenumber"), |b| {
            b.iter(|| {
                let n = black_box(&theirs);
                let valid = util.is_valid_number(n);
                (valid, util.get_number_type(n))
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_parse,
    bench_lookup,
    bench_batch,
    bench_validate
);
criterion_main!(benches);
