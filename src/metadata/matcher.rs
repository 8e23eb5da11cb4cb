//! The pattern matcher: a backtracking interpreter for the bytecode `xtask` compiles
//! libphonenumber's patterns into, with the decisions and captures of Python's `re` (and
//! Java's `java.util.regex`): leftmost-first alternation, greedy quantifiers, the last
//! iteration's capture for repeated groups, `None` for groups that took no part.
//!
//! # Bytecode
//!
//! Each pattern in `generated::POOL` (and, with the feature `validate`, `TYPE_POOL`; with
//! `format`, `FORMAT_POOL`) is a
//! 6-byte header followed by code. The header holds the longest possible match, the capture
//! groups, the shortest possible match, the digits a non-empty match can start with (a 10-bit
//! mask over bytes 3 and 4, with bit 7 of byte 4 set when the empty string matches and bit 6
//! when it does so without `$` and with every capture group unset), and the most backtracking
//! frames the pattern can push. The first four let a call be refused (or, for an optional
//! prefix, answered with the empty match) before any setup, which is the common case: most
//! numbers do not start with a national prefix, most lengths are not possible. Code that is a
//! literal or an alternation of literals is compared directly, without the interpreter. The
//! code:
//!
//! | bytes | instruction |
//! |---|---|
//! | `0..=9` | one literal digit |
//! | `ANY` | one digit (`\d`) |
//! | `CLASS lo hi` | one digit whose bit is set in the 10-bit mask `hi:lo` |
//! | `FIX_ANY n` | exactly `n` digits |
//! | `FIX_CLASS lo hi n` | exactly `n` digits of the mask |
//! | `REP_ANY min max c` | greedy `min..=max` digits; choice point `c` |
//! | `REP_CLASS lo hi min max c` | greedy `min..=max` digits of the mask; choice point `c` |
//! | `SPLIT d c` | try the next instruction first, then the one `d` bytes after it; choice point `c` |
//! | `SPLIT16 dlo dhi c` | `SPLIT` with a two-byte distance |
//! | `JMP d` | continue `d` bytes after this instruction |
//! | `JMP16 dlo dhi` | `JMP` with a two-byte distance |
//! | `JMP_SHORT + d` | `JMP d` in one byte, for `d` up to 223 |
//! | `SAVE s` | record the position in capture slot `s` (group `s / 2`) |
//! | `EOL` | only at the end of the input (`$`) |
//! | `MATCH` | success |
//! | `SWITCH t0 … t9` | (number-type and leading-digits patterns, features `validate` and `format`) continue `t` bytes after the table, `t` (two bytes) picked by the next digit, `0xFFFF` failing; consumes nothing |
//! | `SWITCH8 t0 … t9` | `SWITCH` with one-byte entries, `0xFF` failing |
//!
//! # Bounded work, no allocation
//!
//! The generator unrolls repeats of groups, so every jump goes forward and the code has no
//! loops. Hence along any path each instruction runs at most once, and each pushes at most
//! one frame: the stack never holds more frames than the pattern has pushing instructions
//! (`SPLIT`, `REP`, `SAVE`), and the generator sizes [`MAX_STACK`] for the largest count.
//!
//! Backtracking alone could still take exponential time, so the matcher remembers each
//! (choice point, position) it has entered. The rest of a match from such a state does not
//! depend on how it was reached, so entering it a second time can only fail again and is
//! cut off at once. Between two choice-point entries (or backtracks) the matcher runs
//! straight ahead, so the work is at most about (choice points × positions × longest repeat)
//! times the code length, on any input: positions past the longest possible match are never
//! reached, so the input length does not matter. In practice it is tiny: the tests measure
//! at most a few dozen instructions per call over every pattern and adversarial inputs.
//!
//! [`MAX_STACK`]: super::generated::MAX_STACK

use core::num::NonZeroU16;
use core::ops::Range;

use super::generated::{MAX_GROUPS, MAX_STACK, MEMO_WORDS, POOL};

// Opcodes, as `xtask/src/pattern.rs` writes them.
const ANY: u8 = 0x0A;
const CLASS: u8 = 0x0B;
const FIX_ANY: u8 = 0x0C;
const FIX_CLASS: u8 = 0x0D;
const REP_ANY: u8 = 0x0E;
const REP_CLASS: u8 = 0x0F;
const SPLIT: u8 = 0x10;
const SPLIT16: u8 = 0x11;
const JMP: u8 = 0x12;
const JMP16: u8 = 0x13;
const SAVE: u8 = 0x14;
const EOL: u8 = 0x15;
const MATCH: u8 = 0x16;
#[cfg(any(feature = "validate", feature = "format"))]
const SWITCH: u8 = 0x17;
#[cfg(any(feature = "validate", feature = "format"))]
const SWITCH8: u8 = 0x18;
const JMP_SHORT: u8 = 0x20;

const ALL_DIGITS: u16 = 0x3FF;
const HEADER_LEN: usize = 6;
/// Header byte 4: the pattern matches the empty string.
const NULLABLE: u8 = 0x80;
/// Header byte 4: an empty match needs no `$` and sets no capture group.
const EMPTY_PLAIN: u8 = 0x40;
/// Header byte 4: the bits of the first-digit mask.
const FIRST_HI: u8 = 0x03;
/// Frames on the stack of a pattern that needs few (nearly all of them); the rest get
/// [`MAX_STACK`], so the common call sets up a small state.
const SMALL_STACK: usize = 16;
pub(super) const SLOTS: usize = 2 * MAX_GROUPS;
/// A capture slot that holds no position.
const UNSET: u8 = u8::MAX;

/// A compiled pattern: the offset of its header in the bytecode pool (never 0, so
/// `Option<Pattern>` takes two bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    start: NonZeroU16,
}

/// Where a prefix match ended and what its capture groups matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PrefixMatch {
    /// Bytes of the input the match covers (it always starts at 0).
    pub end: usize,
    groups: u8,
    slots: [u8; SLOTS],
}

impl PrefixMatch {
    #[cfg(all(test, phonetoken_oracles))]
    pub(super) fn from_parts(end: usize, groups: u8, slots: [u8; SLOTS]) -> PrefixMatch {
        PrefixMatch { end, groups, slots }
    }

    /// Number of capture groups in the pattern.
    pub(crate) fn group_count(&self) -> usize {
        usize::from(self.groups)
    }

    /// The span of group `i` (1-based), or `None` if it did not take part in the match (or
    /// the pattern has no group `i`).
    pub(crate) fn group(&self, i: usize) -> Option<Range<usize>> {
        if i == 0 || i > self.group_count() {
            return None;
        }
        let start = *self.slots.get(2 * (i - 1))?;
        let end = *self.slots.get(2 * (i - 1) + 1)?;
        if start == UNSET || end == UNSET || end < start {
            return None;
        }
        Some(usize::from(start)..usize::from(end))
    }
}

/// A pending alternative on the backtracking stack.
#[derive(Clone, Copy)]
enum Frame {
    /// Resume at `pc` with the input at `pos`.
    Alt { pc: u16, pos: u8 },
    /// A greedy class repeat that consumed up to `pos`: give back one digit (not below
    /// `min`) and resume at `pc`.
    Rep { pc: u16, pos: u8, min: u8 },
    /// Undo a capture: slot `slot` held `old`.
    Restore { slot: u8, old: u8 },
}

/// The fixed-size working state of one match, with `MEMO` words of visited states and `S`
/// capture slots.
struct Run<'a, const MEMO: usize, const S: usize> {
    code: &'a [u8],
    input: &'a [u8],
    positions: usize,
    memo: [u64; MEMO],
    stack: &'a mut [Frame],
    depth: usize,
    slots: [u8; S],
    #[cfg(test)]
    steps: usize,
}

impl<const MEMO: usize, const S: usize> Run<'_, MEMO, S> {
    fn byte(&self, pc: usize) -> Option<u8> {
        self.code.get(pc).copied()
    }

    fn u16_at(&self, pc: usize) -> Option<u16> {
        Some(u16::from_le_bytes([self.byte(pc)?, self.byte(pc + 1)?]))
    }

    fn in_class(&self, pos: usize, mask: u16) -> bool {
        match self.input.get(pos) {
            Some(&b) if b.is_ascii_digit() => mask & (1 << (b - b'0')) != 0,
            _ => false,
        }
    }

    /// Marks (choice, pos) as entered; `false` if it already was.
    fn first_visit(&mut self, choice: u8, pos: usize) -> bool {
        let bit = usize::from(choice) * self.positions + pos;
        match self.memo.get_mut(bit / 64) {
            Some(word) if pos < self.positions => {
                let mask = 1u64 << (bit % 64);
                let fresh = *word & mask == 0;
                *word |= mask;
                fresh
            }
            // Beyond the sizes the generator promised: refuse rather than guess.
            _ => false,
        }
    }

    fn push(&mut self, frame: Frame) -> bool {
        match self.stack.get_mut(self.depth) {
            Some(slot) => {
                *slot = frame;
                self.depth += 1;
                true
            }
            None => false,
        }
    }

    /// Pops frames until one gives a state to resume from.
    fn backtrack(&mut self) -> Option<(usize, usize)> {
        loop {
            self.depth = self.depth.checked_sub(1)?;
            match *self.stack.get(self.depth)? {
                Frame::Alt { pc, pos } => return Some((usize::from(pc), usize::from(pos))),
                Frame::Rep { pc, pos, min } => {
                    let pos = pos.checked_sub(1)?;
                    if pos > min && !self.push(Frame::Rep { pc, pos, min }) {
                        return None;
                    }
                    return Some((usize::from(pc), usize::from(pos)));
                }
                Frame::Restore { slot, old } => {
                    *self.slots.get_mut(usize::from(slot))? = old;
                }
            }
        }
    }

    /// Runs from the start; the end of the first match in priority order, or `None`. With
    /// `full`, a match must end at the end of the input.
    fn exec(&mut self, full: bool) -> Option<usize> {
        let (mut pc, mut pos) = (0usize, 0usize);
        loop {
            #[cfg(test)]
            {
                self.steps += 1;
            }
            let op = self.byte(pc)?;
            let ok = match op {
                0..=9 => {
                    pc += 1;
                    let hit = self.input.get(pos) == Some(&(b'0' + op));
                    pos += 1;
                    hit
                }
                ANY | CLASS => {
                    let (mask, len) = if op == ANY {
                        (ALL_DIGITS, 1)
                    } else {
                        (self.u16_at(pc + 1)?, 3)
                    };
                    pc += len;
                    let hit = self.in_class(pos, mask);
                    pos += 1;
                    hit
                }
                FIX_ANY | FIX_CLASS => {
                    let (mask, n, len) = if op == FIX_ANY {
                        (ALL_DIGITS, self.byte(pc + 1)?, 2)
                    } else {
                        (self.u16_at(pc + 1)?, self.byte(pc + 3)?, 4)
                    };
                    let n = usize::from(n);
                    pc += len;
                    let hit = (pos..pos + n).all(|p| self.in_class(p, mask));
                    pos += n;
                    hit
                }
                REP_ANY | REP_CLASS => {
                    let (mask, at) = if op == REP_ANY {
                        (ALL_DIGITS, pc + 1)
                    } else {
                        (self.u16_at(pc + 1)?, pc + 3)
                    };
                    let min = usize::from(self.byte(at)?);
                    let max = usize::from(self.byte(at + 1)?);
                    let choice = self.byte(at + 2)?;
                    pc = at + 3;
                    if !self.first_visit(choice, pos) {
                        false
                    } else {
                        let taken = (0..max)
                            .take_while(|&k| self.in_class(pos + k, mask))
                            .count();
                        if taken > min {
                            let frame = Frame::Rep {
                                pc: u16::try_from(pc).ok()?,
                                pos: u8::try_from(pos + taken).ok()?,
                                min: u8::try_from(pos + min).ok()?,
                            };
                            if !self.push(frame) {
                                return None;
                            }
                        }
                        pos += taken;
                        taken >= min
                    }
                }
                SPLIT | SPLIT16 => {
                    let (distance, at) = if op == SPLIT {
                        (self.byte(pc + 1)?.into(), pc + 2)
                    } else {
                        (self.u16_at(pc + 1)?, pc + 3)
                    };
                    let choice = self.byte(at)?;
                    pc = at + 1;
                    if self.first_visit(choice, pos) {
                        let frame = Frame::Alt {
                            pc: u16::try_from(pc + usize::from(distance)).ok()?,
                            pos: u8::try_from(pos).ok()?,
                        };
                        if !self.push(frame) {
                            return None;
                        }
                        true
                    } else {
                        false
                    }
                }
                JMP => {
                    pc += 2 + usize::from(self.byte(pc + 1)?);
                    true
                }
                JMP16 => {
                    pc += 3 + usize::from(self.u16_at(pc + 1)?);
                    true
                }
                JMP_SHORT.. => {
                    pc += 1 + usize::from(op - JMP_SHORT);
                    true
                }
                SAVE => {
                    let slot = self.byte(pc + 1)?.checked_sub(2)?;
                    pc += 2;
                    let value = u8::try_from(pos).ok()?;
                    let cell = self.slots.get_mut(usize::from(slot))?;
                    let old = core::mem::replace(cell, value);
                    if !self.push(Frame::Restore { slot, old }) {
                        return None;
                    }
                    true
                }
                EOL => {
                    pc += 1;
                    pos == self.input.len()
                }
                MATCH => {
                    if !full || pos == self.input.len() {
                        return Some(pos);
                    }
                    false
                }
                // Number-type and leading-digits patterns only: the next digit picks the one
                // alternative that can match.
                #[cfg(any(feature = "validate", feature = "format"))]
                SWITCH | SWITCH8 => {
                    let digit = match self.input.get(pos) {
                        Some(&b) if b.is_ascii_digit() => Some(usize::from(b - b'0')),
                        _ => None,
                    };
                    let (target, table) = match (op, digit) {
                        (_, None) => (None, 0),
                        (SWITCH, Some(d)) => {
                            let t = self.u16_at(pc + 1 + 2 * d)?;
                            ((t != u16::MAX).then_some(usize::from(t)), 20)
                        }
                        (_, Some(d)) => {
                            let t = self.byte(pc + 1 + d)?;
                            ((t != u8::MAX).then_some(usize::from(t)), 10)
                        }
                    };
                    match target {
                        Some(t) => {
                            pc += 1 + table + t;
                            true
                        }
                        None => false,
                    }
                }
                _ => return None,
            };
            if !ok {
                (pc, pos) = self.backtrack()?;
            }
        }
    }
}

/// A successful run: where the match ended, the pattern's group count, the `S` capture
/// slots.
pub(super) type Outcome<const S: usize> = (usize, u8, [u8; S]);

/// Runs the pattern whose header starts `pattern` (its end may run past the pattern).
#[inline(always)]
pub(super) fn run(pattern: &[u8], digits: &[u8], full: bool) -> Option<Outcome<SLOTS>> {
    run_in::<MEMO_WORDS, MAX_STACK, SLOTS>(pattern, digits, full)
}

/// [`run`] with the bounds of another pool: `MEMO` words of visited states, at most `STACK`
/// frames and `S` capture slots (the number types' patterns are larger than parsing's and
/// capture nothing; the number formats' capture up to five groups).
#[inline(always)]
pub(super) fn run_in<const MEMO: usize, const STACK: usize, const S: usize>(
    pattern: &[u8],
    digits: &[u8],
    full: bool,
) -> Option<Outcome<S>> {
    let &[max_len, groups, min_len, first_lo, first_hi, stack, ..] = pattern else {
        return None;
    };
    let max_len = usize::from(max_len);
    if full && !(usize::from(min_len)..=max_len).contains(&digits.len()) {
        return None;
    }
    // A match that takes a digit takes the first one; only the empty match takes none, and
    // a full match of a non-empty input is not empty.
    let first = u16::from_le_bytes([first_lo, first_hi & FIRST_HI]);
    let empty_ok = first_hi & NULLABLE != 0 && (!full || digits.is_empty());
    let can_start = match digits.first() {
        Some(&d) if d.is_ascii_digit() => first & (1 << (d - b'0')) != 0,
        _ => false,
    };
    if !can_start {
        if !empty_ok {
            return None;
        }
        // No digit can be taken, so every path that matches is empty; the flag says one
        // exists without `$` and that it sets no group (Argentina's optional prefix).
        if first_hi & EMPTY_PLAIN != 0 {
            return Some((0, groups, [UNSET; S]));
        }
    }
    let code = pattern.get(HEADER_LEN..)?;
    // One literal (`0`, `00`, `011`: most prefixes) is a fixed length of digit codes and
    // then `MATCH`, and is compared in place (off firmware: one more copy at every call).
    #[cfg(not(target_os = "none"))]
    if let Some(end) = single_literal(code, usize::from(min_len), max_len, digits, full) {
        return end.map(|end| (end, groups, [UNSET; S]));
    }
    // Alternations of literals (`0|180020`) need no interpreter either.
    if let Some(end) = literal_alternatives(code, digits, full) {
        return end.map(|end| (end, groups, [UNSET; S]));
    }
    if usize::from(stack) <= SMALL_STACK {
        run_with::<SMALL_STACK, MEMO, S>(pattern, digits, full, max_len, groups)
    } else {
        run_with::<STACK, MEMO, S>(pattern, digits, full, max_len, groups)
    }
}

/// The match of code that is one literal of `len` digits (the header's shortest and longest
/// match being `len`, and `MATCH` right after `len` codes that are all digits):
/// `Some(Some(len))` when `digits` starts with it (and is it, for a full match),
/// `Some(None)` when not, `None` when the code has another form.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn single_literal(
    code: &[u8],
    len: usize,
    max_len: usize,
    digits: &[u8],
    full: bool,
) -> Option<Option<usize>> {
    if len != max_len || code.get(len) != Some(&MATCH) {
        return None;
    }
    let literal = code.get(..len)?;
    if literal.iter().any(|&op| op > 9) {
        return None;
    }
    let hit = (!full || digits.len() == len)
        && digits
            .get(..len)
            .is_some_and(|head| head.iter().zip(literal).all(|(&d, &op)| d == b'0' + op));
    Some(hit.then_some(len))
}

/// The first match of code of the form `L1 | L2 | … | Ln` (each `Li` literal digits),
/// compiled as `SPLIT`s over the alternatives, each but the last ending in a jump to the
/// final `MATCH`. `Some(None)` when no alternative matches, `None` when the code has
/// another form (the interpreter then runs it).
fn literal_alternatives(code: &[u8], digits: &[u8], full: bool) -> Option<Option<usize>> {
    let mut pc = 0;
    // Each round reads one alternative and moves `pc` forward, so this ends.
    loop {
        // Where the next alternative starts (0: this is the last one).
        let (start, next) = match *code.get(pc)? {
            SPLIT => (pc + 3, pc + 3 + usize::from(*code.get(pc + 1)?)),
            _ => (pc, 0),
        };
        // Read the literal, comparing it with the digits on the way.
        let (mut at, mut hit) = (start, true);
        let op = loop {
            let op = *code.get(at)?;
            if op > 9 {
                break op;
            }
            hit &= digits.get(at - start) == Some(&(b'0' + op));
            at += 1;
        };
        // Where this alternative goes on success: it must be the final `MATCH`.
        let target = match op {
            MATCH => at,
            JMP => at + 2 + usize::from(*code.get(at + 1)?),
            JMP_SHORT.. => at + 1 + usize::from(op - JMP_SHORT),
            _ => return None,
        };
        if code.get(target) != Some(&MATCH) || (next == 0 && target != at) {
            return None;
        }
        let len = at - start;
        if hit && (!full || digits.len() == len) {
            return Some(Some(len));
        }
        if next == 0 {
            return Some(None);
        }
        // A later alternative starts past this one's literal.
        if next <= at {
            return None;
        }
        pc = next;
    }
}

/// Kept out of line so the checks and literal comparisons in [`run`], which answer most
/// calls, do not pay for the interpreter's frame; only the stack's size depends on `STACK`.
#[inline(never)]
fn run_with<const STACK: usize, const MEMO: usize, const S: usize>(
    pattern: &[u8],
    digits: &[u8],
    full: bool,
    max_len: usize,
    groups: u8,
) -> Option<Outcome<S>> {
    interpret::<MEMO, S>(
        pattern,
        digits,
        full,
        max_len,
        groups,
        &mut [Frame::Alt { pc: 0, pos: 0 }; STACK],
    )
}

/// The interpreter, over a stack of either size: one copy of its code instead of one per
/// stack size (a kilobyte of firmware flash); one per pool (`MEMO`, `S`).
#[inline(never)]
fn interpret<const MEMO: usize, const S: usize>(
    pattern: &[u8],
    digits: &[u8],
    full: bool,
    max_len: usize,
    groups: u8,
    stack: &mut [Frame],
) -> Option<Outcome<S>> {
    let mut run = Run {
        code: pattern.get(HEADER_LEN..)?,
        input: digits,
        positions: max_len + 1,
        memo: [0; MEMO],
        stack,
        depth: 0,
        slots: [UNSET; S],
        #[cfg(test)]
        steps: 0,
    };
    let end = run.exec(full);
    #[cfg(test)]
    LAST_STEPS.with(|s| s.set(run.steps));
    Some((end?, groups, run.slots))
}

#[cfg(test)]
std::thread_local! {
    /// Instructions the last run on this thread executed (tests check the work bound).
    pub(super) static LAST_STEPS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

impl Pattern {
    /// The pattern whose header starts at `start` in the pool (generated code only).
    pub(super) const fn at(start: u16) -> Pattern {
        // The generator never writes 0; if it did, `MAX` lies past the pool and the
        // pattern would match nothing.
        let start = match NonZeroU16::new(start) {
            Some(start) => start,
            None => NonZeroU16::MAX,
        };
        Pattern { start }
    }

    #[inline(always)]
    fn run(self, digits: &[u8], full: bool) -> Option<Outcome<SLOTS>> {
        let start = usize::from(self.start.get());
        run(POOL.get(start..)?, digits, full)
    }

    /// The fewest digits any match takes, the header's bound (`None` for a pattern outside
    /// the pool, which matches nothing).
    #[cfg(feature = "find")]
    pub(crate) fn min_len(self) -> Option<usize> {
        let header = POOL.get(usize::from(self.start.get())..)?;
        header.get(2).map(|&n| usize::from(n))
    }

    /// Whether [`match_prefix`](Self::match_prefix) can find anything in `digits`, from the
    /// header alone: the pattern can take its first digit, or can match nothing at all.
    /// `false` answers for nearly every national prefix a number does not start with, without
    /// a call.
    #[inline(always)]
    pub(crate) fn may_match_prefix(self, digits: &[u8]) -> bool {
        let Some(&[_, _, _, first_lo, first_hi]) = POOL
            .get(usize::from(self.start.get())..)
            .and_then(<[u8]>::first_chunk::<5>)
        else {
            return false;
        };
        let first = u16::from_le_bytes([first_lo, first_hi & FIRST_HI]);
        let can_start = digits
            .first()
            .is_some_and(|&d| d.is_ascii_digit() && first & (1 << (d - b'0')) != 0);
        can_start || first_hi & NULLABLE != 0
    }

    /// Whether the whole of `digits` matches (Python `fullmatch`, Java `matches`).
    #[inline]
    pub(crate) fn full_match(self, digits: &[u8]) -> bool {
        self.run(digits, true).is_some()
    }

    /// The match anchored at the start of `digits` (Python `match`, Java `lookingAt`), with
    /// the same captures a backtracking engine reports.
    #[inline]
    pub(crate) fn match_prefix(self, digits: &[u8]) -> Option<PrefixMatch> {
        let (end, groups, slots) = self.run(digits, false)?;
        Some(PrefixMatch { end, groups, slots })
    }
}
