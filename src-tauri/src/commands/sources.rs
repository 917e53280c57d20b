//! Where to look on this computer's behalf: sites to watch and folders to scan.

use std::path::Path;

use chrono::Utc;
use takeback_core::sources::{self, SiteLimits, Source};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_sources(state: State<'_, AppState>) -> IpcResult<Vec<Source>> {
    state.with_vault(|vault| sources::list(vault.conn()))
}

/// Adds a site to watch; `None` limits take the defaults (depth 2, 200 pages, 500 ms apart).
#[tauri::command]
#[specta::specta]
pub fn add_site_source(
    state: State<'_, AppState>,
    url: String,
    limits: SiteLimits,
) -> IpcResult<Source> {
    state.with_vault(|vault| sources::add_site(vault, url.trim(), limits, Utc::now()))
}

/// Adds a folder (it must exist) whose pictures are checked on this computer.
#[tauri::command]
#[specta::specta]
pub fn add_folder_source(state: State<'_, AppState>, path: String) -> IpcResult<Source> {
    state.with_vault(|vault| sources::add_folder(vault, Path::new(path.trim()), Utc::now()))
}

/// Stops watching a source; what it found stays.
#[tauri::command]
#[specta::specta]
pub fn remove_source(state: State<'_, AppState>, id: i32) -> IpcResult<Source> {
    state.with_vault(|vault| sources::remove(vault, i64::from(id), Utc::now()))
}
