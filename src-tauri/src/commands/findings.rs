//! The Findings page: what scans found, grouped by site; review (this is me / not me), the
//! blurred thumbnails (decrypted in memory only), and re-checking confirmed findings.

use chrono::Utc;
use takeback_core::face::photo;
use takeback_core::search::findings::{self, Finding, FindingStatus, RecheckResult, SiteFindings};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_findings(
    state: State<'_, AppState>,
    status: Option<FindingStatus>,
) -> IpcResult<Vec<SiteFindings>> {
    Ok(state
        .session
        .with_vault(|v| findings::by_site(v.conn(), status))?)
}

/// The finding's thumbnail as a `data:` URL (nothing on disk), or `None`.
#[tauri::command]
#[specta::specta]
pub fn finding_thumbnail(state: State<'_, AppState>, id: i32) -> IpcResult<Option<String>> {
    let jpeg = state
        .session
        .with_vault(|v| findings::thumbnail(v, super::id(id)))?;
    Ok(jpeg.map(|j| photo::jpeg_data_url(&j)))
}

/// "This is me": confirms and keeps the image and its page as evidence.
#[tauri::command]
#[specta::specta]
pub async fn confirm_finding(state: State<'_, AppState>, id: i32) -> IpcResult<Finding> {
    blocking(&state.session, move |s| {
        s.confirm_finding(super::id(id), Utc::now())
    })
    .await
}

/// Fetches the confirmed findings again: still up, removed or unreachable.
#[tauri::command]
#[specta::specta]
pub async fn recheck_findings(state: State<'_, AppState>) -> IpcResult<Vec<RecheckResult>> {
    blocking(&state.session, |s| s.recheck_findings()).await
}

/// "Not me": the face joins the "not me" memory.
#[tauri::command]
#[specta::specta]
pub fn dismiss_finding(state: State<'_, AppState>, id: i32) -> IpcResult<Finding> {
    Ok(state
        .session
        .with_vault(|v| findings::dismiss(v, super::id(id), Utc::now()))?)
}
