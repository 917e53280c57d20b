//! The Audit page: the log, newest first, and whether its hash chain is intact.

use takeback_core::storage::audit::{self, AuditView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Verifies the whole chain and returns the newest `limit` entries.
#[tauri::command]
#[specta::specta]
pub fn get_audit_log(state: State<'_, AppState>, limit: u32) -> IpcResult<AuditView> {
    Ok(state
        .session
        .with_vault(|v| audit::view(v.conn(), limit, v.audit_anchor_check()?))?)
}
