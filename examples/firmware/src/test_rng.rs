//! A deterministic RNG: TEST ONLY, NEVER FOR REAL BLINDS OR KEYS.
//!
//! SplitMix64: its output is fully determined by a public seed, so it gives no secrecy at all.
//! The self-test uses it so that the host can recompute exactly the blinds the device used and
//! answer its OPRF requests at build time. Real firmware uses the chip's hardware RNG (a
//! `rand_core` 0.10 `TryCryptoRng` over the TRNG peripheral) instead.
//!
//! Shared, by `#[path]`, by the firmware, its build script and the host checker.

/// TEST ONLY, NOT RANDOM: SplitMix64 from a fixed seed.
pub struct TestRng(u64);

impl TestRng {
    /// TEST ONLY: the generator for `seed`.
    pub const fn new(seed: u64) -> TestRng {
        TestRng(seed)
    }

    fn step(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.step() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.step())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.step().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// TEST ONLY: claims to be a cryptographic RNG because the library's APIs require one; it is not.
impl rand_core::TryCryptoRng for TestRng {}
