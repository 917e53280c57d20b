//! The kinds of letter and the legal regimes they are written under.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A kind of letter. The names are the CLI contract's `--kind` values.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum LetterKind {
    /// DMCA notice, 17 U.S.C. § 512(c)(3)(A): only for the copyright owner.
    Dmca,
    /// TAKE IT DOWN Act removal request, 47 U.S.C. § 223a: 48 hours.
    Takeitdown,
    /// GDPR / UK GDPR Art. 17 erasure request: one month.
    Gdpr,
    /// EU Digital Services Act Art. 16 notice of illegal content.
    Dsa,
    /// UK Online Safety Act intimate image content report: 48 hours.
    Ukosa,
    /// Search-engine delisting request (GDPR Art. 17 and 21).
    Delisting,
    /// Complaint to a hosting provider's or registrar's abuse desk.
    Abuse,
}

impl LetterKind {
    /// Every kind, in the order the advisor considers them.
    pub const ALL: [LetterKind; 7] = [
        LetterKind::Takeitdown,
        LetterKind::Ukosa,
        LetterKind::Gdpr,
        LetterKind::Dsa,
        LetterKind::Dmca,
        LetterKind::Abuse,
        LetterKind::Delisting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::Dmca => "dmca",
            LetterKind::Takeitdown => "takeitdown",
            LetterKind::Gdpr => "gdpr",
            LetterKind::Dsa => "dsa",
            LetterKind::Ukosa => "ukosa",
            LetterKind::Delisting => "delisting",
            LetterKind::Abuse => "abuse",
        }
    }

    /// Whether the letter is written under EU or UK data-protection law and so needs a [`Regime`].
    pub fn needs_regime(self) -> bool {
        matches!(self, LetterKind::Gdpr | LetterKind::Delisting)
    }
}

impl fmt::Display for LetterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LetterKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        LetterKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::UnknownLetterKind { kind: s.to_owned() })
    }
}

/// Which data-protection law a `gdpr` or `delisting` letter is written under.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Regime {
    /// Regulation (EU) 2016/679, enforced by the member state's data protection authority.
    #[default]
    Eu,
    /// The UK GDPR and the Data Protection Act 2018, enforced by the ICO.
    Uk,
}

impl Regime {
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Eu => "eu",
            Regime::Uk => "uk",
        }
    }

    /// The regime that fits a person's country of residence, if any.
    pub fn for_country(country: &str) -> Option<Regime> {
        let cc = country.trim().to_ascii_uppercase();
        if cc == "GB" || cc == "UK" {
            Some(Regime::Uk)
        } else if is_eea(&cc) {
            Some(Regime::Eu)
        } else {
            None
        }
    }
}

impl FromStr for Regime {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "eu" => Ok(Regime::Eu),
            "uk" | "gb" => Ok(Regime::Uk),
            _ => Err(Error::InvalidLetterInput {
                reason: format!("`{s}` is not a regime; use `eu` or `uk`"),
                source: None,
            }),
        }
    }
}

/// EU member states plus the EEA states where the GDPR applies (Iceland, Liechtenstein, Norway).
const EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

/// Whether an ISO 3166-1 alpha-2 code is an EEA state.
pub fn is_eea(country: &str) -> bool {
    EEA.contains(&country.trim().to_ascii_uppercase().as_str())
}

/// Whether an ISO code is an EU member state (the DSA applies in the EU, not the wider EEA until
/// incorporated; the advisor treats EEA states like the EU for GDPR only).
pub fn is_eu(country: &str) -> bool {
    let cc = country.trim().to_ascii_uppercase();
    is_eea(&cc) && !matches!(cc.as_str(), "IS" | "LI" | "NO")
}
