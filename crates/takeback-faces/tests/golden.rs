//! The proof of equality with the reference: `golden/golden.json` holds what `@vladmandic/face-api`
//! 1.7.15 (tfjs 4.22, WASM backend) found on every image of `tests/fixtures/faces`, computed on the
//! exact pixels `takeback_faces::testing::golden_inputs` produces (see `golden/README.md`).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::sync::OnceLock;

use serde_json::Value;
use takeback_faces::testing::{self, rgb_input};
use takeback_faces::{DetectorArithmetic, EngineOptions, FaceEngine};

/// The engine in exact f32 arithmetic: face-api's numbers to float precision.
fn engine() -> &'static FaceEngine {
    static ENGINE: OnceLock<FaceEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        FaceEngine::with_options(EngineOptions {
            detector: DetectorArithmetic::Exact,
            ..EngineOptions::default()
        })
        .unwrap()
    })
}

/// The engine as the app runs it: the detector's products in bf16 where the CPU has AVX-512 BF16.
fn default_engine() -> &'static FaceEngine {
    static ENGINE: OnceLock<FaceEngine> = OnceLock::new();
    ENGINE.get_or_init(|| FaceEngine::with_options(EngineOptions::default()).unwrap())
}

fn golden() -> &'static Value {
    static GOLDEN: OnceLock<Value> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/golden.json");
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    })
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn iou(a: [f32; 4], b: [f32; 4]) -> f32 {
    let (ax1, ay1, bx1, by1) = (a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]);
    let iw = (ax1.min(bx1) - a[0].max(b[0])).max(0.0);
    let ih = (ay1.min(by1) - a[1].max(b[1])).max(0.0);
    let inter = iw * ih;
    inter / (a[2] * a[3] + b[2] * b[3] - inter)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

#[test]
fn ssd_alone_matches_reference_on_synthetic_input() {
    let unit = &golden()["unit"]["ssd_512"];
    let (boxes, scores) = testing::ssd_raw(engine(), &testing::synthetic(512)).unwrap();
    let want = floats(&unit["scores"]);
    let diff = max_abs_diff(&scores, &want);
    eprintln!("ssd scores max |diff| = {diff:e}");
    assert!(diff < 1e-4, "SSD scores differ by {diff}");
    for (anchor, want_box) in unit["top_anchors"]
        .as_array()
        .unwrap()
        .iter()
        .zip(unit["top_boxes"].as_array().unwrap())
    {
        let i = anchor.as_u64().unwrap() as usize;
        let diff = max_abs_diff(&boxes[i], &floats(want_box));
        assert!(diff < 1e-4, "SSD box of anchor {i} differs by {diff}");
    }
}

#[test]
fn landmark_net_alone_matches_reference_on_synthetic_input() {
    let got = testing::landmarks_raw(engine(), &testing::synthetic(112)).unwrap();
    let diff = max_abs_diff(&got, &floats(&golden()["unit"]["landmarks_112"]));
    eprintln!("landmark net max |diff| = {diff:e}");
    assert!(diff < 1e-4, "landmark net differs by {diff}");
}

#[test]
fn recognition_net_alone_matches_reference_on_synthetic_input() {
    let got = testing::descriptors_raw(engine(), &[testing::synthetic(150)])
        .unwrap()
        .pop()
        .unwrap();
    let diff = max_abs_diff(&got, &floats(&golden()["unit"]["recognition_150"]));
    eprintln!("recognition net max |diff| = {diff:e}");
    assert!(diff < 1e-4, "recognition net differs by {diff}");
}

#[test]
fn age_net_alone_matches_reference_on_synthetic_input() {
    let got = testing::age_raw(engine(), &testing::synthetic(112)).unwrap();
    let want = golden()["unit"]["age_112"].as_f64().unwrap() as f32;
    eprintln!("age net: {got} vs {want}");
    assert!(
        (got - want).abs() < 1e-4 * want.abs().max(1.0),
        "age net: {got} vs {want}"
    );
}

#[test]
fn batched_recognition_equals_single() {
    let a = testing::synthetic(150);
    let b = rgb_input(150, 150, a.data.iter().map(|v| 255.0 - v).collect());
    let batch = testing::descriptors_raw(engine(), &[a.clone(), b.clone()]).unwrap();
    let single_b = testing::descriptors_raw(engine(), &[b])
        .unwrap()
        .pop()
        .unwrap();
    assert!(max_abs_diff(&batch[1], &single_b) < 1e-5);
}

/// How close a run must come to the reference on every face the reference finds.
#[derive(Debug)]
struct Tolerance {
    /// Lowest box IoU.
    iou: f32,
    /// Farthest landmark, pixels.
    landmark_px: f32,
    /// Farthest landmark, as a share of the reference box's width.
    landmark_of_width: f32,
    /// Lowest descriptor cosine.
    cosine: f32,
    /// Largest age difference, years.
    age: f32,
    /// Whether images up to 2000 px must give exactly the reference's number of faces (the bf16
    /// detector may add or drop one scoring within a hair of face-api's 0.5 cut).
    same_count: bool,
}

/// Every face of every test image, each at full resolution, plus the generated 1920-px and
/// 4000-px photos, in exact arithmetic: every face the reference finds is found, with box IoU >=
/// 0.99, landmarks within 0.5 px, descriptor cosine >= 0.999 (stricter than the target of
/// IoU >= 0.98 and cosine >= 0.995, asserted on the large photos as well). Images up to 2000 px give
/// exactly the reference's faces; larger ones may add small faces from the tile pass.
#[test]
fn whole_pipeline_matches_reference_on_every_test_image() {
    let worst = check_every_test_image(
        engine(),
        &Tolerance {
            iou: 0.99,
            landmark_px: 0.5,
            landmark_of_width: f32::INFINITY,
            cosine: 0.999,
            age: 0.01,
            same_count: true,
        },
    );
    assert!(worst.large_iou >= 0.98 && worst.large_cosine >= 0.995);
}

/// The same in the arithmetic the app uses (bf16 detector products on CPUs with AVX-512 BF16),
/// at the parity targets: every face the reference finds is found, box IoU >= 0.98,
/// descriptor cosine >= 0.995. The landmark and age nets see crops cut at whole pixels from the
/// box, so a box that moves by a tenth of a pixel can move their crop by one: landmarks within 5 %
/// of the face's width, age within 5 years. (Measured: `bbt2.jpg`'s box moved by 0.15 px, its
/// descriptor cosine stayed 0.99999994 and its age went from 42.8 to 40.4; face-api's age is that
/// sensitive to its own crop.)
#[test]
fn default_arithmetic_keeps_the_parity_targets_on_every_test_image() {
    let worst = check_every_test_image(
        default_engine(),
        &Tolerance {
            iou: 0.98,
            landmark_px: f32::INFINITY,
            landmark_of_width: 0.05,
            cosine: 0.995,
            age: 5.0,
            same_count: false,
        },
    );
    eprintln!(
        "default arithmetic (bf16 detector: {})",
        DetectorArithmetic::Fast.uses_bf16()
    );
    assert!(worst.iou >= 0.98 && worst.cosine >= 0.995);
}

/// The worst values seen by [`check_every_test_image`].
#[derive(Debug)]
struct Worst {
    iou: f32,
    cosine: f32,
    large_iou: f32,
    large_cosine: f32,
}

/// Runs `engine` on every golden image and asserts `tolerance` face by face.
fn check_every_test_image(engine: &FaceEngine, tolerance: &Tolerance) -> Worst {
    let root = testing::testdata_dir();
    assert!(
        root.is_dir(),
        "test images not found at {} (tests/fixtures/faces is part of the repository)",
        root.display()
    );
    let inputs = testing::golden_inputs(&root).unwrap();
    let expected = golden()["images"].as_array().unwrap();
    assert_eq!(
        inputs.len(),
        expected.len(),
        "golden.json covers {} images, testdata has {}",
        expected.len(),
        inputs.len()
    );

    // Two workers, like the app on a 2-core machine.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((_, image)) = inputs.get(i) else {
                    break;
                };
                let faces = engine.detect_rgb(image).unwrap();
                results.lock().unwrap().push((i, faces));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);

    let (mut worst_iou, mut worst_landmark, mut worst_cosine, mut worst_score, mut worst_age) =
        (1f32, 0f32, 1f32, 0f32, 0f32);
    let mut worst_landmark_share = 0f32;
    let mut total_faces = 0;
    let (mut large_faces, mut worst_large_iou, mut worst_large_cosine) = (0, 1f32, 1f32);
    for ((name, image), (_, faces)) in inputs.iter().zip(&results) {
        let want = expected
            .iter()
            .find(|e| e["file"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} missing from golden.json"));
        assert_eq!(
            testing::sha256_hex(image.as_raw()),
            want["rgb_sha256"].as_str().unwrap(),
            "{name}: decoded pixels differ from those the golden was computed on (image decoder or resize changed? regenerate golden/ as its README says)"
        );
        let want_faces = want["faces"].as_array().unwrap();
        if image.width().max(image.height()) <= 2000 && tolerance.same_count {
            assert_eq!(
                faces.len(),
                want_faces.len(),
                "{name}: found {} faces, reference {}",
                faces.len(),
                want_faces.len()
            );
        } else if faces.len() != want_faces.len() {
            eprintln!(
                "{name}: {} faces, reference {}",
                faces.len(),
                want_faces.len()
            );
        }
        total_faces += faces.len();
        for wf in want_faces {
            let wbox: [f32; 4] = floats(&wf["box"]).try_into().unwrap();
            // Match by IoU, not order: near-equal scores may swap.
            let (face, overlap) = faces
                .iter()
                .map(|f| {
                    (
                        f,
                        iou([f.bbox.x, f.bbox.y, f.bbox.width, f.bbox.height], wbox),
                    )
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or_else(|| panic!("{name}: no face where the reference has one"));
            assert!(overlap >= tolerance.iou, "{name}: box IoU {overlap}");
            if name.starts_with("generated/") {
                large_faces += 1;
                worst_large_iou = worst_large_iou.min(overlap);
            }
            worst_iou = worst_iou.min(overlap);
            worst_score =
                worst_score.max((face.score - wf["score"].as_f64().unwrap() as f32).abs());
            let wl = wf["landmarks"].as_array().unwrap();
            assert_eq!(face.landmarks.len(), 68);
            for (p, q) in face.landmarks.iter().zip(wl) {
                let q = floats(q);
                let d = ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt();
                assert!(d <= tolerance.landmark_px, "{name}: landmark off by {d} px");
                let share = d / wbox[2];
                assert!(
                    share <= tolerance.landmark_of_width,
                    "{name}: landmark off by {d} px, {share} of the face's width"
                );
                worst_landmark = worst_landmark.max(d);
                worst_landmark_share = worst_landmark_share.max(share);
            }
            let c = cosine(face.descriptor.as_slice(), &floats(&wf["descriptor"]));
            assert!(c >= tolerance.cosine, "{name}: descriptor cosine {c}");
            if name.starts_with("generated/") {
                worst_large_cosine = worst_large_cosine.min(c);
            }
            worst_cosine = worst_cosine.min(c);
            let want_age = wf["age"].as_f64().unwrap() as f32;
            worst_age = worst_age.max((face.age - want_age).abs());
        }
    }
    eprintln!(
        "golden: {} images, {total_faces} faces; worst box IoU {worst_iou:.6}, worst landmark {worst_landmark:.2e} px \
         ({worst_landmark_share:.4} of the face's width), worst descriptor cosine {worst_cosine:.7}, worst score diff {worst_score:.2e}, \
         worst age diff {worst_age:.2e} years",
        inputs.len()
    );
    assert!(
        worst_age < tolerance.age,
        "age differs by {worst_age} years"
    );
    eprintln!(
        "large photos: {large_faces} reference faces; worst box IoU {worst_large_iou:.6}, worst descriptor cosine {worst_large_cosine:.7}"
    );
    assert!(
        large_faces >= 5,
        "only {large_faces} faces in the large photos"
    );
    Worst {
        iou: worst_iou,
        cosine: worst_cosine,
        large_iou: worst_large_iou,
        large_cosine: worst_large_cosine,
    }
}

/// The golden set holds photos of 1,920 and 4,000 px computed by the reference at full
/// resolution (face-api takes its crops from the original pixels; so must we).
#[test]
fn large_photos_are_in_the_golden_set() {
    let images = golden()["images"].as_array().unwrap();
    for (name, width) in [
        ("generated/bbt1-1920", 1920),
        ("generated/collage-4000", 4000),
    ] {
        let entry = images
            .iter()
            .find(|e| e["file"] == name)
            .unwrap_or_else(|| panic!("{name} missing from golden.json"));
        assert_eq!(entry["width"].as_u64(), Some(width));
        assert!(
            !entry["faces"].as_array().unwrap().is_empty(),
            "{name}: no faces"
        );
    }
}
