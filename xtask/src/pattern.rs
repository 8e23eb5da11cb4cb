//! Compiles libphonenumber's pattern subset into the bytecode `src/metadata/matcher.rs` runs.
//!
//! Supported syntax (anything else is an error, so a metadata update that uses new syntax
//! fails loudly here rather than matching differently at run time): digit literals, `\d`,
//! digit classes `[…]` (ranges, no negation), `(?:…)`, capture groups `(…)`, `|`, and the
//! greedy quantifiers `?`, `{n}` and `{n,m}`; `$` (end of input); and literal characters
//! that are not digits (ASCII letters and the punctuation Java's regex takes as itself, such
//! as `~` in AO's `nationalPrefix="0~0"` in libphonenumber's test metadata). Patterns only
//! ever see digit strings, so such a literal is an atom that matches nothing, exactly as it
//! behaves in libphonenumber. Unbounded repeats are refused.
//!
//! The bytecode has no loops: repeats of a single class are one instruction, repeats of
//! anything else are unrolled. Every jump goes forward, which is what bounds the matcher's
//! stack (see the matcher's docs). The opcodes here must agree with the matcher's.

// Explicit imports, because the library's tests include this file into a `no_std` crate
// to compile random patterns for the matcher's differential test.
use std::borrow::ToOwned;
use std::boxed::Box;
use std::fmt;
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

/// Opcodes; the matcher's constants of the same names must agree.
pub mod op {
    // `0..=9`: one literal digit.
    /// `ANY`: one digit (`\d`).
    pub const ANY: u8 = 0x0A;
    /// `CLASS lo hi`: one digit whose bit is set in the mask (bit d for digit d).
    pub const CLASS: u8 = 0x0B;
    /// `FIX_ANY n`: exactly `n` digits.
    pub const FIX_ANY: u8 = 0x0C;
    /// `FIX_CLASS lo hi n`: exactly `n` digits of the mask.
    pub const FIX_CLASS: u8 = 0x0D;
    /// `REP_ANY min max c`: greedy `min..=max` digits; choice point `c`.
    pub const REP_ANY: u8 = 0x0E;
    /// `REP_CLASS lo hi min max c`: greedy `min..=max` digits of the mask; choice point `c`.
    pub const REP_CLASS: u8 = 0x0F;
    /// `SPLIT d c`: try the next instruction, then the one `d` bytes after it; choice `c`.
    pub const SPLIT: u8 = 0x10;
    /// `SPLIT16 dlo dhi c`: `SPLIT` with a two-byte distance.
    pub const SPLIT16: u8 = 0x11;
    /// `JMP d`: continue `d` bytes after this instruction.
    pub const JMP: u8 = 0x12;
    /// `JMP16 dlo dhi`: `JMP` with a two-byte distance.
    pub const JMP16: u8 = 0x13;
    /// `SAVE s`: record the position in capture slot `s` (group `s / 2`, start or end).
    pub const SAVE: u8 = 0x14;
    /// `EOL`: succeed only at the end of the input (`$`).
    pub const EOL: u8 = 0x15;
    /// `MATCH`.
    pub const MATCH: u8 = 0x16;
    /// `SWITCH t0lo t0hi … t9lo t9hi`: continue `t` bytes after the table, `t` the entry of
    /// the next input digit (`0xFFFF`: fail), consuming nothing. Only [`compile_plain`]
    /// writes it, for an alternation whose alternatives start with distinct digits, so at
    /// most one of them can match: no choice point, no backtracking. It must stay below
    /// `JMP_SHORT`.
    pub const SWITCH: u8 = 0x17;
    /// `SWITCH8 t0 … t9`: `SWITCH` with one-byte entries (`0xFF`: fail).
    pub const SWITCH8: u8 = 0x18;
    /// `JMP_SHORT + d` (one byte, `d` up to 223): `JMP d`.
    pub const JMP_SHORT: u8 = 0x20;
}

/// Bytes before the code of each pattern: longest match, capture groups, shortest match,
/// the first-digit mask (low byte, then the two high bits with [`NULLABLE`] in bit 7), and
/// the pattern's bound on backtracking frames. The matcher rejects with the lengths and
/// the first digit before it sets anything up.
pub const HEADER_LEN: usize = 6;

/// Set in header byte 4 when the pattern can match the empty string.
pub const NULLABLE: u8 = 0x80;

/// Set in header byte 4 when an empty match needs no `$` and leaves every capture group
/// unset (each group takes at least one digit): when the first digit cannot start a match,
/// the result is known without running the code.
pub const EMPTY_PLAIN: u8 = 0x40;

const ALL_DIGITS: u16 = 0x3FF;

#[derive(Debug)]
pub struct PatternError {
    pub pattern: String,
    pub at: usize,
    pub what: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsupported pattern syntax at byte {} of {:?}: {}",
            self.at, self.pattern, self.what
        )
    }
}

#[derive(Debug, Clone)]
pub enum Node {
    /// One digit from the set (bit d = digit d).
    Class(u16),
    /// `$`.
    Eol,
    /// A group; `Some(n)` for capture group `n` (1-based).
    Group(Option<u8>, Box<Node>),
    Alt(Vec<Node>),
    Concat(Vec<Node>),
    Repeat(Box<Node>, u8, u8),
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    groups: u8,
    /// Whether `(…)` captures; without, it is `(?:…)` (patterns only asked whether they
    /// match).
    captures: bool,
}

impl Parser<'_> {
    fn err(&self, what: impl Into<String>) -> PatternError {
        PatternError {
            pattern: String::from_utf8_lossy(self.src).into_owned(),
            at: self.pos,
            what: what.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn alt(&mut self, depth: usize) -> Result<Node, PatternError> {
        if depth > 32 {
            return Err(self.err("groups nested too deeply"));
        }
        let mut alts = vec![self.concat(depth)?];
        while self.peek() == Some(b'|') {
            self.pos += 1;
            alts.push(self.concat(depth)?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().expect("one alternative")
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(&mut self, depth: usize) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == b'|' || c == b')' {
                break;
            }
            let atom = self.atom(depth)?;
            let atom = self.quantifier(atom)?;
            items.push(atom);
        }
        if items.is_empty() {
            return Err(self.err("empty alternative"));
        }
        Ok(Node::Concat(items))
    }

    fn atom(&mut self, depth: usize) -> Result<Node, PatternError> {
        let c = self.peek().ok_or_else(|| self.err("unexpected end"))?;
        self.pos += 1;
        match c {
            b'0'..=b'9' => Ok(Node::Class(1 << (c - b'0'))),
            b'\\' => match self.peek() {
                Some(b'd') => {
                    self.pos += 1;
                    Ok(Node::Class(ALL_DIGITS))
                }
                _ => Err(self.err("only the escape \\d is supported")),
            },
            b'[' => self.class(),
            b'$' => match self.peek() {
                None | Some(b'|' | b')') => Ok(Node::Eol),
                Some(_) => Err(self.err("$ only at the end of an alternative")),
            },
            b'(' => {
                let capture = if self.src[self.pos..].starts_with(b"?:") {
                    self.pos += 2;
                    None
                } else if self.peek() == Some(b'?') {
                    return Err(self.err("only (?:…) group extensions are supported"));
                } else if !self.captures {
                    None
                } else {
                    self.groups = self
                        .groups
                        .checked_add(1)
                        .filter(|&g| g <= 9)
                        .ok_or_else(|| self.err("more than 9 capture groups"))?;
                    Some(self.groups)
                };
                let inner = self.alt(depth + 1)?;
                if self.peek() != Some(b')') {
                    return Err(self.err("missing )"));
                }
                self.pos += 1;
                Ok(Node::Group(capture, Box::new(inner)))
            }
            // A literal that is no digit: valid, and it never matches the digit strings the
            // patterns are run on (a class of no digits).
            c if is_plain_literal(c) => Ok(Node::Class(0)),
            _ => {
                self.pos -= 1;
                Err(self.err(format!("unsupported character {:?}", c as char)))
            }
        }
    }

    fn class(&mut self) -> Result<Node, PatternError> {
        let mut mask = 0u16;
        if self.peek() == Some(b'^') {
            return Err(self.err("negated classes are not supported"));
        }
        loop {
            let c = self.peek().ok_or_else(|| self.err("missing ]"))?;
            self.pos += 1;
            match c {
                b']' if mask != 0 => return Ok(Node::Class(mask)),
                b'0'..=b'9' => {
                    if self.peek() == Some(b'-') && self.src.get(self.pos + 1) != Some(&b']') {
                        self.pos += 1;
                        let hi = self.peek().ok_or_else(|| self.err("missing ]"))?;
                        if !hi.is_ascii_digit() || hi < c {
                            return Err(self.err("bad range in class"));
                        }
                        self.pos += 1;
                        for d in c..=hi {
                            mask |= 1 << (d - b'0');
                        }
                    } else {
                        mask |= 1 << (c - b'0');
                    }
                }
                b'\\' if self.peek() == Some(b'd') => {
                    self.pos += 1;
                    mask |= ALL_DIGITS;
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.err("classes may hold only digits, ranges and \\d"));
                }
            }
        }
    }

    fn number(&mut self) -> Result<u8, PatternError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        std::str::from_utf8(&self.src[start..self.pos])
            .ok()
            .and_then(|s| s.parse::<u8>().ok())
            .ok_or_else(|| self.err("bad repeat count"))
    }

    fn quantifier(&mut self, atom: Node) -> Result<Node, PatternError> {
        let (min, max) = match self.peek() {
            Some(b'?') => {
                self.pos += 1;
                (0, 1)
            }
            Some(b'{') => {
                self.pos += 1;
                let min = self.number()?;
                let max = if self.peek() == Some(b',') {
                    self.pos += 1;
                    self.number()?
                } else {
                    min
                };
                if self.peek() != Some(b'}') || max < min || max == 0 {
                    return Err(self.err("bad {n,m} repeat"));
                }
                self.pos += 1;
                (min, max)
            }
            Some(b'*' | b'+') => return Err(self.err("unbounded repeats are not supported")),
            _ => return Ok(atom),
        };
        if matches!(self.peek(), Some(b'?' | b'+' | b'{' | b'*')) {
            return Err(self.err("lazy, possessive or stacked quantifiers are not supported"));
        }
        if matches!(atom, Node::Eol) {
            return Err(self.err("quantified $"));
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }
}

/// Whether `c` stands for itself in Java's (and Python's) regex syntax outside a class and
/// is no digit: ASCII letters and punctuation that is no metacharacter. Escapes, `.`, `^`,
/// `*`, `+` and the brackets stay errors.
fn is_plain_literal(c: u8) -> bool {
    c.is_ascii_alphabetic() || b"~!\"#%&',-/:;<=>@_`".contains(&c)
}

fn max_len(node: &Node) -> usize {
    match node {
        Node::Class(_) => 1,
        Node::Eol => 0,
        Node::Group(_, inner) => max_len(inner),
        Node::Alt(alts) => alts.iter().map(max_len).max().unwrap_or(0),
        Node::Concat(items) => items.iter().map(max_len).sum(),
        Node::Repeat(inner, _, max) => max_len(inner) * usize::from(*max),
    }
}

fn min_len(node: &Node) -> usize {
    match node {
        Node::Class(_) => 1,
        Node::Eol => 0,
        Node::Group(_, inner) => min_len(inner),
        Node::Alt(alts) => alts.iter().map(min_len).min().unwrap_or(0),
        Node::Concat(items) => items.iter().map(min_len).sum(),
        Node::Repeat(inner, min, _) => min_len(inner) * usize::from(*min),
    }
}

/// The digits a non-empty match can start with, and whether the empty string matches
/// (`$` counts as matching it: the mask only has to be a superset).
fn first_digits(node: &Node) -> (u16, bool) {
    match node {
        Node::Class(mask) => (*mask, false),
        Node::Eol => (0, true),
        Node::Group(_, inner) => first_digits(inner),
        Node::Alt(alts) => alts
            .iter()
            .map(first_digits)
            .fold((0, false), |(m, n), (am, an)| (m | am, n || an)),
        Node::Concat(items) => {
            let mut mask = 0;
            for item in items {
                let (m, nullable) = first_digits(item);
                mask |= m;
                if !nullable {
                    return (mask, false);
                }
            }
            (mask, true)
        }
        Node::Repeat(inner, min, max) => {
            let (m, nullable) = first_digits(inner);
            (if *max > 0 { m } else { 0 }, *min == 0 || nullable)
        }
    }
}

/// Whether the empty string matches without the help of `$`.
fn nullable_without_eol(node: &Node) -> bool {
    match node {
        Node::Class(_) | Node::Eol => false,
        Node::Group(_, inner) => nullable_without_eol(inner),
        Node::Alt(alts) => alts.iter().any(nullable_without_eol),
        Node::Concat(items) => items.iter().all(nullable_without_eol),
        Node::Repeat(inner, min, _) => *min == 0 || nullable_without_eol(inner),
    }
}

/// Whether every capture group takes at least one digit, so none is set by an empty match.
fn groups_take_digits(node: &Node) -> bool {
    match node {
        Node::Class(_) | Node::Eol => true,
        Node::Group(capture, inner) => {
            (capture.is_none() || min_len(inner) > 0) && groups_take_digits(inner)
        }
        Node::Alt(items) | Node::Concat(items) => items.iter().all(groups_take_digits),
        Node::Repeat(inner, _, _) => groups_take_digits(inner),
    }
}

/// Whether no alternative can match the empty string and no two can start with the same
/// digit: then the first digit alone picks the only alternative that may match.
fn first_digits_distinct(alts: &[Node]) -> bool {
    let mut seen = 0u16;
    for alt in alts {
        let (mask, nullable) = first_digits(alt);
        if nullable || mask & seen != 0 {
            return false;
        }
        seen |= mask;
    }
    true
}

/// A pattern compiled to bytecode, with its header.
pub struct Compiled {
    /// Header and code.
    pub bytes: Vec<u8>,
    /// Capture groups.
    pub groups: u8,
    /// Longest possible match.
    pub max_len: u8,
    /// Choice points (memoized states per position).
    pub choices: u8,
    /// Bound on the backtracking stack.
    pub stack: u8,
}

struct Emitter {
    choices: usize,
    pushers: usize,
    /// Whether alternations on distinct first digits become `SWITCH`es.
    switch: bool,
    /// Set when a distance or a choice number does not fit its field.
    too_big: bool,
}

impl Emitter {
    /// Appends a forward jump over `distance` bytes of code that will follow it: the short
    /// form of `ops` with a one-byte distance when it fits, else the long form.
    fn jump(&mut self, out: &mut Vec<u8>, ops: (u8, u8), distance: usize, choice: Option<u8>) {
        let short = usize::from(u8::MAX - op::JMP_SHORT);
        if ops.0 == op::JMP && distance <= short {
            out.push(op::JMP_SHORT + distance as u8);
        } else if let Ok(d) = u8::try_from(distance) {
            out.extend_from_slice(&[ops.0, d]);
        } else {
            let d = u16::try_from(distance).unwrap_or_else(|_| {
                self.too_big = true;
                0
            });
            out.push(ops.1);
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.extend(choice);
    }

    fn choice(&mut self) -> u8 {
        let c = u8::try_from(self.choices).unwrap_or_else(|_| {
            self.too_big = true;
            0
        });
        self.choices += 1;
        self.pushers += 1;
        c
    }

    /// `SPLIT` over `skipped` bytes: try what follows, then continue after it.
    fn split(&mut self, out: &mut Vec<u8>, skipped: usize) {
        let c = self.choice();
        self.jump(out, (op::SPLIT, op::SPLIT16), skipped, Some(c));
    }

    /// Code for `node`. Jumps are relative and forward, so code is built inside out: the
    /// length of what a jump skips is known when the jump is written.
    fn emit(&mut self, node: &Node) -> Vec<u8> {
        match node {
            Node::Class(mask) => self.class(*mask, 1, 1),
            Node::Eol => vec![op::EOL],
            Node::Group(capture, inner) => {
                let body = self.emit(inner);
                match capture {
                    Some(g) => {
                        self.pushers += 2;
                        let mut out = vec![op::SAVE, 2 * g];
                        out.extend(body);
                        out.extend_from_slice(&[op::SAVE, 2 * g + 1]);
                        out
                    }
                    None => body,
                }
            }
            Node::Concat(items) => items.iter().flat_map(|n| self.emit(n)).collect(),
            Node::Alt(alts) if self.switch && alts.len() >= 3 && first_digits_distinct(alts) => {
                self.switch_over(alts)
            }
            Node::Alt(alts) => {
                // a|b|c  =>  SPLIT→L1 a JMP→end L1: SPLIT→L2 b JMP→end L2: c end:
                let codes: Vec<Vec<u8>> = alts.iter().map(|a| self.emit(a)).collect();
                let mut tail = codes.last().cloned().unwrap_or_default();
                for code in codes.iter().rev().skip(1) {
                    let mut body = code.clone();
                    self.jump(&mut body, (op::JMP, op::JMP16), tail.len(), None);
                    let mut block = Vec::new();
                    self.split(&mut block, body.len());
                    block.extend(body);
                    block.extend(tail);
                    tail = block;
                }
                tail
            }
            Node::Repeat(inner, min, max) => {
                if let Node::Class(mask) = **inner {
                    return self.class(mask, *min, *max);
                }
                let mut out = Vec::new();
                for _ in 0..*min {
                    out.extend(self.emit(inner));
                }
                // Greedy X{0,k} is (?:X(?:X(?:…)?)?)?: each copy is tried before skipping.
                let mut optional = Vec::new();
                for _ in *min..*max {
                    let mut block = Vec::new();
                    let body = self.emit(inner);
                    self.split(&mut block, body.len() + optional.len());
                    block.extend(body);
                    block.extend(optional);
                    optional = block;
                }
                out.extend(optional);
                out
            }
        }
    }

    /// `SWITCH` on the first digit, then the alternatives, each but the last followed by a
    /// jump to the end.
    fn switch_over(&mut self, alts: &[Node]) -> Vec<u8> {
        let codes: Vec<Vec<u8>> = alts.iter().map(|a| self.emit(a)).collect();
        // Built from the back, as jumps need the length of what they skip.
        let mut tail = codes.last().cloned().unwrap_or_default();
        let mut lengths = vec![tail.len()];
        for code in codes.iter().rev().skip(1) {
            let mut body = code.clone();
            self.jump(&mut body, (op::JMP, op::JMP16), tail.len(), None);
            lengths.push(body.len());
            body.extend(tail);
            tail = body;
        }
        lengths.reverse();
        let mut starts = Vec::with_capacity(alts.len());
        let mut at = 0usize;
        for len in &lengths {
            starts.push(at);
            at += len;
        }
        let targets: Vec<Option<usize>> = (0..10)
            .map(|digit| {
                let i = alts
                    .iter()
                    .position(|a| first_digits(a).0 & (1 << digit) != 0)?;
                Some(starts[i])
            })
            .collect();
        // One-byte entries when every target fits below the "fail" value.
        let short = targets.iter().flatten().all(|&t| t < usize::from(u8::MAX));
        let mut out = vec![if short { op::SWITCH8 } else { op::SWITCH }];
        for target in targets {
            if short {
                out.push(target.map_or(u8::MAX, |t| t as u8));
                continue;
            }
            let target = match target {
                None => u16::MAX,
                Some(t) => u16::try_from(t)
                    .ok()
                    .filter(|&t| t < u16::MAX)
                    .unwrap_or_else(|| {
                        self.too_big = true;
                        0
                    }),
            };
            out.extend_from_slice(&target.to_le_bytes());
        }
        out.extend(tail);
        out
    }

    fn class(&mut self, mask: u16, min: u8, max: u8) -> Vec<u8> {
        let [lo, hi] = mask.to_le_bytes();
        let any = mask == ALL_DIGITS;
        if min == 1 && max == 1 {
            if any {
                vec![op::ANY]
            } else if mask.is_power_of_two() {
                vec![mask.trailing_zeros() as u8]
            } else {
                vec![op::CLASS, lo, hi]
            }
        } else if min == max {
            if any {
                vec![op::FIX_ANY, min]
            } else {
                vec![op::FIX_CLASS, lo, hi, min]
            }
        } else {
            let c = self.choice();
            if any {
                vec![op::REP_ANY, min, max, c]
            } else {
                vec![op::REP_CLASS, lo, hi, min, max, c]
            }
        }
    }
}

/// Parses and compiles one pattern (whitespace already stripped).
pub fn compile(pattern: &str) -> Result<Compiled, PatternError> {
    compile_with(pattern, true)
}

/// [`compile`] with every group non-capturing, for patterns whose captures nobody reads (the
/// number types'): they need no capture slots, and alternations on distinct first digits
/// compile to `SWITCH` (which only the matcher of the `validate` feature runs). What
/// matches, and where a prefix match ends, is the same.
#[allow(dead_code)]
pub fn compile_plain(pattern: &str) -> Result<Compiled, PatternError> {
    compile_with(pattern, false)
}

/// Checks that a `numberFormat` pattern is a sequence without alternatives and with at most
/// one repeat of variable length, none of them inside a repeated group, and that it never
/// matches the empty string.
///
/// Formatting replaces every match of the pattern in the national number (libphonenumber's
/// `replaceAll`), after checking that the whole number matches. For such a pattern every
/// match at the start differs from the others only in the count of its one variable repeat,
/// which greedy matching tries from the largest down; counts that run past the input fail,
/// so the first match found is the whole number, and no second, empty match follows it. The
/// runtime therefore writes the format once, from the groups of the full match, and the
/// length of what it writes has a bound the generator can state.
#[allow(dead_code)]
pub fn check_format_pattern(pattern: &str) -> Result<(), PatternError> {
    let (node, parser) = parse_whole(pattern, true)?;
    let refuse = |what: &str| PatternError {
        pattern: pattern.to_owned(),
        at: 0,
        what: what.to_owned(),
    };
    /// Variable-length repeats in `node`; `None` for a shape the check refuses.
    fn variable(node: &Node) -> Option<usize> {
        match node {
            Node::Class(_) | Node::Eol => Some(0),
            Node::Group(_, inner) => variable(inner),
            Node::Alt(_) => None,
            Node::Concat(items) => items.iter().map(variable).sum(),
            Node::Repeat(inner, min, max) => match **inner {
                Node::Class(_) => Some(usize::from(min < max)),
                _ if min == max && variable(inner) == Some(0) && groups_in(inner) == 0 => Some(0),
                _ => None,
            },
        }
    }
    fn groups_in(node: &Node) -> usize {
        match node {
            Node::Class(_) | Node::Eol => 0,
            Node::Group(capture, inner) => usize::from(capture.is_some()) + groups_in(inner),
            Node::Alt(items) | Node::Concat(items) => items.iter().map(groups_in).sum(),
            Node::Repeat(inner, _, _) => groups_in(inner),
        }
    }
    match variable(&node) {
        Some(0 | 1) => {}
        Some(_) => return Err(refuse("more than one repeat of variable length")),
        None => {
            return Err(refuse(
                "an alternative, or a variable or capturing repeated group",
            ))
        }
    }
    if min_len(&node) == 0 {
        return Err(refuse("it matches the empty string"));
    }
    if parser.groups == 0 {
        return Err(refuse("no capture group"));
    }
    Ok(())
}

/// The syntax tree of a pattern, every group non-capturing (for `src/metadata`'s digit
/// automata, built by `xtask/src/dfa.rs`).
#[allow(dead_code)]
pub fn parse_plain(pattern: &str) -> Result<Node, PatternError> {
    parse_whole(pattern, false).map(|(node, _)| node)
}

/// The tree of the whole of `pattern` (`captures`: whether `(…)` captures), and the parser
/// that read it (its group count, and its position for errors).
fn parse_whole(pattern: &str, captures: bool) -> Result<(Node, Parser<'_>), PatternError> {
    let mut parser = Parser {
        src: pattern.as_bytes(),
        pos: 0,
        groups: 0,
        captures,
    };
    let node = parser.alt(0)?;
    if parser.pos != parser.src.len() {
        return Err(parser.err("unbalanced )"));
    }
    Ok((node, parser))
}

fn compile_with(pattern: &str, captures: bool) -> Result<Compiled, PatternError> {
    let (node, parser) = parse_whole(pattern, captures)?;
    let max = max_len(&node);
    let max_len = u8::try_from(max)
        .ok()
        .filter(|&m| m < u8::MAX)
        .ok_or_else(|| parser.err(format!("matches up to {max} digits, too long")))?;
    let mut em = Emitter {
        choices: 0,
        pushers: 0,
        switch: !captures,
        too_big: false,
    };
    let mut code = em.emit(&node);
    code.push(op::MATCH);
    let too_big = |what: &str| PatternError {
        pattern: pattern.to_owned(),
        at: 0,
        what: format!("too many {what} for the matcher's fixed buffers"),
    };
    if em.too_big || code.len() > usize::from(u16::MAX) {
        return Err(too_big("bytes of code or choice points"));
    }
    let choices = u8::try_from(em.choices).map_err(|_| too_big("choice points"))?;
    let stack = u8::try_from(em.pushers).map_err(|_| too_big("stack frames"))?;
    // Not above `max_len`, so it fits a byte.
    let min_len = u8::try_from(min_len(&node).min(max)).unwrap_or(max_len);
    let (first, nullable) = first_digits(&node);
    let [first_lo, first_hi] = first.to_le_bytes();
    let first_hi = first_hi | if nullable { NULLABLE } else { 0 };
    let plain = nullable_without_eol(&node) && groups_take_digits(&node);
    let first_hi = first_hi | if plain { EMPTY_PLAIN } else { 0 };
    let mut bytes = vec![max_len, parser.groups, min_len, first_lo, first_hi, stack];
    bytes.extend_from_slice(&code);
    Ok(Compiled {
        bytes,
        groups: parser.groups,
        max_len,
        choices,
        stack,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unsupported_syntax() {
        let bad = [
            "\\w", "[^1]", "1*", "1+", "1??", "(?=1)", "(1", "1)", "1{2,}", "[]", "1|", "()", "$1",
            "1$?", "(?:1|)", ".", "1{0}", "[9-1]", "",
        ];
        for bad in bad {
            assert!(compile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_literal_that_is_no_digit_never_matches() {
        // AO in libphonenumber's test metadata: `nationalPrefix="0~0"`.
        let c = compile("0~0").unwrap();
        // Shortest match 3 digits, but no digit can follow the `0`: the code holds a class
        // of no digits, and the first-digit mask is still the `0` that starts it.
        assert_eq!(&c.bytes[2..5], &[3, 0b1, 0]);
        assert_eq!(&c.bytes[HEADER_LEN..], &[0, op::CLASS, 0, 0, 0, op::MATCH]);
        // Optional, it leaves the rest of the pattern free to match.
        let c = compile("(?:a)?5").unwrap();
        assert_eq!(&c.bytes[2..5], &[1, 0b10_0000, 0]);
        for bad in ["\\~", "[~]", "^", "*", "~*", "]", "}"] {
            assert!(compile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn computes_max_len_and_groups() {
        let c = compile("0?(?:(1)|2(3)\\d{2,4})$").unwrap();
        assert_eq!((c.max_len, c.groups), (7, 2));
        // Shortest match 1 ("1"), first digits 0, 1, 2, not nullable.
        assert_eq!(&c.bytes[2..5], &[1, 0b111, 0]);
    }

    #[test]
    fn first_digits_and_nullability() {
        let c = compile("(?:1[2-4])?5|\\d{0,2}").unwrap();
        assert_eq!(c.bytes[2], 0);
        assert_eq!(
            u16::from_le_bytes([c.bytes[3], c.bytes[4] & !(NULLABLE | EMPTY_PLAIN)]),
            0x3FF
        );
        assert_ne!(c.bytes[4] & NULLABLE, 0);
        let c = compile("(?:1[2-4])?5").unwrap();
        assert_eq!(&c.bytes[2..5], &[1, 0b10_0010, 0]);
        let c = compile("8[89]\\d{2}").unwrap();
        assert_eq!(&c.bytes[2..5], &[4, 0, 0b1]);
    }

    #[test]
    fn plain_empty_matches() {
        let flag = |p: &str| compile(p).unwrap().bytes[4] & EMPTY_PLAIN != 0;
        assert!(flag("0?(?:(11|2[2-4])15)?"));
        assert!(flag("(?:1[2-4])?5|\\d{0,2}"));
        // Not nullable; nullable only through `$`; a group that can match empty.
        assert!(!flag("0|180020"));
        assert!(!flag("1|$"));
        assert!(!flag("0?(\\d{0,2})"));
        assert!(!flag("(1?)5?"));
    }

    #[test]
    fn format_patterns_have_one_variable_repeat_at_most() {
        for good in [
            "(\\d{3})(\\d{3,4})",
            "([89]\\d)(\\d{3})",
            "(\\d)(?:\\d{2}){2}(\\d{2,5})",
        ] {
            assert!(check_format_pattern(good).is_ok(), "{good}");
        }
        for bad in [
            "(\\d{2,3})(\\d{3,4})",
            "(\\d{3}|\\d{4})",
            "(\\d{3})(\\d)?",
            "(?:(\\d{2})){2}",
            "(?:\\d{2}){1,2}(\\d)",
            "\\d{3}",
            "(1|2)",
        ] {
            assert!(check_format_pattern(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_compilation_drops_captures_only() {
        let with = compile("6(0\\d|10)\\d{7}").unwrap();
        let plain = compile_plain("6(0\\d|10)\\d{7}").unwrap();
        assert_eq!((with.groups, plain.groups), (1, 0));
        assert_eq!(plain.bytes, compile("6(?:0\\d|10)\\d{7}").unwrap().bytes);
    }
}
