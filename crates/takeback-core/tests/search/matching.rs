//! Crawl the fake web and check every image on the device: the owner's photos are found, other
//! people's are not, copies of a registered photo are found by PDQ, and dismissed lookalikes stay
//! suppressed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use takeback_core::face::matching::{check_image, ImageCheck, OwnerReference, Verdict};
use takeback_core::face::pdq::pdq_hash;
use takeback_core::search::crawl::{crawl_site, CandidateImage, CrawlLimits};
use takeback_faces::FaceEngine;
use takeback_testkit::fakeweb::FakeWeb;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

fn descriptor_of(engine: &FaceEngine, path: &str) -> takeback_faces::Descriptor {
    let faces = engine.detect_file(&super::faces_dir().join(path)).unwrap();
    assert_eq!(faces.len(), 1, "{path} must hold one face");
    faces.into_iter().next().unwrap().descriptor
}

/// Crawls the fake web (depth 1: the person pages, the group and photo pages) and checks every
/// image; returns the checks by image path.
async fn scan(
    engine: Arc<FaceEngine>,
    reference: Arc<OwnerReference>,
) -> BTreeMap<String, ImageCheck> {
    let web = FakeWeb::start(&super::faces_dir());
    let limits = CrawlLimits {
        max_depth: 1,
        allow_local_network: true,
        per_host_interval: Duration::ZERO,
        request_timeout: Duration::from_secs(2),
        max_page_bytes: 1024 * 1024,
        max_image_bytes: 4 * 1024 * 1024,
        ..CrawlLimits::default()
    };
    let (sender, mut receiver) = mpsc::channel::<CandidateImage>(4);
    let checker = tokio::spawn(async move {
        let mut checks = BTreeMap::new();
        while let Some(candidate) = receiver.recv().await {
            let (engine, reference) = (engine.clone(), reference.clone());
            let path = candidate.image_url.path().to_owned();
            let check = tokio::task::spawn_blocking(move || {
                check_image(&engine, &reference, &candidate.bytes)
            })
            .await
            .unwrap()
            .unwrap();
            checks.insert(path, check);
        }
        checks
    });
    crawl_site(
        Url::parse(&web.root()).unwrap(),
        limits,
        sender,
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    checker.await.unwrap()
}

/// The photos of people in the fake web at depth 1 whose faces the detector sees (the 150×150
/// portrait crops are too tight for it and count as photos without a matching face).
const OWNER: [&str; 3] = [
    "/img/facerec/obama.jpg",
    "/img/facerec/obama2.jpg",
    "/img/facerec/obama_and_biden.jpg",
];
const OTHERS: [&str; 7] = [
    "/img/facerec/biden.jpg",
    "/img/facerec/biden2.jpg",
    "/img/faceapi/bbt1.jpg",
    "/img/faceapi/bbt2.jpg",
    "/img/faceapi/bbt3.jpg",
    "/img/faceapi/bbt4.jpg",
    "/img/faceapi/bbt5.jpg",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_the_owner_and_only_the_owner() {
    let engine = Arc::new(FaceEngine::load().unwrap());
    // The owner also registered a photo without their face: copies of it are found by PDQ.
    let registered_bytes = std::fs::read(super::faces_dir().join("faceapi/bbt1.jpg")).unwrap();
    let registered = pdq_hash(&image::load_from_memory(&registered_bytes).unwrap())
        .unwrap()
        .hash;
    let reference = Arc::new(OwnerReference {
        // Two reference photos, as enrollment takes several; obama3.jpg is not on the site.
        enrolled: vec![
            descriptor_of(&engine, "facerec/obama.jpg"),
            descriptor_of(&engine, "facerec/obama3.jpg"),
        ],
        not_me: Vec::new(),
        registered_photos: vec![registered],
    });
    let checks = scan(engine.clone(), reference).await;
    assert!(checks.len() >= 50, "{} images checked", checks.len());

    let found: Vec<&str> = OWNER
        .iter()
        .copied()
        .filter(|p| checks[*p].verdict == Verdict::OwnersFace)
        .collect();
    let recall = found.len() as f64 / OWNER.len() as f64;
    let false_positives: Vec<&String> = checks
        .iter()
        .filter(|(path, check)| {
            check.verdict == Verdict::OwnersFace
                && !OWNER.contains(&path.as_str())
                && !path.ends_with("two_people.jpg")
        })
        .map(|(path, _)| path)
        .collect();
    println!("owner's photos found: {found:?} (recall {recall:.2}); false positives: {false_positives:?}");
    for path in OWNER {
        println!("{path}: {:?}", checks[path]);
    }
    assert_eq!(recall, 1.0, "{checks:#?}");
    assert!(
        false_positives.is_empty(),
        "someone else taken for the owner: {false_positives:?}"
    );
    for path in OTHERS {
        let expected = if path.ends_with("bbt1.jpg") {
            Verdict::CopyOfRegisteredPhoto
        } else {
            Verdict::NoMatch
        };
        assert_eq!(checks[path].verdict, expected, "{path}: {:?}", checks[path]);
        assert!(
            checks[path].faces_found > 0 || path.contains("biden"),
            "{path}: faces were seen"
        );
    }
}

#[test]
fn a_dismissed_lookalike_stays_suppressed() {
    let engine = FaceEngine::load().unwrap();
    let reference = OwnerReference {
        enrolled: vec![descriptor_of(&engine, "facerec/obama.jpg")],
        // The owner dismissed the face in obama2.jpg as "not me": that face, and faces closer to
        // it than to the enrolled set, are no longer reported.
        not_me: vec![descriptor_of(&engine, "facerec/obama2.jpg")],
        registered_photos: Vec::new(),
    };
    let check = |path: &str| {
        let bytes = std::fs::read(super::faces_dir().join(path)).unwrap();
        check_image(&engine, &reference, &bytes).unwrap()
    };
    let dismissed = check("facerec/obama2.jpg");
    assert_eq!(
        dismissed.verdict,
        Verdict::DismissedLookalike,
        "{dismissed:?}"
    );
    assert_eq!(check("facerec/obama.jpg").verdict, Verdict::OwnersFace);
}
