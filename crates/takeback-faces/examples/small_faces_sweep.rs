//! Recall, false faces and time of the small-face tile pass for several tile settings, on the
//! generated 12-MP scenes of `tests/small_faces.rs` (40 faces of 70-110 px). Used to choose
//! `TilePass::default()`; see the crate README.
//!
//! `cargo run --release -p takeback-faces --example small_faces_sweep [MIN-MAX]` (face sizes in px,
//! default 70-110)
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use takeback_faces::testing;
use takeback_faces::{EngineOptions, FaceEngine, TilePass};

fn main() {
    std::env::set_var("RAYON_NUM_THREADS", "1");
    let people = testing::face_crops_by_person().unwrap();
    let sizes: Vec<(u32, u32)> = std::env::args()
        .nth(1)
        .map(|a| {
            let (lo, hi) = a.split_once('-').unwrap();
            (lo.parse().unwrap(), hi.parse().unwrap())
        })
        .into_iter()
        .collect();
    let (min, max) = sizes.first().copied().unwrap_or((70, 110));
    let scenes = testing::face_scenes(&people, 4000, 3000, (min, max));
    let configs: Vec<Option<TilePass>> = vec![
        // Without the landmark-drift check for low-scoring tile faces, then the default.
        Some(TilePass {
            steady_below: 0.0,
            ..TilePass::default()
        }),
        Some(TilePass::default()),
    ];
    for pass in configs {
        let engine = FaceEngine::with_options(EngineOptions {
            small_faces: pass,
            ..EngineOptions::default()
        })
        .unwrap();
        let (mut found, mut false_faces, mut total) = (0, 0, 0);
        let mut missed_sizes = Vec::new();
        let started = Instant::now();
        for (scene, planted) in &scenes {
            let faces = engine.detect_rgb(scene).unwrap();
            for p in planted {
                total += 1;
                if faces.iter().any(|f| p.is_found_by(f)) {
                    found += 1;
                } else {
                    missed_sizes.push(p.face.2 as u32);
                }
            }
            false_faces += faces
                .iter()
                .filter(|f| !planted.iter().any(|p| p.is_found_by(f)))
                .count();
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0 / scenes.len() as f64;
        let collage = testing::golden_collage(&testing::testdata_dir()).unwrap();
        let collage_faces = engine.detect_rgb(&collage).unwrap().len();
        println!(
            "{pass:?}: found {found}/{total}, false {false_faces}, {ms:.0} ms per 12-MP scene (1 thread, decoded), missed sizes {missed_sizes:?}; golden collage-4000: {collage_faces} faces (face-api 6, 8 real)"
        );
    }
}
