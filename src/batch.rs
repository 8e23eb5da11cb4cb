//! Many inputs in one call: normalize, pseudonymize or tokenize a slice of written numbers.
//!
//! Each function takes the inputs, the region they were written in, and a caller-provided
//! output slice with one `Result` per input, filled in input order. A bad input gives its
//! [`ParseError`] in its own slot and the batch goes on, so slot `i` always answers input `i`.
//! Nothing is allocated: the caller owns every buffer, which lets a server reuse one output
//! slice for every batch, and lets firmware run batches without an allocator.
//!
//! The result of every slot is exactly what the single-item call gives
//! ([`parse`], then [`Pseudonymizer::pseudonymize`] or
//! [`Tokenizer::tokenize`]). The key state (HMAC's two precomputed SHA-256 states, AES-SIV's
//! expanded key schedules) is shared by the whole slice and nothing is set up per item.
//! [`pseudonymize_batch`] does less per item than the single calls: it parses a group of 16
//! inputs, then hashes their numbers two at a time, the two inner compressions back to back
//! and then the two outer ones. Each pass keeps its own code hot, and the members of a pair
//! do not depend on each other, so the processor runs them overlapped; between single calls
//! the parsing of the next input sits in the way. That made a batch about 10 % cheaper per
//! item than the single calls; hashing one or four at a time measured within noise of two,
//! so most of the gain is the two passes. BENCHMARKS.md has the figures (`lookup` group:
//! `pseudonymize_raw_batch_1024` beside `pseudonymize_raw_loop_1024`, the same 1024 inputs
//! through the single-item calls).
//!
//! ```
//! use phonetoken::{pseudonymize_batch, ParseError, Pseudonym, Pseudonymizer, Region};
//!
//! let p = Pseudonymizer::new(&[7u8; 32])?;
//! let inputs = ["+1 (415) 555-2671", "415-555-2671", "12"];
//! let mut out = [Err(ParseError::NoDigits); 3];
//! let ok = pseudonymize_batch(&p, &inputs, Some("US".parse::<Region>()?), &mut out)?;
//! assert_eq!(ok, 2);
//! assert_eq!(out[0], out[1]);
//! assert_eq!(out[2], Err(ParseError::TooShort));
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

use core::fmt;

use crate::{parse, ParseError, PhoneNumber, Pseudonym, Pseudonymizer, Region, Token, Tokenizer};

/// The output slice of a batch call is shorter than its inputs.
///
/// Nothing is written when this is returned: the call checks the lengths first.
///
/// ```
/// use phonetoken::{normalize_batch, BatchLenError, ParseError};
///
/// let mut out = [Err(ParseError::NoDigits); 1];
/// let err = normalize_batch(&["+14155552671", "+442079460958"], None, &mut out).unwrap_err();
/// assert_eq!(err, BatchLenError { inputs: 2, outputs: 1 });
/// assert_eq!(out[0], Err(ParseError::NoDigits));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct BatchLenError {
    /// Number of inputs given.
    pub inputs: usize,
    /// Length of the output slice given.
    pub outputs: usize,
}

impl fmt::Display for BatchLenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the output slice has {} slots for {} inputs: give at least one slot per input",
            self.outputs, self.inputs
        )
    }
}

impl core::error::Error for BatchLenError {}

/// The first `inputs` slots of `out`, or the error that says there are too few.
fn slots<T>(inputs: usize, out: &mut [T]) -> Result<&mut [T], BatchLenError> {
    let outputs = out.len();
    out.get_mut(..inputs)
        .ok_or(BatchLenError { inputs, outputs })
}

/// Parses every input into its slot of `out`, mapping each number through `then`; the loop
/// the other batch functions share. Checks the slot count before writing anything.
fn fill<S: AsRef<str>, T>(
    inputs: &[S],
    region: Option<Region>,
    out: &mut [Result<T, ParseError>],
    then: impl Fn(PhoneNumber) -> T,
) -> Result<usize, BatchLenError> {
    let out = slots(inputs.len(), out)?;
    let mut ok = 0;
    for (input, slot) in inputs.iter().zip(out.iter_mut()) {
        *slot = parse(input.as_ref(), region).map(&then);
        ok += usize::from(slot.is_ok());
    }
    Ok(ok)
}

/// Parses every input (as [`parse`] does) into its slot of `out`.
///
/// Returns how many inputs parsed; `out[i]` answers `inputs[i]`, and slots past
/// `inputs.len()` are left alone.
///
/// # Errors
///
/// [`BatchLenError`] if `out` is shorter than `inputs` (then nothing is written).
///
/// ```
/// use phonetoken::{normalize_batch, ParseError, Region};
///
/// let gb: Region = "GB".parse()?;
/// let mut out = [Err(ParseError::NoDigits); 3];
/// assert_eq!(normalize_batch(&["020 7946 0958", "call me", "+1 415 555 2671"], Some(gb), &mut out)?, 2);
/// assert_eq!(out[0].as_ref().map(|n| n.as_str()), Ok("+442079460958"));
/// assert_eq!(out[1], Err(ParseError::NoDigits));
/// assert_eq!(out[2].as_ref().map(|n| n.as_str()), Ok("+14155552671"));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn normalize_batch<S: AsRef<str>>(
    inputs: &[S],
    region: Option<Region>,
    out: &mut [Result<PhoneNumber, ParseError>],
) -> Result<usize, BatchLenError> {
    fill(inputs, region, out, |n| n)
}

/// Parses every input and writes its pseudonym (HMAC-SHA256 of the E.164 string under `p`)
/// or its parse error into its slot of `out`.
///
/// `out[i]` is exactly `parse(inputs[i], region).map(|n| p.pseudonymize(&n))`. Returns how
/// many inputs gave a pseudonym. Use [`Keyset::pseudonymizer`](crate::Keyset::pseudonymizer)
/// for a keyset's primary key.
///
/// # Errors
///
/// [`BatchLenError`] if `out` is shorter than `inputs` (then nothing is written).
///
/// ```
/// use phonetoken::{pseudonymize_batch, ParseError, Pseudonymizer};
///
/// let p = Pseudonymizer::new(&[7u8; 32])?;
/// let inputs = vec!["+44 20 7946 0958".to_string(), "+1 415".to_string()];
/// let mut out = vec![Err(ParseError::NoDigits); inputs.len()];
/// pseudonymize_batch(&p, &inputs, None, &mut out)?;
/// assert_eq!(out[0], Ok(p.pseudonymize_bytes(b"+442079460958")));
/// assert_eq!(out[1], Err(ParseError::TooShort));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn pseudonymize_batch<S: AsRef<str>>(
    p: &Pseudonymizer,
    inputs: &[S],
    region: Option<Region>,
    out: &mut [Result<Pseudonym, ParseError>],
) -> Result<usize, BatchLenError> {
    let out = slots(inputs.len(), out)?;
    let mut ok = 0;
    // Parse a group, then hash its numbers `LANES` at a time with their compressions grouped.
    for (inputs, out) in inputs.chunks(GROUP).zip(out.chunks_mut(GROUP)) {
        let mut numbers = [Err(ParseError::NoDigits); GROUP];
        let mut parsed = [0usize; GROUP];
        let mut count = 0;
        for (i, (input, slot)) in inputs.iter().zip(out.iter_mut()).enumerate() {
            match parse(input.as_ref(), region) {
                Ok(number) => {
                    numbers[i] = Ok(number);
                    parsed[count] = i;
                    count += 1;
                }
                Err(e) => *slot = Err(e),
            }
        }
        let mut lanes = parsed[..count].chunks_exact(LANES);
        for group in &mut lanes {
            if let Some(numbers) = numbers_at::<LANES>(&numbers, group) {
                let pseudonyms = p.pseudonymize_many(numbers);
                for (&i, pseudonym) in group.iter().zip(pseudonyms) {
                    if let Some(slot) = out.get_mut(i) {
                        *slot = Ok(pseudonym);
                    }
                }
            }
        }
        for &i in lanes.remainder() {
            if let (Some(slot), Some(Ok(n))) = (out.get_mut(i), numbers.get(i)) {
                *slot = Ok(p.pseudonymize(n));
            }
        }
        ok += count;
    }
    Ok(ok)
}

/// Inputs parsed before their group is hashed.
const GROUP: usize = 16;
/// Numbers hashed together, their compressions grouped.
const LANES: usize = 2;

/// The numbers at `indices` (all parsed), as an array.
fn numbers_at<'a, const N: usize>(
    numbers: &'a [Result<PhoneNumber, ParseError>],
    indices: &[usize],
) -> Option<[&'a PhoneNumber; N]> {
    let first = numbers.get(*indices.first()?)?.as_ref().ok()?;
    let mut out = [first; N];
    for (slot, &i) in out.iter_mut().zip(indices) {
        *slot = numbers.get(i)?.as_ref().ok()?;
    }
    Some(out)
}

/// Parses every input and writes its token (AES-SIV under `t`, bound to `context`) or its
/// parse error into its slot of `out`.
///
/// `out[i]` is exactly `parse(inputs[i], region).map(|n| t.tokenize(&n, context))`. Returns
/// how many inputs gave a token. Use [`Keyset::tokenizer`](crate::Keyset::tokenizer) for a
/// keyset's primary key.
///
/// # Errors
///
/// [`BatchLenError`] if `out` is shorter than `inputs` (then nothing is written).
///
/// ```
/// use phonetoken::{tokenize_batch, ParseError, Tokenizer};
///
/// let t = Tokenizer::new(1, &[9u8; 64])?;
/// let mut out = [Err(ParseError::NoDigits); 2];
/// assert_eq!(tokenize_batch(&t, &["+33 1 42 68 53 00", "hello"], None, b"crm", &mut out)?, 1);
/// let token = out[0].as_ref().map_err(|e| *e)?;
/// assert_eq!(t.detokenize(token, b"crm")?.as_str(), "+33142685300");
/// assert_eq!(out[1].as_ref().err(), Some(&ParseError::NoDigits));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn tokenize_batch<S: AsRef<str>>(
    t: &Tokenizer,
    inputs: &[S],
    region: Option<Region>,
    context: &[u8],
    out: &mut [Result<Token, ParseError>],
) -> Result<usize, BatchLenError> {
    fill(inputs, region, out, |n| t.tokenize(&n, context))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pseudonym::tests::oracle;
    use std::vec::Vec;

    /// Inputs in many forms, valid and not.
    const INPUTS: &[&str] = &[
        "+1 (415) 555-2671",
        "(415) 555-2671",
        "020 7946 0958",
        "+44 20 7946 0958",
        "call me",
        "",
        "12",
        "+999 123 456",
        "011 54 9 11 2345-6789",
        "tel:+33-1-42-68-53-00;ext=12",
        "＋４９ ３０ ９０１８２０",
        "1-800-FLOWERS",
        "+800 1234 5678",
        "+1 415 555 26",
    ];

    #[test]
    fn pseudonyms_are_hmac_of_each_parsed_input_in_order() {
        let key = [0x3cu8; 32];
        let p = Pseudonymizer::new(&key).unwrap();
        let us: Region = "US".parse().unwrap();
        let mut out = [Ok(p.pseudonymize_bytes(b"stale")); 20];
        let ok = pseudonymize_batch(&p, INPUTS, Some(us), &mut out).unwrap();
        let mut expected_ok = 0;
        for (i, input) in INPUTS.iter().enumerate() {
            match parse(input, Some(us)) {
                Ok(n) => {
                    expected_ok += 1;
                    let got = out[i].expect("parsed input gives a pseudonym");
                    assert_eq!(got.as_bytes(), oracle(&key, n.as_bytes()), "{input}");
                }
                Err(e) => assert_eq!(out[i], Err(e), "{input}"),
            }
        }
        assert_eq!(ok, expected_ok);
        assert!(ok > 3 && ok < INPUTS.len(), "the sample mixes good and bad");
        // Slots past the inputs are untouched.
        for slot in &out[INPUTS.len()..] {
            assert_eq!(*slot, Ok(p.pseudonymize_bytes(b"stale")));
        }
    }

    #[test]
    fn paired_hashing_matches_single_calls_across_groups() {
        // Every length from 0 to three groups and a bit, so pairs, a leftover single and
        // failures fall on each side of the group edges.
        let p = Pseudonymizer::new(&[0x77u8; 32]).unwrap();
        let us: Region = "US".parse().unwrap();
        let many: Vec<&str> = INPUTS.iter().cycle().take(3 * GROUP + 5).copied().collect();
        for len in 0..=many.len() {
            let inputs = &many[..len];
            let mut out = std::vec![Err(ParseError::TooLong); len];
            let ok = pseudonymize_batch(&p, inputs, Some(us), &mut out).unwrap();
            let expected: Vec<_> = inputs
                .iter()
                .map(|s| parse(s, Some(us)).map(|n| p.pseudonymize(&n)))
                .collect();
            assert_eq!(out, expected, "{len} inputs");
            assert_eq!(ok, expected.iter().filter(|r| r.is_ok()).count());
        }
    }

    #[test]
    fn normalize_matches_parse_for_each_input() {
        let gb: Region = "GB".parse().unwrap();
        let mut out = [Err(ParseError::TooLong); 14];
        let ok = normalize_batch(INPUTS, Some(gb), &mut out).unwrap();
        for (input, slot) in INPUTS.iter().zip(&out) {
            assert_eq!(*slot, parse(input, Some(gb)), "{input}");
        }
        assert_eq!(ok, out.iter().filter(|r| r.is_ok()).count());
    }

    #[test]
    fn tokens_open_to_the_parsed_number() {
        let t = Tokenizer::new(42, &[0x5au8; 64]).unwrap();
        let mut out: Vec<Result<Token, ParseError>> = std::vec![Err(ParseError::NoDigits); 14];
        tokenize_batch(&t, INPUTS, None, b"ctx", &mut out).unwrap();
        for (input, slot) in INPUTS.iter().zip(&out) {
            match parse(input, None) {
                Ok(n) => {
                    let token = slot.as_ref().expect("token");
                    assert_eq!(token.key_id(), 42);
                    assert_eq!(t.detokenize(token, b"ctx").unwrap(), n);
                    assert_eq!(*token, t.tokenize(&n, b"ctx"), "deterministic");
                }
                Err(e) => assert_eq!(slot.as_ref().err(), Some(&e), "{input}"),
            }
        }
    }

    #[test]
    fn short_output_is_refused_before_any_write() {
        let p = Pseudonymizer::new(&[1u8; 32]).unwrap();
        let mut out = [Err(ParseError::TooLong); 13];
        assert_eq!(
            pseudonymize_batch(&p, INPUTS, None, &mut out),
            Err(BatchLenError {
                inputs: 14,
                outputs: 13
            })
        );
        assert!(out.iter().all(|r| *r == Err(ParseError::TooLong)));
        let t = Tokenizer::new(1, &[2u8; 64]).unwrap();
        let mut tokens: [Result<Token, ParseError>; 0] = [];
        assert_eq!(
            tokenize_batch(&t, &["+14155552671"], None, b"", &mut tokens),
            Err(BatchLenError {
                inputs: 1,
                outputs: 0
            })
        );
        assert!(std::format!(
            "{}",
            BatchLenError {
                inputs: 2,
                outputs: 1
            }
        )
        .contains("1 slots for 2 inputs"));
    }

    #[test]
    fn empty_batch_is_fine() {
        let p = Pseudonymizer::new(&[1u8; 32]).unwrap();
        let inputs: [&str; 0] = [];
        assert_eq!(pseudonymize_batch(&p, &inputs, None, &mut []), Ok(0));
    }
}
