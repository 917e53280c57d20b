//! Profiles: list, create, unlock, switch, lock, change passphrase, delete (crypto-wipe).

use chrono::Utc;
use takeback_core::session::{NewProfileLock, ProfileSummary};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_profiles(state: State<'_, AppState>) -> IpcResult<Vec<ProfileSummary>> {
    Ok(state.session.list_profiles()?)
}

/// Creates a profile and opens it (key derivation runs off the window's thread).
#[tauri::command]
#[specta::specta]
pub async fn create_profile(
    state: State<'_, AppState>,
    name: String,
    lock: NewProfileLock,
) -> IpcResult<ProfileSummary> {
    blocking(&state.session, move |s| {
        s.create_profile(&name, lock, Utc::now())
    })
    .await
}

/// Opens the profile called `name` and shows it (a clinic profile needs its passphrase).
#[tauri::command]
#[specta::specta]
pub async fn unlock_profile(
    state: State<'_, AppState>,
    name: String,
    passphrase: Option<String>,
) -> IpcResult<ProfileSummary> {
    blocking(&state.session, move |s| {
        s.unlock_profile(&name, passphrase, Utc::now())
    })
    .await
}

/// Locks profile `id` (its key leaves memory). Returns whether it was open.
#[tauri::command]
#[specta::specta]
pub fn lock_profile(state: State<'_, AppState>, id: String) -> IpcResult<bool> {
    Ok(state.session.lock(&id)?)
}

/// Locks every open profile.
#[tauri::command]
#[specta::specta]
pub fn lock_all_profiles(state: State<'_, AppState>) -> IpcResult<u32> {
    Ok(u32::try_from(state.session.lock_all()?).unwrap_or(u32::MAX))
}

/// Marks the active profile as in use, so auto-lock counts from now. The window calls this
/// (throttled) on keyboard and pointer activity.
#[tauri::command]
#[specta::specta]
pub fn keep_alive(state: State<'_, AppState>) -> IpcResult<()> {
    Ok(state.session.keep_alive()?)
}

/// Re-wraps a clinic profile's key under a new passphrase.
#[tauri::command]
#[specta::specta]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    name: String,
    old_passphrase: String,
    new_passphrase: String,
) -> IpcResult<()> {
    blocking(&state.session, move |s| {
        s.change_passphrase(&name, old_passphrase, new_passphrase, Utc::now())
    })
    .await
}

/// Re-keys a profile: a new key, everything encrypted again under it, the old key's files
/// overwritten. After a suspected compromise; with `new_passphrase` when a passphrase leaked.
#[tauri::command]
#[specta::specta]
pub async fn rekey_profile(
    state: State<'_, AppState>,
    name: String,
    passphrase: Option<String>,
    new_passphrase: Option<String>,
) -> IpcResult<ProfileSummary> {
    blocking(&state.session, move |s| {
        s.rekey_profile(&name, passphrase, new_passphrase, Utc::now())
    })
    .await
}

/// Crypto-wipe, after the user typed the profile's name (`confirm_name`) and, for a clinic
/// profile, its passphrase.
#[tauri::command]
#[specta::specta]
pub fn delete_profile(
    state: State<'_, AppState>,
    name: String,
    confirm_name: String,
    passphrase: Option<String>,
) -> IpcResult<()> {
    Ok(state
        .session
        .delete_profile(&name, &confirm_name, passphrase)?)
}
