//! The hand-off bundle: one file in the standard age format (C2SP age v1: a passphrase through
//! scrypt, or X25519 recipients; the payload in authenticated 64 KiB chunks, so a flipped byte
//! or a cut-off end is detected) holding a tar stream:
//!
//! - `rows/<table>.json`: the findings, their providers, evidence, re-checks, cases, their
//!   events and pauses, the identity letters are signed with; with `include_face` also the
//!   consent records and reference photos (`consents`, `enrolled_faces`), and the manifest
//!   says so;
//! - `audit.json`: the newest 1000 entries of the audit log;
//! - `blobs/<id>`: the thumbnails, evidence bytes and WARC records those rows name, decrypted
//!   (age encrypts them);
//! - `manifest.json`, last: format and software versions, the schema version, the audit head,
//!   and the SHA-256 and size of every other entry.
//!
//! Import reads the bundle twice: first it checks every entry against the manifest and writes
//! nothing, then it decrypts again and writes inside one transaction, checking every hash once
//! more, so a damaged, altered or wrong-key bundle is refused with nothing half-imported.
//! Merging never duplicates: a finding with the same address, a case with the same creation
//! time and subject, a capture with the same time and digest are recognised and kept once.

mod export;
mod import;
mod rows;
pub mod words;

use std::io::BufRead;
use std::path::PathBuf;

pub use age::secrecy::{ExposeSecret, SecretString};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use export::{export, BundleSummary, ExportRequest};
pub use import::{import, verify, ImportSummary};

/// A bundle made for a client in the window: what was written, and the passphrase generated
/// for it, shown once to be written down (it is kept nowhere).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClientHandoff {
    pub summary: BundleSummary,
    pub passphrase: String,
}

/// Where the window suggests a bundle goes: `Documents/Takeback hand-off/case-<time>.age`.
pub fn suggested_path(now: DateTime<Utc>) -> String {
    crate::base::paths::documents_dir()
        .join("Takeback hand-off")
        .join(format!("case-{}.age", now.format("%Y-%m-%d-%H%M")))
        .display()
        .to_string()
}

/// "Give this case to the client": exports `cases` (empty: everything) to `out`, locked with a
/// new passphrase of words ([`words::generate`]) that is returned to be shown once.
pub fn give_to_client(
    vault: &crate::storage::vault::Vault,
    out: PathBuf,
    cases: Vec<i64>,
    include_face: bool,
    now: DateTime<Utc>,
) -> Result<ClientHandoff> {
    let passphrase = words::generate()?;
    let summary = export(
        vault,
        &ExportRequest {
            out,
            cases,
            lock: Lock::Passphrase {
                passphrase: passphrase.clone(),
                work_factor: None,
            },
            include_face,
            overwrite: false,
        },
        now,
    )?;
    Ok(ClientHandoff {
        summary,
        passphrase: passphrase.expose_secret().to_owned(),
    })
}

/// "Import a case" into the open profile: verifies the bundle, then merges it.
pub fn import_into(
    vault: &crate::storage::vault::Vault,
    path: &std::path::Path,
    passphrase: String,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    let key = Key::Passphrase(SecretString::from(passphrase));
    let (_, summary) = import(path, &key, &mut || vault.open_another(), now)?;
    Ok(summary)
}

use crate::{ErrorCode, Result};

const FORMAT: &str = "takeback-handoff";
const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
/// (column, table) of every blob reference a bundle carries.
pub(crate) const BLOB_COLUMNS: [(&str, &str); 4] = [
    ("thumbnail_blob", "findings"),
    ("blob_id", "evidence"),
    ("warc_blob_id", "evidence"),
    ("blob_id", "enrolled_faces"),
];

/// What can go wrong with a bundle. Messages never contain the passphrase or key.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("this bundle cannot be opened with that passphrase or key; check it and try again (passphrases are case-sensitive)")]
    WrongKey,
    #[error("this file is not a Takeback hand-off bundle, or it is damaged or incomplete ({reason}); nothing was imported")]
    Damaged { reason: String },
    #[error("the bundle's entry `{entry}` does not match its manifest (altered or damaged); nothing was imported")]
    Altered { entry: String },
    #[error("this bundle was made by a newer Takeback ({found}); update Takeback to import it")]
    TooNew { found: String },
    #[error("`{key}` is not an age public key (age1…) or cannot be read: {reason}")]
    BadRecipient { key: String, reason: String },
    #[error("the age identity file `{path}` cannot be used: {reason}")]
    BadIdentity { path: String, reason: String },
    #[error("writing the bundle failed ({reason})")]
    Write { reason: String },
}

impl BundleError {
    pub fn code(&self) -> ErrorCode {
        match self {
            BundleError::WrongKey => ErrorCode::Locked,
            BundleError::Damaged { .. } | BundleError::Altered { .. } => ErrorCode::Corrupt,
            BundleError::TooNew { .. }
            | BundleError::BadRecipient { .. }
            | BundleError::BadIdentity { .. } => ErrorCode::InvalidInput,
            BundleError::Write { .. } => ErrorCode::Io,
        }
    }

    fn write(e: impl std::fmt::Display) -> crate::Error {
        BundleError::Write {
            reason: e.to_string(),
        }
        .into()
    }

    fn damaged(e: impl std::fmt::Display) -> crate::Error {
        BundleError::Damaged {
            reason: e.to_string(),
        }
        .into()
    }
}

crate::layer_error!(BundleError);

/// How a bundle is locked.
#[derive(Debug)]
pub enum Lock {
    /// scrypt; `work_factor` (log2 N) overrides age's ~1-second default (tests use less).
    Passphrase {
        passphrase: SecretString,
        work_factor: Option<u8>,
    },
    /// An age X25519 public key, `age1…`.
    Recipient(String),
}

impl Lock {
    fn kind(&self) -> &'static str {
        match self {
            Lock::Passphrase { .. } => "passphrase",
            Lock::Recipient(_) => "recipient",
        }
    }

    fn encryptor(&self) -> Result<age::Encryptor> {
        match self {
            Lock::Passphrase {
                passphrase,
                work_factor,
            } => {
                let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
                if let Some(n) = work_factor {
                    recipient.set_work_factor(*n);
                }
                age::Encryptor::with_recipients(std::iter::once(&recipient as _))
                    .map_err(BundleError::write)
            }
            // X25519 is what `age-keygen` makes and every age tool reads (Debian 12's age 1.1
            // knows nothing else); age 0.13 deprecates it in favour of post-quantum keys.
            #[allow(deprecated)]
            Lock::Recipient(key) => {
                let recipient: age::x25519::Recipient =
                    key.trim()
                        .parse()
                        .map_err(|e: &str| BundleError::BadRecipient {
                            key: key.clone(),
                            reason: e.to_owned(),
                        })?;
                age::Encryptor::with_recipients(std::iter::once(&recipient as _))
                    .map_err(BundleError::write)
            }
        }
    }
}

/// How a bundle is opened.
#[derive(Debug)]
pub enum Key {
    Passphrase(SecretString),
    /// An age identity file (`age-keygen -o key.txt`).
    IdentityFile(PathBuf),
}

impl Key {
    /// The decrypted payload of the bundle read from `input`.
    fn open<R: BufRead>(&self, input: R) -> Result<age::stream::StreamReader<R>> {
        let decryptor = age::Decryptor::new_buffered(input).map_err(map_decrypt)?;
        match self {
            Key::Passphrase(passphrase) => {
                let identity = age::scrypt::Identity::new(passphrase.clone());
                decryptor
                    .decrypt(std::iter::once(&identity as _))
                    .map_err(map_decrypt)
            }
            Key::IdentityFile(path) => {
                let bad = |reason: String| BundleError::BadIdentity {
                    path: path.display().to_string(),
                    reason,
                };
                let identities = age::IdentityFile::from_file(path.display().to_string())
                    .map_err(|e| bad(e.to_string()))?
                    .into_identities()
                    .map_err(|e| bad(e.to_string()))?;
                decryptor
                    .decrypt(identities.iter().map(|i| i.as_ref() as _))
                    .map_err(map_decrypt)
            }
        }
    }
}

fn map_decrypt(e: age::DecryptError) -> crate::Error {
    match e {
        age::DecryptError::NoMatchingKeys
        | age::DecryptError::KeyDecryptionFailed
        | age::DecryptError::DecryptionFailed => BundleError::WrongKey.into(),
        other => BundleError::damaged(other),
    }
}

/// The bundle's table of contents, its last entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub software: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub schema_version: i64,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub exported_at: DateTime<Utc>,
    /// The profile it came from.
    pub profile: String,
    /// The cases chosen (empty: everything).
    #[cfg_attr(feature = "specta", specta(type = Vec<i32>))]
    pub cases: Vec<i64>,
    /// Whether the reference photos went too.
    pub include_face: bool,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub audit_entries: u64,
    pub audit_head: String,
    pub entries: Vec<ManifestEntry>,
}

/// One entry of the bundle with its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ManifestEntry {
    pub path: String,
    pub sha256: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
}
