//! Checks the firmware self-test's transcript (the lines it printed over semihosting in QEMU)
//! against the library on the host, independently of the device: the E.164 numbers, the
//! pseudonym and token, the detokenized number, the OPRF requests (recomputed with the same
//! test RNG seeds), the oblivious pseudonyms (against the server's direct evaluation), the
//! sealed envelope (opened with the test key), and with `--xwing` (an image built with the
//! `seal-xwing` feature) the X-Wing envelope too; the number's validity, type, region and
//! formats, and the numbers found in the typed message with their pseudonyms. Fails if any line is missing, repeated,
//! unknown or wrong, or if the status is not `ok`.
//!
//! Usage: phonetoken-firmware-check [--xwing] TRANSCRIPT
//! Prints `stack <operation> <bytes>` for each operation when every output checks.

use std::collections::BTreeMap;
use std::process::ExitCode;

use phonetoken::oprf::{max_request_len, Client, Mode, Server};
use phonetoken::seal::{SealKey, Suite, MAX_ENVELOPE_LEN};
use phonetoken::{
    find_numbers, parse, Encoding, Format, PhoneNumber, Pseudonymizer, Region, Tokenizer,
    MAX_FORMATTED_LEN,
};

#[path = "../../../../examples/firmware/src/fixture.rs"]
mod fixture;
#[path = "../../../../examples/firmware/src/test_rng.rs"]
mod test_rng;

use fixture::*;
use test_rng::TestRng;

/// The operations whose stack the image reports, in its order (then [`XWING_OPERATION`]).
const OPERATIONS: [&str; 12] = [
    "parse",
    "validate",
    "format",
    "find",
    "pseudonymize",
    "tokenize",
    "detokenize",
    "blind_one",
    "finalize_one",
    "blind_batch",
    "finalize_batch",
    "seal",
];
/// The operation an image with `seal-xwing` adds.
const XWING_OPERATION: &str = "seal_xwing";

/// Every line the image prints, by label, with the value the host computes for it, except
/// the `stack.*` lines (any byte count) and `sealed` (random-looking; it must open).
struct Expected {
    values: BTreeMap<String, String>,
    number: PhoneNumber,
}

fn number((typed, region): (&str, &str)) -> PhoneNumber {
    parse(typed, Some(region.parse().expect("fixture region"))).expect("fixture number")
}

fn hex(bytes: &[u8]) -> String {
    Encoding::Hex.encode_string(bytes)
}

/// The request the device makes for `numbers`, blinding with the test RNG from `seed`.
fn request<const N: usize>(client: &Client<'_>, numbers: &[PhoneNumber], seed: u64) -> String {
    let mut buf = [0u8; max_request_len(Mode::Voprf, 64, 0)];
    let (_, request) = client
        .blind::<_, _, N>(numbers, &mut TestRng::new(seed), &mut buf)
        .expect("blind");
    hex(request)
}

fn expected() -> Expected {
    let mut values = BTreeMap::new();
    let mut put = |k: &str, v: String| values.insert(k.to_string(), v);
    let n = number(TYPED);
    let pseudonymizer = Pseudonymizer::new(&TEST_PSEUDONYM_KEY).expect("key");
    let tokenizer = Tokenizer::new(TEST_KEY_ID, &TEST_TOKEN_KEY).expect("key");
    put("e164", n.as_str().to_string());
    put(
        "pseudonym",
        pseudonymizer
            .pseudonymize(&n)
            .to_string_in(Encoding::Base64Url),
    );
    put(
        "token",
        Encoding::Base64Url.encode_string(tokenizer.tokenize(&n, TOKEN_CONTEXT).as_bytes()),
    );
    put("detokenized", n.as_str().to_string());
    for (label, value) in text_lines(&n, &pseudonymizer) {
        put(&label, value);
    }

    let server = Server::derive(
        Mode::Voprf,
        TEST_OPRF_KEY_ID,
        &TEST_OPRF_SEED,
        TEST_OPRF_KEY_INFO,
    )
    .expect("OPRF key");
    let client = Client::new(&server.public_key());
    put(
        "oprf.one.request",
        request::<1>(&client, &[n], RNG_SEED_BLIND_ONE),
    );
    put(
        "oprf.one.pseudonym",
        hex(server.evaluate_number(&n).expect("evaluate").as_bytes()),
    );
    let batch = BATCH.map(number);
    put(
        "oprf.batch.request",
        request::<3>(&client, &batch, RNG_SEED_BLIND_BATCH),
    );
    for (i, b) in batch.iter().enumerate() {
        put(&format!("batch{i}.e164"), b.as_str().to_string());
        put(
            &format!("oprf.batch.pseudonym{i}"),
            hex(server.evaluate_number(b).expect("evaluate").as_bytes()),
        );
    }
    put("status", "ok".to_string());
    Expected { values, number: n }
}

/// The lines of validation, formatting and finding (features `validate`, `format`, `find`),
/// as the library gives them on the host: the device runs the same calls, so this checks the
/// image's build of them (its target, its tables, no allocator), not another implementation.
fn text_lines(n: &PhoneNumber, pseudonymizer: &Pseudonymizer) -> Vec<(String, String)> {
    let mut lines = vec![
        ("valid".to_string(), n.is_valid().to_string()),
        ("type".to_string(), n.number_type().as_str().to_string()),
        (
            "region".to_string(),
            n.region()
                .as_ref()
                .map_or("none", Region::as_str)
                .to_string(),
        ),
    ];
    let mut buf = [0u8; MAX_FORMATTED_LEN];
    for (label, format) in [
        ("international", Format::International),
        ("masked", Format::Masked { visible: 4 }),
    ] {
        let text = n.format(format, &mut buf).expect("format");
        lines.push((label.to_string(), text.to_string()));
    }
    let region = TYPED.1.parse().expect("fixture region");
    let found: Vec<_> = find_numbers(MESSAGE, Some(region)).collect();
    lines.push(("found.count".to_string(), found.len().to_string()));
    for (i, m) in found.iter().enumerate() {
        let number = m.number();
        lines.push((
            format!("found{i}"),
            format!("{} {} {number}", m.start(), m.end()),
        ));
        lines.push((
            format!("found{i}.pseudonym"),
            pseudonymizer
                .pseudonymize(&number)
                .to_string_in(Encoding::Base64Url),
        ));
    }
    lines
}

/// Checks that the envelope in line `label` opens, with the test key of `suite`, to `number`.
fn check_sealed(
    label: &str,
    envelope: Option<&str>,
    suite: Suite,
    number: &PhoneNumber,
    problems: &mut Vec<String>,
) {
    let Some(envelope) = envelope else {
        problems.push(format!("`{label}` missing"));
        return;
    };
    let key = SealKey::from_seed(suite, TEST_SEAL_KEY_ID, &TEST_SEAL_SEED);
    let mut buf = [0u8; MAX_ENVELOPE_LEN];
    match Encoding::Hex
        .decode_into(envelope, &mut buf)
        .map(|bytes| (bytes.len(), key.open(bytes, SEAL_CONTEXT)))
    {
        Ok((len, Ok(opened))) if opened == *number && len == suite.envelope_len() => {}
        Ok((_, Ok(opened))) if opened != *number => {
            problems.push(format!("`{label}` opens to {opened}"))
        }
        Ok((len, Ok(_))) => problems.push(format!("`{label}` is {len} bytes long")),
        Ok((_, Err(e))) => problems.push(format!("`{label}` does not open: {e}")),
        Err(e) => problems.push(format!("`{label}` is not hex: {e}")),
    }
}

/// The checked stack figures, in [`OPERATIONS`] order (then [`XWING_OPERATION`] if `xwing`,
/// whose `sealed.xwing` line must then be there and open), or every problem found.
fn check(transcript: &str, xwing: bool) -> Result<Vec<(&'static str, u64)>, Vec<String>> {
    let expected = expected();
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for line in transcript.lines() {
        let (label, value) = line.split_once(' ').unwrap_or((line, ""));
        if seen.insert(label, value).is_some() {
            problems.push(format!("`{label}` printed twice"));
        }
    }
    for (label, want) in &expected.values {
        match seen.remove(label.as_str()) {
            None => problems.push(format!("`{label}` missing")),
            Some(got) if got != want => {
                problems.push(format!("`{label}`: device {got}, host {want}"))
            }
            Some(_) => {}
        }
    }
    check_sealed(
        "sealed",
        seen.remove("sealed"),
        Suite::X25519_SHA256_CHACHA20POLY1305,
        &expected.number,
        &mut problems,
    );
    if xwing {
        check_sealed(
            "sealed.xwing",
            seen.remove("sealed.xwing"),
            Suite::XWING_SHA256_CHACHA20POLY1305,
            &expected.number,
            &mut problems,
        );
    }
    let mut stack = Vec::new();
    let xwing_op = xwing.then_some(XWING_OPERATION);
    for op in OPERATIONS.into_iter().chain(xwing_op) {
        let label = format!("stack.{op}");
        match seen.remove(label.as_str()).map(str::parse::<u64>) {
            Some(Ok(bytes)) if bytes > 0 => stack.push((op, bytes)),
            Some(_) => problems.push(format!("`{label}` is not a positive byte count")),
            None => problems.push(format!("`{label}` missing")),
        }
    }
    for (label, value) in seen {
        problems.push(format!("unexpected line `{label} {value}`"));
    }
    if problems.is_empty() {
        Ok(stack)
    } else {
        Err(problems)
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let xwing = args.first().is_some_and(|a| a == "--xwing");
    if xwing {
        args.remove(0);
    }
    let [path] = &args[..] else {
        eprintln!("usage: phonetoken-firmware-check [--xwing] TRANSCRIPT");
        return ExitCode::from(2);
    };
    let transcript = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    match check(&transcript, xwing) {
        Ok(stack) => {
            eprintln!(
                "firmware check: every output agrees with the host ({} lines)",
                transcript.lines().count()
            );
            for (op, bytes) in stack {
                println!("stack {op} {bytes}");
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for p in problems {
                eprintln!("firmware check: {p}");
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonetoken::oprf::{max_response_len, ObliviousPseudonym, Request};

    /// What a correct device prints, computed here the device's way (blind, evaluate,
    /// finalize; seal), not the checker's way (direct evaluation; open); with `xwing`, an
    /// image built with `seal-xwing`.
    fn device_transcript(xwing: bool) -> String {
        let n = number(TYPED);
        let pseudonymizer = Pseudonymizer::new(&TEST_PSEUDONYM_KEY).unwrap();
        let tokenizer = Tokenizer::new(TEST_KEY_ID, &TEST_TOKEN_KEY).unwrap();
        let token = tokenizer.tokenize(&n, TOKEN_CONTEXT);
        let back = tokenizer.detokenize(&token, TOKEN_CONTEXT).unwrap();
        let mut lines = vec![
            format!("e164 {n}"),
            format!(
                "pseudonym {}",
                pseudonymizer
                    .pseudonymize(&n)
                    .to_string_in(Encoding::Base64Url)
            ),
            format!(
                "token {}",
                Encoding::Base64Url.encode_string(token.as_bytes())
            ),
            format!("detokenized {back}"),
        ];
        lines.extend(
            text_lines(&n, &pseudonymizer)
                .into_iter()
                .map(|(label, value)| format!("{label} {value}")),
        );
        let server = Server::derive(
            Mode::Voprf,
            TEST_OPRF_KEY_ID,
            &TEST_OPRF_SEED,
            TEST_OPRF_KEY_INFO,
        )
        .unwrap();
        let client = Client::new(&server.public_key());
        let mut q = [0u8; 512];
        let mut r = [0u8; 512];
        let (blinded, request) = client
            .blind_one(&n, &mut TestRng::new(RNG_SEED_BLIND_ONE), &mut q)
            .unwrap();
        lines.push(format!("oprf.one.request {}", hex(request)));
        let response = server
            .evaluate(
                &Request::decode(request).unwrap(),
                &mut TestRng::new(RNG_SEED_PROOF),
                &mut r,
            )
            .unwrap();
        lines.push(format!(
            "oprf.one.pseudonym {}",
            hex(blinded.finalize_one(response).unwrap().as_bytes())
        ));
        let batch = BATCH.map(number);
        for (i, b) in batch.iter().enumerate() {
            lines.push(format!("batch{i}.e164 {b}"));
        }
        let (blinded, request) = client
            .blind::<_, _, 3>(&batch, &mut TestRng::new(RNG_SEED_BLIND_BATCH), &mut q)
            .unwrap();
        lines.push(format!("oprf.batch.request {}", hex(request)));
        let mut r = [0u8; max_response_len(Mode::Voprf, 3)];
        let response = server
            .evaluate(
                &Request::decode(request).unwrap(),
                &mut TestRng::new(RNG_SEED_PROOF),
                &mut r,
            )
            .unwrap();
        let mut out = [ObliviousPseudonym::default(); 3];
        blinded.finalize(response, &mut out).unwrap();
        for (i, p) in out.iter().enumerate() {
            lines.push(format!("oprf.batch.pseudonym{i} {}", hex(p.as_bytes())));
        }
        let key = SealKey::from_seed(
            Suite::X25519_SHA256_CHACHA20POLY1305,
            TEST_SEAL_KEY_ID,
            &TEST_SEAL_SEED,
        );
        let mut buf = [0u8; phonetoken::seal::MAX_ENVELOPE_LEN];
        let envelope = key
            .public_key()
            .seal(&n, SEAL_CONTEXT, &mut TestRng::new(RNG_SEED_SEAL), &mut buf)
            .unwrap();
        lines.push(format!("sealed {}", hex(envelope)));
        if xwing {
            let key = SealKey::from_seed(
                Suite::XWING_SHA256_CHACHA20POLY1305,
                TEST_SEAL_KEY_ID,
                &TEST_SEAL_SEED,
            );
            let envelope = key
                .public_key()
                .seal(
                    &n,
                    SEAL_CONTEXT,
                    &mut TestRng::new(RNG_SEED_SEAL_XWING),
                    &mut buf,
                )
                .unwrap();
            lines.push(format!("sealed.xwing {}", hex(envelope)));
        }
        let xwing_op = xwing.then_some(XWING_OPERATION);
        for (i, op) in OPERATIONS.into_iter().chain(xwing_op).enumerate() {
            lines.push(format!("stack.{op} {}", 100 + i));
        }
        lines.push("status ok".to_string());
        lines.join("\n")
    }

    #[test]
    fn a_correct_transcript_passes() {
        let stack = check(&device_transcript(false), false).unwrap();
        assert_eq!(stack.len(), OPERATIONS.len());
        assert_eq!(stack[11], ("seal", 111));
        let stack = check(&device_transcript(true), true).unwrap();
        assert_eq!(stack.len(), OPERATIONS.len() + 1);
        assert_eq!(stack[12], ("seal_xwing", 112));
    }

    /// An X-Wing line where none is expected, or none where one is, or an envelope of the
    /// other suite in its place.
    #[test]
    fn the_xwing_line_is_checked_by_the_flag() {
        assert!(check(&device_transcript(true), false).is_err());
        assert!(check(&device_transcript(false), true).is_err());
        let transcript = device_transcript(true);
        let x25519 = transcript
            .lines()
            .find_map(|l| l.strip_prefix("sealed "))
            .unwrap();
        let swapped: Vec<String> = transcript
            .lines()
            .map(|l| match l.strip_prefix("sealed.xwing ") {
                Some(_) => format!("sealed.xwing {x25519}"),
                None => l.to_string(),
            })
            .collect();
        let problems = check(&swapped.join("\n"), true).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("`sealed.xwing`"), "{problems:?}");
    }

    #[test]
    fn every_missing_line_fails() {
        for xwing in [false, true] {
            every_missing_line_fails_in(xwing);
        }
    }

    fn every_missing_line_fails_in(xwing: bool) {
        let transcript = device_transcript(xwing);
        let lines: Vec<&str> = transcript.lines().collect();
        for skip in 0..lines.len() {
            let cut: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect();
            assert!(
                check(&cut.join("\n"), xwing).is_err(),
                "passes without `{}`",
                lines[skip]
            );
        }
    }

    #[test]
    fn every_changed_line_fails() {
        for xwing in [false, true] {
            every_changed_line_fails_in(xwing);
        }
    }

    fn every_changed_line_fails_in(xwing: bool) {
        let transcript = device_transcript(xwing);
        let lines: Vec<&str> = transcript.lines().collect();
        for change in 0..lines.len() {
            let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            // Flip the last character: a digit of a hex value, a byte count, a letter.
            let last = changed[change].pop().unwrap();
            changed[change].push(if last == '0' { '1' } else { '0' });
            if changed[change].starts_with("stack.") {
                continue; // any positive byte count is a valid figure
            }
            assert!(
                check(&changed.join("\n"), xwing).is_err(),
                "passes with `{}`",
                changed[change]
            );
        }
    }

    #[test]
    fn repeated_unknown_and_failed_lines_fail() {
        let transcript = device_transcript(true);
        let first = transcript.lines().next().unwrap();
        assert!(check(&format!("{transcript}\n{first}"), true).is_err());
        assert!(check(&format!("{transcript}\nerror panic"), true).is_err());
        assert!(check(&transcript.replace("status ok", "status fail"), true).is_err());
        assert!(check(&transcript.replace("stack.seal 111", "stack.seal 0"), true).is_err());
        let zero = transcript.replace("stack.seal_xwing 112", "stack.seal_xwing 0");
        assert!(check(&zero, true).is_err());
    }

    /// tools/firmware/count.awk (run by qemu.sh) on a small hand-written trace: blocks count
    /// their listed instructions, unlisted blocks one, the markers' own instructions none.
    #[test]
    fn count_awk_counts_the_instructions_between_markers() {
        let dir = std::env::temp_dir().join(format!("phonetoken-count-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let markers = dir.join("markers");
        let trace = dir.join("trace");
        std::fs::write(
            &markers,
            "08000101 00000006 phonetoken_mark_parse\n08000110 00000004 phonetoken_mark_end\n",
        )
        .unwrap();
        let block = |pc: &str| format!("Trace 0: 0x7f0000 [00800408/{pc}/00000110/ff000200] \n");
        let listing = |pcs: &[&str]| {
            let mut s = "----------------\nIN: \n".to_string();
            for pc in pcs {
                s += &format!("0x{pc}:  4281       cmp      r1, r0\n");
            }
            s + "\n"
        };
        let text = [
            listing(&["08000000", "08000002"]),
            block("08000000"), // before the marker: 2, not counted
            listing(&["08000100", "08000102", "08000104"]),
            block("08000100"), // the parse marker: its own 3 not counted
            listing(&["08000020", "08000022", "08000024", "08000026"]),
            block("08000020"), // 4
            block("08000020"), // 4 again, from the earlier listing
            block("08000030"), // no listing (one instruction per block): 1
            listing(&["08000110", "08000112"]),
            block("08000110"), // the end marker
        ]
        .concat();
        std::fs::write(&trace, text).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../count.awk");
        let out = std::process::Command::new("awk")
            .arg("-v")
            .arg(format!("markers={}", markers.display()))
            .arg("-f")
            .arg(script)
            .arg(&trace)
            .output()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        lines.sort();
        assert_eq!(lines, ["parse 9", "total 16"]);
    }
}
