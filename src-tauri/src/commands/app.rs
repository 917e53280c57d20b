//! The app itself: version and data folder, and quick exit.

use chrono::Utc;
use takeback_core::session::{AppInfo, Overview};
use tauri::{State, WebviewWindow};

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn get_app_info(state: State<'_, AppState>) -> AppInfo {
    state.session.app_info()
}

/// Quick exit: hides the window first (what someone at the desk sees), then locks every profile.
#[tauri::command]
#[specta::specta]
pub fn quick_exit(window: WebviewWindow, state: State<'_, AppState>) -> IpcResult<()> {
    let hidden = window.hide();
    state.session.lock_all()?;
    hidden.map_err(|e| IpcError::internal(format!("could not hide the window: {e}")))
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
