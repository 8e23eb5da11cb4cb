//! The high-volume driver every processing subcommand shares: input and output files, the
//! chunked parallel pipeline, `--strict`, the progress bar and the final summary.
//!
//! Input is read in chunks of `--chunk-size` lines (or CSV records), and a chunk also ends at
//! the first line or record that brings it to [`CHUNK_BYTES`] of input, so memory is bounded
//! by bytes however long the lines or records are. Each chunk is answered by a rayon pool of
//! `--threads` workers, and the answers are written in input order. With more than one
//! thread a reader thread and a writer thread run beside the pool, joined by channels that
//! hold at most one chunk each, so a few chunks are in memory whatever the input's size.
//! With one thread everything runs on the calling thread. A failure keeps its reason codes
//! only; `--strict`'s message is built for the one failure it stops at.
//!
//! An `--output` file is written to a temporary file beside it (`.NAME.phonetoken-tmp`),
//! created readable by its owner only (it may hold detokenized numbers), that is renamed over
//! it only when the whole run succeeded, given the mode of the file it replaces; the
//! directory is then synced. A run holds an exclusive lock (`.NAME.phonetoken-lock`, removed
//! at the end) for its whole length, so a second run on the same output is refused. The
//! output may not be the input file (by device and inode, so through links and through
//! `< FILE` too): lines that fail would lose their text. A symbolic link is written through:
//! its target is replaced, the link kept. A device or a pipe (`/dev/null`) is written in
//! place.
//!
//! A failed run removes the temporary file, and so does a run stopped by any catchable signal
//! that ends a process (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
//! SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO; the process then exits with 128 + the
//! signal's number). SIGKILL, an abort (an allocation failure raises SIGABRT, which cannot be
//! handled without `unsafe`) or a crash of the machine can leave the temporary file: it is
//! private, never looks like a finished output, and the next run on the same output, which
//! holds the lock and so knows no live run owns it, removes it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, Once, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use zeroize::Zeroize;

use crate::args::BulkArgs;
use crate::{csvmode, lines, shown, CliError};

/// What a subcommand does to one value: append the answer to the buffer, or give the stable
/// reason code of its failure.
pub(crate) type ProcessFn<'a> = dyn Fn(&str, &mut Vec<u8>) -> Result<(), &'static str> + Sync + 'a;

/// What a subcommand does to many values at once, where that is faster than one at a time
/// (line mode): for each text in order, append its answer to the buffer and push where it
/// ends, or push its failure's reason code; the same answers [`ProcessFn`] gives one by one.
pub(crate) type ManyFn<'a> =
    dyn Fn(&[&str], &mut Vec<u8>, &mut Vec<Result<usize, &'static str>>) + Sync + 'a;

/// One line or record that failed.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Its index in its chunk.
    pub(crate) index: usize,
    /// How much output (bytes for lines, records for CSV) comes before its answer.
    pub(crate) offset: usize,
    /// The input line it starts on, where that differs from its row number (CSV).
    pub(crate) line: Option<u64>,
    /// Each failed value's reason code, with the place among the `--column`s of its column
    /// (CSV; `None` for a line, or for a fault of the whole record). `--strict`'s message is
    /// built from these only for the failure it stops at, so a failure costs a few bytes
    /// whatever the input holds.
    pub(crate) reasons: Vec<(&'static str, Option<usize>)>,
}

/// The answers to one chunk.
#[derive(Debug)]
pub(crate) struct Processed<T> {
    /// The output, in input order.
    pub(crate) out: T,
    /// Lines or records answered.
    pub(crate) rows: u64,
    /// Values given to the subcommand (lines, or non-empty processed cells).
    pub(crate) values: u64,
    /// The failed ones, in input order.
    pub(crate) failures: Vec<Failure>,
}

/// Rows read and why the failed ones failed.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    /// Lines or records answered.
    pub(crate) rows: u64,
    /// Values given to the subcommand.
    pub(crate) values: u64,
    /// Rows with at least one failure.
    pub(crate) failed_rows: u64,
    /// Failed values per reason code.
    pub(crate) failures: BTreeMap<&'static str, u64>,
}

impl Summary {
    /// Counts a chunk's rows and failures.
    pub(crate) fn add<T>(&mut self, done: &Processed<T>) {
        self.rows += done.rows;
        self.values += done.values;
        self.failed_rows += done.failures.len() as u64;
        for (reason, _) in done.failures.iter().flat_map(|f| &f.reasons) {
            *self.failures.entry(reason).or_insert(0) += 1;
        }
    }

    /// Writes `N lines, M failed (reason: count, …), in T s (R lines/s)`.
    pub(crate) fn report(
        &self,
        mut out: impl Write,
        unit: &str,
        elapsed: Duration,
    ) -> io::Result<()> {
        write!(
            out,
            "phonetoken: {} {unit}, {} failed",
            self.rows, self.failed_rows
        )?;
        let mut sep = " (";
        for (reason, count) in &self.failures {
            write!(out, "{sep}{reason}: {count}")?;
            sep = ", ";
        }
        if !self.failures.is_empty() {
            write!(out, ")")?;
        }
        let secs = elapsed.as_secs_f64();
        if secs > 0.0 {
            let rate = self.rows as f64 / secs;
            writeln!(out, ", in {secs:.2} s ({rate:.0} {unit}/s)")?;
        } else {
            writeln!(out)?;
        }
        // Tokens that all fail to open are almost never bad tokens: say what to check.
        let refused = self
            .failures
            .get("authentication-failed")
            .copied()
            .unwrap_or(0);
        if refused > self.values / 2 {
            writeln!(
                out,
                "phonetoken: hint: {refused} of {} tokens failed with authentication-failed; that \
                 usually means a wrong --context, --purpose or keyset: give the ones the tokens \
                 were made with",
                self.values
            )?;
        }
        Ok(())
    }
}

/// Runs a processing subcommand over its input with the bulk flags, and reports.
pub(crate) fn run(opts: &BulkArgs, process: &ProcessFn<'_>) -> Result<ExitCode, CliError> {
    run_with(opts, process, Hooks::default())
}

/// Wraps a reader or a writer of the run in another.
pub(crate) type Wrap<T> = Box<dyn FnOnce(Box<T>) -> Box<T>>;

/// What a subcommand with a second stream adds to the run: the `oprf` client commands keep
/// a secret state file line by line beside the main input or output.
#[derive(Default)]
pub(crate) struct Hooks<'a> {
    /// Answers the lines of a piece together (line mode, answers that hold no secret): the
    /// same answers as the `ProcessFn`, faster.
    pub(crate) many: Option<&'a ManyFn<'a>>,
    /// Wraps the input reader (in line mode).
    pub(crate) input: Option<Wrap<dyn BufRead + Send>>,
    /// Wraps the output writer (in line mode).
    pub(crate) output: Option<Wrap<dyn Write + Send>>,
    /// The answers hold secrets: buffers are wiped when done with, and never grown by a
    /// reallocation that would leave a copy behind.
    pub(crate) wipe: bool,
    /// This subcommand pairs lines with a second file, so it has no CSV mode; the message
    /// says why.
    pub(crate) lines_only: Option<&'static str>,
    /// How lines are framed in line mode (`scrub` keeps them verbatim).
    pub(crate) framing: Option<lines::Framing>,
    /// Header suffixes of the fields an answer adds after a tab (`normalize --with-type`):
    /// in line mode they stay on the line; in CSV mode each becomes a column appended per
    /// `--column`, named `<column>_<suffix>`.
    pub(crate) extra_fields: Vec<&'static str>,
}

/// [`run`] with the hooks of a subcommand that keeps a second stream.
pub(crate) fn run_with(
    opts: &BulkArgs,
    process: &ProcessFn<'_>,
    hooks: Hooks<'_>,
) -> Result<ExitCode, CliError> {
    if let (true, Some(why)) = (opts.csv, hooks.lines_only) {
        return Err(CliError::Usage(format!(
            "--csv is not available here: {why}"
        )));
    }
    let start = Instant::now();
    let mut input = Input::open(opts.input.as_deref(), opts.csv)?;
    if let Some(wrap) = hooks.input {
        input.reader = wrap(input.reader);
    }
    let threads = match opts.threads {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("phonetoken-worker-{i}"))
        .build()
        .map_err(|e| {
            CliError::Usage(format!(
                "--threads {threads}: cannot start the workers: {e}"
            ))
        })?;
    // Someone typing: answer each line as it comes.
    let chunk_size = if input.interactive {
        1
    } else {
        opts.chunk_size as usize
    };
    let mut output = Output::create(opts.output.as_deref(), opts.input.as_deref())?;
    let flush_each = input.interactive || output.is_terminal();
    let progress = Progress::new(input.size, input.read.clone());
    let settings = Settings {
        threads,
        chunk_size,
        strict: opts.strict,
        flush_each,
        wipe: hooks.wipe,
    };
    let writer = match hooks.output {
        Some(wrap) => wrap(output.writer()),
        None => output.writer(),
    };
    let result = if opts.csv {
        csvmode::run(
            opts,
            (input.reader, &input.record_mark),
            writer,
            &pool,
            &settings,
            &progress,
            (process, &hooks.extra_fields),
        )
    } else {
        let framing = hooks.framing.unwrap_or(lines::Framing::Answers);
        // `lines::process_chunk` uses `many` only where it may (no `wipe`, `Answers`).
        run_lines(
            input.reader,
            writer,
            (&pool, &settings, framing),
            &progress,
            (process, hooks.many),
        )
    };
    progress.finish();
    let summary = match result {
        Ok(summary) => summary,
        Err(err) => {
            output.discard();
            return Err(err);
        }
    };
    output.commit()?;
    let unit = if opts.csv { "rows" } else { "lines" };
    summary.report(io::stderr().lock(), unit, start.elapsed())?;
    Ok(ExitCode::SUCCESS)
}

/// Input bytes after which a chunk ends (at the next line or record end), whatever
/// `--chunk-size` says: with a few chunks in flight, memory is bounded by bytes, not by
/// the count of lines or records, however long they are.
pub(crate) const CHUNK_BYTES: usize = 4 << 20;

/// How the pipeline runs.
pub(crate) struct Settings {
    pub(crate) threads: usize,
    pub(crate) chunk_size: usize,
    pub(crate) strict: bool,
    pub(crate) flush_each: bool,
    /// Wipe the answers' buffers (see [`Hooks::wipe`]).
    pub(crate) wipe: bool,
}

/// Line mode: chunks of lines through the pipeline.
fn run_lines(
    mut reader: Box<dyn BufRead + Send>,
    writer: Box<dyn Write + Send>,
    (pool, settings, framing): (&rayon::ThreadPool, &Settings, lines::Framing),
    progress: &Progress,
    (process, many): (&ProcessFn<'_>, Option<&ManyFn<'_>>),
) -> Result<Summary, CliError> {
    let chunk_size = settings.chunk_size;
    let mut out = InOrder::new(writer, settings, progress);
    pipeline(
        settings.threads,
        || {
            Ok(lines::read_chunk(
                &mut reader,
                chunk_size,
                CHUNK_BYTES,
                framing,
            )?)
        },
        |mut chunk| {
            let done = pool
                .install(|| lines::process_chunk(&chunk, (process, many), settings.wipe, framing));
            if settings.wipe {
                chunk.wipe();
            }
            done
        },
        |done: Processed<Vec<u8>>| {
            out.write(done, |row, failure| {
                let reason = failure.reasons.first().map_or("failed", |r| r.0);
                format!(
                    "line {row}: {reason} (--strict stops at the first failure; without it, failed lines become `error: <reason>` lines)"
                )
            })
        },
    )?;
    out.finish()
}

/// The writing end of a run, in either mode: the answers of each chunk in input order, the
/// summary, the progress bar, and `--strict`'s stop at the first failure.
pub(crate) struct InOrder<'a> {
    writer: Box<dyn Write + Send>,
    settings: &'a Settings,
    progress: &'a Progress,
    summary: Summary,
    /// Rows written before the next chunk.
    first_row: u64,
}

impl<'a> InOrder<'a> {
    pub(crate) fn new(
        writer: Box<dyn Write + Send>,
        settings: &'a Settings,
        progress: &'a Progress,
    ) -> InOrder<'a> {
        InOrder {
            writer,
            settings,
            progress,
            summary: Summary::default(),
            first_row: 0,
        }
    }

    /// Writes a chunk's answers. Under `--strict`, writes those before its first failure
    /// and stops with `stop_message(row, failure)` (`row` counts from 1 over the whole run).
    pub(crate) fn write(
        &mut self,
        mut done: Processed<Vec<u8>>,
        stop_message: impl Fn(u64, &Failure) -> String,
    ) -> Result<(), CliError> {
        let stop = self
            .settings
            .strict
            .then(|| done.failures.first())
            .flatten();
        if let Some(failure) = stop {
            self.writer
                .write_all(done.out.get(..failure.offset).unwrap_or_default())?;
            self.writer.flush()?;
            let row = self.first_row + failure.index as u64 + 1;
            let message = stop_message(row, failure);
            if self.settings.wipe {
                done.out.zeroize();
            }
            return Err(CliError::Data(message));
        }
        let written = self.writer.write_all(&done.out);
        if self.settings.wipe {
            done.out.zeroize();
        }
        written?;
        if self.settings.flush_each {
            self.writer.flush()?;
        }
        self.summary.add(&done);
        self.first_row += done.rows;
        self.progress.update();
        Ok(())
    }

    /// Flushes the output; the summary of everything written.
    pub(crate) fn finish(mut self) -> Result<Summary, CliError> {
        self.writer.flush()?;
        Ok(self.summary)
    }
}

/// Reads chunks, processes them, writes the results in order, until the input ends or a
/// step fails. With more than one thread, reading and writing overlap the processing; a
/// bounded channel between each stage keeps at most a few chunks in memory.
pub(crate) fn pipeline<C, P, R, F, W>(
    threads: usize,
    mut read: R,
    process: F,
    mut write: W,
) -> Result<(), CliError>
where
    C: Send,
    P: Send,
    R: FnMut() -> Result<Option<C>, CliError> + Send,
    F: Fn(C) -> P,
    W: FnMut(P) -> Result<(), CliError> + Send,
{
    if threads <= 1 {
        while let Some(chunk) = read()? {
            write(process(chunk))?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Result<C, CliError>>(1);
        let (done_tx, done_rx) = mpsc::sync_channel::<P>(1);
        let reader = scope.spawn(move || loop {
            let item = match read() {
                Ok(Some(chunk)) => Ok(chunk),
                Ok(None) => return,
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            // A closed channel means the run is stopping: nothing more to read.
            if chunk_tx.send(item).is_err() || failed {
                return;
            }
        });
        let writer = scope.spawn(move || -> Result<(), CliError> {
            for done in done_rx {
                write(done)?;
            }
            Ok(())
        });
        let mut read_error = None;
        for item in chunk_rx {
            match item {
                Ok(chunk) => {
                    if done_tx.send(process(chunk)).is_err() {
                        break; // the writer stopped; its result says why
                    }
                }
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
        drop(done_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(CliError::Usage("the writer thread failed".into())));
        // The reader may be blocked on a full channel; it was dropped above, so it returns.
        let _ = reader.join();
        match read_error {
            Some(e) => Err(e),
            None => written,
        }
    })
}

/// The input: stdin or a file, with what the progress bar needs.
struct Input {
    reader: Box<dyn BufRead + Send>,
    /// The file's size, when the input is a regular file.
    size: Option<u64>,
    /// Bytes read so far.
    read: Arc<AtomicU64>,
    /// Where the last CSV record ended (CSV mode only; line mode bounds its lines itself).
    record_mark: RecordMark,
    /// A person is typing the input.
    interactive: bool,
}

impl Input {
    /// Opens the input; `csv` bounds the length of a record.
    fn open(path: Option<&Path>, csv: bool) -> Result<Input, CliError> {
        let read = Arc::new(AtomicU64::new(0));
        let (inner, size, interactive): (Box<dyn Read + Send>, _, _) = match path {
            None => {
                let stdin = io::stdin();
                let interactive = stdin.is_terminal();
                (Box::new(stdin), None, interactive)
            }
            Some(path) => {
                let file = File::open(path).map_err(|e| {
                    let hint = match e.kind() {
                        io::ErrorKind::NotFound => ": check the path",
                        io::ErrorKind::PermissionDenied => ": check the file's permissions",
                        _ => "",
                    };
                    CliError::Usage(format!(
                        "cannot read the input file {}: {e}{hint}",
                        shown::path(path)
                    ))
                })?;
                let meta = file.metadata().map_err(CliError::Io)?;
                if meta.is_dir() {
                    return Err(CliError::Usage(format!(
                        "the input {} is a directory: give a file",
                        shown::path(path)
                    )));
                }
                let size = meta.is_file().then_some(meta.len());
                (Box::new(file), size, false)
            }
        };
        let mark = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner,
            read: Arc::clone(&read),
            mark: Arc::clone(&mark),
            limited: csv,
        };
        Ok(Input {
            reader: Box::new(BufReader::with_capacity(256 * 1024, counting)),
            size,
            record_mark: RecordMark {
                read: Arc::clone(&read),
                mark,
            },
            read,
            interactive,
        })
    }
}

/// Longest CSV record (with the reader's read-ahead): the `csv` crate holds a whole record
/// in memory, so a record that never ends must stop the run rather than fill the memory.
pub(crate) const MAX_RECORD_LEN: u64 = 16 << 20;

/// Counts the bytes read through it, and refuses to read more than [`MAX_RECORD_LEN`] past
/// the end of the last complete CSV record.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
    mark: Arc<AtomicU64>,
    limited: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.read.load(Ordering::Relaxed);
        if self.limited && read.saturating_sub(self.mark.load(Ordering::Relaxed)) > MAX_RECORD_LEN {
            return Err(io::Error::other(format!(
                "a CSV record is longer than {} MiB: check the quoting of the input (an unclosed quote makes the rest of the file one field)",
                MAX_RECORD_LEN >> 20
            )));
        }
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Tells the input where the last complete record ended.
#[derive(Clone)]
pub(crate) struct RecordMark {
    read: Arc<AtomicU64>,
    mark: Arc<AtomicU64>,
}

impl RecordMark {
    /// A mark tied to no input, for tests.
    #[cfg(test)]
    pub(crate) fn detached() -> RecordMark {
        RecordMark {
            read: Arc::new(AtomicU64::new(0)),
            mark: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A complete record was just read.
    pub(crate) fn record_done(&self) {
        self.mark
            .store(self.read.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// The files a signal must remove: the temporary output, then the lock file. Holding the
/// mutex while renaming makes the handler see either the temporary file or the finished
/// output, never a state in between.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Sets the files the signal handler removes.
fn set_pending(paths: &[&Path]) {
    let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    pending.clear();
    pending.extend(paths.iter().map(|p| p.to_path_buf()));
}

/// Removes the pending files, says so, and exits as the shell reports a signal (128 + N).
fn stop_on_signal(signal: i32) -> ! {
    let pending = std::mem::take(&mut *PENDING.lock().unwrap_or_else(PoisonError::into_inner));
    for path in &pending {
        let _ = fs::remove_file(path);
    }
    if !pending.is_empty() {
        eprintln!("phonetoken: interrupted by signal {signal}; removed the partial output");
    }
    std::process::exit(128 + signal);
}

/// Installs (once) the watcher that removes the pending files when a signal stops the run:
/// every signal whose default is to end the process and that can be caught, except SIGPIPE
/// (ignored by Rust programs: a closed pipe is a write error, and error paths clean up) and
/// the ones a fault raises (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS: a handler that
/// returns would fault again). SIGABRT (an allocation failure aborts) and SIGKILL cannot be
/// handled safely or at all: their leftovers are 0600 and the next run on the output removes
/// them.
#[cfg(unix)]
fn clean_up_on_signals() {
    use signal_hook::consts::signal::*;
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let mut signals = vec![
            SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF,
            SIGXCPU, SIGXFSZ,
        ];
        #[cfg(not(target_os = "haiku"))]
        signals.push(SIGIO);
        let watched = signal_hook::iterator::Signals::new(&signals).and_then(|mut signals| {
            std::thread::Builder::new()
                .name("phonetoken-signals".into())
                .spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        stop_on_signal(signal);
                    }
                })
        });
        if let Err(e) = watched {
            eprintln!(
                "phonetoken: warning: cannot watch for signals ({e}); an interrupted run would \
                 leave its hidden temporary file behind (the next run on the output removes it)"
            );
        }
    });
}

/// Ctrl-C (and the console's close) where there are no Unix signals.
#[cfg(not(unix))]
fn clean_up_on_signals() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if let Err(e) = ctrlc::set_handler(|| stop_on_signal(2)) {
            eprintln!(
                "phonetoken: warning: cannot watch for Ctrl-C ({e}); an interrupted run would \
                 leave its hidden temporary file behind (the next run on the output removes it)"
            );
        }
    });
}

/// What tells two paths to one file apart from two files: device and inode (hard links and
/// symbolic links name the same file).
#[cfg(unix)]
fn file_id(meta: &fs::Metadata, _path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &fs::Metadata, path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok()
}

/// What the standard input is, when it is a file (`< FILE`).
#[cfg(unix)]
fn stdin_metadata() -> Option<fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok().filter(fs::Metadata::is_file)
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<fs::Metadata> {
    None
}

/// Opens a new file readable and writable by its owner only: the output may hold
/// detokenized numbers, and the umask can only take permissions away.
fn create_private(path: &Path, create_new: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// What to check when a file cannot be made in the output's directory.
fn directory_hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::NotFound => ": check that its directory exists",
        io::ErrorKind::PermissionDenied => ": check that you can write to its directory",
        _ => "",
    }
}

/// Tries this often to lock a lock file that other runs keep removing.
const LOCK_ATTEMPTS: usize = 8;

/// Takes the exclusive lock of the output `path` (the file `lock` beside it), or says which
/// run holds it. The lock file is removed when the run ends, so after taking the lock the
/// path must still name the locked file: otherwise the run that held it removed it, and the
/// next attempt opens the new one.
fn lock_output(lock: &Path, path: &Path) -> Result<File, CliError> {
    let cannot = |e: io::Error| {
        CliError::Usage(format!(
            "cannot lock the output file {} (with {}): {e}{}",
            shown::path(path),
            shown::path(lock),
            directory_hint(&e)
        ))
    };
    for _ in 0..LOCK_ATTEMPTS {
        let file = create_private(lock, false).map_err(cannot)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(CliError::Usage(format!(
                    "another phonetoken run is writing {} (it holds the lock {}): wait for it to end, or choose another --output",
                    shown::path(path),
                    shown::path(lock)
                )))
            }
            Err(fs::TryLockError::Error(e)) => return Err(cannot(e)),
        }
        let held = file.metadata().map_err(cannot)?;
        let named = fs::metadata(lock).ok();
        if named.is_some_and(|n| file_id(&n, lock) == file_id(&held, lock)) {
            return Ok(file);
        }
    }
    Err(CliError::Usage(format!(
        "cannot lock the output file {}: other runs keep replacing its lock file {}",
        shown::path(path),
        shown::path(lock)
    )))
}

/// An `--output` file being written: a temporary file beside it, under the output's lock.
struct Pending {
    temp: PathBuf,
    path: PathBuf,
    lock_path: PathBuf,
    /// Held, locked, until the run ends.
    _lock: File,
    /// The permissions of the file it replaces, given to the new one.
    keep: Option<fs::Permissions>,
}

impl Pending {
    /// Removes the lock file, then releases the lock (the order the next run relies on).
    fn unlock(self) {
        let _ = fs::remove_file(&self.lock_path);
        set_pending(&[]);
    }
}

/// The output: stdout, a file written in place (a device or a pipe), or a temporary file
/// that becomes `--output` on success.
struct Output {
    pending: Option<Pending>,
    /// The open writer, until handed to the pipeline.
    writer: Option<Box<dyn Write + Send>>,
    terminal: bool,
}

impl Output {
    /// Opens the output; `input` is the input file, which the output must not be.
    fn create(path: Option<&Path>, input: Option<&Path>) -> Result<Output, CliError> {
        let Some(given) = path else {
            let stdout = io::stdout();
            let terminal = stdout.is_terminal();
            return Ok(Output {
                pending: None,
                writer: Some(Box::new(BufWriter::with_capacity(256 * 1024, stdout))),
                terminal,
            });
        };
        let existing = fs::metadata(given).ok();
        if let Some(meta) = &existing {
            if meta.is_dir() {
                return Err(CliError::Usage(format!(
                    "the output {} is a directory: give a file path",
                    shown::path(given)
                )));
            }
            let input_meta = match input {
                Some(i) => fs::metadata(i).ok(),
                None => stdin_metadata(),
            };
            let output_id = file_id(meta, given);
            if output_id.is_some()
                && input_meta.is_some_and(|m| file_id(&m, input.unwrap_or(given)) == output_id)
            {
                let input = input.map_or_else(|| "(the standard input)".to_string(), shown::path);
                return Err(CliError::Usage(format!(
                    "--output {} is the same file as --input {input}: the output replaces the file, and the original text of lines that fail would be lost; write to another file",
                    shown::path(given),
                )));
            }
            if !meta.is_file() {
                // A device or a pipe (`/dev/null`, `/dev/stdout`): nothing to rename over.
                let file = OpenOptions::new().write(true).open(given).map_err(|e| {
                    CliError::Usage(format!("cannot write to {}: {e}", shown::path(given)))
                })?;
                let terminal = file.is_terminal();
                return Ok(Output {
                    pending: None,
                    writer: Some(Box::new(BufWriter::with_capacity(256 * 1024, file))),
                    terminal,
                });
            }
        }
        // Through a symbolic link: the link's target is replaced and the link kept.
        let path = match fs::symlink_metadata(given) {
            Ok(m) if m.file_type().is_symlink() => fs::canonicalize(given).map_err(|e| {
                CliError::Usage(format!(
                    "the output {} is a symbolic link whose target cannot be found ({e}): give the target's path",
                    shown::path(given)
                ))
            })?,
            _ => given.to_path_buf(),
        };
        let temp = sibling(&path, ".phonetoken-tmp");
        let lock_path = sibling(&path, ".phonetoken-lock");
        clean_up_on_signals();
        let lock = lock_output(&lock_path, &path)?;
        // Registered before the temporary file exists, so no moment has a file a signal misses.
        set_pending(&[&temp, &lock_path]);
        let pending = Pending {
            temp,
            path,
            lock_path,
            _lock: lock,
            keep: existing.map(|m| m.permissions()),
        };
        // Under the lock, a temporary file is a killed run's leftover.
        if fs::remove_file(&pending.temp).is_ok() {
            eprintln!(
                "phonetoken: removed {}, left by a run that was killed",
                shown::path(&pending.temp)
            );
        }
        let file = match create_private(&pending.temp, true) {
            Ok(file) => file,
            Err(e) => {
                let message = format!(
                    "cannot create the output file {} (as {}): {e}{}",
                    shown::path(&pending.path),
                    shown::path(&pending.temp),
                    directory_hint(&e)
                );
                pending.unlock();
                return Err(CliError::Usage(message));
            }
        };
        Ok(Output {
            pending: Some(pending),
            writer: Some(Box::new(BufWriter::with_capacity(256 * 1024, file))),
            terminal: false,
        })
    }

    fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// The writer for the pipeline (the first call only; later calls get a sink).
    fn writer(&mut self) -> Box<dyn Write + Send> {
        self.writer.take().unwrap_or_else(|| Box::new(io::sink()))
    }

    /// Makes the output final: syncs the temporary file, gives it the permissions of the
    /// file it replaces, renames it into place and syncs the directory.
    fn commit(&mut self) -> Result<(), CliError> {
        self.writer = None;
        let Some(pending) = self.pending.take() else {
            return Ok(());
        };
        let (temp, path) = (&pending.temp, &pending.path);
        let mut result = File::open(temp).and_then(|f| f.sync_all());
        if let Some(keep) = &pending.keep {
            result = result.and_then(|()| fs::set_permissions(temp, keep.clone()));
        }
        let mut signal_guard = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
        let result = result.and_then(|()| fs::rename(temp, path));
        if result.is_ok() {
            signal_guard.retain(|p| p != temp);
        }
        drop(signal_guard);
        if let Err(e) = result {
            let _ = fs::remove_file(temp);
            let message = format!("cannot write the output file {}: {e}", shown::path(path));
            pending.unlock();
            return Err(CliError::Usage(message));
        }
        // The rename is durable only once the directory is.
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
            eprintln!(
                "phonetoken: warning: {} is written, but its directory cannot be synced ({e}): a crash of the machine now could lose it",
                shown::path(path)
            );
        }
        pending.unlock();
        Ok(())
    }

    /// Removes the temporary file of a failed run.
    fn discard(&mut self) {
        self.writer = None;
        if let Some(pending) = self.pending.take() {
            let _ = fs::remove_file(&pending.temp);
            pending.unlock();
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.discard();
    }
}

/// A hidden sibling of `path`: `.<name><suffix>`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_else(|| "output".as_ref()));
    name.push(suffix);
    path.with_file_name(name)
}

/// A progress bar on stderr, shown only when stderr is a terminal and the input's size is
/// known.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    read: Arc<AtomicU64>,
}

impl Progress {
    fn new(size: Option<u64>, read: Arc<AtomicU64>) -> Progress {
        let bar = match size {
            Some(size) if io::stderr().is_terminal() => {
                let bar = ProgressBar::new(size);
                if let Ok(style) = ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                ) {
                    bar.set_style(style);
                }
                Some(bar)
            }
            _ => None,
        };
        Progress { bar, read }
    }

    /// Moves the bar to the bytes read so far.
    pub(crate) fn update(&self) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.read.load(Ordering::Relaxed));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
