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
//!
//! `scrub` reads text, not values: in its [verbatim](Framing::Verbatim) framing each line
//! keeps its own terminator (`\n`, `\r\n`, or none at the end of the input), its bytes that
//! are not UTF-8 are copied as they are while the text around them is processed, and its
//! lines may be longer.

use std::io::{self, BufRead};

use rayon::prelude::*;
use zeroize::Zeroize;

use crate::bulk::{Failure, ManyFn, ProcessFn, Processed};

/// Longest line kept; the parser reads at most 250 characters and a token is shorter still,
/// so a longer line is not a number, and dropping its bytes keeps memory bounded.
pub(crate) const MAX_LINE_LEN: usize = 64 * 1024;

/// Lines answered by one rayon task (a slice of a chunk).
const PIECE: usize = 1024;

/// How lines are read and answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// One answer line per input line, ended by `\n`; lines of at most [`MAX_LINE_LEN`].
    Answers,
    /// The line's processed text followed by its own terminator; lines of at most
    /// `max_line` bytes; bytes that are not UTF-8 are copied, and the text between them
    /// processed piece by piece.
    Verbatim {
        /// The longest line kept.
        max_line: usize,
    },
}

impl Framing {
    fn max_line(self) -> usize {
        match self {
            Framing::Answers => MAX_LINE_LEN,
            Framing::Verbatim { max_line } => max_line,
        }
    }
}

/// How an input line ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Lf,
    CrLf,
    /// The last line of an input that does not end in `\n`.
    Eof,
}

impl Ending {
    fn as_bytes(self) -> &'static [u8] {
        match self {
            Ending::Lf => b"\n",
            Ending::CrLf => b"\r\n",
            Ending::Eof => b"",
        }
    }
}

/// One line of a chunk.
#[derive(Clone, Copy, Debug)]
struct LineAt {
    /// End offset in the chunk's data.
    end: usize,
    /// The line was longer than the framing keeps.
    long: bool,
    ending: Ending,
}

/// Up to `--chunk-size` input lines, in one buffer.
#[derive(Debug, Default)]
pub(crate) struct LineChunk {
    /// The lines' bytes, without their terminators, back to back.
    data: Vec<u8>,
    lines: Vec<LineAt>,
}

impl LineChunk {
    /// Wipes the lines (they held secrets).
    pub(crate) fn wipe(&mut self) {
        self.data.zeroize();
    }

    /// The lines, with their bytes.
    fn iter(&self) -> impl Iterator<Item = (&[u8], LineAt)> + '_ {
        let mut start = 0;
        self.lines.iter().map(move |&at| {
            let line = self.data.get(start..at.end).unwrap_or_default();
            start = at.end;
            (line, at)
        })
    }
}

/// Reads up to `max` lines, or up to the line that reaches `max_bytes`, into a fresh chunk;
/// `None` at end of input.
pub(crate) fn read_chunk(
    input: &mut impl BufRead,
    max: usize,
    max_bytes: usize,
    framing: Framing,
) -> io::Result<Option<LineChunk>> {
    let mut chunk = LineChunk::default();
    while chunk.lines.len() < max && chunk.data.len() < max_bytes {
        match read_line_bounded(input, &mut chunk.data, framing.max_line())? {
            None => break,
            Some((long, ending)) => chunk.lines.push(LineAt {
                end: chunk.data.len(),
                long,
                ending,
            }),
        }
    }
    Ok((!chunk.lines.is_empty()).then_some(chunk))
}

/// Appends one line (without `\n` and a `\r` before it) to `data`, keeping at most
/// `max_line` bytes of it; returns whether it was longer and how it ended, or `None` at end
/// of input.
fn read_line_bounded(
    input: &mut impl BufRead,
    data: &mut Vec<u8>,
    max_line: usize,
) -> io::Result<Option<(bool, Ending)>> {
    let start = data.len();
    let mut seen_any = false;
    let mut long = false;
    let mut ending = Ending::Eof;
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
        let room = max_line.saturating_sub(data.len() - start);
        let kept = taken.min(room);
        long |= kept < taken;
        data.extend_from_slice(available.get(..kept).unwrap_or_default());
        input.consume(if done { taken + 1 } else { taken });
        if done {
            ending = Ending::Lf;
            break;
        }
    }
    if !seen_any {
        return Ok(None);
    }
    if data.len() > start && data.last() == Some(&b'\r') {
        data.pop();
        if ending == Ending::Lf {
            ending = Ending::CrLf;
        }
    }
    if long {
        data.truncate(start);
    }
    Ok(Some((long, ending)))
}

/// Answers every line of `chunk`: the output bytes (one line per input line) and the
/// failures, with their place in the chunk and in the output.
/// With `wipe`, the answers hold secrets: every buffer is wiped once copied, and none is
/// grown by a reallocation (which would leave a copy behind).
/// With `many`, in [`Framing::Answers`] without `wipe` (otherwise it is not used), the lines
/// of a piece that can be answered (UTF-8, not too long) are answered together by it.
pub(crate) fn process_chunk(
    chunk: &LineChunk,
    (process, many): (&ProcessFn<'_>, Option<&ManyFn<'_>>),
    wipe: bool,
    framing: Framing,
) -> Processed<Vec<u8>> {
    let lines: Vec<(&[u8], LineAt)> = chunk.iter().collect();
    let many = many.filter(|_| !wipe && framing == Framing::Answers);
    // The whole chunk checked as UTF-8 at once, a few bytes per instruction: then each line
    // is a slice of it, not checked again (a check per line cost more than the line's
    // parse of its bytes). A chunk that is not UTF-8 throughout is checked line by line.
    let whole = many.and_then(|_| std::str::from_utf8(&chunk.data).ok());
    let pieces: Vec<Processed<Vec<u8>>> = lines
        .par_chunks(PIECE)
        .enumerate()
        .map(|(n, piece)| match many {
            Some(many) => answer_lines_together(piece, n * PIECE, many, whole),
            None => answer_lines(piece, n * PIECE, process, wipe, framing),
        })
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
    lines: &[(&[u8], LineAt)],
    first: usize,
    process: &ProcessFn<'_>,
    wipe: bool,
    framing: Framing,
) -> Processed<Vec<u8>> {
    let mut out = Vec::with_capacity(lines.len() * 48);
    let mut failures = Vec::new();
    for (i, &(line, at)) in lines.iter().enumerate() {
        if wipe {
            reserve_wiped(&mut out, WIPE_ANSWER_ROOM);
        }
        let offset = out.len();
        let result = if at.long {
            Err("input-too-long")
        } else if framing == Framing::Answers {
            match std::str::from_utf8(line) {
                Ok(text) => process(text, &mut out),
                Err(_) => Err("invalid-utf8"),
            }
        } else {
            process_around_invalid(line, process, &mut out)
        };
        if let Err(reason) = result {
            fail_line(&mut out, &mut failures, (first + i, offset), reason);
        }
        match framing {
            Framing::Answers => out.push(b'\n'),
            Framing::Verbatim { .. } => out.extend_from_slice(at.ending.as_bytes()),
        }
    }
    Processed {
        out,
        rows: lines.len() as u64,
        values: lines.len() as u64,
        failures,
    }
}

/// Puts `error: <reason>` in place of the answer of line `index` of its chunk, which starts
/// at `offset` of `out` (whatever was written after it is dropped), and records the failure.
fn fail_line(
    out: &mut Vec<u8>,
    failures: &mut Vec<Failure>,
    (index, offset): (usize, usize),
    reason: &'static str,
) {
    out.truncate(offset);
    out.extend_from_slice(b"error: ");
    out.extend_from_slice(reason.as_bytes());
    failures.push(Failure {
        index,
        offset,
        line: None,
        reasons: vec![(reason, None)],
    });
}

/// [`answer_lines`] for [`Framing::Answers`] without `wipe`, with the lines that can be
/// answered given to `many` together: the same output and failures.
///
/// `whole`, if given, is the chunk's data as text: a line's text is then its slice of it.
fn answer_lines_together<'a>(
    lines: &[(&'a [u8], LineAt)],
    first: usize,
    many: &ManyFn<'_>,
    whole: Option<&'a str>,
) -> Processed<Vec<u8>> {
    // Each line's text, or why it has none.
    let texts: Vec<Result<&str, &'static str>> = lines
        .iter()
        .map(|&(line, at)| {
            if at.long {
                return Err("input-too-long");
            }
            let start = at.end.saturating_sub(line.len());
            match whole.and_then(|w| w.get(start..at.end)) {
                Some(text) => Ok(text),
                None => std::str::from_utf8(line).map_err(|_| "invalid-utf8"),
            }
        })
        .collect();
    let valid: Vec<&str> = texts.iter().filter_map(|t| t.ok()).collect();
    let mut answers = Vec::with_capacity(valid.len() * 48);
    let mut ends = Vec::with_capacity(valid.len());
    many(&valid, &mut answers, &mut ends);
    let mut out = Vec::with_capacity(answers.len() + lines.len() * 8);
    let mut failures = Vec::new();
    let (mut next, mut start) = (ends.iter(), 0);
    for (i, text) in texts.iter().enumerate() {
        let offset = out.len();
        // A text `many` left unanswered (it must answer them all) fails as a bug would.
        let result = match text {
            Ok(_) => match next.next() {
                Some(&Ok(end)) => match answers.get(start..end) {
                    Some(answer) => {
                        out.extend_from_slice(answer);
                        start = end;
                        Ok(())
                    }
                    None => Err("internal-error"),
                },
                Some(&Err(reason)) => Err(reason),
                None => Err("internal-error"),
            },
            Err(reason) => Err(*reason),
        };
        if let Err(reason) = result {
            fail_line(&mut out, &mut failures, (first + i, offset), reason);
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

/// Processes each stretch of valid UTF-8 in `line` on its own, copying the bytes between
/// them as they are.
fn process_around_invalid(
    mut line: &[u8],
    process: &ProcessFn<'_>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    loop {
        match std::str::from_utf8(line) {
            Ok(text) => return process(text, out),
            Err(e) => {
                let (valid, rest) = line.split_at(e.valid_up_to());
                // `valid_up_to` is where the valid prefix ends, so this cannot fail.
                process(std::str::from_utf8(valid).unwrap_or_default(), out)?;
                let bad = e.error_len().unwrap_or(rest.len());
                let (invalid, after) = rest.split_at(bad.min(rest.len()));
                out.extend_from_slice(invalid);
                line = after;
            }
        }
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
        let chunk = read_chunk(&mut reader, 100, usize::MAX, Framing::Answers)
            .unwrap()
            .unwrap();
        assert!(read_chunk(&mut reader, 100, usize::MAX, Framing::Answers)
            .unwrap()
            .is_none());
        let done = process_chunk(&chunk, (&upper, None), false, Framing::Answers);
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

    /// `upper` as a `ManyFn`: every text in turn.
    fn upper_many(texts: &[&str], out: &mut Vec<u8>, ends: &mut Vec<Result<usize, &'static str>>) {
        for text in texts {
            let start = out.len();
            match upper(text, out) {
                Ok(()) => ends.push(Ok(out.len())),
                Err(reason) => {
                    out.truncate(start);
                    ends.push(Err(reason));
                }
            }
        }
    }

    /// `input` as one chunk, answered line by line and together.
    fn one_by_one_and_together(
        input: &[u8],
    ) -> (LineChunk, Processed<Vec<u8>>, Processed<Vec<u8>>) {
        let mut reader = input;
        let chunk = read_chunk(&mut reader, 5000, usize::MAX, Framing::Answers)
            .unwrap()
            .unwrap();
        let one = process_chunk(&chunk, (&upper, None), false, Framing::Answers);
        let many = process_chunk(&chunk, (&upper, Some(&upper_many)), false, Framing::Answers);
        (chunk, one, many)
    }

    /// Lines answered together give the same output and failures as one by one, over pieces
    /// with failing, overlong and non-UTF-8 lines among the others.
    #[test]
    fn lines_answered_together_as_one_by_one() {
        let mut input = Vec::new();
        for i in 0..2500 {
            match i % 7 {
                0 => input.extend_from_slice(b"\n"),
                1 => input.extend_from_slice(b"\xff\xfe\n"),
                2 if i % 3 == 0 => {
                    input.extend(std::iter::repeat_n(b'a', MAX_LINE_LEN + 1));
                    input.extend_from_slice(b"\r\n");
                }
                _ => input.extend_from_slice(format!("line {i} \u{e9}\n").as_bytes()),
            }
        }
        let (chunk, one, many) = one_by_one_and_together(&input);
        assert_eq!(one.rows, 2500);
        assert!(one.out == many.out, "the same output");
        let at = |p: &Processed<Vec<u8>>| -> Vec<(usize, usize, &'static str)> {
            p.failures
                .iter()
                .map(|f| (f.index, f.offset, f.reasons[0].0))
                .collect()
        };
        assert_eq!(at(&one), at(&many));
        assert_eq!(
            at(&one)
                .iter()
                .map(|f| f.2)
                .collect::<std::collections::BTreeSet<_>>(),
            ["empty", "input-too-long", "invalid-utf8"]
                .into_iter()
                .collect()
        );
        // A chunk that is UTF-8 throughout takes each line's text from the whole.
        let text: Vec<u8> = (0..3000)
            .flat_map(|i| format!("n{i}\u{e9}\n").into_bytes())
            .collect();
        let (_, one_by_one, together) = one_by_one_and_together(&text);
        assert!(one_by_one.out == together.out && together.failures.is_empty());
        assert!(together.out.starts_with("N0\u{c9}\nN1\u{c9}\n".as_bytes()));
        // With the lines' answers missing, every answerable line fails; none is dropped.
        let none = |_: &[&str], _: &mut Vec<u8>, _: &mut Vec<Result<usize, &'static str>>| {};
        let broken = process_chunk(&chunk, (&upper, Some(&none)), false, Framing::Answers);
        assert_eq!(broken.failures.len(), 2500);
    }

    #[test]
    fn chunks_split_at_the_line_count_and_long_lines_are_cut() {
        let mut input = b"1\n2\n".to_vec();
        input.extend(std::iter::repeat_n(b'9', MAX_LINE_LEN + 10));
        input.extend_from_slice(b"\r\n4\n");
        let mut reader = io::BufReader::with_capacity(16, &input[..]);
        let first = read_chunk(&mut reader, 2, usize::MAX, Framing::Answers)
            .unwrap()
            .unwrap();
        assert_eq!(first.lines.len(), 2);
        let second = read_chunk(&mut reader, 2, usize::MAX, Framing::Answers)
            .unwrap()
            .unwrap();
        let lines: Vec<(&[u8], bool)> = second.iter().map(|(l, at)| (l, at.long)).collect();
        assert_eq!(lines, [(&b""[..], true), (&b"4"[..], false)]);
        assert!(read_chunk(&mut reader, 2, usize::MAX, Framing::Answers)
            .unwrap()
            .is_none());
        let done = process_chunk(&second, (&upper, None), false, Framing::Answers);
        assert_eq!(done.out, b"error: input-too-long\n4\n");
    }

    #[test]
    fn a_chunk_ends_at_the_line_that_reaches_the_byte_budget() {
        let input = b"12345\n6789\nab\ncd\n";
        let mut reader = &input[..];
        let first = read_chunk(&mut reader, 100, 6, Framing::Answers)
            .unwrap()
            .unwrap();
        let lines: Vec<&[u8]> = first.iter().map(|l| l.0).collect();
        assert_eq!(
            lines,
            [&b"12345"[..], b"6789"],
            "5 bytes < 6: one more line"
        );
        let second = read_chunk(&mut reader, 100, 1, Framing::Answers)
            .unwrap()
            .unwrap();
        assert_eq!(second.lines.len(), 1, "a chunk holds at least one line");
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_kept() {
        let mut input = vec![b'7'; MAX_LINE_LEN];
        input.push(b'\n');
        let chunk = read_chunk(&mut &input[..], 10, usize::MAX, Framing::Answers)
            .unwrap()
            .unwrap();
        let lines: Vec<(&[u8], LineAt)> = chunk.iter().collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0.len(), MAX_LINE_LEN);
        assert!(!lines[0].1.long);
    }

    /// Doubles every ASCII digit: a stand-in that changes text and fails on `!`.
    fn double_digits(text: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
        if text.contains('!') {
            return Err("bang");
        }
        for b in text.bytes() {
            out.push(b);
            if b.is_ascii_digit() {
                out.push(b);
            }
        }
        Ok(())
    }

    #[test]
    fn verbatim_lines_keep_their_endings_and_their_invalid_bytes() {
        let framing = Framing::Verbatim { max_line: 9 };
        let input = b"a1\r\n\n\xff2\xe2\x82b3\r\rc\n1234567890\nno!\nlast4";
        let chunk = read_chunk(&mut &input[..], 100, usize::MAX, framing)
            .unwrap()
            .unwrap();
        let done = process_chunk(&chunk, (&double_digits, None), false, framing);
        assert_eq!(
            done.out,
            b"a11\r\n\n\xff22\xe2\x82b33\r\rc\nerror: input-too-long\nerror: bang\nlast44"
        );
        let reasons: Vec<&str> = done.failures.iter().map(|f| f.reasons[0].0).collect();
        assert_eq!(reasons, ["input-too-long", "bang"]);
        assert_eq!(done.rows, 6);
    }
}
