//! The device's side of the oblivious pseudonyms allocates nothing: blind one number and a
//! batch, finalize with proof verification in every mode, decode a pinned public key and
//! encode the result; counted with a global allocator. (The server runs outside the count.)
#![cfg(feature = "oprf")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use phonetoken::oprf::{Client, Mode, ObliviousPseudonym, PublicKey, Request, Server};
use phonetoken::{Encoding, PhoneNumber};

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

/// A small deterministic generator (xorshift; a test stand-in for the device's TRNG) that
/// itself never allocates.
struct XorShift(u64);

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

impl rand_core::TryCryptoRng for XorShift {}

#[test]
fn client_path_allocates_nothing() {
    // The test harness may allocate on other threads; everything counted runs on this one,
    // and this binary has only this test.
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
