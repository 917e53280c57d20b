//! Profiles: list, create, unlock, switch, lock, change passphrase, delete (crypto-wipe).

use chrono::Utc;
use serde::{Deserialize, Serialize};
use takeback_core::secrets::{KeyringStore, Secret};
use takeback_core::vault::{KdfParams, ProfileInfo, ProfileKind, Profiles, Unlock, Vault};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// A profile as the picker shows it. The name is the only thing readable without the key.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ProfileSummary {
    pub id: String,
    pub name: String,
    /// `personal` (key in this computer's keyring) or `clinic` (passphrase).
    pub kind: String,
    pub created_at: String,
    /// Unlocked in this window right now.
    pub unlocked: bool,
    /// The profile the window is showing.
    pub active: bool,
}

/// How a new profile keeps its key.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewProfileLock {
    /// In this computer's keyring (one person on their own computer).
    Keyring,
    /// Behind a passphrase (shared or clinic computers).
    Passphrase { passphrase: String },
}

fn kind_name(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Personal => "personal",
        ProfileKind::Clinic => "clinic",
    }
}

fn summary(info: &ProfileInfo, unlocked: bool, active: bool) -> ProfileSummary {
    ProfileSummary {
        id: info.id.clone(),
        name: info.name.clone(),
        kind: kind_name(info.kind).into(),
        created_at: info.created_at.to_rfc3339(),
        unlocked,
        active,
    }
}

#[tauri::command]
#[specta::specta]
pub fn list_profiles(state: State<'_, AppState>) -> IpcResult<Vec<ProfileSummary>> {
    let active = state.active_id()?;
    let open = state.vaults()?;
    Ok(Profiles::new(&state.data_dir)
        .list()?
        .iter()
        .map(|info| {
            summary(
                info,
                open.is_open(&info.id),
                active.as_deref() == Some(&info.id),
            )
        })
        .collect())
}

/// Keeps `vault` open and makes it the one the window shows.
fn activate(state: &AppState, vault: Vault) -> IpcResult<ProfileSummary> {
    let info = vault.info().clone();
    state.vaults()?.insert(vault);
    state.set_active(Some(info.id.clone()))?;
    Ok(summary(&info, true, true))
}

/// Creates a profile and opens it. Key derivation (Argon2id, about 0.1 s) runs off the window's
/// thread.
#[tauri::command]
#[specta::specta]
pub async fn create_profile(
    state: State<'_, AppState>,
    name: String,
    lock: NewProfileLock,
) -> IpcResult<ProfileSummary> {
    let profiles = Profiles::new(&state.data_dir);
    let vault = blocking(move || match lock {
        NewProfileLock::Keyring => {
            profiles.create_personal(&name, &KeyringStore::platform()?, Utc::now())
        }
        NewProfileLock::Passphrase { passphrase } => profiles.create_clinic(
            &name,
            &Secret::new(passphrase),
            KdfParams::DEFAULT,
            Utc::now(),
        ),
    })
    .await?;
    activate(&state, vault)
}

/// Opens the profile called `name` and shows it. A clinic profile needs its passphrase; a
/// personal one reads its key from the keyring. Opening an already unlocked profile just
/// switches to it.
#[tauri::command]
#[specta::specta]
pub async fn unlock_profile(
    state: State<'_, AppState>,
    name: String,
    passphrase: Option<String>,
) -> IpcResult<ProfileSummary> {
    let profiles = Profiles::new(&state.data_dir);
    let info = profiles.find(&name)?;
    if state.vaults()?.is_open(&info.id) {
        state.set_active(Some(info.id.clone()))?;
        return Ok(summary(&info, true, true));
    }
    let vault = blocking(move || match passphrase {
        Some(p) => profiles.unlock(&name, Unlock::Passphrase(&Secret::new(p)), Utc::now()),
        None => profiles.unlock(
            &name,
            Unlock::Keyring(&KeyringStore::platform()?),
            Utc::now(),
        ),
    })
    .await?;
    activate(&state, vault)
}

/// Locks profile `id` (its key leaves memory). Returns whether it was open.
#[tauri::command]
#[specta::specta]
pub fn lock_profile(state: State<'_, AppState>, id: String) -> IpcResult<bool> {
    let was_open = state.vaults()?.lock(&id);
    state.forget_locked()?;
    Ok(was_open)
}

/// Locks every open profile.
#[tauri::command]
#[specta::specta]
pub fn lock_all_profiles(state: State<'_, AppState>) -> IpcResult<u32> {
    let n = state.vaults()?.lock_all();
    state.forget_locked()?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Marks the active profile as in use, so auto-lock counts from now. The window calls this
/// (throttled) on keyboard and pointer activity.
#[tauri::command]
#[specta::specta]
pub fn keep_alive(state: State<'_, AppState>) -> IpcResult<()> {
    state.with_vault(|_| Ok(()))
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
    let profiles = Profiles::new(&state.data_dir);
    blocking(move || {
        profiles.change_passphrase(
            &name,
            &Secret::new(old_passphrase),
            &Secret::new(new_passphrase),
            KdfParams::DEFAULT,
            Utc::now(),
        )
    })
    .await
}

/// Crypto-wipe: locks the profile, destroys its key, removes its files. The window asks the
/// user to type the profile's name first; `confirm_name` must match it.
#[tauri::command]
#[specta::specta]
pub fn delete_profile(
    state: State<'_, AppState>,
    name: String,
    confirm_name: String,
) -> IpcResult<()> {
    if confirm_name.trim().to_lowercase() != name.trim().to_lowercase() {
        return Err(IpcError {
            code: takeback_core::ErrorCode::InvalidInput,
            message: "type the profile's name exactly to confirm deleting it".into(),
        });
    }
    let profiles = Profiles::new(&state.data_dir);
    let info = profiles.find(&name)?;
    state.vaults()?.lock(&info.id);
    state.forget_locked()?;
    let keys = match info.kind {
        ProfileKind::Personal => Some(KeyringStore::platform()?),
        ProfileKind::Clinic => None,
    };
    profiles.delete(&name, keys.as_ref().map(|k| k as _))?;
    Ok(())
}

/// Runs slow core work (key derivation, the face engine) on a worker thread so the window's
/// thread stays responsive.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> takeback_core::Result<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::internal(format!("a background task failed: {e}")))?
        .map_err(IpcError::from)
}
