//! Enrollment and the own-face gate on real photos (`tests/fixtures/faces`), with the real face
//! engine and a real vault. Prints the measured accept/refuse rates.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::Utc;
use predicates::prelude::*;
use takeback_core::base::paths::DataDir;
use takeback_core::face::enrollment::{self, Attestation, Consent, PhotoProblem, PhotoRefused};
use takeback_core::face::gate::{self, Decision, GateRequest, Purpose};
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles};
use takeback_faces::FaceEngine;

const PEOPLE: [&str; 8] = [
    "amy",
    "bernadette",
    "howard",
    "leonard",
    "penny",
    "raj",
    "sheldon",
    "stuart",
];

fn faces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces")
}

fn photo(person: &str, n: usize) -> PathBuf {
    faces_dir().join(format!("faceapi/{person}/{person}{n}.png"))
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// A face-api example crop (150x150, the face filling it) placed on a plain 300x300 canvas, as
/// a photo would frame it: the detector needs some context around a face to find it.
fn framed(person: &str, n: usize) -> Vec<u8> {
    let crop = image::load_from_memory(&read(&photo(person, n)))
        .unwrap()
        .to_rgb8();
    let mut canvas = image::RgbImage::from_pixel(300, 300, image::Rgb([128, 128, 128]));
    image::imageops::overlay(&mut canvas, &crop, 75, 75);
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(canvas)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn owner() -> Consent {
    Consent {
        attestation: Attestation::Owner,
        method: "test".into(),
    }
}

fn request(purpose: Purpose) -> GateRequest<'static> {
    GateRequest {
        purpose,
        actor: "owner",
        attest_shows_me: false,
    }
}

/// Enroll each person from their first two photos; every other photo of theirs must pass, every
/// photo of the seven others must be refused.
#[test]
fn gate_rates_on_testdata() {
    let engine = FaceEngine::load().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let profiles = Profiles::new(&DataDir::at(tmp.path()));
    let pass = Secret::new("gate test passphrase".to_owned());
    let (mut genuine, mut genuine_ok, mut impostor, mut impostor_refused) = (0, 0, 0, 0);
    let mut genuine_no_face = 0;
    let mut failures = Vec::new();
    for person in PEOPLE {
        let vault = profiles
            .create_clinic(person, &pass, KdfParams::INSECURE_FOR_TESTS, Utc::now())
            .unwrap();
        let refs = [framed(person, 1), framed(person, 2)];
        let refs: Vec<&[u8]> = refs.iter().map(Vec::as_slice).collect();
        enrollment::enroll(&vault, &engine, &refs, &owner(), Utc::now(), &mut |_| {})
            .unwrap_or_else(|e| panic!("enrolling {person}: {e}"));
        for other in PEOPLE {
            for n in 1..=5 {
                if other == person && n <= 2 {
                    continue;
                }
                let img = framed(other, n);
                let out =
                    gate::check_image(&vault, &engine, &img, request(Purpose::Verify), Utc::now())
                        .unwrap()
                        .outcome;
                if other == person {
                    genuine += 1;
                    if out.allowed {
                        genuine_ok += 1;
                    } else {
                        if out.decision == Decision::NoFace {
                            genuine_no_face += 1;
                        }
                        failures.push(format!(
                            "{person}: own photo {n} refused ({:?})",
                            out.distance
                        ));
                    }
                } else {
                    impostor += 1;
                    if out.allowed {
                        failures.push(format!(
                            "{person}: {other}{n} accepted ({:?})",
                            out.distance
                        ));
                    } else {
                        impostor_refused += 1;
                    }
                }
            }
        }
        // Every decision was audited and the chain holds.
        let v = takeback_core::storage::audit::verify(vault.conn()).unwrap();
        assert!(v.ok);
        assert!(v.entries >= 40, "{}", v.entries);
    }
    println!(
        "gate on testdata (enroll photos 1-2 of each of 8 people, threshold {}): own photos accepted {genuine_ok}/{genuine} ({:.1}%; {genuine_no_face} with no face detected), other people refused {impostor_refused}/{impostor} ({:.1}%)",
        takeback_faces::GATE_THRESHOLD,
        100.0 * genuine_ok as f64 / genuine as f64,
        100.0 * impostor_refused as f64 / impostor as f64
    );
    for f in &failures {
        println!("  {f}");
    }
    assert_eq!(
        impostor_refused, impostor,
        "another person passed: {failures:?}"
    );
    // Of the own photos where the detector finds the face, at least 90 % must pass.
    let detected = genuine - genuine_no_face;
    assert!(
        genuine_ok * 10 >= detected * 9,
        "fewer than 90% of own detected faces pass: {failures:?}"
    );
}

#[test]
fn enrollment_refuses_group_photos_and_faceless_images_with_typed_errors() {
    let engine = FaceEngine::load().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let profiles = Profiles::new(&DataDir::at(tmp.path()));
    let vault = profiles
        .create_clinic(
            "p",
            &Secret::new("gate test passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            Utc::now(),
        )
        .unwrap();
    let group = read(&faces_dir().join("faceapi/bbt1.jpg"));
    let err = enrollment::enroll(
        &vault,
        &engine,
        &[&group],
        &owner(),
        Utc::now(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            err.downcast_ref::<PhotoRefused>(),
            Some(PhotoRefused {
                problem: PhotoProblem::SeveralFaces { .. },
                ..
            })
        ),
        "{err}"
    );
    // A blank image: no face.
    let mut blank = Vec::new();
    image::DynamicImage::new_rgb8(200, 200)
        .write_to(
            &mut std::io::Cursor::new(&mut blank),
            image::ImageFormat::Png,
        )
        .unwrap();
    let err = enrollment::enroll(
        &vault,
        &engine,
        &[&blank],
        &owner(),
        Utc::now(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            err.downcast_ref::<PhotoRefused>(),
            Some(PhotoRefused {
                photo: 1,
                problem: PhotoProblem::NoFace,
                ..
            })
        ),
        "{err}"
    );
    // A blurred face is refused only when its descriptor is unreliable: one that is kept
    // (with a warning) still matches the sharp photo within the gate threshold.
    let sharp = image::load_from_memory(&read(&faces_dir().join("facerec/obama.jpg"))).unwrap();
    let sharp_face = engine.detect(&sharp).unwrap().remove(0);
    for sigma in [3.0f32, 6.0] {
        let mut blurred = Vec::new();
        sharp
            .blur(sigma)
            .write_to(
                &mut std::io::Cursor::new(&mut blurred),
                image::ImageFormat::Png,
            )
            .unwrap();
        match enrollment::check_photo(&engine, &blurred) {
            Ok(checked) => {
                let drift =
                    takeback_faces::distance(&checked.face.descriptor, &sharp_face.descriptor);
                println!(
                    "obama blurred {sigma}: kept, sharpness {:.1}, drift {drift:.3}",
                    checked.sharpness
                );
                assert!(
                    drift <= takeback_faces::GATE_THRESHOLD,
                    "kept with drift {drift}"
                );
                assert!(
                    !enrollment::quality::warnings(&checked.face, checked.sharpness).is_empty()
                );
            }
            Err(problem) => {
                println!("obama blurred {sigma}: {problem}");
                assert!(
                    matches!(
                        problem,
                        PhotoProblem::TooBlurry { .. } | PhotoProblem::NoFace
                    ),
                    "{problem}"
                );
            }
        }
    }
    // Nothing was stored by the refused calls.
    assert_eq!(enrollment::count(vault.conn()).unwrap(), 0);
    // The gate refuses everything until a face is enrolled, and says so.
    let out = gate::check(
        &vault,
        &[],
        &blank,
        request(Purpose::CopySearch),
        Utc::now(),
    )
    .unwrap();
    assert_eq!(out.decision, Decision::NotEnrolled);
    // With a reference face, a faceless photo passes a copy search only with attestation.
    let me = read(&faces_dir().join("facerec/obama.jpg"));
    enrollment::enroll(&vault, &engine, &[&me], &owner(), Utc::now(), &mut |_| {}).unwrap();
    let no = gate::check(
        &vault,
        &[],
        &blank,
        request(Purpose::CopySearch),
        Utc::now(),
    )
    .unwrap();
    assert_eq!(no.decision, Decision::NoFace);
    let attested = GateRequest {
        attest_shows_me: true,
        ..request(Purpose::CopySearch)
    };
    let yes = gate::check(&vault, &[], &blank, attested, Utc::now()).unwrap();
    assert_eq!(yes.decision, Decision::AttestedNoFace);
    assert!(yes.into_pass().is_ok());
    let last = takeback_core::storage::audit::list(vault.conn())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.action, "gate.decision");
    assert_eq!(last.detail["attested_shows_me"], true);
    assert_eq!(
        last.subject.unwrap(),
        takeback_core::storage::audit::digest(&blank)
    );
}

fn takeback(data: &Path) -> Command {
    let mut cmd = common::takeback(data);
    cmd.env("TAKEBACK_PASSPHRASE", "cli gate passphrase")
        .env("TAKEBACK_PROFILE", "obama");
    cmd
}

#[test]
fn cli_enroll_verify_and_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let faces = faces_dir();
    takeback(tmp.path())
        .args(["profile", "create", "obama", "--passphrase"])
        .assert()
        .success();
    takeback(tmp.path())
        .arg("enroll")
        .arg(faces.join("facerec/obama.jpg"))
        .arg(faces.join("faceapi/bbt1.jpg"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "bbt1.jpg: photo 2 of 2 cannot be used",
        ))
        .stderr(predicate::str::contains("faces"));
    takeback(tmp.path())
        .arg("enroll")
        .arg(faces.join("facerec/obama.jpg"))
        .args(["--attested-by", "Advocate A."])
        .assert()
        .success()
        .stdout(predicate::str::contains("Enrolled 1 photo"));
    takeback(tmp.path())
        .arg("verify")
        .arg(faces.join("facerec/obama2.jpg"))
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("match: distance 0."))
        .stdout(predicate::str::contains("threshold 0.5"));
    let out = takeback(tmp.path())
        .args(["verify", "--json"])
        .arg(faces.join("facerec/biden.jpg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["decision"], "no_match");
    assert!(v["distance"].as_f64().unwrap() > v["threshold"].as_f64().unwrap());

    // Every step is in the audit log, which verifies.
    let out = takeback(tmp.path())
        .args(["audit", "--json"])
        .output()
        .unwrap();
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<_> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "profile.created",
            "enrollment.consent",
            "enrollment.added",
            "gate.decision",
            "gate.decision"
        ]
    );
    assert_eq!(entries[1]["actor"], "advocate");
    takeback(tmp.path())
        .args(["audit", "--verify"])
        .assert()
        .success();

    // The enrolled photo is in the vault, but nowhere on disk in clear.
    let photo = std::fs::read(faces.join("facerec/obama.jpg")).unwrap();
    for f in walk(tmp.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3\0"), "{f:?}");
        for chunk in photo.chunks(4096).filter(|c| c.len() >= 64) {
            assert!(
                !bytes.windows(64).any(|w| w == &chunk[..64]),
                "enrolled image bytes in clear in {f:?}"
            );
        }
    }
}

/// Altering one stored entry (with the key, bypassing the append-only triggers) makes
/// `audit --verify` fail at exactly that entry.
#[test]
fn cli_audit_verify_names_the_altered_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let faces = faces_dir();
    takeback(tmp.path())
        .args(["profile", "create", "obama", "--passphrase"])
        .assert()
        .success();
    takeback(tmp.path())
        .arg("enroll")
        .arg(faces.join("facerec/obama.jpg"))
        .assert()
        .success();
    for img in ["facerec/obama2.jpg", "facerec/biden.jpg"] {
        let _ = takeback(tmp.path())
            .arg("verify")
            .arg(faces.join(img))
            .output()
            .unwrap();
    }
    {
        let profiles = Profiles::new(&DataDir::at(tmp.path()));
        let pass = Secret::new("cli gate passphrase".to_owned());
        let vault = profiles
            .unlock(
                "obama",
                takeback_core::storage::vault::Unlock::Passphrase(&pass),
                Utc::now(),
            )
            .unwrap();
        vault
            .conn()
            .execute_batch(
                "DROP TRIGGER audit_log_no_update;
                 UPDATE audit_log SET detail = replace(detail, 'no_match', 'match') WHERE seq = 5;",
            )
            .unwrap();
    }
    takeback(tmp.path())
        .args(["audit", "--verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("entry 5 is broken"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The sharpness threshold separates the test photos from blurred copies of them.
#[test]
fn sharpness_threshold_separates_sharp_from_blurred_photos() {
    let engine = FaceEngine::load().unwrap();
    let min = enrollment::quality::MIN_SHARPNESS;
    for name in [
        "facerec/obama.jpg",
        "facerec/biden.jpg",
        "faceapi/happy.jpg",
        "faceapi/sad.jpg",
    ] {
        let img = image::load_from_memory(&read(&faces_dir().join(name))).unwrap();
        for sigma in [0.0f32, 1.5, 2.5, 4.0] {
            let probe = if sigma > 0.0 {
                img.blur(sigma)
            } else {
                img.clone()
            };
            let faces = engine.detect(&probe).unwrap();
            let Some(face) = faces.first() else {
                println!("{name} blur {sigma}: no face");
                continue;
            };
            let s = enrollment::quality::sharpness(&probe, &face.bbox);
            println!(
                "{name} blur {sigma}: sharpness {s:.1} box {:.0} age {:.1}",
                face.bbox.width.min(face.bbox.height),
                face.age
            );
            if sigma == 0.0 {
                assert!(s >= min, "{name} is sharp but scores {s}");
            }
            if sigma >= 2.5 {
                assert!(s < min, "{name} blurred {sigma} still scores {s}");
            }
        }
    }
}
