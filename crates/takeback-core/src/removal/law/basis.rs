//! The legal basis of a case's clock: which law, if any, sets the deadline a letter starts, and
//! whose calendar counts its days.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, HolidayRules};
use super::kind::{LetterKind, Regime};

/// The legal basis of a case's clock (research/takedowns.md §8).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    #[serde(rename = "tida_48h")]
    Tida48h,
    #[serde(rename = "uk_osa_48h")]
    UkOsa48h,
    #[serde(rename = "gdpr_1m")]
    Gdpr1m,
    #[serde(rename = "uk_gdpr_1m")]
    UkGdpr1m,
    DmcaNone,
    DsaNone,
    /// Host or registrar abuse desks: no law fixes a deadline; follow up after 3 business days.
    AbuseNone,
    /// Platform policy forms: no deadline; follow up after 7 days.
    PolicyNone,
    #[serde(rename = "counter_notice_10_14bd")]
    CounterNotice,
}

impl Basis {
    /// The basis a letter of `kind` starts.
    pub fn for_letter(kind: LetterKind, regime: Regime) -> Basis {
        match (kind, regime) {
            (LetterKind::Takeitdown, _) => Basis::Tida48h,
            (LetterKind::Ukosa, _) => Basis::UkOsa48h,
            (LetterKind::Gdpr | LetterKind::Delisting, Regime::Uk) => Basis::UkGdpr1m,
            (LetterKind::Gdpr | LetterKind::Delisting, Regime::Eu) => Basis::Gdpr1m,
            (LetterKind::Dmca, _) => Basis::DmcaNone,
            (LetterKind::Dsa, _) => Basis::DsaNone,
            (LetterKind::Abuse, _) => Basis::AbuseNone,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Tida48h => "tida_48h",
            Basis::UkOsa48h => "uk_osa_48h",
            Basis::Gdpr1m => "gdpr_1m",
            Basis::UkGdpr1m => "uk_gdpr_1m",
            Basis::DmcaNone => "dmca_none",
            Basis::DsaNone => "dsa_none",
            Basis::AbuseNone => "abuse_none",
            Basis::PolicyNone => "policy_none",
            Basis::CounterNotice => "counter_notice_10_14bd",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        [
            Basis::Tida48h,
            Basis::UkOsa48h,
            Basis::Gdpr1m,
            Basis::UkGdpr1m,
            Basis::DmcaNone,
            Basis::DsaNone,
            Basis::AbuseNone,
            Basis::PolicyNone,
            Basis::CounterNotice,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }

    /// Whether the law sets the deadline (otherwise it is a suggested follow-up date).
    pub fn is_legal(self) -> bool {
        !matches!(
            self,
            Basis::DmcaNone | Basis::DsaNone | Basis::AbuseNone | Basis::PolicyNone
        )
    }

    /// The zone whose calendar days count, and its working-day calendar.
    pub fn zone_and_calendar(self) -> (Tz, Calendar) {
        match self {
            Basis::UkOsa48h | Basis::UkGdpr1m => (
                chrono_tz::Europe::London,
                Calendar::new(HolidayRules::EnglandWales),
            ),
            Basis::Gdpr1m | Basis::DsaNone => (
                chrono_tz::Europe::Brussels,
                Calendar::new(HolidayRules::WeekendsOnly),
            ),
            _ => (
                chrono_tz::America::New_York,
                Calendar::new(HolidayRules::UsFederal),
            ),
        }
    }
}
