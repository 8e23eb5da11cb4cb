//! The line protocol shared by the subcommands: one output line per input line, in order.
//!
//! Input is split on `\n` only, and a trailing `\r` is removed; nothing else is trimmed,
//! because deciding what is part of a number is the parser's job. A line that cannot be
//! processed produces `error: <reason>` in its place, so output line N always answers input
//! line N. Bad lines are data, not failures: they are counted per reason and summarized.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use crate::CliError;

/// How many lines were read and why the failed ones failed.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) lines: u64,
    pub(crate) failures: BTreeMap<&'static str, u64>,
}

impl Summary {
    /// Lines that produced an error line.
    pub(crate) fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    /// Writes `N lines, M failed (reason: count, …)` to `out`.
    pub(crate) fn report(&self, mut out: impl Write) -> io::Result<()> {
        write!(
            out,
            "phonetoken: {} lines, {} failed",
            self.lines,
            self.failed()
        )?;
        let mut sep = " (";
        for (reason, count) in &self.failures {
            write!(out, "{sep}{reason}: {count}")?;
            sep = ", ";
        }
        if !self.failures.is_empty() {
            write!(out, ")")?;
        }
        writeln!(out)
    }
}

/// Feeds each input line to `process`, which appends the answer (without newline) to the
/// output buffer or returns the reason code of its failure.
pub(crate) fn run_lines<F>(
    mut input: impl BufRead,
    mut output: impl Write,
    mut process: F,
) -> io::Result<Summary>
where
    F: FnMut(&str, &mut Vec<u8>) -> Result<(), &'static str>,
{
    let mut summary = Summary::default();
    let mut line = Vec::new();
    let mut answer = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        summary.lines += 1;
        answer.clear();
        let result = match std::str::from_utf8(&line) {
            Ok(text) => process(text, &mut answer),
            Err(_) => Err("invalid-utf8"),
        };
        if let Err(reason) = result {
            *summary.failures.entry(reason).or_insert(0) += 1;
            answer.clear();
            answer.extend_from_slice(b"error: ");
            answer.extend_from_slice(reason.as_bytes());
        }
        answer.push(b'\n');
        output.write_all(&answer)?;
    }
    output.flush()?;
    Ok(summary)
}

/// Runs the line protocol from stdin to stdout and reports the summary on stderr.
///
/// Output to a terminal is flushed line by line, so an interactive user sees each answer at
/// once; anything else is buffered. Bad lines are data: the run still succeeds.
pub(crate) fn run_stdio<F>(process: F) -> Result<ExitCode, CliError>
where
    F: FnMut(&str, &mut Vec<u8>) -> Result<(), &'static str>,
{
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let summary = if io::stdout().is_terminal() {
        run_lines(stdin, LineFlush(stdout), process)?
    } else {
        run_lines(stdin, BufWriter::with_capacity(64 * 1024, stdout), process)?
    };
    summary.report(io::stderr().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// Flushes after every line.
struct LineFlush<W: Write>(W);

impl<W: Write> Write for LineFlush<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.0.flush()?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(text: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
        if text.is_empty() {
            return Err("empty");
        }
        out.extend_from_slice(text.to_uppercase().as_bytes());
        Ok(())
    }

    #[test]
    fn one_answer_per_line_in_order() {
        let input = b"ab\r\n\ncd\r\rx\n\xff\nlast";
        let mut out = Vec::new();
        let summary = run_lines(&input[..], &mut out, upper).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "AB\nerror: empty\nCD\r\rX\nerror: invalid-utf8\nLAST\n"
        );
        assert_eq!(summary.lines, 5);
        assert_eq!(summary.failed(), 2);
    }
}
