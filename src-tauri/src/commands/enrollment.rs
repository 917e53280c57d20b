//! Enrollment: check each picked photo (faces boxed on the preview), then store the batch with
//! its consent record; list, show and remove reference photos.

use chrono::Utc;
use serde::Serialize;
use takeback_core::enrollment::{self, Attestation, Consent};
use tauri::State;

use super::profiles::blocking;
use crate::error::{IpcError, IpcResult};
use crate::images::{self, FaceBox};
use crate::state::{AppState, StagedPhoto, MAX_STAGED};

/// The answer for one picked photo.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PhotoCheck {
    /// Set when the photo can be enrolled: pass it to `enroll_photos`.
    pub token: Option<String>,
    /// Why it cannot, in plain words (no face, several faces, too small, too blurry, a minor).
    pub problem: Option<String>,
    /// Every face found, to draw on the preview.
    pub faces: Vec<FaceBox>,
    pub width: u32,
    pub height: u32,
}

/// Detects and checks one photo. A good photo is kept in memory (never on disk) until
/// `enroll_photos` stores it or the profile locks.
#[tauri::command]
#[specta::specta]
pub async fn check_enrollment_photo(
    state: State<'_, AppState>,
    image_base64: String,
) -> IpcResult<PhotoCheck> {
    let profile_id = state.active_id()?.ok_or_else(IpcError::no_profile)?;
    let bytes = images::decode_base64(&image_base64)?;
    drop(image_base64);
    let engine = state.engine()?;
    let (bytes, image, faces) = blocking(move || {
        let image = images::decode_photo(&engine, &bytes)?;
        let faces = engine.detect(&image)?;
        Ok((bytes, image, faces))
    })
    .await?;
    let boxes = faces.iter().map(|f| FaceBox::from(f.bbox)).collect();
    let (width, height) = (image.width(), image.height());
    match enrollment::check_faces(&image, &faces) {
        Ok(checked) => {
            let token = new_token()?;
            let mut staged = state.staged()?;
            if staged.len() >= MAX_STAGED {
                return Err(IpcError {
                    code: takeback_core::ErrorCode::InvalidInput,
                    message: format!("at most {MAX_STAGED} photos can wait to be enrolled; enroll or remove some first"),
                });
            }
            staged.insert(
                token.clone(),
                StagedPhoto {
                    profile_id,
                    bytes,
                    checked,
                },
            );
            Ok(PhotoCheck {
                token: Some(token),
                problem: None,
                faces: boxes,
                width,
                height,
            })
        }
        Err(problem) => Ok(PhotoCheck {
            token: None,
            problem: Some(capitalise(&problem.to_string())),
            faces: boxes,
            width,
            height,
        }),
    }
}

/// Drops a picked photo the user removed before enrolling.
#[tauri::command]
#[specta::specta]
pub fn discard_enrollment_photo(state: State<'_, AppState>, token: String) -> IpcResult<()> {
    state.staged()?.remove(&token);
    Ok(())
}

/// What enrollment did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct EnrollResult {
    pub added: u32,
    /// Reference photos the profile now has.
    pub total: u32,
}

/// Stores the checked photos with one consent record: the owner's own, or a named advocate's
/// who checked the owner in person.
#[tauri::command]
#[specta::specta]
pub fn enroll_photos(
    state: State<'_, AppState>,
    tokens: Vec<String>,
    advocate_name: Option<String>,
) -> IpcResult<EnrollResult> {
    let consent = Consent {
        attestation: match advocate_name {
            Some(name) => Attestation::Advocate { name },
            None => Attestation::Owner,
        },
        method: "app-file".into(),
    };
    let active = state.active_id()?.ok_or_else(IpcError::no_profile)?;
    let mut staged = state.staged()?;
    let mut picked = Vec::with_capacity(tokens.len());
    for token in &tokens {
        match staged.get(token) {
            Some(photo) if photo.profile_id == active => picked.push(photo),
            _ => {
                return Err(IpcError {
                    code: takeback_core::ErrorCode::NotFound,
                    message: "a photo is no longer ready to enroll (the profile was locked since it was checked); pick it again".into(),
                })
            }
        }
    }
    let bytes: Vec<&[u8]> = picked.iter().map(|p| p.bytes.as_slice()).collect();
    let checked: Vec<_> = picked.iter().map(|p| p.checked.clone()).collect();
    let done = state.with_vault(|vault| {
        enrollment::store(vault, &bytes, &checked, &consent, Utc::now(), &mut |_| {})
    })?;
    for token in &tokens {
        staged.remove(token);
    }
    Ok(EnrollResult {
        added: u32::try_from(done.added.len()).unwrap_or(u32::MAX),
        total: u32::try_from(done.total).unwrap_or(u32::MAX),
    })
}

/// One stored reference photo.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ReferencePhoto {
    pub id: i32,
    pub added_at: String,
    pub face: FaceBox,
    pub score: f32,
    pub sharpness: f32,
}

/// A consent record, as the Profile page shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ConsentView {
    pub id: i32,
    pub attested_by: String,
    pub advocate_name: Option<String>,
    pub method: String,
    pub statement: String,
    pub at: String,
}

/// The active profile's enrollment: reference photos and consent records.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct EnrollmentView {
    pub photos: Vec<ReferencePhoto>,
    pub consents: Vec<ConsentView>,
    pub max_photos: u32,
}

#[tauri::command]
#[specta::specta]
pub fn get_enrollment(state: State<'_, AppState>) -> IpcResult<EnrollmentView> {
    state.with_vault(|vault| {
        let photos = enrollment::list(vault.conn())?
            .into_iter()
            .map(|f| ReferencePhoto {
                id: small_id(f.id),
                added_at: f.added_at,
                face: f.bbox.into(),
                score: f.score,
                sharpness: f.sharpness,
            })
            .collect();
        let consents = enrollment::consents(vault.conn())?
            .into_iter()
            .map(|c| ConsentView {
                id: small_id(c.id),
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
            max_photos: enrollment::MAX_PHOTOS as u32,
        })
    })
}

/// A reference photo's preview (from the vault, decrypted in memory) with its face box scaled
/// to the preview.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PhotoPreview {
    pub data_url: String,
    pub face: Option<FaceBox>,
    pub width: u32,
    pub height: u32,
}

#[tauri::command]
#[specta::specta]
pub async fn reference_photo_preview(
    state: State<'_, AppState>,
    id: i32,
) -> IpcResult<PhotoPreview> {
    let (bytes, face) = state.with_vault(|vault| {
        let face = enrollment::list(vault.conn())?
            .into_iter()
            .find(|f| f.id == i64::from(id))
            .map(|f| f.bbox);
        Ok((enrollment::photo(vault, i64::from(id))?, face))
    })?;
    let engine = state.engine()?;
    let image = blocking(move || images::decode_photo(&engine, &bytes)).await?;
    let (data_url, scale) = images::preview_data_url(&image, 320)?;
    Ok(PhotoPreview {
        data_url,
        face: face.map(|b| FaceBox::scaled(b, scale)),
        width: (image.width() as f32 * scale).round() as u32,
        height: (image.height() as f32 * scale).round() as u32,
    })
}

/// Removes a reference photo (audited).
#[tauri::command]
#[specta::specta]
pub fn remove_reference_photo(state: State<'_, AppState>, id: i32) -> IpcResult<()> {
    state.with_vault(|vault| enrollment::remove(vault, i64::from(id), "owner", Utc::now()))
}

fn small_id(id: i64) -> i32 {
    i32::try_from(id).unwrap_or(i32::MAX)
}

fn new_token() -> IpcResult<String> {
    Ok(hex::encode(
        takeback_core::vault::keys::random_array::<16>()?
    ))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
