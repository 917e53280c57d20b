//! The window's own monitoring: every minute, the session runs a monitoring cycle for the
//! unlocked profile when something is due (the core decides, see `Session::run_monitor_if_due`),
//! and the window is told so the inbox on Home refreshes. Locking the profile cancels it.
//! A cycle that recorded something raises the desktop notification the core words
//! (`Session::notification_for`: neutral by default, none in quiet hours), as the timer's do.
//! The tray's "Check now" runs a full cycle the same way.

use std::time::Duration;

use chrono::{Timelike, Utc};
use takeback_core::monitor::CycleReport;
use tauri::{AppHandle, Manager, Runtime};
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
        Ok(Some(report)) if report.ran => finished(app, &report),
        Ok(_) => {}
        // A locked profile or a site that failed: the next tick tries again.
        Err(e) => tracing::warn!("monitoring did not run: {:?}", e.code()),
    }
}

/// The tray's "Check now": a full cycle for the unlocked profile on a worker thread; with no
/// profile unlocked the window opens instead, since only the owner can unlock one.
pub fn check_now<R: Runtime>(app: AppHandle<R>) {
    let spawned = std::thread::Builder::new()
        .name("check-now".into())
        .spawn(
            move || match app.state::<AppState>().session.run_monitor(true) {
                Ok(report) if report.ran => finished(&app, &report),
                Ok(_) => {}
                Err(e) if e.code() == takeback_core::ErrorCode::Locked => {
                    crate::tray::show_window(&app)
                }
                Err(e) => tracing::warn!("monitoring did not run: {:?}", e.code()),
            },
        );
    if let Err(e) = spawned {
        tracing::error!("check now could not start: {e}");
    }
}

/// Tells the window (the inbox reloads) and shows the notification the core words, if any.
fn finished<R: Runtime>(app: &AppHandle<R>, report: &CycleReport) {
    let event = MonitoringFinished {
        events: u32::try_from(report.events.len()).unwrap_or(u32::MAX),
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!("could not tell the window about monitoring: {e}");
    }
    let hour = chrono::Local::now().hour();
    let note = app
        .state::<AppState>()
        .session
        .notification_for(report, hour);
    if let Ok(Some(note)) = note {
        // Best-effort: Linux notification daemons can fail silently; the inbox is the record.
        let shown = notify_rust::Notification::new()
            .appname("Takeback")
            .summary(&note.title)
            .body(&note.body)
            .show();
        if let Err(e) = shown {
            tracing::warn!("the desktop notification could not be shown: {e}");
        }
    }
}
