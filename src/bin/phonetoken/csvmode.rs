//! CSV mode (`--csv`): process some columns of every record, pass the rest through.
//!
//! Records are read and written with the `csv` crate (RFC 4180 quoting, `\n` or `\r\n`
//! records) as bytes, so a field that is not processed is written back with the same bytes,
//! whatever its encoding; only quoting may change to what RFC 4180 needs. The first record
//! is the header unless `--no-header`; columns are named by header name, or by 1-based index.
//!
//! Each processed cell's answer replaces the cell, or, with `--output-column`, goes in a new
//! column appended to the record. One more column, `phonetoken_error` (`--error-column`), is
//! appended to every record: empty when every processed cell succeeded, else the reason code
//! (with several `--column`s: `NAME: code` for each failed one, joined by `; `). A failed
//! cell's answer is left empty. An empty cell is not a number to process: it stays empty
//! and is not a failure. A record too short to hold a processed column fails with
//! `missing-column` and is padded with empty fields to the header's width, so the appended
//! columns stay aligned. A record longer than the header keeps its extra fields after the
//! appended columns, which stay under their header names, and fails with `extra-fields`.
//! (With `--no-header` there is no width: the new columns follow each record's last field.)
//!
//! No record is lost silently. A quoted field that the input ends inside (`unclosed-quote`)
//! or text after a closing quote (`bad-quote`, which a reader would join to the field) makes
//! the record fail: it is passed through unprocessed, its fields as read, and counted; under
//! `--strict` the run stops at it with its row and line. Such a header stops the run.
//!
//! Header names reach stderr and error cells only when the first record looks like a header
//! (every field at most 64 bytes of printable text, not mostly digits, not a `+` number): a
//! forgotten `--no-header` makes data the header, and data never goes to stderr. Otherwise
//! columns are named by 1-based index, and a hint lists no field. So an error cell holds at
//! most the reason codes and 64-byte names of the `--column`s, and a failure's memory does
//! not grow with the input.
//!
//! Parsing CSV is most of the work besides the numbers, so it is not left to the reader
//! thread: that thread only finds where records end (a small state machine that follows the
//! `csv` crate's quoting rules, and notes the malformed ones) and hands on whole records as
//! bytes; the workers parse, answer and write them, piece by piece in parallel; the writer
//! thread only copies bytes.

use std::io::{self, BufRead, Write};

use csv::ByteRecord;
use rayon::prelude::*;

use crate::args::BulkArgs;
use crate::bulk::{
    pipeline, Failure, InOrder, ProcessFn, Processed, Progress, RecordMark, Settings, Summary,
    CHUNK_BYTES, MAX_RECORD_LEN,
};
use crate::CliError;

/// Records answered by one rayon task.
const PIECE: usize = 512;

/// Which columns to process and where their answers go.
#[derive(Debug)]
struct Plan {
    /// 0-based indices of the processed columns.
    columns: Vec<usize>,
    /// The header name of each, when the header looks like one (see [`looks_like_header`]);
    /// otherwise columns are named by their 1-based index in error cells and messages.
    names: Vec<Option<String>>,
    /// Answers go in appended columns rather than in place.
    append: bool,
    /// Fields in the header (records shorter than this are padded).
    width: usize,
    /// Suffixes of the fields each answer adds after a tab; their columns follow the
    /// appended ones, per processed column.
    extras: Vec<&'static str>,
}

impl Plan {
    fn resolve(
        opts: &BulkArgs,
        header: Option<&ByteRecord>,
        extras: &[&'static str],
    ) -> Result<Plan, CliError> {
        if opts.column.is_empty() {
            return Err(CliError::Usage(
                "--csv needs the column to process: add --column NAME (a header name) or --column N (1-based index)".into(),
            ));
        }
        if !opts.output_column.is_empty() && opts.output_column.len() != opts.column.len() {
            return Err(CliError::Usage(format!(
                "{} --column but {} --output-column: give one --output-column per --column, or none to replace the columns in place",
                opts.column.len(),
                opts.output_column.len()
            )));
        }
        let mut columns = Vec::new();
        let mut names = Vec::new();
        let named = header.is_some_and(looks_like_header);
        for spec in &opts.column {
            let by_name = header.and_then(|h| h.iter().position(|f| f == spec.as_bytes()));
            let index = match by_name {
                Some(i) => i,
                None => match spec.parse::<usize>() {
                    Ok(n) if n >= 1 && header.is_none_or(|h| n <= h.len()) => n - 1,
                    _ => return Err(unknown_column(spec, header)),
                },
            };
            if columns.contains(&index) {
                return Err(CliError::Usage(format!(
                    "--column {spec} names a column already chosen: give each column once"
                )));
            }
            columns.push(index);
            names.push(
                header
                    .filter(|_| named)
                    .and_then(|h| h.get(index))
                    .map(|name| String::from_utf8_lossy(name).into_owned()),
            );
        }
        let extra_names: Vec<Vec<u8>> = match header {
            Some(h) => columns
                .iter()
                .flat_map(|&c| extras.iter().map(move |x| extra_name(h.get(c), x)))
                .collect(),
            None => Vec::new(),
        };
        if let Some(h) = header {
            let taken: Vec<&[u8]> = h.iter().collect();
            for name in opts.output_column.iter().chain([&opts.error_column]) {
                if taken.contains(&name.as_bytes()) {
                    return Err(CliError::Usage(format!(
                        "the header already has a column {name:?}: choose another name for the new column"
                    )));
                }
            }
            if extra_names.iter().any(|n| taken.contains(&n.as_slice())) {
                return Err(CliError::Usage(
                    "the header already has a column named as one the answers add (<column>_type, <column>_region): rename it first".into(),
                ));
            }
        }
        let mut new = opts.output_column.clone();
        new.push(opts.error_column.clone());
        new.extend(
            extra_names
                .iter()
                .map(|n| String::from_utf8_lossy(n).into_owned()),
        );
        new.sort();
        if new.windows(2).any(|w| w[0] == w[1]) {
            return Err(CliError::Usage(
                "the new columns (--output-column, --error-column) need distinct names".into(),
            ));
        }
        Ok(Plan {
            columns,
            names,
            append: !opts.output_column.is_empty(),
            width: header.map_or(0, ByteRecord::len),
            extras: extras.to_vec(),
        })
    }

    /// The header names of the added fields' columns.
    fn extra_header(&self, header: &ByteRecord) -> Vec<Vec<u8>> {
        self.columns
            .iter()
            .flat_map(|&c| {
                self.extras
                    .iter()
                    .map(move |x| extra_name(header.get(c), x))
            })
            .collect()
    }

    /// How the column at `k` among the `--column`s is named in an error cell.
    fn cell_label(&self, k: usize) -> String {
        match (self.names.get(k), self.columns.get(k)) {
            (Some(Some(name)), _) => name.clone(),
            (_, Some(index)) => (index + 1).to_string(),
            _ => "?".into(),
        }
    }

    /// What `--strict` says about a failure.
    fn detail(&self, failure: &Failure) -> String {
        let parts: Vec<String> = failure
            .reasons
            .iter()
            .map(|&(reason, k)| match k {
                Some(k) => match (self.names.get(k), self.columns.get(k)) {
                    (Some(Some(name)), _) => format!("column {name:?}: {reason}"),
                    (_, Some(index)) => format!("column {}: {reason}", index + 1),
                    _ => reason.to_string(),
                },
                None => format!("{reason} ({})", record_fault_hint(reason)),
            })
            .collect();
        parts.join("; ")
    }
}

/// `<column>_<suffix>`: the header name of an added field's column.
fn extra_name(column: Option<&[u8]>, suffix: &str) -> Vec<u8> {
    let mut name = column.unwrap_or_default().to_vec();
    name.push(b'_');
    name.extend_from_slice(suffix.as_bytes());
    name
}

/// Longest header name that is shown in messages or names a column in error cells.
const MAX_NAME_LEN: usize = 64;

/// Most header names listed in a hint.
const MAX_NAMES_SHOWN: usize = 20;

/// Whether the first record looks like a header rather than data, so that its fields may be
/// shown on stderr and name columns: every field short, valid UTF-8 without control
/// characters, not mostly digits and not a `+` phone number. A first record that fails
/// this may be data (the header was forgotten), and data never goes to stderr.
fn looks_like_header(header: &ByteRecord) -> bool {
    header.iter().all(|field| {
        // The length first: the other checks then read at most 64 bytes.
        if field.len() > MAX_NAME_LEN {
            return false;
        }
        let Ok(name) = std::str::from_utf8(field) else {
            return false;
        };
        let digits = name.bytes().filter(u8::is_ascii_digit).count();
        let visible = name.chars().filter(|c| !c.is_whitespace()).count();
        !name.chars().any(char::is_control)
            && digits * 2 <= visible
            && phonetoken::parse(name, None).is_err()
    })
}

fn unknown_column(spec: &str, header: Option<&ByteRecord>) -> CliError {
    match header {
        None => CliError::Usage(format!(
            "--column {spec:?}: with --no-header, name columns by 1-based index (1, 2, …)"
        )),
        Some(h) if looks_like_header(h) => {
            let mut names: Vec<String> = h
                .iter()
                .take(MAX_NAMES_SHOWN)
                .map(|f| format!("{:?}", String::from_utf8_lossy(f)))
                .collect();
            if h.len() > MAX_NAMES_SHOWN {
                names.push(format!("and {} more", h.len() - MAX_NAMES_SHOWN));
            }
            CliError::Usage(format!(
                "--column {spec:?}: the header has no such column and it is not an index from 1 to {}; the columns are {}",
                h.len(),
                names.join(", ")
            ))
        }
        Some(h) => CliError::Usage(format!(
            "--column {spec:?}: the first record has no such field and it is not an index from 1 to {}; that record does not look like a header (a field is long, not text, or a number), so it is not shown: name the column by index, and add --no-header if the input has no header",
            h.len()
        )),
    }
}

/// What a fault of a whole record means.
fn record_fault_hint(reason: &str) -> &'static str {
    match reason {
        UNCLOSED_QUOTE => "a quoted field opened in this record never closes, so the rest of the input is one field; the record is passed through unprocessed",
        BAD_QUOTE => "text follows a quoted field's closing quote; the record is passed through unprocessed",
        EXTRA_FIELDS => "the record has more fields than the header; the extra ones follow the appended columns",
        _ => "",
    }
}

/// A quoted field that the input ends inside.
const UNCLOSED_QUOTE: &str = "unclosed-quote";
/// Bytes after a quoted field's closing quote (`"a"b`), which a CSV reader would silently join.
const BAD_QUOTE: &str = "bad-quote";
/// More fields than the header.
const EXTRA_FIELDS: &str = "extra-fields";

fn csv_error(e: csv::Error) -> CliError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::Other => {
            CliError::Usage(e.to_string())
        }
        csv::ErrorKind::Io(e) => CliError::Io(e),
        kind => CliError::Usage(format!("the CSV input cannot be read: {kind:?}")),
    }
}

/// Runs CSV mode over the input.
pub(crate) fn run(
    opts: &BulkArgs,
    (mut reader, mark): (Box<dyn BufRead + Send>, &RecordMark),
    writer: Box<dyn Write + Send>,
    pool: &rayon::ThreadPool,
    settings: &Settings,
    progress: &Progress,
    (process, extras): (&ProcessFn<'_>, &[&'static str]),
) -> Result<Summary, CliError> {
    let mut splitter = Splitter::default();
    let mut wtr = csv::WriterBuilder::new().flexible(true).from_writer(writer);
    let header = if opts.no_header {
        None
    } else {
        let first = splitter.read_chunk(&mut reader, 1, CHUNK_BYTES, mark)?;
        if let Some(&(_, fault)) = first.as_ref().and_then(|c| c.faults.first()) {
            return Err(CliError::Usage(format!(
                "the header record (line 1) is not well-formed CSV: {fault}: {}",
                record_fault_hint(fault)
            )));
        }
        let mut header = ByteRecord::new();
        let more = match &first {
            Some(chunk) => reader_of(&chunk.data)
                .read_byte_record(&mut header)
                .map_err(csv_error)?,
            None => false,
        };
        if !more {
            // Nothing at all: still check the flags, then write nothing.
            Plan::resolve(opts, Some(&header), extras)?;
            return Ok(Summary::default());
        }
        Some(header)
    };
    let plan = Plan::resolve(opts, header.as_ref(), extras)?;
    if let Some(mut header) = header {
        let added = plan.extra_header(&header);
        for name in &opts.output_column {
            header.push_field(name.as_bytes());
        }
        for name in &added {
            header.push_field(name);
        }
        header.push_field(opts.error_column.as_bytes());
        wtr.write_byte_record(&header).map_err(csv_error)?;
    }
    wtr.flush()?;
    let writer = wtr.into_inner().map_err(|e| CliError::Io(e.into_error()))?;
    let chunk_size = settings.chunk_size;
    let mut out = InOrder::new(writer, settings, progress);
    pipeline(
        settings.threads,
        || splitter.read_chunk(&mut reader, chunk_size, CHUNK_BYTES, mark),
        |chunk| pool.install(|| process_chunk(&chunk, &plan, process)),
        |done: Result<Processed<Vec<u8>>, CliError>| {
            out.write(done?, |row, failure| {
                let line = failure
                    .line
                    .map(|l| format!(" (line {l})"))
                    .unwrap_or_default();
                format!(
                    "row {row}{line}: {} (--strict stops at the first failure; without it, failures are reported in the {:?} column)",
                    plan.detail(failure),
                    opts.error_column
                )
            })
        },
    )?;
    out.finish()
}

/// A `csv` reader over records in memory, configured as every reader of this mode.
fn reader_of(data: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data)
}

/// Whole CSV records as read, not yet parsed: the reader thread only finds where records
/// end, and the workers parse, answer and write them, so the one serial step is light.
#[derive(Debug, Default)]
struct CsvChunk {
    data: Vec<u8>,
    /// `(end, newlines before start)` of each piece of [`PIECE`] records (the last may have
    /// fewer), in order; a piece starts where the one before ends.
    pieces: Vec<(usize, u64)>,
    /// The records that are not well-formed CSV, as (place in the chunk, reason), in order.
    faults: Vec<(usize, &'static str)>,
}

/// Where a record-ending scan is: the states of the `csv` crate's parser that matter for
/// where records end (RFC 4180 quotes, doubled quotes inside them, `\r`, `\n` or `\r\n`
/// ending a record, blank lines skipped).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Scan {
    /// Before a record: line ends here are blank lines, not records.
    #[default]
    RecordStart,
    /// Before a field: a quote here opens a quoted field.
    FieldStart,
    /// In a field that is not quoted (a quote here is an ordinary byte).
    Unquoted,
    /// In a quoted field: only a quote can end it.
    Quoted,
    /// Just after a quote in a quoted field: another quote is a literal quote.
    QuoteInQuoted,
}

impl Scan {
    /// The state after `byte`, and whether a record ends with it.
    fn step(self, byte: u8) -> (Scan, bool) {
        let line_end = matches!(byte, b'\r' | b'\n');
        match self {
            Scan::Quoted if byte == b'"' => (Scan::QuoteInQuoted, false),
            Scan::Quoted => (Scan::Quoted, false),
            Scan::RecordStart if line_end => (Scan::RecordStart, false),
            _ if line_end => (Scan::RecordStart, true),
            _ if byte == b',' => (Scan::FieldStart, false),
            Scan::RecordStart | Scan::FieldStart if byte == b'"' => (Scan::Quoted, false),
            Scan::QuoteInQuoted if byte == b'"' => (Scan::Quoted, false),
            _ => (Scan::Unquoted, false),
        }
    }
}

/// Cuts the input into chunks of whole records.
#[derive(Debug, Default)]
struct Splitter {
    state: Scan,
    /// `\n` bytes before the current chunk, for the line numbers of failures.
    newlines: u64,
    /// What is wrong with the record being read, if anything.
    fault: Option<&'static str>,
}

impl Splitter {
    /// Reads up to `max` records, or up to the record that reaches `max_bytes` (and any
    /// blank lines after it).
    fn read_chunk(
        &mut self,
        input: &mut dyn BufRead,
        max: usize,
        max_bytes: usize,
        mark: &RecordMark,
    ) -> Result<Option<CsvChunk>, CliError> {
        let mut chunk = CsvChunk::default();
        let mut records = 0;
        let mut piece_records = 0;
        let mut piece_newlines = self.newlines;
        let mut record_start = 0;
        let mut full = false;
        loop {
            let available = match input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CliError::Io(e)),
            };
            if available.is_empty() {
                // The last record may end with the input rather than a line end.
                if self.state != Scan::RecordStart {
                    if self.state == Scan::Quoted {
                        self.fault = Some(UNCLOSED_QUOTE);
                    }
                    if let Some(fault) = self.fault.take() {
                        chunk.faults.push((records, fault));
                    }
                    self.state = Scan::RecordStart;
                    mark.record_done();
                }
                break;
            }
            let mut taken = available.len();
            for (i, &byte) in available.iter().enumerate() {
                self.newlines += u64::from(byte == b'\n');
                let (next, ends) = self.state.step(byte);
                if self.state == Scan::QuoteInQuoted && next == Scan::Unquoted {
                    self.fault = Some(BAD_QUOTE);
                }
                self.state = next;
                if !ends {
                    continue;
                }
                if let Some(fault) = self.fault.take() {
                    chunk.faults.push((records, fault));
                }
                records += 1;
                piece_records += 1;
                mark.record_done();
                record_start = chunk.data.len() + i + 1;
                if piece_records == PIECE {
                    chunk.pieces.push((record_start, piece_newlines));
                    piece_newlines = self.newlines;
                    piece_records = 0;
                }
                if records == max || record_start >= max_bytes {
                    full = true;
                    taken = i + 1;
                    break;
                }
            }
            chunk
                .data
                .extend_from_slice(available.get(..taken).unwrap_or_default());
            input.consume(taken);
            if (chunk.data.len() - record_start) as u64 > MAX_RECORD_LEN {
                return Err(CliError::Usage(format!(
                    "a CSV record is longer than {} MiB: check the quoting of the input (an unclosed quote makes the rest of the file one field)",
                    MAX_RECORD_LEN >> 20
                )));
            }
            if full {
                break;
            }
        }
        if chunk.data.is_empty() {
            return Ok(None);
        }
        let last_end = chunk.pieces.last().map_or(0, |p| p.0);
        if last_end < chunk.data.len() {
            chunk.pieces.push((chunk.data.len(), piece_newlines));
        }
        Ok(Some(chunk))
    }
}

/// Parses, answers and writes the records of a chunk, its pieces in parallel.
fn process_chunk(
    chunk: &CsvChunk,
    plan: &Plan,
    process: &ProcessFn<'_>,
) -> Result<Processed<Vec<u8>>, CliError> {
    let starts = std::iter::once(0).chain(chunk.pieces.iter().map(|p| p.0));
    let pieces: Vec<Piece<'_>> = starts
        .zip(&chunk.pieces)
        .enumerate()
        .map(|(n, (start, &(end, newlines)))| {
            // Every piece but the last holds exactly PIECE records.
            let first = n * PIECE;
            let from = chunk.faults.partition_point(|f| f.0 < first);
            let to = chunk.faults.partition_point(|f| f.0 < first + PIECE);
            Piece {
                data: chunk.data.get(start..end).unwrap_or_default(),
                newlines,
                first,
                faults: chunk.faults.get(from..to).unwrap_or_default(),
            }
        })
        .collect();
    let answered: Vec<Result<Processed<Vec<u8>>, CliError>> = pieces
        .par_iter()
        .map(|piece| process_piece(piece, plan, process))
        .collect();
    let mut all = Processed {
        out: Vec::with_capacity(
            answered
                .iter()
                .map(|p| p.as_ref().map_or(0, |p| p.out.len()))
                .sum(),
        ),
        rows: 0,
        values: 0,
        failures: Vec::new(),
    };
    for piece in answered {
        let piece = piece?;
        for mut failure in piece.failures {
            failure.index += all.rows as usize;
            failure.offset += all.out.len();
            all.failures.push(failure);
        }
        all.rows += piece.rows;
        all.values += piece.values;
        all.out.extend_from_slice(&piece.out);
    }
    Ok(all)
}

/// Consecutive records of a chunk.
struct Piece<'a> {
    data: &'a [u8],
    /// The count of `\n` before it in the input.
    newlines: u64,
    /// The place in the chunk of its first record.
    first: usize,
    /// The faults of its records, by place in the chunk.
    faults: &'a [(usize, &'static str)],
}

fn process_piece(
    piece: &Piece<'_>,
    plan: &Plan,
    process: &ProcessFn<'_>,
) -> Result<Processed<Vec<u8>>, CliError> {
    let mut rdr = reader_of(piece.data);
    let mut wtr = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::with_capacity(piece.data.len() * 2));
    let mut record = ByteRecord::new();
    let mut failures = Vec::new();
    let mut scratch = Vec::new();
    let mut rows = 0usize;
    let mut values = 0;
    let mut faults = piece.faults.iter().peekable();
    while rdr.read_byte_record(&mut record).map_err(csv_error)? {
        let fault = faults.next_if(|f| f.0 == piece.first + rows).map(|f| f.1);
        let answer = answer_record(&record, plan, process, &mut scratch, fault);
        values += answer.values;
        if let Some(reasons) = answer.failed {
            wtr.flush()?;
            failures.push(Failure {
                index: rows,
                offset: wtr.get_ref().len(),
                line: record.position().map(|p| piece.newlines + p.line()),
                reasons,
            });
        }
        wtr.write_byte_record(&answer.record).map_err(csv_error)?;
        rows += 1;
    }
    wtr.flush()?;
    Ok(Processed {
        out: wtr.into_inner().map_err(|e| CliError::Io(e.into_error()))?,
        rows: rows as u64,
        values,
        failures,
    })
}

/// A record's answer.
struct Answer {
    record: ByteRecord,
    /// Values given to the subcommand.
    values: u64,
    /// Why it failed, if it did.
    failed: Option<Vec<(&'static str, Option<usize>)>>,
}

/// Answers one record. A record with a `fault` is not processed; its fields are passed
/// through. Fields past the header's width follow the appended columns, so the appended
/// columns stay under their header names.
fn answer_record(
    record: &ByteRecord,
    plan: &Plan,
    process: &ProcessFn<'_>,
    scratch: &mut Vec<u8>,
    fault: Option<&'static str>,
) -> Answer {
    scratch.clear();
    let mut values = 0;
    // Answers of the processed cells, as ranges of `scratch` or reasons.
    let mut answers: Vec<Result<(usize, usize), &'static str>> =
        Vec::with_capacity(plan.columns.len());
    for &column in &plan.columns {
        let start = scratch.len();
        let result = match record.get(column) {
            _ if fault.is_some() => Ok(()),
            None => Err("missing-column"),
            Some(b"") => Ok(()),
            Some(cell) => {
                values += 1;
                match std::str::from_utf8(cell) {
                    Ok(text) => process(text, scratch),
                    Err(_) => Err("invalid-utf8"),
                }
            }
        };
        answers.push(match result {
            Ok(()) => Ok((start, scratch.len())),
            Err(reason) => {
                scratch.truncate(start);
                Err(reason)
            }
        });
    }
    let whole = |a: &Result<(usize, usize), &'static str>| -> &[u8] {
        match a {
            Ok((start, end)) => scratch.get(*start..*end).unwrap_or_default(),
            Err(_) => b"",
        }
    };
    // With added fields, an answer is its cell, then a tab before each added field.
    let fields = |a: &Result<(usize, usize), &'static str>| {
        let mut parts = whole(a).splitn(plan.extras.len() + 1, |&b| b == b'\t');
        let cell = parts.next().unwrap_or_default();
        (cell, parts)
    };
    let answer_bytes = |a: &Result<(usize, usize), &'static str>| -> &[u8] {
        if plan.extras.is_empty() {
            whole(a)
        } else {
            fields(a).0
        }
    };
    let extra = plan.width > 0 && record.len() > plan.width;
    let head = if extra {
        plan.width
    } else {
        record.len().max(plan.width)
    };
    let mut out = ByteRecord::with_capacity(
        record.as_slice().len() + scratch.len() + 16,
        record.len().max(plan.width) + plan.columns.len() + 1,
    );
    for i in 0..head {
        let replaced = if plan.append || fault.is_some() {
            None
        } else {
            plan.columns.iter().position(|&c| c == i)
        };
        match replaced {
            Some(k) => out.push_field(answers.get(k).map(answer_bytes).unwrap_or_default()),
            None => out.push_field(record.get(i).unwrap_or_default()),
        }
    }
    if plan.append {
        for answer in &answers {
            out.push_field(answer_bytes(answer));
        }
    }
    for answer in answers.iter().filter(|_| !plan.extras.is_empty()) {
        let mut added = fields(answer).1;
        for _ in &plan.extras {
            out.push_field(added.next().unwrap_or_default());
        }
    }
    let mut failed: Vec<(&'static str, Option<usize>)> = answers
        .iter()
        .enumerate()
        .filter_map(|(k, a)| a.err().map(|r| (r, Some(k))))
        .collect();
    failed.extend(fault.map(|f| (f, None)));
    if extra {
        failed.push((EXTRA_FIELDS, None));
    }
    if failed.is_empty() {
        out.push_field(b"");
        return Answer {
            record: out,
            values,
            failed: None,
        };
    }
    let cell: Vec<String> = failed
        .iter()
        .map(|&(reason, k)| match k {
            Some(k) if plan.columns.len() > 1 => format!("{}: {reason}", plan.cell_label(k)),
            _ => reason.to_string(),
        })
        .collect();
    out.push_field(cell.join("; ").as_bytes());
    for i in head..record.len() {
        out.push_field(record.get(i).unwrap_or_default());
    }
    Answer {
        record: out,
        values,
        failed: Some(failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(columns: &[&str], output: &[&str]) -> BulkArgs {
        BulkArgs {
            input: None,
            output: None,
            csv: true,
            column: columns.iter().map(|s| s.to_string()).collect(),
            output_column: output.iter().map(|s| s.to_string()).collect(),
            error_column: "phonetoken_error".into(),
            no_header: false,
            strict: false,
            threads: None,
            chunk_size: 10,
        }
    }

    fn digits_only(text: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err("not-digits");
        }
        out.extend_from_slice(b"#");
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    /// Every record of `data`, as the `csv` crate reads it.
    fn records(data: &[u8]) -> Vec<ByteRecord> {
        let mut rdr = reader_of(data);
        let mut out = Vec::new();
        let mut record = ByteRecord::new();
        while rdr.read_byte_record(&mut record).unwrap() {
            out.push(record.clone());
        }
        out
    }

    #[test]
    fn chunks_end_where_the_csv_crate_ends_records() {
        let input: &[u8] = b"\n\nid,phone\r\n1,\"a\nb\"\r2,ab\"c\n3,\"x\"\"\ny\",z\n\n4,\"q\"r,\"\"\r\n5,\"\r\n\"\n6,end";
        let whole = records(input);
        assert_eq!(whole.len(), 7, "{whole:?}");
        // Every chunk size, and a read buffer so small that records straddle its refills.
        for max in 1..=8 {
            let mut reader = io::BufReader::with_capacity(3, input);
            let mut splitter = Splitter::default();
            let mark = RecordMark::detached();
            let mut pieces = Vec::new();
            let mut lines = Vec::new();
            while let Some(chunk) = splitter
                .read_chunk(&mut reader, max, usize::MAX, &mark)
                .unwrap()
            {
                let mut start = 0;
                for &(end, newlines) in &chunk.pieces {
                    let piece = &chunk.data[start..end];
                    for record in records(piece) {
                        lines.push(newlines + record.position().unwrap().line());
                        pieces.push(record);
                    }
                    start = end;
                }
                assert_eq!(start, chunk.data.len());
            }
            assert_eq!(pieces, whole, "chunks of {max}");
            let expected: Vec<u64> = whole.iter().map(|r| r.position().unwrap().line()).collect();
            assert_eq!(lines, expected, "line numbers with chunks of {max}");
        }
    }

    #[test]
    fn a_record_that_never_ends_stops_the_run() {
        let mut input = b"a,\"".to_vec();
        input.resize(MAX_RECORD_LEN as usize + 2, b'x');
        let mut reader = io::BufReader::new(input.as_slice());
        let result =
            Splitter::default().read_chunk(&mut reader, 10, usize::MAX, &RecordMark::detached());
        assert!(matches!(result, Err(CliError::Usage(m)) if m.contains("longer than")));
    }

    #[test]
    fn columns_by_name_then_by_index() {
        let header = ByteRecord::from(vec!["a", "2", "c"]);
        let plan = Plan::resolve_for_test(&opts(&["c", "2", "1"], &[]), Some(&header)).unwrap();
        assert_eq!(
            plan.columns,
            [2, 1, 0],
            "\"2\" is a header name before an index"
        );
        assert!(Plan::resolve_for_test(&opts(&["4"], &[]), Some(&header)).is_err());
        assert!(Plan::resolve_for_test(&opts(&["0"], &[]), Some(&header)).is_err());
        assert!(Plan::resolve_for_test(&opts(&["a", "1"], &[]), Some(&header)).is_err());
        assert!(Plan::resolve_for_test(&opts(&["a"], &["x", "y"]), Some(&header)).is_err());
        assert!(Plan::resolve_for_test(&opts(&["a"], &["c"]), Some(&header)).is_err());
        assert!(
            Plan::resolve_for_test(&opts(&["a"], &["phonetoken_error"]), Some(&header)).is_err()
        );
        assert!(Plan::resolve_for_test(&opts(&[], &[]), Some(&header)).is_err());
    }

    impl Plan {
        fn resolve_for_test(
            opts: &BulkArgs,
            header: Option<&ByteRecord>,
        ) -> Result<Plan, CliError> {
            Plan::resolve(opts, header, &[])
        }
    }

    /// A stand-in for `normalize --with-type`: the digits, a tab, their count.
    fn with_count(text: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
        digits_only(text, out)?;
        out.extend_from_slice(format!("\t{}", text.len()).as_bytes());
        Ok(())
    }

    #[test]
    fn added_fields_get_columns_after_the_appended_ones() {
        let header = ByteRecord::from(vec!["x", "p", "q"]);
        let plan = Plan::resolve(&opts(&["p", "q"], &["po", "qo"]), Some(&header), &["n"]).unwrap();
        assert_eq!(
            plan.extra_header(&header),
            [b"p_n".to_vec(), b"q_n".to_vec()]
        );
        let record = ByteRecord::from(vec!["a", "12", "z"]);
        let got = answer_record(&record, &plan, &with_count, &mut Vec::new(), None);
        assert_eq!(
            got.record,
            ByteRecord::from(vec!["a", "12", "z", "#12", "", "2", "", "q: not-digits"])
        );
        // In place, the added columns still come after the record's own.
        let plan = Plan::resolve(&opts(&["p"], &[]), Some(&header), &["n"]).unwrap();
        let got = answer_record(&record, &plan, &with_count, &mut Vec::new(), None);
        assert_eq!(got.record, ByteRecord::from(vec!["a", "#12", "z", "2", ""]));
        let taken = ByteRecord::from(vec!["x", "p", "p_n"]);
        assert!(Plan::resolve(&opts(&["p"], &[]), Some(&taken), &["n"]).is_err());
    }

    fn answer(record: &ByteRecord, plan: &Plan, fault: Option<&'static str>) -> Answer {
        answer_record(record, plan, &digits_only, &mut Vec::new(), fault)
    }

    fn codes(answer: &Answer) -> Vec<&'static str> {
        answer.failed.iter().flatten().map(|r| r.0).collect()
    }

    #[test]
    fn answers_replace_or_append_and_errors_are_named() {
        let header = ByteRecord::from(vec!["x", "p", "q"]);
        let record = ByteRecord::from(vec![&b"\xff,\""[..], b"12", b"zz"]);
        let plan = Plan::resolve_for_test(&opts(&["p", "q"], &[]), Some(&header)).unwrap();
        let got = answer(&record, &plan, None);
        assert_eq!(
            got.record,
            ByteRecord::from(vec![&b"\xff,\""[..], b"#12", b"", b"q: not-digits"])
        );
        assert_eq!(codes(&got), ["not-digits"]);
        assert_eq!(got.values, 2);

        let plan = Plan::resolve_for_test(&opts(&["p"], &["out"]), Some(&header)).unwrap();
        let short = ByteRecord::from(vec!["only"]);
        let got = answer(&short, &plan, None);
        assert_eq!(
            got.record,
            ByteRecord::from(vec!["only", "", "", "", "missing-column"])
        );
        assert_eq!(codes(&got), ["missing-column"]);

        let empty = ByteRecord::from(vec!["a", "", "b"]);
        let got = answer(&empty, &plan, None);
        assert_eq!(got.record, ByteRecord::from(vec!["a", "", "b", "", ""]));
        assert!(got.failed.is_none());
        assert_eq!(got.values, 0, "an empty cell is not a value");
    }

    #[test]
    fn extra_fields_follow_the_appended_columns() {
        let header = ByteRecord::from(vec!["x", "p", "q"]);
        let wide = ByteRecord::from(vec!["a", "12", "b", "extra1", "extra2"]);
        let plan = Plan::resolve_for_test(&opts(&["p"], &["out"]), Some(&header)).unwrap();
        let got = answer(&wide, &plan, None);
        assert_eq!(
            got.record,
            ByteRecord::from(vec![
                "a",
                "12",
                "b",
                "#12",
                "extra-fields",
                "extra1",
                "extra2"
            ])
        );
        assert_eq!(codes(&got), ["extra-fields"]);
        // In place: the error column stays fourth.
        let plan = Plan::resolve_for_test(&opts(&["p"], &[]), Some(&header)).unwrap();
        let got = answer(&wide, &plan, None);
        assert_eq!(
            got.record,
            ByteRecord::from(vec!["a", "#12", "b", "extra-fields", "extra1", "extra2"])
        );
    }

    #[test]
    fn a_faulty_record_is_passed_through_unprocessed() {
        let header = ByteRecord::from(vec!["x", "p"]);
        let record = ByteRecord::from(vec!["a", "12"]);
        let plan = Plan::resolve_for_test(&opts(&["p"], &[]), Some(&header)).unwrap();
        let got = answer(&record, &plan, Some(UNCLOSED_QUOTE));
        assert_eq!(
            got.record,
            ByteRecord::from(vec!["a", "12", "unclosed-quote"])
        );
        assert_eq!(codes(&got), ["unclosed-quote"]);
        assert_eq!(got.values, 0);
    }

    #[test]
    fn the_splitter_flags_unclosed_and_stray_quotes() {
        let input: &[u8] = b"1,\"a\"b\n2,ok\n3,\"x\"\"y\"\n4,\"open\n5,z\n";
        let mut reader = io::BufReader::with_capacity(4, input);
        let mut splitter = Splitter::default();
        let mark = RecordMark::detached();
        let chunk = splitter
            .read_chunk(&mut reader, 100, usize::MAX, &mark)
            .unwrap()
            .unwrap();
        assert_eq!(chunk.faults, [(0, BAD_QUOTE), (3, UNCLOSED_QUOTE)]);
        assert_eq!(records(&chunk.data).len(), 4);
    }

    #[test]
    fn a_chunk_ends_at_the_record_that_reaches_the_byte_budget() {
        let input: &[u8] = b"aaaa,b\nc\nd\n";
        let mut reader = io::BufReader::new(input);
        let mut splitter = Splitter::default();
        let mark = RecordMark::detached();
        let first = splitter
            .read_chunk(&mut reader, 100, 8, &mark)
            .unwrap()
            .unwrap();
        assert_eq!(first.data, b"aaaa,b\nc\n", "7 bytes < 8: one more record");
        let second = splitter
            .read_chunk(&mut reader, 100, 1, &mark)
            .unwrap()
            .unwrap();
        assert_eq!(second.data, b"d\n");
    }

    #[test]
    fn a_header_is_shown_only_when_it_looks_like_one() {
        let yes = |fields: Vec<&str>| looks_like_header(&ByteRecord::from(fields));
        assert!(yes(vec!["id", "phone", "note 2"]));
        assert!(!yes(vec!["id", "+1 415 555 2671"]));
        assert!(!yes(vec!["ann", "4155552671"]));
        assert!(!yes(vec!["ann", "tel:+14155552671"]));
        assert!(!yes(vec!["x", &"n".repeat(MAX_NAME_LEN + 1)]));
        assert!(!yes(vec!["a\tb"]));
        assert!(!looks_like_header(&ByteRecord::from(vec![&b"\xff"[..]])));
    }
}
