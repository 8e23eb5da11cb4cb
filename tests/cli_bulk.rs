//! The `phonetoken` tool's bulk mode: files, CSV, `--strict`, atomic output, threads.
//!
//! Expected values come from the library (`phonetoken::parse`, a `Keyset` loaded from the
//! file) and from the `hmac` crate over the key bytes in the keyset file, never from the
//! tool's own output; tokens are checked by opening them with the library.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};

use base64ct::Encoding as _;
use phonetoken::{parse, Keyset, Region};
use tempfile::TempDir;

mod support;

use support::{hmac_sha256, pseudonym_key, run};

fn run_ok(args: &[&str], stdin: &[u8]) -> (Vec<u8>, String) {
    run(args, stdin, 0)
}

fn keygen(dir: &TempDir) -> PathBuf {
    let path = dir.path().join("keys.json");
    run_ok(&["keygen", "--out", arg(&path)], b"");
    path
}

fn keyset(path: &Path) -> Keyset {
    Keyset::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// HMAC-SHA256 in base64url without padding, by the `hmac` crate.
fn expected_pseudonym(key: &[u8], e164: &str) -> String {
    base64ct::Base64UrlUnpadded::encode_string(&hmac_sha256(key, e164.as_bytes()))
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn region(cc: &str) -> Option<Region> {
    Some(cc.parse().unwrap())
}

/// Written numbers in many forms (and some that are not numbers), `n` of them.
fn sample_lines(n: usize) -> Vec<String> {
    let forms = [
        |i: usize| format!("+1 (415) 555-{:04}", i % 10_000),
        |i: usize| format!("020 7946 {:04}", i % 10_000),
        |i: usize| format!("+44 20 7946 {:04}", (i * 7) % 10_000),
        |i: usize| format!("0{}", i % 1000),
        |i: usize| format!("tel:+33-1-42-68-{:02}-{:02}", i % 100, (i / 100) % 100),
        |_: usize| "call me".to_string(),
        |i: usize| format!("00 49 30 {:06}", i % 1_000_000),
    ];
    (0..n).map(|i| forms[i % forms.len()](i)).collect()
}

/// Reads CSV output with the `csv` crate into records of byte fields.
fn read_csv(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .byte_records()
        .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
        .collect()
}

fn field(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

#[test]
fn normalize_line_mode_from_a_file_to_a_file() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    let lines = sample_lines(50);
    std::fs::write(&input, lines.join("\n")).unwrap();
    let (stdout, stderr) = run_ok(
        &[
            "normalize",
            "--region",
            "GB",
            "--input",
            arg(&input),
            "--output",
            arg(&output),
        ],
        b"",
    );
    assert!(stdout.is_empty());
    let got = std::fs::read_to_string(&output).unwrap();
    let expected: Vec<String> = lines
        .iter()
        .map(|l| match parse(l, region("GB")) {
            Ok(n) => n.as_str().to_string(),
            Err(e) => format!("error: {}", e.code()),
        })
        .collect();
    assert_eq!(got.lines().collect::<Vec<_>>(), expected);
    let failed = expected.iter().filter(|l| l.starts_with("error: ")).count();
    assert!(failed > 0 && failed < 50);
    assert!(
        stderr.contains(&format!("50 lines, {failed} failed")),
        "{stderr}"
    );
    assert!(
        stderr.contains("lines/s"),
        "the summary gives a rate: {stderr}"
    );
    // Only the output file is new: the temporary file was renamed.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["in.txt", "out.txt"]);
}

#[test]
fn csv_pseudonymize_replaces_the_column_and_passes_the_rest_through() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir);
    let key = pseudonym_key(&ks);
    // Other columns hold commas, quotes, a newline, and bytes that are not UTF-8.
    let input: &[u8] = b"id,phone,note\r\n\
        1,(415) 555-2671,\"a, \"\"quoted\"\" note\"\r\n\
        2,12,\"two\nlines\"\r\n\
        3,+44 20 7946 0958,\xff\xfe raw\r\n\
        4,,empty phone\r\n";
    let (stdout, stderr) = run_ok(
        &[
            "pseudonymize",
            "--keyset",
            arg(&ks),
            "--region",
            "US",
            "--csv",
            "--column",
            "phone",
        ],
        input,
    );
    let records = read_csv(&stdout);
    assert_eq!(
        records,
        vec![
            vec![
                field("id"),
                field("phone"),
                field("note"),
                field("phonetoken_error")
            ],
            vec![
                field("1"),
                field(&expected_pseudonym(&key, "+14155552671")),
                field("a, \"quoted\" note"),
                field("")
            ],
            vec![
                field("2"),
                field(""),
                field("two\nlines"),
                field("too-short")
            ],
            vec![
                field("3"),
                field(&expected_pseudonym(&key, "+442079460958")),
                b"\xff\xfe raw".to_vec(),
                field("")
            ],
            vec![field("4"), field(""), field("empty phone"), field("")],
        ]
    );
    // RFC 4180 quoting where needed, and the raw bytes unchanged.
    let text = &stdout[..];
    assert!(windows_contain(text, b"\"a, \"\"quoted\"\" note\""));
    assert!(windows_contain(text, b"\"two\nlines\""));
    assert!(windows_contain(text, b"\xff\xfe raw"));
    assert!(
        stderr.contains("4 rows, 1 failed (too-short: 1)"),
        "{stderr}"
    );
}

fn windows_contain(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn csv_output_column_keeps_the_input_and_several_columns_name_their_errors() {
    let input = "name,home,work\nann,020 7946 0958,07700 900123\nbob,+1 415 555 2671,nope\n";
    let (stdout, stderr) = run_ok(
        &[
            "normalize",
            "--region",
            "GB",
            "--csv",
            "--column",
            "home",
            "--column",
            "3",
            "--output-column",
            "home_e164",
            "--output-column",
            "work_e164",
        ],
        input.as_bytes(),
    );
    let e = |s: &str| field(parse(s, region("GB")).unwrap().as_str());
    assert_eq!(
        read_csv(&stdout),
        vec![
            vec![
                field("name"),
                field("home"),
                field("work"),
                field("home_e164"),
                field("work_e164"),
                field("phonetoken_error")
            ],
            vec![
                field("ann"),
                field("020 7946 0958"),
                field("07700 900123"),
                e("020 7946 0958"),
                e("07700 900123"),
                field("")
            ],
            vec![
                field("bob"),
                field("+1 415 555 2671"),
                field("nope"),
                e("+1 415 555 2671"),
                field(""),
                field("work: no-digits")
            ],
        ]
    );
    assert!(
        stderr.contains("2 rows, 1 failed (no-digits: 1)"),
        "{stderr}"
    );
}

#[test]
fn csv_tokenize_then_detokenize_round_trips() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir);
    let input = "who,number\nx,020 7946 0958\ny,garbage\nz,\"+1 (415) 555-2671\"\n";
    let (tokens, _) = run_ok(
        &[
            "tokenize",
            "--keyset",
            arg(&ks),
            "--region",
            "GB",
            "--context",
            "crm",
            "--csv",
            "--column",
            "number",
        ],
        input.as_bytes(),
    );
    let records = read_csv(&tokens);
    assert_eq!(records.len(), 4);
    let keys = keyset(&ks);
    let opened = |cell: &[u8]| {
        keys.detokenize_str(std::str::from_utf8(cell).unwrap(), b"crm")
            .unwrap()
            .as_str()
            .to_string()
    };
    assert_eq!(opened(&records[1][1]), "+442079460958");
    assert_eq!(records[2][1..], [field(""), field("no-digits")]);
    assert_eq!(opened(&records[3][1]), "+14155552671");

    let (back, stderr) = run_ok(
        &[
            "detokenize",
            "--keyset",
            arg(&ks),
            "--context",
            "crm",
            "--csv",
            "--column",
            "number",
            "--output-column",
            "e164",
            "--error-column",
            "detokenize_error",
        ],
        &tokens,
    );
    let records = read_csv(&back);
    // The token input's own error column is passed through; the new answers follow it.
    assert_eq!(
        records[0],
        [
            field("who"),
            field("number"),
            field("phonetoken_error"),
            field("e164"),
            field("detokenize_error")
        ]
    );
    assert_eq!(records[1][3], field("+442079460958"));
    assert_eq!(
        records[2][3..],
        [field(""), field("")],
        "an empty token cell stays empty"
    );
    assert_eq!(records[3][3], field("+14155552671"));
    assert!(stderr.contains("3 rows, 0 failed"), "{stderr}");
}

#[test]
fn strict_stops_at_the_first_bad_line_and_leaves_no_output_file() {
    let dir = TempDir::new().unwrap();
    let output = dir.path().join("out.txt");
    let input = "+1 415 555 2671\n+44 20 7946 0958\n12\n+33 1 42 68 53 00\n";
    let (stdout, stderr) = run(
        &[
            "normalize",
            "--strict",
            "--output",
            arg(&output),
            "--threads",
            "2",
        ],
        input.as_bytes(),
        1,
    );
    assert!(stdout.is_empty());
    assert!(stderr.contains("line 3: missing-region"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "neither the output nor its temporary file is left"
    );

    // To stdout, the lines before the bad one are written, then the run stops.
    let (stdout, stderr) = run(
        &["normalize", "--strict", "--chunk-size", "2"],
        input.as_bytes(),
        1,
    );
    assert_eq!(
        String::from_utf8(stdout).unwrap(),
        "+14155552671\n+442079460958\n"
    );
    assert!(stderr.contains("line 3: missing-region"), "{stderr}");

    // A CSV row: its data row number and its line (the header and a two-line field before it).
    let csv_input = "n,note\n+1 415 555 2671,\"a\nb\"\n+1 415,x\n";
    let csv_output = dir.path().join("out.csv");
    let (_, stderr) = run(
        &[
            "normalize",
            "--csv",
            "--column",
            "n",
            "--strict",
            "--output",
            arg(&csv_output),
        ],
        csv_input.as_bytes(),
        1,
    );
    assert!(
        stderr.contains("row 2 (line 4): column \"n\": too-short"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Without --strict the same input succeeds.
    run_ok(&["normalize", "--output", arg(&output)], input.as_bytes());
    assert!(output.exists());
}

#[test]
fn order_is_kept_across_threads_and_chunks() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir);
    let key = pseudonym_key(&ks);
    let lines = sample_lines(5000);
    let input = dir.path().join("in.txt");
    std::fs::write(&input, lines.join("\r\n") + "\r\n").unwrap();
    let expected: Vec<String> = lines
        .iter()
        .map(|l| match parse(l, region("US")) {
            Ok(n) => expected_pseudonym(&key, n.as_str()),
            Err(e) => format!("error: {}", e.code()),
        })
        .collect();
    let mut outputs = Vec::new();
    for threads in ["1", "8"] {
        let (stdout, stderr) = run_ok(
            &[
                "pseudonymize",
                "--keyset",
                arg(&ks),
                "--region",
                "US",
                "--input",
                arg(&input),
                "--threads",
                threads,
                "--chunk-size",
                "333",
            ],
            b"",
        );
        let text = String::from_utf8(stdout).unwrap();
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            expected,
            "--threads {threads}"
        );
        assert!(stderr.contains("5000 lines"), "{stderr}");
        outputs.push(text);
    }
    assert_eq!(outputs[0], outputs[1]);

    // CSV: the same, with records spread over chunks smaller than a rayon piece and larger.
    let csv: String = std::iter::once("k,phone\n".to_string())
        .chain(
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{i},\"{l}\"\n")),
        )
        .collect();
    for (threads, chunk) in [("1", "5000"), ("8", "777"), ("3", "1")] {
        let (stdout, _) = run_ok(
            &[
                "pseudonymize",
                "--keyset",
                arg(&ks),
                "--region",
                "US",
                "--csv",
                "--column",
                "phone",
                "--threads",
                threads,
                "--chunk-size",
                chunk,
            ],
            csv.as_bytes(),
        );
        let records = read_csv(&stdout);
        assert_eq!(records.len(), 5001);
        for (i, (record, want)) in records[1..].iter().zip(&expected).enumerate() {
            assert_eq!(record[0], field(&i.to_string()));
            match want.strip_prefix("error: ") {
                Some(reason) => assert_eq!(record[1..], [field(""), field(reason)]),
                None => assert_eq!(record[1..], [field(want), field("")]),
            }
        }
    }
}

#[test]
fn mistakes_are_usage_errors_that_say_what_to_do() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("nope.txt");
    let (_, stderr) = run(&["normalize", "--input", arg(&missing)], b"", 2);
    assert!(
        stderr.contains("cannot read the input file") && stderr.contains("check the path"),
        "{stderr}"
    );

    let (_, stderr) = run(
        &["normalize", "--csv", "--column", "phon"],
        b"name,phone\na,1\n",
        2,
    );
    assert!(
        stderr.contains("\"phon\"") && stderr.contains("\"phone\""),
        "lists the columns: {stderr}"
    );

    let (_, stderr) = run(&["normalize", "--csv"], b"phone\n", 2);
    assert!(stderr.contains("--column"), "{stderr}");

    let (_, stderr) = run(&["normalize", "--column", "phone"], b"phone\n", 2);
    assert!(
        stderr.contains("--csv"),
        "clap says --column needs --csv: {stderr}"
    );

    let (_, stderr) = run(&["normalize", "--region", "XX"], b"", 2);
    assert!(stderr.contains("XX"), "{stderr}");

    let (_, stderr) = run(&["pseudonymize", "--csv", "--column", "1"], b"phone\n", 2);
    assert!(
        stderr.contains("--keyset") && stderr.contains("keygen"),
        "{stderr}"
    );

    let (_, stderr) = run(&["normalize", "--threads", "0"], b"", 2);
    assert!(stderr.contains("--threads"), "{stderr}");

    let (_, stderr) = run(
        &[
            "normalize",
            "--output",
            arg(&dir.path().join("no/such/dir/out.txt")),
        ],
        b"+14155552671\n",
        2,
    );
    assert!(stderr.contains("directory exists"), "{stderr}");

    let (_, stderr) = run(
        &[
            "normalize",
            "--csv",
            "--column",
            "a",
            "--output-column",
            "b",
        ],
        b"a,b\n1,2\n",
        2,
    );
    assert!(stderr.contains("already has a column \"b\""), "{stderr}");
}

#[test]
fn csv_without_header_and_empty_inputs() {
    let (stdout, _) = run_ok(
        &["normalize", "--csv", "--no-header", "--column", "2"],
        b"a,+1 415 555 2671\nb,x\n",
    );
    assert_eq!(
        read_csv(&stdout),
        vec![
            vec![field("a"), field("+14155552671"), field("")],
            vec![field("b"), field(""), field("no-digits")],
        ]
    );
    let (_, stderr) = run(
        &["normalize", "--csv", "--no-header", "--column", "phone"],
        b"",
        2,
    );
    assert!(stderr.contains("1-based index"), "{stderr}");

    let (stdout, stderr) = run_ok(&["normalize", "--csv", "--column", "phone"], b"phone\n");
    assert_eq!(
        read_csv(&stdout),
        vec![vec![field("phone"), field("phonetoken_error")]]
    );
    assert!(stderr.contains("0 rows, 0 failed"), "{stderr}");

    let (stdout, stderr) = run_ok(&["normalize"], b"");
    assert!(stdout.is_empty());
    assert!(stderr.contains("0 lines, 0 failed"), "{stderr}");
}

#[test]
fn demo_still_runs_without_arguments() {
    let (stdout, _) = run_ok(&["demo"], b"");
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.contains("+442079460958"), "{text}");
}

#[test]
fn a_csv_record_that_never_ends_stops_the_run_but_long_line_input_does_not() {
    // An unclosed quote makes the rest of the input one field: refused past 16 MiB.
    let mut input = b"phone,note\n+14155552671,\"never closed ".to_vec();
    input.resize(17 << 20, b'x');
    let (stdout, stderr) = run(&["normalize", "--csv", "--column", "phone"], &input, 2);
    assert!(stderr.contains("longer than 16 MiB"), "{stderr}");
    assert!(
        !stdout.windows(12).any(|w| w == b"+14155552671"),
        "the unfinished record is not answered"
    );

    // Line mode reads any amount: 20 MiB of lines, each too long to be a number.
    let line = "9".repeat(1000) + "\n";
    let input = line.repeat(20 << 10);
    let (stdout, stderr) = run_ok(&["normalize", "--threads", "2"], input.as_bytes());
    assert_eq!(stdout.len(), (20 << 10) * "error: input-too-long\n".len());
    assert!(
        stderr.contains("20480 lines, 20480 failed (input-too-long: 20480)"),
        "{stderr}"
    );
}

/// Ctrl-C (or SIGTERM, SIGHUP) during a run with `--output` removes the temporary file, which
/// may hold detokenized numbers, and exits with 130; the output file never appears.
#[cfg(unix)]
#[test]
fn an_interrupted_run_removes_its_temporary_output() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    for signal in ["INT", "TERM", "HUP"] {
        let dir = TempDir::new().unwrap();
        let out = dir.path().join("out.txt");
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("phonetoken"))
            .args(["normalize", "--region", "US", "--output", arg(&out)])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Some input, and stdin left open: the run is still going when the signal comes.
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"+1 415 555 2671\n").unwrap();
        stdin.flush().unwrap();
        let temp = dir.path().join(format!(".out.txt.tmp-{}", child.id()));
        let start = Instant::now();
        while !temp.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{signal}: no temp file"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        // The handler is installed before the file is created.
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(130), "{signal}");
        assert!(!temp.exists(), "{signal}: the temporary file is left");
        assert!(!out.exists(), "{signal}: an output file appeared");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(stderr.contains("interrupted"), "{signal}: {stderr}");
    }
}
