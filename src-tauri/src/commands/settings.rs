use takeback_core::settings::Entry;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_settings(state: State<'_, AppState>) -> IpcResult<Vec<Entry>> {
    Ok(state.settings()?.entries())
}

/// Validates, saves, and returns the stored (normalised) value.
#[tauri::command]
#[specta::specta]
pub fn set_setting(state: State<'_, AppState>, key: String, value: String) -> IpcResult<String> {
    let mut settings = state.settings()?;
    let stored = settings.set(&key, &value)?;
    settings.save(&state.data_dir)?;
    Ok(stored)
}
