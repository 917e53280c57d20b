//! The Scan page: the owner's photos to search with, the preview of exactly what each provider
//! would receive and the consent to send it, and scans running in the background with live
//! progress, cancel and resume.

use chrono::Utc;
use serde::Serialize;
use takeback_core::providers::ProviderId;
use takeback_core::scan::{
    self, jobs, CancelFlag, Job, ProviderPreview, RegisteredPhoto, ScanContext, ScanPlan,
    SystemClock,
};
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;

use super::profiles::blocking;
use crate::error::{IpcError, IpcResult};
use crate::events::{ScanEnded, ScanProgressed};
use crate::images;
use crate::state::{AppState, RunningScan, SessionConsent};

/// Keeps one of the owner's photos to search with, after the own-face gate (`attest_shows_me`
/// for a photo with no detectable face). Refused photos give the gate's reason.
#[tauri::command]
#[specta::specta]
pub async fn register_photo(
    state: State<'_, AppState>,
    image_base64: String,
    attest_shows_me: bool,
) -> IpcResult<RegisteredPhoto> {
    let bytes = images::decode_base64(&image_base64)?;
    drop(image_base64);
    let engine = state.engine()?;
    // The gate and the PDQ hash run on the vault's own connection, which the face engine's
    // work would otherwise hold locked; a second handle keeps the window responsive.
    let vault = state.with_vault(|v| v.open_another())?;
    blocking(move || scan::register(&vault, &engine, &bytes, attest_shows_me, Utc::now())).await
}

#[tauri::command]
#[specta::specta]
pub fn list_registered_photos(state: State<'_, AppState>) -> IpcResult<Vec<RegisteredPhoto>> {
    state.with_vault(|vault| scan::registered::list(vault.conn()))
}

/// Exactly what `provider` would receive for registered photo `photo_id` (the image itself,
/// its size, and the provider's stated retention), prepared on this computer.
#[tauri::command]
#[specta::specta]
pub async fn provider_preview(
    state: State<'_, AppState>,
    photo_id: i32,
    provider: ProviderId,
) -> IpcResult<ProviderPreview> {
    let engine = state.engine()?;
    let vault = state.with_vault(|v| v.open_another())?;
    blocking(move || scan::preview(&vault, &engine, i64::from(photo_id), provider, Utc::now()))
        .await
}

/// The owner approves sending what the preview showed (audited). Valid until the profile locks.
#[tauri::command]
#[specta::specta]
pub async fn consent_to_provider(
    state: State<'_, AppState>,
    photo_id: i32,
    provider: ProviderId,
) -> IpcResult<()> {
    let engine = state.engine()?;
    let profile_id = state.active_id()?.ok_or_else(IpcError::no_profile)?;
    let vault = state.with_vault(|v| v.open_another())?;
    let consent = blocking(move || {
        // Prepared again (deterministically) so the consent is for the exact bytes shown.
        let preview = scan::preview(&vault, &engine, i64::from(photo_id), provider, Utc::now())?;
        scan::record_consent(&vault, &preview, "owner", Utc::now())
    })
    .await?;
    let mut consents = state.consents()?;
    consents.retain(|c| !(c.profile_id == profile_id && c.consent.provider == provider));
    consents.push(SessionConsent {
        profile_id,
        consent,
    });
    Ok(())
}

/// Providers the owner has approved in this session.
#[tauri::command]
#[specta::specta]
pub fn consented_providers(state: State<'_, AppState>) -> IpcResult<Vec<ProviderId>> {
    let profile = state.active_id()?;
    Ok(state
        .consents()?
        .iter()
        .filter(|c| Some(&c.profile_id) == profile.as_ref())
        .map(|c| c.consent.provider)
        .collect())
}

/// Recent scans, newest first, and the one a crash or cancel left unfinished (to resume).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ScanHistory {
    pub jobs: Vec<Job>,
    pub resumable: Option<Job>,
    /// A scan of this profile is running now.
    pub running: bool,
}

#[tauri::command]
#[specta::specta]
pub fn scan_history(state: State<'_, AppState>) -> IpcResult<ScanHistory> {
    let running = state.running_scan_profile()?.is_some()
        && state.active_id()? == state.running_scan_profile()?;
    state.with_vault(|vault| {
        Ok(ScanHistory {
            jobs: jobs::list(vault.conn(), 20)?,
            resumable: if running {
                None
            } else {
                jobs::resumable(vault.conn())?
            },
            running,
        })
    })
}

/// Starts a scan in the background: the chosen sources (none and no providers: every source),
/// then the approved providers with registered photo `photo_id`. Progress arrives as
/// `ScanProgressed` events and the end as `ScanEnded`.
#[tauri::command]
#[specta::specta]
pub fn start_scan(
    app: AppHandle,
    state: State<'_, AppState>,
    sources: Vec<i32>,
    providers: Vec<ProviderId>,
    photo_id: Option<i32>,
) -> IpcResult<()> {
    let profile = state.active_id()?.ok_or_else(IpcError::no_profile)?;
    let consents = state
        .consents()?
        .iter()
        .filter(|c| c.profile_id == profile)
        .map(|c| c.consent.clone())
        .collect();
    let plan = ScanPlan {
        sources: sources.into_iter().map(i64::from).collect(),
        providers,
        photo_id: photo_id.map(i64::from),
        consents,
        allow_local_network: state.allow_local_network,
    };
    launch(app, &state, profile, Work::Plan(plan))
}

/// Continues scan `job_id` where it stopped (after a crash or a cancel); nothing is repeated.
#[tauri::command]
#[specta::specta]
pub fn resume_scan(app: AppHandle, state: State<'_, AppState>, job_id: i32) -> IpcResult<()> {
    let profile = state.active_id()?.ok_or_else(IpcError::no_profile)?;
    launch(app, &state, profile, Work::Resume(i64::from(job_id)))
}

/// Stops the running scan within one image or one request; it can be resumed later.
#[tauri::command]
#[specta::specta]
pub fn cancel_scan(state: State<'_, AppState>) -> IpcResult<bool> {
    state.cancel_scan()
}

/// What the scan thread is asked to do.
enum Work {
    Plan(ScanPlan),
    Resume(i64),
}

fn launch(app: AppHandle, state: &AppState, profile: String, job: Work) -> IpcResult<()> {
    let vault = state.with_vault(|v| v.open_another())?;
    let engine = state.engine()?;
    let keys = state.keys()?;
    let settings = state.settings()?.clone();
    let cancel = CancelFlag::new();
    state.begin_scan(RunningScan {
        profile_id: profile,
        cancel: cancel.clone(),
    })?;
    let spawned = std::thread::Builder::new()
        .name("scan".into())
        .spawn(move || {
            let ctx = ScanContext {
                vault: &vault,
                engine: &engine,
                keys: keys.as_ref(),
                settings: &settings,
                clock: &SystemClock,
            };
            let mut progress = |p: scan::ScanProgress| {
                let _ = ScanProgressed { progress: p }.emit(&app);
            };
            let result = match &job {
                Work::Plan(plan) => scan::run(&ctx, plan, &cancel, &mut progress),
                Work::Resume(id) => scan::resume(&ctx, *id, &cancel, &mut progress),
            };
            // The scan's handle on the vault closes before the window hears the end.
            drop(vault);
            if let Ok(state) = app.try_state::<AppState>().ok_or(()) {
                let _ = state.end_scan();
            }
            let ended = match result {
                Ok(summary) => ScanEnded {
                    summary: Some(summary),
                    error: None,
                },
                Err(e) => ScanEnded {
                    summary: None,
                    error: Some(IpcError::from(e)),
                },
            };
            let _ = ended.emit(&app);
        });
    if let Err(e) = spawned {
        let _ = state.end_scan();
        return Err(IpcError::internal(format!("could not start the scan: {e}")));
    }
    Ok(())
}
