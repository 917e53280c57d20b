//! Writing a bundle: rows, then blobs, then the manifest, as a tar stream inside age, into a
//! staged file that is published only once the export is audited.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::rows::{self, id_list, Row};
use super::{BundleError, Lock, Manifest, ManifestEntry, FORMAT, FORMAT_VERSION};
use crate::base::files::StagedFile;
use crate::storage::audit;
use crate::storage::vault::{BlobId, Vault};
use crate::Result;

/// One export.
#[derive(Debug)]
pub struct ExportRequest {
    pub out: PathBuf,
    /// Only these cases and the findings they name; empty = every finding and case.
    pub cases: Vec<i64>,
    pub lock: Lock,
    /// Also the reference photos and their consent records.
    pub include_face: bool,
    pub overwrite: bool,
}

/// What an export wrote, as `takeback export --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BundleSummary {
    pub path: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    pub findings: u32,
    pub cases: u32,
    pub evidence: u32,
    pub blobs: u32,
    pub include_face: bool,
    /// `passphrase` or `recipient`.
    pub locked_with: String,
}

/// Tar entries written with their digests, for the manifest.
struct Writer<W: Write> {
    tar: tar::Builder<W>,
    entries: Vec<ManifestEntry>,
    now: DateTime<Utc>,
}

impl<W: Write> Writer<W> {
    fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(u64::try_from(self.now.timestamp()).unwrap_or(0));
        header.set_entry_type(tar::EntryType::Regular);
        self.tar
            .append_data(&mut header, path, bytes)
            .map_err(BundleError::write)?;
        self.entries.push(ManifestEntry {
            path: path.to_owned(),
            sha256: hex::encode(Sha256::digest(bytes)),
            bytes: bytes.len() as u64,
        });
        Ok(())
    }

    fn add_rows(&mut self, table: &str, rows: &[Row]) -> Result<()> {
        let json = serde_json::to_vec(rows).map_err(BundleError::write)?;
        self.add(&format!("rows/{table}.json"), &json)
    }
}

/// Writes the bundle of `request` (see the module documentation).
pub fn export(vault: &Vault, request: &ExportRequest, now: DateTime<Utc>) -> Result<BundleSummary> {
    let conn = vault.conn();
    let (case_filter, finding_filter) = if request.cases.is_empty() {
        (String::new(), String::new())
    } else {
        let mut finding_ids = Vec::new();
        for id in &request.cases {
            let case = crate::removal::cases::store::get(conn, *id, now)?;
            finding_ids.extend(
                case.findings
                    .iter()
                    .filter_map(|f| f.id.as_deref().and_then(|i| i.parse::<i64>().ok())),
            );
        }
        (
            format!(" WHERE id IN {}", id_list(&request.cases)),
            format!(" WHERE id IN {}", id_list(&finding_ids)),
        )
    };
    let findings = rows::select(
        conn,
        &format!("SELECT * FROM findings{finding_filter} ORDER BY id"),
        &[],
    )?;
    let finding_ids: Vec<i64> = findings.iter().filter_map(|r| r["id"].as_i64()).collect();
    let in_findings = id_list(&finding_ids);
    let cases = rows::select(
        conn,
        &format!("SELECT * FROM cases{case_filter} ORDER BY id"),
        &[],
    )?;
    let case_ids: Vec<i64> = cases.iter().filter_map(|r| r["id"].as_i64()).collect();
    let in_cases = id_list(&case_ids);
    let mut tables: Vec<(&str, Vec<Row>)> = vec![
        ("findings", findings),
        (
            "finding_providers",
            rows::select(
                conn,
                &format!("SELECT * FROM finding_providers WHERE finding_id IN {in_findings}"),
                &[],
            )?,
        ),
        (
            "evidence",
            rows::select(
                conn,
                &format!("SELECT * FROM evidence WHERE finding_id IN {in_findings} ORDER BY id"),
                &[],
            )?,
        ),
        (
            "recheck_log",
            rows::select(
                conn,
                &format!("SELECT * FROM recheck_log WHERE finding_id IN {in_findings} ORDER BY id"),
                &[],
            )?,
        ),
        ("cases", cases),
        (
            "case_events",
            rows::select(
                conn,
                &format!("SELECT * FROM case_events WHERE case_id IN {in_cases} ORDER BY id"),
                &[],
            )?,
        ),
        (
            "case_pauses",
            rows::select(
                conn,
                &format!("SELECT * FROM case_pauses WHERE case_id IN {in_cases} ORDER BY id"),
                &[],
            )?,
        ),
        (
            "identity",
            rows::select(conn, "SELECT * FROM identity", &[])?,
        ),
    ];
    if request.include_face {
        tables.push((
            "consents",
            rows::select(conn, "SELECT * FROM consents ORDER BY id", &[])?,
        ));
        tables.push((
            "enrolled_faces",
            rows::select(conn, "SELECT * FROM enrolled_faces ORDER BY id", &[])?,
        ));
    }
    let mut blob_ids = Vec::new();
    for (table, rows) in &tables {
        for (column, t) in super::BLOB_COLUMNS {
            if t == *table {
                blob_ids.extend(
                    rows.iter()
                        .filter_map(|r| r.get(column)?.as_str().map(str::to_owned)),
                );
            }
        }
    }
    blob_ids.sort();
    blob_ids.dedup();
    let (audit_entries, audit_head) = crate::removal::evidence::audit_head(vault)?;
    // The audit excerpt: the newest entries, enough to see what was done with the case.
    let excerpt = rows::select(
        conn,
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit_log
         ORDER BY seq DESC LIMIT 1000",
        &[],
    )?;

    let mut staged = StagedFile::begin(&request.out, request.overwrite)?;
    let encryptor = request.lock.encryptor()?;
    let mut counts = std::collections::BTreeMap::new();
    let manifest_bytes = {
        let sink = BufWriter::with_capacity(64 * 1024, staged.file());
        let age = encryptor.wrap_output(sink).map_err(BundleError::write)?;
        let mut writer = Writer {
            tar: tar::Builder::new(age),
            entries: Vec::new(),
            now,
        };
        for (table, rows) in &tables {
            counts.insert(*table, rows.len());
            writer.add_rows(table, rows)?;
        }
        writer.add(
            "audit.json",
            &serde_json::to_vec(&excerpt).map_err(BundleError::write)?,
        )?;
        for id in &blob_ids {
            let bytes = vault.blobs().get(conn, &BlobId::parse(id)?)?;
            writer.add(&format!("blobs/{id}"), &bytes)?;
        }
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            software: concat!("Takeback ", env!("CARGO_PKG_VERSION")).to_owned(),
            schema_version: crate::storage::vault::migrations::latest_version(),
            exported_at: now,
            profile: vault.info().name.clone(),
            cases: case_ids.clone(),
            include_face: request.include_face,
            audit_entries,
            audit_head,
            entries: std::mem::take(&mut writer.entries),
        };
        let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(BundleError::write)?;
        writer.add(super::MANIFEST, &manifest_bytes)?;
        let age = writer.tar.into_inner().map_err(BundleError::write)?;
        let mut sink = age.finish().map_err(BundleError::write)?;
        sink.flush().map_err(BundleError::write)?;
        manifest_bytes
    };
    let bytes = staged
        .file()
        .metadata()
        .map_err(|e| crate::Error::io("reading back", &request.out, e))?
        .len();

    let tx = crate::storage::vault::write_transaction(conn)?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "bundle.exported").detail(serde_json::json!({
            "cases": case_ids,
            "findings": finding_ids.len(),
            "include_face": request.include_face,
            "locked_with": request.lock.kind(),
            "manifest_sha256": hex::encode(Sha256::digest(&manifest_bytes)),
        })),
        now,
    )?;
    staged.publish(request.overwrite)?;
    tx.commit()
        .map_err(|e| crate::base::error::storage("recording the hand-off export", e))?;
    let count = |t: &str| u32::try_from(counts.get(t).copied().unwrap_or(0)).unwrap_or(u32::MAX);
    Ok(BundleSummary {
        path: request.out.display().to_string(),
        bytes,
        findings: count("findings"),
        cases: count("cases"),
        evidence: count("evidence"),
        blobs: u32::try_from(blob_ids.len()).unwrap_or(u32::MAX),
        include_face: request.include_face,
        locked_with: request.lock.kind().to_owned(),
    })
}
