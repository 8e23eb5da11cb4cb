//! Tests of the generated tables against the XML they come from, and of the matcher's bounds.
//! The differential test of the matcher against the `regex` crate is in `regex_oracle`.
//!
//! The XML is read here with a separate, deliberately plain extraction (not the generator's
//! code), so a mistake in either shows up as a disagreement.

use std::collections::{BTreeMap, BTreeSet};
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use regex_syntax::hir::{Class, Hir, HirKind};

use super::*;

/// The generator's pattern compiler, to compile random patterns for the matcher.
#[allow(dead_code)]
#[path = "../../xtask/src/pattern.rs"]
mod compiler;

// The `regex` crate as the oracle of the matcher: heavy to build, so only with
// `--cfg phonetoken_oracles` (which also brings it in as a dev-dependency; `.ci/run`).
#[cfg(phonetoken_oracles)]
mod regex_oracle;

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

/// The metadata XML, parsed (it declares a DTD).
fn xml_document() -> roxmltree::Document<'static> {
    roxmltree::Document::parse_with_options(
        XML,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap()
}

fn xml_territories() -> Vec<XmlTerritory> {
    let doc = xml_document();
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

/// A pattern as `regex-syntax` reads it, bytes and not Unicode, for [`sample`].
fn parse_hir(source: &str) -> Hir {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(source)
        .unwrap()
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

#[test]
fn work_is_bounded_on_hostile_input() {
    // Every pattern, on long and adversarial inputs: the instruction count stays small and
    // does not grow with the input.
    let mut rng = Rng(99);
    let mut worst = 0;
    for (pattern, source) in all_patterns() {
        let hir = parse_hir(&source);
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

/// The `format` feature's tables against the XML, read here on their own.
#[cfg(feature = "format")]
mod format_tables {
    use std::borrow::ToOwned;
    use std::string::ToString;

    use super::*;

    /// One `numberFormat`, as written.
    struct XmlFormat {
        pattern: String,
        leading_digits: Option<String>,
        format: String,
        intl_format: Option<String>,
        prefix_rule: Option<String>,
    }

    /// Per calling code, its main territory's formats (the one marked main, else the first
    /// in the file) and `preferredExtnPrefix`.
    fn xml_formats() -> BTreeMap<u16, (Vec<XmlFormat>, Option<String>)> {
        let doc = xml_document();
        let mut out = BTreeMap::new();
        for t in doc.descendants().filter(|n| n.has_tag_name("territory")) {
            let code: u16 = t.attribute("countryCode").unwrap().parse().unwrap();
            let main = t.attribute("mainCountryForCode") == Some("true");
            if out.contains_key(&code) && !main {
                continue;
            }
            let territory_rule = t.attribute("nationalPrefixFormattingRule");
            let formats = t
                .descendants()
                .filter(|n| n.has_tag_name("numberFormat"))
                .map(|f| {
                    let child = |name| {
                        f.children()
                            .rfind(|n| n.has_tag_name(name))
                            .and_then(|n| n.text())
                            .map(str::to_owned)
                    };
                    XmlFormat {
                        pattern: squeeze(f.attribute("pattern").unwrap()),
                        leading_digits: child("leadingDigits").map(|p| squeeze(&p)),
                        format: child("format").unwrap(),
                        intl_format: child("intlFormat"),
                        prefix_rule: f
                            .attribute("nationalPrefixFormattingRule")
                            .or(territory_rule)
                            .map(str::to_owned),
                    }
                })
                .collect();
            let extn = t.attribute("preferredExtnPrefix").map(str::to_owned);
            out.insert(code, (formats, extn));
        }
        out
    }

    /// A template written back as a rule: `$N` for a group.
    fn rule(template: &[u8]) -> String {
        template
            .iter()
            .map(|&b| match b {
                1..=9 => format!("${b}"),
                _ => char::from(b).to_string(),
            })
            .collect()
    }

    #[test]
    fn formats_follow_the_xml_and_their_groups_tile_the_number() {
        let mut rng = Rng(7);
        let xml = xml_formats();
        assert_eq!(xml.len(), generated::COUNTRY_CODES.len());
        let (mut checked, mut prefixed) = (0, 0);
        for (&code, (formats, extn)) in &xml {
            let ours = format::for_country_code(code).unwrap();
            assert_eq!(ours.formats.len(), formats.len(), "+{code}");
            assert_eq!(
                ours.extn_prefix,
                extn.as_deref().unwrap_or(" ext. "),
                "+{code}"
            );
            let all_na = formats
                .iter()
                .all(|f| f.intl_format.as_deref() == Some("NA"));
            for (f, x) in ours.formats.iter().zip(formats) {
                let intl = f.international_template().map(rule);
                match x.intl_format.as_deref() {
                    Some("NA") if !all_na => assert_eq!(intl, None, "+{code} {}", x.pattern),
                    Some(i) if i != "NA" => assert_eq!(intl.as_deref(), Some(i), "+{code}"),
                    _ => assert_eq!(intl.as_deref(), Some(x.format.as_str()), "+{code}"),
                }
                let national = rule(f.national_template().unwrap());
                if x.prefix_rule.is_none() {
                    assert_eq!(national, x.format, "+{code} {}", x.pattern);
                } else {
                    prefixed += 1;
                }
                assert_eq!(f.leading_digits == 0, x.leading_digits.is_none());
                // Every digit of a format's pattern is in one of its groups, in order.
                let hir = parse_hir(&x.pattern);
                for _ in 0..20 {
                    let mut s = Vec::new();
                    sample(&hir, &mut rng, &mut s);
                    let groups = f.full_match(&s).unwrap_or_else(|| {
                        panic!("+{code} {} refuses {s:?}", x.pattern);
                    });
                    let tiled: Vec<u8> = groups
                        .iter()
                        .flatten()
                        .flat_map(|g| s[g.clone()].iter().copied())
                        .collect();
                    assert_eq!(tiled, s, "+{code} {}", x.pattern);
                    checked += 1;
                }
                if let Some(leading) = &x.leading_digits {
                    let hir = parse_hir(leading);
                    for _ in 0..20 {
                        let mut s = Vec::new();
                        sample(&hir, &mut rng, &mut s);
                        let tail = rng.below(6);
                        s.extend(rng.digits(tail));
                        assert!(f.leading_digits_match(&s), "+{code} {leading} {s:?}");
                    }
                }
            }
        }
        assert!(checked > 10_000 && prefixed > 300, "{checked} {prefixed}");
    }

    #[test]
    fn format_patterns_work_is_bounded_on_hostile_input() {
        let mut rng = Rng(11);
        let mut worst = 0;
        for code in generated::COUNTRY_CODES.iter().map(|c| c.code) {
            for f in format::for_country_code(code).unwrap().formats {
                let mut inputs = vec![rng.digits(1000)];
                for d in b'0'..=b'9' {
                    inputs.push(vec![d; 17]);
                    inputs.push(vec![d; 300]);
                }
                for _ in 0..50 {
                    let len = rng.below(20);
                    inputs.push(rng.digits(len));
                }
                for input in &inputs {
                    f.full_match(input);
                    worst = worst.max(matcher::LAST_STEPS.with(|s| s.get()));
                    f.leading_digits_match(input);
                    worst = worst.max(matcher::LAST_STEPS.with(|s| s.get()));
                }
            }
        }
        std::println!("worst case: {worst} instructions");
        assert!(worst < 1_000, "{worst} steps");
    }
}
