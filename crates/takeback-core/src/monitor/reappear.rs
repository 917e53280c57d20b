//! Is a new finding a picture the owner already knows, found again at a new address?
//!
//! It is when it is a PDQ near-duplicate of a confirmed or removed finding (or of one a letter
//! names), or its face is so close to that finding's face that it must be the same photograph
//! (re-encoded, resized, lightly cropped). Two different photos of the owner are further apart
//! than [`SAME_PICTURE_FACE_DISTANCE`], so a new photo stays a new finding.

use std::collections::HashSet;

use rusqlite::Connection;
use takeback_faces::Descriptor;

use crate::base::error::storage;
use crate::face::pdq::{PdqHash, NEAR_DUPLICATE_THRESHOLD};
use crate::Result;

/// Faces closer than this are taken as the same photograph. Different photos of one person sit
/// well above it (the own-face gate accepts up to about 0.5); a re-encoded and resized copy of
/// one photo sits far below.
pub const SAME_PICTURE_FACE_DISTANCE: f32 = 0.15;

struct Known {
    id: i64,
    pdq: Option<PdqHash>,
    face: Option<Descriptor>,
}

/// The earliest known finding (confirmed, removed, or named by `in_cases`) that finding `id` is
/// a copy of.
pub fn original_of(conn: &Connection, id: i64, in_cases: &HashSet<i64>) -> Result<Option<i64>> {
    let this = load(conn, "id = ?1", id)?.into_iter().next();
    let Some(this) = this else {
        return Ok(None);
    };
    let known = load(
        conn,
        "id != ?1 AND reappeared_from IS NULL AND status IN ('confirmed', 'removed', 'new')",
        id,
    )?;
    for other in known {
        let is_known = in_cases.contains(&other.id) || is_reviewed(conn, other.id)?;
        if !is_known {
            continue;
        }
        let same_pdq = matches!((this.pdq, other.pdq), (Some(a), Some(b)) if a.distance(&b) <= NEAR_DUPLICATE_THRESHOLD);
        let same_face = matches!((&this.face, &other.face),
            (Some(a), Some(b)) if takeback_faces::distance(a, b) <= SAME_PICTURE_FACE_DISTANCE);
        if same_pdq || same_face {
            return Ok(Some(other.id));
        }
    }
    Ok(None)
}

fn is_reviewed(conn: &Connection, id: i64) -> Result<bool> {
    conn.query_row(
        "SELECT status IN ('confirmed', 'removed') FROM findings WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .map_err(|e| storage("reading a finding", e))
}

fn load(conn: &Connection, filter: &str, id: i64) -> Result<Vec<Known>> {
    let mut statement = conn
        .prepare(&format!(
            "SELECT id, pdq, face_descriptor FROM findings WHERE {filter} ORDER BY id"
        ))
        .map_err(|e| storage("reading findings", e))?;
    let rows = statement
        .query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<Vec<u8>>>(2)?,
            ))
        })
        .map_err(|e| storage("reading findings", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading findings", e))?;
    Ok(rows
        .into_iter()
        .map(|(id, pdq, face)| Known {
            id,
            pdq: pdq.as_deref().and_then(PdqHash::from_hex),
            face: face.as_deref().and_then(Descriptor::from_le_bytes),
        })
        .collect())
}
