//! `takeback faces` as a user runs it, on the shared test photos.
#![allow(clippy::unwrap_used)]

mod common;
use common::takeback;

use std::path::PathBuf;

fn testdata(rel: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces");
    assert!(
        root.is_dir(),
        "tests/fixtures/faces not found at {}",
        root.display()
    );
    root.join(rel)
}

#[test]
fn faces_json_follows_the_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let two = testdata("facerec/two_people.jpg");
    let one = testdata("facerec/obama.jpg");
    let out = takeback(tmp.path())
        .arg("faces")
        .arg(&two)
        .arg(&one)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let images = v.as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(images[0]["image"], two.display().to_string());
    assert_eq!(images[0]["faces"].as_array().unwrap().len(), 2);
    assert_eq!(images[1]["faces"].as_array().unwrap().len(), 1);
    let face = &images[1]["faces"][0];
    let bbox = face["box"].as_array().unwrap();
    assert_eq!(bbox.len(), 4);
    // Pixel coordinates of the original image (the engine reports boxes in the photo's own pixels).
    let (w, h) = image_size(&one);
    assert!(bbox[0].as_f64().unwrap() + bbox[2].as_f64().unwrap() <= f64::from(w) + 1.0);
    assert!(bbox[1].as_f64().unwrap() + bbox[3].as_f64().unwrap() <= f64::from(h) + 1.0);
    assert!(bbox[2].as_f64().unwrap() > 100.0);
    assert!(face["score"].as_f64().unwrap() > 0.5);
    let landmarks = face["landmarks"].as_array().unwrap();
    assert_eq!(landmarks.len(), 68);
    assert_eq!(landmarks[0].as_array().unwrap().len(), 2);
    assert_eq!(face["descriptor"].as_array().unwrap().len(), 128);
    assert!(face["age"].as_f64().unwrap() > 10.0);
}

fn image_size(path: &std::path::Path) -> (u32, u32) {
    // JPEG SOF0 scan, to avoid a dev-dependency on the image crate here.
    let bytes = std::fs::read(path).unwrap();
    let mut i = 2;
    while i + 9 < bytes.len() {
        let marker = bytes[i + 1];
        let len = usize::from(bytes[i + 2]) << 8 | usize::from(bytes[i + 3]);
        if (0xc0..=0xc2).contains(&marker) {
            let h = u32::from(bytes[i + 5]) << 8 | u32::from(bytes[i + 6]);
            let w = u32::from(bytes[i + 7]) << 8 | u32::from(bytes[i + 8]);
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no SOF in {}", path.display());
}

#[test]
fn unreadable_image_is_reported_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.jpg");
    std::fs::write(&bad, b"not a jpeg").unwrap();
    let out = takeback(tmp.path())
        .arg("faces")
        .arg(&bad)
        .arg("--json")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v[0]["faces"].as_array().unwrap().is_empty());
    assert!(v[0]["error"]
        .as_str()
        .unwrap()
        .contains("not a supported image"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.jpg"));
}

#[test]
fn faces_without_images_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    takeback(tmp.path()).arg("faces").assert().failure();
}

#[test]
fn eval_prints_the_roc() {
    let tmp = tempfile::tempdir().unwrap();
    let out = takeback(tmp.path())
        .args(["faces", "eval", "--json"])
        .arg(testdata("facerec"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["used"].as_u64().unwrap() >= 8);
    for protocol in ["pairwise", "gate"] {
        let r = &v[protocol];
        for key in ["tar_at_far_1e2", "tar_at_far_1e3", "best"] {
            assert!(r[key]["threshold"].is_number(), "{protocol}.{key}");
        }
        assert!(r["eer"].is_number());
    }
}
