//! Takedown letters: choosing the kind ([`advisor`]), drafting it from the identity and findings
//! ([`draft`]), checking every legal element is present ([`elements`]), and writing it out as plain
//! text, PDF ([`pdf`]) or an `.eml` draft ([`eml`]).
//!
//! A letter never embeds or attaches the image: it identifies it by address, first-seen date and
//! SHA-256 ([`FindingRef`]). Wording lives in `templates/letters/<locale>/`, never in Rust.
//!
//! App API (the letter editor with live preview):
//! 1. `advisor::advise(&Facts)` → which kinds, why, and the warnings to show.
//! 2. `draft(&LetterRequest)` → a [`Letter`] whose `body` the user reviews and may edit
//!    (`Letter::with_body`, which re-checks the elements and reports any removed).
//! 3. `pdf::render(&letter)`, `letter.text()`, `eml::render(&letter, &attachments, now)` → bytes.
//! 4. `cases::store::open_case(...)` records a case in state `draft`.

pub mod advisor;
pub mod elements;
pub mod eml;
mod finding;
pub mod pdf;
mod template;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::removal::law::{is_eea, is_eu, LetterKind, Regime};
pub use finding::FindingRef;
pub use template::LOCALES;

use crate::removal::identity::{Identity, Signer};
use crate::{Error, Result};

/// Who a letter is addressed to.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Recipient {
    /// A display name ("Example Hosting abuse team"); defaults per kind when empty.
    pub name: String,
    /// An email address, when the letter goes by email.
    pub address: Option<String>,
}

/// Everything needed to draft one letter.
#[derive(Debug, Clone)]
pub struct LetterRequest {
    pub kind: LetterKind,
    /// For `gdpr` and `delisting`: EU GDPR or UK GDPR. Ignored by other kinds.
    pub regime: Regime,
    pub identity: Identity,
    /// Sign as the identity's authorised representative (an advocate) rather than the person.
    pub as_representative: bool,
    pub findings: Vec<FindingRef>,
    pub recipient: Recipient,
    /// The date printed on the letter (the caller's "today"; never read from the clock here).
    pub date: NaiveDate,
    pub locale: String,
    /// DMCA only: the copyrighted work, e.g. "A photograph I took of myself in 2024".
    pub work: Option<String>,
    /// Short, factual context that helps the recipient see there was no consent (optional).
    pub context: Option<String>,
    /// DSA only: the country whose criminal law the notice cites (ISO code).
    pub offence_country: Option<String>,
}

/// A drafted letter, ready for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub kind: LetterKind,
    pub regime: Regime,
    pub locale: String,
    pub subject: String,
    /// The full text below the subject: what the PDF, the `.eml` and the web-form text contain.
    pub body: String,
    pub signer: Signer,
    /// The name of the person depicted (may be kept off the letter in representative mode).
    pub person: String,
    pub recipient: Recipient,
    pub findings: Vec<FindingRef>,
    pub date: NaiveDate,
}

impl Letter {
    /// Plain text for web forms and the `.txt` output: subject line, blank line, body.
    pub fn text(&self) -> String {
        format!("Subject: {}\n\n{}", self.subject, self.body)
    }

    /// Replaces the body with the user's edit. Returns the required elements the edit removed,
    /// so the editor can warn before the letter is used (an edit is allowed, never silently).
    pub fn with_body(mut self, body: String) -> Result<(Letter, Vec<elements::Element>)> {
        self.body = body;
        let missing = elements::missing(&self, &self.text())?;
        Ok((self, missing))
    }
}

#[derive(Serialize)]
struct FindingContext<'a> {
    n: usize,
    image_url: &'a str,
    page_url: Option<&'a str>,
    first_seen: String,
    sha256: String,
    pdq: Option<&'a str>,
}

#[derive(Serialize)]
struct Context<'a> {
    date: String,
    signer: &'a Signer,
    person: &'a str,
    person_country: Option<&'a str>,
    recipient: &'a Recipient,
    findings: Vec<FindingContext<'a>>,
    regime: &'static str,
    work: Option<&'a str>,
    context: Option<&'a str>,
    offence: crate::removal::law::offences::Offence,
    host: String,
}

/// Drafts a letter and checks that every element its law requires is present.
pub fn draft(request: &LetterRequest) -> Result<Letter> {
    validate(request)?;
    let identity = request.identity.clone().normalised();
    let signer = identity.signer(request.as_representative);
    let mut recipient = request.recipient.clone();
    if recipient.name.trim().is_empty() {
        recipient.name = default_recipient_name(request.kind).to_owned();
    }
    let host = request
        .findings
        .iter()
        .find_map(FindingRef::host)
        .unwrap_or_default();
    let context = Context {
        date: request.date.format("%Y-%m-%d").to_string(),
        signer: &signer,
        person: &identity.name,
        person_country: identity.country.as_deref(),
        recipient: &recipient,
        findings: request
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| FindingContext {
                n: i + 1,
                image_url: &f.image_url,
                page_url: f.page_url.as_deref(),
                first_seen: f.first_seen.format("%Y-%m-%d %H:%M UTC").to_string(),
                sha256: f.sha256.to_ascii_lowercase(),
                pdq: f.pdq.as_deref(),
            })
            .collect(),
        regime: request.regime.as_str(),
        work: request.work.as_deref().map(str::trim),
        context: request
            .context
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty()),
        offence: crate::removal::law::offences::for_country(
            request
                .offence_country
                .as_deref()
                .or(identity.country.as_deref()),
        ),
        host,
    };
    let (subject, body) = template::render(&request.locale, request.kind, &context)?;
    let letter = Letter {
        kind: request.kind,
        regime: request.regime,
        locale: request.locale.clone(),
        subject,
        body,
        signer,
        person: identity.name.clone(),
        recipient,
        findings: request.findings.clone(),
        date: request.date,
    };
    let missing = elements::missing(&letter, &letter.text())?;
    if let Some(first) = missing.first() {
        // The template itself lost a required element: a bug to report, not a user error.
        return Err(Error::LetterTemplate {
            template: format!("{}/{}.txt", letter.locale, letter.kind),
            reason: format!("it omits {} ({})", first.element, first.law),
            source: None,
        });
    }
    Ok(letter)
}

fn validate(request: &LetterRequest) -> Result<()> {
    let identity = &request.identity;
    if identity.name.trim().is_empty() || identity.email.trim().is_empty() {
        return Err(Error::IdentityMissing);
    }
    if request.as_representative && identity.representative.is_none() {
        return Err(Error::InvalidLetterInput {
            reason: "no representative is set; add one to your details first".into(),
            source: None,
        });
    }
    if request.findings.is_empty() {
        return Err(Error::InvalidLetterInput {
            reason: "a letter needs at least one finding (the image's address and fingerprint)"
                .into(),
            source: None,
        });
    }
    for finding in &request.findings {
        finding.validate()?;
    }
    if request.kind == LetterKind::Dmca
        && request.work.as_deref().is_none_or(|w| w.trim().is_empty())
    {
        return Err(Error::InvalidLetterInput {
            reason: "a DMCA notice must identify the copyrighted work: describe the photograph \
                     you took (for example \"a photograph I took of myself in 2024\")"
                .into(),
            source: None,
        });
    }
    Ok(())
}

fn default_recipient_name(kind: LetterKind) -> &'static str {
    match kind {
        LetterKind::Dmca => "Designated Copyright Agent",
        LetterKind::Takeitdown => "the platform",
        LetterKind::Gdpr => "the data controller",
        LetterKind::Dsa => "the hosting service",
        LetterKind::Ukosa => "the service provider",
        LetterKind::Delisting => "the search engine operator",
        LetterKind::Abuse => "the abuse team",
    }
}

#[cfg(test)]
pub(crate) mod tests;
