//! Evidence packages for police, lawyers and platforms' appeals: the chosen findings' captures
//! as a WACZ (the exact WARC records, the evidence itself) and a PDF report (addresses, times,
//! HTTP status, SHA-256, PDQ, letters, case timelines, re-checks, the audit head). The report's
//! pictures are blurred thumbnails unless the owner asks for `unredacted`; `hashes_only` writes
//! the report alone with no picture at all, for hash-based reporting where investigators need
//! not view the images. Only the chosen findings leave; nothing else of the profile does.
//!
//! Files are staged beside their destination and moved into place only after the export is
//! audited (one `evidence.exported` entry with the findings and the files' SHA-256), inside the
//! audit's transaction, so an export is never on disk without its audit entry; an existing file
//! is never replaced unless asked.

mod dossier;
mod report;
pub mod wacz;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use dossier::Dossier;

use crate::base::files::StagedFile;
use crate::search::findings::{self, evidence_warc, FindingStatus};
use crate::storage::audit;
use crate::storage::vault::Vault;
use crate::{ErrorCode, Result};

/// What can go wrong exporting evidence.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("choose what to export: finding ids, a case, or all confirmed findings")]
    NothingChosen,
    #[error("none of the chosen findings is confirmed; confirm a finding (\"this is me\") before exporting its evidence")]
    NoConfirmedFinding,
    #[error("finding {id} is {status}; only confirmed (or since removed) findings have evidence to export")]
    NotConfirmed { id: i64, status: &'static str },
    #[error("{0}")]
    Usage(&'static str),
    #[error("writing the evidence package failed ({reason})")]
    Package { reason: String },
    #[error("writing the evidence report failed ({reason})")]
    Report { reason: String },
}

impl EvidenceError {
    pub fn code(&self) -> ErrorCode {
        match self {
            EvidenceError::NothingChosen
            | EvidenceError::NoConfirmedFinding
            | EvidenceError::NotConfirmed { .. }
            | EvidenceError::Usage(_) => ErrorCode::InvalidInput,
            EvidenceError::Package { .. } | EvidenceError::Report { .. } => ErrorCode::Io,
        }
    }
}

crate::layer_error!(EvidenceError);

/// Which findings go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Findings(Vec<i64>),
    Case(i64),
    /// Every confirmed finding, and those confirmed and since removed.
    AllConfirmed,
}

/// One export: where the package and report go, and how much the report shows.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub selection: Selection,
    /// The WACZ; required unless `hashes_only`.
    pub wacz: Option<PathBuf>,
    /// The PDF report; required with `hashes_only`.
    pub report: Option<PathBuf>,
    /// Full images in the report instead of blurred thumbnails.
    pub unredacted: bool,
    /// The report alone, with no image anywhere.
    pub hashes_only: bool,
    /// Replace existing files.
    pub overwrite: bool,
}

/// How the report shows each finding's picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Pictures {
    Blurred,
    Full,
    None,
}

/// A file the export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WrittenFile {
    pub path: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    pub sha256: String,
}

/// What an export wrote, as `takeback evidence export --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportSummary {
    #[cfg_attr(feature = "specta", specta(type = Vec<i32>))]
    pub findings: Vec<i64>,
    /// Captures with WARC records put in the package.
    pub captures: u32,
    /// Chosen findings with no WARC capture yet (confirmed before captures kept them; a
    /// re-check while they are up captures them). Their report entry says so.
    #[cfg_attr(feature = "specta", specta(type = Vec<i32>))]
    pub without_capture: Vec<i64>,
    pub wacz: Option<WrittenFile>,
    pub report: Option<WrittenFile>,
    pub pictures: Pictures,
    /// The audit chain when exporting, before the export's own entry.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub audit_entries: u64,
    pub audit_head: String,
}

/// Where the window suggests the package and report go:
/// `Documents/Takeback evidence/evidence-<date>.wacz` and `.pdf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidencePaths {
    pub wacz: String,
    pub report: String,
}

pub fn suggested_paths(now: DateTime<Utc>) -> EvidencePaths {
    let dir = crate::base::paths::documents_dir().join("Takeback evidence");
    let stem = format!("evidence-{}", now.format("%Y-%m-%d-%H%M"));
    EvidencePaths {
        wacz: dir.join(format!("{stem}.wacz")).display().to_string(),
        report: dir.join(format!("{stem}.pdf")).display().to_string(),
    }
}

/// The report's text as it would be written now, for the window's preview (pictures are
/// described, not drawn). Writes nothing.
pub fn preview(
    vault: &Vault,
    selection: &Selection,
    pictures: Pictures,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let ids = select(vault, selection, now)?;
    let (audit_entries, audit_head) = audit_head(vault)?;
    let mut dossiers = Vec::with_capacity(ids.len());
    for id in &ids {
        dossiers.push(Dossier::gather(vault, *id, now)?);
    }
    let context = report::Context {
        pictures,
        audit_entries,
        audit_head: &audit_head,
        generated_at: now,
        wacz: None,
    };
    Ok(report::outline(&dossiers, &context))
}

/// The ids a selection names, each checked: it exists and was confirmed.
pub fn select(vault: &Vault, selection: &Selection, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let conn = vault.conn();
    let ids = match selection {
        Selection::Findings(ids) if ids.is_empty() => {
            return Err(EvidenceError::NothingChosen.into())
        }
        Selection::Findings(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        Selection::Case(case) => {
            let case = crate::removal::cases::store::get(conn, *case, now)?;
            case.findings
                .iter()
                .filter_map(|f| f.id.as_deref().and_then(|id| id.parse().ok()))
                .collect()
        }
        Selection::AllConfirmed => {
            let mut all = findings::list(conn, Some(FindingStatus::Confirmed))?;
            all.extend(findings::list(conn, Some(FindingStatus::Removed))?);
            let mut ids: Vec<i64> = all.into_iter().map(|f| f.id).collect();
            ids.sort_unstable();
            ids
        }
    };
    for id in &ids {
        let finding = findings::get(conn, *id)?;
        if !matches!(
            finding.status,
            FindingStatus::Confirmed | FindingStatus::Removed
        ) {
            return Err(EvidenceError::NotConfirmed {
                id: *id,
                status: finding.status.as_str(),
            }
            .into());
        }
    }
    if ids.is_empty() {
        return Err(EvidenceError::NoConfirmedFinding.into());
    }
    Ok(ids)
}

/// Writes the package and/or report of `request`, audited. See the module documentation.
pub fn export(vault: &Vault, request: &ExportRequest, now: DateTime<Utc>) -> Result<ExportSummary> {
    if request.hashes_only && (request.wacz.is_some() || request.unredacted) {
        return Err(EvidenceError::Usage(
            "a hashes-only report carries no image: leave out the package (--out) and --unredacted",
        )
        .into());
    }
    if request.hashes_only && request.report.is_none() {
        return Err(
            EvidenceError::Usage("a hashes-only export needs a report file (--report)").into(),
        );
    }
    if !request.hashes_only && request.wacz.is_none() {
        return Err(EvidenceError::Usage("say where the package goes (--out FILE.wacz)").into());
    }
    let ids = select(vault, &request.selection, now)?;
    let (audit_entries, audit_head) = audit_head(vault)?;
    let pictures = if request.hashes_only {
        Pictures::None
    } else if request.unredacted {
        Pictures::Full
    } else {
        Pictures::Blurred
    };

    let mut dossiers = Vec::with_capacity(ids.len());
    for id in &ids {
        dossiers.push(Dossier::gather(vault, *id, now)?);
    }
    let without_capture: Vec<i64> = dossiers
        .iter()
        .filter(|d| !d.captures.iter().any(|c| c.warc))
        .map(|d| d.finding.id)
        .collect();

    let mut staged = Vec::new();
    let mut captures = 0u32;
    let mut wacz_file = None;
    if let Some(path) = &request.wacz {
        let mut file = StagedFile::begin(path, request.overwrite)?;
        captures = write_wacz(vault, &dossiers, file.file(), now)?;
        wacz_file = Some(describe(path, &mut file)?);
        staged.push(file);
    }
    let mut report_file = None;
    if let Some(path) = &request.report {
        let context = report::Context {
            pictures,
            audit_entries,
            audit_head: &audit_head,
            generated_at: now,
            wacz: wacz_file.as_ref(),
        };
        let pdf = report::render(vault, &dossiers, &context)?;
        let file = StagedFile::write(path, &pdf, request.overwrite)?;
        report_file = Some(WrittenFile {
            path: path.display().to_string(),
            bytes: pdf.len() as u64,
            sha256: hex::encode(Sha256::digest(&pdf)),
        });
        staged.push(file);
    }

    let conn = vault.conn();
    let tx = crate::storage::vault::write_transaction(conn)?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "evidence.exported").detail(serde_json::json!({
            "findings": ids,
            "captures": captures,
            "pictures": pictures,
            "wacz_sha256": wacz_file.as_ref().map(|f| f.sha256.clone()),
            "report_sha256": report_file.as_ref().map(|f| f.sha256.clone()),
        })),
        now,
    )?;
    for file in staged {
        file.publish(request.overwrite)?;
    }
    tx.commit()
        .map_err(|e| crate::base::error::storage("recording the evidence export", e))?;
    Ok(ExportSummary {
        findings: ids,
        captures,
        without_capture,
        wacz: wacz_file,
        report: report_file,
        pictures,
        audit_entries,
        audit_head,
    })
}

fn write_wacz(
    vault: &Vault,
    dossiers: &[Dossier],
    out: &mut std::fs::File,
    now: DateTime<Utc>,
) -> Result<u32> {
    let info = format!(
        "software: Takeback {}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\ndescription: evidence captured by Takeback when its owner confirmed each finding; the records are as kept in the encrypted vault at capture time\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut writer = wacz::WaczWriter::begin(&mut *out, &info, now)?;
    let mut pages = Vec::new();
    let mut captures = 0;
    for dossier in dossiers {
        let mut page = None;
        for capture in dossier.captures.iter().filter(|c| c.warc) {
            let Some(records) = evidence_warc(vault, capture)? else {
                continue;
            };
            let mime = capture
                .content_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            writer.add_capture(&records, mime)?;
            captures += 1;
            let url = capture
                .final_url
                .clone()
                .unwrap_or_else(|| capture.requested_url.clone());
            // The page the picture was on, else the picture itself.
            if page.is_none() || capture.kind == findings::EvidenceKind::Page {
                page = Some(wacz::Page {
                    url,
                    ts: capture.captured_at,
                    title: format!("Finding {}", dossier.finding.id),
                });
            }
        }
        pages.extend(page);
    }
    writer.finish(&pages, "Takeback evidence package", now)?;
    Ok(captures)
}

/// The written file's size and SHA-256, read back from the staged copy.
fn describe(path: &Path, file: &mut StagedFile) -> Result<WrittenFile> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| crate::Error::io("reading back", path, e);
    let f = file.file();
    f.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok(WrittenFile {
        path: path.display().to_string(),
        bytes,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// The audit chain's length and last hash.
pub fn audit_head(vault: &Vault) -> Result<(u64, String)> {
    vault
        .conn()
        .query_row(
            "SELECT COUNT(*), COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '')
             FROM audit_log",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .map(|(n, h)| (u64::try_from(n).unwrap_or(0), h))
        .map_err(|e| crate::base::error::storage("reading the audit head", e))
}
