//! Pseudonymize, tokenize and detokenize, one by one or in batches, and (feature `seal`) seal
//! and open numbers, allocate nothing: counted with a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use phonetoken::{Keyset, PhoneNumber, PseudonymKey, Pseudonymizer, Token, TokenKey, Tokenizer};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let out = f();
    (out, ALLOCATIONS.load(Ordering::SeqCst) - before)
}

#[test]
fn lookup_path_allocates_nothing() {
    // Everything is set up first; only the per-number work is counted. The test harness may
    // allocate on other threads, so the counted closures run on this thread only and the
    // test runs alone in this binary.
    let n: PhoneNumber = "+442079460958".parse().unwrap();
    let p = Pseudonymizer::new(&[1u8; 32]).unwrap();
    let t = Tokenizer::new(7, &[2u8; 64]).unwrap();
    let ks = Keyset::new(
        7,
        PseudonymKey::from_bytes(&[1; 32]).unwrap(),
        TokenKey::from_bytes(&[2; 64]).unwrap(),
    );
    let long_context = [9u8; 200];

    let ((pseudonym, token, back, text_back, all, bad), allocations) = count(|| {
        let pseudonym = p.pseudonymize(&n).truncate(16).unwrap();
        let mut buf = [0u8; 64];
        let _ = pseudonym
            .encode_into(phonetoken::Encoding::Base64Url, &mut buf)
            .unwrap();
        let token = t.tokenize(&n, &long_context);
        let back = t.detokenize(&token, &long_context);
        let mut text = [0u8; phonetoken::MAX_TOKEN_TEXT_LEN];
        let s = token
            .encode_into(phonetoken::Encoding::Base64Url, &mut text)
            .unwrap();
        let text_back = ks.detokenize_str(s, &long_context);
        let all = ks.pseudonymize_all(&n).count();
        let bad = ks.detokenize(&Token::from_bytes(&[1u8; 30]).unwrap(), b"");
        (pseudonym, token, back, text_back, all, bad)
    });
    assert_eq!(allocations, 0);
    assert_eq!(back, Ok(n));
    assert_eq!(text_back, Ok(n));
    assert_eq!(all, 1);
    assert!(bad.is_err());
    assert_eq!(pseudonym.as_bytes().len(), 16);
    assert_eq!(token.key_id(), 7);

    // The batches, into slices made beforehand: more inputs than one group, good and bad.
    let inputs: Vec<&str> = [
        "+1 (415) 555-2671",
        "020 7946 0958",
        "12",
        "+44 20 7946 0958",
    ]
    .into_iter()
    .cycle()
    .take(40)
    .collect();
    let gb = "GB".parse().ok();
    let mut pseudonyms = vec![Err(phonetoken::ParseError::NoDigits); inputs.len()];
    let mut tokens = vec![Err(phonetoken::ParseError::NoDigits); inputs.len()];
    let mut numbers = vec![Err(phonetoken::ParseError::NoDigits); inputs.len()];
    let (oks, allocations) = count(|| {
        [
            phonetoken::pseudonymize_batch(&p, &inputs, gb, &mut pseudonyms),
            phonetoken::tokenize_batch(&t, &inputs, gb, b"ctx", &mut tokens),
            phonetoken::normalize_batch(&inputs, gb, &mut numbers),
        ]
    });
    assert_eq!(allocations, 0);
    assert_eq!(oks.map(Result::unwrap), [30, 30, 30]);

    #[cfg(feature = "seal")]
    seal_and_open(&n, &ks);
}

/// The device's seal and the server's open (in this one test: the counter is global).
#[cfg(feature = "seal")]
fn seal_and_open(n: &PhoneNumber, ks: &Keyset) {
    use phonetoken::seal::{SealPublicKey, Suite, MAX_ENVELOPE_LEN};
    struct Rng(u8);
    impl rand_core::TryRng for Rng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
            d.iter_mut().for_each(|b| {
                self.0 = self.0.wrapping_mul(5).wrapping_add(1);
                *b = self.0
            });
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Rng {}

    for &suite in Suite::ALL {
        let mut pk = vec![0u8; suite.public_key_len()];
        ks.seal_public_key(suite).write_bytes(&mut pk).unwrap();
        let key = ks.seal_key(suite, 7).unwrap();
        let ((device_ok, opened, via_keyset, forged), allocations) = count(|| {
            // The device path: the key from its pinned bytes, the envelope into a buffer.
            let public = SealPublicKey::new(suite, 7, &pk);
            let mut buf = [0u8; MAX_ENVELOPE_LEN];
            let device_ok = public.is_ok();
            let envelope = match &public {
                Ok(p) => p.seal(n, b"ctx", &mut Rng(3), &mut buf).unwrap_or(&[]),
                Err(_) => &[],
            };
            let opened = key.open(envelope, b"ctx");
            let via_keyset = ks.open_sealed(envelope, b"ctx");
            let mut forged = [0u8; MAX_ENVELOPE_LEN];
            forged[..envelope.len()].copy_from_slice(envelope);
            forged[envelope.len() - 1] ^= 1;
            let forged = key.open(&forged[..envelope.len()], b"ctx");
            (device_ok, opened, via_keyset, forged)
        });
        assert_eq!(allocations, 0, "{suite}");
        assert!(device_ok);
        assert_eq!(opened, Ok(*n));
        assert_eq!(via_keyset, Ok(*n));
        assert_eq!(forged, Err(phonetoken::seal::OpenError::Authentication));
    }
}
