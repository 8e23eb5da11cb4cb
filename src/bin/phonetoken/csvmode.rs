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
//! columns stay aligned.
//!
//! Parsing CSV is most of the work besides the numbers, so it is not left to the reader
//! thread: that thread only finds where records end (a small state machine that follows the
//! `csv` crate's quoting rules) and hands on whole records as bytes; the workers parse,
//! answer and write them, piece by piece in parallel; the writer thread only copies bytes.

use std::io::{self, BufRead, Write};

use csv::ByteRecord;
use rayon::prelude::*;

use crate::args::BulkArgs;
use crate::bulk::{
    pipeline, Failure, InOrder, ProcessFn, Processed, Progress, RecordMark, Settings, Summary,
    MAX_RECORD_LEN,
};
use crate::CliError;

/// Records answered by one rayon task.
const PIECE: usize = 512;

/// Which columns to process and where their answers go.
#[derive(Debug)]
struct Plan {
    /// 0-based indices of the processed columns.
    columns: Vec<usize>,
    /// How each is named in error cells and messages.
    names: Vec<String>,
    /// Answers go in appended columns rather than in place.
    append: bool,
    /// Fields in the header (records shorter than this are padded).
    width: usize,
}

impl Plan {
    fn resolve(opts: &BulkArgs, header: Option<&ByteRecord>) -> Result<Plan, CliError> {
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
            names.push(match header.and_then(|h| h.get(index)) {
                Some(name) => String::from_utf8_lossy(name).into_owned(),
                None => (index + 1).to_string(),
            });
        }
        if let Some(h) = header {
            let taken: Vec<&[u8]> = h.iter().collect();
            for name in opts.output_column.iter().chain([&opts.error_column]) {
                if taken.contains(&name.as_bytes()) {
                    return Err(CliError::Usage(format!(
                        "the header already has a column {name:?}: choose another name for the new column"
                    )));
                }
            }
        }
        let mut new = opts.output_column.clone();
        new.push(opts.error_column.clone());
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
        })
    }
}

fn unknown_column(spec: &str, header: Option<&ByteRecord>) -> CliError {
    match header {
        None => CliError::Usage(format!(
            "--column {spec:?}: with --no-header, name columns by 1-based index (1, 2, …)"
        )),
        Some(h) => {
            let names: Vec<String> = h
                .iter()
                .map(|f| format!("{:?}", String::from_utf8_lossy(f)))
                .collect();
            CliError::Usage(format!(
                "--column {spec:?}: the header has no such column and it is not an index from 1 to {}; the columns are {}",
                h.len(),
                names.join(", ")
            ))
        }
    }
}

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
    process: &ProcessFn<'_>,
) -> Result<Summary, CliError> {
    let mut splitter = Splitter::default();
    let mut wtr = csv::WriterBuilder::new().flexible(true).from_writer(writer);
    let header = if opts.no_header {
        None
    } else {
        let first = splitter.read_chunk(&mut reader, 1, mark)?;
        let mut header = ByteRecord::new();
        let more = match &first {
            Some(chunk) => reader_of(&chunk.data)
                .read_byte_record(&mut header)
                .map_err(csv_error)?,
            None => false,
        };
        if !more {
            // Nothing at all: still check the flags, then write nothing.
            Plan::resolve(opts, Some(&header))?;
            return Ok(Summary::default());
        }
        Some(header)
    };
    let plan = Plan::resolve(opts, header.as_ref())?;
    if let Some(mut header) = header {
        for name in &opts.output_column {
            header.push_field(name.as_bytes());
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
        || splitter.read_chunk(&mut reader, chunk_size, mark),
        |chunk| pool.install(|| process_chunk(&chunk, &plan, process)),
        |done: Result<Processed<Vec<u8>>, CliError>| {
            out.write(done?, |row, failure| {
                let line = failure
                    .line
                    .map(|l| format!(" (line {l})"))
                    .unwrap_or_default();
                format!(
                    "row {row}{line}: {} (--strict stops at the first failure; without it, failures are reported in the {:?} column)",
                    failure.detail, opts.error_column
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
    /// `(end, newlines before start)` of each piece of about [`PIECE`] records, in order; a
    /// piece starts where the one before ends.
    pieces: Vec<(usize, u64)>,
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
}

impl Splitter {
    /// Reads up to `max` records (and any blank lines after them).
    fn read_chunk(
        &mut self,
        input: &mut dyn BufRead,
        max: usize,
        mark: &RecordMark,
    ) -> Result<Option<CsvChunk>, CliError> {
        let mut chunk = CsvChunk::default();
        let mut records = 0;
        let mut piece_records = 0;
        let mut piece_newlines = self.newlines;
        let mut record_start = 0;
        loop {
            let available = match input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CliError::Io(e)),
            };
            if available.is_empty() {
                // The last record may end with the input rather than a line end.
                if self.state != Scan::RecordStart {
                    self.state = Scan::RecordStart;
                    mark.record_done();
                }
                break;
            }
            let mut taken = available.len();
            for (i, &byte) in available.iter().enumerate() {
                self.newlines += u64::from(byte == b'\n');
                let (next, ends) = self.state.step(byte);
                self.state = next;
                if !ends {
                    continue;
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
                if records == max {
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
            if records == max {
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
    let pieces: Vec<(&[u8], u64)> = starts
        .zip(&chunk.pieces)
        .map(|(start, &(end, newlines))| (chunk.data.get(start..end).unwrap_or_default(), newlines))
        .collect();
    let answered: Vec<Result<Processed<Vec<u8>>, CliError>> = pieces
        .par_iter()
        .map(|&(data, newlines)| process_piece(data, newlines, plan, process))
        .collect();
    let mut all = Processed {
        out: Vec::with_capacity(chunk.data.len() * 2),
        rows: 0,
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
        all.out.extend_from_slice(&piece.out);
    }
    Ok(all)
}

/// One piece of a chunk: `newlines` is the count of `\n` before it in the input.
fn process_piece(
    data: &[u8],
    newlines: u64,
    plan: &Plan,
    process: &ProcessFn<'_>,
) -> Result<Processed<Vec<u8>>, CliError> {
    let mut rdr = reader_of(data);
    let mut wtr = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::with_capacity(data.len() * 2));
    let mut record = ByteRecord::new();
    let mut failures = Vec::new();
    let mut scratch = Vec::new();
    let mut rows = 0usize;
    while rdr.read_byte_record(&mut record).map_err(csv_error)? {
        let (answer, failure) = answer_record(&record, plan, process, &mut scratch);
        if let Some((reasons, detail)) = failure {
            wtr.flush()?;
            failures.push(Failure {
                index: rows,
                offset: wtr.get_ref().len(),
                line: record.position().map(|p| newlines + p.line()),
                reasons,
                detail,
            });
        }
        wtr.write_byte_record(&answer).map_err(csv_error)?;
        rows += 1;
    }
    wtr.flush()?;
    Ok(Processed {
        out: wtr.into_inner().map_err(|e| CliError::Io(e.into_error()))?,
        rows: rows as u64,
        failures,
    })
}

fn answer_record(
    record: &ByteRecord,
    plan: &Plan,
    process: &ProcessFn<'_>,
    scratch: &mut Vec<u8>,
) -> (ByteRecord, Option<(Vec<&'static str>, String)>) {
    scratch.clear();
    // Answers of the processed cells, as ranges of `scratch` or reasons.
    let mut answers: Vec<Result<(usize, usize), &'static str>> =
        Vec::with_capacity(plan.columns.len());
    for &column in &plan.columns {
        let start = scratch.len();
        let result = match record.get(column) {
            None => Err("missing-column"),
            Some(b"") => Ok(()),
            Some(cell) => match std::str::from_utf8(cell) {
                Ok(text) => process(text, scratch),
                Err(_) => Err("invalid-utf8"),
            },
        };
        answers.push(match result {
            Ok(()) => Ok((start, scratch.len())),
            Err(reason) => {
                scratch.truncate(start);
                Err(reason)
            }
        });
    }
    let answer_bytes = |a: &Result<(usize, usize), &'static str>| -> &[u8] {
        match a {
            Ok((start, end)) => scratch.get(*start..*end).unwrap_or_default(),
            Err(_) => b"",
        }
    };
    let width = record.len().max(plan.width);
    let mut out = ByteRecord::with_capacity(
        record.as_slice().len() + scratch.len() + 16,
        width + plan.columns.len() + 1,
    );
    for i in 0..width {
        let replaced = if plan.append {
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
    let failed: Vec<(usize, &'static str)> = answers
        .iter()
        .enumerate()
        .filter_map(|(k, a)| a.err().map(|r| (k, r)))
        .collect();
    if failed.is_empty() {
        out.push_field(b"");
        return (out, None);
    }
    let cell = if plan.columns.len() == 1 {
        failed
            .iter()
            .map(|(_, r)| *r)
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        failed
            .iter()
            .map(|(k, r)| format!("{}: {r}", plan.names.get(*k).map_or("?", String::as_str)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    out.push_field(cell.as_bytes());
    let detail = failed
        .iter()
        .map(|(k, r)| {
            format!(
                "column {:?}: {r}",
                plan.names.get(*k).map_or("?", String::as_str)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    (
        out,
        Some((failed.iter().map(|(_, r)| *r).collect(), detail)),
    )
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
            while let Some(chunk) = splitter.read_chunk(&mut reader, max, &mark).unwrap() {
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
        let result = Splitter::default().read_chunk(&mut reader, 10, &RecordMark::detached());
        assert!(matches!(result, Err(CliError::Usage(m)) if m.contains("longer than")));
    }

    #[test]
    fn columns_by_name_then_by_index() {
        let header = ByteRecord::from(vec!["a", "2", "c"]);
        let plan = Plan::resolve(&opts(&["c", "2", "1"], &[]), Some(&header)).unwrap();
        assert_eq!(
            plan.columns,
            [2, 1, 0],
            "\"2\" is a header name before an index"
        );
        assert!(Plan::resolve(&opts(&["4"], &[]), Some(&header)).is_err());
        assert!(Plan::resolve(&opts(&["0"], &[]), Some(&header)).is_err());
        assert!(Plan::resolve(&opts(&["a", "1"], &[]), Some(&header)).is_err());
        assert!(Plan::resolve(&opts(&["a"], &["x", "y"]), Some(&header)).is_err());
        assert!(Plan::resolve(&opts(&["a"], &["c"]), Some(&header)).is_err());
        assert!(Plan::resolve(&opts(&["a"], &["phonetoken_error"]), Some(&header)).is_err());
        assert!(Plan::resolve(&opts(&[], &[]), Some(&header)).is_err());
    }

    #[test]
    fn answers_replace_or_append_and_errors_are_named() {
        let header = ByteRecord::from(vec!["x", "p", "q"]);
        let record = ByteRecord::from(vec![&b"\xff,\""[..], b"12", b"zz"]);
        let plan = Plan::resolve(&opts(&["p", "q"], &[]), Some(&header)).unwrap();
        let (out, failure) = answer_record(&record, &plan, &digits_only, &mut Vec::new());
        assert_eq!(
            out,
            ByteRecord::from(vec![&b"\xff,\""[..], b"#12", b"", b"q: not-digits"])
        );
        assert_eq!(failure.unwrap().0, ["not-digits"]);

        let plan = Plan::resolve(&opts(&["p"], &["out"]), Some(&header)).unwrap();
        let short = ByteRecord::from(vec!["only"]);
        let (out, failure) = answer_record(&short, &plan, &digits_only, &mut Vec::new());
        assert_eq!(
            out,
            ByteRecord::from(vec!["only", "", "", "", "missing-column"])
        );
        assert_eq!(failure.unwrap().0, ["missing-column"]);

        let empty = ByteRecord::from(vec!["a", "", "b"]);
        let (out, failure) = answer_record(&empty, &plan, &digits_only, &mut Vec::new());
        assert_eq!(out, ByteRecord::from(vec!["a", "", "b", "", ""]));
        assert!(failure.is_none());
    }
}
