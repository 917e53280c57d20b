//! "Your details for letters": the identity (and optional representative) letters are signed with.

use takeback_core::identity::{store, Identity};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn get_identity(state: State<'_, AppState>) -> IpcResult<Option<Identity>> {
    state.with_vault(|vault| store::load(vault.conn()))
}

/// Saves the identity (trimmed, country upper-cased) and returns it as stored.
#[tauri::command]
#[specta::specta]
pub fn set_identity(state: State<'_, AppState>, identity: Identity) -> IpcResult<Identity> {
    let identity = identity.normalised();
    state.with_vault(|vault| {
        store::save(vault.conn(), &identity)?;
        Ok(identity.clone())
    })
}
