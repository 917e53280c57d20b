//! The Cases page: each letter's case, its clock, its timeline and the next step.

use chrono::Utc;
use takeback_core::cases::store::CaseEvent;
use takeback_core::cases::{store, CaseState, CaseView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Every case, newest first, with deadlines computed for now.
#[tauri::command]
#[specta::specta]
pub fn list_cases(state: State<'_, AppState>) -> IpcResult<Vec<CaseView>> {
    state.with_vault(|vault| store::list(vault.conn(), Utc::now()))
}

#[tauri::command]
#[specta::specta]
pub fn case_timeline(state: State<'_, AppState>, id: i32) -> IpcResult<Vec<CaseEvent>> {
    state.with_vault(|vault| store::events(vault.conn(), i64::from(id)))
}

/// The letter as it was filed, for reading again or copying into a web form.
#[tauri::command]
#[specta::specta]
pub fn case_letter_text(state: State<'_, AppState>, id: i32) -> IpcResult<String> {
    state.with_vault(|vault| store::letter_text(vault.conn(), i64::from(id)))
}

/// "I sent it": starts the case's clock now.
#[tauri::command]
#[specta::specta]
pub fn mark_case_sent(state: State<'_, AppState>, id: i32) -> IpcResult<CaseView> {
    state.with_vault(|vault| {
        store::mark_sent(vault.conn(), i64::from(id), Utc::now())?;
        store::get(vault.conn(), i64::from(id), Utc::now())
    })
}

/// Records what happened: acknowledged, removed, partly removed, refused, ignored, escalated.
#[tauri::command]
#[specta::specta]
pub fn set_case_state(
    state: State<'_, AppState>,
    id: i32,
    next: CaseState,
    note: Option<String>,
) -> IpcResult<CaseView> {
    state.with_vault(|vault| {
        store::transition(
            vault.conn(),
            i64::from(id),
            next,
            Utc::now(),
            note.as_deref().map(str::trim).filter(|n| !n.is_empty()),
        )?;
        store::get(vault.conn(), i64::from(id), Utc::now())
    })
}
