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

/// Quick exit: hide the window at once. The window has already wiped its own screen before
/// calling this; reopening shows the lock screen.
#[tauri::command]
#[specta::specta]
pub fn quick_exit(window: WebviewWindow) -> IpcResult<()> {
    window
        .hide()
        .map_err(|e| IpcError::internal(format!("could not hide the window: {e}")))
}
