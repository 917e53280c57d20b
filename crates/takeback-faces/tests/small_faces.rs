//! Small faces in large photos: 12-MP scenes (4000 x 3000) built here from the 40 face crops of
//! `tests/fixtures/faces/faceapi/<name>/` (8 people x 5), each pasted at a face size of 70-110 px
//! on a generated background. The engine must find at least 90 % of them, recognise at least
//! 90 % of those found (descriptor within the gate threshold of the same person's other four
//! crops), and report no more false faces than the whole-image pass alone, which is face-api's
//! own pass (`tests/golden.rs` pins that equality).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use image::DynamicImage;
use takeback_faces::testing::{self, Planted};
use takeback_faces::{distance, Descriptor, EngineOptions, FaceEngine, GATE_THRESHOLD};

struct Recall {
    planted: usize,
    found: usize,
    recognised: usize,
    false_ours: usize,
    false_reference: usize,
}

/// Runs the engine (and the whole-image pass alone) on 12-MP scenes of faces of `sizes` px.
fn recall(sizes: (u32, u32)) -> Recall {
    let engine = FaceEngine::load().unwrap();
    let reference_pass = FaceEngine::with_options(EngineOptions {
        small_faces: None,
        ..EngineOptions::default()
    })
    .unwrap();
    let people = testing::face_crops_by_person().unwrap();
    // Each person's enrolled descriptors: all five crops, described as aligned chips.
    let enrolled: Vec<Vec<Descriptor>> = people
        .iter()
        .map(|(_, crops)| {
            crops
                .iter()
                .map(|c| {
                    engine
                        .describe_aligned(&DynamicImage::ImageRgb8(c.clone()))
                        .unwrap()
                })
                .collect()
        })
        .collect();
    let (mut planted_total, mut found, mut recognised) = (0, 0, 0);
    let (mut false_ours, mut false_reference, mut reference_found) = (0, 0, 0);
    let mut face_sizes = Vec::new();
    let started = std::time::Instant::now();
    let scenes = testing::face_scenes(&people, 4000, 3000, sizes);
    for (s, (canvas, planted)) in scenes.iter().enumerate() {
        let faces = engine.detect_rgb(canvas).unwrap();
        for p in planted {
            planted_total += 1;
            let Some(face) = faces.iter().find(|f| p.is_found_by(f)) else {
                eprintln!("scene {s}: missed {} at {:?}", people[p.person].0, p.face);
                continue;
            };
            found += 1;
            face_sizes.push(face.bbox.width);
            // Recognised: nearer to this person's other crops than the gate threshold, and
            // nearer to them than to anyone else's.
            let nearest = |person: usize| {
                enrolled[person]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| person != p.person || p.crop != *i)
                    .map(|(_, d)| distance(&face.descriptor, d))
                    .fold(f32::INFINITY, f32::min)
            };
            let own = nearest(p.person);
            let other = (0..people.len())
                .filter(|&q| q != p.person)
                .map(nearest)
                .fold(f32::INFINITY, f32::min);
            if own <= GATE_THRESHOLD && own < other {
                recognised += 1;
            } else {
                eprintln!(
                    "scene {s}: {} found but not recognised (own {own:.3}, other {other:.3})",
                    people[p.person].0
                );
            }
        }
        false_ours += faces
            .iter()
            .filter(|f| !planted.iter().any(|p| p.is_found_by(f)))
            .count();
        let reference = reference_pass.detect_rgb(canvas).unwrap();
        reference_found += planted
            .iter()
            .filter(|p| reference.iter().any(|f| p.is_found_by(f)))
            .count();
        false_reference += reference
            .iter()
            .filter(|f| !planted.iter().any(|p| p.is_found_by(f)))
            .count();
    }
    face_sizes.sort_by(f32::total_cmp);
    eprintln!(
        "faces of {sizes:?} px: {planted_total} planted, {found} found ({:.1} %), {recognised} recognised ({:.1} % of found); \
         whole-image pass alone (face-api) found {reference_found}; false faces: ours {false_ours}, whole-image pass {false_reference}; \
         box widths {:.0}-{:.0} px; {:.1} s for {} scenes (both passes, test build)",
        100.0 * found as f64 / planted_total as f64,
        100.0 * recognised as f64 / found.max(1) as f64,
        face_sizes.first().copied().unwrap_or(0.0),
        face_sizes.last().copied().unwrap_or(0.0),
        started.elapsed().as_secs_f64(),
        scenes.len()
    );
    Recall {
        planted: planted_total,
        found,
        recognised,
        false_ours,
        false_reference,
    }
}

fn assert_recall(r: &Recall) {
    assert_eq!(r.planted, 40);
    assert!(
        r.found * 10 >= r.planted * 9,
        "found {} of {}",
        r.found,
        r.planted
    );
    assert!(
        r.recognised * 10 >= r.found * 9,
        "recognised {} of {}",
        r.recognised,
        r.found
    );
    assert!(
        r.false_ours <= r.false_reference,
        "{} false faces, the whole-image pass {}",
        r.false_ours,
        r.false_reference
    );
}

#[test]
fn small_faces_in_12_mp_scenes_are_found_and_recognised() {
    assert_recall(&recall((70, 110)));
}

/// Faces of 110-280 px lie between the tiles' sizes (the SSD finds faces of about 36-55 px of
/// its input, 70-110 px of a 1024-px tile) and the whole-image pass's (about 280 px and up in a
/// 4000-px photo): the larger anchors of the tile pass and the overlap cover them.
#[test]
fn mid_size_faces_in_12_mp_scenes_are_found_and_recognised() {
    assert_recall(&recall((110, 280)));
}

/// The golden 4000-px collage of real photos: the tile pass adds the two real faces face-api
/// misses (Joe Biden, 209 px; a girl, 170 px) and none of the two false ones it found before
/// the landmark-drift check (an ear and a bottle, tile scores 0.420 and 0.409). With the
/// default arithmetic this also holds the tiles' f32 re-run (`tiles::BF16_SCORE_MARGIN`): in
/// bf16 alone a third false face, a hand on a bottle, scores 0.305 and passes the drift check.
#[test]
fn tile_pass_adds_real_faces_and_no_false_ones_to_the_golden_collage() {
    let engine = FaceEngine::load().unwrap();
    let collage = testing::golden_collage(&testing::testdata_dir()).unwrap();
    let faces = engine.detect_rgb(&collage).unwrap();
    let at = |(x, y, side): (f64, f64, f64)| {
        let square = Planted {
            person: 0,
            crop: 0,
            face: (x, y, side),
        };
        faces.iter().any(|f| square.is_found_by(f))
    };
    // Boxes as the tile pass reported them (x, y, width).
    assert!(at((909.0, 488.0, 209.0)), "Joe Biden, 209 px, lost");
    assert!(at((1965.0, 1247.0, 170.0)), "the girl, 170 px, lost");
    assert!(!at((1495.0, 2233.0, 73.0)), "the ear is back");
    assert!(!at((1188.0, 2870.0, 89.0)), "the bottle is back");
    // face-api's six (tests/golden.rs) and the two above.
    assert_eq!(faces.len(), 8);
}
