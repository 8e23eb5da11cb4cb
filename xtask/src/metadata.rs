//! Reads `PhoneNumberMetadata.xml` into the values parsing to E.164 needs, the way
//! libphonenumber's build tool derives them.

use std::collections::BTreeSet;

/// One `<territory>`.
#[derive(Debug, Clone)]
pub struct Territory {
    /// `id`: a region code, or `001` for a non-geographic entity.
    pub id: String,
    pub country_code: u16,
    pub main_country_for_code: bool,
    pub international_prefix: Option<String>,
    /// `nationalPrefixForParsing`, or `nationalPrefix` when that attribute is absent.
    pub national_prefix_for_parsing: Option<String>,
    pub national_prefix_transform_rule: Option<String>,
    pub general_desc: Option<String>,
    pub possible_lengths: BTreeSet<u8>,
    pub local_only_lengths: BTreeSet<u8>,
    /// `leadingDigits`: which numbers of a shared calling code belong to this territory.
    pub leading_digits: Option<String>,
    /// The number types of [`TYPES`], in that order; `None` where the territory has no
    /// element for the type.
    pub types: Vec<Option<TypeDesc>>,
    /// `nationalPrefix` as written (formatting puts it where a rule says `$NP`).
    pub national_prefix: Option<String>,
    /// The territory's `nationalPrefixFormattingRule`, as written: the rule of every
    /// `numberFormat` that has none of its own.
    pub national_prefix_formatting_rule: Option<String>,
    /// The territory's `nationalPrefixOptionalWhenFormatting`: the default of its formats.
    pub national_prefix_optional_when_formatting: bool,
    /// `preferredExtnPrefix`: what formatting writes before an extension instead of
    /// `" ext. "`.
    pub preferred_extn_prefix: Option<String>,
    /// `availableFormats/numberFormat`, in file order.
    pub number_formats: Vec<NumberFormat>,
}

/// One `numberFormat` element, as written (patterns without whitespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    /// `pattern`: the groups the national significant number is cut into.
    pub pattern: String,
    /// The last `leadingDigits` element, the only one formatting reads; `None` without any.
    pub leading_digits: Option<String>,
    /// `format`: `$1 $2-$3`.
    pub format: String,
    /// `intlFormat`: `None` without one, `Some("NA")` for "not in international format".
    pub intl_format: Option<String>,
    /// `nationalPrefixFormattingRule` of this element, as written.
    pub national_prefix_formatting_rule: Option<String>,
    /// `nationalPrefixOptionalWhenFormatting` of this element; `None` takes the territory's.
    pub national_prefix_optional_when_formatting: Option<bool>,
}

impl Territory {
    /// libphonenumber's `sameMobileAndFixedLinePattern`: both types absent, or both present
    /// with the same pattern text.
    pub fn same_mobile_and_fixed_line(&self) -> bool {
        let fixed = self.types.get(TYPES.len() - 2).and_then(Option::as_ref);
        let mobile = self.types.get(TYPES.len() - 1).and_then(Option::as_ref);
        match (fixed, mobile) {
            (None, None) => true,
            (Some(f), Some(m)) => f.pattern == m.pattern,
            _ => false,
        }
    }
}

/// One number type's description, as libphonenumber's build tool compiles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDesc {
    /// `nationalNumberPattern`; an element without one matches nothing.
    pub pattern: Option<String>,
    /// `possibleLengths/@national`, as listed (the Python port keeps them even where they
    /// equal the general description's, which Java's build leaves out: the answers are the
    /// same, since a number has passed the general description first). Empty means no
    /// length check, as in libphonenumber.
    pub lengths: BTreeSet<u8>,
}

/// The number types, in the order libphonenumber's `getNumberType` tests them (the last two,
/// fixed line and mobile, it tests together).
pub const TYPES: [&str; 10] = [
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

/// Number types whose lengths do not count towards the general description's lengths
/// (libphonenumber drops `noInternationalDialling`: it has no matching number type).
const EXCLUDED_DESCS: &[&str] = &["noInternationalDialling"];

/// libphonenumber strips every whitespace character from patterns.
pub fn strip_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn attr(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    node.attribute(name).map(strip_whitespace)
}

/// Parses a `possibleLengths` attribute such as `[4-6],8`.
fn parse_lengths(text: &str, id: &str) -> Result<BTreeSet<u8>, String> {
    let mut out = BTreeSet::new();
    let text = strip_whitespace(text);
    if text.is_empty() {
        return Ok(out);
    }
    let bad = || format!("territory {id}: bad possibleLengths {text:?}");
    for part in text.split(',') {
        if let Some(range) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
            let (lo, hi) = range.split_once('-').ok_or_else(bad)?;
            let lo: u8 = lo.parse().map_err(|_| bad())?;
            let hi: u8 = hi.parse().map_err(|_| bad())?;
            if lo >= hi {
                return Err(bad());
            }
            out.extend(lo..=hi);
        } else if part == "-1" {
            // "no numbers of this type": contributes nothing.
        } else {
            out.insert(part.parse().map_err(|_| bad())?);
        }
    }
    if out.iter().any(|&n| n == 0 || n > 31) {
        return Err(bad());
    }
    Ok(out)
}

/// The text of the only child element `name` of `node`, if there is one.
fn only_child_text(
    node: roxmltree::Node<'_, '_>,
    name: &str,
    id: &str,
) -> Result<Option<String>, String> {
    let mut found = node.children().filter(|n| n.has_tag_name(name));
    let Some(first) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(format!("territory {id}: a numberFormat with two <{name}>"));
    }
    Ok(Some(first.text().unwrap_or("").to_owned()))
}

/// A territory's `availableFormats`, in file order.
fn parse_number_formats(
    territory: roxmltree::Node<'_, '_>,
    id: &str,
) -> Result<Vec<NumberFormat>, String> {
    let mut out = Vec::new();
    let lists: Vec<_> = territory
        .children()
        .filter(|n| n.has_tag_name("availableFormats"))
        .collect();
    if lists.len() > 1 {
        return Err(format!("territory {id}: two <availableFormats>"));
    }
    for element in lists
        .iter()
        .flat_map(|l| l.children().filter(|n| n.has_tag_name("numberFormat")))
    {
        let pattern = attr(element, "pattern")
            .ok_or_else(|| format!("territory {id}: a numberFormat without a pattern"))?;
        let format = only_child_text(element, "format", id)?
            .ok_or_else(|| format!("territory {id}: numberFormat {pattern:?} has no <format>"))?;
        let leading_digits = element
            .children()
            .rfind(|n| n.has_tag_name("leadingDigits"))
            .map(|n| strip_whitespace(n.text().unwrap_or("")));
        out.push(NumberFormat {
            intl_format: only_child_text(element, "intlFormat", id)?,
            national_prefix_formatting_rule: element
                .attribute("nationalPrefixFormattingRule")
                .map(str::to_owned),
            national_prefix_optional_when_formatting: element
                .attribute("nationalPrefixOptionalWhenFormatting")
                .map(|v| v == "true"),
            pattern,
            leading_digits,
            format,
        });
    }
    Ok(out)
}

/// Parses the whole document.
pub fn parse(xml: &str) -> Result<Vec<Territory>, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, options).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for t in doc.descendants().filter(|n| n.has_tag_name("territory")) {
        let id = t.attribute("id").ok_or("territory without id")?.to_owned();
        let country_code = t
            .attribute("countryCode")
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("territory {id}: bad countryCode"))?;
        let national_prefix = attr(t, "nationalPrefix");
        let general_desc = t
            .children()
            .find(|n| n.has_tag_name("generalDesc"))
            .and_then(|g| {
                g.children()
                    .find(|n| n.has_tag_name("nationalNumberPattern"))
            })
            .and_then(|p| p.text())
            .map(strip_whitespace);
        let mut possible = BTreeSet::new();
        let mut local_only = BTreeSet::new();
        for desc in t.children().filter(|n| n.is_element()) {
            let name = desc.tag_name().name();
            let lengths: Vec<_> = desc
                .children()
                .filter(|n| n.has_tag_name("possibleLengths"))
                .collect();
            if name == "generalDesc" && !lengths.is_empty() {
                return Err(format!("territory {id}: generalDesc must not list lengths"));
            }
            if EXCLUDED_DESCS.contains(&name) {
                continue;
            }
            for l in lengths {
                possible.extend(parse_lengths(l.attribute("national").unwrap_or(""), &id)?);
                local_only.extend(parse_lengths(l.attribute("localOnly").unwrap_or(""), &id)?);
            }
        }
        local_only.retain(|n| !possible.contains(n));
        let mut types = Vec::with_capacity(TYPES.len());
        for name in TYPES {
            let mut found = t.children().filter(|n| n.has_tag_name(name));
            let Some(desc) = found.next() else {
                types.push(None);
                continue;
            };
            if found.next().is_some() {
                return Err(format!("territory {id}: two <{name}> elements"));
            }
            let pattern = desc
                .children()
                .find(|n| n.has_tag_name("nationalNumberPattern"))
                .and_then(|p| p.text())
                .map(strip_whitespace);
            let mut lengths = BTreeSet::new();
            for l in desc
                .children()
                .filter(|n| n.has_tag_name("possibleLengths"))
            {
                lengths.extend(parse_lengths(l.attribute("national").unwrap_or(""), &id)?);
            }
            if let Some(n) = lengths.iter().find(|n| !possible.contains(n)) {
                return Err(format!(
                    "territory {id}: <{name}> has length {n}, which no number type gives"
                ));
            }
            types.push(Some(TypeDesc { pattern, lengths }));
        }
        let number_formats = parse_number_formats(t, &id)?;
        out.push(Territory {
            national_prefix: t.attribute("nationalPrefix").map(str::to_owned),
            national_prefix_formatting_rule: t
                .attribute("nationalPrefixFormattingRule")
                .map(str::to_owned),
            national_prefix_optional_when_formatting: t
                .attribute("nationalPrefixOptionalWhenFormatting")
                == Some("true"),
            preferred_extn_prefix: t.attribute("preferredExtnPrefix").map(str::to_owned),
            number_formats,
            leading_digits: attr(t, "leadingDigits"),
            types,
            country_code,
            main_country_for_code: t.attribute("mainCountryForCode") == Some("true"),
            international_prefix: attr(t, "internationalPrefix"),
            national_prefix_for_parsing: attr(t, "nationalPrefixForParsing")
                .or(national_prefix)
                .filter(|s| !s.is_empty()),
            national_prefix_transform_rule: attr(t, "nationalPrefixTransformRule"),
            general_desc,
            possible_lengths: possible,
            local_only_lengths: local_only,
            id,
        });
    }
    if out.is_empty() {
        return Err("no <territory> elements".into());
    }
    Ok(out)
}
