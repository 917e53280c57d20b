//! Enrollment: check each picked photo (faces boxed on the preview), then store the batch with
//! its consent record; list, show and remove reference photos.

use chrono::Utc;
use takeback_core::face::enrollment::{self, view::EnrollmentView};
use takeback_core::session::{EnrollResult, PhotoCheck, PhotoPreview};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::images;
use crate::state::AppState;

/// Detects and checks one photo; a good one waits in memory for `enroll_photos`.
#[tauri::command]
#[specta::specta]
pub async fn check_enrollment_photo(
    state: State<'_, AppState>,
    image_base64: String,
) -> IpcResult<PhotoCheck> {
    let bytes = images::decode_base64(&image_base64)?;
    blocking(&state.session, move |s| s.check_enrollment_photo(bytes)).await
}

/// Drops a picked photo the user removed before enrolling.
#[tauri::command]
#[specta::specta]
pub fn discard_enrollment_photo(state: State<'_, AppState>, token: String) -> IpcResult<()> {
    Ok(state.session.discard_staged(&token)?)
}

/// Stores the checked photos with one consent record (the owner's, or a named advocate's).
#[tauri::command]
#[specta::specta]
pub fn enroll_photos(
    state: State<'_, AppState>,
    tokens: Vec<String>,
    advocate_name: Option<String>,
) -> IpcResult<EnrollResult> {
    Ok(state
        .session
        .enroll_staged(&tokens, advocate_name, Utc::now())?)
}

/// The active profile's reference photos and consent records.
#[tauri::command]
#[specta::specta]
pub fn get_enrollment(state: State<'_, AppState>) -> IpcResult<EnrollmentView> {
    Ok(state
        .session
        .with_vault(|v| enrollment::view::view(v.conn()))?)
}

/// A reference photo's preview, decrypted in memory, with its face box.
#[tauri::command]
#[specta::specta]
pub async fn reference_photo_preview(
    state: State<'_, AppState>,
    id: i32,
) -> IpcResult<PhotoPreview> {
    blocking(&state.session, move |s| {
        s.reference_photo_preview(super::id(id), 320)
    })
    .await
}

/// Removes a reference photo (audited).
#[tauri::command]
#[specta::specta]
pub fn remove_reference_photo(state: State<'_, AppState>, id: i32) -> IpcResult<()> {
    Ok(state
        .session
        .with_vault(|v| enrollment::remove(v, super::id(id), "owner", Utc::now()))?)
}
