//! Proof that the hot paths allocate nothing: a counting global allocator wraps the system
//! one, and [`assert_no_alloc`] runs a closure with counting switched on for the current
//! thread only (a thread-local flag), so tests running in parallel do not disturb each other.
//!
//! To cover another path (pseudonyms, tokens, …), add a `#[test]` that prepares its inputs
//! first (keys, buffers) and then wraps only the call under test in `assert_no_alloc`.
//!
//! The library forbids `unsafe`; this test file needs it for the `GlobalAlloc` impl only.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use phonetoken::{parse, PhoneNumber, Region};

/// Counts allocations made while the current thread's `COUNTING` flag is set.
struct CountingAllocator;

thread_local! {
    // `const` initializers without destructors: reading them never allocates, so they are
    // safe to touch from inside the allocator.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with`: during thread teardown the slots may be gone; such allocations are not ours.
    let counting = COUNTING.try_with(Cell::get).unwrap_or(false);
    if counting {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract is upheld exactly as `System` upholds it; the counting touches only
// thread-local `Cell`s, which neither allocate nor unwind.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded contract, see the impl comment.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded contract, see the impl comment.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded contract, see the impl comment.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract, see the impl comment.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Runs `f` and returns its result with the number of allocations (and reallocations) it made
/// on this thread.
fn count_allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let result = std::hint::black_box(f());
    COUNTING.with(|c| c.set(false));
    (result, ALLOCATIONS.with(Cell::get))
}

/// Runs `f` and fails the test if it allocated; `what` names the call in the message.
fn assert_no_alloc<R>(what: &dyn std::fmt::Debug, f: impl FnOnce() -> R) -> R {
    let (result, n) = count_allocations(f);
    assert_eq!(n, 0, "{what:?} allocated {n} time(s)");
    result
}

fn regions_for_test() -> Vec<Option<Region>> {
    let mut regions = vec![None];
    for code in ["US", "GB", "DE", "BR", "AR", "MX", "JP", "IN", "AU", "RU"] {
        // Resolving the region is outside the measured call; a region the tables do not
        // know yet is skipped here (the parity test reports it).
        if let Ok(r) = code.parse::<Region>() {
            regions.push(Some(r));
        }
    }
    regions
}

const INPUTS: &[&str] = &[
    "+1 (415) 555-2671",
    "020 7946 0958",
    "+44 20 7946 0958",
    "(0)20 7946 0958",
    "+44 (0)20 7946 0958",
    "011 44 20 7946 0958",
    "00 49 30 123456",
    "0011 61 2 1234 5678",
    "8~10 7 912 345 67 89",
    "0 15 21 2345 6789",
    "011 15-2345-6789",
    "+１ ２０１ ５５５ ０１２３",
    "+٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨",
    "۰۹۱۲ ۳۴۵ ۶۷۸۹",
    "\u{ff0b}44\u{3000}20\u{2010}7946\u{2011}0958",
    "1-800-FLOWERS",
    "Tel: +1 201 555 0123 (mobile)",
    "+1 201 555 0123 ext. 456",
    "+1 201 555 0123 x456",
    "+1 201 555 0123;ext=456",
    "+1 201 555 0123,,456",
    "+7 912 345 67 89 доб 12",
    "+34 912 345 678 extensión 9",
    "+44 20 7946 0958 ｅｘｔ１２３",
    "tel:+1-201-555-0123",
    "tel:+1-201-555-0123;ext=456",
    "tel:2015550123;phone-context=+1",
    "tel:7946-0958;phone-context=+44-20",
    "tel:2015550123;phone-context=example.com",
    "tel:2015550123;phone-context=abc!def",
    "tel:+1-201-555-0123;isub=1234",
    "",
    "call me",
    "+",
    "++44 20 7946 0958",
    "201+555+0123",
    "+999 1234567",
    "011 12",
    "+44 1",
    "+44 1234567890123456789",
    "+47 222 222",
    "12",
    "\u{0}\u{1}\u{2}",
    "😀 +1 201 555 0123 😀",
];

#[test]
fn the_counter_sees_allocations() {
    // Without this, a broken counter would let every other test here pass.
    let (v, n) = count_allocations(|| vec![1u8; 64]);
    assert_eq!(v.len(), 64);
    assert!(n >= 1, "the counting allocator missed a Vec allocation");
    let (_, n) = count_allocations(|| String::from("x").repeat(100));
    assert!(n >= 1, "the counting allocator missed a String allocation");
}

#[test]
fn parse_allocates_nothing() {
    let long = "1".repeat(300);
    let mut inputs: Vec<&str> = INPUTS.to_vec();
    inputs.push(&long);
    for region in regions_for_test() {
        for input in &inputs {
            let _ = assert_no_alloc(&(input, region), || parse(input, region));
        }
    }
}

#[test]
fn phone_number_from_str_and_accessors_allocate_nothing() {
    for text in [
        "+14155552671",
        "+442079460958",
        "+1 415",
        "14155552671",
        "+999123",
    ] {
        let parsed = assert_no_alloc(&text, || {
            let n = text.parse::<PhoneNumber>();
            n.map(|n| {
                (
                    n.as_str().len(),
                    n.country_code(),
                    n.national_number().len(),
                )
            })
        });
        // Only the two canonical numbers are accepted (strict E.164).
        let canonical = ["+14155552671", "+442079460958"].contains(&text);
        assert_eq!(parsed.is_ok(), canonical, "{text:?}: {parsed:?}");
    }
    for text in ["GB", "gb", "ZZ", "G"] {
        let region = assert_no_alloc(&text, || text.parse::<Region>());
        assert_eq!(region.is_ok(), text.eq_ignore_ascii_case("gb"), "{text:?}");
    }
}

#[test]
fn parse_allocates_nothing_on_the_parity_fixture() {
    // Every input of the parity fixture, with its own default region: thousands of paths
    // through the parser, successes and refusals.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parity.jsonl");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut checked = 0usize;
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("fixture line is JSON");
        let input = case["input"].as_str().expect("fixture input is a string");
        let region = match case["region"].as_str() {
            None => None,
            Some(code) => match code.parse::<Region>() {
                Ok(r) => Some(r),
                Err(_) => continue,
            },
        };
        let _ = assert_no_alloc(&(input, region), || parse(input, region));
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} fixture cases were checked");
}

#[cfg(feature = "validate")]
#[test]
fn validation_allocates_nothing_on_the_parity_fixture() {
    // Every number of the fixture (valid and invalid, every region, shared and
    // non-geographic codes): the numbers are parsed first, outside the counted calls.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parity.jsonl");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut numbers = Vec::new();
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("fixture line is JSON");
        if let Some(e164) = case["expect"].as_str() {
            numbers.push(
                e164.parse::<PhoneNumber>()
                    .expect("fixture numbers are E.164"),
            );
        }
    }
    assert!(
        numbers.len() > 1000,
        "only {} fixture numbers",
        numbers.len()
    );
    let mut valid = 0usize;
    for number in &numbers {
        let (is_valid, _, _) = assert_no_alloc(number, || {
            (number.is_valid(), number.number_type(), number.region())
        });
        valid += usize::from(is_valid);
    }
    // Both outcomes were exercised.
    assert!(
        valid > 100 && numbers.len() - valid > 100,
        "{valid} of {}",
        numbers.len()
    );
}

#[cfg(feature = "format")]
#[test]
fn formatting_allocates_nothing_on_the_parity_fixture() {
    use phonetoken::{parse_with_extension, Format, MAX_FORMATTED_LEN};
    use std::fmt::Write as _;

    /// A `fmt::Write` into a fixed buffer, so the `Display` path is counted alone.
    struct Fixed {
        buf: [u8; MAX_FORMATTED_LEN],
        len: usize,
    }
    impl std::fmt::Write for Fixed {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            self.buf
                .get_mut(self.len..end)
                .ok_or(std::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    // Every number of the fixture with its extension, parsed first, outside the counted
    // calls; then every format into a buffer, a buffer too small, and `Display`.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parity.jsonl");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut numbers = Vec::new();
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("fixture line is JSON");
        if case["expect"].is_string() {
            let region = case["region"]
                .as_str()
                .and_then(|r| r.parse::<Region>().ok());
            let input = case["input"].as_str().expect("fixture input is a string");
            if let Ok(parsed) = parse_with_extension(input, region) {
                numbers.push(parsed);
            }
        }
    }
    let with_extension = numbers.iter().filter(|(_, e)| e.is_some()).count();
    assert!(
        numbers.len() > 1000 && with_extension > 100,
        "{} fixture numbers, {with_extension} with an extension",
        numbers.len()
    );
    let formats = [
        Format::E164,
        Format::International,
        Format::National,
        Format::Rfc3966,
        Format::Masked { visible: 4 },
    ];
    let mut buf = [0u8; MAX_FORMATTED_LEN];
    let mut small = [0u8; 4];
    let mut sink = Fixed {
        buf: [0; MAX_FORMATTED_LEN],
        len: 0,
    };
    for (number, extension) in &numbers {
        for format in formats {
            let what = (number, format);
            let len = assert_no_alloc(&what, || {
                number
                    .format_with_extension(extension.as_ref(), format, &mut buf)
                    .map(str::len)
            })
            .expect("MAX_FORMATTED_LEN always fits");
            let refused = assert_no_alloc(&what, || {
                number.format_with_extension(extension.as_ref(), format, &mut small)
            });
            assert!(refused.is_err() || len <= small.len(), "{what:?}");
            sink.len = 0;
            let shown = number.formatted(format).with_extension(extension.as_ref());
            assert_no_alloc(&what, || write!(sink, "{shown}")).expect("the sink holds any");
            assert_eq!(sink.len, len, "{what:?}");
        }
    }
}

#[cfg(feature = "find")]
#[test]
fn finding_allocates_nothing_on_the_matcher_fixture() {
    use phonetoken::{find_numbers, Leniency};

    // Every text of the matcher fixture at its leniency (numbers, near misses, dates, prices,
    // hostile texts), searched to the end with each match's number and extension taken, and
    // once more with too few tries, which gives up.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/matcher.jsonl");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut found = 0usize;
    let mut cases = 0usize;
    let mut gave_up = 0usize;
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("fixture line is JSON");
        let body = case["text"].as_str().expect("fixture text is a string");
        let region = case["region"]
            .as_str()
            .and_then(|r| r.parse::<Region>().ok());
        let leniency = match case["leniency"].as_str() {
            Some("POSSIBLE") => Leniency::Possible,
            _ => Leniency::Valid,
        };
        let (n, stopped) = assert_no_alloc(&(body, region), || {
            let mut matches = find_numbers(body, region).leniency(leniency);
            let mut n = 0usize;
            for m in &mut matches {
                std::hint::black_box((m.number(), m.extension(), m.as_str()));
                n += 1;
            }
            let mut few = find_numbers(body, region).leniency(leniency).max_tries(1);
            let _ = few.by_ref().count();
            (n, few.gave_up())
        });
        found += n;
        gave_up += usize::from(stopped);
        cases += 1;
    }
    assert!(
        cases > 40_000 && found > 30_000 && gave_up > 1000,
        "{cases} texts, {found} matches, {gave_up} gave up"
    );
}
