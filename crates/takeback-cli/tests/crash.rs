//! Crash safety: `takeback enroll` killed with SIGKILL at any point leaves a vault that opens,
//! passes its integrity checks and holds either none or all of the interrupted batch.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use takeback_core::base::paths::DataDir;
use takeback_core::face::enrollment;
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{Profiles, Unlock};

const PASS: &str = "crash test passphrase";

/// Two different photos of the owner: the same photo twice is refused (issue 15 item 9).
fn photos() -> [PathBuf; 2] {
    ["obama.jpg", "obama2.jpg"].map(|name| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/faces/facerec")
            .join(name)
    })
}

fn takeback(data: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("takeback"));
    cmd.env_remove("TAKEBACK_DATA_DIR")
        .env("TAKEBACK_TEST_FAST_KDF", "1")
        .env("TAKEBACK_PASSPHRASE", PASS)
        .env("TAKEBACK_PROFILE", "c")
        .arg("--data-dir")
        .arg(data);
    cmd
}

/// Opens the vault the way the app would after a crash and checks it.
fn reopen_and_check(data: &Path) -> usize {
    let profiles = Profiles::new(&DataDir::at(data));
    let pass = Secret::new(PASS.to_owned());
    let vault = profiles
        .unlock("c", Unlock::Passphrase(&pass), Utc::now())
        .unwrap();
    vault.check().unwrap();
    let faces = enrollment::list(vault.conn()).unwrap();
    // Every stored reference face has its encrypted photo.
    for f in &faces {
        let id = takeback_core::storage::vault::BlobId::parse(&f.blob_id).unwrap();
        assert!(!vault.blobs().get(vault.conn(), &id).unwrap().is_empty());
    }
    faces.len()
}

/// Starts an enrollment of two photos and kills it when stderr shows `kill_at` (or, with
/// `None`, after `delay`).
fn enroll_and_kill(data: &Path, kill_at: Option<&str>, delay: Duration) {
    let mut child = takeback(data)
        .env("TAKEBACK_DEBUG_ENROLL_PAUSE_MS", "400")
        .arg("enroll")
        .args(photos())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    match kill_at {
        Some(marker) => {
            let stderr = BufReader::new(child.stderr.take().unwrap());
            for line in stderr.lines() {
                if line.unwrap().contains(marker) {
                    break;
                }
            }
        }
        None => std::thread::sleep(delay),
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback by the process itself
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the process finished before it was killed"
    );
}

#[test]
fn killed_enrollment_leaves_a_consistent_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let status = takeback(tmp.path())
        .args(["profile", "create", "c", "--passphrase"])
        .status()
        .unwrap();
    assert!(status.success());

    // While checking photos (engine loading, detection): nothing written yet.
    enroll_and_kill(tmp.path(), None, Duration::from_millis(300));
    assert_eq!(reopen_and_check(tmp.path()), 0);
    // After the first photo was written inside the open transaction.
    enroll_and_kill(tmp.path(), Some("stored photo 1 of 2"), Duration::ZERO);
    assert_eq!(reopen_and_check(tmp.path()), 0);
    // After both were written, just before the commit.
    enroll_and_kill(tmp.path(), Some("stored photo 2 of 2"), Duration::ZERO);
    assert_eq!(reopen_and_check(tmp.path()), 0);

    // An uninterrupted run then stores the whole batch, and the audit chain still verifies.
    let status = takeback(tmp.path())
        .arg("enroll")
        .args(photos())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(reopen_and_check(tmp.path()), 2);
}
