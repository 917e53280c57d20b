//! The CLI as a user runs it: a real process, a real data directory.
#![allow(clippy::unwrap_used)]

mod common;
use common::takeback;

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn version_is_printed() {
    Command::cargo_bin("takeback")
        .unwrap()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("takeback 0."));
}

#[test]
fn config_set_then_get_round_trips_through_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    takeback(tmp.path())
        .args(["config", "set", "auto_lock_minutes", "5"])
        .assert()
        .success()
        .stdout("auto_lock_minutes = 5\n");
    takeback(tmp.path())
        .args(["config", "get", "auto_lock_minutes"])
        .assert()
        .success()
        .stdout("5\n");
    let out = takeback(tmp.path())
        .args(["--json", "config", "get"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lock = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "auto_lock_minutes")
        .unwrap();
    assert_eq!(lock["value"], "5");
    assert_eq!(lock["is_default"], false);
}

#[test]
fn env_var_selects_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("takeback")
        .unwrap()
        .env("TAKEBACK_DATA_DIR", tmp.path())
        .args(["config", "set", "theme", "dark"])
        .assert()
        .success();
    assert!(std::fs::read_to_string(tmp.path().join("settings.toml"))
        .unwrap()
        .contains("dark"));
}

#[test]
fn bad_setting_is_exit_1_with_actionable_message() {
    let tmp = tempfile::tempdir().unwrap();
    takeback(tmp.path())
        .args(["config", "set", "theme", "purple"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("one of system, light, dark"));
    takeback(tmp.path())
        .args(["config", "get", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("takeback config get"));
}

#[test]
fn usage_error_is_exit_2() {
    Command::cargo_bin("takeback")
        .unwrap()
        .arg("no-such-command")
        .assert()
        .code(2);
}

#[test]
fn doctor_reports_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = takeback(tmp.path())
        .args(["--json", "doctor"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    assert!(checks
        .iter()
        .any(|c| c["name"] == "data directory" && c["ok"] == true));
    // Exit status follows the checks: 0 only when every check passed.
    let all_ok = checks.iter().all(|c| c["ok"] == true);
    assert_eq!(out.status.success(), all_ok);
}

#[test]
fn doctor_fails_with_a_list_when_the_data_dir_is_unusable() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    takeback(&file.join("sub"))
        .arg("doctor")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("What to do"));
}

/// Issue 11: starting at login writes an XDG autostart entry that starts the app hidden in the
/// tray, turning it off removes the entry, and it is refused (exit 3, no entry) while a clinic
/// profile exists; creating a clinic profile turns it off.
#[test]
fn start_at_login_writes_the_autostart_entry_and_is_refused_with_a_clinic_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let config_home = tmp.path().join("config");
    let entry = config_home.join("autostart/takeback-dev.desktop");
    let run = |args: &[&str]| {
        let mut cmd = takeback(&data);
        cmd.env("XDG_CONFIG_HOME", &config_home)
            .env("TAKEBACK_PASSPHRASE", "a long enough passphrase")
            .args(args);
        cmd
    };

    run(&["config", "set", "app.start_at_login", "true"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&entry).unwrap();
    let exec = text.lines().find(|l| l.starts_with("Exec=")).unwrap();
    assert!(exec.ends_with("/takeback-app\" --hidden"), "{text}");
    assert!(text.contains("Type=Application\n"), "{text}");
    assert!(
        !text.to_lowercase().contains("finding"),
        "neutral words: {text}"
    );

    run(&["config", "set", "app.start_at_login", "false"])
        .assert()
        .success();
    assert!(!entry.exists(), "turning it off removes the entry");

    run(&["config", "set", "app.start_at_login", "true"])
        .assert()
        .success();
    run(&["profile", "create", "clinic", "--passphrase"])
        .assert()
        .success();
    assert!(!entry.exists(), "a clinic profile turns it off");
    run(&["config", "get", "app.start_at_login"])
        .assert()
        .success()
        .stdout("false\n");
    run(&["config", "set", "app.start_at_login", "true"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "passphrase (shared or clinic) profile",
        ));
    assert!(!entry.exists());
}
