//! The national offence a DSA notice cites, from `data/offences.toml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

const OFFENCES_TOML: &str = include_str!("../../../data/offences.toml");

/// One country's NCII offence, as cited in a DSA notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offence {
    /// The country's name as written in a letter; empty for the generic fallback.
    pub country: String,
    pub citation: String,
    /// When a person last checked the citation; `None` for the generic fallback.
    pub last_verified: Option<String>,
}

/// The offence for an ISO country code, or a generic citation (with `last_verified: None`) that
/// the advisor flags for a lawyer to complete.
pub fn for_country(country: Option<&str>) -> Offence {
    let table: BTreeMap<String, Offence> = toml::from_str(OFFENCES_TOML).unwrap_or_default();
    country
        .map(|c| c.trim().to_ascii_uppercase())
        .and_then(|c| table.get(&c).cloned())
        .unwrap_or_else(|| Offence {
            country: String::new(),
            citation: "the national law of the Member State concerned implementing the \
                       prohibition of non-consensual sharing of intimate images"
                .to_owned(),
            last_verified: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_falls_back() {
        let table: BTreeMap<String, Offence> = toml::from_str(OFFENCES_TOML).unwrap();
        assert!(table.len() >= 6);
        assert!(for_country(Some("de")).citation.contains("201a"));
        assert!(for_country(Some("PT")).last_verified.is_none());
        assert!(for_country(None).last_verified.is_none());
    }
}
