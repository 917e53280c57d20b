//! The Audit page: the log, newest first, and whether its hash chain is intact.

use serde::Serialize;
use takeback_core::audit;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuditEntryView {
    pub seq: i32,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// SHA-256 of what the action was about (a photo, a letter), never the thing itself.
    pub subject: Option<String>,
    /// Small facts about the action, as JSON text.
    pub detail: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuditView {
    /// True when every entry's hash and link to the previous entry check out.
    pub intact: bool,
    pub total: u32,
    /// The first entry that does not check out, and why.
    pub first_broken: Option<i32>,
    pub broken_reason: Option<String>,
    /// The newest entry's hash: writing it down lets anyone detect a later rewrite.
    pub head: String,
    /// Newest first, at most `limit`.
    pub entries: Vec<AuditEntryView>,
}

/// Verifies the whole chain and returns the newest `limit` entries.
#[tauri::command]
#[specta::specta]
pub fn get_audit_log(state: State<'_, AppState>, limit: u32) -> IpcResult<AuditView> {
    state.with_vault(|vault| {
        let check = audit::verify(vault.conn())?;
        let all = audit::list(vault.conn())?;
        let total = all.len();
        let entries = all
            .into_iter()
            .rev()
            .take(limit.clamp(1, 5000) as usize)
            .map(|e| AuditEntryView {
                seq: small(e.seq),
                at: e.at,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                detail: e.detail.to_string(),
                hash: e.hash,
            })
            .collect();
        Ok(AuditView {
            intact: check.ok,
            total: u32::try_from(total).unwrap_or(u32::MAX),
            first_broken: check.first_broken.as_ref().map(|b| small(b.seq)),
            broken_reason: check.first_broken.map(|b| b.reason),
            head: check.head,
            entries,
        })
    })
}

fn small(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
