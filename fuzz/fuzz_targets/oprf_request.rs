//! `Request::decode` on arbitrary bytes: never a panic; a request it accepts is evaluated by
//! the fixed server of its mode and key id (or refused for the wrong key id), and the response
//! decodes.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::oprf_request_case(data);
});
