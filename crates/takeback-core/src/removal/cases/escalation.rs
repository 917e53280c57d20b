//! The escalation ladder: site → host → registrar → search delisting → regulator.
//!
//! When a deadline passes (or a recipient refuses), the next rung is suggested with the letter
//! kind to use and, at the top, the regulator that fits the legal basis.

use serde::{Deserialize, Serialize};

use super::Basis;
use crate::removal::letters::LetterKind;

/// Who a letter went to, as a rung of the ladder.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rung {
    /// The site or platform operator.
    Site,
    /// The hosting provider (RDAP network abuse contact).
    Host,
    /// The domain registrar (RDAP registrar abuse contact).
    Registrar,
    /// Search engines (delisting).
    SearchDelisting,
    /// A regulator or the police.
    Regulator,
}

impl Rung {
    pub fn as_str(self) -> &'static str {
        match self {
            Rung::Site => "site",
            Rung::Host => "host",
            Rung::Registrar => "registrar",
            Rung::SearchDelisting => "search_delisting",
            Rung::Regulator => "regulator",
        }
    }

    pub fn parse(s: &str) -> Option<Rung> {
        [
            Rung::Site,
            Rung::Host,
            Rung::Registrar,
            Rung::SearchDelisting,
            Rung::Regulator,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// The rung a new letter of `kind` usually addresses.
    pub fn for_letter(kind: LetterKind) -> Rung {
        match kind {
            LetterKind::Abuse => Rung::Host,
            LetterKind::Delisting => Rung::SearchDelisting,
            _ => Rung::Site,
        }
    }
}

/// The suggested next step.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub rung: Rung,
    /// The letter to draft for it, when one fits.
    pub kind: Option<LetterKind>,
    /// What to do, in plain English words (the CLI prints them).
    pub advice: String,
    /// The same, as a code the window says in its own language: the rung, and for the last one
    /// the basis that decides which regulator.
    pub advice_code: NextStepText,
}

/// What a next step says, as a stable code with its parameters.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum NextStepText {
    WriteToHost,
    WriteToRegistrar,
    AskDelisting,
    Regulator { basis: Basis },
}

/// The step after `current` for a case started under `basis`.
pub fn next_step(current: Rung, basis: Basis) -> Option<NextStep> {
    let step = match current {
        Rung::Site => NextStep {
            rung: Rung::Host,
            kind: Some(LetterKind::Abuse),
            advice_code: NextStepText::WriteToHost,
            advice: "Write to the hosting provider's abuse contact (see Contacts). Hosts can remove the files even when the site ignores you.".into(),
        },
        Rung::Host => NextStep {
            rung: Rung::Registrar,
            kind: Some(LetterKind::Abuse),
            advice_code: NextStepText::WriteToRegistrar,
            advice: "Write to the domain registrar's abuse contact. Registrars must investigate abuse reports and can suspend the domain.".into(),
        },
        Rung::Registrar => NextStep {
            rung: Rung::SearchDelisting,
            kind: Some(LetterKind::Delisting),
            advice_code: NextStepText::AskDelisting,
            advice: "Ask Google and Bing to delist the results (their forms for intimate images are listed under Contacts). This hides the pages from searches.".into(),
        },
        Rung::SearchDelisting => NextStep {
            rung: Rung::Regulator,
            kind: None,
            advice: regulator(basis).into(),
            advice_code: NextStepText::Regulator { basis },
        },
        Rung::Regulator => return None,
    };
    Some(step)
}

/// The regulator or body that fits the basis.
pub fn regulator(basis: Basis) -> &'static str {
    match basis {
        Basis::Tida48h => "Report the platform to the US Federal Trade Commission at TakeItDown.ftc.gov, with the request's date and time and proof you sent it.",
        Basis::UkOsa48h | Basis::UkGdpr1m => "Complain to the Information Commissioner's Office (ico.org.uk). The Revenge Porn Helpline (0345 6000 459) can also report to platforms for you.",
        Basis::Gdpr1m => "Complain to your national data protection authority (GDPR Article 77).",
        Basis::DsaNone => "Complain to the Digital Services Coordinator of your EU country (DSA Article 53).",
        Basis::CounterNotice => "Talk to a lawyer now: only a lawsuit filed in time stops the material coming back.",
        Basis::DmcaNone | Basis::AbuseNone | Basis::PolicyNone => "Contact the police or a lawyer; in the US the CCRI helpline, in the UK the Revenge Porn Helpline (0345 6000 459), can help.",
    }
}
