//! Profiles on a shared computer: moving to another profile locks every open passphrase
//! profile, so coming back to a client's profile asks for its passphrase again.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use takeback_core::base::paths::DataDir;
use takeback_core::session::{NetworkPolicy, NewProfileLock, Session};

const PASS_A: &str = "lantern orbit cactus meadow";
const PASS_B: &str = "violet harbour engine pebble";

fn open_names(s: &Session) -> Vec<String> {
    s.open_profiles()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

#[test]
fn an_unlocked_clinic_profile_cannot_be_switched_to_without_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let s = Session::new(DataDir::at(dir.path()), NetworkPolicy::default()).unwrap();
    let lock = |p: &str| NewProfileLock::Passphrase {
        passphrase: p.into(),
    };
    s.create_profile("Client A", lock(PASS_A), Utc::now())
        .unwrap();
    s.create_profile("Client B", lock(PASS_B), Utc::now())
        .unwrap();
    assert_eq!(open_names(&s), ["Client B"], "A locked when B opened");

    // Before the fix, A was still open and came back with one click.
    assert!(s.unlock_profile("Client A", None, Utc::now()).is_err());
    assert!(s
        .unlock_profile("Client A", Some(PASS_B.into()), Utc::now())
        .is_err());
    assert_eq!(
        open_names(&s),
        ["Client B"],
        "a failed attempt changes nothing"
    );

    s.unlock_profile("Client A", Some(PASS_A.into()), Utc::now())
        .unwrap();
    assert_eq!(open_names(&s), ["Client A"]);
    // The active one stays open without asking again.
    s.unlock_profile("Client A", None, Utc::now()).unwrap();
    assert_eq!(open_names(&s), ["Client A"]);
}

/// The window's one-minute monitoring tick reads the profile's vault; that is not use, so an
/// unattended window still locks after the auto-lock minutes (before the fix the tick marked the
/// profile used every minute and it never locked).
#[test]
fn the_windows_monitoring_tick_does_not_keep_auto_lock_away() {
    let dir = tempfile::tempdir().unwrap();
    let s = Session::new(DataDir::at(dir.path()), NetworkPolicy::default()).unwrap();
    let last_use = Utc::now() - chrono::Duration::hours(1);
    s.create_profile(
        "Client A",
        NewProfileLock::Passphrase {
            passphrase: PASS_A.into(),
        },
        last_use,
    )
    .unwrap();
    assert!(
        s.settings().unwrap().monitor_in_window,
        "the tick is on by default"
    );

    let ran = s.run_monitor_if_due(Utc::now()).unwrap();
    assert!(ran.is_none(), "nothing is due in a profile with no sources");

    let locked = s.lock_idle(Utc::now()).unwrap();
    assert_eq!(
        locked.map(|l| l.ids.len()),
        Some(1),
        "an hour without use locks the profile, monitoring or not"
    );
    assert!(open_names(&s).is_empty());
}
