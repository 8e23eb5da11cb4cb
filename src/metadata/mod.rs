//! Numbering-plan metadata: the parts of libphonenumber's `PhoneNumberMetadata.xml` that
//! parsing to E.164 needs, compiled into tables at generation time.
//!
//! Why generated code and not the XML: firmware has no XML parser, no regex engine and no
//! allocator. `xtask` reads the XML once, compiles every pattern libphonenumber uses while
//! parsing into a small bytecode (`matcher.rs`), and writes `generated.rs`, which is committed
//! and checked fresh in CI. Nothing is parsed or compiled at run time.
//!
//! # Data generation
//!
//! `cargo xtask metadata` reads `data/libphonenumber/PhoneNumberMetadata.xml` (libphonenumber
//! 9.0.35) and derives each territory's values as libphonenumber's own build tool does:
//! whitespace is stripped from patterns; `nationalPrefixForParsing` falls back to
//! `nationalPrefix`; the possible lengths are the union of the number types' `national`
//! and `localOnly` lengths, leaving out `noInternationalDialling`, with local-only lengths
//! that are also national dropped from the local-only set. `tools/check_metadata.py`
//! compares every extracted value with the Python port `phonenumbers` of the same release.
//! Patterns are compiled to the bytecode described in `matcher.rs`; syntax the compiler
//! does not know fails the generation instead of being guessed at.
//!
//! With the feature `validate`, the generated file also holds, per territory (indexed like
//! `TERRITORIES`), the offsets of its number types' patterns (`nationalNumberPattern`, with
//! the type's `possibleLengths` as a mask before it) and of its `leadingDigits` in a second
//! pool, `TYPE_POOL`, whose patterns run on the same matcher with their own bounds; the
//! pool and bounds parsing uses are the same with the feature or without it.
//!
//! With the feature `format`, it holds per calling code (indexed like `COUNTRY_CODES`) the
//! `numberFormat`s of the code's main territory, the one libphonenumber formats every number
//! of the code with: each format's pattern (compiled with its capture groups) and last
//! `leadingDigits` (without) in a third pool, `FORMAT_POOL`, with its own bounds; its
//! NATIONAL template (the national prefix formatting rule applied: `$NP` the national
//! prefix, `$FG` the first group) and INTERNATIONAL template (`intlFormat`, or none for `NA`;
//! a territory whose every `intlFormat` is `NA` formats INTERNATIONAL with its national
//! formats, as libphonenumber does); and the text before an extension. The generator refuses
//! a format pattern with an alternative or with more than one repeat of variable length, so
//! the first match of a pattern that matches the whole number is the whole number, and a
//! format is written once from the groups of that match (`xtask/src/pattern.rs`,
//! `check_format_pattern`). `tools/check_metadata.py` compares the formats with those of
//! `phonenumbers`.
//!
//! Interface used by the parser (crate-private, stable between regenerations):
//! `Territory`, `territory_for_region`, `territory_for_country_code`,
//! `regions_for_country_code`, `is_known_country_code`, `ALL_REGIONS`, and `Pattern`'s
//! `full_match` / `match_prefix`.

// `--cfg phonetoken_testing_metadata` builds the library on the tables of libphonenumber's
// test metadata instead, for the suite that runs libphonenumber's own parse tests
// (`tests/libphonenumber/`); nothing else sets it.
#[cfg_attr(phonetoken_testing_metadata, path = "generated_testing.rs")]
mod generated;
pub(crate) mod matcher;
#[cfg(test)]
mod tests;

use crate::number::Region;
pub(crate) use matcher::{Pattern, PrefixMatch};

/// The libphonenumber release the tables were generated from.
///
/// ```
/// assert_eq!(phonetoken::metadata::VERSION, "9.0.35");
/// ```
pub const VERSION: &str = generated::LIBPHONENUMBER_VERSION;

/// One `<territory>` of the metadata: a region, or a non-geographic entity (`001`).
#[derive(Debug)]
pub(crate) struct Territory {
    /// The region, or `None` for a non-geographic entity such as `+800`.
    pub region: Option<Region>,
    /// The country calling code.
    pub country_code: u16,
    /// `internationalPrefix`, if the territory has one.
    pub international_prefix: Option<Pattern>,
    /// `nationalPrefixForParsing`, defaulting to `nationalPrefix` as libphonenumber does.
    pub national_prefix_for_parsing: Option<Pattern>,
    /// `nationalPrefixTransformRule`: one more than its index in the generated
    /// `TRANSFORM_RULES`, or 0 for none (a byte, not an 8-byte `Option<&str>`, in every
    /// territory's entry).
    transform_rule: u8,
    /// `generalDesc/nationalNumberPattern`.
    pub general_desc: Option<Pattern>,
    /// Bit `n` set when a national significant number of `n` digits is possible (the union
    /// over the number types, as libphonenumber computes the general description).
    pub possible_lengths: u32,
    /// Bit `n` set when `n` digits is possible only for local dialling (the generator checks
    /// that every such length is below 16).
    pub local_only_lengths: u16,
    /// Index in `TERRITORIES` of the main territory of the calling code (itself for `GB`,
    /// `US` for `CA`).
    main_territory: generated::TerritoryIndex,
}

impl Territory {
    /// What [`territory_for_country_code`] gives for this territory's calling code, without
    /// the search.
    pub(crate) fn main(&self) -> Option<&'static Territory> {
        generated::TERRITORIES.get(usize::from(self.main_territory))
    }

    /// `nationalPrefixTransformRule` (`"9$1"`): ASCII digits and `$N` group references.
    pub(crate) fn national_prefix_transform_rule(&self) -> Option<&'static str> {
        let index = usize::from(self.transform_rule).checked_sub(1)?;
        generated::TRANSFORM_RULES.get(index).copied()
    }
}

/// The fewest digits a text needs for `parse` to take it as a number written for `t` (as a
/// national number with `t` as the default region, or after `t`'s calling code): the
/// national significant number has at least the shortest length possible for the main
/// territory of the code, local-only lengths included, and every digit of it is one of the
/// text's except those `t`'s national prefix transform rule writes in (`268$1` writes 3).
/// Each character of the text gives at most one digit, letters included.
#[cfg(feature = "find")]
const fn fewest_digits(t: &Territory) -> usize {
    let territories = generated::TERRITORIES;
    let main = t.main_territory as usize;
    if main >= territories.len() {
        return 0;
    }
    let lengths = territories[main].possible_lengths | territories[main].local_only_lengths as u32;
    let shortest = lengths.trailing_zeros() as usize;
    let mut added = 0;
    let rule = t.transform_rule as usize;
    if rule > 0 && rule <= generated::TRANSFORM_RULES.len() {
        let rule = generated::TRANSFORM_RULES[rule - 1].as_bytes();
        let mut i = 0;
        while i < rule.len() {
            if rule[i] == b'$' {
                i += 1;
            } else if rule[i].is_ascii_digit() {
                added += 1;
            }
            i += 1;
        }
    }
    shortest.saturating_sub(added)
}

/// The digits of a calling code (1 to 999).
#[cfg(feature = "find")]
const fn code_digits(code: u16) -> usize {
    if code >= 100 {
        3
    } else if code >= 10 {
        2
    } else {
        1
    }
}

/// The fewest digits of any text `parse` takes as a number with a calling code written in
/// it (`+` or an international prefix): the code's digits and [`fewest_digits`] after them,
/// for the main territory of the code, whose national prefix rules then apply.
#[cfg(feature = "find")]
const FEWEST_INTERNATIONAL_DIGITS: usize = {
    let territories = generated::TERRITORIES;
    let mut fewest = usize::MAX;
    let mut i = 0;
    while i < territories.len() {
        let code = territories[i].country_code;
        let n = code_digits(code) + fewest_digits(&territories[i]);
        if territories[i].main_territory as usize == i && n < fewest {
            fewest = n;
        }
        i += 1;
    }
    fewest
};

/// The fewest digits (counting letters, which may stand for digits) of any text `parse`
/// accepts with this default region: lower bounds that let the number finder pass over the
/// short digit runs of ordinary text without parsing them.
#[cfg(feature = "find")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct FewestDigits {
    /// For any text.
    pub any: usize,
    /// For a text without a plus sign, where the calling code can only be the default
    /// region's (written as a national number, or leading the digits) or follow the
    /// region's international prefix. Without a region no such text parses.
    pub without_plus: usize,
}

/// The [`FewestDigits`] of a default region.
#[cfg(feature = "find")]
pub(crate) fn fewest_digits_to_parse(region: Option<Region>) -> FewestDigits {
    let Some(t) = region.and_then(territory_for_region) else {
        return FewestDigits {
            any: FEWEST_INTERNATIONAL_DIGITS,
            without_plus: usize::MAX,
        };
    };
    let national = fewest_digits(t);
    let code = t.country_code;
    let leading_code = t
        .main()
        .map_or(0, |main| code_digits(code) + fewest_digits(main));
    let after_prefix = t
        .international_prefix
        .map_or(Some(usize::MAX), |idd| idd.min_len())
        .map_or(0, |idd| idd.saturating_add(FEWEST_INTERNATIONAL_DIGITS));
    FewestDigits {
        any: national.min(FEWEST_INTERNATIONAL_DIGITS),
        without_plus: national.min(leading_code).min(after_prefix),
    }
}

/// Every geographic region, sorted by code.
pub(crate) static ALL_REGIONS: &[Region] = generated::REGIONS;

/// `REGION_SLOT[26 * (first - 'A') + (second - 'A')]` is one more than the region's index in
/// [`ALL_REGIONS`], or 0 for a pair of letters that is no region: a direct lookup (676
/// bytes of flash) instead of a binary search on every parse with a default region. Built at
/// compile time from the generated list, so it cannot disagree with it; a region code that is
/// not two upper-case letters, or more than 255 regions, fails the build.
static REGION_SLOT: [u8; 26 * 26] = region_slots();

const fn region_slots() -> [u8; 26 * 26] {
    let mut slots = [0u8; 26 * 26];
    let mut i = 0;
    while i < generated::REGIONS.len() {
        let [first, second] = generated::REGIONS[i].code();
        let slot = (first - b'A') as usize * 26 + (second - b'A') as usize;
        assert!(
            i < u8::MAX as usize,
            "more regions than a u8 slot can number"
        );
        slots[slot] = (i + 1) as u8;
        i += 1;
    }
    slots
}

/// The territory of a geographic region.
pub(crate) fn territory_for_region(region: Region) -> Option<&'static Territory> {
    generated::TERRITORIES
        .get(territory_index(region)?)
        // The generator pairs them; checking costs a compare and keeps a bad table from
        // answering for the wrong region.
        .filter(|t| t.region == Some(region))
}

/// The index in `TERRITORIES` of a region's territory, if the region has one: two table
/// loads, no search (the caller checks that the territory is the region's).
fn territory_index(region: Region) -> Option<usize> {
    let [first, second] = region.code();
    let slot = usize::from(first.wrapping_sub(b'A')) * 26 + usize::from(second.wrapping_sub(b'A'));
    let index = usize::from(*REGION_SLOT.get(slot)?).checked_sub(1)?;
    generated::REGION_TERRITORY
        .get(index)
        .map(|&t| usize::from(t))
}

/// The territory libphonenumber uses for numbers with this calling code: the main region
/// (`US` for 1, `GB` for 44), or the non-geographic entity.
pub(crate) fn territory_for_country_code(code: u16) -> Option<&'static Territory> {
    let entry = country_code_entry(code)?;
    generated::TERRITORIES.get(usize::from(entry.main_territory))
}

/// The regions that share a calling code, main one first; empty for non-geographic codes.
pub(crate) fn regions_for_country_code(code: u16) -> &'static [Region] {
    country_code_entry(code).map_or(&[], CountryCodeEntry::regions)
}

fn country_code_entry(code: u16) -> Option<&'static CountryCodeEntry> {
    let index = usize::from(*CODE_SLOT.get(usize::from(code))?).checked_sub(1)?;
    generated::COUNTRY_CODES
        .get(index)
        // As for regions: a compare keeps a bad table from answering for the wrong code.
        .filter(|entry| entry.code == code)
}

/// Whether any territory uses this calling code.
pub(crate) fn is_known_country_code(code: u16) -> bool {
    CODE_SLOT
        .get(usize::from(code))
        .is_some_and(|&slot| slot != 0)
}

/// Calling codes have at most three digits.
const CODE_SLOTS: usize = 1000;

/// `CODE_SLOT[code]` is one more than the code's index in the generated list of calling
/// codes, or 0 for a number that is no calling code. Every parse asks for its calling code
/// up to three times and then for its territory; a binary search there is a chain of eight
/// dependent loads on the path of every call, this table one load (1000 bytes of flash).
/// Built at compile time like [`REGION_SLOT`]; a code of four digits, or more than 255
/// codes, fails the build.
static CODE_SLOT: [u8; CODE_SLOTS] = {
    let mut slots = [0u8; CODE_SLOTS];
    let mut i = 0;
    while i < generated::COUNTRY_CODES.len() {
        let code = generated::COUNTRY_CODES[i].code as usize;
        assert!(
            code < CODE_SLOTS,
            "a calling code of more than three digits"
        );
        assert!(
            i < u8::MAX as usize,
            "more calling codes than a u8 slot can number"
        );
        slots[code] = (i + 1) as u8;
        i += 1;
    }
    slots
};

/// A calling code and the territories behind it.
#[derive(Debug)]
pub(crate) struct CountryCodeEntry {
    /// The calling code.
    pub code: u16,
    /// Index into `TERRITORIES` of the main territory for this code.
    pub main_territory: generated::TerritoryIndex,
    /// Where the regions sharing the code (main first, libphonenumber's order) start in the
    /// generated `CODE_REGIONS`, and how many there are: three bytes instead of an 8-byte
    /// slice reference.
    regions_start: u16,
    regions_len: u8,
}

impl CountryCodeEntry {
    /// Regions sharing the code, main first; empty for a non-geographic code.
    fn regions(&self) -> &'static [Region] {
        let start = usize::from(self.regions_start);
        generated::CODE_REGIONS
            .get(start..start + usize::from(self.regions_len))
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod main_tests {
    use super::*;

    #[test]
    fn main_territory_is_the_one_the_calling_code_names() {
        for t in generated::TERRITORIES {
            let searched = territory_for_country_code(t.country_code).map(core::ptr::from_ref);
            assert_eq!(
                t.main().map(core::ptr::from_ref),
                searched,
                "{:?}",
                t.region
            );
            assert_eq!(t.main().map(|m| m.country_code), Some(t.country_code));
        }
        let ca = territory_for_region("CA".parse().unwrap()).unwrap();
        assert_eq!(
            ca.main().and_then(|m| m.region),
            Some("US".parse().unwrap())
        );
    }
}
/// One territory's number types (feature `validate`), in the generated `TYPE_TABLES`, which
/// parallels `TERRITORIES`.
#[cfg(feature = "validate")]
#[derive(Debug)]
pub(crate) struct TypeTable {
    /// Offsets in `TYPE_POOL` of the entries of the number types, in the order of
    /// [`validate::TYPE_ORDER`]; 0 for a type the territory does not have.
    pub descs: [generated::TypeOffset; 10],
    /// Offset in `TYPE_POOL` of `leadingDigits`, or 0.
    pub leading_digits: generated::TypeOffset,
    /// libphonenumber's `sameMobileAndFixedLinePattern`.
    pub same_mobile_and_fixed_line: bool,
}

/// The tables behind `is_valid`, `number_type` and `region` (feature `validate`).
#[cfg(feature = "validate")]
pub(crate) mod validate {
    use super::{generated, matcher, Territory, TypeTable};
    use crate::number::Region;

    /// Number types in the order of `TypeTable::descs`: the order libphonenumber's
    /// `getNumberType` tests them in.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub(crate) enum Desc {
        PremiumRate,
        TollFree,
        SharedCost,
        Voip,
        PersonalNumber,
        Pager,
        Uan,
        Voicemail,
        FixedLine,
        Mobile,
    }

    /// Every [`Desc`], in table order.
    pub(crate) const TYPE_ORDER: [Desc; 10] = [
        Desc::PremiumRate,
        Desc::TollFree,
        Desc::SharedCost,
        Desc::Voip,
        Desc::PersonalNumber,
        Desc::Pager,
        Desc::Uan,
        Desc::Voicemail,
        Desc::FixedLine,
        Desc::Mobile,
    ];

    /// A territory with its number types; [`at`] takes its index in `TERRITORIES`.
    #[derive(Clone, Copy)]
    pub(crate) struct Types {
        pub territory: &'static Territory,
        table: &'static TypeTable,
        /// The index in `TERRITORIES` (of its automaton; firmware has none).
        #[cfg(not(target_os = "none"))]
        index: usize,
    }

    pub(crate) fn at(index: usize) -> Option<Types> {
        Some(Types {
            territory: generated::TERRITORIES.get(index)?,
            table: generated::TYPE_TABLES.get(index)?,
            #[cfg(not(target_os = "none"))]
            index,
        })
    }

    /// The types of a region's territory: two table loads, no search.
    pub(crate) fn for_region(region: Region) -> Option<Types> {
        at(super::territory_index(region)?).filter(|t| t.territory.region == Some(region))
    }

    /// The types of the main territory of a calling code (the non-geographic entity for
    /// `+800`), and the code's regions (main one first; none for a non-geographic code).
    pub(crate) fn for_country_code(code: u16) -> Option<(Types, &'static [Region])> {
        let entry = super::country_code_entry(code)?;
        let main =
            at(usize::from(entry.main_territory)).filter(|t| t.territory.country_code == code)?;
        Some((main, entry.regions()))
    }

    /// A `TYPE_POOL` offset as an index. The generator picks `u16` or, for a pool over
    /// 64 KiB, `u32`; both fit `usize` on every target the crate builds for.
    #[allow(clippy::cast_possible_truncation)]
    const fn offset(o: generated::TypeOffset) -> usize {
        o as usize
    }

    /// Runs a pattern of `TYPE_POOL` at `offset`.
    fn run(offset: usize, digits: &[u8], full: bool) -> bool {
        generated::TYPE_POOL.get(offset..).is_some_and(|pattern| {
            matcher::run_in::<{ generated::TYPE_MEMO_WORDS }, { generated::TYPE_MAX_STACK }, 0>(
                pattern, digits, full,
            )
            .is_some()
        })
    }

    /// [`Types::automaton`] of the automaton at `at` in `TYPE_DFA`.
    #[cfg(not(target_os = "none"))]
    fn run_automaton(at: u32, nsn: &[u8]) -> Option<(usize, u8)> {
        match generated::TYPE_DFA
            .get(usize::try_from(at).ok()?..)?
            .split_first()?
        {
            (2, rows) => walk::<2>(rows, nsn),
            (_, rows) => walk::<4>(rows, nsn),
        }
    }

    /// The number type (`NumberType`'s discriminant) of `nsn` under a calling code of one
    /// territory, read straight from the code's automaton; `None` for a shared code. Not on
    /// firmware.
    #[cfg(not(target_os = "none"))]
    pub(crate) fn single_territory_type(code: u16, nsn: &[u8]) -> Option<u8> {
        let at = *generated::TYPE_DFA_BY_CODE.get(usize::from(code))?;
        run_automaton(at, nsn).map(|(_, label)| label)
    }

    /// [`Types::automaton`] on rows whose offsets are `W` bytes.
    #[cfg(not(target_os = "none"))]
    fn walk<const W: usize>(rows: &[u8], nsn: &[u8]) -> Option<(usize, u8)> {
        let read = |at: usize| -> Option<usize> {
            let bytes: [u8; W] = rows.get(at..at + W)?.try_into().ok()?;
            let mut wide = [0u8; 4];
            wide[..W].copy_from_slice(&bytes);
            usize::try_from(u32::from_le_bytes(wide)).ok()
        };
        let row_len = 11 * W + 2;
        // The dead state's row leads to itself, so the walk needs no early exit; the start's
        // row is the second.
        let mut row = row_len;
        let mut rest = nsn;
        while let Some((&d, after)) = rest.split_first() {
            let skip = usize::from(*rows.get(row + 10 * W + 1)?);
            match rest.get(skip..) {
                Some(beyond) if skip > 0 => {
                    row = read(row + 10 * W + 2)?;
                    rest = beyond;
                }
                _ => {
                    row = read(row + W * usize::from(d.wrapping_sub(b'0')))?;
                    rest = after;
                }
            }
        }
        Some((row, *rows.get(row + 10 * W)?))
    }

    impl Types {
        /// The state of the territory's automaton in `TYPE_DFA` after `nsn` (ASCII digits),
        /// as the offset of its row (0 is the dead state, from which no digits that follow
        /// make a number of any type), and the number type of a number that ends there
        /// (`NumberType`'s discriminant, 11 for unknown): one table read per digit, or per
        /// run of digits any of which lead the same way (a row's skip). Not on firmware
        /// (`target_os = "none"`), where the patterns run on the matcher instead, in less
        /// flash.
        #[cfg(not(target_os = "none"))]
        pub(crate) fn automaton(self, nsn: &[u8]) -> Option<(usize, u8)> {
            run_automaton(*generated::TYPE_DFA_AT.get(self.index)?, nsn)
        }

        /// Whether the type's own possible lengths (when it lists them) allow `len`; false
        /// for a type the territory does not have.
        fn type_lengths_allow(self, desc: Desc, len: usize) -> bool {
            let offset = offset(self.table.descs[desc as usize]);
            if offset == 0 {
                return false;
            }
            let Some(&[lo, mid, hi]) = generated::TYPE_POOL.get(offset..offset + 3) else {
                return false;
            };
            let lengths = u32::from_le_bytes([lo, mid, hi, 0]);
            lengths == 0 || (len < 24 && lengths & (1 << len) != 0)
        }

        /// Whether the territory's possible lengths (when it lists them) allow `len`.
        fn lengths_allow(self, len: usize) -> bool {
            let lengths = self.territory.possible_lengths;
            lengths == 0 || (len < 32 && lengths & (1 << len) != 0)
        }

        /// libphonenumber's `isNumberMatchingDesc` on the matcher: the length among the
        /// type's possible lengths (when it lists its own), and the whole number matching its
        /// pattern. (Firmware's way; elsewhere the tests check the automata against it.)
        #[cfg_attr(all(not(target_os = "none"), not(test)), allow(dead_code))]
        pub(crate) fn matches(self, desc: Desc, nsn: &[u8]) -> bool {
            self.type_lengths_allow(desc, nsn.len())
                && run(offset(self.table.descs[desc as usize]) + 3, nsn, true)
        }

        /// The general description on the matcher: the territory's possible lengths and its
        /// pattern.
        #[cfg_attr(all(not(target_os = "none"), not(test)), allow(dead_code))]
        pub(crate) fn matches_general(self, nsn: &[u8]) -> bool {
            self.lengths_allow(nsn.len())
                && self
                    .territory
                    .general_desc
                    .is_some_and(|p| p.full_match(nsn))
        }

        /// Whether `leadingDigits` matches the start of the number; `None` when the
        /// territory has none.
        pub(crate) fn leading_digits_match(self, nsn: &[u8]) -> Option<bool> {
            let offset = offset(self.table.leading_digits);
            (offset != 0).then(|| run(offset, nsn, false))
        }

        /// libphonenumber's `sameMobileAndFixedLinePattern`.
        pub(crate) fn same_mobile_and_fixed_line(self) -> bool {
            self.table.same_mobile_and_fixed_line
        }
    }

    #[cfg(all(test, not(target_os = "none")))]
    mod tests {
        use super::*;

        #[test]
        fn each_code_of_one_territory_names_that_territorys_automaton() {
            let mut single = 0;
            for code in 0..1000u16 {
                let by_code = generated::TYPE_DFA_BY_CODE[usize::from(code)];
                match super::super::country_code_entry(code) {
                    Some(entry) if entry.regions().len() <= 1 => {
                        let main = usize::from(entry.main_territory);
                        assert_eq!(by_code, generated::TYPE_DFA_AT[main], "+{code}");
                        single += 1;
                    }
                    _ => assert_eq!(by_code, u32::MAX, "+{code}"),
                }
            }
            assert!(single > 150);
        }
    }
}

/// The number formats of a calling code (feature `format`), in the generated `FORMAT_CODES`,
/// which parallels `COUNTRY_CODES`.
#[cfg(feature = "format")]
#[derive(Debug)]
pub(crate) struct FormatCode {
    /// Where the formats of the code's main territory start in `NUMBER_FORMATS`.
    pub formats_start: u16,
    /// How many there are.
    pub formats_len: u8,
    /// Index in `EXTN_PREFIXES` of the text written before an extension.
    pub extn_prefix: u8,
}

/// One `numberFormat` (feature `format`).
#[cfg(feature = "format")]
#[derive(Debug)]
pub(crate) struct NumberFormat {
    /// Offset in `FORMAT_POOL` of the pattern, with its capture groups.
    pub pattern: u16,
    /// Offset in `FORMAT_POOL` of the last `leadingDigits` pattern, or 0 for none.
    pub leading_digits: u16,
    /// The NATIONAL template's number in `TEMPLATE_STARTS`.
    pub national: u8,
    /// The INTERNATIONAL template's number, or `u8::MAX` when the format is not used for
    /// INTERNATIONAL (`intlFormat` `NA`).
    pub international: u8,
}

/// The tables behind `PhoneNumber::format` (feature `format`).
#[cfg(feature = "format")]
pub(crate) mod format {
    use core::ops::Range;

    use super::{generated, matcher, NumberFormat};

    /// Longest formatted national significant number any template writes.
    pub(crate) const MAX_FORMATTED_NSN_LEN: usize = generated::MAX_FORMATTED_NSN_LEN;
    /// Longest text before an extension (libphonenumber's `" ext. "` or a territory's own).
    pub(crate) const MAX_EXTN_PREFIX_LEN: usize = generated::MAX_EXTN_PREFIX_LEN;
    /// Most capture groups of a format pattern.
    pub(crate) const MAX_GROUPS: usize = generated::FORMAT_MAX_GROUPS;
    const SLOTS: usize = 2 * MAX_GROUPS;

    /// What formatting a number of one calling code reads: the formats of the code's main
    /// territory, in file order, and the text before an extension.
    pub(crate) struct Formats {
        pub formats: &'static [NumberFormat],
        pub extn_prefix: &'static str,
        /// Where `formats` starts in the generated list, for the per-format bits.
        #[cfg(feature = "find")]
        pub start: usize,
    }

    #[cfg(feature = "find")]
    impl Formats {
        /// Whether a number written nationally that takes format `i` of the list must carry
        /// the national prefix (libphonenumber's matcher reads the national prefix
        /// formatting rule and `nationalPrefixOptionalWhenFormatting` for this).
        pub(crate) fn national_prefix_required(&self, i: usize) -> bool {
            let bit = self.start + i;
            generated::NATIONAL_PREFIX_REQUIRED
                .get(bit / 8)
                .is_some_and(|b| b & (1 << (bit % 8)) != 0)
        }
    }

    /// The formats of a calling code's main territory (the non-geographic entity for
    /// `+800`): whose formats libphonenumber uses for every region of the code.
    pub(crate) fn for_country_code(code: u16) -> Option<Formats> {
        let index = usize::from(*super::CODE_SLOT.get(usize::from(code))?).checked_sub(1)?;
        let entry = generated::FORMAT_CODES.get(index)?;
        let start = usize::from(entry.formats_start);
        Some(Formats {
            formats: generated::NUMBER_FORMATS
                .get(start..start + usize::from(entry.formats_len))?,
            extn_prefix: generated::EXTN_PREFIXES
                .get(usize::from(entry.extn_prefix))
                .copied()?,
            #[cfg(feature = "find")]
            start,
        })
    }

    /// Runs a pattern of `FORMAT_POOL` at `offset`.
    fn run(offset: u16, digits: &[u8], full: bool) -> Option<matcher::Outcome<SLOTS>> {
        let pattern = generated::FORMAT_POOL.get(usize::from(offset)..)?;
        matcher::run_in::<{ generated::FORMAT_MEMO_WORDS }, { generated::FORMAT_MAX_STACK }, SLOTS>(
            pattern, digits, full,
        )
    }

    /// Template number `n`: its bytes, printable ASCII and group references 1 to 9.
    fn template(n: u8) -> Option<&'static [u8]> {
        let start = usize::from(*generated::TEMPLATE_STARTS.get(usize::from(n))?);
        let len = usize::from(*generated::FORMAT_TEMPLATES.get(start)?);
        generated::FORMAT_TEMPLATES.get(start + 1..start + 1 + len)
    }

    /// The groups of a full match: spans of the national number, `None` for a group that
    /// took no part (none can, in the patterns the generator accepts).
    pub(crate) type Groups = [Option<Range<usize>>; MAX_GROUPS];

    impl NumberFormat {
        /// Whether the pattern's shortest and longest match (its header's bytes 2 and 0)
        /// admit `len` digits: a check of two bytes that spares the leading digits' run for
        /// most formats of a country, which are for other lengths.
        pub(crate) fn admits_length(&self, len: usize) -> bool {
            let start = usize::from(self.pattern);
            match generated::FORMAT_POOL.get(start..start + 3) {
                Some(&[max, _, min]) => (usize::from(min)..=usize::from(max)).contains(&len),
                _ => false,
            }
        }

        /// Whether the last `leadingDigits` pattern matches the start of the number (a
        /// format without one takes every number).
        pub(crate) fn leading_digits_match(&self, nsn: &[u8]) -> bool {
            self.leading_digits == 0 || run(self.leading_digits, nsn, false).is_some()
        }

        /// The groups, when the pattern matches the whole number.
        pub(crate) fn full_match(&self, nsn: &[u8]) -> Option<Groups> {
            let (_, groups, slots) = run(self.pattern, nsn, true)?;
            let mut out: Groups = Default::default();
            for (i, group) in out.iter_mut().enumerate().take(usize::from(groups)) {
                let (start, end) = (*slots.get(2 * i)?, *slots.get(2 * i + 1)?);
                if start != u8::MAX && end != u8::MAX && start <= end {
                    *group = Some(usize::from(start)..usize::from(end));
                }
            }
            Some(out)
        }

        /// The NATIONAL template (the national prefix formatting rule applied).
        pub(crate) fn national_template(&self) -> Option<&'static [u8]> {
            template(self.national)
        }

        /// The INTERNATIONAL template; `None` when the format is not for INTERNATIONAL.
        pub(crate) fn international_template(&self) -> Option<&'static [u8]> {
            (self.international != u8::MAX)
                .then(|| template(self.international))
                .flatten()
        }
    }
}
