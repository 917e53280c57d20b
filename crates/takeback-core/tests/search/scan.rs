//! Scan jobs end to end on a real encrypted vault: the fake web and a folder watched on the
//! device, the provider mocks run through `scan::run`, findings recorded, reviewed, suppressed,
//! and a cancelled job resumed without losing or repeating anything.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use takeback_core::base::cancel::CancelFlag;
use takeback_core::base::clock::SystemClock;
use takeback_core::base::paths::DataDir;
use takeback_core::base::settings::Settings;
use takeback_core::face::enrollment::{self, Attestation, Consent as EnrollConsent};
use takeback_core::search::findings::SeenBy;
use takeback_core::search::findings::{self, FindingKind, FindingStatus};
use takeback_core::search::providers::{accounts, ProviderId};
use takeback_core::search::scan::{
    self, JobStatus, ProviderRun, ProviderWhy, ScanContext, ScanPhase, ScanPlan, ScanProgress,
};
use takeback_core::search::sources::{self, SiteLimits};
use takeback_core::storage::secrets::{KeyringStore, Secret};
use takeback_core::storage::vault::{KdfParams, Profiles, Vault};
use takeback_faces::FaceEngine;
use takeback_testkit::fakeweb::FakeWeb;
use takeback_testkit::providers::{FaceCheckMock, SerpApiMock, TinEyeMock, VisionMock};

/// The owner's photos on the fake web at depth 1 whose faces the detector sees.
const OWNER: [&str; 3] = [
    "/img/facerec/obama.jpg",
    "/img/facerec/obama2.jpg",
    "/img/facerec/obama_and_biden.jpg",
];
/// Photos of the owner's face with someone else; not counted either way.
const AMBIGUOUS: [&str; 1] = ["/img/facerec/two_people.jpg"];

struct Setup {
    _tmp: tempfile::TempDir,
    vault: Vault,
}

fn setup(engine: Arc<FaceEngine>) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let profiles = Profiles::new(&DataDir::at(tmp.path().join("data")));
    let pass = Secret::new("correct horse battery".to_owned());
    let vault = profiles
        .create_clinic("me", &pass, KdfParams::INSECURE_FOR_TESTS, Utc::now())
        .unwrap();
    // Two reference photos, as enrollment takes several; obama3.jpg is not on the fake web.
    let read = |p: &str| std::fs::read(super::faces_dir().join(p)).unwrap();
    let photos = [read("facerec/obama.jpg"), read("facerec/obama3.jpg")];
    let consent = EnrollConsent {
        attestation: Attestation::Owner,
        method: "test".into(),
    };
    let photos: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    enrollment::enroll(&vault, &engine, &photos, &consent, Utc::now(), &mut |_| {}).unwrap();
    Setup { _tmp: tmp, vault }
}

fn add_fake_web(vault: &Vault, web: &FakeWeb) -> i64 {
    let limits = SiteLimits {
        max_depth: Some(1),
        max_pages: Some(50),
        interval_ms: Some(0),
    };
    sources::add_site(vault, &web.root(), limits, None, Utc::now())
        .unwrap()
        .id
}

fn run_scan(
    vault: &Vault,
    engine: &FaceEngine,
    keys: &KeyringStore,
    settings: &Settings,
    plan: &ScanPlan,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(ScanProgress),
) -> scan::ScanSummary {
    let ctx = ScanContext {
        vault,
        engine,
        keys,
        settings,
        clock: &SystemClock,
    };
    scan::run(&ctx, plan, cancel, progress).unwrap()
}

/// Every source, loopback allowed (the fake web listens on 127.0.0.1).
fn local_plan() -> ScanPlan {
    ScanPlan {
        allow_local_network: true,
        ..ScanPlan::default()
    }
}

fn mock_keys() -> KeyringStore {
    KeyringStore::new(keyring_core::mock::Store::new().unwrap())
}

fn paths(found: &[findings::Finding]) -> BTreeSet<String> {
    found
        .iter()
        .map(|f| url::Url::parse(&f.image_url).unwrap().path().to_owned())
        .collect()
}

#[test]
fn a_site_scan_in_the_background_finds_the_owner_and_records_each_image_once() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    let web = FakeWeb::start(&super::faces_dir());
    add_fake_web(&s.vault, &web);

    // The scan runs on its own thread with its own handle; this thread keeps reading.
    let background = s.vault.open_another().unwrap();
    let (summary, events) = std::thread::scope(|scope| {
        let engine = &engine;
        let worker = scope.spawn(move || {
            let mut events = Vec::new();
            let summary = run_scan(
                &background,
                engine,
                &mock_keys(),
                &Settings::default(),
                &local_plan(),
                &CancelFlag::new(),
                &mut |p| events.push(p),
            );
            (summary, events)
        });
        // The owner reviews while the scan writes: both connections write, neither fails.
        while !worker.is_finished() {
            for finding in findings::list(s.vault.conn(), None).unwrap() {
                findings::confirm(&s.vault, finding.id, Utc::now()).unwrap();
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        worker.join().unwrap()
    });

    assert_eq!(summary.status, JobStatus::Finished);
    assert!(summary.images_checked >= 50, "{summary:?}");
    assert!(summary.pages_crawled >= 10, "{summary:?}");
    let found = paths(&summary.new_findings);
    let owner: BTreeSet<String> = OWNER.iter().map(|p| (*p).to_owned()).collect();
    let true_positives = found.intersection(&owner).count();
    let false_positives: Vec<&String> = found
        .iter()
        .filter(|p| !owner.contains(*p) && !AMBIGUOUS.contains(&p.as_str()))
        .collect();
    let recall = true_positives as f64 / owner.len() as f64;
    let precision = true_positives as f64 / (true_positives + false_positives.len()) as f64;
    println!("recall {recall:.2}, precision {precision:.2}, found {found:?}");
    assert_eq!(recall, 1.0, "every photo of the owner is found: {found:?}");
    assert_eq!(
        precision, 1.0,
        "nobody else is taken for the owner: {false_positives:?}"
    );
    for finding in &summary.new_findings {
        assert_eq!(finding.kind, FindingKind::OwnersFace);
        assert_eq!(finding.providers, [SeenBy::SiteWatch]);
        assert!(matches!(
            finding.status,
            FindingStatus::New | FindingStatus::Confirmed
        ));
        assert!(finding.distance.unwrap() <= takeback_faces::GATE_THRESHOLD);
        let thumbnail = findings::thumbnail(&s.vault, finding.id).unwrap().unwrap();
        assert!(image::load_from_memory(&thumbnail).unwrap().width() <= 256);
    }
    // Progress: counters only grow, and the last event says how the job ended.
    assert!(events
        .windows(2)
        .all(|w| w[0].images_checked <= w[1].images_checked));
    assert!(events
        .iter()
        .any(|e| matches!(e.phase, ScanPhase::Site { .. }) && e.pages_crawled > 0));
    assert_eq!(
        events.last().unwrap().phase,
        ScanPhase::Finished {
            status: JobStatus::Finished
        }
    );
    let by_site = findings::by_site(s.vault.conn(), None).unwrap();
    assert_eq!(by_site.len(), 1, "one site: {by_site:?}");

    // A second scan sees the same images again: no new finding, no duplicate.
    let again = run_scan(
        &s.vault,
        &engine,
        &mock_keys(),
        &Settings::default(),
        &local_plan(),
        &CancelFlag::new(),
        &mut |_| {},
    );
    assert!(again.new_findings.is_empty(), "{:?}", again.new_findings);
    let stored = findings::list(s.vault.conn(), None).unwrap();
    assert_eq!(stored.len(), summary.new_findings.len(), "{stored:#?}");
    // The same picture at two addresses is two findings in one cluster.
    let clusters: BTreeSet<i64> = stored.iter().map(|f| f.cluster_id).collect();
    assert!(
        clusters.len() < stored.len(),
        "the `?deep=1` copy joins its original's cluster"
    );
    println!(
        "{} findings in {} clusters: {:?}",
        stored.len(),
        clusters.len(),
        stored
            .iter()
            .map(|f| (&f.image_url, f.cluster_id))
            .collect::<Vec<_>>()
    );
    s.vault.check().unwrap();
}

#[test]
fn a_dismissed_face_stays_suppressed_in_later_scans() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    let folder = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        std::fs::copy(super::faces_dir().join(from), folder.path().join(to)).unwrap();
    };
    copy("facerec/obama2.jpg", "a.jpg");
    std::fs::write(folder.path().join("notes.txt"), "not an image").unwrap();
    sources::add_folder(&s.vault, folder.path(), None, Utc::now()).unwrap();
    let scan_now = || {
        run_scan(
            &s.vault,
            &engine,
            &mock_keys(),
            &Settings::default(),
            &local_plan(),
            &CancelFlag::new(),
            &mut |_| {},
        )
    };
    let first = scan_now();
    assert_eq!(first.images_checked, 1, "the text file is not an image");
    assert_eq!(first.new_findings.len(), 1, "{:?}", first.new_findings);
    let dismissed = findings::dismiss(&s.vault, first.new_findings[0].id, Utc::now()).unwrap();
    assert_eq!(dismissed.status, FindingStatus::Dismissed);

    // The same face under another name, and another photo of the enrolled face.
    copy("facerec/obama2.jpg", "b.jpg");
    copy("facerec/obama.jpg", "c.jpg");
    let second = scan_now();
    let names: Vec<String> = second
        .new_findings
        .iter()
        .map(|f| f.image_url.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["c.jpg"],
        "the dismissed face is suppressed, the owner's is not"
    );
    assert_eq!(
        findings::get(s.vault.conn(), dismissed.id).unwrap().status,
        FindingStatus::Dismissed,
        "seeing it again does not undo the dismissal"
    );
    assert_eq!(
        findings::list(s.vault.conn(), Some(FindingStatus::Dismissed))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_cancelled_scan_resumes_to_the_same_findings_without_repeating_work() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let web = FakeWeb::start(&super::faces_dir());

    let image_requests = || {
        web.server()
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/img/"))
            .count()
    };
    let complete = setup(engine.clone());
    add_fake_web(&complete.vault, &web);
    let full = run_scan(
        &complete.vault,
        &engine,
        &mock_keys(),
        &Settings::default(),
        &local_plan(),
        &CancelFlag::new(),
        &mut |_| {},
    );

    let full_downloads = image_requests();

    let interrupted = setup(engine.clone());
    add_fake_web(&interrupted.vault, &web);
    let cancel = CancelFlag::new();
    let partial = run_scan(
        &interrupted.vault,
        &engine,
        &mock_keys(),
        &Settings::default(),
        &local_plan(),
        &cancel,
        &mut |p| {
            if p.images_checked >= 12 {
                cancel.cancel();
            }
        },
    );
    assert_eq!(partial.status, JobStatus::Cancelled);
    assert!(partial.images_checked < full.images_checked, "{partial:?}");
    let job = scan::jobs::resumable(interrupted.vault.conn())
        .unwrap()
        .unwrap();
    assert_eq!(job.id, partial.job_id);

    let ctx = ScanContext {
        vault: &interrupted.vault,
        engine: &engine,
        keys: &mock_keys(),
        settings: &Settings::default(),
        clock: &SystemClock,
    };
    // The network policy is not stored either: resumed without it, the loopback site is refused.
    let before_resume = image_requests();
    let refused = scan::resume(
        &ctx,
        job.id,
        scan::ScanPermissions::default(),
        &CancelFlag::new(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(image_requests(), before_resume, "nothing fetched");
    assert!(!refused.source_problems.is_empty(), "{refused:?}");
    let job = scan::jobs::resumable(interrupted.vault.conn())
        .unwrap()
        .expect("a refused site leaves the job resumable");
    let now = scan::ScanPermissions {
        consents: Vec::new(),
        allow_local_network: true,
    };
    let resumed = scan::resume(&ctx, job.id, now, &CancelFlag::new(), &mut |_| {}).unwrap();
    let resume_downloads = image_requests() - before_resume;
    println!(
        "downloads: uninterrupted {full_downloads}, resumed {resume_downloads} after {} checked",
        partial.images_checked
    );
    assert!(
        resume_downloads + partial.images_checked as usize <= full_downloads,
        "the resumed crawl does not download again the images already checked"
    );
    assert_eq!(resumed.status, JobStatus::Finished);
    assert_eq!(
        resumed.images_checked, full.images_checked,
        "every image checked exactly once over both runs"
    );
    assert_eq!(paths(&resumed.new_findings), paths(&full.new_findings));
    // Issue 15 item 9: the resumed crawl fetches the site's pages again; they are counted once.
    assert_eq!(
        resumed.pages_crawled, full.pages_crawled,
        "every page counted once over both runs"
    );
    assert!(scan::jobs::resumable(interrupted.vault.conn())
        .unwrap()
        .is_none());
}

fn enable(
    settings: &mut Settings,
    keys: &KeyringStore,
    provider: ProviderId,
    base_url: &str,
    key: &str,
) {
    accounts::configure(settings, provider, Some(base_url), Some(true)).unwrap();
    accounts::set_key(keys, provider, &Secret::new(key.to_owned())).unwrap();
}

fn data_uri(path: &Path) -> String {
    use base64::Engine as _;
    let bytes = std::fs::read(path).unwrap();
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[test]
fn providers_run_only_with_consent_and_their_hits_are_rechecked_on_the_device() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    let web = FakeWeb::start(&super::faces_dir());
    let keys = mock_keys();
    let mut settings = Settings::default();

    let tineye = TinEyeMock::start("tin-key");
    tineye.set_matches(vec![serde_json::json!({
        "domain": "127.0.0.1", "score": 88.0, "image_url": "http://img.tineye.com/result/1",
        "backlinks": [
            {"url": web.url("/img/facerec/obama2.jpg"), "backlink": web.url("/people/obama.html"), "crawl_date": "2024-01-02"},
            {"url": web.url("/img/faceapi/bbt2.jpg"), "backlink": web.url("/group.html"), "crawl_date": "2024-01-02"},
            {"url": web.url("/img/missing.jpg"), "backlink": web.url("/gone.html"), "crawl_date": "2024-01-02"}
        ]
    })]);
    enable(
        &mut settings,
        &keys,
        ProviderId::TinEye,
        &tineye.base_url(),
        "tin-key",
    );

    let vision = VisionMock::start("vis-key");
    vision.set_detection(serde_json::json!({
        "fullMatchingImages": [{"url": web.url("/img/facerec/obama.jpg")}],
        "pagesWithMatchingImages": [{"url": web.url("/photos.html"), "pageTitle": "Photos",
            "fullMatchingImages": [{"url": web.url("/img/facerec/obama.jpg")}]}]
    }));
    enable(
        &mut settings,
        &keys,
        ProviderId::GoogleVision,
        &vision.base_url(),
        "vis-key",
    );

    let facecheck = FaceCheckMock::start("fc-key");
    facecheck.set_items(vec![
        serde_json::json!({"guid": "a1", "score": 93, "group": 1, "index": 0, "indexDB": 1,
            "url": web.url("/people/nobody.html"), "base64": data_uri(&super::faces_dir().join("facerec/obama_and_biden.jpg"))}),
        serde_json::json!({"guid": "a2", "score": 60, "group": 2, "index": 1, "indexDB": 2,
            "url": "https://faces.example/profile/2", "base64": data_uri(&super::faces_dir().join("facerec/biden.jpg"))}),
    ]);
    enable(
        &mut settings,
        &keys,
        ProviderId::FaceCheck,
        &facecheck.base_url(),
        "fc-key",
    );

    let serpapi = SerpApiMock::start("serp-key");
    enable(
        &mut settings,
        &keys,
        ProviderId::SerpApiLens,
        &serpapi.base_url(),
        "serp-key",
    );

    let photo = std::fs::read(super::faces_dir().join("facerec/obama.jpg")).unwrap();
    let registered = scan::register(&s.vault, &engine, &photo, false, Utc::now()).unwrap();
    assert!(registered.created && registered.pdq.is_some());

    let mut consents = Vec::new();
    let mut previews = Vec::new();
    for provider in [
        ProviderId::TinEye,
        ProviderId::GoogleVision,
        ProviderId::FaceCheck,
    ] {
        let preview = scan::preview(
            &s.vault,
            &engine,
            &settings,
            registered.id,
            provider,
            Utc::now(),
        )
        .unwrap();
        assert!(preview.bytes().starts_with(&[0xFF, 0xD8]), "a JPEG");
        assert!(
            !preview.bytes().windows(4).any(|w| w == b"Exif"),
            "no metadata"
        );
        consents.push(scan::record_consent(&s.vault, &preview, "owner", Utc::now()).unwrap());
        previews.push(preview);
    }
    let crop = &previews[2];
    assert!(
        crop.width < previews[0].width && crop.height < previews[0].height,
        "the face finder gets a crop, not the photo"
    );

    let plan = ScanPlan {
        providers: vec![
            ProviderId::FaceCheck,
            ProviderId::SerpApiLens,
            ProviderId::TinEye,
            ProviderId::GoogleVision,
        ],
        photo_id: Some(registered.id),
        consents,
        allow_local_network: true,
        ..ScanPlan::default()
    };
    let summary = run_scan(
        &s.vault,
        &engine,
        &keys,
        &settings,
        &plan,
        &CancelFlag::new(),
        &mut |_| {},
    );

    // Serpapi had no consent: skipped, and nothing reached it.
    assert!(
        summary.providers.iter().any(|r| matches!(
            r,
            ProviderRun::Skipped {
                provider: ProviderId::SerpApiLens,
                ..
            }
        )),
        "{:?}",
        summary.providers
    );
    assert!(
        serpapi.server().requests().is_empty(),
        "nothing was sent without consent"
    );
    // Copy finders before the face finder (least exposure).
    let order: Vec<ProviderId> = summary
        .providers
        .iter()
        .filter_map(|r| match r {
            ProviderRun::Ran { provider, .. } => Some(*provider),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            ProviderId::TinEye,
            ProviderId::GoogleVision,
            ProviderId::FaceCheck
        ]
    );

    // Exactly the previewed bytes went out.
    let sent = &tineye.server().requests_to("/rest/search/")[0].uploads[0].bytes;
    assert_eq!(sent.as_slice(), previews[0].bytes());
    let face_upload = facecheck
        .server()
        .requests()
        .into_iter()
        .flat_map(|r| r.uploads)
        .next()
        .unwrap();
    assert_eq!(face_upload.bytes.as_slice(), crop.bytes());

    let all = findings::list(s.vault.conn(), None).unwrap();
    let find = |suffix: &str| all.iter().find(|f| f.image_url.ends_with(suffix));
    let obama2 = find("/img/facerec/obama2.jpg").expect("tineye's hit of the owner is confirmed");
    assert_eq!(obama2.kind, FindingKind::OwnersFace);
    assert_eq!(obama2.providers, [SeenBy::Provider(ProviderId::TinEye)]);
    assert!(
        find("/img/faceapi/bbt2.jpg").is_none(),
        "someone else's photo is not a finding"
    );
    let missing = find("/img/missing.jpg").expect("an unfetchable hit is kept");
    assert_eq!(missing.kind, FindingKind::Unverified);
    assert!(
        missing
            .unverified_reason
            .as_deref()
            .unwrap()
            .contains("404"),
        "{missing:?}"
    );
    let copy = find("/img/facerec/obama.jpg").expect("vision's copy is confirmed");
    assert_ne!(copy.kind, FindingKind::Unverified);
    assert_eq!(copy.pdq_distance, Some(0), "the registered photo itself");
    // Its preview shows the owner, but FaceCheck names only a page, and that page is gone: no
    // image can be named, so it stays unverified and says why (issue 15 item 1).
    let face_hit = find("/people/nobody.html").unwrap_or_else(|| {
        panic!(
            "facecheck's face hit is kept: {:?} {all:#?}",
            summary.providers
        )
    });
    assert_eq!(face_hit.kind, FindingKind::Unverified);
    assert!(
        face_hit
            .unverified_reason
            .as_deref()
            .unwrap()
            .contains("404"),
        "{face_hit:?}"
    );
    assert!(
        find("/profile/2").is_none(),
        "facecheck's other face is not the owner"
    );
    // TinEye reports its balance with every search.
    let statuses = accounts::statuses(&settings, &keys, Some(s.vault.conn())).unwrap();
    assert!(statuses[0].credits.is_some(), "{statuses:?}");
    // The consents and searches are in the audit log.
    let actions: Vec<String> = takeback_core::storage::audit::list(s.vault.conn())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "provider.consent").count(),
        3
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "provider.search").count(),
        3
    );
    s.vault.check().unwrap();
}

#[test]
fn a_registered_photo_without_a_face_is_found_again_by_its_pdq_hash() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    let original = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pdq/bridge-1-original.jpg"),
    )
    .unwrap();
    // No face: refused unless the owner attests that it shows them.
    let refused = scan::register(&s.vault, &engine, &original, false, Utc::now()).unwrap_err();
    assert!(matches!(
        refused.downcast_ref::<takeback_core::face::gate::GateRefusal>(),
        Some(r) if r.decision == takeback_core::face::gate::Decision::NoFace
    ));
    let photo = scan::register(&s.vault, &engine, &original, true, Utc::now()).unwrap();
    assert!(photo.attested_no_face && photo.pdq.is_some());
    assert!(
        !scan::register(&s.vault, &engine, &original, true, Utc::now())
            .unwrap()
            .created
    );

    // A smaller re-encoded copy in a folder, next to an unrelated photo.
    let folder = tempfile::tempdir().unwrap();
    let copy = image::load_from_memory(&original).unwrap().resize(
        300,
        300,
        image::imageops::FilterType::Triangle,
    );
    copy.save(folder.path().join("copy.jpg")).unwrap();
    std::fs::copy(
        super::faces_dir().join("faceapi/bbt3.jpg"),
        folder.path().join("other.jpg"),
    )
    .unwrap();
    sources::add_folder(&s.vault, folder.path(), None, Utc::now()).unwrap();
    let summary = run_scan(
        &s.vault,
        &engine,
        &mock_keys(),
        &Settings::default(),
        &local_plan(),
        &CancelFlag::new(),
        &mut |_| {},
    );
    assert_eq!(summary.new_findings.len(), 1, "{:?}", summary.new_findings);
    let found = &summary.new_findings[0];
    assert!(found.image_url.ends_with("/copy.jpg"));
    assert_eq!(found.kind, FindingKind::CopyOfRegisteredPhoto);
    assert!(found.pdq_distance.unwrap() <= takeback_core::face::pdq::NEAR_DUPLICATE_THRESHOLD);
    assert_eq!(found.site, "this computer");
    assert_eq!(found.providers, [SeenBy::FolderScan]);
}

#[test]
fn a_provider_error_fails_the_job_and_resuming_asks_only_that_provider_again() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    let web = FakeWeb::start(&super::faces_dir());
    let keys = mock_keys();
    let mut settings = Settings::default();
    let tineye = TinEyeMock::start("tin-key");
    tineye.set_matches(vec![serde_json::json!({
        "domain": "127.0.0.1", "score": 88.0, "image_url": "http://img.tineye.com/result/1",
        "backlinks": [{"url": web.url("/img/facerec/obama2.jpg"), "backlink": web.url("/people/obama.html"), "crawl_date": "2024-01-02"}]
    })]);
    enable(
        &mut settings,
        &keys,
        ProviderId::TinEye,
        &tineye.base_url(),
        "tin-key",
    );
    let vision = VisionMock::start("vis-key");
    vision.set_detection(serde_json::json!({
        "fullMatchingImages": [{"url": web.url("/img/facerec/obama.jpg")}]
    }));
    enable(
        &mut settings,
        &keys,
        ProviderId::GoogleVision,
        &vision.base_url(),
        "vis-key",
    );

    let photo = std::fs::read(super::faces_dir().join("facerec/obama.jpg")).unwrap();
    let registered = scan::register(&s.vault, &engine, &photo, false, Utc::now()).unwrap();
    let consents = [ProviderId::TinEye, ProviderId::GoogleVision]
        .into_iter()
        .map(|p| {
            let preview =
                scan::preview(&s.vault, &engine, &settings, registered.id, p, Utc::now()).unwrap();
            scan::record_consent(&s.vault, &preview, "owner", Utc::now()).unwrap()
        })
        .collect();
    let plan = ScanPlan {
        providers: vec![ProviderId::TinEye, ProviderId::GoogleVision],
        photo_id: Some(registered.id),
        consents,
        allow_local_network: true,
        ..ScanPlan::default()
    };
    // "You have no more searches available": not transient, so not retried.
    tineye.server().fail_next(
        "/rest/search/",
        takeback_testkit::Fault::Status {
            status: 402,
            retry_after: None,
        },
    );
    let first = run_scan(
        &s.vault,
        &engine,
        &keys,
        &settings,
        &plan,
        &CancelFlag::new(),
        &mut |_| {},
    );
    assert_eq!(first.status, JobStatus::Failed);
    assert!(
        matches!(&first.providers[0], ProviderRun::Failed { provider: ProviderId::TinEye, reason, why: ProviderWhy::NoCredits } if reason.contains("searches")),
        "{:?}",
        first.providers
    );
    assert!(matches!(first.providers[1], ProviderRun::Ran { .. }));
    assert_eq!(
        paths(&first.new_findings),
        BTreeSet::from(["/img/facerec/obama.jpg".to_owned()])
    );

    let job = scan::jobs::resumable(s.vault.conn()).unwrap().unwrap();
    assert_eq!(job.id, first.job_id);
    let ctx = ScanContext {
        vault: &s.vault,
        engine: &engine,
        keys: &keys,
        settings: &settings,
        clock: &SystemClock,
    };
    // A resume sends nothing under the consents the job started with: they are not stored.
    let tineye_searches = tineye.server().requests().len();
    let without = scan::resume(
        &ctx,
        job.id,
        scan::ScanPermissions {
            consents: Vec::new(),
            allow_local_network: true,
        },
        &CancelFlag::new(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(
        tineye.server().requests().len(),
        tineye_searches,
        "no consent now: nothing sent"
    );
    assert!(
        matches!(&without.providers[0], ProviderRun::Skipped { provider: ProviderId::TinEye, reason, why: ProviderWhy::NoConsent } if reason.contains("you did not consent to sending it your photo (nothing was sent)")),
        "{:?}",
        without.providers
    );
    let job = scan::jobs::resumable(s.vault.conn()).unwrap().unwrap();
    let vision_searches = vision.server().requests().len();
    let now = scan::ScanPermissions {
        consents: plan.consents.clone(),
        allow_local_network: true,
    };
    let resumed = scan::resume(&ctx, job.id, now, &CancelFlag::new(), &mut |_| {}).unwrap();
    assert_eq!(resumed.status, JobStatus::Finished);
    assert_eq!(
        vision.server().requests().len(),
        vision_searches,
        "vision answered already: not asked again"
    );
    assert_eq!(
        paths(&resumed.new_findings),
        BTreeSet::from([
            "/img/facerec/obama.jpg".to_owned(),
            "/img/facerec/obama2.jpg".to_owned()
        ])
    );
}

#[test]
fn a_consent_names_its_destination_and_a_changed_address_sends_nothing() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    let keys = mock_keys();
    let mut settings = Settings::default();
    let agreed = TinEyeMock::start("tin-key");
    enable(
        &mut settings,
        &keys,
        ProviderId::TinEye,
        &agreed.base_url(),
        "tin-key",
    );
    let photo = std::fs::read(super::faces_dir().join("facerec/obama.jpg")).unwrap();
    let registered = scan::register(&s.vault, &engine, &photo, false, Utc::now()).unwrap();
    let preview = scan::preview(
        &s.vault,
        &engine,
        &settings,
        registered.id,
        ProviderId::TinEye,
        Utc::now(),
    )
    .unwrap();
    let origin = agreed.base_url().trim_end_matches('/').to_owned();
    assert!(
        origin.starts_with(&preview.destination) && !preview.destination.is_empty(),
        "the preview names where the bytes go: {} vs {origin}",
        preview.destination
    );
    let consent = scan::record_consent(&s.vault, &preview, "owner", Utc::now()).unwrap();
    assert_eq!(consent.destination, preview.destination);

    // Someone at the desk points TinEye elsewhere after the owner agreed.
    let elsewhere = TinEyeMock::start("tin-key");
    accounts::configure(
        &mut settings,
        ProviderId::TinEye,
        Some(&elsewhere.base_url()),
        None,
    )
    .unwrap();
    let plan = ScanPlan {
        providers: vec![ProviderId::TinEye],
        photo_id: Some(registered.id),
        consents: vec![consent],
        allow_local_network: true,
        ..ScanPlan::default()
    };
    let summary = run_scan(
        &s.vault,
        &engine,
        &keys,
        &settings,
        &plan,
        &CancelFlag::new(),
        &mut |_| {},
    );
    assert!(
        matches!(&summary.providers[0], ProviderRun::Skipped { reason, why: ProviderWhy::DestinationChanged { .. }, .. } if reason.contains("address changed")),
        "{:?}",
        summary.providers
    );
    assert!(
        elsewhere.server().requests().is_empty(),
        "nothing went to the new address"
    );
    assert!(agreed.server().requests().is_empty(), "nor to the old one");
    let entries = takeback_core::storage::audit::list(s.vault.conn()).unwrap();
    let consent_entry = entries
        .iter()
        .find(|e| e.action == "provider.consent")
        .expect("the consent is audited");
    assert!(
        format!("{:?}", consent_entry.detail).contains(&preview.destination),
        "the consent's audit entry names the destination: {:?}",
        consent_entry.detail
    );
}

#[test]
fn an_unreachable_site_is_named_and_nothing_checked_is_said_once() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    // A port nobody listens on: bound, then released, so the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let limits = SiteLimits {
        max_depth: Some(1),
        max_pages: Some(5),
        interval_ms: Some(0),
    };
    // Typed without a scheme, as from an address bar: https is assumed.
    let source = sources::add_site(
        &s.vault,
        &format!("127.0.0.1:{port}"),
        limits,
        None,
        Utc::now(),
    )
    .unwrap();
    let mut notices = Vec::new();
    let summary = run_scan(
        &s.vault,
        &engine,
        &mock_keys(),
        &Settings::default(),
        &local_plan(),
        &CancelFlag::new(),
        &mut |p| notices.extend(p.notice),
    );
    assert!(summary.nothing_checked, "{summary:?}");
    assert_eq!(summary.sources_scanned, 0);
    let [problem] = summary.source_problems.as_slice() else {
        panic!("one problem expected: {:?}", summary.source_problems);
    };
    assert_eq!(problem.source_id, source.id);
    assert_eq!(problem.kind, scan::ProblemKind::Unreachable);
    assert_eq!(problem.place, format!("127.0.0.1:{port}"));
    assert!(
        problem
            .reason
            .starts_with(&format!("Nothing was checked on 127.0.0.1:{port}: ")),
        "{}",
        problem.reason
    );
    assert!(!problem.reason.contains("Robots"), "{}", problem.reason);
    // The live notice is the same sentence, once.
    assert_eq!(notices, vec![problem.reason.clone()]);
    // The scan itself is in the audit log.
    let actions: Vec<String> = takeback_core::storage::audit::list(s.vault.conn())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.iter().any(|a| a == "scan.started"), "{actions:?}");
}

#[test]
fn a_scan_without_an_enrolled_face_is_refused_before_it_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let profiles = Profiles::new(&DataDir::at(tmp.path().join("data")));
    let pass = Secret::new("correct horse battery".to_owned());
    let vault = profiles
        .create_clinic("me", &pass, KdfParams::INSECURE_FOR_TESTS, Utc::now())
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    sources::add_folder(&vault, folder.path(), None, Utc::now()).unwrap();
    let engine = FaceEngine::load().unwrap();
    let ctx = ScanContext {
        vault: &vault,
        engine: &engine,
        keys: &mock_keys(),
        settings: &Settings::default(),
        clock: &SystemClock,
    };
    let err = scan::run(&ctx, &local_plan(), &CancelFlag::new(), &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), takeback_core::ErrorCode::Refused);
    assert!(err.to_string().contains("enroll") || err.to_string().contains("Profile page"));
}

/// Issue 15 item 1: a hit that names only a page (FaceCheck, SerpApi exact matches) was filed
/// with the page as its image, so a letter could not name the material. The local re-check
/// looks through the page's images and files the finding under the one that shows the owner,
/// with that image's SHA-256 and PDQ; when none does, the finding stays unverified and says why.
#[test]
fn a_hit_that_names_only_a_page_is_filed_under_the_image_on_it_that_shows_the_owner() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    let s = setup(engine.clone());
    let web = FakeWeb::start(&super::faces_dir());
    let keys = mock_keys();
    let mut settings = Settings::default();
    let owner = data_uri(&super::faces_dir().join("facerec/obama2.jpg"));
    let facecheck = FaceCheckMock::start("fc-key");
    facecheck.set_items(vec![
        // The owner's photo is linked from this page, among other people's.
        serde_json::json!({"guid": "p1", "score": 95, "group": 1, "index": 0, "indexDB": 1,
            "url": web.url("/photos.html"), "base64": owner}),
        // The provider says the owner is here, but no image on the page shows the owner.
        serde_json::json!({"guid": "p2", "score": 70, "group": 2, "index": 1, "indexDB": 2,
            "url": web.url("/group.html"), "base64": owner}),
    ]);
    enable(
        &mut settings,
        &keys,
        ProviderId::FaceCheck,
        &facecheck.base_url(),
        "fc-key",
    );
    let photo = std::fs::read(super::faces_dir().join("facerec/obama.jpg")).unwrap();
    let registered = scan::register(&s.vault, &engine, &photo, false, Utc::now()).unwrap();
    let preview = scan::preview(
        &s.vault,
        &engine,
        &settings,
        registered.id,
        ProviderId::FaceCheck,
        Utc::now(),
    )
    .unwrap();
    let consent = scan::record_consent(&s.vault, &preview, "owner", Utc::now()).unwrap();
    let plan = ScanPlan {
        providers: vec![ProviderId::FaceCheck],
        photo_id: Some(registered.id),
        consents: vec![consent],
        allow_local_network: true,
        ..ScanPlan::default()
    };
    run_scan(
        &s.vault,
        &engine,
        &keys,
        &settings,
        &plan,
        &CancelFlag::new(),
        &mut |_| {},
    );

    let all = findings::list(s.vault.conn(), None).unwrap();
    assert!(
        all.iter()
            .filter(|f| f.kind != FindingKind::Unverified)
            .all(|f| !f.image_url.ends_with(".html")),
        "no checked finding names a page as its image: {all:#?}"
    );
    let on_page = all
        .iter()
        .find(|f| f.page_url.as_deref() == Some(web.url("/photos.html").as_str()))
        .unwrap_or_else(|| panic!("the page's image of the owner is a finding: {all:#?}"));
    assert_ne!(on_page.kind, FindingKind::Unverified);
    let path = url::Url::parse(&on_page.image_url)
        .unwrap()
        .path()
        .to_owned();
    assert!(
        path.starts_with("/img/facerec/obama"),
        "an image of the owner: {path}"
    );
    let served = std::fs::read(super::faces_dir().join(path.trim_start_matches("/img/"))).unwrap();
    assert_eq!(
        on_page.sha256,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&served))
    );
    assert!(on_page.pdq.is_some(), "its PDQ hash is kept");

    let group = web.url("/group.html");
    let none = all
        .iter()
        .find(|f| f.image_url == group)
        .unwrap_or_else(|| panic!("the page with no image of the owner is kept: {all:#?}"));
    assert_eq!(none.kind, FindingKind::Unverified);
    let reason = none.unverified_reason.as_deref().unwrap();
    assert!(reason.contains("none of the"), "{reason}");
}
