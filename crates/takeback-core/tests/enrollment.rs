//! Enrollment records beyond `takeback enroll`: the consent record the Profile page shows,
//! reading a reference photo back, and removing one (audited, its blob forgotten).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::Utc;
use takeback_core::base::paths::DataDir;
use takeback_core::face::enrollment::{self, Attestation, Consent};
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles};
use takeback_core::{storage::audit, Error};
use takeback_faces::FaceEngine;

fn photo(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/faces/facerec")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn consent_photo_and_removal_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::at(dir.path());
    let vault = Profiles::new(&data)
        .create_clinic(
            "Client",
            &Secret::new("a long passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            Utc::now(),
        )
        .unwrap();
    let engine = FaceEngine::load().unwrap();
    let (a, b) = (photo("obama.jpg"), photo("obama2.jpg"));
    let consent = Consent {
        attestation: Attestation::Advocate {
            name: "Dana Advocate".into(),
        },
        method: "app-file".into(),
    };
    let done = enrollment::enroll(
        &vault,
        &engine,
        &[&a, &b],
        &consent,
        Utc::now(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(done.total, 2);
    // The same photo again is recognised by its hash, a new one is not.
    assert!(enrollment::is_enrolled(vault.conn(), &a).unwrap());
    assert!(!enrollment::is_enrolled(vault.conn(), &photo("obama3.jpg")).unwrap());

    let consents = enrollment::consents(vault.conn()).unwrap();
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].attested_by, "advocate");
    assert_eq!(consents[0].advocate_name.as_deref(), Some("Dana Advocate"));
    assert!(consents[0]
        .statement
        .contains("Dana Advocate checked in person"));

    let first = done.added[0].id;
    assert_eq!(
        enrollment::photo(&vault, first).unwrap().as_slice(),
        a.as_slice()
    );

    let blobs_before = vault.blobs().ids(vault.conn()).unwrap().len();
    enrollment::remove(&vault, first, "advocate", Utc::now()).unwrap();
    assert_eq!(enrollment::count(vault.conn()).unwrap(), 1);
    assert_eq!(
        vault.blobs().ids(vault.conn()).unwrap().len(),
        blobs_before - 1
    );
    assert!(matches!(
        enrollment::photo(&vault, first),
        Err(Error::ReferenceFaceNotFound { id }) if id == first
    ));
    assert!(matches!(
        enrollment::remove(&vault, first, "advocate", Utc::now()),
        Err(Error::ReferenceFaceNotFound { .. })
    ));

    let log = audit::list(vault.conn()).unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "enrollment.removed");
    assert_eq!(last.actor, "advocate");
    assert_eq!(last.subject.as_deref(), Some(audit::digest(&a).as_str()));
    assert!(audit::verify(vault.conn()).unwrap().ok);
    vault.check().unwrap();
}

/// Robustness trial, safety issue item 15: enrolling another person's photo widened the gate to
/// them. A different person is now refused, whether added later or in the first batch, and the
/// gate stays closed to them.
#[test]
fn another_persons_photo_is_never_added_to_the_references() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::at(dir.path());
    let vault = Profiles::new(&data)
        .create_clinic(
            "Client",
            &Secret::new("a long passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            Utc::now(),
        )
        .unwrap();
    let engine = FaceEngine::load().unwrap();
    let consent = Consent {
        attestation: Attestation::Owner,
        method: "cli".into(),
    };
    let (obama, obama2, obama3) = (photo("obama.jpg"), photo("obama2.jpg"), photo("obama3.jpg"));
    let (biden, biden2) = (photo("biden.jpg"), photo("biden2.jpg"));

    // A first batch that mixes two people is refused as a whole, naming the odd photo.
    let mixed = enrollment::enroll(
        &vault,
        &engine,
        &[&obama, &obama2, &biden],
        &consent,
        Utc::now(),
        &mut |_| {},
    )
    .unwrap_err();
    let refused = mixed
        .downcast_ref::<enrollment::PhotoRefused>()
        .expect("a photo is refused");
    assert_eq!(refused.photo, 3, "{mixed}");
    assert!(matches!(
        refused.problem,
        enrollment::quality::PhotoProblem::NotTheSamePerson { .. }
    ));
    assert_eq!(
        enrollment::count(vault.conn()).unwrap(),
        0,
        "nothing stored"
    );

    enrollment::enroll(
        &vault,
        &engine,
        &[&obama, &obama2],
        &consent,
        Utc::now(),
        &mut |_| {},
    )
    .unwrap();
    // The same person again is welcome.
    enrollment::enroll(
        &vault,
        &engine,
        &[&obama3],
        &consent,
        Utc::now(),
        &mut |_| {},
    )
    .unwrap();
    // Someone else is not, and the gate stays closed to their other photos.
    let err = enrollment::enroll(
        &vault,
        &engine,
        &[&biden],
        &consent,
        Utc::now(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("same person"), "{err}");
    assert_eq!(enrollment::count(vault.conn()).unwrap(), 3);
    let references = enrollment::descriptors(vault.conn()).unwrap();
    let other = engine
        .detect(&image::load_from_memory(&biden2).unwrap())
        .unwrap();
    // The gate itself still uses its own, stricter threshold.
    let nearest = references
        .iter()
        .map(|r| takeback_faces::distance(r, &other[0].descriptor))
        .fold(f32::INFINITY, f32::min);
    assert!(
        nearest > takeback_faces::GATE_THRESHOLD,
        "the gate still refuses the other person ({nearest})"
    );
}

/// Issue 15 item 9: `takeback enroll a.jpg` twice stored the photo twice, so it weighed double in
/// every comparison. The store refuses a photo already enrolled, or repeated in one batch.
#[test]
fn the_same_photo_cannot_be_enrolled_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::at(dir.path());
    let vault = Profiles::new(&data)
        .create_clinic(
            "Client",
            &Secret::new("a long passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            Utc::now(),
        )
        .unwrap();
    let engine = FaceEngine::load().unwrap();
    let consent = Consent {
        attestation: Attestation::Owner,
        method: "cli".into(),
    };
    let (a, b) = (photo("obama.jpg"), photo("obama2.jpg"));
    enrollment::enroll(&vault, &engine, &[&a], &consent, Utc::now(), &mut |_| {}).unwrap();
    for batch in [vec![&a[..]], vec![&b[..], &b[..]]] {
        let err = enrollment::enroll(&vault, &engine, &batch, &consent, Utc::now(), &mut |_| {})
            .unwrap_err();
        let refused = err
            .downcast_ref::<enrollment::PhotoRefused>()
            .unwrap_or_else(|| panic!("a duplicate is refused, not {err}"));
        assert!(
            matches!(
                refused.problem,
                enrollment::quality::PhotoProblem::AlreadyEnrolled
            ),
            "{err}"
        );
    }
    assert_eq!(
        enrollment::count(vault.conn()).unwrap(),
        1,
        "nothing stored twice"
    );
}
