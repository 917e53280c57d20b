//! Reading a bundle: [`verify`] checks every entry against the manifest and writes nothing;
//! [`import`] verifies, then reads again and writes in one transaction, checking again.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::rows::{to_sql, Row};
use super::{BundleError, Key, Manifest, ManifestEntry, FORMAT, FORMAT_VERSION, MANIFEST};
use crate::base::error::storage;
use crate::storage::audit;
use crate::storage::vault::Vault;
use crate::Result;

/// One entry is at most this large (a blob is bounded far below by the crawler's limits).
const MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;
const MAX_ENTRIES: usize = 1_000_000;
const TABLES: [&str; 10] = [
    "findings",
    "finding_providers",
    "evidence",
    "recheck_log",
    "cases",
    "case_events",
    "case_pauses",
    "identity",
    "consents",
    "enrolled_faces",
];

/// What an import did, as `takeback import --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportSummary {
    pub profile: String,
    /// The profile the bundle came from.
    pub from_profile: String,
    pub findings_added: u32,
    /// Findings the profile already had (same address): kept once.
    pub findings_already_there: u32,
    pub cases_added: u32,
    pub cases_already_there: u32,
    pub evidence_added: u32,
    pub include_face: bool,
}

fn allowed_path(path: &str) -> bool {
    if path == MANIFEST || path == "audit.json" {
        return true;
    }
    if let Some(table) = path
        .strip_prefix("rows/")
        .and_then(|p| p.strip_suffix(".json"))
    {
        return TABLES.contains(&table);
    }
    path.strip_prefix("blobs/")
        .is_some_and(|id| crate::storage::vault::BlobId::parse(id).is_ok())
}

/// Decrypts the bundle at `path` and hands every entry but the manifest to `visit`, then checks
/// every entry against the manifest. Returns the manifest.
fn read(
    path: &Path,
    key: &Key,
    visit: &mut dyn FnMut(&str, Vec<u8>) -> Result<()>,
) -> Result<Manifest> {
    let file = File::open(path).map_err(|e| crate::Error::io("reading", path, e))?;
    let mut payload = key.open(BufReader::with_capacity(64 * 1024, file))?;
    let mut seen = Vec::new();
    let mut manifest = None;
    {
        let mut archive = tar::Archive::new(&mut payload);
        for entry in archive.entries().map_err(BundleError::damaged)? {
            let entry = entry.map_err(BundleError::damaged)?;
            if manifest.is_some() {
                return Err(BundleError::damaged("an entry follows the manifest"));
            }
            if seen.len() >= MAX_ENTRIES {
                return Err(BundleError::damaged("too many entries"));
            }
            let name = entry
                .path()
                .map_err(BundleError::damaged)?
                .to_string_lossy()
                .into_owned();
            if !allowed_path(&name) {
                return Err(BundleError::damaged(format!("unexpected entry `{name}`")));
            }
            let size = entry.header().size().map_err(BundleError::damaged)?;
            if size > MAX_ENTRY_BYTES {
                return Err(BundleError::damaged(format!("entry `{name}` is too large")));
            }
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            entry
                .take(MAX_ENTRY_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(BundleError::damaged)?;
            if name == MANIFEST {
                manifest =
                    Some(serde_json::from_slice::<Manifest>(&bytes).map_err(BundleError::damaged)?);
                continue;
            }
            seen.push(ManifestEntry {
                path: name.clone(),
                sha256: hex::encode(Sha256::digest(&bytes)),
                bytes: bytes.len() as u64,
            });
            visit(&name, bytes)?;
        }
    }
    // Read to the end, so that age authenticates the last chunk (a cut-off file fails here).
    std::io::copy(&mut payload, &mut std::io::sink()).map_err(BundleError::damaged)?;
    let manifest = manifest.ok_or_else(|| BundleError::damaged("no manifest"))?;
    if manifest.format != FORMAT {
        return Err(BundleError::damaged("not a hand-off bundle"));
    }
    if manifest.format_version > FORMAT_VERSION
        || manifest.schema_version > crate::storage::vault::migrations::latest_version()
    {
        return Err(BundleError::TooNew {
            found: manifest.software.clone(),
        }
        .into());
    }
    if manifest.entries.len() != seen.len() {
        return Err(BundleError::Altered {
            entry: MANIFEST.to_owned(),
        }
        .into());
    }
    for (listed, got) in manifest.entries.iter().zip(&seen) {
        if listed != got {
            return Err(BundleError::Altered {
                entry: got.path.clone(),
            }
            .into());
        }
    }
    Ok(manifest)
}

/// Checks the bundle at `path` without writing anything: it decrypts with `key`, every entry
/// matches the manifest, and the versions are ones this Takeback reads.
pub fn verify(path: &Path, key: &Key) -> Result<Manifest> {
    read(path, key, &mut |_, _| Ok(()))
}

/// Verifies the bundle at `path`, then opens the target with `target` (creating it if need be)
/// and merges the bundle into it in one transaction, audited. A bundle that fails any check is
/// refused before `target` is called.
pub fn import<E: From<crate::Error>>(
    path: &Path,
    key: &Key,
    target: &mut dyn FnMut() -> std::result::Result<Vault, E>,
    now: DateTime<Utc>,
) -> std::result::Result<(Vault, ImportSummary), E> {
    let manifest = verify(path, key)?;
    let vault = target()?;
    let summary = merge_into(&vault, path, key, &manifest, now)?;
    Ok((vault, summary))
}

/// The second reading: writes the bundle into `vault` in one transaction.
fn merge_into(
    vault: &Vault,
    path: &Path,
    key: &Key,
    manifest: &Manifest,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    let summary = {
        let conn = vault.conn();
        let tx = crate::storage::vault::write_transaction(conn)?;
        let mut merge = Merge::new(vault, &tx);
        let mut tables: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        let manifest2 = read(path, key, &mut |name, bytes| {
            if let Some(table) = name
                .strip_prefix("rows/")
                .and_then(|p| p.strip_suffix(".json"))
            {
                let rows: Vec<Row> =
                    serde_json::from_slice(&bytes).map_err(BundleError::damaged)?;
                tables.insert(table.to_owned(), rows);
            } else if let Some(id) = name.strip_prefix("blobs/") {
                if !merge.rows_done {
                    merge.rows(&tables)?;
                }
                merge.blob(id, &bytes, now)?;
            } else if !merge.rows_done && name == "audit.json" {
                merge.rows(&tables)?;
            }
            Ok(())
        })?;
        if !merge.rows_done {
            merge.rows(&tables)?;
        }
        if &manifest2 != manifest {
            return Err(BundleError::Altered {
                entry: MANIFEST.to_owned(),
            }
            .into());
        }
        let summary = ImportSummary {
            profile: vault.info().name.clone(),
            from_profile: manifest.profile.clone(),
            findings_added: merge.findings_added,
            findings_already_there: merge.findings_already,
            cases_added: merge.cases_added,
            cases_already_there: merge.cases_already,
            evidence_added: merge.evidence_added,
            include_face: manifest.include_face,
        };
        drop(merge);
        audit::append(
            &tx,
            audit::NewEntry::new("owner", "bundle.imported").detail(serde_json::json!({
                "from_profile": manifest.profile,
                "exported_at": manifest.exported_at,
                "software": manifest.software,
                "include_face": manifest.include_face,
                "source_audit_entries": manifest.audit_entries,
                "source_audit_head": manifest.audit_head,
                "findings_added": summary.findings_added,
                "cases_added": summary.cases_added,
                "evidence_added": summary.evidence_added,
            })),
            now,
        )?;
        tx.commit()
            .map_err(|e| storage("importing the hand-off bundle", e))?;
        summary
    };
    Ok(summary)
}

/// The merge in progress: old ids → new ids, and the blob references still to fill.
struct Merge<'a> {
    vault: &'a Vault,
    conn: &'a Connection,
    rows_done: bool,
    findings: HashMap<i64, i64>,
    cases: HashMap<i64, i64>,
    consents: HashMap<i64, i64>,
    /// Old blob id → (table, column, rowid) to point at the new blob.
    pending: HashMap<String, Vec<(&'static str, &'static str, i64)>>,
    /// Old blob id → a reference photo waiting for it, with its new consent id.
    faces: HashMap<String, (Row, i64)>,
    findings_added: u32,
    findings_already: u32,
    cases_added: u32,
    cases_already: u32,
    evidence_added: u32,
}

impl std::fmt::Debug for Merge<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merge").finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error) -> crate::Error {
    storage("importing the hand-off bundle", e)
}

fn int(row: &Row, column: &str) -> Option<i64> {
    row.get(column).and_then(serde_json::Value::as_i64)
}

fn text<'r>(row: &'r Row, column: &str) -> Option<&'r str> {
    row.get(column).and_then(serde_json::Value::as_str)
}

impl<'a> Merge<'a> {
    fn new(vault: &'a Vault, conn: &'a Connection) -> Self {
        Self {
            vault,
            conn,
            rows_done: false,
            findings: HashMap::new(),
            cases: HashMap::new(),
            consents: HashMap::new(),
            pending: HashMap::new(),
            faces: HashMap::new(),
            findings_added: 0,
            findings_already: 0,
            cases_added: 0,
            cases_already: 0,
            evidence_added: 0,
        }
    }

    /// The columns `table` has here (bundle rows may name only these).
    fn columns(&self, table: &str) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .map_err(db)?;
        let names = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        Ok(names)
    }

    /// Inserts `row` into `table` without the columns in `skip`, with `set` replacing values.
    /// Returns the new rowid.
    fn insert(
        &self,
        table: &'static str,
        row: &Row,
        skip: &[&str],
        set: &[(&str, Value)],
    ) -> Result<i64> {
        let known = self.columns(table)?;
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (name, value) in row {
            if skip.contains(&name.as_str()) || set.iter().any(|(n, _)| n == name) {
                continue;
            }
            if !known.contains(name) {
                return Err(BundleError::damaged(format!(
                    "unknown column `{name}` in {table}"
                )));
            }
            names.push(name.clone());
            values.push(
                to_sql(value)
                    .ok_or_else(|| BundleError::damaged(format!("a value of {table}.{name}")))?,
            );
        }
        for (name, value) in set {
            names.push((*name).to_owned());
            values.push(value.clone());
        }
        let marks = vec!["?"; names.len()].join(",");
        self.conn
            .execute(
                &format!("INSERT INTO {table} ({}) VALUES ({marks})", names.join(",")),
                params_from_iter(values),
            )
            .map_err(db)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn expect_blob(&mut self, table: &'static str, column: &'static str, rowid: i64, row: &Row) {
        if let Some(old) = text(row, column) {
            self.pending
                .entry(old.to_owned())
                .or_default()
                .push((table, column, rowid));
        }
    }

    fn exists(&self, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Option<i64>> {
        self.conn
            .query_row(sql, params, |r| r.get(0))
            .optional()
            .map_err(db)
    }

    fn rows(&mut self, tables: &BTreeMap<String, Vec<Row>>) -> Result<()> {
        self.rows_done = true;
        let empty = Vec::new();
        let table = |name: &str| tables.get(name).unwrap_or(&empty);
        for row in table("findings") {
            let old = int(row, "id").ok_or_else(|| BundleError::damaged("a finding without id"))?;
            let key = text(row, "url_key").unwrap_or_default();
            if let Some(id) = self.exists("SELECT id FROM findings WHERE url_key = ?1", &[&key])? {
                self.findings.insert(old, id);
                self.findings_already += 1;
                continue;
            }
            let id = self.insert("findings", row, &["id", "thumbnail_blob", "first_job"], &[])?;
            self.expect_blob("findings", "thumbnail_blob", id, row);
            self.findings.insert(old, id);
            self.findings_added += 1;
        }
        // A cluster is named by one finding of the group: renumber it like the findings.
        for row in table("findings") {
            let (Some(old), Some(cluster)) = (int(row, "id"), int(row, "cluster_id")) else {
                continue;
            };
            let (Some(&new), Some(&new_cluster)) =
                (self.findings.get(&old), self.findings.get(&cluster))
            else {
                continue;
            };
            self.conn
                .execute(
                    "UPDATE findings SET cluster_id = ?1 WHERE id = ?2 AND cluster_id = ?3",
                    rusqlite::params![new_cluster, new, cluster],
                )
                .map_err(db)?;
        }
        for row in table("finding_providers") {
            let Some(finding) = int(row, "finding_id").and_then(|f| self.findings.get(&f)) else {
                continue;
            };
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO finding_providers (finding_id, provider, score) VALUES (?1, ?2, ?3)",
                    rusqlite::params![finding, text(row, "provider"), row.get("score").and_then(serde_json::Value::as_f64)],
                )
                .map_err(db)?;
        }
        for row in table("evidence") {
            let Some(&finding) = int(row, "finding_id").and_then(|f| self.findings.get(&f)) else {
                continue;
            };
            let same = self.exists(
                "SELECT id FROM evidence WHERE finding_id = ?1 AND kind = ?2 AND captured_at = ?3
                 AND COALESCE(sha256, '') = COALESCE(?4, '')",
                &[
                    &finding,
                    &text(row, "kind"),
                    &text(row, "captured_at"),
                    &text(row, "sha256"),
                ],
            )?;
            if same.is_some() {
                continue;
            }
            let id = self.insert(
                "evidence",
                row,
                &["id", "blob_id", "warc_blob_id"],
                &[("finding_id", Value::Integer(finding))],
            )?;
            self.expect_blob("evidence", "blob_id", id, row);
            self.expect_blob("evidence", "warc_blob_id", id, row);
            self.evidence_added += 1;
        }
        for row in table("recheck_log") {
            let Some(&finding) = int(row, "finding_id").and_then(|f| self.findings.get(&f)) else {
                continue;
            };
            let same = self.exists(
                "SELECT id FROM recheck_log WHERE finding_id = ?1 AND checked_at = ?2 AND outcome = ?3",
                &[&finding, &text(row, "checked_at"), &text(row, "outcome")],
            )?;
            if same.is_none() {
                self.insert(
                    "recheck_log",
                    row,
                    &["id"],
                    &[("finding_id", Value::Integer(finding))],
                )?;
            }
        }
        for row in table("cases") {
            let old = int(row, "id").ok_or_else(|| BundleError::damaged("a case without id"))?;
            if let Some(id) = self.exists(
                "SELECT id FROM cases WHERE created_at = ?1 AND subject = ?2 AND recipient_name = ?3",
                &[&text(row, "created_at"), &text(row, "subject"), &text(row, "recipient_name")],
            )? {
                self.cases.insert(old, id);
                self.cases_already += 1;
                continue;
            }
            // The letter names findings by id: renumber them.
            let mut refs: Vec<serde_json::Value> =
                serde_json::from_str(text(row, "findings_json").unwrap_or("[]"))
                    .map_err(BundleError::damaged)?;
            for r in &mut refs {
                let new = r
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .and_then(|s| s.parse::<i64>().ok())
                    .and_then(|old| self.findings.get(&old));
                if let (Some(new), Some(obj)) = (new, r.as_object_mut()) {
                    obj.insert("id".into(), serde_json::Value::String(new.to_string()));
                }
            }
            let json = serde_json::to_string(&refs).map_err(BundleError::damaged)?;
            let id = self.insert(
                "cases",
                row,
                &["id"],
                &[("findings_json", Value::Text(json))],
            )?;
            self.cases.insert(old, id);
            self.cases_added += 1;
        }
        for (t, time) in [("case_events", "at"), ("case_pauses", "paused_from")] {
            for row in table(t) {
                let Some(&case) = int(row, "case_id").and_then(|c| self.cases.get(&c)) else {
                    continue;
                };
                let same = self.exists(
                    &format!("SELECT id FROM {t} WHERE case_id = ?1 AND {time} = ?2"),
                    &[&case, &text(row, time)],
                )?;
                if same.is_none() {
                    let t: &'static str = if t == "case_events" {
                        "case_events"
                    } else {
                        "case_pauses"
                    };
                    self.insert(t, row, &["id"], &[("case_id", Value::Integer(case))])?;
                }
            }
        }
        // The profile's own signer's details win; the bundle's fill an empty profile.
        for row in table("identity") {
            if self.exists("SELECT id FROM identity", &[])?.is_none() {
                self.insert("identity", row, &[], &[])?;
            }
        }
        for row in table("consents") {
            let old = int(row, "id").ok_or_else(|| BundleError::damaged("a consent without id"))?;
            let id = self.insert("consents", row, &["id"], &[])?;
            self.consents.insert(old, id);
        }
        for row in table("enrolled_faces") {
            let Some(&consent) = int(row, "consent_id").and_then(|c| self.consents.get(&c)) else {
                continue;
            };
            // Its photo (a NOT NULL reference) is written when the blob arrives.
            if let Some(blob) = text(row, "blob_id") {
                self.faces.insert(blob.to_owned(), (row.clone(), consent));
            }
        }
        Ok(())
    }

    fn blob(&mut self, old: &str, bytes: &[u8], now: DateTime<Utc>) -> Result<()> {
        if let Some((row, consent)) = self.faces.remove(old) {
            let new = self.vault.blobs().put(self.conn, bytes, now)?;
            self.insert(
                "enrolled_faces",
                &row,
                &["id"],
                &[
                    ("consent_id", Value::Integer(consent)),
                    ("blob_id", Value::Text(new.as_str().to_owned())),
                ],
            )?;
        }
        let Some(targets) = self.pending.remove(old) else {
            return Ok(());
        };
        let new = self.vault.blobs().put(self.conn, bytes, now)?;
        for (table, column, rowid) in targets {
            self.conn
                .execute(
                    &format!("UPDATE {table} SET {column} = ?1 WHERE rowid = ?2"),
                    rusqlite::params![new.as_str(), rowid],
                )
                .map_err(db)?;
        }
        Ok(())
    }
}
