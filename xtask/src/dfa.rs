//! Digit automata for the `validate` feature: one deterministic automaton per territory that
//! reads a national number once and says which of its patterns (the general description and
//! each number type, each with its possible lengths) match the whole of it; the generator
//! then labels each state with the number type those matches make, so that the library reads
//! the answer off the state the number ends in.
//!
//! The patterns are the matcher's subset (`pattern.rs`): digit classes, groups, alternation and
//! bounded repeats, no `$` (none of libphonenumber's `nationalNumberPattern`s has one; the
//! builder refuses it). Whether such a pattern matches a whole digit string is a question about
//! its language alone, which a deterministic automaton answers exactly; the greedy order the
//! backtracking matcher follows only decides *where* a partial match ends, which a whole match
//! does not ask.
//!
//! Built as a Thompson automaton, made deterministic by the subset construction over the ten
//! digits, and minimized (Moore's partition refinement). State 0 is the dead state, state 1
//! the start.

use std::collections::{BTreeMap, HashMap};

use crate::pattern::{parse_plain, Node, PatternError};

/// The dead state: every digit stays there and nothing accepts.
pub const DEAD: u16 = 0;
/// The start state.
pub const START: u16 = 1;

/// A deterministic automaton over the digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dfa {
    /// The state after each digit, for each state.
    pub next: Vec<[u16; 10]>,
    /// Each state's label: from [`build`], bit `i` set when pattern `i` matches the whole
    /// input read so far; after [`Dfa::relabel`], whatever the caller made of that.
    pub accept: Vec<u16>,
}

/// A nondeterministic automaton with empty moves.
#[derive(Default)]
struct Nfa {
    /// A state's digit move: the digits' mask and the target.
    step: Vec<Option<(u16, usize)>>,
    /// A state's empty moves.
    empty: Vec<Vec<usize>>,
    /// The patterns a state ends.
    ends: Vec<u16>,
}

impl Nfa {
    fn state(&mut self) -> usize {
        self.step.push(None);
        self.empty.push(Vec::new());
        self.ends.push(0);
        self.step.len() - 1
    }

    /// The fragment of `node`: its start and end states.
    fn fragment(&mut self, node: &Node, pattern: &str) -> Result<(usize, usize), PatternError> {
        Ok(match node {
            Node::Class(mask) => {
                let (a, b) = (self.state(), self.state());
                self.step[a] = Some((*mask, b));
                (a, b)
            }
            Node::Eol => {
                return Err(PatternError {
                    pattern: pattern.to_owned(),
                    at: 0,
                    what: "`$` in a number type's pattern".to_owned(),
                })
            }
            Node::Group(_, inner) => self.fragment(inner, pattern)?,
            Node::Alt(alternatives) => {
                let (a, b) = (self.state(), self.state());
                for alternative in alternatives {
                    let (s, e) = self.fragment(alternative, pattern)?;
                    self.empty[a].push(s);
                    self.empty[e].push(b);
                }
                (a, b)
            }
            Node::Concat(parts) => {
                let a = self.state();
                let mut end = a;
                for part in parts {
                    let (s, e) = self.fragment(part, pattern)?;
                    self.empty[end].push(s);
                    end = e;
                }
                (a, end)
            }
            // `x{min,max}`: `min` copies, then `max - min` copies each of which may be
            // skipped (`(x?){k}` is the language of `x{0,k}`).
            Node::Repeat(inner, min, max) => {
                let a = self.state();
                let mut end = a;
                for i in 0..*max {
                    let (s, e) = self.fragment(inner, pattern)?;
                    self.empty[end].push(s);
                    if i >= *min {
                        self.empty[end].push(e);
                    }
                    end = e;
                }
                (a, end)
            }
        })
    }

    /// `states` with every state reachable by empty moves, sorted.
    fn closure(&self, states: &mut Vec<usize>) {
        let mut seen = vec![false; self.step.len()];
        let mut todo: Vec<usize> = std::mem::take(states);
        while let Some(s) = todo.pop() {
            if !seen[s] {
                seen[s] = true;
                states.push(s);
                todo.extend(self.empty[s].iter().copied());
            }
        }
        states.sort_unstable();
    }
}

/// The automaton of `patterns`, each with the mask of the lengths it may match (bit `n` for
/// `n` digits; 0 for any): bit `i` of a state's accept mask for `patterns[i]` (a `None`
/// pattern matches nothing). At most 16 patterns; fails past `max_states` states.
pub fn build(patterns: &[(Option<&str>, u32)], max_states: usize) -> Result<Dfa, String> {
    assert!(patterns.len() <= 16, "at most 16 patterns per automaton");
    let mut nfa = Nfa::default();
    let start = nfa.state();
    for (i, (pattern, _)) in patterns.iter().enumerate() {
        let Some(pattern) = pattern else { continue };
        let node = parse_plain(pattern).map_err(|e| e.to_string())?;
        let (s, e) = nfa.fragment(&node, pattern).map_err(|e| e.to_string())?;
        nfa.empty[start].push(s);
        nfa.ends[e] |= 1 << i;
    }
    // Subset construction, each subset with the digits read so far (capped: no length mask
    // names 31 or more), so that a state knows which lengths it stands for. The empty set is
    // the dead state, whatever the count.
    let mut first = vec![start];
    nfa.closure(&mut first);
    let dead = (Vec::new(), 0);
    let mut index: HashMap<(Vec<usize>, usize), u16> = HashMap::new();
    let mut sets: Vec<(Vec<usize>, usize)> = vec![dead.clone(), (first.clone(), 0)];
    index.insert(dead, DEAD);
    index.insert((first, 0), START);
    let mut next = vec![[DEAD; 10], [DEAD; 10]];
    let mut at = 1;
    while at < sets.len() {
        for digit in 0..10 {
            let mut target: Vec<usize> = sets[at]
                .0
                .iter()
                .filter_map(|&s| nfa.step[s])
                .filter(|&(mask, _)| mask & (1 << digit) != 0)
                .map(|(_, t)| t)
                .collect();
            nfa.closure(&mut target);
            let key = if target.is_empty() {
                (target, 0)
            } else {
                (target, (sets[at].1 + 1).min(31))
            };
            let id = match index.get(&key) {
                Some(&id) => id,
                None => {
                    if sets.len() >= max_states {
                        return Err(format!("more than {max_states} states"));
                    }
                    let id = u16::try_from(sets.len()).map_err(|_| "too many states")?;
                    index.insert(key.clone(), id);
                    sets.push(key);
                    next.push([DEAD; 10]);
                    id
                }
            };
            next[at][digit] = id;
        }
        at += 1;
    }
    let accept = sets
        .iter()
        .map(|(set, len)| {
            let ends = set.iter().fold(0, |m, &s| m | nfa.ends[s]);
            (0..patterns.len()).fold(0, |m, i| {
                let lengths = patterns[i].1;
                let length_ok = lengths == 0 || lengths & (1 << len) != 0;
                if ends & (1 << i) != 0 && length_ok {
                    m | (1 << i)
                } else {
                    m
                }
            })
        })
        .collect();
    Ok(minimize(&Dfa { next, accept }))
}

impl Dfa {
    /// The same automaton with each state's label replaced by `f` of it, minimized again
    /// (states whose labels become equal may merge).
    pub fn relabel(&self, f: impl Fn(u16) -> u16) -> Dfa {
        minimize(&Dfa {
            next: self.next.clone(),
            accept: self.accept.iter().map(|&a| f(a)).collect(),
        })
    }
}

/// The smallest automaton with the same answers (Moore's refinement: states stay together
/// while their accept masks and the blocks of their successors agree), dead and start
/// states first, the rest in the order a breadth-first walk from the start reaches them.
fn minimize(dfa: &Dfa) -> Dfa {
    let n = dfa.next.len();
    let mut block: Vec<usize> = {
        let mut ids = BTreeMap::new();
        dfa.accept
            .iter()
            .map(|&a| {
                let len = ids.len();
                *ids.entry(a).or_insert(len)
            })
            .collect()
    };
    loop {
        let mut ids = HashMap::new();
        let refined: Vec<usize> = (0..n)
            .map(|s| {
                let key = (block[s], dfa.next[s].map(|t| block[usize::from(t)]));
                let len = ids.len();
                *ids.entry(key).or_insert(len)
            })
            .collect();
        let stable = ids.len() == block.iter().max().map_or(0, |m| m + 1);
        block = refined;
        if stable {
            break;
        }
    }
    // Renumber: the dead state's block 0, the start's block 1, then breadth first.
    let mut new_id: HashMap<usize, u16> = HashMap::new();
    let mut order = vec![0usize, 1];
    new_id.insert(block[0], DEAD);
    if block[1] != block[0] {
        new_id.insert(block[1], START);
    }
    let mut at = 1;
    while at < order.len() {
        for &t in &dfa.next[order[at]] {
            let t = usize::from(t);
            if let std::collections::hash_map::Entry::Vacant(e) = new_id.entry(block[t]) {
                e.insert(order.len() as u16);
                order.push(t);
            }
        }
        at += 1;
    }
    let id = |s: usize| new_id[&block[s]];
    Dfa {
        next: order
            .iter()
            .map(|&s| dfa.next[s].map(|t| id(usize::from(t))))
            .collect(),
        accept: order.iter().map(|&s| dfa.accept[s]).collect(),
    }
}

impl Dfa {
    /// For each state, how many digits it takes, whatever they are, through states where
    /// every digit leads to the same next state (the tail of a pattern, `\d{6}`), short of
    /// the dead state, and the state they lead to: `(0, DEAD)` where the next digit decides
    /// (and for the dead state). At most 255 digits.
    pub fn skips(&self) -> Vec<(u8, u16)> {
        let uniform = |s: usize| {
            let next = self.next[s][0];
            (next != DEAD && self.next[s].iter().all(|&t| t == next)).then_some(next)
        };
        (0..self.next.len())
            .map(|s| {
                let (mut count, mut at) = (0u8, s);
                while let Some(next) = uniform(at).filter(|_| count < u8::MAX) {
                    count += 1;
                    at = usize::from(next);
                    // Patterns have bounded length, so no cycle short of the dead state; this
                    // only guards the generator.
                    if at == s {
                        break;
                    }
                }
                if count == 0 {
                    (0, DEAD)
                } else {
                    (count, at as u16)
                }
            })
            .collect()
    }

    /// The accept mask after reading `digits` (ASCII) from the start.
    #[cfg(test)]
    pub fn run(&self, digits: &[u8]) -> u16 {
        let mut s = START;
        for &d in digits {
            s = self.next[usize::from(s)][usize::from(d - b'0')];
        }
        self.accept[usize::from(s)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_matches_of_each_pattern() {
        let dfa = build(
            &[
                (Some("[2-9]\\d{2}"), 0),
                (None, 0),
                (Some("(?:800|9\\d)\\d?"), 0),
            ],
            1000,
        )
        .unwrap();
        assert_eq!(dfa.run(b"234"), 0b001);
        assert_eq!(dfa.run(b"800"), 0b101);
        assert_eq!(dfa.run(b"8001"), 0b100);
        assert_eq!(dfa.run(b"91"), 0b100);
        assert_eq!(dfa.run(b"912"), 0b101);
        assert_eq!(dfa.run(b"1"), 0);
        assert_eq!(dfa.run(b"23"), 0);
        assert_eq!(dfa.run(b""), 0);
        assert_eq!(dfa.next[0], [DEAD; 10]);
    }

    #[test]
    fn minimizing_merges_equal_states() {
        // `1\d|2\d` is `[12]\d`: start, one middle state, the accepting one, dead.
        let dfa = build(&[(Some("1\\d|2\\d"), 0)], 100).unwrap();
        assert_eq!(dfa.next.len(), 4);
        assert_eq!(dfa, build(&[(Some("[12]\\d"), 0)], 100).unwrap());
    }

    #[test]
    fn lengths_limit_each_pattern() {
        // Pattern 0 of 2 or 4 digits, but only 4 allowed; pattern 1 any length.
        let dfa = build(
            &[(Some("\\d{2}(?:\\d{2})?"), 1 << 4), (Some("\\d{2}"), 0)],
            100,
        )
        .unwrap();
        assert_eq!(dfa.run(b"12"), 0b10);
        assert_eq!(dfa.run(b"1234"), 0b01);
        assert_eq!(dfa.run(b"123"), 0);
    }

    #[test]
    fn relabelling_merges_states_with_equal_labels() {
        let dfa = build(&[(Some("1\\d"), 0), (Some("2\\d"), 0)], 100).unwrap();
        assert_eq!(dfa.run(b"15"), 0b01);
        assert_eq!(dfa.run(b"25"), 0b10);
        let merged = dfa.relabel(|mask| u16::from(mask != 0));
        assert!(merged.next.len() < dfa.next.len());
        assert_eq!(
            (merged.run(b"15"), merged.run(b"25"), merged.run(b"35")),
            (1, 1, 0)
        );
    }

    #[test]
    fn skips_cross_the_digits_any_digit_takes() {
        // After `1`, any three digits lead to the accepting state; after `2`, the next digit
        // decides.
        let dfa = build(&[(Some("1\\d{3}|2[05]\\d"), 0)], 100).unwrap();
        let skips = dfa.skips();
        let after_1 = usize::from(dfa.next[usize::from(START)][1]);
        let after_2 = usize::from(dfa.next[usize::from(START)][2]);
        let end = dfa.next[usize::from(dfa.next[usize::from(dfa.next[after_1][4])][4])][4];
        assert_eq!(skips[after_1], (3, end));
        assert_eq!(skips[after_2], (0, DEAD));
        assert_eq!(skips[usize::from(DEAD)], (0, DEAD));
        assert_eq!(skips[usize::from(START)], (0, DEAD));
    }

    #[test]
    fn dollar_and_oversize_are_refused() {
        assert!(build(&[(Some("1$"), 0)], 100).is_err());
        assert!(build(&[(Some("\\d{1,30}"), 0)], 8).is_err());
    }
}
