//! Firmware that turns a number typed on a keypad into a pseudonym and a token, with no
//! allocator and no `std`: parse with a default region, pseudonymize (HMAC-SHA256), tokenize
//! (AES-256-SIV) and detokenize, all on the stack. With `oprf` it also blinds the number, and a
//! batch of contacts, for oblivious pseudonyms (RFC 9497, VOPRF) and finalizes them against the
//! server's answers; with `seal` it seals the number to the server's public key (RFC 9180);
//! with `validate` it also asks whether the number is valid, its type and its region; with
//! `format` it formats the number for a screen (international layout, and masked); with
//! `find` it finds the numbers in a typed message.
//!
//! Every key, seed and server answer here is a TEST VALUE (src/fixture.rs, src/test_rng.rs,
//! build.rs), NEVER FOR REAL DATA. With the `qemu` feature the image prints its outputs over ARM
//! semihosting for the host checker (tools/firmware/qemu.sh); without it, `black_box` stands in
//! for sending them, so that the flash figures measure the pipeline alone.
#![no_std]
#![no_main]

mod fixture;
mod probe;
#[cfg(any(feature = "oprf", feature = "seal"))]
mod test_rng;

use core::hint::black_box;

use cortex_m_rt::entry;
#[cfg(not(feature = "qemu"))]
use panic_halt as _;
use phonetoken::{parse, Encoding, Pseudonymizer, Region, Tokenizer};

use fixture::*;
use probe::{failure, measure, Failure, Op};

#[entry]
fn main() -> ! {
    let result = run();
    if let Err(failure) = &result {
        probe::report(failure);
    }
    probe::finish(result.is_ok())
}

fn run() -> Result<(), Failure> {
    // `black_box` stands in for keys read from storage and input read from a peripheral, so
    // the compiler cannot fold any of the work away at build time.
    let pseudonymizer = Pseudonymizer::new(black_box(&TEST_PSEUDONYM_KEY[..]))
        .map_err(|_| failure("pseudonym key"))?;
    let tokenizer = Tokenizer::new(black_box(TEST_KEY_ID), black_box(&TEST_TOKEN_KEY[..]))
        .map_err(|_| failure("token key"))?;
    let region = black_box(TYPED.1).parse::<Region>().ok();
    let context = black_box(TOKEN_CONTEXT);

    let number = measure(Op::Parse, black_box(TYPED.0), |typed| parse(typed, region))
        .map_err(|_| failure("parse"))?;
    probe::number("e164", &number);
    // A device that only accepts valid numbers, and wants their type (a mobile for a text
    // message) and region.
    #[cfg(feature = "validate")]
    {
        let (valid, kind, region) = measure(Op::Validate, &number, |n| {
            (n.is_valid(), n.number_type(), n.region())
        });
        probe::text("valid", if valid { "true" } else { "false" });
        probe::text("type", kind.as_str());
        probe::text("region", region.as_ref().map_or("none", Region::as_str));
    }
    // A device that shows the number to a person (a screen, a dialler): libphonenumber's
    // layouts and the masked one, into a stack buffer. The format comes from `black_box`,
    // so every branch stays in the image.
    #[cfg(feature = "format")]
    {
        let mut shown = [0u8; phonetoken::MAX_FORMATTED_LEN];
        let text = measure(Op::Format, &number, |n| {
            n.format(black_box(phonetoken::Format::International), &mut shown)
        })
        .map_err(|_| failure("format"))?;
        probe::text("international", text);
        let text = number
            .format(
                black_box(phonetoken::Format::Masked { visible: 4 }),
                &mut shown,
            )
            .map_err(|_| failure("format"))?;
        probe::text("masked", text);
    }

    // A device that pseudonymizes the numbers written in a message before it leaves: each
    // match's span and number, kept on the stack (at most FOUND of them).
    #[cfg(feature = "find")]
    {
        const FOUND: usize = 4;
        let (found, count) = measure(Op::Find, black_box(MESSAGE), |message| {
            let mut found = [None; FOUND];
            let mut count = 0;
            for (slot, m) in found
                .iter_mut()
                .zip(phonetoken::find_numbers(message, region))
            {
                *slot = Some((m.start(), m.end(), m.number()));
                count += 1;
            }
            (found, count)
        });
        probe::count("found.count", count);
        for (i, (start, end, number)) in found.iter().flatten().enumerate() {
            let mut text = [0u8; 64];
            let pseudonym = pseudonymizer
                .pseudonymize(number)
                .encode_into(Encoding::Base64Url, &mut text)
                .map_err(|_| failure("found pseudonym text"))?;
            probe::found(i, (*start, *end), number, pseudonym);
        }
    }

    let pseudonym = measure(Op::Pseudonymize, &number, |n| pseudonymizer.pseudonymize(n));
    // The text forms a device would send: base64url, no allocation.
    let mut text = [0u8; phonetoken::MAX_TOKEN_TEXT_LEN];
    let encoded = pseudonym
        .encode_into(Encoding::Base64Url, &mut text)
        .map_err(|_| failure("pseudonym text"))?;
    probe::text("pseudonym", encoded);

    let token = measure(Op::Tokenize, &number, |n| tokenizer.tokenize(n, context));
    let encoded = token
        .encode_into(Encoding::Base64Url, &mut text)
        .map_err(|_| failure("token text"))?;
    probe::text("token", encoded);

    // A device that also reads tokens back (for example from its own log).
    let back = measure(Op::Detokenize, &token, |t| tokenizer.detokenize(t, context))
        .map_err(|_| failure("detokenize"))?;
    probe::number("detokenized", &back);

    #[cfg(feature = "oprf")]
    oblivious::run(&number)?;
    #[cfg(feature = "seal")]
    sealed::run(&number)?;
    Ok(())
}

/// Oblivious pseudonyms in VOPRF mode against the test server (TEST KEY ONLY) whose public key
/// and answers build.rs computed on the host.
#[cfg(feature = "oprf")]
mod oblivious {
    use super::{
        black_box, failure, fixture::*, measure, parse, probe, test_rng::TestRng, Failure, Op,
    };
    use phonetoken::oprf::{max_request_len, Client, Mode, ObliviousPseudonym, PublicKey};
    use phonetoken::PhoneNumber;

    /// The pinned key of the TEST server.
    const PUBLIC_KEY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/oprf_public_key.bin"));
    /// The TEST server's answer to the request for [`TYPED`].
    const RESPONSE_ONE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/oprf_response_one.bin"));
    /// The TEST server's answer to the request for [`BATCH`].
    const RESPONSE_BATCH: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/oprf_response_batch.bin"));
    const LABELS: [&str; 3] = [
        "oprf.batch.pseudonym0",
        "oprf.batch.pseudonym1",
        "oprf.batch.pseudonym2",
    ];
    const E164_LABELS: [&str; 3] = ["batch0.e164", "batch1.e164", "batch2.e164"];

    pub fn run(number: &PhoneNumber) -> Result<(), Failure> {
        let key = PublicKey::from_bytes(black_box(PUBLIC_KEY)).map_err(|_| failure("oprf key"))?;
        let client = Client::new(&key);

        // One number. TEST RNG ONLY: real blinds come from the hardware RNG.
        let mut rng = TestRng::new(RNG_SEED_BLIND_ONE);
        let mut request = [0u8; max_request_len(Mode::Voprf, 1, 0)];
        let (blinded, request) = measure(Op::BlindOne, number, |n| {
            client.blind_one(n, &mut rng, &mut request)
        })
        .map_err(|_| failure("blind one"))?;
        probe::hex("oprf.one.request", request);
        let pseudonym = measure(Op::FinalizeOne, black_box(RESPONSE_ONE), |r| {
            blinded.finalize_one(r)
        })
        .map_err(|_| failure("finalize one"))?;
        probe::hex("oprf.one.pseudonym", pseudonym.as_bytes());

        // A batch of contacts, one proof for all.
        let contact = |(typed, region): (&str, &str)| {
            let region = black_box(region).parse().ok();
            parse(black_box(typed), region).map_err(|_| failure("parse contact"))
        };
        let contacts = [contact(BATCH[0])?, contact(BATCH[1])?, contact(BATCH[2])?];
        for (contact, label) in contacts.iter().zip(E164_LABELS) {
            probe::number(label, contact);
        }
        let mut rng = TestRng::new(RNG_SEED_BLIND_BATCH);
        let mut request = [0u8; max_request_len(Mode::Voprf, 3, 0)];
        let (blinded, request) = measure(Op::BlindBatch, &contacts[..], |c| {
            client.blind::<_, _, 3>(c, &mut rng, &mut request)
        })
        .map_err(|_| failure("blind batch"))?;
        probe::hex("oprf.batch.request", request);
        let mut out = [ObliviousPseudonym::default(); 3];
        measure(Op::FinalizeBatch, black_box(RESPONSE_BATCH), |r| {
            blinded.finalize(r, &mut out)
        })
        .map_err(|_| failure("finalize batch"))?;
        for (pseudonym, label) in out.iter().zip(LABELS) {
            probe::hex(label, pseudonym.as_bytes());
        }
        Ok(())
    }
}

/// The number sealed to the test server's public key (TEST KEY ONLY, from build.rs).
#[cfg(feature = "seal")]
mod sealed {
    use super::{black_box, failure, fixture::*, measure, probe, test_rng::TestRng, Failure, Op};
    use phonetoken::seal::{SealPublicKey, Suite, MAX_ENVELOPE_LEN};
    use phonetoken::PhoneNumber;

    /// The TEST server's public key.
    const PUBLIC_KEY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/seal_public_key.bin"));
    /// The TEST server's X-Wing public key (the same seed).
    #[cfg(feature = "seal-xwing")]
    const XWING_PUBLIC_KEY: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/seal_xwing_public_key.bin"));

    pub fn run(number: &PhoneNumber) -> Result<(), Failure> {
        let key = SealPublicKey::new(
            Suite::X25519_SHA256_CHACHA20POLY1305,
            TEST_SEAL_KEY_ID,
            black_box(PUBLIC_KEY),
        )
        .map_err(|_| failure("seal key"))?;
        // TEST RNG ONLY: a real ephemeral key comes from the hardware RNG.
        let mut rng = TestRng::new(RNG_SEED_SEAL);
        // One buffer for both suites: with `seal-xwing` it is X-Wing's 1,168 bytes.
        let mut buf = [0u8; MAX_ENVELOPE_LEN];
        let envelope = measure(Op::Seal, number, |n| {
            key.seal(n, SEAL_CONTEXT, &mut rng, &mut buf)
        })
        .map_err(|_| failure("seal"))?;
        probe::hex("sealed", envelope);
        #[cfg(feature = "seal-xwing")]
        {
            let key = SealPublicKey::new(
                Suite::XWING_SHA256_CHACHA20POLY1305,
                TEST_SEAL_KEY_ID,
                black_box(XWING_PUBLIC_KEY),
            )
            .map_err(|_| failure("seal key (X-Wing)"))?;
            let mut rng = TestRng::new(RNG_SEED_SEAL_XWING);
            let envelope = measure(Op::SealXwing, number, |n| {
                key.seal(n, SEAL_CONTEXT, &mut rng, &mut buf)
            })
            .map_err(|_| failure("seal (X-Wing)"))?;
            probe::hex("sealed.xwing", envelope);
        }
        Ok(())
    }
}

/// The global allocator `seal-xwing` needs to link (the `x-wing` crate enables `zeroize`'s
/// `alloc` feature): every allocation fails, so an allocation anywhere in the self-test ends it
/// in the allocation-error handler (a panic, `error panic` under `qemu`), and a passing run
/// proves that sealing allocates nothing.
#[cfg(feature = "seal-xwing")]
mod no_heap {
    use core::alloc::{GlobalAlloc, Layout};

    struct NoHeap;

    // SAFETY: returning null is how an allocator reports failure; `dealloc` is never reached,
    // as no allocation ever succeeds.
    unsafe impl GlobalAlloc for NoHeap {
        unsafe fn alloc(&self, _: Layout) -> *mut u8 {
            core::ptr::null_mut()
        }
        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }

    #[global_allocator]
    static HEAP: NoHeap = NoHeap;
}
