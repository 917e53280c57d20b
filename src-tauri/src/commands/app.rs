use serde::Serialize;
use tauri::{State, WebviewWindow};

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Facts about this installation, for the About box and the Settings page.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    /// Development builds keep their data apart from a real installation.
    pub dev_build: bool,
}

#[tauri::command]
#[specta::specta]
pub fn get_app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: takeback_core::VERSION.to_owned(),
        data_dir: state.data_dir.root().display().to_string(),
        dev_build: cfg!(debug_assertions),
    }
}

/// Quick exit: lock every profile and hide the window at once. The window has already wiped its
/// own screen before calling this; reopening shows the lock screen, then the profile picker.
#[tauri::command]
#[specta::specta]
pub fn quick_exit(window: WebviewWindow, state: State<'_, AppState>) -> IpcResult<()> {
    // Hide first: being out of sight is what matters most in the moment; the keys go next.
    let hidden = window.hide();
    state.vaults()?.lock_all();
    state.forget_locked()?;
    hidden.map_err(|e| IpcError::internal(format!("could not hide the window: {e}")))
}
