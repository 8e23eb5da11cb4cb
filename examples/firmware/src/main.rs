//! Firmware that turns a number typed on a keypad into a pseudonym and a token, with no
//! allocator and no `std`: parse with a default region, pseudonymize (HMAC-SHA256), tokenize
//! (AES-256-SIV), all on the stack.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use panic_halt as _;
use phonetoken::{parse, Encoding, Pseudonymizer, Region, Tokenizer};

/// TEST KEYS ONLY, NEVER FOR REAL DATA: a fixed pattern so the image builds reproducibly.
/// Real firmware reads its keys from a secure element or a provisioned, per-device flash
/// page at start-up.
const TEST_PSEUDONYM_KEY: [u8; 32] = [0x11; 32];
/// TEST KEYS ONLY, NEVER FOR REAL DATA (see [`TEST_PSEUDONYM_KEY`]).
const TEST_TOKEN_KEY: [u8; 64] = [0x22; 64];
/// The key id written into tokens (Tink's key id of the token key).
const TEST_KEY_ID: u32 = 1;

#[entry]
fn main() -> ! {
    // `black_box` stands in for input read from a peripheral and keys read from storage, so
    // the compiler cannot fold any of the work away at build time.
    let pseudonymizer = Pseudonymizer::new(black_box(&TEST_PSEUDONYM_KEY[..]));
    let tokenizer = Tokenizer::new(black_box(TEST_KEY_ID), black_box(&TEST_TOKEN_KEY[..]));
    let typed = black_box("020 7946 0958");
    let region = black_box("GB").parse::<Region>().ok();
    let context = black_box(&b"keypad"[..]);

    if let (Ok(number), Ok(pseudonymizer), Ok(tokenizer)) =
        (parse(typed, region), pseudonymizer, tokenizer)
    {
        let pseudonym = pseudonymizer.pseudonymize(&number);
        let token = tokenizer.tokenize(&number, context);
        // The text forms a device would send: base64url, no allocation.
        let mut pseudonym_text = [0u8; 64];
        let mut token_text = [0u8; phonetoken::MAX_TOKEN_TEXT_LEN];
        black_box(
            pseudonym
                .encode_into(Encoding::Base64Url, &mut pseudonym_text)
                .is_ok(),
        );
        black_box(
            token
                .encode_into(Encoding::Base64Url, &mut token_text)
                .is_ok(),
        );
        // A device that also reads tokens back (for example from its own log).
        black_box(tokenizer.detokenize(black_box(&token), context).is_ok());
    }
    loop {
        core::hint::spin_loop();
    }
}
