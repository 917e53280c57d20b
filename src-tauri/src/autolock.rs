//! Auto-lock: a timer that locks every profile left idle for the `auto_lock_minutes` setting and
//! tells the window, which then shows the profile picker.

use std::time::Duration;

use chrono::{DateTime, Utc};
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
    if let Some(event) = lock_expired(&state, Utc::now()) {
        if let Err(e) = event.emit(app) {
            tracing::warn!("could not tell the window about the auto-lock: {e}");
        }
    }
}

/// Locks the profiles idle for longer than the setting allows at `now`, forgets what belonged to
/// them, and returns the event for the window (`None` when nothing was locked).
pub fn lock_expired(state: &AppState, now: DateTime<Utc>) -> Option<ProfilesLocked> {
    let minutes = state.settings().ok()?.auto_lock_minutes();
    let locked = state
        .vaults()
        .ok()?
        .lock_idle(now, Duration::from_secs(minutes * 60));
    if locked.is_empty() {
        return None;
    }
    let _ = state.forget_locked();
    Some(ProfilesLocked {
        ids: locked.into_iter().map(|p| p.id).collect(),
        reason: format!("Locked after {minutes} minutes without use."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use takeback_core::paths::DataDir;
    use takeback_core::secrets::Secret;
    use takeback_core::vault::{KdfParams, Profiles};

    #[test]
    fn idle_profiles_lock_after_the_setting_and_the_window_is_told_why() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::at(dir.path());
        let state = AppState::new(data.clone()).unwrap();
        state
            .settings()
            .unwrap()
            .set("auto_lock_minutes", "5")
            .unwrap();
        let opened = Utc::now();
        let vault = Profiles::new(&data)
            .create_clinic(
                "A",
                &Secret::new("passphrase long".to_owned()),
                KdfParams::INSECURE_FOR_TESTS,
                opened,
            )
            .unwrap();
        let id = vault.info().id.clone();
        state.vaults().unwrap().insert(vault);
        state.set_active(Some(id.clone())).unwrap();

        // Used at 4 minutes (a command ran): not locked at 8, locked at 9 and a bit.
        state
            .vaults()
            .unwrap()
            .use_vault(&id, opened + chrono::Duration::minutes(4));
        assert!(lock_expired(&state, opened + chrono::Duration::minutes(8)).is_none());
        let event = lock_expired(&state, opened + chrono::Duration::seconds(9 * 60 + 1)).unwrap();
        assert_eq!(event.ids, vec![id]);
        assert!(event.reason.contains("5 minutes"));
        assert_eq!(
            state.active_id().unwrap(),
            None,
            "the window no longer shows it"
        );
        assert!(lock_expired(&state, opened + chrono::Duration::minutes(20)).is_none());
    }
}
