//! The Providers page: each remote search service, what it receives, how long it keeps it, its
//! key (in the OS keyring only) and its balance.

use takeback_core::search::providers::accounts::{self, ProviderStatus};
use takeback_core::search::providers::ProviderId;
use takeback_core::storage::secrets::Secret;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_providers(state: State<'_, AppState>) -> IpcResult<Vec<ProviderStatus>> {
    Ok(state.session.provider_statuses()?)
}

/// Turns a provider on or off and sets its address.
#[tauri::command]
#[specta::specta]
pub fn configure_provider(
    state: State<'_, AppState>,
    provider: ProviderId,
    base_url: Option<String>,
    enabled: Option<bool>,
) -> IpcResult<()> {
    Ok(state
        .session
        .configure_provider(provider, base_url.as_deref(), enabled)?)
}

/// Stores the provider's API key in the OS keyring.
#[tauri::command]
#[specta::specta]
pub fn set_provider_key(
    state: State<'_, AppState>,
    provider: ProviderId,
    key: String,
) -> IpcResult<()> {
    Ok(accounts::set_key(
        state.session.keys()?.as_ref(),
        provider,
        &Secret::new(key),
    )?)
}

#[tauri::command]
#[specta::specta]
pub fn delete_provider_key(state: State<'_, AppState>, provider: ProviderId) -> IpcResult<()> {
    Ok(accounts::delete_key(
        state.session.keys()?.as_ref(),
        provider,
    )?)
}
