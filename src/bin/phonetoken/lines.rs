//! The line protocol shared by the subcommands: one output line per input line, in order.
//!
//! Input is split on `\n` only, and a trailing `\r` is removed; nothing else is trimmed,
//! because deciding what is part of a number is the parser's job. A line that cannot be
//! processed produces `error: <reason>` in its place, so output line N always answers input
//! line N. Bad lines are data, not failures: they are counted per reason and summarized.
//!
//! Lines are read in chunks (`--chunk-size` lines, or fewer once a chunk holds
//! [`CHUNK_BYTES`](crate::bulk::CHUNK_BYTES) bytes), each chunk is answered in parallel by
//! `bulk`'s pipeline, and the answers are written in input order. A line longer than
//! [`MAX_LINE_LEN`] bytes is answered `error: input-too-long` without being kept in memory,
//! so a chunk holds at most `CHUNK_BYTES + MAX_LINE_LEN` bytes of input.

use std::io::{self, BufRead};

use rayon::prelude::*;
use zeroize::Zeroize;

use crate::bulk::{Failure, ProcessFn, Processed};

/// Longest line kept; the parser reads at most 250 characters and a token is shorter still,
/// so a longer line is not a number, and dropping its bytes keeps memory bounded.
pub(crate) const MAX_LINE_LEN: usize = 64 * 1024;

/// Lines answered by one rayon task (a slice of a chunk).
const PIECE: usize = 1024;

/// Up to `--chunk-size` input lines, in one buffer.
#[derive(Debug, Default)]
pub(crate) struct LineChunk {
    /// The lines' bytes, without their terminators, back to back.
    data: Vec<u8>,
    /// Per line: end offset in `data`, and whether the line was cut at `MAX_LINE_LEN`.
    lines: Vec<(usize, bool)>,
}

impl LineChunk {
    /// Wipes the lines (they held secrets).
    pub(crate) fn wipe(&mut self) {
        self.data.zeroize();
    }

    /// The lines, as (bytes, too long).
    fn iter(&self) -> impl Iterator<Item = (&[u8], bool)> + '_ {
        let mut start = 0;
        self.lines.iter().map(move |&(end, long)| {
            let line = self.data.get(start..end).unwrap_or_default();
            start = end;
            (line, long)
        })
    }
}

/// Reads up to `max` lines, or up to the line that reaches `max_bytes`, into a fresh chunk;
/// `None` at end of input.
pub(crate) fn read_chunk(
    input: &mut impl BufRead,
    max: usize,
    max_bytes: usize,
) -> io::Result<Option<LineChunk>> {
    let mut chunk = LineChunk::default();
    while chunk.lines.len() < max && chunk.data.len() < max_bytes {
        match read_line_bounded(input, &mut chunk.data)? {
            None => break,
            Some(long) => chunk.lines.push((chunk.data.len(), long)),
        }
    }
    Ok((!chunk.lines.is_empty()).then_some(chunk))
}

/// Appends one line (without `\n` and a `\r` before it) to `data`, keeping at most
/// `MAX_LINE_LEN` bytes of it; returns whether it was longer, or `None` at end of input.
fn read_line_bounded(input: &mut impl BufRead, data: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let start = data.len();
    let mut seen_any = false;
    let mut long = false;
    loop {
        let available = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        seen_any = true;
        let (taken, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        let room = MAX_LINE_LEN.saturating_sub(data.len() - start);
        let kept = taken.min(room);
        long |= kept < taken;
        data.extend_from_slice(available.get(..kept).unwrap_or_default());
        input.consume(if done { taken + 1 } else { taken });
        if done {
            break;
        }
    }
    if !seen_any {
        return Ok(None);
    }
    if data.len() > start && data.last() == Some(&b'\r') {
        data.pop();
    }
    if long {
        data.truncate(start);
    }
    Ok(Some(long))
}

/// Answers every line of `chunk`: the output bytes (one line per input line) and the
/// failures, with their place in the chunk and in the output.
/// With `wipe`, the answers hold secrets: every buffer is wiped once copied, and none is
/// grown by a reallocation (which would leave a copy behind).
pub(crate) fn process_chunk(
    chunk: &LineChunk,
    process: &ProcessFn<'_>,
    wipe: bool,
) -> Processed<Vec<u8>> {
    let lines: Vec<(&[u8], bool)> = chunk.iter().collect();
    let pieces: Vec<Processed<Vec<u8>>> = lines
        .par_chunks(PIECE)
        .enumerate()
        .map(|(n, piece)| answer_lines(piece, n * PIECE, process, wipe))
        .collect();
    let mut all = Processed {
        out: Vec::with_capacity(pieces.iter().map(|p| p.out.len()).sum()),
        rows: 0,
        values: 0,
        failures: Vec::new(),
    };
    for mut piece in pieces {
        let base = all.out.len();
        all.rows += piece.rows;
        all.values += piece.values;
        all.failures
            .extend(piece.failures.into_iter().map(|f| Failure {
                offset: f.offset + base,
                ..f
            }));
        all.out.extend_from_slice(&piece.out);
        if wipe {
            piece.out.zeroize();
        }
    }
    all
}

/// Room kept free before each answer in wipe mode: more than any answer of the commands
/// that wipe (a request, a tab and a state, with the longest POPRF info).
const WIPE_ANSWER_ROOM: usize = 4096;

/// Makes room for `extra` more bytes without a reallocation that leaves the old bytes
/// behind: the old buffer is copied, then wiped.
fn reserve_wiped(out: &mut Vec<u8>, extra: usize) {
    if out.capacity() - out.len() >= extra {
        return;
    }
    let mut bigger = Vec::with_capacity((2 * out.capacity()).max(out.len() + extra));
    bigger.extend_from_slice(out);
    out.zeroize();
    *out = bigger;
}

/// Answers consecutive lines, the first being line `first` of its chunk.
fn answer_lines(
    lines: &[(&[u8], bool)],
    first: usize,
    process: &ProcessFn<'_>,
    wipe: bool,
) -> Processed<Vec<u8>> {
    let mut out = Vec::with_capacity(lines.len() * 48);
    let mut failures = Vec::new();
    for (i, &(line, long)) in lines.iter().enumerate() {
        if wipe {
            reserve_wiped(&mut out, WIPE_ANSWER_ROOM);
        }
        let offset = out.len();
        let result = if long {
            Err("input-too-long")
        } else {
            match std::str::from_utf8(line) {
                Ok(text) => process(text, &mut out),
                Err(_) => Err("invalid-utf8"),
            }
        };
        if let Err(reason) = result {
            out.truncate(offset);
            out.extend_from_slice(b"error: ");
            out.extend_from_slice(reason.as_bytes());
            failures.push(Failure {
                index: first + i,
                offset,
                line: None,
                reasons: vec![(reason, None)],
            });
        }
        out.push(b'\n');
    }
    Processed {
        out,
        rows: lines.len() as u64,
        values: lines.len() as u64,
        failures,
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
        let mut reader = &input[..];
        let chunk = read_chunk(&mut reader, 100, usize::MAX).unwrap().unwrap();
        assert!(read_chunk(&mut reader, 100, usize::MAX).unwrap().is_none());
        let done = process_chunk(&chunk, &upper, false);
        assert_eq!(
            String::from_utf8(done.out.clone()).unwrap(),
            "AB\nerror: empty\nCD\r\rX\nerror: invalid-utf8\nLAST\n"
        );
        assert_eq!(done.rows, 5);
        let at: Vec<(usize, usize)> = done.failures.iter().map(|f| (f.index, f.offset)).collect();
        assert_eq!(at, [(1, 3), (3, 22)]);
        assert_eq!(
            &done.out[..3],
            b"AB\n",
            "the offset is where the failed line's answer starts"
        );
    }

    #[test]
    fn chunks_split_at_the_line_count_and_long_lines_are_cut() {
        let mut input = b"1\n2\n".to_vec();
        input.extend(std::iter::repeat_n(b'9', MAX_LINE_LEN + 10));
        input.extend_from_slice(b"\r\n4\n");
        let mut reader = io::BufReader::with_capacity(16, &input[..]);
        let first = read_chunk(&mut reader, 2, usize::MAX).unwrap().unwrap();
        assert_eq!(first.lines.len(), 2);
        let second = read_chunk(&mut reader, 2, usize::MAX).unwrap().unwrap();
        let lines: Vec<(&[u8], bool)> = second.iter().collect();
        assert_eq!(lines, [(&b""[..], true), (&b"4"[..], false)]);
        assert!(read_chunk(&mut reader, 2, usize::MAX).unwrap().is_none());
        let done = process_chunk(&second, &upper, false);
        assert_eq!(done.out, b"error: input-too-long\n4\n");
    }

    #[test]
    fn a_chunk_ends_at_the_line_that_reaches_the_byte_budget() {
        let input = b"12345\n6789\nab\ncd\n";
        let mut reader = &input[..];
        let first = read_chunk(&mut reader, 100, 6).unwrap().unwrap();
        let lines: Vec<&[u8]> = first.iter().map(|l| l.0).collect();
        assert_eq!(
            lines,
            [&b"12345"[..], b"6789"],
            "5 bytes < 6: one more line"
        );
        let second = read_chunk(&mut reader, 100, 1).unwrap().unwrap();
        assert_eq!(second.lines.len(), 1, "a chunk holds at least one line");
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_kept() {
        let mut input = vec![b'7'; MAX_LINE_LEN];
        input.push(b'\n');
        let chunk = read_chunk(&mut &input[..], 10, usize::MAX)
            .unwrap()
            .unwrap();
        let lines: Vec<(&[u8], bool)> = chunk.iter().collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0.len(), MAX_LINE_LEN);
        assert!(!lines[0].1);
    }
}
