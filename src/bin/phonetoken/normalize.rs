//! `phonetoken normalize`: E.164 for every input line.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use crate::args::NormalizeArgs;
use crate::lines::run_lines;
use crate::CliError;

pub(crate) fn run(opts: &NormalizeArgs) -> Result<ExitCode, CliError> {
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let region = opts.region;
    let summary = if io::stdout().is_terminal() {
        run_lines(stdin, LineFlush(stdout), |text, out| {
            normalize_line(text, region, out)
        })?
    } else {
        run_lines(
            stdin,
            BufWriter::with_capacity(64 * 1024, stdout),
            |text, out| normalize_line(text, region, out),
        )?
    };
    summary.report(io::stderr().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// Parses one line and appends its E.164 form.
pub(crate) fn normalize_line(
    text: &str,
    region: Option<phonetoken::Region>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
    out.extend_from_slice(number.as_bytes());
    Ok(())
}

/// Flushes after every line, so an interactive user sees each answer at once.
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
