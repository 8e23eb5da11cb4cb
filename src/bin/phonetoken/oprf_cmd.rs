//! `phonetoken oprf …`: oblivious pseudonyms (RFC 9497) on the line protocol.
//!
//! Requests, responses and blind states are base64url lines (no padding). `blind` answers
//! each number with its own request (a batch of one) rather than one request per N lines:
//! output line N then answers input line N, a bad number costs only its own line, and chunks
//! run in parallel as in every other subcommand. A server that wants one proof per batch uses
//! the library's batch API. The secret blind state goes to `--state`, line for line beside
//! the requests, and `finalize` pairs it with the responses line for line.
//!
//! A line that is an `error: <code>` answer of the step before is answered with the same
//! code (`error: upstream-error` for a code this tool does not give), so `finalize`'s
//! output has the failures of `blind` and `evaluate` in their places, as `pseudonymize` does.

use std::fs::{self, File};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use phonetoken::oprf::{
    max_request_len, max_response_len, state_len, Blinded, Client, Mode, ObliviousPseudonym,
    PublicKey, Request, Server, MAX_BATCH, MAX_INFO_LEN, PUBLIC_KEY_LEN,
};
use phonetoken::{Encoding, KeyStatus, Keyset, Region};
use zeroize::{Zeroize, Zeroizing};

use crate::args::{
    OprfBlindArgs, OprfCommand, OprfDeriveArgs, OprfEvaluateArgs, OprfFinalizeArgs, OprfKeyArgs,
    OprfPseudonymizeArgs, PseudonymFormatArgs,
};
use crate::bulk::{self, Hooks};
use crate::lines::MAX_LINE_LEN;
use crate::osrng::OsRng;
use crate::{keyfile, shown, CliError};

/// The answer to an error line of the step before whose code is not one of [`CODES`].
const UPSTREAM: &str = "upstream-error";

/// The codes `blind` and `evaluate` give, passed on by the next step.
const CODES: &[&str] = &[
    // `phonetoken::parse` and the line reader.
    "no-digits",
    "not-a-number",
    "invalid-phone-context",
    "input-too-long",
    "missing-region",
    "invalid-country-code",
    "too-short-after-idd",
    "too-short",
    "too-long",
    "invalid-length",
    "not-e164",
    "invalid-utf8",
    // `OprfError::code`.
    "unsupported-version",
    "unknown-mode",
    "wrong-mode",
    "wrong-key-id",
    "wrong-length",
    "empty-batch",
    "batch-too-large",
    "batch-mismatch",
    "identity-element",
    "non-canonical-element",
    "non-canonical-proof",
    "verification-failed",
    "info-too-long",
    "invalid-input",
    "unknown-key-id",
    "aborted",
    "buffer-too-small",
    "bad-length",
    "bad-encoding",
    "bad-state",
    // The server's policy.
    "key-disabled",
    "info-not-allowed",
    "invalid-public-key",
    UPSTREAM,
];

/// The code of an `error: <code>` line, if `text` is one.
pub(crate) fn upstream(text: &str) -> Option<&'static str> {
    let code = text.strip_prefix("error: ")?;
    Some(
        CODES
            .iter()
            .find(|&&c| c == code)
            .copied()
            .unwrap_or(UPSTREAM),
    )
}
/// The longest E.164 string (`+` and 15 digits).
const MAX_NUMBER_LEN: usize = 16;
/// The longest state of one blinded number (POPRF with the longest info).
const MAX_STATE_LEN: usize = state_len(Mode::Poprf, 1, MAX_INFO_LEN, MAX_NUMBER_LEN);
/// The longest request the server reads (a full POPRF batch with the longest info).
const MAX_REQUEST_LEN: usize = max_request_len(Mode::Poprf, MAX_BATCH, MAX_INFO_LEN);
/// The longest response.
const MAX_RESPONSE_LEN: usize = max_response_len(Mode::Poprf, MAX_BATCH);

pub(crate) fn run(command: &OprfCommand) -> Result<ExitCode, CliError> {
    match command {
        OprfCommand::PublicKey(opts) => public_key(&opts.key),
        OprfCommand::Blind(opts) => blind(opts),
        OprfCommand::Evaluate(opts) => evaluate(opts),
        OprfCommand::Finalize(opts) => finalize(opts),
        OprfCommand::Pseudonymize(opts) => pseudonymize(opts),
        OprfCommand::DeriveKeyPair(opts) => derive_key_pair(opts),
    }
}

/// The server key of the flags: the keyset (for `--purpose`), the key id (default the
/// primary, which must be enabled) and the mode.
fn server_of(opts: &OprfKeyArgs) -> Result<Server, CliError> {
    let keyset = keyfile::load(&opts.keys)?;
    let id = opts.key_id.unwrap_or_else(|| keyset.primary_key_id());
    let status = keyset.keys().find(|k| k.id == id).map(|k| k.status);
    match status {
        None => Err(CliError::Usage(format!(
            "--key-id {id}: the keyset has no such key (`phonetoken keyset list` shows its keys)"
        ))),
        Some(status) if status != KeyStatus::Enabled => Err(CliError::Usage(format!(
            "--key-id {id}: the key is disabled (`phonetoken keyset enable` enables it)"
        ))),
        Some(_) => Server::from_keyset(&keyset, id, opts.mode.into())
            .map_err(|e| CliError::Usage(e.to_string())),
    }
}

fn public_key(opts: &OprfKeyArgs) -> Result<ExitCode, CliError> {
    let server = server_of(opts)?;
    let pk = server.public_key();
    println!("{pk}");
    eprintln!(
        "phonetoken: the {} public key of keyset key {}: pin it in devices (`oprf blind --public-key`)",
        pk.mode(),
        pk.key_id()
    );
    Ok(ExitCode::SUCCESS)
}

/// Decodes a public key given as hex or base64url (their lengths differ, so either reads).
pub(crate) fn decode_key_text(text: &str, out: &mut [u8]) -> Option<usize> {
    let text = text.trim();
    [Encoding::Hex, Encoding::Base64Url]
        .iter()
        .find_map(|e| e.decode_into(text, out).ok().map(<[u8]>::len))
}

fn parse_public_key(text: &str) -> Result<PublicKey, CliError> {
    let mut buf = [0u8; PUBLIC_KEY_LEN + 1];
    let len = decode_key_text(text, &mut buf).ok_or_else(|| {
        CliError::Usage(
            "--public-key is not hex or base64url: pass the key `phonetoken oprf public-key` printed"
                .into(),
        )
    })?;
    PublicKey::from_bytes(buf.get(..len).unwrap_or_default())
        .map_err(|e| CliError::Usage(format!("--public-key: {e}")))
}

/// Appends `bytes` in base64url.
fn push_base64url(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let len = Encoding::Base64Url.encoded_len(bytes.len());
    out.resize(start + len, 0);
    // Sized just above, so this cannot fail.
    let _ = Encoding::Base64Url.encode_into(bytes, out.get_mut(start..).unwrap_or_default());
}

/// Decodes a base64url line into `buf`.
fn decode_line<'b>(text: &str, buf: &'b mut [u8]) -> Result<&'b [u8], &'static str> {
    if let Some(code) = upstream(text) {
        return Err(code);
    }
    Encoding::Base64Url
        .decode_into(text, buf)
        .map_err(|e| match e {
            phonetoken::DecodeError::BufferTooSmall(_) => "input-too-long",
            _ => "bad-encoding",
        })
}

fn blind(opts: &OprfBlindArgs) -> Result<ExitCode, CliError> {
    let pk = parse_public_key(&opts.public_key)?;
    let info = opts.info.as_bytes();
    if !info.is_empty() && pk.mode() != Mode::Poprf {
        return Err(CliError::Usage(format!(
            "--info is for POPRF keys; this public key is for {}",
            pk.mode()
        )));
    }
    let client = Client::new(&pk)
        .with_info(info)
        .map_err(|e| CliError::Usage(format!("--info: {e}")))?;
    let state = create_state(&opts.state)?;
    let region = opts.region;
    let hooks = Hooks {
        output: Some(Box::new(move |main| {
            Box::new(SplitWriter::new(main, state))
        })),
        wipe: true,
        lines_only: Some("the state file pairs with the requests line by line"),
        ..Hooks::default()
    };
    let result = bulk::run_with(
        &opts.bulk,
        &|text, out| blind_line(&client, text, region, out),
        hooks,
    );
    if result.is_err() {
        // A partial state belongs to no finished run.
        let _ = fs::remove_file(&opts.state);
    }
    result
}

/// Creates the state file, readable and writable by its owner only; never an existing file
/// (it would be the state of another run's requests).
fn create_state(path: &Path) -> Result<File, CliError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| {
        let hint = if e.kind() == io::ErrorKind::AlreadyExists {
            ": it may hold the blinds of requests not yet finalized; finalize or remove it first"
        } else {
            ""
        };
        CliError::Usage(format!(
            "cannot create the state file {}: {e}{hint}",
            shown::path(path)
        ))
    })
}

/// Blinds one number: appends `REQUEST<TAB>STATE`, which [`SplitWriter`] parts.
fn blind_line(
    client: &Client<'_>,
    text: &str,
    region: Option<Region>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
    let mut request = [0u8; max_request_len(Mode::Poprf, 1, MAX_INFO_LEN)];
    let mut state = Zeroizing::new([0u8; MAX_STATE_LEN]);
    let (blinded, request) = client
        .blind_one(&number, &mut OsRng, &mut request)
        .map_err(|e| e.code())?;
    let state = blinded.export_into(&mut state[..]).map_err(|e| e.code())?;
    push_base64url(request, out);
    out.push(b'\t');
    push_base64url(state, out);
    Ok(())
}

/// Parts each line `A<TAB>B` into `A` for the main output and `B` for the state file; a
/// line without a tab (an `error: …` answer) goes to both, so the two stay line for line.
/// What passes through for the state file is wiped once written.
struct SplitWriter {
    main: Box<dyn Write + Send>,
    state: File,
    /// The start of a line not yet complete.
    pending: Zeroizing<Vec<u8>>,
    /// The state lines of one write.
    side: Zeroizing<Vec<u8>>,
}

impl SplitWriter {
    fn new(main: Box<dyn Write + Send>, state: File) -> SplitWriter {
        SplitWriter {
            main,
            state,
            pending: Zeroizing::new(Vec::new()),
            side: Zeroizing::new(Vec::new()),
        }
    }

    fn part(&mut self, line: &[u8]) -> io::Result<()> {
        let (first, second) = match line.iter().position(|&b| b == b'\t') {
            Some(i) => (line.get(..i).unwrap_or_default(), line.get(i + 1..)),
            None => (line, None),
        };
        self.main.write_all(first)?;
        self.main.write_all(b"\n")?;
        reserve_wiped(&mut self.side, line.len() + 1);
        self.side.extend_from_slice(second.unwrap_or(first));
        self.side.push(b'\n');
        Ok(())
    }
}

/// Grows `buf` by copying into a new buffer and wiping the old one (a reallocation would
/// leave a copy of the secrets behind).
fn reserve_wiped(buf: &mut Zeroizing<Vec<u8>>, extra: usize) {
    if buf.capacity() - buf.len() >= extra {
        return;
    }
    let mut bigger = Vec::with_capacity((2 * buf.capacity()).max(buf.len() + extra));
    bigger.extend_from_slice(buf);
    buf.zeroize();
    **buf = bigger;
}

impl Write for SplitWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(i);
            if self.pending.is_empty() {
                self.part(line)?;
            } else {
                reserve_wiped(&mut self.pending, line.len());
                self.pending.extend_from_slice(line);
                let whole = std::mem::take(&mut *self.pending);
                let whole = Zeroizing::new(whole);
                self.part(&whole)?;
            }
            rest = tail.get(1..).unwrap_or_default();
        }
        reserve_wiped(&mut self.pending, rest.len());
        self.pending.extend_from_slice(rest);
        self.state.write_all(&self.side)?;
        self.side.zeroize();
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.main.flush()?;
        self.state.flush()
    }
}

impl Drop for SplitWriter {
    fn drop(&mut self) {
        // The state must reach the disk before anyone sends the requests.
        let _ = self.state.sync_all();
    }
}

/// The enabled keys of a keyset as servers in one mode; a disabled key is kept as its id, so
/// its requests get `error: key-disabled` rather than `unknown-key-id`.
struct Servers {
    enabled: Vec<Server>,
    disabled: Vec<u32>,
}

impl Servers {
    fn new(keyset: &Keyset, mode: Mode) -> Result<Servers, CliError> {
        let mut enabled = Vec::new();
        let mut disabled = Vec::new();
        for key in keyset.keys() {
            if key.status == KeyStatus::Enabled {
                enabled.push(
                    Server::from_keyset(keyset, key.id, mode)
                        .map_err(|e| CliError::Usage(e.to_string()))?,
                );
            } else {
                disabled.push(key.id);
            }
        }
        Ok(Servers { enabled, disabled })
    }

    fn get(&self, key_id: u32) -> Result<&Server, &'static str> {
        match self
            .enabled
            .iter()
            .find(|s| s.public_key().key_id() == key_id)
        {
            Some(server) => Ok(server),
            None if self.disabled.contains(&key_id) => Err("key-disabled"),
            None => Err("unknown-key-id"),
        }
    }
}

fn evaluate(opts: &OprfEvaluateArgs) -> Result<ExitCode, CliError> {
    let mode = Mode::from(opts.mode);
    if !opts.info.is_empty() && mode != Mode::Poprf {
        return Err(CliError::Usage(format!(
            "--info is for POPRF; requests are evaluated in {mode} mode (--mode poprf)"
        )));
    }
    if let Some(long) = opts.info.iter().find(|i| i.len() > MAX_INFO_LEN) {
        return Err(CliError::Usage(format!(
            "--info has {} bytes; at most {MAX_INFO_LEN} are allowed",
            long.len()
        )));
    }
    let keyset = keyfile::load(&opts.keys)?;
    let servers = Servers::new(&keyset, mode)?;
    drop(keyset);
    // Without --info, only the empty info: a server evaluates the infos it chose, never one a
    // device made up (an epoch the server retired, say).
    let allowed: Vec<&[u8]> = if opts.info.is_empty() {
        vec![b""]
    } else {
        opts.info.iter().map(|i| i.as_bytes()).collect()
    };
    bulk::run(&opts.bulk, &|text, out| {
        evaluate_line(&servers, mode, &allowed, text, out)
    })
}

/// Evaluates one request with the key it names.
fn evaluate_line(
    servers: &Servers,
    mode: Mode,
    allowed: &[&[u8]],
    text: &str,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let mut buf = [0u8; MAX_REQUEST_LEN];
    let bytes = decode_line(text, &mut buf)?;
    let request = Request::decode(bytes).map_err(|e| e.code())?;
    if request.mode() != mode {
        return Err("wrong-mode");
    }
    let server = servers.get(request.key_id())?;
    if !allowed.contains(&request.info()) {
        return Err("info-not-allowed");
    }
    let mut response = [0u8; MAX_RESPONSE_LEN];
    let response = server
        .evaluate(&request, &mut OsRng, &mut response)
        .map_err(|e| e.code())?;
    push_base64url(response, out);
    Ok(())
}

fn finalize(opts: &OprfFinalizeArgs) -> Result<ExitCode, CliError> {
    let pk = parse_public_key(&opts.public_key)?;
    let state = File::open(&opts.state).map_err(|e| {
        CliError::Usage(format!(
            "cannot open the state file {}: {e}",
            shown::path(&opts.state)
        ))
    })?;
    let format = Format::of(&opts.format);
    let path = opts.state.clone();
    let hooks = Hooks {
        input: Some(Box::new(move |responses| {
            Box::new(ZipReader::new(responses, state, path))
        })),
        wipe: true,
        lines_only: Some("the responses pair with the state file line by line"),
        ..Hooks::default()
    };
    bulk::run_with(
        &opts.bulk,
        &|text, out| finalize_line(&pk, text, format, out),
        hooks,
    )
}

/// Finalizes one `RESPONSE<TAB>STATE` line made by [`ZipReader`].
fn finalize_line(
    pk: &PublicKey,
    text: &str,
    format: Format,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let (response, state) = text.rsplit_once('\t').ok_or(UPSTREAM)?;
    // The blind's failure comes first: its line has no request the server could answer.
    if let Some(code) = upstream(state) {
        return Err(code);
    }
    let mut state_buf = Zeroizing::new([0u8; MAX_STATE_LEN + 3]);
    let state = decode_line(state, &mut state_buf[..])?;
    let mut response_buf = [0u8; max_response_len(Mode::Poprf, 1) + 3];
    let response = decode_line(response, &mut response_buf)?;
    let blinded = Blinded::<1>::import(pk, state).map_err(|e| e.code())?;
    let pseudonym = blinded.finalize_one(response).map_err(|e| e.code())?;
    format.push(pseudonym, out)
}

/// Reads the responses and the state file side by side and gives `RESPONSE<TAB>STATE` lines.
/// The two must have the same number of lines: a state line left over, or missing, means
/// they are not from the same run, and stops it (an error, not a line: no line can be trusted
/// to pair with its state any more).
struct ZipReader {
    responses: Box<dyn BufRead + Send>,
    state: WipedReader,
    path: PathBuf,
    /// The current combined line, and how much of it was consumed.
    line: Zeroizing<Vec<u8>>,
    pos: usize,
    /// Lines given so far.
    count: u64,
}

impl ZipReader {
    fn new(responses: Box<dyn BufRead + Send>, state: File, path: PathBuf) -> ZipReader {
        ZipReader {
            responses,
            state: WipedReader::new(state),
            path,
            line: Zeroizing::new(Vec::new()),
            pos: 0,
            count: 0,
        }
    }

    fn mismatch(&self, message: String) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{message}: the responses and the state file {} are not from the same `oprf blind` run",
                shown::path(&self.path)
            ),
        )
    }

    /// Builds the next combined line; `false` at the end of both inputs.
    fn next_line(&mut self) -> io::Result<bool> {
        self.line.zeroize();
        self.pos = 0;
        let has_response = read_line_into(&mut self.responses, &mut self.line)?;
        if has_response {
            self.line.push(b'\t');
        }
        let start = self.line.len();
        let has_state = read_line_into(&mut self.state, &mut self.line)?;
        match (has_response, has_state) {
            (false, false) => Ok(false),
            (true, true) => {
                if self.line.get(start..).is_some_and(|s| s.contains(&b'\t')) {
                    return Err(
                        self.mismatch(format!("line {} of the state has a tab", self.count + 1))
                    );
                }
                self.line.push(b'\n');
                self.count += 1;
                Ok(true)
            }
            (true, false) => Err(self.mismatch(format!(
                "the state file ends after {} lines but the responses go on",
                self.count
            ))),
            (false, true) => Err(self.mismatch(format!(
                "the responses end after {} lines but the state file goes on",
                self.count
            ))),
        }
    }
}

/// Appends one line of `input` (without `\n` and a `\r` before it) to `out`; at most
/// `MAX_LINE_LEN` bytes of it are kept, the rest is replaced by `!`, which no base64url line
/// holds, so the line fails on its own. `false` at the end of the input.
fn read_line_into(input: &mut impl BufRead, out: &mut Zeroizing<Vec<u8>>) -> io::Result<bool> {
    let mut limited = input.take(MAX_LINE_LEN as u64 + 1);
    let mut line = Zeroizing::new(Vec::new());
    let read = limited.read_until(b'\n', &mut line)?;
    if read == 0 {
        return Ok(false);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    } else if line.len() > MAX_LINE_LEN {
        // Skip the rest of the long line.
        let mut skipped = Zeroizing::new(Vec::new());
        loop {
            skipped.clear();
            let n = (&mut *input)
                .take(MAX_LINE_LEN as u64)
                .read_until(b'\n', &mut skipped)?;
            if n == 0 || skipped.last() == Some(&b'\n') {
                break;
            }
        }
        line.zeroize();
        line.push(b'!');
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    reserve_wiped(out, line.len() + 2);
    out.extend_from_slice(&line);
    Ok(true)
}

/// A buffered reader of the state file whose buffer is wiped when dropped (`BufReader`'s is
/// not).
struct WipedReader {
    file: File,
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
    filled: usize,
}

impl WipedReader {
    fn new(file: File) -> WipedReader {
        WipedReader {
            file,
            buf: Zeroizing::new(vec![0u8; 8192]),
            pos: 0,
            filled: 0,
        }
    }
}

impl Read for WipedReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(available.get(..n).unwrap_or_default());
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for WipedReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.filled {
            self.filled = loop {
                match self.file.read(&mut self.buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.pos = 0;
        }
        Ok(self.buf.get(self.pos..self.filled).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.filled);
    }
}

impl Read for ZipReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(available.get(..n).unwrap_or_default());
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ZipReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.line.len() && !self.next_line()? {
            return Ok(&[]);
        }
        Ok(self.line.get(self.pos..).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.line.len());
    }
}

/// `--encoding` and `--length` of an oblivious pseudonym.
#[derive(Clone, Copy)]
struct Format {
    encoding: Encoding,
    length: Option<usize>,
}

impl Format {
    fn of(args: &PseudonymFormatArgs) -> Format {
        Format {
            encoding: args.encoding.into(),
            length: args.length.map(usize::from),
        }
    }

    fn push(
        self,
        mut pseudonym: ObliviousPseudonym,
        out: &mut Vec<u8>,
    ) -> Result<(), &'static str> {
        if let Some(len) = self.length {
            pseudonym = pseudonym.truncate(len).map_err(|e| e.code())?;
        }
        let mut buf = [0u8; 2 * phonetoken::oprf::OBLIVIOUS_PSEUDONYM_LEN];
        let text = pseudonym
            .encode_into(self.encoding, &mut buf)
            .map_err(|_| "buffer-too-small")?;
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

fn pseudonymize(opts: &OprfPseudonymizeArgs) -> Result<ExitCode, CliError> {
    let server = server_of(&opts.key)?;
    let info = opts.info.as_bytes();
    if !info.is_empty() && server.public_key().mode() != Mode::Poprf {
        return Err(CliError::Usage(format!(
            "--info is for POPRF; the key is in {} mode (--mode poprf)",
            server.public_key().mode()
        )));
    }
    if info.len() > MAX_INFO_LEN {
        return Err(CliError::Usage(format!(
            "--info has {} bytes; at most {MAX_INFO_LEN} are allowed",
            info.len()
        )));
    }
    let format = Format::of(&opts.format);
    let region = opts.region;
    bulk::run(&opts.bulk, &|text, out| {
        let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
        let pseudonym = server.evaluate_input(&number, info).map_err(|e| e.code())?;
        format.push(pseudonym, out)
    })
}

fn derive_key_pair(opts: &OprfDeriveArgs) -> Result<ExitCode, CliError> {
    let hex = |flag: &str, text: &str| -> Result<Zeroizing<Vec<u8>>, CliError> {
        let mut buf = Zeroizing::new(vec![0u8; text.len() / 2 + 1]);
        let len = Encoding::Hex
            .decode_into(text, &mut buf)
            .map_err(|_| CliError::Usage(format!("{flag} is not hex (two digits a byte)")))?
            .len();
        buf.truncate(len);
        Ok(buf)
    };
    let seed = hex("--seed", &opts.seed)?;
    let info = hex("--info", &opts.info)?;
    let mode = Mode::from(opts.mode);
    let failed = |e: &dyn std::fmt::Display| CliError::Usage(format!("DeriveKeyPair: {e}"));
    let server = Server::derive(mode, 0, &seed, &info).map_err(|e| failed(&e))?;
    // skS is what the RFC prints; the library keeps it inside its `Server`, so it is read
    // here from voprf-ng's own serialization of the same derivation (its first 32 bytes).
    type Suite = voprf_ng::Ristretto255;
    let mut sk = Zeroizing::new([0u8; 32]);
    let lib = |e: voprf_ng::Error| failed(&format_args!("{e:?}"));
    // Each serialization is copied out, then wiped where it was.
    let mut copy_sk = |bytes: &mut [u8]| {
        if let Some(head) = bytes.get(..32) {
            sk.copy_from_slice(head);
        }
        bytes.zeroize();
    };
    match mode {
        Mode::Oprf => copy_sk(
            &mut voprf_ng::OprfServer::<Suite>::new_from_seed(&seed, &info)
                .map_err(lib)?
                .serialize(),
        ),
        Mode::Voprf => copy_sk(
            &mut voprf_ng::VoprfServer::<Suite>::new_from_seed(&seed, &info)
                .map_err(lib)?
                .serialize(),
        ),
        Mode::Poprf => copy_sk(
            &mut voprf_ng::PoprfServer::<Suite>::new_from_seed(&seed, &info)
                .map_err(lib)?
                .serialize(),
        ),
    }
    let mut text = Zeroizing::new([0u8; 64]);
    let sk_hex = Encoding::Hex
        .encode_into(&sk[..], &mut text[..])
        .map_err(|e| failed(&e))?;
    let mut pk_text = [0u8; 64];
    let pk_hex = Encoding::Hex
        .encode_into(server.public_key().element(), &mut pk_text)
        .map_err(|e| failed(&e))?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "skS {sk_hex}")?;
    writeln!(stdout, "pkS {pk_hex}")?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
