//! The matcher against the `regex` crate, the reference engine: every pattern the tables
//! hold and random patterns in the supported syntax, full and prefix matches and every
//! capture group; and the shortcuts (literal alternations, the empty match of an optional
//! prefix) against it too, with a check that they take the calls they are meant for.
//!
//! Built only with `--cfg phonetoken_oracles`, which brings `regex` in as a dev-dependency:
//! `RUSTFLAGS="--cfg phonetoken_oracles" cargo test --lib metadata` (`.ci/run` runs it).

use regex::bytes::Regex;

use super::*;

/// The `regex` crate's full match and prefix match of a pattern, bytes and not Unicode.
fn anchored(source: &str) -> (Regex, Regex) {
    (
        Regex::new(&format!("(?-u)^(?:{source})$")).unwrap(),
        Regex::new(&format!("(?-u)^(?:{source})")).unwrap(),
    )
}

fn check(pattern: Pattern, source: &str, full: &Regex, prefix: &Regex, input: &[u8]) {
    let shown = String::from_utf8_lossy(input);
    assert_eq!(
        pattern.full_match(input),
        full.is_match(input),
        "full match of {shown:?} against {source}"
    );
    let ours = pattern.match_prefix(input);
    let theirs = prefix.captures(input);
    assert_eq!(
        ours.map(|m| m.end),
        theirs.as_ref().map(|c| c.get(0).unwrap().end()),
        "prefix match of {shown:?} against {source}"
    );
    if let (Some(ours), Some(theirs)) = (ours, theirs) {
        assert_eq!(ours.group_count(), theirs.len() - 1, "{source}");
        for i in 1..theirs.len() {
            assert_eq!(
                ours.group(i),
                theirs.get(i).map(|m| m.range()),
                "group {i} of {shown:?} against {source}"
            );
        }
    }
}

#[test]
fn matcher_agrees_with_the_regex_crate_on_every_pattern() {
    let patterns = all_patterns();
    assert!(patterns.len() > 200, "{} patterns", patterns.len());
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut matched = 0usize;
    for (pattern, source) in &patterns {
        let (full, prefix) = anchored(source);
        let hir = parse_hir(source);
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 0..=20 {
            for _ in 0..4 {
                inputs.push(rng.digits(len));
            }
        }
        for _ in 0..40 {
            let mut s = Vec::new();
            sample(&hir, &mut rng, &mut s);
            // The match itself, with a random tail, cut short, and with one digit changed.
            let mut tail = s.clone();
            let extra = rng.below(6);
            tail.extend(rng.digits(extra));
            let cut = s[..rng.below(s.len() + 1)].to_vec();
            let mut changed = s.clone();
            if !changed.is_empty() {
                let i = rng.below(changed.len());
                changed[i] = b'0' + rng.below(10) as u8;
            }
            inputs.extend([s, tail, cut, changed]);
        }
        // Hostile: long inputs, repeated matches, non-digits.
        let mut long = Vec::new();
        while long.len() < 400 {
            sample(&hir, &mut rng, &mut long);
            long.push(b'0' + rng.below(10) as u8);
        }
        inputs.push(long);
        inputs.push(rng.digits(300));
        for d in b'0'..=b'9' {
            inputs.push(vec![d; 64]);
        }
        inputs.push(b"12a45".to_vec());
        inputs.push("\u{0661}\u{0662}".as_bytes().to_vec());
        for input in &inputs {
            if full.is_match(input) {
                matched += 1;
            }
            check(*pattern, source, &full, &prefix, input);
        }
    }
    // The generated inputs must exercise real matches, not only failures.
    assert!(matched > patterns.len() * 20, "only {matched} full matches");
}

/// A random pattern in the supported syntax, at most `groups_left` capture groups.
fn random_pattern(rng: &mut Rng, depth: usize, groups_left: &mut usize, out: &mut String) {
    let alternatives = 1 + rng.below(if depth == 0 { 4 } else { 3 });
    for a in 0..alternatives {
        if a > 0 {
            out.push('|');
        }
        let items = 1 + rng.below(3);
        for _ in 0..items {
            match rng.below(10) {
                0..=2 => out.push(char::from(b'0' + rng.below(10) as u8)),
                3 | 4 => out.push_str("\\d"),
                5 => {
                    let lo = rng.below(10);
                    let hi = lo + rng.below(10 - lo);
                    let extra = rng.below(10);
                    out.push_str(&format!("[{lo}-{hi}{extra}]"));
                }
                _ if depth < 2 => {
                    let capture = *groups_left > 0 && rng.below(2) == 0;
                    if capture {
                        *groups_left -= 1;
                        out.push('(');
                    } else {
                        out.push_str("(?:");
                    }
                    random_pattern(rng, depth + 1, groups_left, out);
                    out.push(')');
                }
                _ => out.push('7'),
            }
            match rng.below(8) {
                0 | 1 => out.push('?'),
                2 => out.push_str(&format!("{{{}}}", 1 + rng.below(3))),
                3 => {
                    let min = rng.below(3);
                    out.push_str(&format!("{{{min},{}}}", min + 1 + rng.below(3)));
                }
                _ => {}
            }
        }
        if rng.below(6) == 0 {
            out.push('$');
        }
    }
}

#[test]
fn matcher_agrees_with_the_regex_crate_on_random_patterns() {
    let mut rng = Rng(0xD1FF_E7E5_7000_0002);
    let mut tried = 0;
    // Patterns whose plain compilation took `SWITCH`es (fewer choice points).
    #[cfg(feature = "validate")]
    let mut switched = 0usize;
    while tried < 1500 {
        let mut source = String::new();
        random_pattern(&mut rng, 0, &mut generated::MAX_GROUPS.clone(), &mut source);
        let compiled = match compiler::compile(&source) {
            Ok(c) => c,
            Err(e) if e.what.contains("too") => continue,
            Err(e) => panic!("{e}"),
        };
        // Only patterns that fit the fixed buffers sized for the real metadata.
        let memo_bits = usize::from(compiled.choices) * (usize::from(compiled.max_len) + 1);
        if memo_bits > generated::MEMO_WORDS * 64
            || usize::from(compiled.stack) > generated::MAX_STACK
        {
            continue;
        }
        tried += 1;
        let (full, prefix) = anchored(&source);
        let hir = parse_hir(&source);
        let mut inputs = Vec::new();
        for len in 0..=12 {
            inputs.push(rng.digits(len));
        }
        for _ in 0..12 {
            let mut s = Vec::new();
            sample(&hir, &mut rng, &mut s);
            let mut tail = s.clone();
            let extra = rng.below(4);
            tail.extend(rng.digits(extra));
            inputs.extend([s, tail]);
        }
        // The number types' compilation (no captures, `SWITCH`es), on their matcher.
        #[cfg(feature = "validate")]
        let plain = compiler::compile_plain(&source)
            .ok()
            .filter(|p| {
                usize::from(p.choices) * (usize::from(p.max_len) + 1)
                    <= generated::TYPE_MEMO_WORDS * 64
                    && usize::from(p.stack) <= generated::TYPE_MAX_STACK
            })
            .inspect(|p| switched += usize::from(p.choices < compiled.choices));
        for input in &inputs {
            #[cfg(feature = "validate")]
            if let Some(plain) = &plain {
                let run = |full| {
                    matcher::run_in::<
                        { generated::TYPE_MEMO_WORDS },
                        { generated::TYPE_MAX_STACK },
                        0,
                    >(&plain.bytes, input, full)
                    .map(|o| o.0)
                };
                assert_eq!(run(true).is_some(), full.is_match(input), "plain {source}");
                assert_eq!(
                    run(false),
                    prefix.find(input).map(|m| m.end()),
                    "plain prefix {source}"
                );
            }
            let ours = matcher::run(&compiled.bytes, input, false);
            let theirs = prefix.captures(input);
            let shown = String::from_utf8_lossy(input);
            assert_eq!(
                matcher::run(&compiled.bytes, input, true).is_some(),
                full.is_match(input),
                "full match of {shown:?} against {source}"
            );
            assert_eq!(
                ours.map(|o| o.0),
                theirs.as_ref().map(|c| c.get(0).unwrap().end()),
                "prefix match of {shown:?} against {source}"
            );
            if let (Some((end, groups, slots)), Some(theirs)) = (ours, theirs) {
                let m = matcher::PrefixMatch::from_parts(end, groups, slots);
                assert_eq!(m.group_count(), theirs.len() - 1, "{source}");
                for i in 1..theirs.len() {
                    assert_eq!(
                        m.group(i),
                        theirs.get(i).map(|g| g.range()),
                        "group {i} of {shown:?} against {source}"
                    );
                }
            }
        }
    }
    #[cfg(feature = "validate")]
    assert!(
        switched > 50,
        "only {switched} patterns compiled to a SWITCH"
    );
}

/// The shortcuts beside the interpreter.
mod shortcuts {
    use std::string::String;
    use std::vec::Vec;

    use super::super::{compiler, matcher};
    use super::anchored;

    /// Runs `bytes` on `input` both ways and compares with `regex`; whether the interpreter
    /// ran for either call.
    fn check(source: &str, bytes: &[u8], input: &[u8]) -> bool {
        let (full, prefix) = anchored(source);
        let mut interpreted = false;
        for want_full in [false, true] {
            matcher::LAST_STEPS.with(|s| s.set(usize::MAX));
            let ours = matcher::run(bytes, input, want_full);
            interpreted |= matcher::LAST_STEPS.with(|s| s.get()) != usize::MAX;
            let shown = String::from_utf8_lossy(input);
            if want_full {
                assert_eq!(ours.is_some(), full.is_match(input), "{source} {shown}");
                continue;
            }
            let theirs = prefix.captures(input);
            assert_eq!(
                ours.map(|o| o.0),
                theirs.as_ref().map(|c| c.get(0).unwrap().end()),
                "{source} {shown}"
            );
            if let (Some((end, groups, slots)), Some(theirs)) = (ours, theirs) {
                let m = matcher::PrefixMatch::from_parts(end, groups, slots);
                for i in 1..theirs.len() {
                    assert_eq!(m.group(i), theirs.get(i).map(|g| g.range()), "{source}");
                }
            }
        }
        interpreted
    }

    /// Every string over `alphabet` of up to `max` characters.
    fn strings(alphabet: &[u8], max: usize) -> Vec<Vec<u8>> {
        let mut out = std::vec![Vec::new()];
        let mut last = std::vec![Vec::new()];
        for _ in 0..max {
            let mut next = Vec::new();
            for s in &last {
                for &c in alphabet {
                    let mut t = s.clone();
                    t.push(c);
                    next.push(t);
                }
            }
            out.extend(next.iter().cloned());
            last = next;
        }
        out
    }

    #[test]
    fn literal_alternations_skip_the_interpreter() {
        let inputs = strings(b"0128", 5);
        for source in [
            "0",
            "011",
            "0|180020",
            "00|0",
            "0|00",
            "1|10|100",
            "8|0|01|012",
            "12|1|2",
            "0(?:1|2)",
            "0?1",
        ] {
            let bytes = compiler::compile(source).unwrap().bytes;
            let shaped = !source.contains('(') && !source.contains('?');
            for input in &inputs {
                let interpreted = check(source, &bytes, input);
                // Literal alternations never reach the interpreter; the other two forms
                // do when their first digit fits.
                if shaped {
                    assert!(!interpreted, "{source} ran the interpreter");
                }
            }
        }
    }

    #[test]
    fn optional_prefixes_answer_empty_without_the_interpreter() {
        let inputs = strings(b"01259", 5);
        for source in [
            "0?(?:(11|2(?:2[13]|3))15)?",
            "(?:0|90)?(1\\d)?",
            "0?(1?)5?",
            "(?:0(\\d{2}))?",
        ] {
            let compiled = compiler::compile(source).unwrap();
            let plain = compiled.bytes[4] & compiler::EMPTY_PLAIN != 0;
            let first = u16::from_le_bytes([compiled.bytes[3], compiled.bytes[4] & 0x03]);
            for input in &inputs {
                let interpreted = check(source, &compiled.bytes, input);
                let can_start = input
                    .first()
                    .is_some_and(|d| first & (1 << (d - b'0')) != 0);
                if plain && !can_start && !input.is_empty() {
                    assert!(!interpreted, "{source} ran the interpreter on {input:?}");
                }
            }
        }
    }
}

/// The `validate` feature's tables: every number type and `leadingDigits` of every
/// territory, read from the XML here, against the `regex` crate (full match after the length
/// check, as libphonenumber's `isNumberMatchingDesc`; prefix match for leading digits).
#[cfg(feature = "validate")]
mod types {
    use super::*;
    use crate::metadata::validate::{self, TYPE_ORDER};

    const NAMES: [&str; 10] = [
        "premiumRate",
        "tollFree",
        "sharedCost",
        "voip",
        "personalNumber",
        "pager",
        "uan",
        "voicemail",
        "fixedLine",
        "mobile",
    ];

    /// Per territory, in file order: each type's (pattern, length bits), and leading digits.
    type XmlTypes = (Vec<Option<(String, u32)>>, Option<String>);

    fn xml_types() -> Vec<XmlTypes> {
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(XML, options).unwrap();
        let mut out = Vec::new();
        for t in doc.descendants().filter(|n| n.has_tag_name("territory")) {
            let descs = NAMES
                .iter()
                .map(|name| {
                    let desc = t.children().find(|n| n.has_tag_name(*name))?;
                    let pattern = desc
                        .children()
                        .find(|n| n.has_tag_name("nationalNumberPattern"))?
                        .text()
                        .map(squeeze)?;
                    let bits = desc
                        .children()
                        .filter(|n| n.has_tag_name("possibleLengths"))
                        .map(|l| length_bits(l.attribute("national").unwrap_or("")))
                        .fold(0, |a, b| a | b);
                    Some((pattern, bits))
                })
                .collect();
            out.push((descs, t.attribute("leadingDigits").map(squeeze)));
        }
        out
    }

    fn inputs(source: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
        let hir = parse_hir(source);
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new(), rng.digits(300)];
        for len in 1..=18 {
            inputs.push(rng.digits(len));
        }
        for _ in 0..12 {
            let mut s = Vec::new();
            sample(&hir, rng, &mut s);
            let mut changed = s.clone();
            if !changed.is_empty() {
                let i = rng.below(changed.len());
                changed[i] = b'0' + rng.below(10) as u8;
            }
            let mut tail = s.clone();
            tail.push(b'0' + rng.below(10) as u8);
            let cut = s[..s.len().saturating_sub(1)].to_vec();
            inputs.extend([s, changed, tail, cut]);
        }
        inputs
    }

    #[test]
    fn type_patterns_agree_with_the_xml_and_the_regex_crate() {
        let xml = xml_types();
        assert_eq!(xml.len(), generated::TERRITORIES.len());
        let mut rng = Rng(0x0007_E570_F7E5);
        let (mut matched, mut worst) = (0usize, 0usize);
        for (index, (descs, leading)) in xml.iter().enumerate() {
            let types = validate::at(index).unwrap();
            for (desc, xml_desc) in TYPE_ORDER.iter().zip(descs) {
                let Some((source, bits)) = xml_desc else {
                    // No pattern: the type matches nothing.
                    assert!(!types.matches(*desc, b"12345678"));
                    continue;
                };
                let full = Regex::new(&format!("(?-u)^(?:{source})$")).unwrap();
                for input in inputs(source, &mut rng) {
                    let length_ok =
                        *bits == 0 || (input.len() < 32 && bits & (1 << input.len()) != 0);
                    let want = length_ok && full.is_match(&input);
                    matched += usize::from(want);
                    matcher::LAST_STEPS.with(|s| s.set(0));
                    assert_eq!(
                        types.matches(*desc, &input),
                        want,
                        "territory {index} {desc:?} {source} on {:?}",
                        String::from_utf8_lossy(&input)
                    );
                    worst = worst.max(matcher::LAST_STEPS.with(|s| s.get()));
                }
            }
            match leading {
                None => assert_eq!(types.leading_digits_match(b"1234"), None),
                Some(source) => {
                    let prefix = Regex::new(&format!("(?-u)^(?:{source})")).unwrap();
                    for input in inputs(source, &mut rng) {
                        assert_eq!(
                            types.leading_digits_match(&input),
                            Some(prefix.is_match(&input)),
                            "territory {index} leading digits {source}"
                        );
                    }
                }
            }
        }
        assert!(matched > 10_000, "only {matched} matches");
        // The bound of the matcher's docs holds for these larger patterns too.
        std::println!("worst case: {worst} instructions");
        assert!(worst < 2_000, "{worst} steps");
    }
}
