//! The operating system's random generator as a `rand_core` generator, for blinds, proofs and
//! ephemeral sealing keys.

use core::convert::Infallible;

/// Draws from `getrandom`. A failure aborts the process: a blind or an ephemeral key must
/// never come from anything but the system's generator, and a fallback would be silent.
pub(crate) struct OsRng;

impl rand_core::TryRng for OsRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        if getrandom::fill(dst).is_err() {
            eprintln!("phonetoken: the operating system's random generator failed; stopping");
            std::process::abort();
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for OsRng {}
