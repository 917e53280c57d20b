//! Auto-lock: a timer that locks every profile left idle for the `auto_lock_minutes` setting and
//! tells the window, which then shows the profile picker.

use std::time::Duration;

use chrono::Utc;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::events::ProfilesLocked;
use crate::state::AppState;

/// How often idleness is checked: the lock happens at most this late.
const TICK: Duration = Duration::from_secs(15);

/// Starts the timer thread for the app's lifetime.
pub fn start(app: AppHandle) {
    std::thread::Builder::new()
        .name("auto-lock".into())
        .spawn(move || loop {
            std::thread::sleep(TICK);
            tick(&app);
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!("auto-lock could not start: {e}"));
}

fn tick(app: &AppHandle) {
    let state = app.state::<AppState>();
    let Ok(minutes) = state.settings().map(|s| s.auto_lock_minutes()) else {
        return;
    };
    let locked = match state.vaults() {
        Ok(mut vaults) => vaults.lock_idle(Utc::now(), Duration::from_secs(minutes * 60)),
        Err(_) => return,
    };
    if locked.is_empty() {
        return;
    }
    let _ = state.forget_locked();
    let event = ProfilesLocked {
        ids: locked.into_iter().map(|p| p.id).collect(),
        reason: format!("Locked after {minutes} minutes without use."),
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!("could not tell the window about the auto-lock: {e}");
    }
}
