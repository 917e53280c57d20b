//! Monitoring cycles on a real encrypted vault against a loopback site that changes between
//! cycles, with an injected clock: an image re-encoded at its address (`changed`), replaced by a
//! different picture (`removed`), served again (`reappeared`, back to confirmed); what is due
//! follows each source's interval, the daily re-check and the weekly watch of removed findings
//! for 90 days.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Duration, TimeZone, Utc};
use takeback_core::base::cancel::CancelFlag;
use takeback_core::base::clock::Clock;
use takeback_core::base::paths::DataDir;
use takeback_core::base::settings::Settings;
use takeback_core::face::enrollment::{self, Attestation, Consent as EnrollConsent};
use takeback_core::monitor::events::EventReason;
use takeback_core::monitor::{self, CycleReport, EventKind, MonitorContext, RunOptions};
use takeback_core::search::every::Every;
use takeback_core::search::findings::{self, FindingStatus};
use takeback_core::search::sources::{self, SiteLimits};
use takeback_core::storage::secrets::{KeyringStore, Secret};
use takeback_core::storage::vault::{KdfParams, Profiles, Vault};
use takeback_faces::FaceEngine;
use takeback_testkit::livesite::LiveSite;

fn faces(path: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/faces")
            .join(path),
    )
    .unwrap()
}

fn reencoded(path: &str) -> Vec<u8> {
    let image = image::load_from_memory(&faces(path)).unwrap();
    let small = image.resize(
        image.width() * 8 / 10,
        image.height() * 8 / 10,
        image::imageops::FilterType::Triangle,
    );
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&small.to_rgb8())
        .unwrap();
    out.into_inner()
}

/// A clock the test moves.
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    fn at(t: DateTime<Utc>) -> Self {
        Self(Mutex::new(t))
    }
    fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

struct Setup {
    _tmp: tempfile::TempDir,
    vault: Vault,
    engine: FaceEngine,
    settings: Settings,
    clock: TestClock,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// Enrolls the owner's face in `vault`: a scan (and so a monitoring cycle) needs one.
fn enroll_owner(vault: &Vault) {
    let engine = FaceEngine::load().unwrap();
    let consent = EnrollConsent {
        attestation: Attestation::Owner,
        method: "test".into(),
    };
    let photo = faces("facerec/obama.jpg");
    enrollment::enroll(vault, &engine, &[&photo], &consent, Utc::now(), &mut |_| {}).unwrap();
}

fn setup(site: &LiveSite) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let profiles = Profiles::new(&DataDir::at(tmp.path().join("data")));
    let pass = Secret::new("correct horse battery".to_owned());
    let vault = profiles
        .create_clinic("me", &pass, KdfParams::INSECURE_FOR_TESTS, t0())
        .unwrap();
    let engine = FaceEngine::load().unwrap();
    let photos = [faces("facerec/obama.jpg"), faces("facerec/obama3.jpg")];
    let photos: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    let consent = EnrollConsent {
        attestation: Attestation::Owner,
        method: "test".into(),
    };
    enrollment::enroll(&vault, &engine, &photos, &consent, t0(), &mut |_| {}).unwrap();
    sources::add_site(
        &vault,
        &site.root(),
        SiteLimits {
            max_depth: Some(1),
            max_pages: Some(20),
            interval_ms: Some(0),
        },
        Some(Every::DAILY),
        t0(),
    )
    .unwrap();
    Setup {
        _tmp: tmp,
        vault,
        engine,
        settings: Settings::default(),
        clock: TestClock::at(t0()),
    }
}

fn run(s: &Setup, force: bool) -> CycleReport {
    let keys = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
    let ctx = MonitorContext {
        vault: &s.vault,
        engine: &s.engine,
        keys: &keys,
        settings: &s.settings,
        clock: &s.clock,
    };
    let options = RunOptions {
        force,
        allow_local_network: true,
    };
    let report = monitor::run_once(&ctx, options, &CancelFlag::new(), &mut |_| {}).unwrap();
    assert!(report.ran);
    report
}

fn kinds(report: &CycleReport) -> Vec<EventKind> {
    report.events.iter().map(|e| e.kind).collect()
}

fn site_with_owner() -> LiveSite {
    let site = LiveSite::start();
    site.put_html("/", "<img src=\"/img/a.jpg\"> <img src=\"/img/other.jpg\">");
    site.put_image("/img/a.jpg", faces("facerec/obama2.jpg"));
    site.put_image("/img/other.jpg", faces("facerec/biden.jpg"));
    site
}

#[test]
fn an_event_of_a_cycle_names_its_site_and_reason() {
    let site = site_with_owner();
    let s = setup(&site);
    let first = run(&s, true);
    assert_eq!(kinds(&first), [EventKind::NewFinding]);
    let new = &first.events[0];
    let id = new.finding_id.unwrap();
    let host = findings::get(s.vault.conn(), id).unwrap().site;
    assert!(site.root().contains(&host), "{host} is the site's host");
    assert_eq!(new.site.as_deref(), Some(host.as_str()));
    assert_eq!(new.reason, Some(EventReason::NewPicture));
    // The CLI contract's fields are unchanged; the detail is beside them.
    let json = serde_json::to_value(new).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for field in [
        "id",
        "at",
        "kind",
        "finding_id",
        "case_id",
        "source_id",
        "text",
        "read",
    ] {
        assert!(keys.contains(&field), "{field} missing from {json}");
    }
    assert_eq!(json["reason"], serde_json::json!({ "code": "new_picture" }));
    assert_eq!(json["text"], serde_json::json!(new.text));

    findings::confirm(&s.vault, id, s.clock.now()).unwrap();
    site.delete("/img/a.jpg");
    s.clock.set(t0() + Duration::hours(1));
    let gone = run(&s, true);
    assert_eq!(kinds(&gone), [EventKind::Removed]);
    assert_eq!(gone.events[0].site.as_deref(), Some(host.as_str()));
    assert_eq!(
        gone.events[0].reason,
        Some(EventReason::Gone { status: 404 })
    );
    // Kept in the vault: the inbox reads the same detail back.
    let stored = monitor::events::list(s.vault.conn(), false).unwrap();
    assert_eq!(stored[0].reason, Some(EventReason::Gone { status: 404 }));
    assert_eq!(stored[1].site.as_deref(), Some(host.as_str()));
}

#[test]
fn changed_replaced_and_back_again_at_the_same_address() {
    let site = site_with_owner();
    let s = setup(&site);
    let first = run(&s, true);
    assert_eq!(kinds(&first), [EventKind::NewFinding]);
    let id = first.events[0].finding_id.unwrap();
    findings::confirm(&s.vault, id, s.clock.now()).unwrap();

    // The same picture, re-encoded at the same address: changed, still confirmed.
    site.put_image("/img/a.jpg", reencoded("facerec/obama2.jpg"));
    s.clock.set(t0() + Duration::hours(1));
    let changed = run(&s, true);
    assert_eq!(kinds(&changed), [EventKind::Changed]);
    assert_eq!(changed.events[0].reason, Some(EventReason::ImageChanged));
    assert_eq!(changed.events[0].finding_id, Some(id));
    assert_eq!(
        findings::get(s.vault.conn(), id).unwrap().status,
        FindingStatus::Confirmed
    );
    // Seen again unchanged: no second `changed`.
    s.clock.set(t0() + Duration::hours(2));
    assert_eq!(kinds(&run(&s, true)), []);

    // A different picture at that address (PDQ differs, the owner's face is absent): removed.
    site.put_image("/img/a.jpg", faces("faceapi/amy/amy1.png"));
    s.clock.set(t0() + Duration::hours(3));
    let replaced = run(&s, true);
    assert_eq!(kinds(&replaced), [EventKind::Removed]);
    assert_eq!(replaced.events[0].reason, Some(EventReason::Replaced));
    assert!(
        replaced.events[0]
            .text
            .contains("replaced by a different picture"),
        "{}",
        replaced.events[0].text
    );
    let finding = findings::get(s.vault.conn(), id).unwrap();
    assert_eq!(finding.status, FindingStatus::Removed);

    // Still replaced a week later: nothing new.
    s.clock.set(t0() + Duration::days(8));
    assert_eq!(kinds(&run(&s, false)), []);

    // The picture is back: reappeared, and the finding is confirmed again.
    site.put_image("/img/a.jpg", faces("facerec/obama2.jpg"));
    s.clock.set(t0() + Duration::days(16));
    let back = run(&s, false);
    assert_eq!(kinds(&back), [EventKind::Reappeared]);
    assert_eq!(back.events[0].reason, Some(EventReason::BackAtSameAddress));
    assert_eq!(back.events[0].finding_id, Some(id));
    assert_eq!(
        findings::get(s.vault.conn(), id).unwrap().status,
        FindingStatus::Confirmed
    );
    // The history of the finding is its events, oldest first.
    let history: Vec<EventKind> = monitor::events::for_finding(s.vault.conn(), id)
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        history,
        [
            EventKind::NewFinding,
            EventKind::Changed,
            EventKind::Removed,
            EventKind::Reappeared
        ]
    );
}

#[test]
fn what_is_due_follows_the_intervals() {
    let site = site_with_owner();
    let s = setup(&site);
    let first = run(&s, false);
    assert_eq!(first.sources_visited.len(), 1, "never visited: due at once");
    let id = first.events[0].finding_id.unwrap();
    findings::confirm(&s.vault, id, t0()).unwrap();

    // An hour later: the source (daily) is not due; the confirmed finding was never re-checked.
    s.clock.set(t0() + Duration::hours(1));
    let r = run(&s, false);
    assert!(r.sources_visited.is_empty());
    assert_eq!(r.findings_rechecked, 1);
    let status = monitor::status(&s.vault, s.clock.now()).unwrap();
    assert_eq!(status.sources[0].next_due, Some(t0() + Duration::days(1)));
    assert_eq!(status.recheck.next_due, Some(t0() + Duration::hours(25)));
    assert_eq!(status.next_due, Some(t0() + Duration::days(1)));

    // Two hours later: nothing at all is due.
    s.clock.set(t0() + Duration::hours(2));
    let r = run(&s, false);
    assert!(r.sources_visited.is_empty());
    assert_eq!(r.findings_rechecked, 0);

    // A day later: both.
    s.clock.set(t0() + Duration::hours(26));
    let r = run(&s, false);
    assert_eq!(r.sources_visited.len(), 1);
    assert_eq!(r.findings_rechecked, 1);

    // Removed: watched weekly, for 90 days.
    site.delete("/img/a.jpg");
    s.clock.set(t0() + Duration::days(3));
    let r = run(&s, false);
    assert_eq!(kinds(&r), [EventKind::Removed]);
    let removed_at = t0() + Duration::days(3);
    s.clock.set(removed_at + Duration::days(6));
    assert_eq!(run(&s, false).findings_rechecked, 0, "not a week yet");
    s.clock
        .set(removed_at + Duration::days(7) + Duration::minutes(1));
    assert_eq!(run(&s, false).findings_rechecked, 1, "weekly");
    let status = monitor::status(&s.vault, s.clock.now()).unwrap();
    assert_eq!(status.removed_watch.findings, 1);
    s.clock.set(removed_at + Duration::days(91));
    let r = run(&s, true);
    assert_eq!(
        r.findings_rechecked, 0,
        "no longer watched after 90 days, even forced"
    );
    let status = monitor::status(&s.vault, s.clock.now()).unwrap();
    assert_eq!(status.removed_watch.findings, 0);
}

mod standing_consent {
    use super::*;
    use takeback_core::monitor::consent;
    use takeback_core::search::providers::{accounts, ProviderId};
    use takeback_testkit::providers::TinEyeMock;

    fn run_with(s: &Setup, settings: &Settings, keys: &KeyringStore, force: bool) -> CycleReport {
        let ctx = MonitorContext {
            vault: &s.vault,
            engine: &s.engine,
            keys,
            settings,
            clock: &s.clock,
        };
        let options = RunOptions {
            force,
            allow_local_network: true,
        };
        monitor::run_once(&ctx, options, &CancelFlag::new(), &mut |_| {}).unwrap()
    }

    fn searches(mock: &TinEyeMock) -> usize {
        mock.server()
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    }

    #[test]
    fn providers_are_queried_only_under_consent_and_within_the_cap() {
        let site = site_with_owner();
        let s = setup(&site);
        let tineye = TinEyeMock::start("tin-key");
        tineye.set_matches(vec![serde_json::json!({
            "domain": "127.0.0.1", "score": 88.0, "image_url": "http://img.tineye.com/result/1",
            "backlinks": [{"url": site.url("/img/elsewhere.jpg"), "backlink": site.url("/p.html"), "crawl_date": "2024-01-02"}]
        })]);
        site.put_image("/img/elsewhere.jpg", reencoded("facerec/obama.jpg"));
        let mut settings = Settings::default();
        let keys = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
        accounts::configure(
            &mut settings,
            ProviderId::TinEye,
            Some(&tineye.base_url()),
            Some(true),
        )
        .unwrap();
        accounts::set_key(
            &keys,
            ProviderId::TinEye,
            &Secret::new("tin-key".to_owned()),
        )
        .unwrap();

        // Enabled and keyed, but no standing consent: the mock receives nothing, even forced.
        let r = run_with(&s, &settings, &keys, true);
        assert!(r.providers_queried.is_empty());
        assert_eq!(tineye.server().requests().len(), 0);

        // A consent for two searches a month, daily.
        let granted = consent::grant(
            &s.vault,
            &s.engine,
            &settings,
            ProviderId::TinEye,
            &faces("facerec/obama.jpg"),
            false,
            Every::DAILY,
            2,
            s.clock.now(),
        )
        .unwrap();
        assert_eq!(granted.max_per_month, 2);
        assert_eq!(granted.used_this_month, 0);
        s.clock.set(t0() + Duration::minutes(5));
        let r = run_with(&s, &settings, &keys, false);
        assert_eq!(r.providers_queried, [ProviderId::TinEye]);
        assert_eq!(searches(&tineye), 1);
        assert!(
            r.events.iter().any(|e| e.kind == EventKind::NewFinding),
            "the provider's hit, checked on this device: {:?}",
            r.events
        );
        // Not due again within the day.
        s.clock.set(t0() + Duration::hours(3));
        run_with(&s, &settings, &keys, false);
        assert_eq!(searches(&tineye), 1);
        // The next day: the second and last search of the month.
        s.clock.set(t0() + Duration::days(1) + Duration::hours(1));
        run_with(&s, &settings, &keys, false);
        assert_eq!(searches(&tineye), 2);
        // Over the cap: nothing is sent, even forced; one budget event for the month.
        s.clock.set(t0() + Duration::days(3));
        let r = run_with(&s, &settings, &keys, true);
        assert_eq!(searches(&tineye), 2);
        assert_eq!(kinds(&r), [EventKind::BudgetReached]);
        s.clock.set(t0() + Duration::days(4));
        let r = run_with(&s, &settings, &keys, true);
        assert_eq!(searches(&tineye), 2);
        assert_eq!(kinds(&r), []);
        let status = monitor::status(&s.vault, s.clock.now()).unwrap();
        assert_eq!(status.providers[0].used_this_month, 2);

        // A new month: allowed again.
        s.clock
            .set(Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap());
        run_with(&s, &settings, &keys, false);
        assert_eq!(searches(&tineye), 3);

        // Revoked: nothing more, and the audit log has both.
        assert!(consent::revoke(&s.vault, ProviderId::TinEye, s.clock.now()).unwrap());
        s.clock
            .set(Utc.with_ymd_and_hms(2026, 4, 5, 8, 0, 0).unwrap());
        let r = run_with(&s, &settings, &keys, true);
        assert!(r.providers_queried.is_empty());
        assert_eq!(searches(&tineye), 3);
        let audit = takeback_core::storage::audit::list(s.vault.conn()).unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"provider.standing_consent"));
        assert!(actions.contains(&"provider.standing_consent_revoked"));
        // The bytes TinEye received are the ones consented to.
        let requests = tineye.server().requests();
        let search = requests.iter().find(|r| r.method == "POST").unwrap();
        assert_eq!(
            takeback_core::storage::audit::digest(&search.uploads[0].bytes),
            granted.sha256
        );
    }
}

/// Photos of people other than the owner, for a gallery.
fn strangers() -> Vec<Vec<u8>> {
    let mut photos = Vec::new();
    for person in ["amy", "bernadette", "howard", "leonard", "penny"] {
        for i in 1..=4 {
            photos.push(faces(&format!("faceapi/{person}/{person}{i}.png")));
        }
    }
    photos
}

#[test]
fn a_cycle_over_an_unchanged_site_costs_at_most_a_tenth_of_the_first_visit() {
    let site = LiveSite::start();
    site.put_gallery(100, &strangers());
    let s = setup(&site);
    let source = sources::list(s.vault.conn()).unwrap()[0].id;
    sources::remove(&s.vault, source, t0()).unwrap();
    sources::add_site(
        &s.vault,
        &site.root(),
        SiteLimits {
            max_depth: Some(1),
            max_pages: Some(101),
            interval_ms: Some(0),
        },
        None,
        t0(),
    )
    .unwrap();

    let started = std::time::Instant::now();
    let first = run(&s, true);
    let first_time = started.elapsed();
    let first_bytes = site.body_bytes_sent();
    assert_eq!(
        first.sources_visited.len(),
        1,
        "{:?}",
        first.source_problems
    );
    let first_requests = site.requests().len();

    let started = std::time::Instant::now();
    let again = run(&s, true);
    let again_time = started.elapsed();
    let again_bytes = site.body_bytes_sent() - first_bytes;
    assert_eq!(
        again.sources_visited.len(),
        1,
        "{:?}",
        again.source_problems
    );
    assert!(again.events.is_empty());
    // Every page and image was asked for again, conditionally.
    let conditional = site.requests()[first_requests..]
        .iter()
        .filter(|r| r.header("if-none-match").is_some())
        .count();
    assert_eq!(conditional, 201, "100 pages, 100 images and the index");
    eprintln!(
        "first visit: {:.2} s, {first_bytes} bytes; unchanged: {:.3} s, {again_bytes} bytes",
        first_time.as_secs_f64(),
        again_time.as_secs_f64()
    );
    assert!(
        again_time.as_secs_f64() <= 0.10 * first_time.as_secs_f64(),
        "time: {again_time:?} against {first_time:?}"
    );
    assert!(
        again_bytes * 10 <= first_bytes,
        "bytes: {again_bytes} against {first_bytes}"
    );

    // One image changes: only it is downloaded and checked.
    site.put_image("/gallery/7.jpg", faces("facerec/obama2.jpg"));
    let changed = run(&s, true);
    assert_eq!(
        changed.events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EventKind::NewFinding]
    );
}

/// The timer and service pass `systemd-analyze verify` (where the tool exists).
#[test]
fn the_systemd_units_pass_systemd_analyze_verify() {
    use takeback_core::monitor::systemd::{self, TimerSpec};
    use takeback_core::storage::vault::{ProfileInfo, ProfileKind};
    let Ok(version) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        eprintln!("systemd-analyze is not installed here: skipped");
        return;
    };
    assert!(version.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let profile = ProfileInfo {
        id: "0f3a9c".into(),
        name: "Alex's profile 100%".into(),
        kind: ProfileKind::Personal,
        created_at: Utc::now(),
    };
    // Any existing executable stands in for `takeback` (verify checks that it exists).
    let binary = std::env::current_exe().unwrap();
    let data = tmp.path().join("data dir");
    let spec = TimerSpec {
        profile: &profile,
        binary: &binary,
        data_dir: &data,
    };
    let installed = systemd::install(&tmp.path().join("units"), &spec).unwrap();
    // A user manager of its own (verify --user needs a runtime folder; a test has no session).
    let runtime = tmp.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--user"])
        .arg(&installed.service_path)
        .arg(&installed.timer_path)
        .env("XDG_CONFIG_HOME", tmp.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Nothing about our units (other units on the machine may have their own complaints).
    assert!(!stderr.contains("takeback-monitor"), "{stderr}");
    let removed = systemd::uninstall(&tmp.path().join("units"), &profile).unwrap();
    assert_eq!(removed.len(), 2);
    assert!(!installed.timer_path.exists());
}

/// Quick exit (every profile locked) cancels a monitoring cycle started from the window; the
/// next run finishes it.
#[test]
fn locking_every_profile_stops_the_windows_monitoring_cycle() {
    use std::sync::Arc;
    use takeback_core::session::{NetworkPolicy, Session};
    let site = LiveSite::start();
    site.put_gallery(40, &strangers());
    let tmp = tempfile::tempdir().unwrap();
    let session = Arc::new(
        Session::new(
            DataDir::at(tmp.path().join("data")),
            NetworkPolicy {
                allow_local_network: true,
            },
        )
        .unwrap()
        .with_keys(Arc::new(KeyringStore::new(
            keyring_core::mock::Store::new().unwrap(),
        ))),
    );
    session
        .create_profile(
            "me",
            takeback_core::session::NewProfileLock::Keyring,
            Utc::now(),
        )
        .unwrap();
    let vault = session.vault_handle().unwrap();
    enroll_owner(&vault);
    sources::add_site(
        &vault,
        &site.root(),
        SiteLimits {
            max_depth: Some(1),
            max_pages: Some(41),
            interval_ms: Some(200),
        },
        None,
        Utc::now(),
    )
    .unwrap();
    let running = {
        let session = Arc::clone(&session);
        std::thread::spawn(move || session.run_monitor(true))
    };
    // Let the cycle start crawling (40 pages at 200 ms a request take over 8 s).
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(monitor::status(&vault, Utc::now()).unwrap().running);
    session.lock_all().unwrap();
    let started = std::time::Instant::now();
    let report = running.join().unwrap().unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "stopped promptly"
    );
    assert_eq!(
        report.cycle.unwrap().status,
        takeback_core::monitor::cycles::CycleStatus::Cancelled
    );
    // The lock is free again and the next run (here without the window) finishes the cycle.
    assert!(!monitor::status(&vault, Utc::now()).unwrap().running);
}

/// The window's own monitoring runs only what is due, only with the setting on.
#[test]
fn the_window_runs_a_cycle_only_when_something_is_due() {
    use std::sync::Arc;
    use takeback_core::session::{NetworkPolicy, Session};
    let site = site_with_owner();
    let tmp = tempfile::tempdir().unwrap();
    let session = Session::new(
        DataDir::at(tmp.path().join("data")),
        NetworkPolicy {
            allow_local_network: true,
        },
    )
    .unwrap()
    .with_keys(Arc::new(KeyringStore::new(
        keyring_core::mock::Store::new().unwrap(),
    )));
    // No profile open: nothing.
    assert!(session.run_monitor_if_due(Utc::now()).unwrap().is_none());
    session
        .create_profile(
            "me",
            takeback_core::session::NewProfileLock::Keyring,
            Utc::now(),
        )
        .unwrap();
    // Nothing to watch: nothing due.
    assert!(session.run_monitor_if_due(Utc::now()).unwrap().is_none());
    assert_eq!(
        session.monitor_status().unwrap().background,
        takeback_core::monitor::status::Background::WindowOnly
    );
    let vault = session.vault_handle().unwrap();
    enroll_owner(&vault);
    sources::add_site(
        &vault,
        &site.root(),
        SiteLimits {
            interval_ms: Some(0),
            ..SiteLimits::default()
        },
        None,
        Utc::now(),
    )
    .unwrap();
    session.set_setting("monitor.in_window", "false").unwrap();
    assert!(
        session.run_monitor_if_due(Utc::now()).unwrap().is_none(),
        "off"
    );
    session.set_setting("monitor.in_window", "true").unwrap();
    let report = session.run_monitor_if_due(Utc::now()).unwrap().unwrap();
    assert_eq!(report.sources_visited.len(), 1);
    // Visited: not due again for a day.
    assert!(session.run_monitor_if_due(Utc::now()).unwrap().is_none());
    assert!(session
        .run_monitor_if_due(Utc::now() + Duration::hours(25))
        .unwrap()
        .is_some());
}

/// A sitemap whose `lastmod` dates a page before our last visit spares the request for it
/// altogether (its remembered links and images are used); a page it dates after our visit, or
/// one it does not list, is asked for again (conditionally). The sitemap is found through
/// robots.txt's `Sitemap:` line and read only on a repeat visit.
#[test]
fn a_sitemap_lastmod_spares_requests_for_pages_unchanged_since_the_last_visit() {
    let site = LiveSite::start();
    site.put_gallery(5, &strangers());
    site.put_page(
        "/robots.txt",
        &format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            site.url("/maps/index.xml")
        ),
    );
    let sitemap = |page3_lastmod: &str| {
        let urls: String = (1..=5)
            .map(|n| {
                let lastmod = if n == 3 { page3_lastmod } else { "2026-01-15" };
                format!(
                    "<url><loc>{}</loc><lastmod>{lastmod}</lastmod></url>",
                    site.url(&format!("/gallery/{n}.html"))
                )
            })
            .collect();
        format!("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>")
    };
    site.put_page(
        "/maps/index.xml",
        &format!(
            "<sitemapindex><sitemap><loc>{}</loc></sitemap></sitemapindex>",
            site.url("/maps/pages.xml")
        ),
    );
    site.put_page("/maps/pages.xml", &sitemap("2026-01-15"));
    let s = setup(&site);

    run(&s, true);
    assert_eq!(
        site.hits("/maps/pages.xml"),
        0,
        "a first visit needs no sitemap"
    );
    assert_eq!(site.hits("/gallery/1.html"), 1);

    // Two days on, page 3 changed (the sitemap says so, dated after our visit).
    s.clock.set(t0() + chrono::Duration::days(2));
    site.put_html(
        "/gallery/3.html",
        "<h1>Photo 3, again</h1><img src=\"/gallery/3.jpg\">",
    );
    site.put_page("/maps/pages.xml", &sitemap("2026-03-03T08:00:00Z"));
    let again = run(&s, true);
    assert!(again.events.is_empty(), "{:?}", kinds(&again));
    assert_eq!(site.hits("/maps/index.xml"), 1);
    assert_eq!(site.hits("/maps/pages.xml"), 1);
    for n in [1, 2, 4, 5] {
        assert_eq!(
            site.hits(&format!("/gallery/{n}.html")),
            1,
            "page {n} is dated before our visit: not asked for again"
        );
        assert_eq!(
            site.hits(&format!("/gallery/{n}.jpg")),
            2,
            "its image is still asked for (conditionally): images have no lastmod"
        );
    }
    assert_eq!(
        site.hits("/gallery/3.html"),
        2,
        "the changed page is fetched"
    );
    assert_eq!(
        site.hits("/"),
        2,
        "a page the sitemap does not list is asked for"
    );

    // A third visit: page 3 was fetched on the second, after its lastmod, so it is spared too.
    s.clock.set(t0() + chrono::Duration::days(4));
    run(&s, true);
    assert_eq!(site.hits("/gallery/3.html"), 2);
    assert_eq!(site.hits("/gallery/1.html"), 1);
}
