//! The enrollment as the Profile page shows it: reference photos with their face boxes, and the
//! consent records.

use rusqlite::Connection;
use serde::Serialize;

use super::{consents, list, MAX_PHOTOS};
use crate::face::photo::FaceBox;
use crate::Result;

/// One stored reference photo.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ReferencePhoto {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub added_at: String,
    pub face: FaceBox,
    pub score: f32,
    pub sharpness: f32,
}

/// A consent record.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ConsentView {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub attested_by: String,
    pub advocate_name: Option<String>,
    pub method: String,
    pub statement: String,
    pub at: String,
}

/// A profile's enrollment: reference photos and consent records.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct EnrollmentView {
    pub photos: Vec<ReferencePhoto>,
    pub consents: Vec<ConsentView>,
    pub max_photos: u32,
}

pub fn view(conn: &Connection) -> Result<EnrollmentView> {
    let photos = list(conn)?
        .into_iter()
        .map(|f| ReferencePhoto {
            id: f.id,
            added_at: f.added_at,
            face: f.bbox.into(),
            score: f.score,
            sharpness: f.sharpness,
        })
        .collect();
    let consents = consents(conn)?
        .into_iter()
        .map(|c| ConsentView {
            id: c.id,
            attested_by: c.attested_by,
            advocate_name: c.advocate_name,
            method: c.method,
            statement: c.statement,
            at: c.at,
        })
        .collect();
    Ok(EnrollmentView {
        photos,
        consents,
        max_photos: MAX_PHOTOS as u32,
    })
}
