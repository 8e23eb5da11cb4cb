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

use support::{arg, hmac_sha256, keygen, pseudonym_key, run};

fn run_ok(args: &[&str], stdin: &[u8]) -> (Vec<u8>, String) {
    run(args, stdin, 0)
}

fn keyset(path: &Path) -> Keyset {
    Keyset::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// HMAC-SHA256 in base64url without padding, by the `hmac` crate.
fn expected_pseudonym(key: &[u8], e164: &str) -> String {
    base64ct::Base64UrlUnpadded::encode_string(&hmac_sha256(key, e164.as_bytes()))
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
    let ks = keygen(&dir, "keys.json");
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
    let ks = keygen(&dir, "keys.json");
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
    let ks = keygen(&dir, "keys.json");
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

/// The hidden temporary file a run writes beside its `--output`.
fn temp_of(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap().to_str().unwrap();
    out.with_file_name(format!(".{name}.phonetoken-tmp"))
}

/// A run writing `--output out` whose stdin stays open, once its temporary file exists.
#[cfg(unix)]
fn start_writing(out: &Path) -> (std::process::Child, std::process::ChildStdin) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("phonetoken"))
        .args(["normalize", "--region", "US", "--output", arg(out)])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"+1 415 555 2671\n").unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    while !temp_of(out).exists() {
        assert!(start.elapsed() < Duration::from_secs(20), "no temp file");
        std::thread::sleep(Duration::from_millis(10));
    }
    (child, stdin)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn stderr_of(child: &mut std::process::Child) -> String {
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    stderr
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Every catchable signal that ends a process by default, during a run with `--output`,
/// removes the temporary file (it may hold detokenized numbers) and the lock, and exits with
/// 128 + the signal's number; the output file never appears. (Numbers are Linux's.)
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_run_removes_its_temporary_output() {
    use std::process::Command;

    let signals = [
        ("HUP", 1),
        ("INT", 2),
        ("QUIT", 3),
        ("USR1", 10),
        ("USR2", 12),
        ("ALRM", 14),
        ("TERM", 15),
        ("XCPU", 24),
        ("XFSZ", 25),
        ("VTALRM", 26),
        ("PROF", 27),
        ("IO", 29),
    ];
    for (signal, number) in signals {
        let dir = TempDir::new().unwrap();
        let out = dir.path().join("out.txt");
        let (mut child, stdin) = start_writing(&out);
        let killed = Command::new("kill")
            .args([&format!("-{number}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(128 + number), "SIG{signal}");
        assert_eq!(
            file_names(dir.path()),
            Vec::<String>::new(),
            "SIG{signal}: no temporary file, lock or output is left"
        );
        let stderr = stderr_of(&mut child);
        assert!(stderr.contains("interrupted"), "SIG{signal}: {stderr}");
    }
}

/// SIGKILL cannot be caught: its leftover is private, and the next run on the same output
/// (which takes the lock, so it knows no live run owns the file) removes it.
#[cfg(unix)]
#[test]
fn the_next_run_removes_what_a_killed_run_left() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.txt");
    let (mut child, stdin) = start_writing(&out);
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let temp = temp_of(&out);
    assert!(temp.exists());
    assert_eq!(
        mode(&temp),
        0o600,
        "the leftover is readable by its owner only"
    );
    let (_, stderr) = run_ok(&["normalize", "--output", arg(&out)], b"+14155552671\n");
    assert!(stderr.contains("left by a run that was killed"), "{stderr}");
    assert_eq!(file_names(dir.path()), ["out.txt"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "+14155552671\n");
}

/// Two runs on one `--output`: the second is refused while the first writes, and the first's
/// output is the one that lands.
#[cfg(unix)]
#[test]
fn a_second_run_on_the_same_output_is_refused() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.txt");
    let (mut first, stdin) = start_writing(&out);
    assert_eq!(mode(&temp_of(&out)), 0o600, "the temporary file is private");
    let (_, stderr) = run(&["normalize", "--output", arg(&out)], b"+442079460958\n", 2);
    assert!(
        stderr.contains("another phonetoken run is writing"),
        "{stderr}"
    );
    assert!(
        temp_of(&out).exists(),
        "the refused run left the first's file alone"
    );
    drop(stdin);
    assert!(first.wait().unwrap().success());
    let expected = parse("+1 415 555 2671", None).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{}\n", expected.as_str())
    );
    assert_eq!(file_names(dir.path()), ["out.txt"], "the lock file is gone");
}

/// New output files are private whatever the umask (detokenized numbers are plaintext); a
/// replaced file keeps its mode.
#[cfg(unix)]
#[test]
fn output_files_are_private_and_a_replaced_one_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new().unwrap();
    let out = dir.path().join("new.txt");
    run_ok(&["normalize", "--output", arg(&out)], b"+14155552671\n");
    assert_eq!(mode(&out), 0o600);

    let shared = dir.path().join("shared.txt");
    std::fs::write(&shared, "old\n").unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o640)).unwrap();
    run_ok(&["normalize", "--output", arg(&shared)], b"+14155552671\n");
    assert_eq!(mode(&shared), 0o640);
    assert_eq!(std::fs::read_to_string(&shared).unwrap(), "+14155552671\n");
}

/// `--output` naming the input (the same path, a hard link, a symbolic link) is refused
/// before anything is written: replacing the input would lose the text of failed lines.
#[cfg(unix)]
#[test]
fn the_output_cannot_be_the_input() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.txt");
    let original = "+1 415 555 2671\nnot a number\n";
    std::fs::write(&input, original).unwrap();
    let hard = dir.path().join("hard.txt");
    std::fs::hard_link(&input, &hard).unwrap();
    let soft = dir.path().join("soft.txt");
    std::os::unix::fs::symlink(&input, &soft).unwrap();
    for out in [&input, &hard, &soft] {
        let (_, stderr) = run(
            &["normalize", "--input", arg(&input), "--output", arg(out)],
            b"",
            2,
        );
        assert!(
            stderr.contains("is the same file as --input"),
            "{}: {stderr}",
            out.display()
        );
        assert_eq!(std::fs::read_to_string(&input).unwrap(), original);
    }
    // The same through the standard input.
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("phonetoken"))
        .args(["normalize", "--output", arg(&input)])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("the standard input"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&input).unwrap(), original);
    assert_eq!(file_names(dir.path()), ["hard.txt", "in.txt", "soft.txt"]);
}

/// An `--output` that is a symbolic link: its target is replaced, the link kept.
#[cfg(unix)]
#[test]
fn output_through_a_symbolic_link_replaces_its_target() {
    let dir = TempDir::new().unwrap();
    let target = dir.path().join("target.txt");
    std::fs::write(&target, "old\n").unwrap();
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink("target.txt", &link).unwrap();
    run_ok(&["normalize", "--output", arg(&link)], b"+14155552671\n");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "+14155552671\n");
    assert_eq!(file_names(dir.path()), ["link.txt", "target.txt"]);

    // A link to nothing is refused, and nothing is created.
    let dangling = dir.path().join("dangling.txt");
    std::os::unix::fs::symlink("nowhere/x.txt", &dangling).unwrap();
    let (_, stderr) = run(
        &["normalize", "--output", arg(&dangling)],
        b"+14155552671\n",
        2,
    );
    assert!(stderr.contains("symbolic link"), "{stderr}");

    // A device is written in place, not renamed over.
    run_ok(&["normalize", "--output", "/dev/null"], b"+14155552671\n");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

/// Runs the tool on `input` under an address-space limit (prlimit, util-linux), with at most
/// two malloc arenas so the limit measures the tool's allocations, not the allocator's
/// per-thread reservations; returns (exit code, output size, stderr).
#[cfg(target_os = "linux")]
fn run_limited(limit: u64, input: &Path, out: &Path, args: &[&str]) -> (Option<i32>, u64, String) {
    let output = std::process::Command::new("prlimit")
        .arg(format!("--as={limit}"))
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin!("phonetoken"))
        .args(args)
        .args([
            "--threads",
            "2",
            "--input",
            arg(input),
            "--output",
            arg(out),
        ])
        .env("MALLOC_ARENA_MAX", "2")
        .output()
        .unwrap();
    let size = std::fs::metadata(out).map_or(0, |m| m.len());
    (
        output.status.code(),
        size,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Address space the bounded-memory runs get: a fraction of what the inputs below took
/// before memory was bounded by bytes (7.5 GB, 2.9 GB).
#[cfg(target_os = "linux")]
const MEMORY_LIMIT: u64 = 512 << 20;

/// A header that is one 4 MB name, then 16,384 bad rows: memory stays bounded, and no
/// message or error cell copies the name (each error cell is at most 64 bytes, so the output
/// is the input plus at most 64 bytes a row).
#[cfg(target_os = "linux")]
#[test]
fn a_huge_header_name_is_never_copied() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    let out = dir.path().join("out.csv");
    let rows = 16_384u64;
    let mut data = "h".repeat(4 << 20);
    data.push_str(",b\n");
    for _ in 0..rows {
        data.push_str("12,x\n");
    }
    std::fs::write(&input, &data).unwrap();
    for columns in [&["--column", "1"][..], &["--column", "1", "--column", "2"]] {
        let mut args = vec!["normalize", "--csv"];
        args.extend_from_slice(columns);
        let (code, size, stderr) = run_limited(MEMORY_LIMIT, &input, &out, &args);
        assert_eq!(code, Some(0), "{columns:?}: {stderr}");
        assert!(
            size <= data.len() as u64 + 64 * (rows + 1),
            "{columns:?}: {size} bytes of output"
        );
        assert!(
            stderr.contains(&format!("{rows} rows, {rows} failed")),
            "{stderr}"
        );
        assert!(
            stderr.len() < 1024,
            "{columns:?}: stderr holds no header name"
        );
        let records = read_csv(&std::fs::read(&out).unwrap());
        assert_eq!(records.len() as u64, rows + 1);
        let code = |cell: &str| parse(cell, None).unwrap_err().code();
        let want = if columns.len() == 4 {
            format!("1: {}; 2: {}", code("12"), code("x"))
        } else {
            code("12").to_string()
        };
        assert_eq!(records[1].last().unwrap(), &field(&want), "{columns:?}");
    }
    // --strict names the column by its index, not by the name.
    let (code, _, stderr) = run_limited(
        MEMORY_LIMIT,
        &input,
        &out,
        &["normalize", "--csv", "--column", "1", "--strict"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    let want = format!(
        "row 1 (line 2): column 1: {}",
        parse("12", None).unwrap_err().code()
    );
    assert!(stderr.contains(&want), "{stderr}");
    assert!(stderr.len() < 1024);
}

/// Records of 10 MB each: a chunk ends at a byte budget, not only at `--chunk-size`
/// records, so memory stays bounded; the output is the input plus one short error cell a
/// record.
#[cfg(target_os = "linux")]
#[test]
fn long_records_are_chunked_by_bytes() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    let out = dir.path().join("out.csv");
    let records = 24u64;
    let long = "x".repeat(10 << 20);
    let mut data = String::from("id,note\n");
    for i in 0..records {
        data.push_str(&format!("{i},{long}\n"));
    }
    std::fs::write(&input, &data).unwrap();
    let (code, size, stderr) = run_limited(
        MEMORY_LIMIT,
        &input,
        &out,
        &["normalize", "--csv", "--column", "note"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(size <= data.len() as u64 + 64 * (records + 1), "{size}");
    assert!(
        stderr.contains(&format!("{records} rows, {records} failed")),
        "{stderr}"
    );
}

/// An unclosed quote no longer swallows the rest of the input silently: the record is
/// passed through unprocessed with `unclosed-quote` and counted; `--strict` stops at it
/// with its row and line.
#[test]
fn an_unclosed_quote_is_reported_with_its_record() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let input = b"id,phone\n1,\"+14155552671\n2,+14155552672,y\n";
    let args = [
        "tokenize",
        "--keyset",
        arg(&ks),
        "--csv",
        "--column",
        "phone",
    ];
    let (stdout, stderr) = run_ok(&args, input);
    assert_eq!(
        read_csv(&stdout),
        vec![
            vec![field("id"), field("phone"), field("phonetoken_error")],
            vec![
                field("1"),
                field("+14155552671\n2,+14155552672,y\n"),
                field("unclosed-quote")
            ],
        ]
    );
    assert!(
        stderr.contains("1 rows, 1 failed (unclosed-quote: 1)"),
        "{stderr}"
    );
    let mut strict = args.to_vec();
    strict.push("--strict");
    let (stdout, stderr) = run(&strict, input, 1);
    assert!(
        stderr.contains(
            "row 1 (line 2): unclosed-quote (a quoted field opened in this record never closes"
        ),
        "{stderr}"
    );
    assert_eq!(read_csv(&stdout).len(), 1, "only the header is written");

    // Text after a closing quote would be joined to the field silently: flagged too.
    let (stdout, stderr) = run_ok(
        &["normalize", "--csv", "--column", "phone"],
        b"id,phone\n1,\"+1415\"5552671\n2,+14155552672\n",
    );
    let records = read_csv(&stdout);
    assert_eq!(
        records[1],
        [field("1"), field("+14155552671"), field("bad-quote")]
    );
    assert_eq!(records[2], [field("2"), field("+14155552672"), field("")]);
    assert!(
        stderr.contains("2 rows, 1 failed (bad-quote: 1)"),
        "{stderr}"
    );

    // A header that never closes is refused.
    let (_, stderr) = run(
        &["normalize", "--csv", "--column", "phone"],
        b"id,\"phone\n1,2\n",
        2,
    );
    assert!(stderr.contains("header record (line 1)"), "{stderr}");
}

/// A record longer than the header keeps every field, and the appended columns stay under
/// their header names: its first fields, the new columns, then its extra fields, flagged
/// `extra-fields`.
#[test]
fn ragged_records_keep_their_fields_and_the_columns_stay_in_place() {
    let input = "a,phone,c\n1,+1 415 555 2671,3,4,5\n2,020 7946 0958\n";
    let (stdout, stderr) = run_ok(
        &[
            "normalize",
            "--region",
            "GB",
            "--csv",
            "--column",
            "phone",
            "--output-column",
            "e164",
        ],
        input.as_bytes(),
    );
    let e = |s: &str| field(parse(s, region("GB")).unwrap().as_str());
    assert_eq!(
        read_csv(&stdout),
        vec![
            vec![
                field("a"),
                field("phone"),
                field("c"),
                field("e164"),
                field("phonetoken_error")
            ],
            vec![
                field("1"),
                field("+1 415 555 2671"),
                field("3"),
                e("+1 415 555 2671"),
                field("extra-fields"),
                field("4"),
                field("5")
            ],
            vec![
                field("2"),
                field("020 7946 0958"),
                field(""),
                e("020 7946 0958"),
                field("")
            ],
        ]
    );
    assert!(
        stderr.contains("2 rows, 1 failed (extra-fields: 1)"),
        "{stderr}"
    );
}

/// A forgotten `--no-header` makes the first record the header: its values are never shown
/// on stderr, neither in the hint nor in `--strict`'s message.
#[test]
fn a_phone_number_in_the_first_record_never_reaches_stderr() {
    let input = b"ann,+1 415 555 2671\nbob,12\n";
    let (_, stderr) = run(&["normalize", "--csv", "--column", "phone"], input, 2);
    assert!(stderr.contains("--no-header"), "{stderr}");
    for secret in ["415", "555", "2671", "ann"] {
        assert!(!stderr.contains(secret), "{secret}: {stderr}");
    }
    let (_, stderr) = run(
        &["normalize", "--csv", "--column", "2", "--strict"],
        input,
        1,
    );
    let want = format!("column 2: {}", parse("12", None).unwrap_err().code());
    assert!(stderr.contains(&want), "{stderr}");
    for secret in ["415", "555", "2671", "ann"] {
        assert!(!stderr.contains(secret), "{secret}: {stderr}");
    }
}

/// Tokens opened with the wrong `--context` all fail alike: the summary says what usually
/// causes that. A few bad tokens among good ones get no such hint.
#[test]
fn detokenize_with_the_wrong_context_gets_a_hint() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let keys = keyset(&ks);
    let number = parse("+14155552671", None).unwrap();
    let token = keys.tokenize(&number, b"crm").to_string();
    let input = format!("{token}\n{token}\n{token}\n");
    let detokenize = |context: &str, input: &str| {
        run_ok(
            &["detokenize", "--keyset", arg(&ks), "--context", context],
            input.as_bytes(),
        )
    };
    let (stdout, stderr) = detokenize("billing", &input);
    assert_eq!(stdout, b"error: authentication-failed\n".repeat(3));
    assert!(
        stderr.contains("hint") && stderr.contains("--context"),
        "{stderr}"
    );
    let (stdout, stderr) = detokenize("crm", &input);
    assert_eq!(stdout, b"+14155552671\n".repeat(3));
    assert!(!stderr.contains("hint"), "{stderr}");
    let mixed = format!("{token}\n{token}\n{}\n", "A".repeat(token.len()));
    let (_, stderr) = detokenize("crm", &mixed);
    assert!(stderr.contains("1 failed"), "{stderr}");
    assert!(!stderr.contains("hint"), "{stderr}");
}
