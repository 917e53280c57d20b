//! "Check a photo": the own-face gate on a photo the user picks.

use chrono::Utc;
use takeback_core::face::gate::GateAnswer;
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::images;
use crate::state::AppState;

/// Asks the gate whether the photo shows the profile's owner (audited with its digest).
/// `attest_shows_me`: the owner states that a photo without a detectable face shows them.
#[tauri::command]
#[specta::specta]
pub async fn check_photo(
    state: State<'_, AppState>,
    image_base64: String,
    attest_shows_me: bool,
) -> IpcResult<GateAnswer> {
    let bytes = images::decode_base64(&image_base64)?;
    blocking(&state.session, move |s| {
        s.check_photo(&bytes, attest_shows_me, Utc::now())
    })
    .await
}
