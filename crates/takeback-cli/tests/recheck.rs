//! Evidence on confirm and `takeback recheck` through the binary, against a real HTTP server on
//! loopback: `finding confirm` keeps the exact bytes served, `finding evidence` lists them,
//! `recheck --json` follows the contract and turns a 404 into `removed`, a 500 or a timeout into
//! `unreachable` with the status unchanged.
#![allow(clippy::unwrap_used)]

mod common;
use common::json;

// Shared with the core tests, which use every kind of reply; these use fewer.
#[allow(dead_code)]
#[path = "../../takeback-core/tests/search/stub_site.rs"]
mod stub_site;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use chrono::Utc;
use stub_site::{Reply, StubSite};
use takeback_core::base::paths::DataDir;
use takeback_core::search::findings::{self, Evidence, Sighting};
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles, Unlock};

const PASS: &str = "correct horse battery staple";

fn takeback(data: &Path) -> Command {
    let mut cmd = common::takeback(data);
    cmd.env("TAKEBACK_PASSPHRASE", PASS);
    cmd
}

fn photo() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/faces/facerec/obama.jpg"),
    )
    .unwrap()
}

/// SHA-256 hex, computed independently of the evidence code (the audit log's digest).
fn sha256(bytes: &[u8]) -> String {
    takeback_core::storage::audit::digest(bytes)
}

/// A clinic profile holding one finding per image address (as a provider reported them).
fn setup(images: &[String]) -> (tempfile::TempDir, Vec<i64>) {
    let tmp = tempfile::tempdir().unwrap();
    let profiles = Profiles::new(&DataDir::at(tmp.path()));
    let pass = Secret::new(PASS.to_owned());
    profiles
        .create_clinic("default", &pass, KdfParams::INSECURE_FOR_TESTS, Utc::now())
        .unwrap();
    let vault = profiles
        .unlock("default", Unlock::Passphrase(&pass), Utc::now())
        .unwrap();
    let tx = vault.conn().unchecked_transaction().unwrap();
    let ids = images
        .iter()
        .map(|image_url| {
            findings::record(
                &vault,
                &tx,
                &Sighting {
                    image_url,
                    page_url: None,
                    seen_by: takeback_core::search::findings::SeenBy::Provider(
                        takeback_core::search::providers::ProviderId::TinEye,
                    ),
                    provider_score: None,
                    evidence: Evidence::Unverified {
                        why: takeback_core::search::findings::UnverifiedWhy::NoImageNamed,
                    },
                },
                None,
                Utc::now(),
            )
            .unwrap()
            .finding_id
        })
        .collect();
    tx.commit().unwrap();
    (tmp, ids)
}

fn recheck(data: &Path) -> Vec<serde_json::Value> {
    json(takeback(data).args(["recheck", "--allow-local-network", "--timeout", "1"]))
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn confirm_keeps_the_bytes_served_and_recheck_turns_a_404_into_removed() {
    let site = StubSite::start();
    let image = photo();
    let body = Reply::Body {
        content_type: "image/jpeg",
        body: image.clone(),
    };
    site.set("/a.jpg", body.clone());
    site.set("/b.jpg", body);
    site.set("/c.jpg", Reply::Status(500));
    let (tmp, ids) = setup(&[site.url("/a.jpg"), site.url("/b.jpg"), site.url("/c.jpg")]);
    let data = tmp.path();

    let confirmed = json(takeback(data).args([
        "finding",
        "confirm",
        &ids[0].to_string(),
        "--allow-local-network",
    ]));
    assert_eq!(
        confirmed["status"], "confirmed",
        "the finding's own fields, as before"
    );
    assert_eq!(confirmed["id"], ids[0]);
    assert_eq!(confirmed["evidence"][0]["sha256"], sha256(&image));
    assert_eq!(confirmed["evidence"][0]["http_status"], 200);
    assert_eq!(confirmed["evidence"][0]["final_url"], site.url("/a.jpg"));
    let listed = json(takeback(data).args(["finding", "evidence", &ids[0].to_string()]));
    assert_eq!(listed, confirmed["evidence"]);

    for id in &ids[1..] {
        takeback(data)
            .args([
                "finding",
                "confirm",
                &id.to_string(),
                "--allow-local-network",
            ])
            .assert()
            .success();
    }
    let failed = json(takeback(data).args(["finding", "evidence", &ids[2].to_string()]));
    assert_eq!(failed[0]["http_status"], 500);
    assert_eq!(failed[0]["sha256"], serde_json::Value::Null);
    assert!(failed[0]["failure"].as_str().unwrap().contains("HTTP 500"));

    let first = recheck(data);
    let outcomes: Vec<_> = first
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["outcome"].clone(),
                r["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (ids[0], "still_up".into(), 200.into()),
            (ids[1], "still_up".into(), 200.into()),
            (ids[2], "unreachable".into(), 500.into()),
        ]
    );
    assert_eq!(first[0]["image_url"], site.url("/a.jpg"));
    assert!(first[0]["checked_at"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<Utc>>()
        .is_ok());

    site.set("/b.jpg", Reply::Status(404));
    let second = recheck(data);
    assert_eq!(second[1]["outcome"], "removed");
    assert_eq!(second[1]["status"], 404);
    let removed = json(takeback(data).args(["findings", "--status", "removed"]));
    assert_eq!(removed.as_array().unwrap().len(), 1);
    assert_eq!(removed[0]["id"], ids[1]);
    let confirmed = json(takeback(data).args(["findings", "--status", "confirmed"]));
    assert_eq!(
        confirmed.as_array().unwrap().len(),
        2,
        "a 500 leaves the finding confirmed"
    );

    let audit = json(takeback(data).arg("audit"));
    let rechecks = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "finding.rechecked")
        .count();
    assert_eq!(rechecks, 6);
    takeback(data)
        .args(["audit", "--verify"])
        .assert()
        .success();
}

#[test]
fn recheck_text_output_timeouts_and_the_local_network_rule() {
    let site = StubSite::start();
    site.set("/slow.jpg", Reply::Slow(Duration::from_secs(5)));
    let (tmp, ids) = setup(&[site.url("/slow.jpg")]);
    let data = tmp.path();

    takeback(data)
        .arg("recheck")
        .assert()
        .success()
        .stdout(predicates::str::contains("No confirmed findings"));

    // Without --allow-local-network the evidence is refused, and so is the re-check.
    takeback(data)
        .args(["finding", "confirm", &ids[0].to_string()])
        .assert()
        .success()
        .stdout(predicates::str::contains("allow the local network"));
    let refused = json(takeback(data).arg("recheck"));
    assert_eq!(refused[0]["outcome"], "unreachable");
    assert!(refused[0]["reason"]
        .as_str()
        .unwrap()
        .contains("allow the local network"));
    assert_eq!(
        site.hits("/slow.jpg"),
        0,
        "a refused address is never contacted"
    );

    let started = std::time::Instant::now();
    let out = takeback(data)
        .args(["recheck", "--allow-local-network", "--timeout", "1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "--timeout bounds the check"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unreachable (status unchanged)"), "{text}");
    assert!(text.contains("1 unreachable"), "{text}");
}

#[test]
fn recheck_fails_with_exit_1_when_the_profile_cannot_be_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let out = takeback(tmp.path())
        .args(["--profile", "nobody", "recheck"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stderr.is_empty());
}
