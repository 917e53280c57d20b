//! "Your details for letters": the identity (and optional representative) letters are signed with.

use takeback_core::removal::identity::{store, Identity};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn get_identity(state: State<'_, AppState>) -> IpcResult<Option<Identity>> {
    Ok(state.session.with_vault(|v| store::load(v.conn()))?)
}

/// Saves the details (normalised) and returns them as stored.
#[tauri::command]
#[specta::specta]
pub fn set_identity(state: State<'_, AppState>, identity: Identity) -> IpcResult<Identity> {
    Ok(state
        .session
        .with_vault(|v| store::save_normalised(v.conn(), identity))?)
}
