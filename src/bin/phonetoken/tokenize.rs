//! `phonetoken tokenize` and `phonetoken detokenize`: reversible tokens, line by line.

use std::process::ExitCode;

use phonetoken::{Encoding, Format, Keyset, Region, MAX_FORMATTED_LEN, MAX_TOKEN_TEXT_LEN};

use crate::args::{DetokenizeArgs, RekeyArgs, TokenizeArgs};
use crate::{bulk, keyfile, CliError};

pub(crate) fn run_tokenize(opts: &TokenizeArgs) -> Result<ExitCode, CliError> {
    let keyset = keyfile::load(&opts.keys)?;
    let region = opts.region;
    let context = opts.context.as_bytes();
    bulk::run(&opts.bulk, &|text, out| {
        tokenize_line(&keyset, text, region, context, out)
    })
}

pub(crate) fn run_detokenize(opts: &DetokenizeArgs) -> Result<ExitCode, CliError> {
    let keyset = keyfile::load(&opts.keys)?;
    let context = opts.context.as_bytes();
    let format = opts.format.with_visible(opts.visible);
    bulk::run(&opts.bulk, &|text, out| {
        detokenize_line(&keyset, text, context, format, out)
    })
}

pub(crate) fn run_rekey(opts: &RekeyArgs) -> Result<ExitCode, CliError> {
    let keyset = keyfile::load(&opts.keys)?;
    let context = opts.context.as_bytes();
    bulk::run(&opts.bulk, &|text, out| {
        rekey_line(&keyset, text, context, out)
    })
}

/// Parses one line and appends its token (base64url) under the primary key and `context`.
pub(crate) fn tokenize_line(
    keyset: &Keyset,
    text: &str,
    region: Option<Region>,
    context: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
    push_token(&keyset.tokenize(&number, context), out)
}

/// Appends `token` as base64url text.
pub(crate) fn push_token(token: &phonetoken::Token, out: &mut Vec<u8>) -> Result<(), &'static str> {
    let mut buf = [0u8; MAX_TOKEN_TEXT_LEN];
    let len = Encoding::Base64Url
        .encode_to_slice(token.as_bytes(), &mut buf)
        .map_err(|_| "buffer-too-small")?;
    out.extend_from_slice(buf.get(..len).unwrap_or_default());
    Ok(())
}

/// Opens the token on one line and appends the number it holds, in `format`.
pub(crate) fn detokenize_line(
    keyset: &Keyset,
    text: &str,
    context: &[u8],
    format: Format,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let number = keyset.detokenize_str(text, context).map_err(|e| e.code())?;
    let mut buf = [0u8; MAX_FORMATTED_LEN];
    let shown = number
        .format(format, &mut buf)
        .map_err(|_| "buffer-too-small")?;
    out.extend_from_slice(shown.as_bytes());
    Ok(())
}

/// Opens the token on one line and appends it re-encrypted under the primary key (the same
/// token when it already is under the primary).
pub(crate) fn rekey_line(
    keyset: &Keyset,
    text: &str,
    context: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let token: phonetoken::Token = text.parse().map_err(|e: phonetoken::TokenError| e.code())?;
    push_token(&keyset.rekey(&token, context).map_err(|e| e.code())?, out)
}
