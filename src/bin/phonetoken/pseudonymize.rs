//! `phonetoken pseudonymize`: a keyed pseudonym for every input line.

use std::process::ExitCode;

use phonetoken::{Encoding, Keyset, Region};

use crate::args::PseudonymizeArgs;
use crate::{bulk, keyfile, CliError};

pub(crate) fn run(opts: &PseudonymizeArgs) -> Result<ExitCode, CliError> {
    let keyset = keyfile::load(&opts.keys)?;
    let encoding = Encoding::from(opts.encoding);
    let length = opts.length.map(usize::from);
    let region = opts.region;
    if opts.all_keys {
        return bulk::run(&opts.bulk, &|text, out| {
            pseudonymize_all_keys(&keyset, text, region, encoding, length, out)
        });
    }
    let many = |texts: &[&str], out: &mut Vec<u8>, ends: &mut Vec<Result<usize, &'static str>>| {
        pseudonymize_lines(&keyset, texts, region, (encoding, length), out, ends);
    };
    let hooks = bulk::Hooks {
        many: Some(&many),
        ..bulk::Hooks::default()
    };
    bulk::run_with(
        &opts.bulk,
        &|text, out| pseudonymize_line(&keyset, text, region, encoding, length, out),
        hooks,
    )
}

/// [`pseudonymize_line`] for many lines at once, through the library's batch, which parses a
/// group and then hashes its numbers with their compressions overlapped: for each text, its
/// answer appended to `out` and where it ends pushed to `ends`, or its failure's reason.
pub(crate) fn pseudonymize_lines(
    keyset: &Keyset,
    texts: &[&str],
    region: Option<Region>,
    (encoding, length): (Encoding, Option<usize>),
    out: &mut Vec<u8>,
    ends: &mut Vec<Result<usize, &'static str>>,
) {
    let mut results = vec![Err(phonetoken::ParseError::NoDigits); texts.len()];
    if phonetoken::pseudonymize_batch(keyset.pseudonymizer(), texts, region, &mut results).is_err()
    {
        // Cannot happen: `results` has a slot per text.
        ends.extend(texts.iter().map(|_| Err("internal-error")));
        return;
    }
    for result in results {
        let end = match result {
            Ok(pseudonym) => push_pseudonym(pseudonym, encoding, length, out).map(|()| out.len()),
            Err(e) => Err(e.code()),
        };
        ends.push(end);
    }
}

/// Parses one line and appends its pseudonym under the primary key, truncated to `length`
/// bytes if given, in `encoding`.
pub(crate) fn pseudonymize_line(
    keyset: &Keyset,
    text: &str,
    region: Option<Region>,
    encoding: Encoding,
    length: Option<usize>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
    push_pseudonym(keyset.pseudonymize(&number), encoding, length, out)
}

/// Parses one line and appends `ID:PSEUDONYM` for every enabled key, primary first,
/// separated by spaces.
pub(crate) fn pseudonymize_all_keys(
    keyset: &Keyset,
    text: &str,
    region: Option<Region>,
    encoding: Encoding,
    length: Option<usize>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    use std::io::Write as _;
    let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
    for (i, (id, pseudonym)) in keyset.pseudonymize_all(&number).enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{id}:");
        push_pseudonym(pseudonym, encoding, length, out)?;
    }
    Ok(())
}

/// Appends `pseudonym`, truncated to `length` bytes if given, in `encoding`.
pub(crate) fn push_pseudonym(
    mut pseudonym: phonetoken::Pseudonym,
    encoding: Encoding,
    length: Option<usize>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    if let Some(len) = length {
        // The flag's range is checked by clap; a failure here would be a bug, reported as data.
        pseudonym = pseudonym.truncate(len).map_err(|_| "bad-length")?;
    }
    let mut buf = [0u8; 64];
    let len = encoding
        .encode_to_slice(pseudonym.as_bytes(), &mut buf)
        .map_err(|_| "buffer-too-small")?;
    out.extend_from_slice(buf.get(..len).unwrap_or_default());
    Ok(())
}
