//! The parser's fixed-size working storage: no allocation, and every bound follows from the
//! 250-character input limit libphonenumber applies before anything else.

/// libphonenumber reads at most this many characters (code points); longer input is refused.
pub(super) const MAX_INPUT_CHARS: usize = 250;

/// Capacity of a digit buffer: any normalization of at most 250 characters fits, and so does
/// a national prefix transformation of it (a few literal digits replace at least one digit).
pub(super) const DIGITS_CAPACITY: usize = 256;

/// Up to [`MAX_INPUT_CHARS`] characters, held as `char`s so patterns can step both ways.
#[derive(Clone, Copy)]
pub(super) struct Text {
    chars: [char; MAX_INPUT_CHARS],
    len: usize,
}

impl Text {
    pub(super) const fn new() -> Text {
        Text {
            chars: ['\0'; MAX_INPUT_CHARS],
            len: 0,
        }
    }

    /// Appends characters; refuses (returning `false`, keeping what fit) past the capacity.
    pub(super) fn extend<I: IntoIterator<Item = char>>(&mut self, chars: I) -> bool {
        for c in chars {
            match self.chars.get_mut(self.len) {
                Some(slot) => {
                    *slot = c;
                    self.len += 1;
                }
                None => return false,
            }
        }
        true
    }

    pub(super) fn as_slice(&self) -> &[char] {
        self.chars.get(..self.len).unwrap_or(&[])
    }

    /// Keeps the first `len` characters.
    pub(super) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// ASCII digits produced by normalization, at most `N` of them.
#[derive(Clone, Copy)]
pub(super) struct Digits<const N: usize = DIGITS_CAPACITY> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Digits<N> {
    pub(super) const fn new() -> Digits<N> {
        Digits {
            bytes: [0; N],
            len: 0,
        }
    }

    /// Empties the buffer.
    pub(super) fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends one byte; `false` when full.
    pub(super) fn push(&mut self, byte: u8) -> bool {
        match self.bytes.get_mut(self.len) {
            Some(slot) => {
                *slot = byte;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// Appends bytes; `false` if they did not all fit.
    pub(super) fn extend(&mut self, bytes: &[u8]) -> bool {
        bytes.iter().all(|&b| self.push(b))
    }

    pub(super) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// A set of positions `0..=MAX_INPUT_CHARS` in a [`Text`]: the state of a pattern being run
/// as a set of simultaneous threads, so matching never backtracks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Positions([u64; 4]);

impl Positions {
    pub(super) const fn empty() -> Positions {
        Positions([0; 4])
    }

    /// Adds `pos`; positions beyond the capacity are ignored (they cannot occur).
    pub(super) fn insert(&mut self, pos: usize) {
        if let Some(word) = self.0.get_mut(pos / 64) {
            *word |= 1 << (pos % 64);
        }
    }

    /// Adds every position from `lo` to `hi`, both included (none when `lo > hi`).
    pub(super) fn insert_range(&mut self, lo: usize, hi: usize) {
        for (i, word) in self.0.iter_mut().enumerate() {
            let (first, last) = (i * 64, i * 64 + 63);
            if hi < first || lo > last || lo > hi {
                continue;
            }
            let from = lo.max(first) - first;
            let to = hi.min(last) - first;
            // Bits `from..=to` of this word.
            *word |= (u64::MAX >> (63 - to)) & (u64::MAX << from);
        }
    }

    pub(super) fn contains(&self, pos: usize) -> bool {
        self.0
            .get(pos / 64)
            .is_some_and(|word| word & (1 << (pos % 64)) != 0)
    }

    /// Adds every position of `other`.
    #[cfg(test)]
    pub(super) fn union_with(&mut self, other: &Positions) {
        for (word, more) in self.0.iter_mut().zip(other.0) {
            *word |= more;
        }
    }

    /// The positions `q` from which a run of 1 to `max` positions of `class`, starting at `q`,
    /// ends at a position of this set: `q..q + k` all in `class` and `q + k` in `self`.
    #[cfg(test)]
    pub(super) fn reach_back(&self, class: &Positions, max: usize) -> Positions {
        let mut out = Positions::empty();
        let mut frontier = *self;
        for _ in 0..max {
            frontier = frontier.back_one();
            for ((f, c), o) in frontier.0.iter_mut().zip(class.0).zip(out.0) {
                // Positions already reached were walked on from when first reached.
                *f &= c & !o;
            }
            if frontier.is_empty() {
                break;
            }
            out.union_with(&frontier);
        }
        out
    }

    /// Every position one before a position of the set.
    #[cfg(test)]
    fn back_one(&self) -> Positions {
        let w = self.0;
        Positions([
            (w[0] >> 1) | (w[1] << 63),
            (w[1] >> 1) | (w[2] << 63),
            (w[2] >> 1) | (w[3] << 63),
            w[3] >> 1,
        ])
    }

    /// Whether the set has no position.
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }

    /// The positions in the set, largest first.
    #[cfg(test)]
    pub(super) fn iter_desc(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().rev().flat_map(|(i, &word)| {
            let mut rest = word;
            core::iter::from_fn(move || {
                let bit = 63usize.checked_sub(rest.leading_zeros() as usize)?;
                rest &= !(1u64 << bit);
                Some(i * 64 + bit)
            })
        })
    }

    /// The smallest position in the set.
    pub(super) fn first(&self) -> Option<usize> {
        self.0
            .iter()
            .enumerate()
            .find(|(_, &word)| word != 0)
            .map(|(i, word)| i * 64 + word.trailing_zeros() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_refuses_past_capacity() {
        let mut t = Text::new();
        assert!(t.extend("ab".chars()));
        assert!(!t.extend(core::iter::repeat_n('x', MAX_INPUT_CHARS)));
        assert_eq!(t.as_slice().len(), MAX_INPUT_CHARS);
    }

    #[test]
    fn digits_refuse_past_capacity() {
        let mut d = Digits::<DIGITS_CAPACITY>::new();
        assert!(d.extend(&[b'1'; DIGITS_CAPACITY]));
        assert!(!d.push(b'2'));
        assert_eq!(d.as_slice().len(), DIGITS_CAPACITY);
    }

    #[test]
    fn positions() {
        let mut p = Positions::empty();
        assert_eq!(p.first(), None);
        p.insert(250);
        p.insert(70);
        p.insert(10_000);
        assert!(p.contains(70) && p.contains(250) && !p.contains(71));
        assert!(!p.contains(10_000));
        assert_eq!(p.first(), Some(70));
        assert!(!p.is_empty() && Positions::empty().is_empty());
        p.insert(0);
        p.insert(63);
        p.insert(64);
        let all: std::vec::Vec<usize> = p.iter_desc().collect();
        assert_eq!(all, [250, 70, 64, 63, 0]);
    }

    #[test]
    fn insert_range_crosses_words() {
        for (lo, hi) in [
            (0, 0),
            (3, 70),
            (63, 64),
            (0, 255),
            (128, 191),
            (200, 250),
            (5, 4),
        ] {
            let mut p = Positions::empty();
            p.insert_range(lo, hi);
            let want: std::vec::Vec<usize> = (lo..=hi).rev().collect();
            assert_eq!(
                p.iter_desc().collect::<std::vec::Vec<_>>(),
                want,
                "{lo}..={hi}"
            );
        }
    }

    #[test]
    fn reach_back_crosses_words_and_stops_at_the_limit() {
        let set = |items: &[usize]| {
            let mut p = Positions::empty();
            items.iter().for_each(|&q| p.insert(q));
            p
        };
        let listed = |p: Positions| p.iter_desc().collect::<std::vec::Vec<usize>>();
        // A run of the class over positions 60..=200 (both word edges, 64 and 128, inside).
        let class = set(&(60..=200).collect::<std::vec::Vec<usize>>());
        let from = set(&[201]);
        assert_eq!(
            listed(from.reach_back(&class, usize::MAX)),
            (60..=200).rev().collect::<std::vec::Vec<usize>>()
        );
        assert_eq!(listed(from.reach_back(&class, 3)), [200, 199, 198]);
        assert_eq!(listed(set(&[129]).reach_back(&class, 2)), [128, 127]);
        assert_eq!(listed(set(&[65]).reach_back(&class, 2)), [64, 63]);
        // Outside the class nothing is reached.
        assert!(set(&[60]).reach_back(&class, usize::MAX).is_empty());
    }
}
