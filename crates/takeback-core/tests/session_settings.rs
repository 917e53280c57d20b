//! The session's one path for changing settings: a change that lowers a protection needs an
//! unlocked profile, and a changed address is audited in every open profile.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use takeback_core::base::paths::DataDir;
use takeback_core::base::settings::Settings;
use takeback_core::search::providers::ProviderId;
use takeback_core::session::{NetworkPolicy, NewProfileLock, Session};
use takeback_core::storage::audit;
use takeback_core::ErrorCode;

fn session(dir: &tempfile::TempDir) -> Session {
    Session::new(DataDir::at(dir.path()), NetworkPolicy::default()).unwrap()
}

#[test]
fn lowering_a_protection_needs_an_unlocked_profile_and_a_new_address_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(&dir);

    // Stronger needs nothing: a shorter auto-lock, previews off.
    s.set_setting("auto_lock_minutes", "3").unwrap();
    s.set_setting("previews", "off").unwrap();
    // Weaker does, and nothing is written when refused.
    for (key, value) in [
        ("auto_lock_minutes", "30"),
        ("quick_exit.double_escape", "false"),
        ("previews", "blurred"),
        ("provider.tineye.base_url", "https://relay.example/rest/"),
    ] {
        let err = s.set_setting(key, value).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Refused, "{key}: {err}");
        assert!(err.to_string().contains(key), "{err}");
    }
    let err = s
        .configure_provider(
            ProviderId::TinEye,
            Some("https://relay.example/rest/"),
            None,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Refused);
    let on_disk = Settings::load(&DataDir::at(dir.path())).unwrap();
    assert_eq!(on_disk.auto_lock_minutes, 3);
    assert!(on_disk.quick_exit_double_escape);
    assert_eq!(
        on_disk.provider("tineye").unwrap().base_url,
        ProviderId::TinEye.default_base_url()
    );

    // With a profile unlocked, the owner may, and the new address is in its audit log.
    s.create_profile(
        "A",
        NewProfileLock::Passphrase {
            passphrase: "a long enough passphrase".into(),
        },
        Utc::now(),
    )
    .unwrap();
    s.set_setting("auto_lock_minutes", "30").unwrap();
    s.configure_provider(
        ProviderId::TinEye,
        Some("https://relay.example/rest/"),
        None,
    )
    .unwrap();
    let entries = s.with_vault(|v| audit::list(v.conn())).unwrap();
    let changed = entries
        .iter()
        .find(|e| e.action == "settings.endpoint_changed")
        .expect("the address change is audited");
    assert_eq!(changed.detail["setting"], "provider.tineye.base_url");
    assert_eq!(changed.detail["to"], "https://relay.example/rest/");
    assert_eq!(
        changed.detail["from"],
        ProviderId::TinEye.default_base_url()
    );
    assert_eq!(
        Settings::load(&DataDir::at(dir.path()))
            .unwrap()
            .provider("tineye")
            .unwrap()
            .base_url,
        "https://relay.example/rest/"
    );
}

/// Issue 15 item 9: a hand-edited `auto_lock_minutes = 5` (a plain TOML number) made the whole
/// file unreadable, while `theme = "purple"` was silently read as the default. Numbers and
/// booleans are taken where a number or a yes/no is meant; a value a setting cannot take is an
/// error naming the setting and what it accepts.
#[test]
fn the_settings_file_takes_plain_numbers_and_refuses_invalid_values() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::at(dir.path());
    data.ensure().unwrap();
    std::fs::write(
        data.settings_file(),
        "auto_lock_minutes = 5\n\"quick_exit.double_escape\" = false\n\"future.setting\" = 3\n",
    )
    .unwrap();
    let settings = Settings::load(&data).unwrap();
    assert_eq!(settings.auto_lock_minutes, 5);
    assert!(!settings.quick_exit_double_escape);
    // A newer version's setting survives a save, number and all.
    settings.save(&data).unwrap();
    let text = std::fs::read_to_string(data.settings_file()).unwrap();
    assert!(text.contains("\"future.setting\" = 3"), "{text}");

    for bad in [
        "theme = \"purple\"\n",
        "auto_lock_minutes = 99999\n",
        "auto_lock_minutes = 2.5\n",
        "previews = true\n",
    ] {
        std::fs::write(data.settings_file(), bad).unwrap();
        let err = Settings::load(&data).unwrap_err();
        let key = bad.split(" =").next().unwrap();
        assert!(err.to_string().contains(key), "{bad}: {err}");
        assert!(err.to_string().contains("settings.toml"), "{bad}: {err}");
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}: {err}");
    }
}

/// Issue 11: what closing the window does is the session's decision. By default it quits and
/// every profile locks (the tray is not even made); with "keep watching when the window is
/// closed" (a lowered protection: it needs an unlocked profile) it hides to the tray and the
/// profile stays open for monitoring, unless no tray could be made. Starting hidden needs the
/// start-at-login setting as well as the flag.
#[test]
fn closing_the_window_quits_and_locks_unless_the_owner_keeps_watching_with_a_tray() {
    use takeback_core::session::background::CloseAction;
    let dir = tempfile::tempdir().unwrap();
    let s = session(&dir);
    let err = s.set_setting("monitor.when_closed", "true").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Refused, "{err}");
    let unlock = |s: &Session| {
        s.create_profile(
            "A",
            NewProfileLock::Passphrase {
                passphrase: "a long enough passphrase".into(),
            },
            Utc::now(),
        )
        .or_else(|_| s.unlock_profile("A", Some("a long enough passphrase".into()), Utc::now()))
        .unwrap()
        .id
    };
    let id = unlock(&s);

    let mut asked = false;
    let action = s
        .on_window_close(|| {
            asked = true;
            true
        })
        .unwrap();
    assert_eq!(action, CloseAction::Quit);
    assert!(
        !asked,
        "no tray is made when the owner does not keep watching"
    );
    assert!(!s.is_open(&id).unwrap(), "quitting locks every profile");

    unlock(&s);
    s.set_setting("monitor.when_closed", "true").unwrap();
    assert_eq!(s.on_window_close(|| true).unwrap(), CloseAction::HideToTray);
    assert!(
        s.is_open(&id).unwrap(),
        "hidden in the tray, monitoring goes on"
    );
    assert_eq!(s.on_window_close(|| false).unwrap(), CloseAction::Quit);
    assert!(!s.is_open(&id).unwrap(), "no tray to come back from: quit");

    assert!(!s.start_hidden(false).unwrap());
    assert!(!s.start_hidden(true).unwrap(), "the setting is off");
    assert!(s.wants_tray(false).unwrap(), "keeping watch wants the tray");
}
