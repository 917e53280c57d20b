//! Monitoring from Home: run a cycle now, what runs next, the events inbox, a finding's history.

use takeback_core::monitor::history::HistoryEntry;
use takeback_core::monitor::{CycleReport, Event, MonitorStatus};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

/// Does the monitoring work that is due now (`force`: all of it).
#[tauri::command]
#[specta::specta]
pub async fn run_monitoring(state: State<'_, AppState>, force: bool) -> IpcResult<CycleReport> {
    blocking(&state.session, move |s| s.run_monitor(force)).await
}

#[tauri::command]
#[specta::specta]
pub fn monitor_status(state: State<'_, AppState>) -> IpcResult<MonitorStatus> {
    Ok(state.session.monitor_status()?)
}

/// The events inbox, newest first (`unread_only`: the new ones).
#[tauri::command]
#[specta::specta]
pub fn list_events(state: State<'_, AppState>, unread_only: bool) -> IpcResult<Vec<Event>> {
    Ok(state.session.events(unread_only)?)
}

/// Marks event `id` read, or every event when `id` is null.
#[tauri::command]
#[specta::specta]
pub fn mark_events_read(state: State<'_, AppState>, id: Option<i32>) -> IpcResult<u32> {
    Ok(state.session.mark_events_read(id.map(super::id))?)
}

#[tauri::command]
#[specta::specta]
pub fn finding_history(state: State<'_, AppState>, id: i32) -> IpcResult<Vec<HistoryEntry>> {
    Ok(state.session.finding_history(super::id(id))?)
}
