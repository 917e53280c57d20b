//! Writes the pixels the golden reference must see: every image under a test-data folder, decoded,
//! EXIF-oriented at full resolution by the engine's own code (plus the generated large photos), as raw
//! RGB plus an `index.json`.
//!
//! `cargo run --release -p takeback-faces --example golden_pixels -- OUT_DIR [TESTDATA_DIR]`

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: golden_pixels OUT_DIR [TESTDATA_DIR]")?,
    );
    let root = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(takeback_faces::testing::testdata_dir);
    std::fs::create_dir_all(&out)?;
    let mut entries = Vec::new();
    for (file, image) in takeback_faces::testing::golden_inputs(&root)? {
        let raw_name = format!("{}.rgb", file.replace('/', "__"));
        std::fs::write(out.join(&raw_name), image.as_raw())?;
        entries.push(serde_json::json!({
            "file": file,
            "raw": raw_name,
            "width": image.width(),
            "height": image.height(),
            "rgb_sha256": takeback_faces::testing::sha256_hex(image.as_raw()),
        }));
        eprintln!("{file}: {}x{}", image.width(), image.height());
    }
    let index = serde_json::json!({ "images": entries });
    std::fs::write(
        Path::new(&out).join("index.json"),
        serde_json::to_string_pretty(&index)?,
    )?;
    Ok(())
}
