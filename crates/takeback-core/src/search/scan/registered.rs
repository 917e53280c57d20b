//! Photos the owner registered with `scan --image`: after the own-face gate, each is kept in the
//! vault (encrypted) with its PDQ hash. It is the query a copy finder or face finder is sent
//! (prepared, see [`super::consent`]), and every later scan also looks for PDQ copies of it,
//! which finds copies of photos that show no face.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use takeback_faces::FaceEngine;
use zeroize::Zeroizing;

use crate::base::error::storage;
use crate::face::gate::{self, GateRequest, Purpose};
use crate::face::matching::OwnerReference;
use crate::face::pdq::{pdq_hash, PdqHash};
use crate::search::error::SearchError;
use crate::storage::vault::{BlobId, Vault};
use crate::{face::enrollment, search::findings, storage::audit, Result};

/// A registered photo (its bytes stay in the vault).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegisteredPhoto {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub sha256: String,
    /// PDQ hash (hex), absent when the photo has too little detail to hash usefully.
    pub pdq: Option<String>,
    /// No face was detected; the owner attested that it shows them.
    pub attested_no_face: bool,
    /// False when the same photo was registered before (the earlier id is returned).
    pub created: bool,
}

/// Runs the gate on `bytes` as a copy search (audited) and, when it passes, keeps the photo.
/// A refusal is [`crate::Error::GateRefused`] with the user-facing reason.
pub fn register(
    vault: &Vault,
    engine: &FaceEngine,
    bytes: &[u8],
    attest_shows_me: bool,
    now: DateTime<Utc>,
) -> Result<RegisteredPhoto> {
    let outcome = gate::check_image(
        vault,
        engine,
        bytes,
        GateRequest {
            purpose: Purpose::CopySearch,
            actor: "owner",
            attest_shows_me,
        },
        now,
    )?
    .outcome;
    let attested_no_face = outcome.decision == gate::Decision::AttestedNoFace;
    let pass = outcome.into_pass()?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let conn = vault.conn();
    if let Some(id) = conn
        .query_row(
            "SELECT id FROM registered_photos WHERE sha256 = ?1",
            [&sha256],
            |r| r.get::<_, i64>(0),
        )
        .optional()
        .map_err(|e| storage("looking up a registered photo", e))?
    {
        let mut photo = get(conn, id)?;
        photo.created = false;
        return Ok(photo);
    }
    let pdq = image::load_from_memory(bytes)
        .ok()
        .and_then(|image| pdq_hash(&image))
        .filter(|digest| digest.is_useful())
        .map(|digest| digest.hash.to_hex());
    let tx = crate::storage::vault::write_transaction(conn)?;
    let blob = vault.blobs().put(&tx, bytes, now)?;
    tx.execute(
        "INSERT INTO registered_photos (blob_id, sha256, pdq, attested_no_face, gate_audit_seq, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![blob.as_str(), sha256, pdq, attested_no_face, pass.audit_seq, now.to_rfc3339()],
    )
    .map_err(|e| storage("registering a photo", e))?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "photo.registered")
            .subject(bytes)
            .detail(serde_json::json!({ "photo": id, "attested_no_face": attested_no_face })),
        now,
    )?;
    tx.commit().map_err(|e| storage("registering a photo", e))?;
    Ok(RegisteredPhoto {
        id,
        sha256,
        pdq,
        attested_no_face,
        created: true,
    })
}

/// One registered photo.
pub fn get(conn: &Connection, id: i64) -> Result<RegisteredPhoto> {
    conn.query_row(
        "SELECT id, sha256, pdq, attested_no_face FROM registered_photos WHERE id = ?1",
        [id],
        |r| {
            Ok(RegisteredPhoto {
                id: r.get(0)?,
                sha256: r.get(1)?,
                pdq: r.get(2)?,
                attested_no_face: r.get(3)?,
                created: false,
            })
        },
    )
    .optional()
    .map_err(|e| storage("reading a registered photo", e))?
    .ok_or_else(|| SearchError::PhotoNotFound { id }.into())
}

/// Every registered photo, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<RegisteredPhoto>> {
    let mut statement = conn
        .prepare("SELECT id FROM registered_photos ORDER BY id")
        .map_err(|e| storage("listing registered photos", e))?;
    let ids = statement
        .query_map([], |r| r.get::<_, i64>(0))
        .map_err(|e| storage("listing registered photos", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing registered photos", e))?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}

/// The photo's bytes, decrypted (zeroed when dropped).
pub fn bytes(vault: &Vault, id: i64) -> Result<Zeroizing<Vec<u8>>> {
    let blob: String = vault
        .conn()
        .query_row(
            "SELECT blob_id FROM registered_photos WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading a registered photo", e))?
        .ok_or(SearchError::PhotoNotFound { id })?;
    vault.blobs().get(vault.conn(), &BlobId::parse(&blob)?)
}

/// What every candidate image is compared with: the enrolled faces, the faces dismissed as "not
/// me", and the registered photos' PDQ hashes.
pub fn owner_reference(conn: &Connection) -> Result<OwnerReference> {
    let registered_photos = list(conn)?
        .into_iter()
        .filter_map(|p| p.pdq.as_deref().and_then(PdqHash::from_hex))
        .collect();
    Ok(OwnerReference {
        enrolled: enrollment::descriptors(conn)?,
        not_me: findings::not_me_faces(conn)?,
        registered_photos,
    })
}
