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

use std::io::{BufRead, Write};

use csv::ByteRecord;
use rayon::prelude::*;

use crate::args::BulkArgs;
use crate::bulk::{
    pipeline, Failure, ProcessFn, Processed, Progress, RecordMark, Settings, Summary,
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
    (reader, mark): (Box<dyn BufRead + Send>, &RecordMark),
    writer: Box<dyn Write + Send>,
    pool: &rayon::ThreadPool,
    settings: &Settings,
    progress: &Progress,
    process: &ProcessFn<'_>,
) -> Result<Summary, CliError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut wtr = csv::WriterBuilder::new().flexible(true).from_writer(writer);
    let header = if opts.no_header {
        None
    } else {
        let mut header = ByteRecord::new();
        let more = rdr.read_byte_record(&mut header).map_err(csv_error)?;
        mark.record_done();
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
    let chunk_size = settings.chunk_size;
    let mut summary = Summary::default();
    let mut first_row = 0u64;
    pipeline(
        settings.threads,
        || read_chunk(&mut rdr, chunk_size, mark),
        |chunk| pool.install(|| process_chunk(&chunk, &plan, process)),
        |done: Processed<Vec<ByteRecord>>| {
            let stop = settings.strict.then(|| done.failures.first()).flatten();
            let upto = stop.map_or(done.out.len(), |f| f.offset);
            for record in done.out.get(..upto).unwrap_or_default() {
                wtr.write_byte_record(record).map_err(csv_error)?;
            }
            if let Some(failure) = stop {
                wtr.flush()?;
                let row = first_row + failure.index as u64 + 1;
                let line = failure
                    .line
                    .map(|l| format!(" (line {l})"))
                    .unwrap_or_default();
                return Err(CliError::Data(format!(
                    "row {row}{line}: {} (--strict stops at the first failure; without it, failures are reported in the {:?} column)",
                    failure.detail, opts.error_column
                )));
            }
            if settings.flush_each {
                wtr.flush()?;
            }
            summary.add(done.rows, &done.failures);
            first_row += done.rows;
            progress.update();
            Ok(())
        },
    )?;
    wtr.flush()?;
    Ok(summary)
}

fn read_chunk<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    max: usize,
    mark: &RecordMark,
) -> Result<Option<Vec<ByteRecord>>, CliError> {
    let mut records = Vec::with_capacity(max.min(4096));
    while records.len() < max {
        let mut record = ByteRecord::new();
        if !rdr.read_byte_record(&mut record).map_err(csv_error)? {
            break;
        }
        mark.record_done();
        records.push(record);
    }
    Ok((!records.is_empty()).then_some(records))
}

fn process_chunk(
    records: &[ByteRecord],
    plan: &Plan,
    process: &ProcessFn<'_>,
) -> Processed<Vec<ByteRecord>> {
    let pieces: Vec<Processed<Vec<ByteRecord>>> = records
        .par_chunks(PIECE)
        .enumerate()
        .map(|(n, piece)| {
            let mut out = Vec::with_capacity(piece.len());
            let mut failures = Vec::new();
            let mut scratch = Vec::new();
            for (i, record) in piece.iter().enumerate() {
                let index = n * PIECE + i;
                let (answer, failure) = answer_record(record, plan, process, &mut scratch);
                if let Some((reasons, detail)) = failure {
                    failures.push(Failure {
                        index,
                        offset: index,
                        line: record.position().map(|p| p.line()),
                        reasons,
                        detail,
                    });
                }
                out.push(answer);
            }
            Processed {
                rows: piece.len() as u64,
                out,
                failures,
            }
        })
        .collect();
    let mut all = Processed {
        out: Vec::with_capacity(records.len()),
        rows: 0,
        failures: Vec::new(),
    };
    for piece in pieces {
        all.rows += piece.rows;
        all.out.extend(piece.out);
        all.failures.extend(piece.failures);
    }
    all
}

/// The output record for `record`, and its failures (reason codes, error cell text).
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
