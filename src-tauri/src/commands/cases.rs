//! The Cases page: every case with its deadline and next step, a case's timeline and letter,
//! "I sent it", and recording what happened.

use chrono::Utc;
use takeback_core::removal::cases::store::{self, CaseEvent};
use takeback_core::removal::cases::{actions, CaseState, CaseView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_cases(state: State<'_, AppState>) -> IpcResult<Vec<CaseView>> {
    Ok(state
        .session
        .with_vault(|v| store::list(v.conn(), Utc::now()))?)
}

#[tauri::command]
#[specta::specta]
pub fn case_timeline(state: State<'_, AppState>, id: i32) -> IpcResult<Vec<CaseEvent>> {
    Ok(state
        .session
        .with_vault(|v| store::events(v.conn(), super::id(id)))?)
}

#[tauri::command]
#[specta::specta]
pub fn case_letter_text(state: State<'_, AppState>, id: i32) -> IpcResult<String> {
    Ok(state
        .session
        .with_vault(|v| store::letter_text(v.conn(), super::id(id)))?)
}

/// "I sent it": the legal clock starts now (audited).
#[tauri::command]
#[specta::specta]
pub fn mark_case_sent(state: State<'_, AppState>, id: i32) -> IpcResult<CaseView> {
    Ok(state
        .session
        .with_vault(|v| actions::record_sent(v.conn(), super::id(id), Utc::now()))?)
}

/// Records an outcome (only the moves the case allows), with an optional note.
#[tauri::command]
#[specta::specta]
pub fn set_case_state(
    state: State<'_, AppState>,
    id: i32,
    next: CaseState,
    note: Option<String>,
) -> IpcResult<CaseView> {
    let id = super::id(id);
    Ok(state
        .session
        .with_vault(|v| actions::record_outcome(v.conn(), id, next, note.as_deref(), Utc::now()))?)
}
