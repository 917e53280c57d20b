//! The Providers page: each remote search service, what it receives, how long it keeps it, its
//! key (in the OS keyring only) and its balance.

use takeback_core::providers::accounts::{self, ProviderStatus};
use takeback_core::providers::ProviderId;
use takeback_core::secrets::Secret;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_providers(state: State<'_, AppState>) -> IpcResult<Vec<ProviderStatus>> {
    let keys = state.keys()?;
    let settings = state.settings()?;
    let statuses =
        state.with_vault(|vault| accounts::statuses(&settings, keys.as_ref(), Some(vault.conn())));
    match statuses {
        Ok(s) => Ok(s),
        // Before a profile is open the page can still show the services, without balances.
        Err(e) if e.code == takeback_core::ErrorCode::Locked => {
            Ok(accounts::statuses(&settings, keys.as_ref(), None)?)
        }
        Err(e) => Err(e),
    }
}

/// Turns a provider on or off, or points it at another base URL.
#[tauri::command]
#[specta::specta]
pub fn configure_provider(
    state: State<'_, AppState>,
    provider: ProviderId,
    base_url: Option<String>,
    enabled: Option<bool>,
) -> IpcResult<()> {
    let mut settings = state.settings()?;
    accounts::configure(&mut settings, provider, base_url.as_deref(), enabled)?;
    settings.save(&state.data_dir)?;
    Ok(())
}

/// Stores the provider's API key in the OS keyring. The key never comes back to the window.
#[tauri::command]
#[specta::specta]
pub fn set_provider_key(
    state: State<'_, AppState>,
    provider: ProviderId,
    key: String,
) -> IpcResult<()> {
    let key = Secret::new(key.trim().to_owned());
    if key.expose().is_empty() {
        return Err(IpcError {
            code: takeback_core::ErrorCode::InvalidInput,
            message: "paste the key the provider gave you; it was empty".into(),
        });
    }
    Ok(accounts::set_key(state.keys()?.as_ref(), provider, &key)?)
}

#[tauri::command]
#[specta::specta]
pub fn delete_provider_key(state: State<'_, AppState>, provider: ProviderId) -> IpcResult<()> {
    Ok(accounts::delete_key(state.keys()?.as_ref(), provider)?)
}
