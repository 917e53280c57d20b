//! The Findings page: what scans found, grouped by site; review (this is me / not me) and the
//! blurred thumbnails, decrypted in memory only.

use base64::Engine as _;
use chrono::Utc;
use takeback_core::findings::{
    self, FetchOptions, Finding, FindingStatus, RecheckResult, SiteFindings,
};
use takeback_core::letters::FindingRef;
use takeback_core::scan::{CancelFlag, SystemClock};
use tauri::State;

use super::profiles::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

/// Findings by site, newest sites first; `status` filters (`None`: all but dismissed ones are
/// still listed, so the page can show what was reviewed).
#[tauri::command]
#[specta::specta]
pub fn list_findings(
    state: State<'_, AppState>,
    status: Option<FindingStatus>,
) -> IpcResult<Vec<SiteFindings>> {
    state.with_vault(|vault| findings::by_site(vault.conn(), status))
}

/// The finding's small JPEG as a `data:` URL (the window blurs it until revealed), or `None`
/// when there is no picture (an unverified finding).
#[tauri::command]
#[specta::specta]
pub fn finding_thumbnail(state: State<'_, AppState>, id: i32) -> IpcResult<Option<String>> {
    state.with_vault(|vault| {
        Ok(findings::thumbnail(vault, i64::from(id))?.map(|jpeg| {
            format!(
                "data:image/jpeg;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(jpeg.as_slice())
            )
        }))
    })
}

/// "This is me": confirms it and preserves the evidence at once (the image and its page as they
/// are now, encrypted in the vault, with their SHA-256). A failed capture still confirms; the
/// evidence record says why.
#[tauri::command]
#[specta::specta]
pub async fn confirm_finding(state: State<'_, AppState>, id: i32) -> IpcResult<Finding> {
    let vault = state.with_vault(|v| v.open_another())?;
    let options = fetch_options(&state);
    let confirmed = blocking(move || {
        findings::confirm_with_evidence(&vault, i64::from(id), &options, Utc::now())
    })
    .await?;
    Ok(confirmed.finding)
}

/// Checks whether each confirmed picture is still online: gone ones become `removed`.
#[tauri::command]
#[specta::specta]
pub async fn recheck_findings(state: State<'_, AppState>) -> IpcResult<Vec<RecheckResult>> {
    let vault = state.with_vault(|v| v.open_another())?;
    let options = fetch_options(&state);
    blocking(move || {
        findings::recheck::run(
            &vault,
            &options,
            &SystemClock,
            &CancelFlag::new(),
            &mut |_| {},
        )
    })
    .await
}

fn fetch_options(state: &AppState) -> FetchOptions {
    FetchOptions {
        allow_local_network: state.allow_local_network,
        ..FetchOptions::default()
    }
}

/// "Not me": the face is remembered and suppressed in later scans.
#[tauri::command]
#[specta::specta]
pub fn dismiss_finding(state: State<'_, AppState>, id: i32) -> IpcResult<Finding> {
    state.with_vault(|vault| findings::dismiss(vault, i64::from(id), Utc::now()))
}

/// The findings as a letter cites them (address, first seen, SHA-256, PDQ).
#[tauri::command]
#[specta::specta]
pub fn finding_refs(state: State<'_, AppState>, ids: Vec<i32>) -> IpcResult<Vec<FindingRef>> {
    state.with_vault(|vault| {
        ids.iter()
            .map(|&id| findings::get(vault.conn(), i64::from(id)).map(|f| FindingRef::from(&f)))
            .collect()
    })
}
