//! The Scan page: the owner's photos to search with, the preview of exactly what each provider
//! would receive and the consent to send it, and scans running in the background with live
//! progress (`ScanProgressed`), their end (`ScanEnded`), cancel and resume.

use chrono::Utc;
use takeback_core::search::providers::ProviderId;
use takeback_core::search::scan::{registered, ProviderPreview, RegisteredPhoto};
use takeback_core::session::{ScanHistory, ScanRequest, ScanWork};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use super::{blocking, id};
use crate::error::{IpcError, IpcResult};
use crate::events::{ScanEnded, ScanProgressed};
use crate::images;
use crate::state::AppState;

/// Keeps one of the owner's photos to search with, after the own-face gate.
#[tauri::command]
#[specta::specta]
pub async fn register_photo(
    state: State<'_, AppState>,
    image_base64: String,
    attest_shows_me: bool,
) -> IpcResult<RegisteredPhoto> {
    let bytes = images::decode_base64(&image_base64)?;
    blocking(&state.session, move |s| {
        s.register_photo(&bytes, attest_shows_me, Utc::now())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub fn list_registered_photos(state: State<'_, AppState>) -> IpcResult<Vec<RegisteredPhoto>> {
    Ok(state.session.with_vault(|v| registered::list(v.conn()))?)
}

/// Exactly what `provider` would receive for registered photo `photo_id`, and its retention.
#[tauri::command]
#[specta::specta]
pub async fn provider_preview(
    state: State<'_, AppState>,
    photo_id: i32,
    provider: ProviderId,
) -> IpcResult<ProviderPreview> {
    blocking(&state.session, move |s| {
        s.provider_preview(id(photo_id), provider, Utc::now())
    })
    .await
}

/// The owner approves sending what the preview showed (audited); valid until the profile locks.
#[tauri::command]
#[specta::specta]
pub async fn consent_to_provider(
    state: State<'_, AppState>,
    photo_id: i32,
    provider: ProviderId,
) -> IpcResult<()> {
    blocking(&state.session, move |s| {
        s.consent_to_provider(id(photo_id), provider, Utc::now())
    })
    .await
}

/// Providers the owner has approved in this session.
#[tauri::command]
#[specta::specta]
pub fn consented_providers(state: State<'_, AppState>) -> IpcResult<Vec<ProviderId>> {
    Ok(state.session.consented_providers()?)
}

#[tauri::command]
#[specta::specta]
pub fn scan_history(state: State<'_, AppState>) -> IpcResult<ScanHistory> {
    Ok(state.session.scan_history()?)
}

/// Starts a scan of the chosen sources (none and no providers: every source), then the approved
/// providers with the registered photo.
#[tauri::command]
#[specta::specta]
pub fn start_scan(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ScanRequest,
) -> IpcResult<()> {
    launch(app, &state, ScanWork::Start(request))
}

/// Continues scan `job_id` where it stopped (after a crash or a cancel); nothing is repeated.
#[tauri::command]
#[specta::specta]
pub fn resume_scan(app: AppHandle, state: State<'_, AppState>, job_id: i32) -> IpcResult<()> {
    launch(app, &state, ScanWork::Resume { job_id: id(job_id) })
}

/// Stops the running scan within one image or one request; it can be resumed later.
#[tauri::command]
#[specta::specta]
pub fn cancel_scan(state: State<'_, AppState>) -> IpcResult<bool> {
    Ok(state.session.cancel_scan()?)
}

/// Runs `work` in the background, telling the window as it goes.
fn launch(app: AppHandle, state: &AppState, work: ScanWork) -> IpcResult<()> {
    let progress_app = app.clone();
    let progress = move |p| drop(ScanProgressed { progress: p }.emit(&progress_app));
    let ended = move |result: takeback_core::Result<_>| {
        let (summary, error) = match result {
            Ok(summary) => (Some(summary), None),
            Err(e) => (None, Some(IpcError::from(e))),
        };
        drop(ScanEnded { summary, error }.emit(&app));
    };
    Ok(state.session.start_scan(work, progress, ended)?)
}
