//! `phonetoken scrub`: numbers found in free text (as libphonenumber's PhoneNumberMatcher
//! finds them; tests/find.rs checks the finder against it) replaced in place, every other
//! byte kept.
#![cfg(feature = "cli")]

mod support;

use base64ct::Encoding as _;
use tempfile::TempDir;

use support::{arg, hmac_sha256, keygen, pseudonym_key, run, run_text};

/// The `[label:value]` parts of a scrubbed text, in order.
fn labelled<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
    let open = format!("[{label}:");
    text.match_indices(&open)
        .map(|(i, _)| {
            let rest = &text[i + open.len()..];
            &rest[..rest.find(']').unwrap()]
        })
        .collect()
}

#[test]
fn every_other_byte_is_kept_line_endings_and_invalid_utf8_included() {
    let input: &[u8] = b"Call (650) 253-0000 now\r\nno number here, 12/10/2011\n\n\xff+44 20 7946 0958\xfe ok\nlast +1 650 253 0000";
    let (out, err) = run(&["scrub", "--replace", "e164", "--region", "US"], input, 0);
    assert_eq!(
        out,
        b"Call +16502530000 now\r\nno number here, 12/10/2011\n\n\xff+442079460958\xfe ok\nlast +16502530000"
    );
    assert!(err.contains("5 lines, 0 failed"), "{err}");
    assert!(err.contains("3 numbers replaced"), "{err}");
    // Text with no number comes out as it went in.
    let prose: &[u8] =
        "Order 12345678 shipped 2011-10-12, €12,50; IBAN DE44 5001 0517 5407 3249 31\r\n\tend"
            .as_bytes();
    let (same, err) = run(&["scrub", "--replace", "mask", "--region", "DE"], prose, 0);
    assert_eq!(same, prose);
    assert!(err.contains("0 numbers replaced"), "{err}");
}

#[test]
fn masks_keep_the_country_code_and_the_last_digits() {
    let (out, _) = run_text(
        &[
            "scrub",
            "--replace",
            "mask",
            "--region",
            "GB",
            "--visible",
            "2",
        ],
        b"ring 020 7946 0958 or +1 650 253 0000\n",
    );
    assert_eq!(out, "ring +44 ** **** **58 or +1 ***-***-**00\n");
}

#[test]
fn pseudonyms_are_the_keyed_hmac_and_a_second_scrub_changes_nothing() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let key = pseudonym_key(&ks);
    let args = [
        "scrub",
        "--replace",
        "pseudonym",
        "--region",
        "DE",
        "--keyset",
        arg(&ks),
    ];
    let text = "Ruf 030 1234567 an, oder +1 650 253 0000 (Büro), nicht 3/10/2011.\n";
    let (once, _) = run_text(&args, text.as_bytes());
    let values = labelled(&once, "phone-pseudonym");
    let want: Vec<String> = ["+49301234567", "+16502530000"]
        .iter()
        .map(|n| base64ct::Base64UrlUnpadded::encode_string(&hmac_sha256(&key, n.as_bytes())))
        .collect();
    assert_eq!(values, want);
    assert!(once.starts_with("Ruf [phone-pseudonym:"), "{once}");
    assert!(once.ends_with("] (Büro), nicht 3/10/2011.\n"), "{once}");
    // The same pseudonym as `pseudonymize` gives, so scrubbed text joins with columns.
    let (column, _) = run_text(
        &["pseudonymize", "--keyset", arg(&ks), "--region", "DE"],
        b"030 1234567\n",
    );
    assert_eq!(column.trim_end(), want[0]);
    let (twice, err) = run_text(&args, once.as_bytes());
    assert_eq!(twice, once);
    assert!(err.contains("0 numbers replaced"), "{err}");
    // Truncated pseudonyms are labelled, and recognized, too.
    let mut short = args.to_vec();
    short.extend(["--length", "16"]);
    let (once16, _) = run_text(&short, text.as_bytes());
    assert_eq!(labelled(&once16, "phone-pseudonym")[0].len(), 22);
    assert_eq!(run_text(&short, once16.as_bytes()).0, once16);
}

#[test]
fn tokens_open_with_detokenize_and_a_second_scrub_changes_nothing() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let args = [
        "scrub",
        "--replace",
        "token",
        "--region",
        "US",
        "--keyset",
        arg(&ks),
        "--context",
        "tickets",
    ];
    let text = "Customer at (650) 253-0000 x 12 asked; callback +44 20 7946 0958.\n";
    let (once, _) = run_text(&args, text.as_bytes());
    let tokens = labelled(&once, "phone-token");
    assert_eq!(tokens.len(), 2, "{once}");
    let (numbers, _) = run_text(
        &["detokenize", "--keyset", arg(&ks), "--context", "tickets"],
        format!("{}\n{}\n", tokens[0], tokens[1]).as_bytes(),
    );
    // The extension is part of the span, and not of the token (as E.164 leaves it out).
    assert_eq!(numbers, "+16502530000\n+442079460958\n");
    assert!(once.starts_with("Customer at [phone-token:"), "{once}");
    assert!(once.contains("] asked; callback [phone-token:"), "{once}");
    let (twice, err) = run_text(&args, once.as_bytes());
    assert_eq!(twice, once);
    assert!(err.contains("0 numbers replaced"), "{err}");
}

#[test]
fn csv_cells_are_scrubbed_whole_and_other_fields_passed_through() {
    let input =
        "id,note\n1,\"call +1 650 253 0000\nor +44 20 7946 0958, thanks\"\n2,no number\n3,\n";
    let (out, err) = run_text(
        &["scrub", "--replace", "e164", "--csv", "--column", "note"],
        input.as_bytes(),
    );
    assert_eq!(
        out,
        "id,note,phonetoken_error\n1,\"call +16502530000\nor +442079460958, thanks\",\n2,no number,\n3,,\n"
    );
    assert!(err.contains("2 numbers replaced"), "{err}");
}

#[test]
fn the_leniency_decides_which_spans_are_numbers() {
    let text = b"+1 123 456 7890 and +1 650 253 0000\n";
    let (valid, _) = run_text(&["scrub", "--replace", "e164"], text);
    assert_eq!(valid, "+1 123 456 7890 and +16502530000\n");
    let (possible, _) = run_text(
        &["scrub", "--replace", "e164", "--leniency", "possible"],
        text,
    );
    assert_eq!(possible, "+11234567890 and +16502530000\n");
}

#[test]
fn a_line_where_the_search_gives_up_is_not_written() {
    let input = b"1-2 3-4 5-6 then (650) 253-0000\n(650) 253-0000\n";
    let args = [
        "scrub",
        "--replace",
        "e164",
        "--region",
        "US",
        "--max-tries",
        "2",
    ];
    let (out, err) = run_text(&args, input);
    assert_eq!(out, "error: too-many-candidates\n+16502530000\n");
    assert!(err.contains("too-many-candidates: 1"), "{err}");
    let mut strict = args.to_vec();
    strict.push("--strict");
    let (_, err) = run(&strict, input, 1);
    assert!(err.contains("line 1: too-many-candidates"), "{err}");
}

#[test]
fn flags_that_do_not_apply_are_refused() {
    for (flags, named) in [
        (&["--replace", "e164", "--context", "x"][..], "--context"),
        (&["--replace", "mask", "--length", "16"][..], "--length"),
        (&["--replace", "e164", "--visible", "2"][..], "--visible"),
        (&["--replace", "mask", "--purpose", "p"][..], "--purpose"),
    ] {
        let mut args = vec!["scrub"];
        args.extend_from_slice(flags);
        let (_, err) = run(&args, b"", 2);
        assert!(err.contains(named), "{flags:?}: {err}");
    }
    // Keyed replacements need a keyset.
    let (_, err) = run(&["scrub", "--replace", "token"], b"", 2);
    assert!(err.contains("keyset"), "{err}");
}
