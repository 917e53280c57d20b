//! Who saw a finding: the site watch, the folder scan, or a remote provider. Stored and printed
//! as its name (`site-watch`, `folder-scan`, `tineye`, …), the CLI contract's `providers` values.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::search::providers::ProviderId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeenBy {
    /// A site the owner asked to watch, crawled from this computer.
    SiteWatch,
    /// A folder on this computer.
    FolderScan,
    /// A remote search service.
    Provider(ProviderId),
}

impl SeenBy {
    pub fn name(self) -> &'static str {
        match self {
            SeenBy::SiteWatch => "site-watch",
            SeenBy::FolderScan => "folder-scan",
            SeenBy::Provider(p) => p.name(),
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "site-watch" => Some(SeenBy::SiteWatch),
            "folder-scan" => Some(SeenBy::FolderScan),
            other => other.parse().ok().map(SeenBy::Provider),
        }
    }
}

impl fmt::Display for SeenBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for SeenBy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for SeenBy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        SeenBy::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("`{name}` is not a finding source")))
    }
}

#[cfg(feature = "specta")]
impl specta::Type for SeenBy {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_keep_the_contract_spelling() {
        for seen in [
            SeenBy::SiteWatch,
            SeenBy::FolderScan,
            SeenBy::Provider(ProviderId::TinEye),
            SeenBy::Provider(ProviderId::GoogleVision),
        ] {
            assert_eq!(SeenBy::parse(seen.name()), Some(seen));
            let json = serde_json::to_string(&seen).unwrap();
            assert_eq!(serde_json::from_str::<SeenBy>(&json).unwrap(), seen);
        }
        assert_eq!(
            serde_json::to_string(&SeenBy::SiteWatch).unwrap(),
            "\"site-watch\""
        );
        assert_eq!(SeenBy::parse("nobody"), None);
    }
}
