//! The app itself: version and data folder, and quick exit.

use chrono::Utc;
use takeback_core::session::{AppInfo, Overview};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn get_app_info(state: State<'_, AppState>) -> AppInfo {
    state.session.app_info()
}

/// Quick exit: hides the window first (what someone at the desk sees), removes the tray entry,
/// then locks every profile (see `tray::quick_exit`).
#[tauri::command]
#[specta::specta]
pub fn quick_exit(app: tauri::AppHandle) -> IpcResult<()> {
    Ok(crate::tray::quick_exit(&app)?)
}

/// Copies text that names the owner (a letter for a web form), cleared again after a minute.
#[tauri::command]
#[specta::specta]
pub fn copy_private_text(app: tauri::AppHandle, text: String) -> IpcResult<()> {
    let after = takeback_core::session::CLIPBOARD_CLEAR_AFTER;
    crate::clipboard::copy_then_clear(app, text, after).map_err(IpcError::internal)
}

/// Where the active profile stands, for Home.
#[tauri::command]
#[specta::specta]
pub fn get_overview(state: State<'_, AppState>) -> IpcResult<Overview> {
    Ok(state.session.overview(Utc::now())?)
}
