//! `source`, `scan`, `findings`, `finding` and `provider` through the real `takeback` binary,
//! against the fake web on loopback: precision and recall, review, the local-network refusal,
//! a scan cancelled with Ctrl-C, resumed, killed with SIGKILL and resumed again, and providers
//! with and without consent.
#![allow(clippy::unwrap_used)]

mod common;
use common::json;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use takeback_testkit::fakeweb::FakeWeb;

const PASS: &str = "cli scan passphrase";

/// The owner's photos on the fake web at depth 1 whose faces the detector sees.
const OWNER: [&str; 3] = [
    "/img/facerec/obama.jpg",
    "/img/facerec/obama2.jpg",
    "/img/facerec/obama_and_biden.jpg",
];
/// A photo with the owner and someone else; counted neither way.
const AMBIGUOUS: &str = "/img/facerec/two_people.jpg";

fn faces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces")
}

fn takeback(data: &Path) -> Command {
    let mut cmd = common::takeback(data);
    cmd.env_remove("TAKEBACK_DEBUG_SCAN_PAUSE_MS")
        .env("TAKEBACK_PASSPHRASE", PASS)
        .env("TAKEBACK_PROFILE", "me");
    cmd
}

/// A clinic profile with the owner enrolled and the fake web as a source.
fn profile_watching(data: &Path, web: &FakeWeb) {
    takeback(data)
        .args(["profile", "create", "me", "--passphrase"])
        .assert()
        .success();
    takeback(data)
        .arg("enroll")
        .arg(faces_dir().join("facerec/obama.jpg"))
        .arg(faces_dir().join("facerec/obama3.jpg"))
        .assert()
        .success();
    let source = json(takeback(data).args([
        "source",
        "add-site",
        &web.root(),
        "--depth",
        "1",
        "--max-pages",
        "50",
        "--interval-ms",
        "0",
    ]));
    assert_eq!(source["kind"], "site");
    assert_eq!(source["max_depth"], 1);
}

fn image_paths(findings: &Value) -> BTreeSet<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            url::Url::parse(f["image_url"].as_str().unwrap())
                .unwrap()
                .path()
                .to_owned()
        })
        .collect()
}

/// Recall and precision of `found` against the owner's photos.
fn score(found: &BTreeSet<String>) -> (f64, f64) {
    let true_positives = OWNER.iter().filter(|p| found.contains(**p)).count();
    let false_positives = found
        .iter()
        .filter(|p| !OWNER.contains(&p.as_str()) && p.as_str() != AMBIGUOUS)
        .count();
    (
        true_positives as f64 / OWNER.len() as f64,
        true_positives as f64 / (true_positives + false_positives).max(1) as f64,
    )
}

#[test]
fn scan_finds_the_owner_on_the_fake_web_and_findings_can_be_reviewed() {
    let web = FakeWeb::start(&faces_dir());
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    profile_watching(data, &web);

    // Loopback is refused unless allowed: nothing ran, exit 3, and the reason is given.
    takeback(data)
        .arg("scan")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "unless the local network is allowed",
        ));

    let summary = json(takeback(data).args(["scan", "--allow-local-network"]));
    assert_eq!(summary["status"], "finished");
    let found = image_paths(&summary["new_findings"]);
    let (recall, precision) = score(&found);
    println!("scan via the CLI: recall {recall:.2}, precision {precision:.2}: {found:?}");
    assert_eq!(recall, 1.0, "{found:?}");
    assert_eq!(precision, 1.0, "{found:?}");

    // The contract's findings JSON.
    let listed = json(takeback(data).arg("findings"));
    let first = &listed[0];
    for key in [
        "id",
        "image_url",
        "page_url",
        "distance",
        "status",
        "providers",
        "first_seen",
        "last_seen",
    ] {
        assert!(first.get(key).is_some(), "`{key}` in {first}");
    }
    assert_eq!(first["status"], "new");
    assert_eq!(first["providers"], serde_json::json!(["site-watch"]));

    let id = |i: usize| listed[i]["id"].as_i64().unwrap().to_string();
    let confirmed = json(takeback(data).args(["finding", "confirm", &id(0)]));
    assert_eq!(confirmed["status"], "confirmed");
    takeback(data)
        .args(["finding", "dismiss", &id(1)])
        .assert()
        .success()
        .stdout(predicate::str::contains("Dismissed"));
    assert_eq!(
        json(takeback(data).args(["findings", "--status", "dismissed"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    takeback(data)
        .args(["finding", "confirm", "9999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no finding 9999"));
    // Text output groups by site.
    takeback(data)
        .arg("findings")
        .assert()
        .success()
        .stdout(predicate::str::contains("127.0.0.1 ("));
    takeback(data)
        .args(["audit", "--verify"])
        .assert()
        .success();
}

#[test]
fn a_scan_interrupted_then_killed_with_sigkill_resumes_to_the_same_findings() {
    let web = FakeWeb::start(&faces_dir());
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    profile_watching(data, &web);

    // Ctrl-C (SIGINT) cancels: the job ends `cancelled`, its summary printed, resumable.
    let (child, mut lines) = slow_scan(data, &["scan", "--allow-local-network", "--json"]);
    wait_for_checked(&mut lines, 5);
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "Ctrl-C is not a failure");
    let cancelled: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert!(cancelled["images_checked"].as_u64().unwrap() >= 5);

    // SIGKILL in the middle of the resumed job: no chance to tidy up at all.
    // The network policy is given again on resume: a stored job keeps none.
    let (mut child, mut lines) = slow_scan(
        data,
        &["scan", "--resume", "--allow-local-network", "--json"],
    );
    let checked_before_kill = wait_for_checked(&mut lines, 12);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(checked_before_kill >= 12);

    let resumed = json(takeback(data).args(["scan", "--resume", "--allow-local-network"]));
    assert_eq!(resumed["job_id"], 1, "the same job continues");
    assert_eq!(resumed["status"], "finished");
    let found = image_paths(&resumed["new_findings"]);
    assert_eq!(score(&found), (1.0, 1.0), "{found:?}");

    // Nothing recorded twice: one finding per address, and the job checked each image once.
    let listed = json(takeback(data).arg("findings"));
    let addresses: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["image_url"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = addresses.iter().copied().collect();
    assert_eq!(unique.len(), addresses.len(), "{addresses:?}");
    let fresh = tempfile::tempdir().unwrap();
    profile_watching(fresh.path(), &web);
    let full = json(takeback(fresh.path()).args(["scan", "--allow-local-network"]));
    assert_eq!(
        resumed["images_checked"], full["images_checked"],
        "killed + resumed checks as many images as one uninterrupted scan"
    );
    assert_eq!(image_paths(&full["new_findings"]), found);
    takeback(data)
        .args(["audit", "--verify"])
        .assert()
        .success();
    takeback(data)
        .args(["scan", "--resume"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no interrupted scan"));
}

/// Starts `takeback ARGS` with every image slowed down, so signals land mid-scan; returns the
/// child and its stderr lines.
fn slow_scan(
    data: &Path,
    args: &[&str],
) -> (
    std::process::Child,
    std::io::Lines<BufReader<std::process::ChildStderr>>,
) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("takeback"))
        .env_remove("TAKEBACK_DATA_DIR")
        .env("TAKEBACK_PASSPHRASE", PASS)
        .env("TAKEBACK_PROFILE", "me")
        .env("TAKEBACK_DEBUG_SCAN_PAUSE_MS", "300")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    (child, lines)
}

/// Reads progress lines ("scan 1: site … | 3 pages, 12 images checked, 1 hits") until the job
/// has checked at least `n` images; returns the count seen.
fn wait_for_checked(
    lines: &mut std::io::Lines<BufReader<std::process::ChildStderr>>,
    n: u64,
) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    for line in lines.by_ref() {
        let line = line.unwrap();
        let checked = line
            .split(" images checked")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|count| count.parse::<u64>().ok());
        if let Some(checked) = checked.filter(|c| *c >= n) {
            return checked;
        }
        assert!(Instant::now() < deadline, "the scan never got going");
    }
    panic!("the scan ended before checking {n} images");
}

#[test]
fn a_provider_without_consent_is_skipped_and_nothing_is_sent() {
    let mock = takeback_testkit::providers::TinEyeMock::start("k");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    takeback(data)
        .args(["profile", "create", "me", "--passphrase"])
        .assert()
        .success();
    takeback(data)
        .arg("enroll")
        .arg(faces_dir().join("facerec/obama.jpg"))
        .assert()
        .success();
    takeback(data)
        .args(["provider", "set", "tineye", "--enable", "--base-url"])
        .arg(mock.base_url())
        .assert()
        .success();
    // Not a terminal and no --consent: skipped, said so, exit 3 because nothing ran.
    takeback(data)
        .args(["scan", "--provider", "tineye", "--image"])
        .arg(faces_dir().join("facerec/obama2.jpg"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("tineye skipped"))
        .stderr(predicate::str::contains("consent"));
    assert!(
        mock.server().requests().is_empty(),
        "nothing left the machine"
    );
    // --preview-dir puts the exact upload outside the vault: readable by this user only, and
    // the command says it is not encrypted.
    let previews = tempfile::tempdir().unwrap();
    takeback(data)
        .args([
            "scan",
            "--provider",
            "tineye",
            "--consent",
            "tineye",
            "--preview-dir",
        ])
        .arg(previews.path())
        .arg("--image")
        .arg(faces_dir().join("facerec/obama2.jpg"))
        .assert()
        .stderr(predicate::str::contains("NOT encrypted"));
    let written = previews.path().join("tineye-preview.jpg");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&written).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // A provider the owner never enabled says so, consent or not.
    takeback(data)
        .args([
            "scan",
            "--provider",
            "facecheck",
            "--consent",
            "facecheck",
            "--image",
        ])
        .arg(faces_dir().join("facerec/obama2.jpg"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("facecheck is turned off"));
    // Someone else's photo never gets that far: the gate refuses it.
    takeback(data)
        .args([
            "scan",
            "--provider",
            "tineye",
            "--consent",
            "tineye",
            "--image",
        ])
        .arg(faces_dir().join("facerec/biden.jpg"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "does not match your enrolled face",
        ));
    assert!(mock.server().requests().is_empty());
    takeback(data)
        .args(["provider", "set", "pimeyes", "--enable"])
        .assert()
        .code(1);
}

/// Providers end to end through the CLI with keys in a real Secret Service. Run with
/// `scripts/with-keyring.sh cargo test -- --ignored secret_service`.
#[test]
#[ignore = "needs a Secret Service; run under scripts/with-keyring.sh"]
fn providers_through_the_cli_with_keys_in_the_secret_service() {
    let web = FakeWeb::start(&faces_dir());
    let tineye = takeback_testkit::providers::TinEyeMock::start("tin-key");
    tineye.set_matches(vec![serde_json::json!({
        "domain": "127.0.0.1", "score": 90.0, "image_url": "http://img.tineye.com/result/1",
        "backlinks": [{"url": web.url("/img/facerec/obama2.jpg"), "backlink": web.url("/people/obama.html"), "crawl_date": "2024-01-02"}]
    })]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    takeback(data)
        .args(["profile", "create", "me", "--passphrase"])
        .assert()
        .success();
    takeback(data)
        .arg("enroll")
        .arg(faces_dir().join("facerec/obama.jpg"))
        .assert()
        .success();
    takeback(data)
        .args(["provider", "set", "tineye", "--enable", "--base-url"])
        .arg(tineye.base_url())
        .assert()
        .success();
    takeback(data)
        .args(["provider", "key", "tineye"])
        .write_stdin("tin-key\n")
        .assert()
        .success();
    let listed = json(takeback(data).args(["provider", "list"]));
    assert_eq!(listed[0]["name"], "tineye");
    assert_eq!(listed[0]["has_key"], true);
    assert!(
        !listed.to_string().contains("tin-key"),
        "the key is never printed"
    );

    let summary = json(
        takeback(data)
            .args([
                "scan",
                "--allow-local-network",
                "--provider",
                "tineye",
                "--consent",
                "tineye",
                "--image",
            ])
            .arg(faces_dir().join("facerec/obama.jpg")),
    );
    assert_eq!(summary["providers"][0]["outcome"], "ran", "{summary}");
    let found = image_paths(&summary["new_findings"]);
    assert!(found.contains("/img/facerec/obama2.jpg"), "{found:?}");
    let credits = json(takeback(data).args(["provider", "credits", "tineye"]));
    assert!(
        credits["credits"]["remaining"].as_u64().is_some(),
        "{credits}"
    );
    takeback(data)
        .args(["provider", "key", "tineye", "--delete"])
        .assert()
        .success();
}
