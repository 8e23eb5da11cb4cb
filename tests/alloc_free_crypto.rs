//! Pseudonymize, tokenize and detokenize, one by one or in batches, (feature `seal`) seal and
//! open numbers, and (feature `oprf`) the device's side of oblivious pseudonyms (blind one
//! number and a batch, finalize with proof verification in every mode, decode a pinned public
//! key, encode the result) allocate nothing: counted with a global allocator. The server's
//! evaluation runs outside the count.

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
        let full = p.pseudonymize(&n);
        let _ = phonetoken::Encoding::Base64
            .encode_to_slice(full.as_bytes(), &mut buf)
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
    #[cfg(feature = "oprf")]
    oprf_client_path();
    #[cfg(feature = "oprf")]
    oprf_server_path();
}

#[cfg(any(feature = "seal", feature = "oprf"))]
/// A small deterministic generator (xorshift; a test stand-in for the device's TRNG) that
/// itself never allocates.
struct XorShift(u64);

#[cfg(any(feature = "seal", feature = "oprf"))]
impl rand_core::TryRng for XorShift {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(any(feature = "seal", feature = "oprf"))]
impl rand_core::TryCryptoRng for XorShift {}

/// The OPRF client: blind, finalize, a refused response (in this one test: the counter is
/// global).
#[cfg(feature = "oprf")]
fn oprf_client_path() {
    use phonetoken::oprf::{Blinded, Client, Mode, ObliviousPseudonym, PublicKey, Request, Server};
    use phonetoken::Encoding;

    let pk_of = |bytes: &[u8]| PublicKey::from_bytes(bytes).unwrap();

    let numbers: [PhoneNumber; 3] = [
        "+14155552671".parse().unwrap(),
        "+442079460958".parse().unwrap(),
        "+61491570156".parse().unwrap(),
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for mode in [Mode::Oprf, Mode::Voprf, Mode::Poprf] {
        let server = Server::derive(mode, 7, &[0x42; 32], b"alloc").unwrap();
        let pinned = server.public_key().to_bytes();

        // Blind (counted), evaluate (not counted), finalize (counted).
        let mut request = [0u8; 256];
        let ((blinded, request), allocations) = count(|| {
            let pk = PublicKey::from_bytes(&pinned).unwrap();
            let client = Client::new(&pk).with_info(b"epoch").unwrap();
            client
                .blind::<_, _, 4>(&numbers, &mut rng, &mut request)
                .unwrap()
        });
        assert_eq!(allocations, 0, "{mode}: blind");
        let mut response = [0u8; 256];
        let response = server
            .evaluate(&Request::decode(request).unwrap(), &mut rng, &mut response)
            .unwrap();

        // The state, exported and imported again (as a client that finalizes in another
        // run does): no allocation either.
        let mut state = [0u8; 512];
        let (state, allocations) = count(|| blinded.export_into(&mut state).unwrap());
        assert_eq!(allocations, 0, "{mode}: export");
        drop(blinded);
        let (blinded, allocations) =
            count(|| Blinded::<4>::import(&pk_of(&pinned), state).unwrap());
        assert_eq!(allocations, 0, "{mode}: import");

        let (out, allocations) = count(|| {
            let mut out = [ObliviousPseudonym::default(); 3];
            blinded.finalize(response, &mut out).unwrap();
            let mut text = [0u8; 128];
            let short = out[0].truncate(16).unwrap();
            let _ = short.encode_into(Encoding::Base64Url, &mut text).unwrap();
            out
        });
        assert_eq!(allocations, 0, "{mode}: finalize");
        let info: &[u8] = if mode == Mode::Poprf { b"epoch" } else { b"" };
        for (n, p) in numbers.iter().zip(out) {
            assert_eq!(p, server.evaluate_input(n, info).unwrap(), "{mode}");
        }

        // One number, and a refused (tampered) response: no allocation either.
        let mut request = [0u8; 64];
        let pk = server.public_key();
        let client = Client::new(&pk);
        let ((one, request), allocations) = count(|| {
            client
                .blind_one(&numbers[0], &mut rng, &mut request)
                .unwrap()
        });
        assert_eq!(allocations, 0, "{mode}: blind one");
        let mut response = [0u8; 128];
        let response = server
            .evaluate(&Request::decode(request).unwrap(), &mut rng, &mut response)
            .unwrap()
            .to_vec();
        let mut tampered = response.clone();
        *tampered.last_mut().unwrap() ^= 1;
        let (result, allocations) = count(|| one.finalize_one(&tampered));
        assert_eq!(allocations, 0, "{mode}: refused finalize");
        // Without a proof (OPRF) only a non-canonical element is caught, which this may not be.
        assert!(
            mode == Mode::Oprf || result.is_err(),
            "{mode}: the proof catches it"
        );
    }
}

/// The server: the direct evaluation allocates nothing, nor does a batch evaluation in OPRF
/// mode or without `alloc`; with `alloc` a verifiable batch allocates only curve25519-dalek's
/// tables (multiscalar multiplication, batch encoding), a bounded number of times.
#[cfg(feature = "oprf")]
fn oprf_server_path() {
    use phonetoken::oprf::{max_response_len, Client, Mode, Request, Server, MAX_BATCH};

    let numbers: Vec<PhoneNumber> = (0..MAX_BATCH)
        .map(|k| format!("+1415555{k:04}").parse().unwrap())
        .collect();
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for mode in [Mode::Oprf, Mode::Voprf, Mode::Poprf] {
        let server = Server::derive(mode, 7, &[0x42; 32], b"alloc").unwrap();
        let pk = server.public_key();
        let client = Client::new(&pk).with_info(b"epoch").unwrap();
        let mut per_batch = Vec::new();
        for size in [1, MAX_BATCH] {
            let mut request = vec![0u8; 4096];
            let (_, request) = client
                .blind::<_, _, MAX_BATCH>(&numbers[..size], &mut rng, &mut request)
                .unwrap();
            let request = Request::decode(request).unwrap();
            let mut response = vec![0u8; max_response_len(mode, size)];
            let (len, allocations) = count(|| {
                server
                    .evaluate(&request, &mut rng, &mut response)
                    .map(<[u8]>::len)
            });
            assert_eq!(len, Ok(max_response_len(mode, size)), "{mode}");
            per_batch.push(allocations);
        }
        if mode == Mode::Oprf || cfg!(not(feature = "alloc")) {
            assert_eq!(per_batch, [0, 0], "{mode}: batches of 1 and {MAX_BATCH}");
        } else {
            // A few vectors, some grown by doubling: a dozen allocations at most.
            assert!(
                per_batch.iter().all(|&a| (1..=16).contains(&a)),
                "{mode}: {per_batch:?} allocations for batches of 1 and {MAX_BATCH}"
            );
        }
        let (direct, allocations) = count(|| server.evaluate_input(&numbers[0], b"epoch"));
        assert!(direct.is_ok());
        assert_eq!(allocations, 0, "{mode}: direct evaluation");
    }
}

/// The device's seal and the server's open (in this one test: the counter is global).
#[cfg(feature = "seal")]
fn seal_and_open(n: &PhoneNumber, ks: &Keyset) {
    use phonetoken::seal::{SealPublicKey, Suite, MAX_ENVELOPE_LEN};

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
                Ok(p) => p.seal(n, b"ctx", &mut XorShift(3), &mut buf).unwrap_or(&[]),
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
