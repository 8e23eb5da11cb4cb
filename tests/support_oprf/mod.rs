//! Helpers of the OPRF tests: hex, and a generator that replays fixed scalars.
#![allow(dead_code)] // each test file uses some of them

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// Hex to bytes (the test data is trusted).
pub fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Hands out the given 32-byte values in order, one per `fill_bytes` call: the RFC's blinds
/// and proof scalars, which `voprf-ng` draws as 32 random bytes each. Only for tests.
pub struct Replay {
    values: Vec<Vec<u8>>,
    next: usize,
}

impl Replay {
    pub fn new(values: &[Vec<u8>]) -> Replay {
        Replay {
            values: values.to_vec(),
            next: 0,
        }
    }
}

impl TryRng for Replay {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unimplemented!("the OPRF draws scalars as bytes")
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unimplemented!("the OPRF draws scalars as bytes")
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let value = self.values.get(self.next).expect("a value left to replay");
        assert_eq!(value.len(), dst.len(), "one 32-byte scalar per draw");
        dst.copy_from_slice(value);
        self.next += 1;
        Ok(())
    }
}

impl TryCryptoRng for Replay {}
