use takeback_core::settings::Entry;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_settings(state: State<'_, AppState>) -> IpcResult<Vec<Entry>> {
    Ok(lock(&state)?.entries())
}

/// Validates, saves, and returns the stored (normalised) value.
#[tauri::command]
#[specta::specta]
pub fn set_setting(state: State<'_, AppState>, key: String, value: String) -> IpcResult<String> {
    let mut settings = lock(&state)?;
    let stored = settings.set(&key, &value)?;
    settings.save(&state.data_dir)?;
    Ok(stored)
}

fn lock<'a>(
    state: &'a State<'_, AppState>,
) -> IpcResult<std::sync::MutexGuard<'a, takeback_core::settings::Settings>> {
    state.settings.lock().map_err(|_| {
        IpcError::internal("settings are unavailable after an earlier failure; restart Takeback")
    })
}
