//! Settings: every setting with its help, and changing one.

use takeback_core::base::settings::{Entry, Settings};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_settings(state: State<'_, AppState>) -> IpcResult<Vec<Entry>> {
    Ok(state.session.settings()?.entries())
}

/// The settings, typed: what the window itself follows (theme, previews, quick exit).
#[tauri::command]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> IpcResult<Settings> {
    Ok(state.session.settings()?.clone())
}

/// Changes one setting and saves it; returns the value as stored.
#[tauri::command]
#[specta::specta]
pub fn set_setting(state: State<'_, AppState>, key: String, value: String) -> IpcResult<String> {
    Ok(state.session.set_setting(&key, &value)?)
}
