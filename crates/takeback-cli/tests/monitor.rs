//! `takeback monitor` and `takeback events` through the binary, against a loopback site that
//! changes between cycles: a new finding, a quiet cycle (no events, no duplicates), a case
//! deadline passed while the picture is up, then the image deleted (removed), the same picture
//! re-encoded and resized at a new address (reappeared, linked, its case reopened), a new photo
//! of the owner (new finding), and a source that starts failing (unreachable after three
//! visits). Also: two runners at once (one does nothing) and a cycle killed with SIGKILL, then
//! finished by the next run with nothing lost or duplicated.
#![allow(clippy::unwrap_used)]

mod common;
use common::{draft_takeitdown_letter, json};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use takeback_testkit::livesite::LiveSite;

const PASS: &str = "cli monitor passphrase";

fn faces(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/faces")
        .join(path)
}

fn photo(path: &str) -> Vec<u8> {
    std::fs::read(faces(path)).unwrap()
}

/// The same picture, resized to 70 % and re-encoded as a lower-quality JPEG.
fn reencoded(path: &str) -> Vec<u8> {
    let image = image::load_from_memory(&photo(path)).unwrap();
    let small = image.resize(
        image.width() * 7 / 10,
        image.height() * 7 / 10,
        image::imageops::FilterType::Triangle,
    );
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&small.to_rgb8())
        .unwrap();
    out.into_inner()
}

fn takeback(data: &Path) -> Command {
    let mut cmd = common::takeback(data);
    cmd.env_remove("TAKEBACK_DEBUG_SCAN_PAUSE_MS")
        .env("TAKEBACK_PASSPHRASE", PASS)
        .env("TAKEBACK_PROFILE", "me");
    cmd
}

/// A clinic profile with the owner enrolled, watching `site`.
fn profile_watching(data: &Path, site: &LiveSite) -> i64 {
    takeback(data)
        .args(["profile", "create", "me", "--passphrase"])
        .assert()
        .success();
    takeback(data)
        .arg("enroll")
        .arg(faces("facerec/obama.jpg"))
        .arg(faces("facerec/obama3.jpg"))
        .assert()
        .success();
    let source = json(takeback(data).args([
        "source",
        "add-site",
        &site.root(),
        "--depth",
        "2",
        "--interval-ms",
        "0",
        "--every",
        "12h",
    ]));
    assert_eq!(source["every"], "12h");
    source["id"].as_i64().unwrap()
}

fn cycle(data: &Path) -> Value {
    let report = json(takeback(data).args([
        "monitor",
        "run",
        "--once",
        "--force",
        "--allow-local-network",
    ]));
    assert_eq!(report["ran"], true, "{report}");
    assert_eq!(report["cycle"]["status"], "finished", "{report}");
    report
}

fn kinds(events: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds
}

fn findings(data: &Path) -> Vec<Value> {
    json(takeback(data).arg("findings"))
        .as_array()
        .unwrap()
        .clone()
}

fn finding_at(all: &[Value], site: &LiveSite, path: &str) -> Value {
    all.iter()
        .find(|f| f["image_url"] == site.url(path))
        .unwrap_or_else(|| panic!("no finding at {path} in {all:?}"))
        .clone()
}

/// The site before any change: the owner's photo on one page, other people elsewhere.
fn first_version(site: &LiveSite) {
    site.put_html(
        "/",
        "<a href=\"/a.html\">a</a> <a href=\"/b.html\">b</a> <a href=\"/c.html\">c</a>",
    );
    site.put_html(
        "/a.html",
        "<img src=\"/img/a.jpg\"> <img src=\"/img/biden.jpg\">",
    );
    site.put_html("/b.html", "<img src=\"/img/amy.png\">");
    site.put_html("/c.html", "<p>nothing yet</p>");
    site.put_image("/img/a.jpg", photo("facerec/obama2.jpg"));
    site.put_image("/img/biden.jpg", photo("facerec/biden.jpg"));
    site.put_image("/img/amy.png", photo("faceapi/amy/amy1.png"));
}

#[test]
fn cycles_report_new_removed_reappeared_and_nothing_when_quiet() {
    let site = LiveSite::start();
    first_version(&site);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    profile_watching(data, &site);

    // Cycle 1: the owner's photo is a new finding; nothing else is.
    let first = cycle(data);
    assert_eq!(kinds(&first["events"]), ["new_finding"], "{first}");
    let all = findings(data);
    assert_eq!(all.len(), 1, "{all:?}");
    let a = finding_at(&all, &site, "/img/a.jpg");
    let a_id = a["id"].as_i64().unwrap();
    assert_eq!(first["events"][0]["finding_id"], a_id);
    assert!(a["reappeared_from"].is_null());

    // The owner confirms it, writes a 48-hour letter and sends it (long ago).
    takeback(data)
        .args([
            "finding",
            "confirm",
            &a_id.to_string(),
            "--allow-local-network",
        ])
        .assert()
        .success();
    let drafted = draft_takeitdown_letter(takeback, data, ("US", a_id, "legal@site.test"));
    let case_id = drafted["case_id"].as_i64().unwrap();
    takeback(data)
        .args([
            "case",
            "sent",
            &case_id.to_string(),
            "--at",
            "2025-06-02T10:00",
        ])
        .assert()
        .success();

    // Cycle 2: nothing changed on the site; the deadline passed with the picture still up,
    // and the event names the next rung (the hosting provider).
    let second = cycle(data);
    assert_eq!(
        kinds(&second["events"]),
        ["still_up_after_deadline"],
        "{second}"
    );
    let late = &second["events"][0];
    assert_eq!(late["case_id"], case_id);
    assert_eq!(late["finding_id"], a_id);
    assert!(
        late["text"].as_str().unwrap().contains("Next: host"),
        "{late}"
    );
    assert_eq!(second["findings_rechecked"], 1);

    // Cycle 3: quiet. No event, no new finding.
    let quiet = cycle(data);
    assert_eq!(kinds(&quiet["events"]), Vec::<String>::new(), "{quiet}");
    assert_eq!(findings(data).len(), 1);

    // The site took it down, the owner recorded it; then the site changes.
    takeback(data)
        .args([
            "case",
            "close",
            &case_id.to_string(),
            "--outcome",
            "removed",
        ])
        .assert()
        .success();
    site.delete("/img/a.jpg");
    site.put_html("/a.html", "<img src=\"/img/biden.jpg\">");
    site.put_html(
        "/c.html",
        "<img src=\"/img/copies/a-small.jpg\"> <img src=\"/img/new.jpg\">",
    );
    site.put_image("/img/copies/a-small.jpg", reencoded("facerec/obama2.jpg"));
    site.put_image("/img/new.jpg", photo("facerec/obama.jpg"));

    // Cycle 4: removed (404), reappeared (linked to the old finding, its case reopened), new.
    let changed = cycle(data);
    assert_eq!(
        kinds(&changed["events"]),
        ["new_finding", "reappeared", "removed"],
        "{changed}"
    );
    let all = findings(data);
    assert_eq!(all.len(), 3, "{all:?}");
    let a = finding_at(&all, &site, "/img/a.jpg");
    assert_eq!(a["status"], "removed");
    let copy = finding_at(&all, &site, "/img/copies/a-small.jpg");
    assert_eq!(
        copy["reappeared_from"], a_id,
        "linked to the finding it copies"
    );
    let new = finding_at(&all, &site, "/img/new.jpg");
    assert!(
        new["reappeared_from"].is_null(),
        "a new photo is not a reappearance"
    );
    let event = |kind: &str| {
        changed["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(event("removed")["finding_id"], a_id);
    assert_eq!(event("removed")["case_id"], case_id);
    assert_eq!(event("reappeared")["finding_id"], copy["id"]);
    assert_eq!(event("reappeared")["case_id"], case_id);
    assert_eq!(event("new_finding")["finding_id"], new["id"]);
    let case = json(takeback(data).args(["case", "list"]));
    assert_eq!(case[0]["state"], "reopened");
    assert_eq!(
        case[0]["next_step"]["rung"], "host",
        "the next letter is offered"
    );

    // Cycle 5: quiet again.
    let quiet = cycle(data);
    assert_eq!(kinds(&quiet["events"]), Vec::<String>::new(), "{quiet}");
    assert_eq!(findings(data).len(), 3);

    // The inbox: every event once, in the contract's shape; read marks.
    let inbox = json(takeback(data).args(["events", "--unread"]));
    assert_eq!(inbox.as_array().unwrap().len(), 5, "{inbox}");
    let keys: Vec<&str> = inbox[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "at",
            "case_id",
            "finding_id",
            "id",
            "kind",
            "read",
            "reason",
            "site",
            "source_id",
            "text"
        ],
        "the contract's eight fields, plus the site and reason the window words events with"
    );
    let one = inbox[0]["id"].as_i64().unwrap();
    takeback(data)
        .args(["events", "read", &one.to_string()])
        .assert()
        .success();
    assert_eq!(
        json(takeback(data).args(["events", "--unread"]))
            .as_array()
            .unwrap()
            .len(),
        4
    );
    takeback(data)
        .args(["events", "read", "all"])
        .assert()
        .success();
    assert_eq!(
        json(takeback(data).args(["events", "--unread"]))
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        json(takeback(data).arg("events")).as_array().unwrap().len(),
        5
    );
    takeback(data)
        .args(["events", "read", "999"])
        .assert()
        .code(1);

    // Status: the source is revisited every 12 hours; one removed finding is watched.
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["sources"][0]["every"], "12h");
    assert_eq!(status["removed_watch"]["findings"], 1);
    assert_eq!(status["removed_watch"]["every"], "7d");
    assert_eq!(status["unread_events"], 0);
    assert_eq!(status["running"], false);
}

#[test]
fn a_source_that_keeps_failing_is_reported_once() {
    let site = LiveSite::start();
    site.fail("/", 500);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let source = profile_watching(data, &site);
    for round in 1..=4 {
        let report = cycle(data);
        assert_eq!(report["source_problems"][0]["source_id"], source);
        let expected: Vec<&str> = if round == 3 {
            vec!["source_unreachable"]
        } else {
            vec![]
        };
        assert_eq!(
            kinds(&report["events"]),
            expected,
            "round {round}: {report}"
        );
    }
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["sources"][0]["failures"], 4);
    // Back up: the count starts again.
    site.put_html("/", "<p>back</p>");
    let report = cycle(data);
    assert_eq!(report["sources_visited"][0], source);
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["sources"][0]["failures"], 0);
}

#[test]
fn schedules_are_checked_and_changed_by_source_set() {
    let site = LiveSite::start();
    first_version(&site);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let source = profile_watching(data, &site);
    for bad in ["10m", "31d", "soon"] {
        takeback(data)
            .args(["source", "set", &source.to_string(), "--every", bad])
            .assert()
            .code(1);
    }
    let changed =
        json(takeback(data).args(["source", "set", &source.to_string(), "--every", "7d"]));
    assert_eq!(changed["every"], "7d");
    let folder = tempfile::tempdir().unwrap();
    let added =
        json(takeback(data).args(["source", "add-folder", folder.path().to_str().unwrap()]));
    assert_eq!(added["every"], "1d", "the default");
    let listed = json(takeback(data).args(["source", "list"]));
    assert_eq!(listed[0]["every"], "7d");
    // Not forced: everything is due on the first run, nothing on the second.
    let run = |force: bool| {
        let mut cmd = takeback(data);
        cmd.args(["monitor", "run", "--once", "--allow-local-network"]);
        if force {
            cmd.arg("--force");
        }
        json(&mut cmd)
    };
    let first = run(false);
    assert_eq!(
        first["sources_visited"].as_array().unwrap().len(),
        2,
        "{first}"
    );
    let second = run(false);
    assert_eq!(
        second["sources_visited"].as_array().unwrap().len(),
        0,
        "{second}"
    );
    let forced = run(true);
    assert_eq!(
        forced["sources_visited"].as_array().unwrap().len(),
        2,
        "{forced}"
    );
}

/// Starts `monitor run --once --force` slowed down per image, waiting for `stderr` to show at
/// least `images` images checked.
fn slow_cycle(data: &Path, images: u64) -> std::process::Child {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("takeback"))
        .env_remove("TAKEBACK_DATA_DIR")
        .env("TAKEBACK_PASSPHRASE", PASS)
        .env("TAKEBACK_PROFILE", "me")
        .env("TAKEBACK_DEBUG_SCAN_PAUSE_MS", "700")
        .arg("--data-dir")
        .arg(data)
        .args([
            "monitor",
            "run",
            "--once",
            "--force",
            "--allow-local-network",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let started = Instant::now();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        let checked = line
            .split(", ")
            .find_map(|part| part.strip_suffix(" images checked"))
            .and_then(|n| n.parse::<u64>().ok());
        if checked.is_some_and(|n| n >= images) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
    }
    child
}

#[test]
fn one_runner_at_a_time_and_a_killed_cycle_is_finished_by_the_next_run() {
    let site = LiveSite::start();
    first_version(&site);
    site.put_html(
        "/c.html",
        "<img src=\"/img/new.jpg\"> <img src=\"/img/biden2.jpg\">",
    );
    site.put_image("/img/new.jpg", photo("facerec/obama.jpg"));
    site.put_image("/img/biden2.jpg", photo("facerec/biden2.jpg"));
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    profile_watching(data, &site);

    // A slow cycle holds the lock: a second runner does nothing and says so.
    let mut running = slow_cycle(data, 1);
    let busy = json(takeback(data).args([
        "monitor",
        "run",
        "--once",
        "--force",
        "--allow-local-network",
    ]));
    assert_eq!(busy["ran"], false, "{busy}");
    assert!(busy["skipped_reason"]
        .as_str()
        .unwrap()
        .contains("in progress"));
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["running"], true);

    // Killed mid-scan (SIGKILL: no clean-up of any kind).
    running.kill().unwrap();
    running.wait().unwrap();
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["last_cycle"]["status"], "running", "left unfinished");

    // The next run finishes that cycle: every finding once, one event each.
    let resumed = json(takeback(data).args(["monitor", "run", "--once", "--allow-local-network"]));
    assert_eq!(resumed["ran"], true);
    assert_eq!(resumed["resumed"], true, "{resumed}");
    assert_eq!(resumed["cycle"]["status"], "finished");
    let all = findings(data);
    let mut paths: Vec<String> = all
        .iter()
        .map(|f| f["image_url"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    assert_eq!(paths, [site.url("/img/a.jpg"), site.url("/img/new.jpg")]);
    let events = json(takeback(data).arg("events"));
    assert_eq!(kinds(&events), ["new_finding", "new_finding"], "{events}");
    // Each image was checked once across both runs (the resumed scan repeats nothing).
    let report = cycle(data);
    assert_eq!(kinds(&report["events"]), Vec::<String>::new());
    assert_eq!(findings(data).len(), 2);
}

#[test]
fn a_standing_consent_is_recorded_shown_bounded_and_revoked() {
    let site = LiveSite::start();
    first_version(&site);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    profile_watching(data, &site);
    let image = faces("facerec/obama.jpg");
    let image = image.to_str().unwrap();
    // Providers are off for monitoring until the owner says otherwise.
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["providers"], serde_json::json!([]));
    for (every, max) in [("5m", "10"), ("1d", "0"), ("1d", "5000")] {
        takeback(data)
            .args([
                "provider", "consent", "tineye", "--image", image, "--every", every,
            ])
            .args(["--max-per-month", max])
            .assert()
            .code(1);
    }
    // Not the owner: refused by the gate (exit 3), nothing recorded.
    takeback(data)
        .args([
            "provider",
            "consent",
            "tineye",
            "--every",
            "1d",
            "--max-per-month",
            "5",
        ])
        .arg("--image")
        .arg(faces("facerec/biden.jpg"))
        .assert()
        .code(3);
    let granted = json(takeback(data).args([
        "provider",
        "consent",
        "tineye",
        "--image",
        image,
        "--every",
        "7d",
        "--max-per-month",
        "5",
    ]));
    assert_eq!(granted["provider"], "tineye");
    assert_eq!(granted["every"], "7d");
    assert_eq!(granted["max_per_month"], 5);
    assert_eq!(granted["sha256"].as_str().unwrap().len(), 64);
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["providers"][0]["provider"], "tineye");
    assert_eq!(status["providers"][0]["used_this_month"], 0);
    let audit = json(takeback(data).arg("audit"));
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "provider.standing_consent"));
    let revoked = json(takeback(data).args(["provider", "consent", "tineye", "--revoke"]));
    assert_eq!(revoked["revoked"], true);
    let status = json(takeback(data).args(["monitor", "status"]));
    assert_eq!(status["providers"], serde_json::json!([]));
}

#[test]
fn a_passphrase_profile_gets_no_background_timer() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    takeback(data)
        .args(["profile", "create", "me", "--passphrase"])
        .assert()
        .success();
    let config = tmp.path().join("config");
    takeback(data)
        .env("XDG_CONFIG_HOME", &config)
        .args(["monitor", "install", "--no-enable"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "monitored while it is unlocked in the window",
        ));
    assert!(!config.join("systemd/user").exists(), "nothing written");
}
