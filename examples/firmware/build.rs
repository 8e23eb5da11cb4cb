//! Puts `memory.x` where the linker looks for it and, for the `oprf` and `seal` features,
//! computes on the host what the self-test's server side would send (TEST KEYS ONLY): the
//! pinned OPRF public key, the server's responses to the device's blinded requests, and the
//! public key the device seals to. The device blinds with the same deterministic test RNG
//! seeds (src/test_rng.rs), so its requests are the ones answered here; the host checker
//! (tools/firmware/check) checks that they are.
use std::{env, fs, path::PathBuf};

#[cfg(any(feature = "oprf", feature = "seal"))]
#[path = "src/fixture.rs"]
mod fixture;
#[cfg(feature = "oprf")]
#[path = "src/test_rng.rs"]
mod test_rng;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=src/fixture.rs");
    println!("cargo:rerun-if-changed=src/test_rng.rs");
    #[cfg(feature = "oprf")]
    host::oprf(&out);
    #[cfg(feature = "seal")]
    host::seal(&out);
}

#[cfg(any(feature = "oprf", feature = "seal"))]
mod host {
    use super::fixture::*;
    #[cfg(feature = "oprf")]
    use super::test_rng::TestRng;
    use phonetoken as pt;
    use std::{fs, path::Path};

    #[cfg(feature = "oprf")]
    fn number((typed, region): (&str, &str)) -> pt::PhoneNumber {
        pt::parse(typed, Some(region.parse().expect("region"))).expect("test number parses")
    }

    #[cfg(feature = "oprf")]
    /// The server's response to the request the device makes for `numbers` with `seed`.
    fn respond<const N: usize>(
        server: &pt::oprf::Server,
        numbers: &[pt::PhoneNumber],
        seed: u64,
    ) -> Vec<u8> {
        use pt::oprf::{max_request_len, max_response_len, Client, Mode, Request};
        let client = Client::new(&server.public_key());
        let mut request = [0u8; 7 + 64 * 32];
        let (_, request) = client
            .blind::<_, _, N>(numbers, &mut TestRng::new(seed), &mut request)
            .expect("blind");
        assert_eq!(request.len(), max_request_len(Mode::Voprf, N, 0));
        let request = Request::decode(request).expect("request");
        let mut response = vec![0u8; max_response_len(Mode::Voprf, N)];
        let mut proof_rng = TestRng::new(RNG_SEED_PROOF);
        let len = server
            .evaluate(&request, &mut proof_rng, &mut response)
            .expect("evaluate")
            .len();
        response.truncate(len);
        response
    }

    #[cfg(feature = "oprf")]
    pub fn oprf(out: &Path) {
        let server = pt::oprf::Server::derive(
            pt::oprf::Mode::Voprf,
            TEST_OPRF_KEY_ID,
            &TEST_OPRF_SEED,
            TEST_OPRF_KEY_INFO,
        )
        .expect("test OPRF key");
        fs::write(
            out.join("oprf_public_key.bin"),
            server.public_key().to_bytes(),
        )
        .unwrap();
        let one = [number(TYPED)];
        fs::write(
            out.join("oprf_response_one.bin"),
            respond::<1>(&server, &one, RNG_SEED_BLIND_ONE),
        )
        .unwrap();
        let batch = BATCH.map(number);
        fs::write(
            out.join("oprf_response_batch.bin"),
            respond::<3>(&server, &batch, RNG_SEED_BLIND_BATCH),
        )
        .unwrap();
    }

    #[cfg(feature = "seal")]
    pub fn seal(out: &Path) {
        use pt::seal::{SealKey, Suite};
        let key = SealKey::from_seed(
            Suite::X25519_SHA256_CHACHA20POLY1305,
            TEST_SEAL_KEY_ID,
            &TEST_SEAL_SEED,
        );
        let mut buf = [0u8; 32];
        let bytes = key.public_key().write_bytes(&mut buf).expect("public key");
        fs::write(out.join("seal_public_key.bin"), bytes).unwrap();
        // The X-Wing key of the same test seed, for the `seal-xwing` feature.
        let key = SealKey::from_seed(
            Suite::XWING_SHA256_CHACHA20POLY1305,
            TEST_SEAL_KEY_ID,
            &TEST_SEAL_SEED,
        );
        let mut buf = [0u8; 1216];
        let bytes = key.public_key().write_bytes(&mut buf).expect("public key");
        fs::write(out.join("seal_xwing_public_key.bin"), bytes).unwrap();
    }
}
