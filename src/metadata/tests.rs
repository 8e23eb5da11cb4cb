//! Tests of the generated tables against the XML they come from, and a differential test of
//! the matcher against the `regex` crate for every pattern the tables hold.
//!
//! The XML is read here with a separate, deliberately plain extraction (not the generator's
//! code), so a mistake in either shows up as a disagreement.

use std::collections::{BTreeMap, BTreeSet};
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use regex::bytes::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::*;

/// The generator's pattern compiler, to compile random patterns for the matcher.
#[allow(dead_code)]
#[path = "../../xtask/src/pattern.rs"]
mod compiler;

const XML: &str = include_str!("../../data/libphonenumber/PhoneNumberMetadata.xml");

/// What the test reads from one `<territory>`.
struct XmlTerritory {
    id: String,
    code: u16,
    main: bool,
    international_prefix: Option<String>,
    national_prefix_for_parsing: Option<String>,
    transform_rule: Option<String>,
    general_desc: Option<String>,
    lengths: u32,
    local_only: u32,
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect()
}

/// `"[4-6],8"` → bits 4, 5, 6, 8.
fn length_bits(spec: &str) -> u32 {
    let mut bits = 0;
    for part in squeeze(spec)
        .split(',')
        .filter(|p| !p.is_empty() && *p != "-1")
    {
        let (lo, hi) = match part.trim_matches(['[', ']']).split_once('-') {
            Some((lo, hi)) => (lo.parse::<u32>().unwrap(), hi.parse::<u32>().unwrap()),
            None => (part.parse().unwrap(), part.parse().unwrap()),
        };
        for n in lo..=hi {
            bits |= 1 << n;
        }
    }
    bits
}

fn xml_territories() -> Vec<XmlTerritory> {
    let doc = roxmltree::Document::parse_with_options(
        XML,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap();
    let mut out = Vec::new();
    for t in doc.descendants().filter(|n| n.has_tag_name("territory")) {
        let attr = |name| t.attribute(name).map(squeeze);
        let (mut lengths, mut local_only) = (0, 0);
        for desc in t.children().filter(|n| n.is_element()) {
            if desc.has_tag_name("noInternationalDialling") {
                continue;
            }
            for pl in desc
                .children()
                .filter(|n| n.has_tag_name("possibleLengths"))
            {
                lengths |= length_bits(pl.attribute("national").unwrap_or(""));
                local_only |= length_bits(pl.attribute("localOnly").unwrap_or(""));
            }
        }
        let general_desc = t
            .children()
            .find(|n| n.has_tag_name("generalDesc"))
            .and_then(|g| {
                g.children()
                    .find(|n| n.has_tag_name("nationalNumberPattern"))
            })
            .and_then(|p| p.text())
            .map(squeeze);
        out.push(XmlTerritory {
            id: attr("id").unwrap(),
            code: attr("countryCode").unwrap().parse().unwrap(),
            main: attr("mainCountryForCode").as_deref() == Some("true"),
            international_prefix: attr("internationalPrefix"),
            national_prefix_for_parsing: attr("nationalPrefixForParsing")
                .or_else(|| attr("nationalPrefix")),
            transform_rule: attr("nationalPrefixTransformRule"),
            general_desc,
            lengths,
            local_only: local_only & !lengths,
        });
    }
    out
}

fn region(id: &str) -> Region {
    let b = id.as_bytes();
    Region::new_unchecked([b[0], b[1]])
}

/// Our territory for an XML territory.
fn ours(t: &XmlTerritory) -> &'static Territory {
    if t.id == "001" {
        territory_for_country_code(t.code).unwrap()
    } else {
        territory_for_region(region(&t.id)).unwrap()
    }
}

#[test]
fn tables_agree_with_the_xml() {
    let xml = xml_territories();
    assert_eq!(xml.len(), generated::TERRITORIES.len());
    for t in &xml {
        let ours = ours(t);
        let id = &t.id;
        assert_eq!(ours.country_code, t.code, "{id}");
        assert_eq!(ours.region.is_none(), id == "001", "{id}");
        if let Some(r) = ours.region {
            assert_eq!(r, region(id));
        }
        assert_eq!(
            ours.national_prefix_transform_rule(),
            t.transform_rule.as_deref(),
            "{id}"
        );
        assert_eq!(ours.possible_lengths, t.lengths, "{id} lengths");
        assert_eq!(
            u32::from(ours.local_only_lengths),
            t.local_only,
            "{id} local-only lengths"
        );
        assert_eq!(
            ours.international_prefix.is_some(),
            t.international_prefix.is_some(),
            "{id}"
        );
        assert_eq!(
            ours.national_prefix_for_parsing.is_some(),
            t.national_prefix_for_parsing.is_some(),
            "{id}"
        );
        assert_eq!(
            ours.general_desc.is_some(),
            t.general_desc.is_some(),
            "{id}"
        );
        assert!(is_known_country_code(t.code));
    }
}

#[test]
fn regions_are_sorted_and_complete() {
    let xml = xml_territories();
    let expected: BTreeSet<&str> = xml
        .iter()
        .map(|t| t.id.as_str())
        .filter(|&id| id != "001")
        .collect();
    assert_eq!(ALL_REGIONS.len(), expected.len());
    assert!(ALL_REGIONS.windows(2).all(|w| w[0] < w[1]));
    for (ours, theirs) in ALL_REGIONS.iter().zip(&expected) {
        assert_eq!(ours.as_str(), *theirs);
    }
    // Lookups by region are exact: a region not in the XML has no territory.
    assert!(territory_for_region(region("ZZ")).is_none());
    assert!(territory_for_region(region("PN")).is_none());
}

#[test]
fn calling_codes_list_the_main_region_first() {
    let xml = xml_territories();
    let mut by_code: BTreeMap<u16, Vec<&XmlTerritory>> = BTreeMap::new();
    for t in &xml {
        by_code.entry(t.code).or_default().push(t);
    }
    for (&code, list) in &by_code {
        let main = if list.len() == 1 {
            list[0]
        } else {
            let mains: Vec<_> = list.iter().filter(|t| t.main).collect();
            assert_eq!(mains.len(), 1, "+{code}");
            mains[0]
        };
        let expected: Vec<&str> = core::iter::once(main.id.as_str())
            .chain(
                list.iter()
                    .filter(|t| t.id != main.id)
                    .map(|t| t.id.as_str()),
            )
            .filter(|&id| id != "001")
            .collect();
        let got: Vec<&str> = regions_for_country_code(code)
            .iter()
            .map(|r| r.as_str())
            .collect();
        assert_eq!(got, expected, "+{code}");
        let territory = territory_for_country_code(code).unwrap();
        assert_eq!(territory.country_code, code);
        match territory.region {
            Some(r) => assert_eq!(r.as_str(), main.id),
            None => assert_eq!(main.id, "001"),
        }
    }
    for code in 0..=1000u16 {
        assert_eq!(is_known_country_code(code), by_code.contains_key(&code));
        if !by_code.contains_key(&code) {
            assert!(territory_for_country_code(code).is_none());
            assert!(regions_for_country_code(code).is_empty());
        }
    }
}

#[test]
fn well_known_codes() {
    let uk: Vec<&str> = regions_for_country_code(44)
        .iter()
        .map(|r| r.as_str())
        .collect();
    assert_eq!(uk, ["GB", "GG", "IM", "JE"]);
    assert_eq!(
        territory_for_country_code(44).unwrap().region,
        Some(region("GB"))
    );
    assert_eq!(regions_for_country_code(1).first(), Some(&region("US")));
    let free = territory_for_country_code(800).unwrap();
    assert_eq!((free.region, free.country_code), (None, 800));
    assert!(regions_for_country_code(800).is_empty());
    let gb = territory_for_region(region("GB")).unwrap();
    // GB: national 7, 9, 10 digits; local-only 4, 5, 6, 8.
    assert_eq!(gb.possible_lengths, (1 << 7) | (1 << 9) | (1 << 10));
    assert_eq!(
        gb.local_only_lengths,
        (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8)
    );
}

#[test]
fn prefixes_and_captures_behave_like_libphonenumber() {
    let ar = territory_for_region(region("AR")).unwrap();
    let npp = ar.national_prefix_for_parsing.unwrap();
    // AR: "0", an area code (group 1), then the mobile "15". Expected values are what
    // Python's `re.match` reports for these inputs with phonenumbers 9.0.35's pattern.
    let m = npp.match_prefix(b"0111523456789").unwrap();
    assert_eq!((m.end, m.group_count()), (5, 1));
    assert_eq!(m.group(1), Some(1..3));
    assert_eq!(m.group(2), None);
    assert_eq!(m.group(0), None);
    let m = npp.match_prefix(b"0343154567890").unwrap();
    assert_eq!((m.end, m.group(1)), (6, Some(1..4)));
    let us = territory_for_region(region("US")).unwrap();
    let idd = us.international_prefix.unwrap();
    assert_eq!(idd.match_prefix(b"01144").map(|m| m.end), Some(3));
    assert!(idd.match_prefix(b"0012").is_none());
    assert!(us.general_desc.unwrap().full_match(b"2015550123"));
    assert!(!us.general_desc.unwrap().full_match(b"20155501234"));
    assert!(!us.general_desc.unwrap().full_match(b""));
}

/// Every (pattern, source) pair the tables hold, deduplicated by source.
fn all_patterns() -> Vec<(Pattern, String)> {
    let mut seen = BTreeMap::new();
    for t in xml_territories() {
        let ours = ours(&t);
        let pairs = [
            (ours.international_prefix, t.international_prefix),
            (
                ours.national_prefix_for_parsing,
                t.national_prefix_for_parsing,
            ),
            (ours.general_desc, t.general_desc),
        ];
        for (pattern, source) in pairs {
            if let (Some(p), Some(s)) = (pattern, source) {
                if let Some(prev) = seen.insert(s.clone(), p) {
                    assert_eq!(prev, p, "{s} compiled twice");
                }
            }
        }
    }
    seen.into_iter().map(|(s, p)| (p, s)).collect()
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn digits(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| b'0' + self.below(10) as u8).collect()
    }
}

/// Appends a random string the pattern (as parsed by `regex-syntax`) can match, ignoring `$`.
fn sample(hir: &Hir, rng: &mut Rng, out: &mut Vec<u8>) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.extend_from_slice(&lit.0),
        HirKind::Class(Class::Bytes(c)) => {
            let r = c.ranges()[rng.below(c.ranges().len())];
            let span = usize::from(r.end() - r.start()) + 1;
            out.push(r.start() + rng.below(span) as u8);
        }
        HirKind::Class(Class::Unicode(c)) => {
            let r = c.ranges()[rng.below(c.ranges().len())];
            let span = (r.end() as usize) - (r.start() as usize) + 1;
            out.push((r.start() as usize + rng.below(span)) as u8);
        }
        HirKind::Repetition(rep) => {
            let max = rep.max.unwrap_or(rep.min + 3);
            let n = rep.min as usize + rng.below((max - rep.min) as usize + 1);
            for _ in 0..n {
                sample(&rep.sub, rng, out);
            }
        }
        HirKind::Capture(cap) => sample(&cap.sub, rng, out),
        HirKind::Concat(items) => items.iter().for_each(|h| sample(h, rng, out)),
        HirKind::Alternation(alts) => sample(&alts[rng.below(alts.len())], rng, out),
    }
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
        let full = Regex::new(&format!("(?-u)^(?:{source})$")).unwrap();
        let prefix = Regex::new(&format!("(?-u)^(?:{source})")).unwrap();
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(source)
            .unwrap();
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

#[test]
fn prefix_match_end_is_a_char_boundary_of_the_input() {
    // `end` never exceeds the input, for every pattern and input length.
    let mut rng = Rng(7);
    for (pattern, _) in all_patterns() {
        for len in [0, 1, 2, 5, 17, 18, 255, 256, 1000] {
            let input = rng.digits(len);
            if let Some(m) = pattern.match_prefix(&input) {
                assert!(m.end <= input.len());
                for i in 1..=m.group_count() {
                    if let Some(g) = m.group(i) {
                        assert!(g.start <= g.end && g.end <= m.end);
                    }
                }
            }
        }
    }
}

#[test]
fn header_names_the_release_and_the_xml_checksum() {
    use sha2::Digest;
    assert_eq!(VERSION, "9.0.35");
    let digest = sha2::Sha256::digest(XML.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(generated::XML_SHA256, hex);
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
        let full = Regex::new(&format!("(?-u)^(?:{source})$")).unwrap();
        let prefix = Regex::new(&format!("(?-u)^(?:{source})")).unwrap();
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&source)
            .unwrap();
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
                    matcher::run_in::<{ generated::TYPE_MEMO_WORDS }, { generated::TYPE_MAX_STACK }>(
                        &plain.bytes,
                        input,
                        full,
                    )
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

#[test]
fn work_is_bounded_on_hostile_input() {
    // Every pattern, on long and adversarial inputs: the instruction count stays small and
    // does not grow with the input.
    let mut rng = Rng(99);
    let mut worst = 0;
    for (pattern, source) in all_patterns() {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&source)
            .unwrap();
        let mut near = Vec::new();
        sample(&hir, &mut rng, &mut near);
        near.pop();
        let mut inputs = vec![near.clone(), rng.digits(1000)];
        for d in b'0'..=b'9' {
            inputs.push(vec![d; 1000]);
        }
        near.extend(rng.digits(500));
        inputs.push(near);
        // Near misses: samples with their last digits changed, and random digits.
        for _ in 0..200 {
            let mut s = Vec::new();
            sample(&hir, &mut rng, &mut s);
            if let Some(last) = s.last_mut() {
                *last = b'0' + rng.below(10) as u8;
            }
            let extra = rng.below(3);
            s.extend(rng.digits(extra));
            inputs.push(s);
            let len = rng.below(25);
            inputs.push(rng.digits(len));
        }
        for input in &inputs {
            pattern.full_match(input);
            pattern.match_prefix(input);
            worst = worst.max(matcher::LAST_STEPS.with(|s| s.get()));
        }
    }
    std::println!("worst case: {worst} instructions");
    assert!(worst < 1_000, "{worst} steps");
}

#[test]
fn direct_region_lookup_agrees_with_the_sorted_list_for_every_letter_pair() {
    let mut found = 0;
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let r = Region::new_unchecked([a, b]);
            let listed = ALL_REGIONS.binary_search(&r).is_ok();
            let t = territory_for_region(r);
            assert_eq!(t.is_some(), listed, "{}", r.as_str());
            if let Some(t) = t {
                assert_eq!(t.region, Some(r));
                found += 1;
            }
        }
    }
    assert_eq!(found, ALL_REGIONS.len());
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
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(source)
            .unwrap();
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
