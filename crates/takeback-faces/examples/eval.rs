//! The accuracy report of `takeback faces eval` without building the CLI: ROC of the engine's
//! descriptors on labelled folders (see `eval.rs` for how identities are read).
//!
//! `cargo run --release -p takeback-faces --example eval -- [--enrolled 3] DIR...` (default: the
//! two labelled folders of `tests/fixtures/faces`)
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use takeback_faces::{default_workers, eval, FaceEngine};

fn main() {
    std::env::set_var("RAYON_NUM_THREADS", "1");
    let mut enrolled = 3;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--enrolled" => enrolled = args.next().unwrap().parse().unwrap(),
            other => dirs.push(std::path::PathBuf::from(other)),
        }
    }
    if dirs.is_empty() {
        let root = takeback_faces::testing::testdata_dir();
        dirs = vec![root.join("faceapi"), root.join("facerec")];
    }
    let engine = FaceEngine::load().unwrap();
    let report = eval::evaluate(&engine, &dirs, enrolled, default_workers()).unwrap();
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
