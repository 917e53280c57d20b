//! Where to look on this computer's behalf: sites to watch and folders to scan.

use std::path::Path;

use chrono::Utc;
use takeback_core::search::sources::{self, SiteLimits, Source};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_sources(state: State<'_, AppState>) -> IpcResult<Vec<Source>> {
    Ok(state.session.with_vault(|v| sources::list(v.conn()))?)
}

#[tauri::command]
#[specta::specta]
pub fn add_site_source(
    state: State<'_, AppState>,
    url: String,
    limits: SiteLimits,
) -> IpcResult<Source> {
    Ok(state
        .session
        .with_vault(|v| sources::add_site(v, url.trim(), limits, None, Utc::now()))?)
}

#[tauri::command]
#[specta::specta]
pub fn add_folder_source(state: State<'_, AppState>, path: String) -> IpcResult<Source> {
    Ok(state
        .session
        .with_vault(|v| sources::add_folder(v, Path::new(path.trim()), None, Utc::now()))?)
}

#[tauri::command]
#[specta::specta]
pub fn remove_source(state: State<'_, AppState>, id: i32) -> IpcResult<Source> {
    Ok(state
        .session
        .with_vault(|v| sources::remove(v, super::id(id), Utc::now()))?)
}
