//! Findings: images on the web (or in a folder) that show the owner or copy one of the owner's
//! photos, kept in the profile's vault for review.
//!
//! A finding is one image address (normalised, see [`url_key`]); copies of the same picture at
//! other addresses share a `cluster_id` (PDQ near-duplicates). Each remembers which providers saw
//! it, its face distance, first and last sighting, and a small encrypted thumbnail for the app.
//! The owner confirms ("this is me") or dismisses ("not me"); a dismissed face joins the "not me"
//! memory and suppresses matching faces in every later scan ([`not_me_faces`]).
//! Recording sightings is in [`record`]; scans call it. Confirming with evidence is in
//! [`evidence`]; re-checking confirmed findings is in [`recheck`].

pub mod evidence;
pub mod recheck;
pub mod record;
mod seen_by;
mod unverified;
pub mod warc;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use takeback_faces::Descriptor;
use zeroize::Zeroizing;

use crate::base::error::storage;
use crate::face::matching::Likeness;
use crate::search::error::SearchError;
use crate::storage::vault::{BlobId, Vault};
use crate::{storage::audit, Result};

pub use evidence::{
    capture, confirm_with_evidence, evidence, evidence_bytes, evidence_warc, has_warc, Confirmed,
    EvidenceKind, EvidenceRecord, FetchOptions,
};
pub use recheck::{RecheckEntry, RecheckOutcome, RecheckResult};
pub use record::{record, url_key, Evidence, RecordOutcome, Sighting};
pub use seen_by::SeenBy;
pub use unverified::{FetchWhy, UnverifiedWhy};

/// Where a finding stands in the owner's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    New,
    Confirmed,
    Dismissed,
    /// Re-checked and gone (set by `recheck`).
    Removed,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Confirmed => "confirmed",
            FindingStatus::Dismissed => "dismissed",
            FindingStatus::Removed => "removed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            FindingStatus::New,
            FindingStatus::Confirmed,
            FindingStatus::Dismissed,
            FindingStatus::Removed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// Why the image is a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A face within the gate threshold of the enrolled face.
    OwnersFace,
    /// A PDQ near-duplicate of a photo the owner registered.
    CopyOfRegisteredPhoto,
    /// A provider reported it, but it could not be fetched and checked on this device;
    /// `unverified_reason` says why.
    Unverified,
}

impl FindingKind {
    fn as_str(self) -> &'static str {
        match self {
            FindingKind::OwnersFace => "owners_face",
            FindingKind::CopyOfRegisteredPhoto => "copy_of_registered_photo",
            FindingKind::Unverified => "unverified",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "owners_face" => FindingKind::OwnersFace,
            "copy_of_registered_photo" => FindingKind::CopyOfRegisteredPhoto,
            _ => FindingKind::Unverified,
        }
    }
}

/// One finding, as `takeback findings --json` prints it and the Findings page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub image_url: String,
    pub page_url: Option<String>,
    /// The host the image was seen on (the page's, else the image's), or `this computer`.
    pub site: String,
    pub kind: FindingKind,
    pub unverified_reason: Option<String>,
    /// The same, as a code the window says in its own language (`None` for findings recorded
    /// before it was kept: the window then shows the English sentence).
    pub unverified_why: Option<UnverifiedWhy>,
    /// Distance of the nearest face to the enrolled set (lower is more alike).
    pub distance: Option<f32>,
    /// `distance` in the bands the window puts into words.
    pub likeness: Likeness,
    /// Bits to the nearest registered photo.
    pub pdq_distance: Option<u32>,
    /// SHA-256 of the image as fetched (empty for an unverified finding).
    pub sha256: String,
    pub pdq: Option<String>,
    /// Findings with the same cluster id are copies of one picture.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub cluster_id: i64,
    pub status: FindingStatus,
    /// Who saw it (printed as provider names, `site-watch`, `folder-scan`).
    pub providers: Vec<SeenBy>,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub first_seen: DateTime<Utc>,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub last_seen: DateTime<Utc>,
    pub has_thumbnail: bool,
    /// The confirmed or removed finding this one is a copy of, when monitoring found the
    /// picture again at this new address.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub reappeared_from: Option<i64>,
}

/// The findings of one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SiteFindings {
    pub site: String,
    pub findings: Vec<Finding>,
}

const COLUMNS: &str = "id, image_url, page_url, site, verdict, unverified_reason, distance,
    pdq_distance, sha256, pdq, cluster_id, status, first_seen, last_seen, thumbnail_blob,
    reappeared_from, unverified_why";

/// Findings, by site then id; only those in `status` when given.
pub fn list(conn: &Connection, status: Option<FindingStatus>) -> Result<Vec<Finding>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM findings WHERE ?1 IS NULL OR status = ?1 ORDER BY site, cluster_id, id"
    );
    let mut statement = conn
        .prepare(&sql)
        .map_err(|e| storage("listing findings", e))?;
    let rows = statement
        .query_map([status.map(FindingStatus::as_str)], row_to_finding)
        .map_err(|e| storage("listing findings", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing findings", e))?;
    rows.into_iter().map(|f| with_providers(conn, f)).collect()
}

/// Findings grouped by site (sites in name order).
pub fn by_site(conn: &Connection, status: Option<FindingStatus>) -> Result<Vec<SiteFindings>> {
    let mut groups: Vec<SiteFindings> = Vec::new();
    for finding in list(conn, status)? {
        match groups.last_mut() {
            Some(group) if group.site == finding.site => group.findings.push(finding),
            _ => groups.push(SiteFindings {
                site: finding.site.clone(),
                findings: vec![finding],
            }),
        }
    }
    Ok(groups)
}

/// One finding.
pub fn get(conn: &Connection, id: i64) -> Result<Finding> {
    let sql = format!("SELECT {COLUMNS} FROM findings WHERE id = ?1");
    let finding = conn
        .query_row(&sql, [id], row_to_finding)
        .optional()
        .map_err(|e| storage("reading a finding", e))?
        .ok_or(SearchError::FindingNotFound { id })?;
    with_providers(conn, finding)
}

/// Findings first recorded by scan job `job_id` (what `takeback scan` prints as new).
pub fn first_seen_in_job(conn: &Connection, job_id: i64) -> Result<Vec<Finding>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM findings WHERE first_job = ?1 ORDER BY site, cluster_id, id"
    );
    let mut statement = conn
        .prepare(&sql)
        .map_err(|e| storage("listing findings", e))?;
    let rows = statement
        .query_map([job_id], row_to_finding)
        .map_err(|e| storage("listing findings", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing findings", e))?;
    rows.into_iter().map(|f| with_providers(conn, f)).collect()
}

/// "This is me": marks the finding confirmed (audited). Captures no evidence; the CLI uses
/// [`confirm_with_evidence`], which also keeps the image and page.
pub fn confirm(vault: &Vault, id: i64, now: DateTime<Utc>) -> Result<Finding> {
    review(vault, id, FindingStatus::Confirmed, now)
}

/// "Not me": marks the finding dismissed and remembers its face as a lookalike, so matching
/// faces are suppressed from every provider and source from now on (audited).
pub fn dismiss(vault: &Vault, id: i64, now: DateTime<Utc>) -> Result<Finding> {
    review(vault, id, FindingStatus::Dismissed, now)
}

fn review(vault: &Vault, id: i64, status: FindingStatus, now: DateTime<Utc>) -> Result<Finding> {
    let conn = vault.conn();
    let tx = crate::storage::vault::write_transaction(conn)?;
    review_in(&tx, id, status, now)?;
    tx.commit().map_err(|e| storage("reviewing a finding", e))?;
    get(conn, id)
}

/// Records the owner's review of finding `id` in `tx` (audited); the caller commits.
pub(crate) fn review_in(
    tx: &Connection,
    id: i64,
    status: FindingStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let (image_url, descriptor): (String, Option<Vec<u8>>) = tx
        .query_row(
            "SELECT image_url, face_descriptor FROM findings WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| storage("reviewing a finding", e))?
        .ok_or(SearchError::FindingNotFound { id })?;
    tx.execute(
        "UPDATE findings SET status = ?1, reviewed_at = ?2 WHERE id = ?3",
        params![status.as_str(), now.to_rfc3339(), id],
    )
    .map_err(|e| storage("reviewing a finding", e))?;
    let mut remembered = false;
    if status == FindingStatus::Dismissed {
        if let Some(descriptor) = descriptor {
            tx.execute(
                "INSERT INTO not_me_faces (finding_id, descriptor, added_at) VALUES (?1, ?2, ?3)",
                params![id, descriptor, now.to_rfc3339()],
            )
            .map_err(|e| storage("remembering a dismissed face", e))?;
            remembered = true;
        }
    }
    audit::append(
        tx,
        audit::NewEntry::new(
            "owner",
            if status == FindingStatus::Dismissed {
                "finding.dismissed"
            } else {
                "finding.confirmed"
            },
        )
        .subject(image_url.as_bytes())
        .detail(serde_json::json!({ "finding": id, "not_me_face_remembered": remembered })),
        now,
    )?;
    Ok(())
}

/// The finding's thumbnail (a small JPEG, at most 256 px on its longer side), decrypted; `None`
/// when it has none (unverified findings). The app blurs it until the owner reveals it.
pub fn thumbnail(vault: &Vault, id: i64) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let blob: Option<String> = vault
        .conn()
        .query_row(
            "SELECT thumbnail_blob FROM findings WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading a finding", e))?
        .ok_or(SearchError::FindingNotFound { id })?;
    match blob {
        Some(blob) => Ok(Some(
            vault.blobs().get(vault.conn(), &BlobId::parse(&blob)?)?,
        )),
        None => Ok(None),
    }
}

/// The faces the owner dismissed as "not me".
pub fn not_me_faces(conn: &Connection) -> Result<Vec<Descriptor>> {
    let mut statement = conn
        .prepare("SELECT descriptor FROM not_me_faces ORDER BY id")
        .map_err(|e| storage("reading dismissed faces", e))?;
    let rows = statement
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .map_err(|e| storage("reading dismissed faces", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading dismissed faces", e))?;
    Ok(rows
        .iter()
        .filter_map(|bytes| Descriptor::from_le_bytes(bytes))
        .collect())
}

fn with_providers(conn: &Connection, mut finding: Finding) -> Result<Finding> {
    let mut statement = conn
        .prepare_cached(
            "SELECT provider FROM finding_providers WHERE finding_id = ?1 ORDER BY provider",
        )
        .map_err(|e| storage("reading a finding", e))?;
    finding.providers = statement
        .query_map([finding.id], |r| r.get::<_, String>(0))
        .map_err(|e| storage("reading a finding", e))?
        .collect::<rusqlite::Result<Vec<String>>>()
        .map_err(|e| storage("reading a finding", e))?
        .iter()
        // A name this build does not know (written by a newer one) is left out, not fatal.
        .filter_map(|name| SeenBy::parse(name))
        .collect();
    Ok(finding)
}

fn parse_time(index: usize, text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
}

fn row_to_finding(row: &rusqlite::Row<'_>) -> rusqlite::Result<Finding> {
    let status: String = row.get(11)?;
    let verdict: String = row.get(4)?;
    let id: i64 = row.get(0)?;
    let distance = row.get::<_, Option<f64>>(6)?.map(|d| d as f32);
    Ok(Finding {
        id,
        image_url: row.get(1)?,
        page_url: row.get(2)?,
        site: row.get(3)?,
        kind: FindingKind::parse(&verdict),
        unverified_reason: row.get(5)?,
        distance,
        likeness: Likeness::of(distance),
        pdq_distance: row.get(7)?,
        sha256: row.get(8)?,
        pdq: row.get(9)?,
        cluster_id: row.get::<_, Option<i64>>(10)?.unwrap_or(id),
        status: FindingStatus::parse(&status).unwrap_or(FindingStatus::New),
        providers: Vec::new(),
        first_seen: parse_time(12, &row.get::<_, String>(12)?)?,
        last_seen: parse_time(13, &row.get::<_, String>(13)?)?,
        has_thumbnail: row.get::<_, Option<String>>(14)?.is_some(),
        reappeared_from: row.get(15)?,
        // A code this build does not know is left out: the English sentence still says it.
        unverified_why: row
            .get::<_, Option<String>>(16)?
            .and_then(|why| serde_json::from_str(&why).ok()),
    })
}
