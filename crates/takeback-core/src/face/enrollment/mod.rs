//! Enrollment: the owner's reference photos and the consent behind them.
//!
//! A profile holds 1 to [`MAX_PHOTOS`] reference faces. Each photo must pass
//! [`quality::check`]: exactly one face, large, a stable descriptor, adult. The photos are stored encrypted in
//! the vault's blob store, their descriptors in `enrolled_faces`, and a consent record says who
//! attested that the face is the owner's (the owner, or a named advocate who checked the owner in
//! person), when and how.
//!
//! A call is all or nothing: every photo is checked before anything is written, and the writes
//! happen in one transaction with their audit entries, so a crash leaves the vault as it was or
//! with the whole batch.

pub mod consistency;
pub mod quality;
pub mod view;

use chrono::{DateTime, SecondsFormat, Utc};
use image::DynamicImage;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use takeback_faces::{BBox, Descriptor, Face, FaceEngine};

pub use quality::PhotoProblem;

use crate::base::error::storage;
use crate::storage::audit;
use crate::storage::vault::Vault;
use crate::{Error, Result};

/// Most reference photos a profile keeps.
pub const MAX_PHOTOS: usize = 10;

/// Who attested that the photos show the profile's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Attestation {
    /// The owner, enrolling their own face.
    Owner,
    /// An advocate who checked the owner's identity in person.
    Advocate { name: String },
}

impl Attestation {
    /// The audit log's actor for this attestation.
    pub fn actor(&self) -> &'static str {
        match self {
            Attestation::Owner => "owner",
            Attestation::Advocate { .. } => "advocate",
        }
    }
}

/// The consent record written with a batch of photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    pub attestation: Attestation,
    /// How the photos were given: `cli`, `app-file`, `app-webcam`.
    pub method: String,
}

impl Consent {
    /// The statement recorded with the consent, in the words the user agreed to.
    pub fn statement(&self) -> String {
        match &self.attestation {
            Attestation::Owner => {
                "I am the person in these photos and I enroll my own face to search for my own images."
                    .to_owned()
            }
            Attestation::Advocate { name } => format!(
                "{name} checked in person that these photos show the profile's owner, who consents to searching for their own images."
            ),
        }
    }
}

/// A photo that passed the checks, ready to store.
#[derive(Debug, Clone)]
pub struct CheckedPhoto {
    pub face: Face,
    pub sharpness: f32,
}

/// One of the photos offered for enrollment cannot be a reference, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("photo {photo} of {total} cannot be used: {problem}")]
pub struct PhotoRefused {
    /// 1-based, in the order the photos were given.
    pub photo: usize,
    pub total: usize,
    pub problem: PhotoProblem,
}

impl PhotoRefused {
    pub fn code(&self) -> crate::ErrorCode {
        crate::ErrorCode::InvalidInput
    }
}

crate::layer_error!(PhotoRefused);

/// Detects and checks one photo's bytes. The error says what is wrong with it.
pub fn check_photo(
    engine: &FaceEngine,
    bytes: &[u8],
) -> std::result::Result<CheckedPhoto, PhotoProblem> {
    let image = decode(engine, bytes)?;
    let faces = engine
        .detect(&image)
        .map_err(|e| PhotoProblem::Unreadable {
            reason: e.to_string(),
        })?;
    let (face, sharpness) = quality::check_with(Some(engine), &image, &faces)?;
    Ok(CheckedPhoto { face, sharpness })
}

/// Whether these exact bytes are already a reference photo of the profile (by SHA-256), so the
/// same photo is not enrolled twice and does not weigh double in every comparison.
pub fn is_enrolled(conn: &Connection, bytes: &[u8]) -> Result<bool> {
    let sha = audit::digest(bytes);
    Ok(list(conn)?.iter().any(|f| f.image_sha256 == sha))
}

/// Checks faces already detected in `image` (the app shows boxes from its own detection).
pub fn check_faces(
    image: &DynamicImage,
    faces: &[Face],
) -> std::result::Result<CheckedPhoto, PhotoProblem> {
    let (face, sharpness) = quality::check(image, faces)?;
    Ok(CheckedPhoto { face, sharpness })
}

fn decode(engine: &FaceEngine, bytes: &[u8]) -> std::result::Result<DynamicImage, PhotoProblem> {
    takeback_faces::decode_image(bytes, &engine.options().decode_limits).map_err(|e| {
        PhotoProblem::Unreadable {
            reason: e.to_string(),
        }
    })
}

/// One enrolled reference face.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolledFace {
    pub id: i64,
    pub consent_id: i64,
    pub image_sha256: String,
    #[serde(rename = "box")]
    pub bbox: BBox,
    pub score: f32,
    pub sharpness: f32,
    pub age: f32,
    pub added_at: String,
    #[serde(skip)]
    pub descriptor: Descriptor,
    #[serde(skip)]
    pub blob_id: String,
}

/// What [`enroll`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Enrolled {
    pub consent_id: i64,
    pub added: Vec<EnrolledFace>,
    pub total: usize,
}

/// A step of [`enroll`], for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Photo `n` (1-based) of `total` was checked.
    Checked { n: usize, total: usize },
    /// Photo `n` of `total` was written (not yet committed).
    Stored { n: usize, total: usize },
}

/// Checks every photo, then stores them all with one consent record. `photos` are the files'
/// bytes; nothing about their paths is kept.
pub fn enroll(
    vault: &Vault,
    engine: &FaceEngine,
    photos: &[&[u8]],
    consent: &Consent,
    now: DateTime<Utc>,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Enrolled> {
    let total = photos.len();
    if total == 0 {
        return Err(Error::NoEnrollmentPhotos);
    }
    let mut checked = Vec::with_capacity(total);
    for (i, bytes) in photos.iter().enumerate() {
        let photo = check_photo(engine, bytes).map_err(|problem| PhotoRefused {
            photo: i + 1,
            total,
            problem,
        })?;
        on_progress(Progress::Checked { n: i + 1, total });
        checked.push(photo);
    }
    store(vault, photos, &checked, consent, now, on_progress)
}

/// Stores photos that already passed [`check_photo`] (the app checks each one as it is picked).
/// `photos[i]` must be the bytes `checked[i]` was made from.
pub fn store(
    vault: &Vault,
    photos: &[&[u8]],
    checked: &[CheckedPhoto],
    consent: &Consent,
    now: DateTime<Utc>,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Enrolled> {
    let total = checked.len();
    if total == 0 || photos.len() != total {
        return Err(Error::NoEnrollmentPhotos);
    }
    if let Attestation::Advocate { name } = &consent.attestation {
        if name.trim().is_empty() {
            return Err(Error::AdvocateNameMissing);
        }
    }
    // IMMEDIATE: a scan may be writing on another connection; a deferred transaction that
    // reads first would fail half-way with "database is locked".
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    let already = count(&tx)?;
    if already + total > MAX_PHOTOS {
        return Err(Error::TooManyPhotos {
            max: MAX_PHOTOS,
            enrolled: already,
        });
    }
    // The same bytes twice would weigh double in every comparison.
    let mut seen: std::collections::HashSet<String> =
        list(&tx)?.into_iter().map(|f| f.image_sha256).collect();
    for (i, bytes) in photos.iter().enumerate() {
        if !seen.insert(audit::digest(bytes)) {
            return Err(PhotoRefused {
                photo: i + 1,
                total,
                problem: PhotoProblem::AlreadyEnrolled,
            }
            .into());
        }
    }
    let new: Vec<&Descriptor> = checked.iter().map(|c| &c.face.descriptor).collect();
    consistency::check(&descriptors(&tx)?, &new).map_err(|(i, problem)| PhotoRefused {
        photo: i + 1,
        total,
        problem,
    })?;
    let at = now.to_rfc3339_opts(SecondsFormat::Micros, true);
    let advocate = match &consent.attestation {
        Attestation::Owner => None,
        Attestation::Advocate { name } => Some(name.trim().to_owned()),
    };
    tx.execute(
        "INSERT INTO consents (attested_by, advocate_name, method, statement, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            consent.attestation.actor(),
            advocate,
            consent.method,
            consent.statement(),
            at
        ],
    )
    .map_err(|e| storage("recording consent", e))?;
    let consent_id = tx.last_insert_rowid();
    audit::append(
        &tx,
        audit::NewEntry::new(consent.attestation.actor(), "enrollment.consent").detail(
            serde_json::json!({
                "consent_id": consent_id,
                "attested_by": consent.attestation.actor(),
                "method": consent.method,
                "photos": total,
            }),
        ),
        now,
    )?;
    let mut added = Vec::with_capacity(total);
    for (i, (bytes, photo)) in photos.iter().zip(checked).enumerate() {
        let blob = vault.blobs().put(&tx, bytes, now)?;
        let sha = audit::digest(bytes);
        let f = &photo.face;
        tx.execute(
            "INSERT INTO enrolled_faces (consent_id, blob_id, image_sha256, descriptor, box_x,
                 box_y, box_width, box_height, score, sharpness, age, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                consent_id,
                blob.as_str(),
                sha,
                f.descriptor.to_le_bytes(),
                f.bbox.x,
                f.bbox.y,
                f.bbox.width,
                f.bbox.height,
                f.score,
                photo.sharpness,
                f.age,
                at
            ],
        )
        .map_err(|e| storage("storing a reference face", e))?;
        let id = tx.last_insert_rowid();
        audit::append(
            &tx,
            audit::NewEntry::new(consent.attestation.actor(), "enrollment.added")
                .subject_digest(sha.clone())
                .detail(serde_json::json!({ "face_id": id, "consent_id": consent_id })),
            now,
        )?;
        added.push(EnrolledFace {
            id,
            consent_id,
            image_sha256: sha,
            bbox: f.bbox,
            score: f.score,
            sharpness: photo.sharpness,
            age: f.age,
            added_at: at.clone(),
            descriptor: f.descriptor.clone(),
            blob_id: blob.as_str().to_owned(),
        });
        on_progress(Progress::Stored { n: i + 1, total });
    }
    tx.commit()
        .map_err(|e| storage("finishing enrollment", e))?;
    Ok(Enrolled {
        consent_id,
        added,
        total: already + total,
    })
}

/// Number of reference faces.
pub fn count(conn: &Connection) -> Result<usize> {
    conn.query_row("SELECT count(*) FROM enrolled_faces", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| usize::try_from(n).unwrap_or(0))
    .map_err(|e| storage("counting reference faces", e))
}

/// Every reference face, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<EnrolledFace>> {
    let mut st = conn
        .prepare(
            "SELECT id, consent_id, image_sha256, descriptor, box_x, box_y, box_width,
                    box_height, score, sharpness, age, added_at, blob_id
             FROM enrolled_faces ORDER BY id",
        )
        .map_err(|e| storage("reading reference faces", e))?;
    let rows = st
        .query_map([], |r| {
            Ok((
                EnrolledFace {
                    id: r.get(0)?,
                    consent_id: r.get(1)?,
                    image_sha256: r.get(2)?,
                    descriptor: Descriptor(Vec::new()),
                    bbox: BBox {
                        x: r.get(4)?,
                        y: r.get(5)?,
                        width: r.get(6)?,
                        height: r.get(7)?,
                    },
                    score: r.get(8)?,
                    sharpness: r.get(9)?,
                    age: r.get(10)?,
                    added_at: r.get(11)?,
                    blob_id: r.get(12)?,
                },
                r.get::<_, Vec<u8>>(3)?,
            ))
        })
        .map_err(|e| storage("reading reference faces", e))?;
    let mut out = Vec::new();
    for row in rows {
        let (mut face, bytes) = row.map_err(|e| storage("reading reference faces", e))?;
        face.descriptor = Descriptor::from_le_bytes(&bytes).ok_or_else(|| Error::CorruptVault {
            reason: "a stored face descriptor has the wrong size".into(),
            source: None,
        })?;
        out.push(face);
    }
    Ok(out)
}

/// A stored consent record: who attested, how, when, and the words they agreed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentRecord {
    pub id: i64,
    /// `owner` or `advocate`.
    pub attested_by: String,
    pub advocate_name: Option<String>,
    pub method: String,
    pub statement: String,
    pub at: String,
}

/// Every consent record, oldest first.
pub fn consents(conn: &Connection) -> Result<Vec<ConsentRecord>> {
    let mut st = conn
        .prepare(
            "SELECT id, attested_by, advocate_name, method, statement, at
             FROM consents ORDER BY id",
        )
        .map_err(|e| storage("reading consent records", e))?;
    let rows = st
        .query_map([], |r| {
            Ok(ConsentRecord {
                id: r.get(0)?,
                attested_by: r.get(1)?,
                advocate_name: r.get(2)?,
                method: r.get(3)?,
                statement: r.get(4)?,
                at: r.get(5)?,
            })
        })
        .map_err(|e| storage("reading consent records", e))?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading consent records", e))
}

/// The stored photo of reference face `id` (decrypted, in memory only).
pub fn photo(vault: &Vault, id: i64) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let blob: String = vault
        .conn()
        .query_row(
            "SELECT blob_id FROM enrolled_faces WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading a reference face", e))?
        .ok_or(Error::ReferenceFaceNotFound { id })?;
    vault
        .blobs()
        .get(vault.conn(), &crate::storage::vault::BlobId::parse(&blob)?)
}

/// Removes reference face `id` and its photo (a bad photo, or one the owner no longer wants
/// used). The removal is audited in the same transaction.
pub fn remove(vault: &Vault, id: i64, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    let row: Option<(String, String)> = tx
        .query_row(
            "SELECT blob_id, image_sha256 FROM enrolled_faces WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| storage("removing a reference face", e))?;
    let (blob, sha) = row.ok_or(Error::ReferenceFaceNotFound { id })?;
    tx.execute("DELETE FROM enrolled_faces WHERE id = ?1", [id])
        .map_err(|e| storage("removing a reference face", e))?;
    vault
        .blobs()
        .forget(&tx, &crate::storage::vault::BlobId::parse(&blob)?)?;
    audit::append(
        &tx,
        audit::NewEntry::new(actor, "enrollment.removed")
            .subject_digest(sha)
            .detail(serde_json::json!({ "face_id": id })),
        now,
    )?;
    tx.commit()
        .map_err(|e| storage("removing a reference face", e))
}

/// The reference descriptors the gate compares against.
pub fn descriptors(conn: &Connection) -> Result<Vec<Descriptor>> {
    Ok(list(conn)?.into_iter().map(|f| f.descriptor).collect())
}

impl From<takeback_faces::FaceError> for Error {
    fn from(e: takeback_faces::FaceError) -> Self {
        use takeback_faces::FaceError as F;
        match e {
            F::ModelChecksum { .. } | F::ModelFormat { .. } | F::Tensor(_) => {
                Error::FaceEngine { source: e.into() }
            }
            other => Error::ImageUnreadable {
                reason: other.to_string(),
                source: Some(other.into()),
            },
        }
    }
}
