//! Requesting removal: the one place a takedown letter is put together, for the CLI and the
//! window alike.
//!
//! A [`LetterOrder`] names findings by id; they are looked up in the vault, so the addresses and
//! SHA-256 a letter quotes are the ones Takeback checked, never ones a caller passed along. A
//! finding the owner dismissed ("not me") or that was never checked on this computer is refused.
//! [`compose`] drafts the letter (the editor's live preview calls it on every pause) and
//! [`save`] writes it and files its case:
//!
//! 1. the letter is drafted and the user's edit re-checked: a removed legal element refuses;
//! 2. the file is written in full beside its destination (never over an existing file unless
//!    asked);
//! 3. the case and one audit entry are committed in one transaction;
//! 4. the file is moved into place.
//!
//! A crash before 3 leaves no case and no file; between 3 and 4, a case whose letter can be saved
//! again from it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::base::error::storage;
use crate::base::files::{self, StagedFile};
use crate::removal::cases::{store, NewCase};
use crate::removal::letters::{
    draft, elements::Element, eml, pdf, FindingRef, Letter, LetterKind, LetterRequest, Recipient,
    Regime,
};
use crate::search::findings::{self, FindingKind, FindingStatus};
use crate::storage::audit;
use crate::storage::vault::Vault;
use crate::{removal::identity, Error, Result};

/// Largest file attached to an `.eml` draft.
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;

/// What a letter should say and about which findings.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LetterOrder {
    /// The findings the letter is about, by id.
    #[cfg_attr(feature = "specta", specta(type = Vec<i32>))]
    pub finding_ids: Vec<i64>,
    pub kind: LetterKind,
    /// For `gdpr` and `delisting`; `None` picks it from the person's country.
    pub regime: Option<Regime>,
    pub as_representative: bool,
    pub recipient: Recipient,
    pub work: Option<String>,
    pub context: Option<String>,
    pub offence_country: Option<String>,
    /// The user's edited body; `None` for the template's wording.
    pub body: Option<String>,
}

/// The file formats a letter is saved in.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterFormat {
    Pdf,
    Txt,
    Eml,
}

impl LetterFormat {
    pub fn extension(self) -> &'static str {
        match self {
            LetterFormat::Pdf => "pdf",
            LetterFormat::Txt => "txt",
            LetterFormat::Eml => "eml",
        }
    }
}

/// Where and how to save a letter.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Deserialize)]
pub struct SaveTo {
    pub format: LetterFormat,
    /// An absolute path ending in the format's extension.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub path: PathBuf,
    /// Replace an existing file (the user confirmed it).
    pub overwrite: bool,
    /// The case of an earlier save of the same letter (another format): no new case is filed.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub case_id: Option<i64>,
    /// Non-image files for an `.eml` draft (a police report, a letter). Images are refused.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Vec<String>))]
    pub attachments: Vec<PathBuf>,
}

/// A letter written to disk, with its case.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedLetter {
    /// The case this letter belongs to (filed on the first save).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub case_id: i64,
    pub path: String,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub bytes: u64,
    pub to: Option<String>,
    pub subject: String,
}

/// Why a letter cannot be drafted or saved as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("choose at least one finding for the letter")]
    NoFindings,

    #[error("finding {id} was marked \"not me\", so a letter cannot name it; if that was a mistake, confirm it first")]
    DismissedFinding { id: i64 },

    #[error("finding {id} was never checked on this computer (the image could not be fetched), so a letter cannot vouch for it; re-check it first")]
    UnverifiedFinding { id: i64 },

    #[error("the edited letter no longer contains {element} ({law}); put it back before saving")]
    Incomplete { element: String, law: String },

    #[error("\"{address}\" is a web form, not an email address; open the form and paste the letter's text into it instead")]
    FormNotEmail { address: String },

    #[error("\"{address}\" is not an email address")]
    NotAnEmail { address: String },

    #[error("`{path}` is not a full path; choose where to save the letter")]
    NotAbsolute { path: String },

    #[error("a {format} letter must be saved as a .{extension} file")]
    WrongExtension {
        format: String,
        extension: &'static str,
    },
}

impl RequestError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            RequestError::DismissedFinding { .. } | RequestError::UnverifiedFinding { .. } => {
                crate::ErrorCode::Refused
            }
            _ => crate::ErrorCode::InvalidInput,
        }
    }
}

crate::layer_error!(RequestError);

/// The findings of `order`, as a letter cites them. Refuses dismissed and unverified ones.
pub fn cited_findings(conn: &Connection, finding_ids: &[i64]) -> Result<Vec<FindingRef>> {
    if finding_ids.is_empty() {
        return Err(RequestError::NoFindings.into());
    }
    finding_ids
        .iter()
        .map(|&id| {
            let finding = findings::get(conn, id)?;
            if finding.status == FindingStatus::Dismissed {
                return Err(RequestError::DismissedFinding { id }.into());
            }
            if finding.kind == FindingKind::Unverified {
                return Err(RequestError::UnverifiedFinding { id }.into());
            }
            Ok(FindingRef::from(&finding))
        })
        .collect()
}

/// Drafts the letter from the profile's identity and findings, applying the user's edit if any.
/// Returns the letter and the legal elements the edit removed (empty for the template's own
/// wording).
pub fn compose(
    conn: &Connection,
    order: &LetterOrder,
    today: NaiveDate,
) -> Result<(Letter, Vec<Element>)> {
    let findings = cited_findings(conn, &order.finding_ids)?;
    let identity = identity::store::load(conn)?.ok_or(Error::IdentityMissing)?;
    let regime = order.regime.unwrap_or_else(|| {
        identity
            .country
            .as_deref()
            .and_then(Regime::for_country)
            .unwrap_or_default()
    });
    let letter = draft(&LetterRequest {
        kind: order.kind,
        regime,
        identity,
        as_representative: order.as_representative,
        findings,
        recipient: order.recipient.clone(),
        date: today,
        locale: "en".into(),
        work: order.work.clone(),
        context: order.context.clone(),
        offence_country: order.offence_country.clone(),
    })?;
    match &order.body {
        Some(body) if body.trim() != letter.body.trim() => letter.with_body(body.clone()),
        _ => Ok((letter, Vec::new())),
    }
}

/// A required element the user's edit removed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingElement {
    pub law: String,
    pub element: String,
}

/// The letter as it stands, for the editor's live preview.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterPreview {
    pub subject: String,
    pub body: String,
    pub recipient_name: String,
    pub recipient_address: Option<String>,
    pub signer: String,
    /// Empty when every element the law requires is present.
    pub missing: Vec<MissingElement>,
}

/// [`compose`], as the editor shows it.
pub fn preview(conn: &Connection, order: &LetterOrder, today: NaiveDate) -> Result<LetterPreview> {
    // A form typed or pasted as the recipient is refused at once, not only when saving.
    if let Some(address) = order
        .recipient
        .address
        .as_deref()
        .filter(|a| !a.trim().is_empty())
    {
        check_email(address)?;
    }
    let (letter, missing) = compose(conn, order, today)?;
    Ok(LetterPreview {
        subject: letter.subject,
        body: letter.body,
        recipient_name: letter.recipient.name,
        recipient_address: letter.recipient.address,
        signer: letter.signer.name,
        missing: missing
            .into_iter()
            .map(|m| MissingElement {
                law: m.law,
                element: m.element,
            })
            .collect(),
    })
}

/// Drafts, writes and files the letter (see the module's steps). `now` dates the letter, the
/// case and the audit entry.
pub fn save(
    vault: &Vault,
    order: &LetterOrder,
    to: &SaveTo,
    now: DateTime<Utc>,
) -> Result<SavedLetter> {
    check_path(&to.path, to.format)?;
    if let Some(address) = &order.recipient.address {
        check_email(address)?;
    }
    let (letter, missing) = compose(vault.conn(), order, now.date_naive())?;
    if let Some(first) = missing.into_iter().next() {
        return Err(RequestError::Incomplete {
            element: first.element,
            law: first.law,
        }
        .into());
    }
    let bytes = render(&letter, to, now)?;
    let staged = StagedFile::write(&to.path, &bytes, to.overwrite)?;
    let case_id = file_case(vault.conn(), &letter, order, to, now)?;
    let path = staged.publish(to.overwrite)?;
    Ok(SavedLetter {
        case_id,
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
        to: letter.recipient.address,
        subject: letter.subject,
    })
}

/// A plausible email address: one `@` between a local part and a dotted domain, no spaces. A
/// web form's address is refused with its own message: it is used by opening it, not by mail.
pub fn check_email(address: &str) -> Result<()> {
    let address = address.trim();
    if address.contains("://") {
        return Err(RequestError::FormNotEmail {
            address: address.to_owned(),
        }
        .into());
    }
    let plausible = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if plausible {
        Ok(())
    } else {
        Err(RequestError::NotAnEmail {
            address: address.to_owned(),
        }
        .into())
    }
}

/// Where a letter is suggested to go: `Documents/Takeback letters/<kind>-<date>.<ext>`.
pub fn suggested_path(kind: LetterKind, format: LetterFormat, now: DateTime<Utc>) -> PathBuf {
    let base = directories::UserDirs::new()
        .and_then(|d| d.document_dir().map(Path::to_path_buf))
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir);
    base.join("Takeback letters").join(format!(
        "{}-{}.{}",
        kind.as_str(),
        now.format("%Y-%m-%d"),
        format.extension()
    ))
}

fn check_path(path: &Path, format: LetterFormat) -> Result<()> {
    if !path.is_absolute() {
        return Err(RequestError::NotAbsolute {
            path: path.display().to_string(),
        }
        .into());
    }
    let matches = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(format.extension()));
    if !matches {
        return Err(RequestError::WrongExtension {
            format: format.extension().to_uppercase(),
            extension: format.extension(),
        }
        .into());
    }
    Ok(())
}

fn render(letter: &Letter, to: &SaveTo, now: DateTime<Utc>) -> Result<Vec<u8>> {
    match to.format {
        LetterFormat::Txt => Ok(letter.text().into_bytes()),
        LetterFormat::Pdf => pdf::render(letter),
        LetterFormat::Eml => {
            let attachments = to
                .attachments
                .iter()
                .map(|path| {
                    let bytes = files::read_regular(path, MAX_ATTACHMENT_BYTES)?;
                    Ok(eml::Attachment::from_file(path, bytes))
                })
                .collect::<Result<Vec<_>>>()?;
            eml::render(letter, &attachments, now)
        }
    }
}

/// Files the case (unless the letter already has one) and audits the save, in one transaction.
fn file_case(
    conn: &Connection,
    letter: &Letter,
    order: &LetterOrder,
    to: &SaveTo,
    now: DateTime<Utc>,
) -> Result<i64> {
    let tx = crate::storage::vault::write_transaction(conn)?;
    let (case_id, action) = match to.case_id {
        Some(id) => (store::get(&tx, id, now)?.id, "letter.saved"),
        None => (
            store::open_case(&tx, letter, &NewCase::for_letter(letter), now)?,
            "letter.drafted",
        ),
    };
    let actor = if order.as_representative {
        "advocate"
    } else {
        "owner"
    };
    audit::append(
        &tx,
        audit::NewEntry::new(actor, action)
            .subject(letter.text().as_bytes())
            .detail(serde_json::json!({
                "case_id": case_id,
                "kind": letter.kind,
                "format": to.format,
                "findings": order.finding_ids,
            })),
        now,
    )?;
    tx.commit().map_err(|e| storage("filing the case", e))?;
    Ok(case_id)
}
