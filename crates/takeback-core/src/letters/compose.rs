//! Drafting a letter for an open profile: the identity comes from the vault, the regime defaults
//! from the person's country, and the user's edit of the body is re-checked. The app's letter
//! editor calls [`compose`] on every pause in typing (live preview) and [`file`] when the letter
//! is saved.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Deserialize;

use super::{
    draft, elements::Element, FindingRef, Letter, LetterKind, LetterRequest, Recipient, Regime,
};
use crate::cases::{store, NewCase};
use crate::{audit, identity, Error, Result};

/// What the editor knows about the letter it wants.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ComposeInput {
    pub kind: LetterKind,
    /// For `gdpr` and `delisting`; `None` picks it from the person's country.
    pub regime: Option<Regime>,
    pub as_representative: bool,
    pub findings: Vec<FindingRef>,
    pub recipient: Recipient,
    pub work: Option<String>,
    pub context: Option<String>,
    pub offence_country: Option<String>,
    /// The user's edited body; `None` for the template's wording.
    pub body: Option<String>,
}

/// Drafts the letter from the profile's identity, applying the user's edit if any. Returns the
/// letter and the legal elements the edit removed (empty for the template's own wording).
pub fn compose(
    conn: &Connection,
    input: &ComposeInput,
    today: NaiveDate,
) -> Result<(Letter, Vec<Element>)> {
    let identity = identity::store::load(conn)?.ok_or(Error::IdentityMissing)?;
    let regime = input.regime.unwrap_or_else(|| {
        identity
            .country
            .as_deref()
            .and_then(Regime::for_country)
            .unwrap_or_default()
    });
    let letter = draft(&LetterRequest {
        kind: input.kind,
        regime,
        identity,
        as_representative: input.as_representative,
        findings: input.findings.clone(),
        recipient: input.recipient.clone(),
        date: today,
        locale: "en".into(),
        work: input.work.clone(),
        context: input.context.clone(),
        offence_country: input.offence_country.clone(),
    })?;
    match &input.body {
        Some(body) if body.trim() != letter.body.trim() => letter.with_body(body.clone()),
        _ => Ok((letter, Vec::new())),
    }
}

/// Files a case (state `draft`) for a letter the user saved, and audits it with the letter's
/// digest, in one transaction. Returns the case id.
pub fn file(conn: &Connection, letter: &Letter, now: DateTime<Utc>) -> Result<i64> {
    let tx = crate::vault::write_transaction(conn)?;
    let id = store::open_case(&tx, letter, &NewCase::for_letter(letter), now)?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "letter.drafted")
            .subject(letter.text().as_bytes())
            .detail(serde_json::json!({
                "case_id": id,
                "kind": letter.kind,
                "findings": letter.findings.len(),
            })),
        now,
    )?;
    tx.commit().map_err(|e| Error::VaultStorage {
        action: "filing the case",
        reason: e.to_string(),
    })?;
    Ok(id)
}
