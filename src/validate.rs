//! Validity, number types and the region of a number (feature `validate`): libphonenumber's
//! `isValidNumber`, `getNumberType` and `getRegionCodeForNumber`.
//!
//! A [`PhoneNumber`] from [`parse`](crate::parse) has a *possible* length for its country;
//! these methods go further and test it against the number-type patterns of the metadata,
//! with libphonenumber's order and rules. Off firmware the generator has compiled each
//! territory's patterns, with their lengths, into one digit automaton whose states carry the
//! number type, so a call reads the number once; on firmware (`target_os = "none"`), where
//! those tables would cost six times the patterns' flash, the patterns run in order on the same
//! bounded matcher as parsing. Both give the same answers (the tests compare them on every
//! territory). Nothing allocates. The tables are compiled in only with the feature, so
//! firmware that only normalizes keeps its size.
//!
//! ```
//! use phonetoken::{parse, NumberType};
//!
//! let number = parse("+1 800 234 5678", None)?;
//! assert!(number.is_valid());
//! assert_eq!(number.number_type(), NumberType::TollFree);
//! assert_eq!(number.region(), Some("US".parse()?));
//!
//! // A possible length is not enough: no area code starts with 1 in the plan.
//! let number = parse("+1 123 456 7890", None)?;
//! assert!(!number.is_valid());
//! assert_eq!(number.number_type(), NumberType::Unknown);
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

use core::fmt;

use crate::metadata::validate::{self as tables, Desc, Types};
use crate::number::{PhoneNumber, Region};

/// The kind of a number, as libphonenumber's `PhoneNumberType` names it.
///
/// [`PhoneNumber::number_type`] gives it; [`as_str`](NumberType::as_str) is
/// libphonenumber's name for it.
///
/// ```
/// use phonetoken::{parse, NumberType};
///
/// let mobile = parse("07400 123456", Some("GB".parse()?))?;
/// assert_eq!(mobile.number_type(), NumberType::Mobile);
/// assert_eq!(NumberType::Mobile.as_str(), "MOBILE");
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[non_exhaustive]
pub enum NumberType {
    /// A fixed (landline) number.
    FixedLine,
    /// A mobile number.
    Mobile,
    /// A number the metadata cannot tell apart as fixed or mobile (the United States, where
    /// both share the same patterns).
    FixedLineOrMobile,
    /// A free-phone number.
    TollFree,
    /// A premium-rate number.
    PremiumRate,
    /// A number whose cost is split between caller and recipient.
    SharedCost,
    /// A voice-over-IP number.
    Voip,
    /// A personal number, routed to wherever its owner chooses.
    PersonalNumber,
    /// A pager number.
    Pager,
    /// A universal access number (a company's number, routed to one of its offices).
    Uan,
    /// A voicemail access number.
    Voicemail,
    /// Matches no number type: the number is not valid.
    Unknown,
}

impl NumberType {
    /// libphonenumber's name of the type (`FIXED_LINE`, `MOBILE`, …, `UNKNOWN`).
    ///
    /// ```
    /// use phonetoken::NumberType;
    ///
    /// assert_eq!(NumberType::FixedLineOrMobile.as_str(), "FIXED_LINE_OR_MOBILE");
    /// assert_eq!(NumberType::Uan.to_string(), "UAN");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            NumberType::FixedLine => "FIXED_LINE",
            NumberType::Mobile => "MOBILE",
            NumberType::FixedLineOrMobile => "FIXED_LINE_OR_MOBILE",
            NumberType::TollFree => "TOLL_FREE",
            NumberType::PremiumRate => "PREMIUM_RATE",
            NumberType::SharedCost => "SHARED_COST",
            NumberType::Voip => "VOIP",
            NumberType::PersonalNumber => "PERSONAL_NUMBER",
            NumberType::Pager => "PAGER",
            NumberType::Uan => "UAN",
            NumberType::Voicemail => "VOICEMAIL",
            NumberType::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for NumberType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The type each of the first eight descriptions gives; fixed line and mobile are decided
/// together after them.
#[cfg_attr(all(not(target_os = "none"), not(test)), allow(dead_code))]
const fn type_of(desc: Desc) -> NumberType {
    match desc {
        Desc::PremiumRate => NumberType::PremiumRate,
        Desc::TollFree => NumberType::TollFree,
        Desc::SharedCost => NumberType::SharedCost,
        Desc::Voip => NumberType::Voip,
        Desc::PersonalNumber => NumberType::PersonalNumber,
        Desc::Pager => NumberType::Pager,
        Desc::Uan => NumberType::Uan,
        Desc::Voicemail => NumberType::Voicemail,
        Desc::FixedLine => NumberType::FixedLine,
        Desc::Mobile => NumberType::Mobile,
    }
}

/// Every [`NumberType`] by its discriminant, the generator's numbering of the automata's
/// labels (`xtask`'s `number_type`).
#[cfg(not(target_os = "none"))]
const NUMBER_TYPES: [NumberType; 12] = [
    NumberType::FixedLine,
    NumberType::Mobile,
    NumberType::FixedLineOrMobile,
    NumberType::TollFree,
    NumberType::PremiumRate,
    NumberType::SharedCost,
    NumberType::Voip,
    NumberType::PersonalNumber,
    NumberType::Pager,
    NumberType::Uan,
    NumberType::Voicemail,
    NumberType::Unknown,
];

/// The [`NumberType`] of an automaton's label.
#[cfg(not(target_os = "none"))]
fn number_type_of(label: u8) -> NumberType {
    NUMBER_TYPES
        .get(usize::from(label))
        .copied()
        .unwrap_or(NumberType::Unknown)
}

/// libphonenumber's `getNumberType` of a national number in a territory. `exact` asks, for
/// a fixed line, whether it is a mobile too; `is_valid` does not need to know. Off firmware
/// the territory's automaton answers in one pass (exactly: the labels are this
/// classification of the patterns' matches, made by the generator); on firmware the
/// patterns run on the matcher.
fn classify(types: Types, nsn: &[u8], exact: bool) -> NumberType {
    #[cfg(not(target_os = "none"))]
    {
        let _ = exact;
        types
            .automaton(nsn)
            .map_or(NumberType::Unknown, |(_, label)| number_type_of(label))
    }
    #[cfg(target_os = "none")]
    classify_on_matcher(types, nsn, exact)
}

/// [`classify`] on the matcher: libphonenumber's `getNumberTypeHelper`, the general
/// description, then the types in its order, each pattern run when asked. With `exact` false
/// the answer only has to be right about `Unknown` or not (`isValidNumber`), so a fixed-line
/// match is not tested for mobile too.
#[cfg_attr(all(not(target_os = "none"), not(test)), allow(dead_code))]
fn classify_on_matcher(types: Types, nsn: &[u8], exact: bool) -> NumberType {
    if !types.matches_general(nsn) {
        return NumberType::Unknown;
    }
    for &desc in &tables::TYPE_ORDER[..8] {
        if types.matches(desc, nsn) {
            return type_of(desc);
        }
    }
    let same = types.same_mobile_and_fixed_line();
    if types.matches(Desc::FixedLine, nsn) {
        return if same || (exact && types.matches(Desc::Mobile, nsn)) {
            NumberType::FixedLineOrMobile
        } else {
            NumberType::FixedLine
        };
    }
    if !same && types.matches(Desc::Mobile, nsn) {
        return NumberType::Mobile;
    }
    NumberType::Unknown
}

/// libphonenumber's `getRegionCodeForNumber` for the national number `nsn` under calling code
/// `code`, as the territory whose patterns then decide;
/// with the type when finding the territory already computed it.
fn territory(code: u16, nsn: &[u8]) -> Option<(Types, Option<NumberType>)> {
    match tables::for_country_code(code)? {
        // A code of one region, or a non-geographic code (`+800`, region "001"): its main
        // territory.
        (main, [] | [_]) => Some((main, None)),
        // Shared codes (`+1`, `+44`, `+7`, …): the first region, main one first, whose
        // leading digits match, or, for a region without them, whose patterns take the
        // number.
        (_, shared) => shared.iter().find_map(|&region| {
            let types = tables::for_region(region)?;
            match types.leading_digits_match(nsn) {
                Some(true) => Some((types, None)),
                Some(false) => None,
                None => {
                    let found = classify(types, nsn, true);
                    (found != NumberType::Unknown).then_some((types, Some(found)))
                }
            }
        }),
    }
}

impl PhoneNumber {
    /// Whether the number matches one of its region's number-type patterns: libphonenumber's
    /// `isValidNumber` (feature `validate`).
    ///
    /// A valid number is one the numbering plan could have assigned; whether it is in use no
    /// one can tell from the digits.
    ///
    /// ```
    /// use phonetoken::parse;
    ///
    /// assert!(parse("+44 20 7946 0958", None)?.is_valid());
    /// // Possible (ten digits after +44) but in no range of the UK's plan.
    /// assert!(!parse("+44 10 7946 0958", None)?.is_valid());
    /// # Ok::<(), phonetoken::ParseError>(())
    /// ```
    pub fn is_valid(&self) -> bool {
        self.classified(false) != NumberType::Unknown
    }

    /// The number's type: libphonenumber's `getNumberType` (feature `validate`);
    /// [`NumberType::Unknown`] exactly when the number is not [valid](Self::is_valid).
    ///
    /// ```
    /// use phonetoken::{parse, NumberType};
    ///
    /// assert_eq!(parse("+44 20 7946 0958", None)?.number_type(), NumberType::FixedLine);
    /// assert_eq!(parse("+1 201 555 0123", None)?.number_type(), NumberType::FixedLineOrMobile);
    /// assert_eq!(parse("+800 1234 5678", None)?.number_type(), NumberType::TollFree);
    /// # Ok::<(), phonetoken::ParseError>(())
    /// ```
    pub fn number_type(&self) -> NumberType {
        self.classified(true)
    }

    /// The type from the territory [`territory`] finds, reusing its answer when it had to
    /// classify the number; `exact` as for [`classify`].
    fn classified(&self, exact: bool) -> NumberType {
        let (code, nsn) = (self.country_code().get(), self.national_digits());
        // A code of one territory (most of them) needs no territory lookup.
        #[cfg(not(target_os = "none"))]
        if let Some(label) = tables::single_territory_type(code, nsn) {
            return number_type_of(label);
        }
        match territory(code, nsn) {
            Some((_, Some(found))) => found,
            Some((types, None)) => classify(types, nsn, exact),
            None => NumberType::Unknown,
        }
    }

    /// The region the number belongs to: libphonenumber's `getRegionCodeForNumber` (feature
    /// `validate`).
    ///
    /// For a calling code of one region, that region, valid number or not. For a shared code
    /// (`+1`, `+44`, `+7`, …), the first region (the main one first) whose leading digits
    /// match the number, or whose number types take it; `None` when none does. `None` also
    /// for a non-geographic code such as `+800`, where libphonenumber answers "001"
    /// ([`CountryCode::is_non_geographic`](crate::CountryCode::is_non_geographic) tells the
    /// two apart).
    ///
    /// ```
    /// use phonetoken::parse;
    ///
    /// let toronto = parse("+1 416 555 0123", None)?;
    /// assert_eq!(toronto.region(), Some("CA".parse()?));
    /// let jersey = parse("+44 7797 123456", None)?;
    /// assert_eq!(jersey.region(), Some("JE".parse()?));
    /// assert_eq!(parse("+800 1234 5678", None)?.region(), None);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn region(&self) -> Option<Region> {
        territory(self.country_code().get(), self.national_digits())
            .and_then(|(types, _)| types.territory.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_order_is_the_table_order() {
        for (i, desc) in tables::TYPE_ORDER.iter().enumerate() {
            assert_eq!(*desc as usize, i);
        }
    }

    /// Every territory's automaton against its patterns on the matcher, on random walks that
    /// mostly stay where a number of some type can still end, every prefix of each walk
    /// compared, both ways.
    #[cfg(not(target_os = "none"))]
    #[test]
    fn the_automata_agree_with_the_patterns() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut random = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut territories, mut reached) = (0, 0);
        while let Some(types) = tables::at(territories) {
            territories += 1;
            let mut valid = false;
            for _ in 0..24 {
                let mut nsn = [0u8; 17];
                for len in 1..=nsn.len() {
                    let r = random();
                    let live: std::vec::Vec<u8> = (b'0'..=b'9')
                        .filter(|&d| {
                            nsn[len - 1] = d;
                            types.automaton(&nsn[..len]).is_some_and(|(s, _)| s != 0)
                        })
                        .collect();
                    // One step in eight, or when nothing lives, any digit.
                    nsn[len - 1] = match live.len() {
                        0 => b'0' + (r % 10) as u8,
                        n if r % 8 != 0 => live[(r >> 8) as usize % n],
                        _ => b'0' + ((r >> 16) % 10) as u8,
                    };
                    let digits = &nsn[..len];
                    let want = classify_on_matcher(types, digits, true);
                    assert_eq!(
                        classify(types, digits, true),
                        want,
                        "territory {territories}, {digits:?}"
                    );
                    assert_eq!(
                        classify(types, digits, false) == NumberType::Unknown,
                        classify_on_matcher(types, digits, false) == NumberType::Unknown,
                    );
                    valid |= want != NumberType::Unknown;
                }
            }
            reached += usize::from(valid);
        }
        // The walks reach whole numbers, not only dead ends, in nearly every territory.
        assert!(territories > 200);
        assert!(
            reached * 10 > territories * 9,
            "numbers in {reached} territories of {territories}"
        );
    }

    #[test]
    fn names_are_libphonenumbers() {
        assert_eq!(NumberType::PersonalNumber.as_str(), "PERSONAL_NUMBER");
        assert_eq!(std::format!("{:>8}", NumberType::Voip), "    VOIP");
    }
}
