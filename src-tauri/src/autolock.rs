//! Auto-lock: a 15-second timer asks the session to lock the profiles idle for longer than the
//! `auto_lock_minutes` setting, and tells the window which ones it locked.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::events::ProfilesLocked;
use crate::state::AppState;

const TICK: Duration = Duration::from_secs(15);

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
    if let Some(event) = lock_expired(&state, Utc::now()) {
        if let Err(e) = event.emit(app) {
            tracing::warn!("could not tell the window about the auto-lock: {e}");
        }
    }
}

/// Locks what is idle at `now`; the event for the window, if anything was locked.
pub fn lock_expired(state: &AppState, now: DateTime<Utc>) -> Option<ProfilesLocked> {
    let locked = state.session.lock_idle(now).ok()??;
    Some(ProfilesLocked {
        ids: locked.ids,
        minutes: u32::try_from(locked.minutes).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use takeback_core::base::paths::DataDir;

    #[test]
    fn idle_profiles_lock_after_the_setting_and_the_window_is_told_why() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::at(dir.path());
        let state = AppState::new(data.clone()).unwrap();
        state.session.set_setting("auto_lock_minutes", "5").unwrap();
        let opened = Utc::now();
        let id = state
            .session
            .create_profile(
                "A",
                takeback_core::session::NewProfileLock::Passphrase {
                    passphrase: "passphrase long".into(),
                },
                opened,
            )
            .unwrap()
            .id;
        state.session.keep_alive().unwrap();
        let used = Utc::now();
        assert!(lock_expired(&state, used + chrono::Duration::minutes(4)).is_none());
        let event = lock_expired(&state, used + chrono::Duration::seconds(5 * 60 + 1)).unwrap();
        assert_eq!(event.ids, vec![id]);
        assert_eq!(event.minutes, 5);
        assert_eq!(
            state.session.active_id().unwrap(),
            None,
            "the window no longer shows it"
        );
        assert!(lock_expired(&state, used + chrono::Duration::minutes(20)).is_none());
    }
}
