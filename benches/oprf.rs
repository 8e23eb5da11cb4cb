//! The server's public-key work beside its floors, in one run: oblivious pseudonyms (RFC 9497,
//! feature `oprf`) and sealed numbers (RFC 9180, feature `seal`, and `seal-xwing`).
//!
//! Run with `cargo bench -p phonetoken-benches --bench oprf --features seal-xwing` (the crate
//! builds phonetoken as a server does, with `alloc`: the batch prover of src/oprf/prover.rs); BENCHMARKS.md has the
//! figures, and `tools/bench/ratios.py` the goal ratios in rounds. Every timed closure checks
//! its result, so a benchmark of a broken path fails loudly.
//!
//! Ids of the `server` group that evaluate batches time one request (decode and evaluate);
//! the per-element figures divide by the batch size.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use phonetoken::oprf::{
    max_request_len, max_response_len, Client, Mode, ObliviousPseudonym, Request, Server, MAX_BATCH,
};
use phonetoken::seal::{SealKey, Suite, MAX_ENVELOPE_LEN};
use phonetoken::{PhoneNumber, TokenKey};
use voprf_ng::{BlindedElement, Group, Ristretto255, VoprfServer};

/// RFC 9497's HashToGroup DST in VOPRF mode, in the two parts `voprf-ng` hashes it in.
const HASH_TO_GROUP_DST: [&[u8]; 2] = [b"HashToGroup-OPRFV1-\x01-", b"ristretto255-SHA512"];

/// The batch: 1,000 evaluations, sent as requests of at most `MAX_BATCH`.
const EVALUATIONS: usize = 1000;

/// `count` distinct numbers (US, 555 exchange).
fn numbers(count: usize) -> Vec<PhoneNumber> {
    (0..count)
        .map(|k| format!("+1415555{:04}", k).parse().expect("bench number"))
        .collect()
}

/// The request bytes a device sends for `numbers` (at most `MAX_BATCH`).
fn request_for(server: &Server, numbers: &[PhoneNumber], info: &[u8]) -> Vec<u8> {
    let pk = server.public_key();
    let client = Client::new(&pk).with_info(info).expect("bench info");
    let mut buf = vec![0u8; max_request_len(pk.mode(), numbers.len(), info.len())];
    let (blinded, request) = client
        .blind::<_, _, MAX_BATCH>(numbers, &mut rand::rng(), &mut buf)
        .expect("bench blind");
    let request = request.to_vec();
    // The server's answer finalizes to the direct evaluation: the benchmarked path is right.
    let mut response = vec![0u8; max_response_len(pk.mode(), numbers.len())];
    let response = server
        .evaluate(
            &Request::decode(&request).expect("bench request"),
            &mut rand::rng(),
            &mut response,
        )
        .expect("bench evaluate");
    let mut out = vec![ObliviousPseudonym::default(); numbers.len()];
    blinded
        .finalize(response, &mut out)
        .expect("bench finalize");
    for (n, p) in numbers.iter().zip(&out) {
        assert_eq!(*p, server.evaluate_input(n, info).expect("bench direct"));
    }
    request
}

/// Decodes and evaluates one request, as a server does per request; returns the response length.
fn serve(server: &Server, request: &[u8], response: &mut [u8]) -> usize {
    let request = Request::decode(black_box(request)).expect("bench request");
    let response = server
        .evaluate(&request, &mut rand::rng(), response)
        .expect("bench evaluate");
    response.len()
}

fn bench_server(c: &mut Criterion) {
    let mut group = c.benchmark_group("server");
    // A batch of 64 takes milliseconds; fewer samples keep the run within minutes.
    group.sample_size(20);
    let key = <Ristretto255 as Group>::deserialize_scalar(&[7; 32]).expect("bench scalar");

    // The floor per element: RFC 9380 hash_to_ristretto255 (expand_message_xmd with SHA-512,
    // as RFC 9497's HashToGroup calls it) and one variable-base scalar multiplication, both
    // curve25519-dalek's through voprf-ng's group, the cost of evaluating one element.
    group.bench_function("floor_hash_to_group_mul", |b| {
        b.iter(|| {
            let point = <Ristretto255 as Group>::hash_to_curve::<sha2::Sha512>(
                &[black_box(b"+14155552671")],
                &HASH_TO_GROUP_DST,
            )
            .expect("bench hash");
            let out = point * black_box(key);
            assert!(!bool::from(<Ristretto255 as Group>::is_identity_elem(out)));
            out
        })
    });
    // The floor's two parts, to read the others against.
    group.bench_function("floor_mul", |b| {
        let point = <Ristretto255 as Group>::base_elem();
        b.iter(|| black_box(point) * black_box(key))
    });
    group.bench_function("floor_hash_to_group", |b| {
        b.iter(|| {
            <Ristretto255 as Group>::hash_to_curve::<sha2::Sha512>(
                &[black_box(b"+14155552671")],
                &HASH_TO_GROUP_DST,
            )
            .expect("bench hash")
        })
    });

    let all = numbers(EVALUATIONS);
    let mut response = vec![0u8; max_response_len(Mode::Voprf, MAX_BATCH)];
    for (mode, name) in [
        (Mode::Voprf, "voprf"),
        (Mode::Poprf, "poprf"),
        (Mode::Oprf, "oprf"),
    ] {
        let server = Server::derive(mode, 7, &[0x42; 32], b"bench").expect("bench key");
        let info: &[u8] = if mode == Mode::Poprf { b"2026" } else { b"" };
        let sizes: &[usize] = if mode == Mode::Voprf {
            &[1, 16, MAX_BATCH]
        } else {
            &[MAX_BATCH]
        };
        for &size in sizes {
            let request = request_for(&server, &all[..size], info);
            let expected = max_response_len(mode, size);
            group.bench_function(format!("{name}_evaluate_{size}"), |b| {
                b.iter(|| assert_eq!(serve(&server, &request, &mut response), expected))
            });
        }
        // The direct evaluation (the server's table of registered numbers), per number.
        group.bench_function(format!("{name}_evaluate_number"), |b| {
            b.iter(|| {
                server
                    .evaluate_input(black_box(&all[0]), info)
                    .expect("bench direct")
            })
        });
    }

    // 1,000 evaluations as a server receives them: requests of at most MAX_BATCH (15 of 64
    // and one of 40), each with its proof.
    let server = Server::derive(Mode::Voprf, 7, &[0x42; 32], b"bench").expect("bench key");
    let requests: Vec<Vec<u8>> = all
        .chunks(MAX_BATCH)
        .map(|chunk| request_for(&server, chunk, b""))
        .collect();
    group.bench_function(
        format!("voprf_evaluate_{EVALUATIONS}_in_requests_of_64"),
        |b| {
            b.iter(|| {
                let mut total = 0;
                for request in &requests {
                    total += serve(&server, request, &mut response);
                }
                assert_eq!(
                    total,
                    requests.len() * 7 + EVALUATIONS * 32 + requests.len() * 64
                );
                total
            })
        },
    );

    // voprf-ng's own batch evaluation of 64 (one scalar multiplication per element for the
    // proof's composite), for comparison with ours.
    let upstream =
        VoprfServer::<Ristretto255>::new_from_seed(&[0x42; 32], b"bench").expect("bench key");
    let blinded: Vec<BlindedElement<Ristretto255>> = requests[0][7..]
        .chunks_exact(32)
        .map(|e| BlindedElement::deserialize(e).expect("bench element"))
        .collect();
    group.bench_function("voprf_ng_batch_evaluate_64", |b| {
        b.iter(|| {
            let prepared: Vec<_> = upstream
                .batch_blind_evaluate_prepare(blinded.iter())
                .collect();
            let result = upstream
                .batch_blind_evaluate_finish(&mut rand::rng(), blinded.iter(), &prepared)
                .expect("bench upstream");
            let messages: Vec<_> = result.messages.map(|m| m.serialize()).collect();
            assert_eq!(messages.len(), MAX_BATCH);
            (messages, result.proof.serialize())
        })
    });
    group.finish();
}

fn bench_seal(c: &mut Criterion) {
    let mut group = c.benchmark_group("seal");
    let number: PhoneNumber = "+14155552671".parse().expect("bench number");
    let token_key = TokenKey::from_bytes(&[0x24; 64]).expect("bench key");

    // One X25519 scalar multiplication (x25519-dalek, on curve25519-dalek as hpke's is): a
    // seal does two (the ephemeral key and the shared secret), an open one.
    group.bench_function("x25519", |b| {
        let point = x25519_dalek::X25519_BASEPOINT_BYTES;
        b.iter(|| {
            let out = x25519_dalek::x25519(black_box([0x42; 32]), black_box(point));
            assert_ne!(out, [0; 32]);
            out
        })
    });
    for &suite in Suite::ALL {
        // The suite enum is open (`non_exhaustive`); the one besides X25519 is X-Wing.
        let name = if suite == Suite::X25519_SHA256_CHACHA20POLY1305 {
            "x25519"
        } else {
            "xwing"
        };
        let key = SealKey::derive(suite, 7, &token_key);
        let public = key.public_key().clone();
        let mut buf = [0u8; MAX_ENVELOPE_LEN];
        group.bench_function(format!("seal_{name}"), |b| {
            b.iter(|| {
                let envelope = public
                    .seal(
                        black_box(&number),
                        b"activation",
                        &mut rand::rng(),
                        &mut buf,
                    )
                    .expect("bench seal");
                assert_eq!(envelope.len(), suite.envelope_len());
            })
        });
        let envelope = public
            .seal(&number, b"activation", &mut rand::rng(), &mut buf)
            .expect("bench seal")
            .to_vec();
        group.bench_function(format!("open_{name}"), |b| {
            b.iter(|| {
                let opened = key
                    .open(black_box(&envelope), b"activation")
                    .expect("bench open");
                assert_eq!(opened, number);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_server, bench_seal);
criterion_main!(benches);
