//! Writes the benchmark's generated photo sets, so the engine, the Node reference and dlib can be
//! timed on the same files:
//!
//! * `small/`: 360-px portraits (the single-face test photos scaled to 360 px on their long side,
//!   and the 40 face-api crops enlarged onto 360 x 360 portraits);
//! * `large/`: four 12-MP (4000 x 3000) scenes of 70-110 px faces (`testing::small_face_scenes`);
//! * `huge/`: one 24-MP (6000 x 4000) scene, for peak memory.
//!
//! `cargo run --release -p takeback-faces --example bench_sets -- OUT_DIR`
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use image::RgbImage;
use takeback_faces::testing::{self, background, resize_exact};

fn save_jpeg(image: &RgbImage, path: &Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(image)
        .unwrap();
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).expect("usage: bench_sets OUT_DIR"));
    for sub in ["small", "large", "huge"] {
        std::fs::create_dir_all(out.join(sub)).unwrap();
    }
    let root = testing::testdata_dir();
    let mut small = 0;
    for dir in ["facerec", "faceapi"] {
        for path in testing::image_files(&root.join(dir)).unwrap() {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.parent().unwrap() != root.join(dir)
                || name.starts_with("bbt")
                || name.contains("and")
                || name.starts_with("two")
            {
                continue;
            }
            let img = testing::load_fixture(&path).unwrap();
            let long = img.width().max(img.height());
            let (w, h) = (
                (u64::from(img.width()) * 360 / u64::from(long)) as u32,
                (u64::from(img.height()) * 360 / u64::from(long)) as u32,
            );
            save_jpeg(
                &resize_exact(&img, w.max(1), h.max(1)),
                &out.join(format!("small/{dir}-{name}.jpg")),
            );
            small += 1;
        }
    }
    let people = testing::face_crops_by_person().unwrap();
    for (name, crops) in &people {
        for (i, crop) in crops.iter().enumerate() {
            let mut canvas = background(360, 360);
            testing::paste(&mut canvas, &resize_exact(crop, 240, 240), 60, 50);
            save_jpeg(&canvas, &out.join(format!("small/{name}{}.jpg", i + 1)));
            small += 1;
        }
    }
    let scenes = testing::small_face_scenes(&people, 4000, 3000);
    for (i, (scene, _)) in scenes.iter().enumerate() {
        save_jpeg(scene, &out.join(format!("large/scene{}.jpg", i + 1)));
    }
    let huge = testing::small_face_scenes(&people, 6000, 4000);
    save_jpeg(&huge[0].0, &out.join("huge/scene1.jpg"));
    println!(
        "{small} small portraits, {} 12-MP scenes, 1 24-MP scene in {}",
        scenes.len(),
        out.display()
    );
}
