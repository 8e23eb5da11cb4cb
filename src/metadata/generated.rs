// PLACEHOLDER until xtask writes the real tables.
use super::{CountryCodeEntry, Territory};
use crate::number::Region;

pub(super) const LIBPHONENUMBER_VERSION: &str = "9.0.35";
pub(super) static REGIONS: &[Region] = &[];
pub(super) static REGION_TERRITORY: &[u16] = &[];
pub(super) static TERRITORIES: &[Territory] = &[];
pub(super) static COUNTRY_CODES: &[CountryCodeEntry] = &[];
