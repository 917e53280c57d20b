//! The window's own monitoring: every minute, the session runs a monitoring cycle for the
//! unlocked profile when something is due (the core decides, see `Session::run_monitor_if_due`),
//! and the window is told so the inbox on Home refreshes. Locking the profile cancels it.

use std::time::Duration;

use chrono::Utc;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::events::MonitoringFinished;
use crate::state::AppState;

const TICK: Duration = Duration::from_secs(60);

pub fn start(app: AppHandle) {
    std::thread::Builder::new()
        .name("monitoring".into())
        .spawn(move || loop {
            std::thread::sleep(TICK);
            tick(&app);
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!("monitoring could not start: {e}"));
}

fn tick(app: &AppHandle) {
    let state = app.state::<AppState>();
    match state.session.run_monitor_if_due(Utc::now()) {
        Ok(Some(report)) if report.ran => {
            let event = MonitoringFinished {
                events: u32::try_from(report.events.len()).unwrap_or(u32::MAX),
            };
            if let Err(e) = event.emit(app) {
                tracing::warn!("could not tell the window about monitoring: {e}");
            }
        }
        Ok(_) => {}
        // A locked profile or a site that failed: the next tick tries again.
        Err(e) => tracing::warn!("monitoring did not run: {:?}", e.code()),
    }
}
