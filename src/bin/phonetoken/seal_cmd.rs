//! `phonetoken seal`, `seal-key` and `open`: numbers sealed to the server (HPKE, RFC 9180).
//!
//! Envelopes are base64url lines (no padding). `open` tells the public failures (a wrong key
//! id, an unknown suite, a cut envelope: `error: unknown-key-id`, `error: unknown-suite`, …)
//! from a forgery or a wrong context (`error: authentication-failed`).

use std::process::ExitCode;

use phonetoken::seal::{read_header, SealKey, SealPublicKey, Suite, MAX_ENVELOPE_LEN};
use phonetoken::{Encoding, KeyStatus, Keyset, PhoneNumber};

use crate::args::{OpenArgs, SealArgs, SealKeyArgs, SuiteArg};
use crate::oprf_cmd::{decode_key_text, upstream};
use crate::osrng::OsRng;
use crate::{bulk, keyfile, pseudonymize, tokenize, CliError};

/// The suite of `--suite`, if this build has it.
fn suite_of(arg: SuiteArg) -> Result<Suite, CliError> {
    match arg {
        SuiteArg::X25519 => Ok(Suite::X25519_SHA256_CHACHA20POLY1305),
        #[cfg(feature = "seal-xwing")]
        SuiteArg::Xwing => Ok(Suite::XWING_SHA256_CHACHA20POLY1305),
        #[cfg(not(feature = "seal-xwing"))]
        SuiteArg::Xwing => Err(CliError::Usage(
            "--suite xwing needs a phonetoken built with feature seal-xwing".into(),
        )),
    }
}

pub(crate) fn run_seal_key(opts: &SealKeyArgs) -> Result<ExitCode, CliError> {
    let suite = suite_of(opts.suite)?;
    let keyset = keyfile::load(&opts.keys)?;
    let id = opts.key_id.unwrap_or_else(|| keyset.primary_key_id());
    let key = keyset
        .seal_key(suite, id)
        .map_err(|e| CliError::Usage(format!("--key-id {id}: {e}")))?;
    let mut bytes = vec![0u8; suite.public_key_len()];
    let bytes = key
        .public_key()
        .write_bytes(&mut bytes)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut text = vec![0u8; Encoding::Hex.encoded_len(bytes.len())];
    let text = Encoding::Hex
        .encode_into(bytes, &mut text)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    println!("{text}");
    eprintln!(
        "phonetoken: the sealing public key of keyset key {id} ({suite}): devices seal with \
         `phonetoken seal --key-id {id} --public-key KEY`"
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_seal(opts: &SealArgs) -> Result<ExitCode, CliError> {
    let suite = suite_of(opts.suite)?;
    let mut bytes = vec![0u8; suite.public_key_len() + 1];
    let len = decode_key_text(&opts.public_key, &mut bytes).ok_or_else(|| {
        CliError::Usage(
            "--public-key is not hex or base64url: pass the key `phonetoken seal-key` printed"
                .into(),
        )
    })?;
    let pk = SealPublicKey::new(suite, opts.key_id, bytes.get(..len).unwrap_or_default())
        .map_err(|e| CliError::Usage(format!("--public-key: {e}")))?;
    let context = opts.context.as_bytes();
    let region = opts.region;
    bulk::run(&opts.bulk, &|text, out| {
        let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
        let mut buf = [0u8; MAX_ENVELOPE_LEN];
        let envelope = pk
            .seal(&number, context, &mut OsRng, &mut buf)
            .map_err(|e| e.code())?;
        let mut text = [0u8; 2 * MAX_ENVELOPE_LEN];
        let text = Encoding::Base64Url
            .encode_into(envelope, &mut text)
            .map_err(|_| "buffer-too-small")?;
        out.extend_from_slice(text.as_bytes());
        Ok(())
    })
}

/// What `open` writes for an opened number.
enum Then<'a> {
    Number,
    Pseudonym(Encoding, Option<usize>),
    Token(&'a [u8]),
}

pub(crate) fn run_open(opts: &OpenArgs) -> Result<ExitCode, CliError> {
    let keyset = keyfile::load(&opts.keys)?;
    let context = opts.context.as_bytes();
    let then = if opts.pseudonymize {
        Then::Pseudonym(opts.encoding.into(), opts.length.map(usize::from))
    } else if opts.tokenize {
        Then::Token(opts.token_context.as_bytes())
    } else {
        Then::Number
    };
    // The key pairs of the enabled keys, derived once rather than per envelope.
    let mut keys = Vec::new();
    for &suite in SUITES {
        for key in keyset.keys().filter(|k| k.status == KeyStatus::Enabled) {
            keys.push(
                keyset
                    .seal_key(suite, key.id)
                    .map_err(|e| CliError::Usage(e.to_string()))?,
            );
        }
    }
    bulk::run(&opts.bulk, &|text, out| {
        open_line(&keyset, &keys, context, &then, text, out)
    })
}

/// The suites this build opens.
const SUITES: &[Suite] = &[
    Suite::X25519_SHA256_CHACHA20POLY1305,
    #[cfg(feature = "seal-xwing")]
    Suite::XWING_SHA256_CHACHA20POLY1305,
];

/// Opens the envelope on one line and appends the number, its pseudonym or its token.
fn open_line(
    keyset: &Keyset,
    keys: &[SealKey],
    context: &[u8],
    then: &Then<'_>,
    text: &str,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    if let Some(code) = upstream(text) {
        return Err(code);
    }
    let mut buf = [0u8; MAX_ENVELOPE_LEN + 3];
    let envelope = Encoding::Base64Url
        .decode_into(text, &mut buf)
        .map_err(|e| match e {
            phonetoken::DecodeError::BufferTooSmall(_) => "wrong-length",
            _ => "bad-encoding",
        })?;
    let header = read_header(envelope).map_err(|e| e.code())?;
    let key = keys
        .iter()
        .find(|k| k.key_id() == header.key_id && k.suite() == header.suite);
    let number: PhoneNumber = match key {
        Some(key) => key.open(envelope, context),
        // No enabled key: the keyset says whether the id is unknown or disabled.
        None => keyset.open_sealed(envelope, context),
    }
    .map_err(|e| e.code())?;
    match then {
        Then::Number => {
            out.extend_from_slice(number.as_bytes());
            Ok(())
        }
        Then::Pseudonym(encoding, length) => {
            pseudonymize::push_pseudonym(keyset.pseudonymize(&number), *encoding, *length, out)
        }
        Then::Token(token_context) => {
            tokenize::push_token(&keyset.tokenize(&number, token_context), out)
        }
    }
}
