//! Benchmark: per-stage milliseconds, images per second with one worker per core, peak memory, and the
//! same images through the Node reference (face-api on tfjs-wasm) in the same run, whole process
//! against whole process.
//!
//! `cargo run --release -p takeback-faces --example bench -- [--rounds N] [--workers N] [--no-node] [DIR]`
//!
//! DIR defaults to `tests/fixtures/faces`; images of at most 160 px (aligned crops) are left out.
//! The Node side needs `npm ci` in `golden/` once.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use takeback_faces::{decode_image, prepare_image, FaceEngine, StageTimes};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU seconds used by this process and by its waited-for children (`/proc/self/stat`, 100 Hz
/// ticks). On a shared machine CPU time compares fairly where wall time does not.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<f64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // After the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
    let at = |n: usize| fields.get(n - 3).copied().unwrap_or(0.0) / 100.0;
    (at(14) + at(15), at(16) + at(17))
}

fn photos(root: &Path) -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e != "md") {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    walk(root, &mut all);
    all.into_iter()
        .filter(|p| image::image_dimensions(p).is_ok_and(|(w, h)| w.max(h) > 160))
        .map(|p| {
            (
                p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                p,
            )
        })
        .collect()
}

fn main() {
    // One single-threaded inference per worker; must be set before candle's first matmul.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let mut rounds = 3usize;
    let mut workers = takeback_faces::default_workers();
    let mut node = true;
    let mut root = takeback_faces::testing::testdata_dir();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().unwrap().parse().unwrap(),
            "--workers" => workers = args.next().unwrap().parse().unwrap(),
            "--no-node" => node = false,
            other => root = PathBuf::from(other),
        }
    }
    let images = photos(&root);
    println!(
        "{} photos from {}, {rounds} rounds, {workers} workers",
        images.len(),
        root.display()
    );

    let process_start = Instant::now();
    let engine = FaceEngine::load().unwrap();
    let load = process_start.elapsed();

    // Throughput: every photo `rounds` times from its file, one worker per core.
    let jobs: Vec<PathBuf> = (0..rounds)
        .flat_map(|_| images.iter().map(|(_, p)| p.clone()))
        .collect();
    let started = Instant::now();
    let cpu_before = cpu_seconds().0;
    // What `takeback faces` runs.
    let results: Vec<_> = engine
        .detect_files(&jobs, workers)
        .into_iter()
        .map(|faces| faces.map(|f| f.len()))
        .collect();
    let wall = started.elapsed();
    let rust_cpu = cpu_seconds().0 - cpu_before;
    let rust_process = process_start.elapsed();
    let faces: usize = results.iter().map(|r| *r.as_ref().unwrap()).sum();

    // Stages, one image at a time.
    let (mut decode, mut prepare, mut stages) =
        (Duration::ZERO, Duration::ZERO, StageTimes::default());
    let mut largest = (0u32, 0u32);
    for (_, path) in &images {
        let bytes = std::fs::read(path).unwrap();
        let t = Instant::now();
        let image = decode_image(&bytes, &engine.options().decode_limits).unwrap();
        decode += t.elapsed();
        largest = largest.max((image.width(), image.height()));
        let t = Instant::now();
        let prepared = prepare_image(&image);
        prepare += t.elapsed();
        engine.detect_rgb_timed(&prepared, &mut stages).unwrap();
    }
    let n = images.len() as f64;
    let per_face = |d: Duration| ms(d) / stages.faces.max(1) as f64;
    println!("\nper stage (1 worker):");
    println!("  decode             {:7.1} ms/image", ms(decode) / n);
    println!("  to RGB8            {:7.1} ms/image", ms(prepare) / n);
    println!("  SSD detector       {:7.1} ms/image", ms(stages.ssd) / n);
    println!("  small-face tiles   {:7.1} ms/image", ms(stages.tiles) / n);
    println!(
        "  68 landmarks       {:7.1} ms/face",
        per_face(stages.landmarks)
    );
    println!("  age                {:7.1} ms/face", per_face(stages.age));
    println!(
        "  recognition        {:7.1} ms/face",
        per_face(stages.recognition)
    );
    println!("  ({} faces in {} images)", stages.faces, images.len());

    // The gate's question: one photo, from a cold engine.
    let gate_photo = takeback_faces::testing::testdata_dir().join("facerec/obama.jpg");
    let t = Instant::now();
    let cold = FaceEngine::load().unwrap();
    let gate_faces = cold.detect_file(&gate_photo).unwrap().len();
    let gate_cold = t.elapsed();
    let t = Instant::now();
    cold.detect_file(&gate_photo).unwrap();
    let gate_warm = t.elapsed();
    drop(cold);

    let images_per_s = jobs.len() as f64 / wall.as_secs_f64();
    println!("\nthroughput: {} images ({faces} faces) in {:.2} s = {images_per_s:.2} images/s with {workers} workers", jobs.len(), wall.as_secs_f64());
    println!(
        "cpu time: {rust_cpu:.2} s for {} images = {:.0} ms of CPU per image",
        jobs.len(),
        rust_cpu * 1000.0 / jobs.len() as f64
    );
    println!("model load: {:.0} ms", ms(load));
    println!(
        "gate check of one photo ({gate_faces} face): {:.0} ms cold (load + detect), {:.0} ms warm",
        ms(gate_cold),
        ms(gate_warm)
    );
    println!("peak RSS: {:.0} MB", peak_rss_mb());
    println!(
        "rust whole process (load + {} images): {:.2} s",
        jobs.len(),
        rust_process.as_secs_f64()
    );

    if node {
        let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
        let pixels =
            std::env::temp_dir().join(format!("takeback-bench-pixels-{}", std::process::id()));
        std::fs::create_dir_all(&pixels).unwrap();
        let mut entries = Vec::new();
        for (name, path) in &images {
            let bytes = std::fs::read(path).unwrap();
            let image =
                prepare_image(&decode_image(&bytes, &engine.options().decode_limits).unwrap());
            let raw = format!("{}.rgb", name.replace('/', "__"));
            std::fs::write(pixels.join(&raw), image.as_raw()).unwrap();
            entries.push(serde_json::json!({"file": name, "raw": raw, "width": image.width(), "height": image.height()}));
        }
        std::fs::write(
            pixels.join("index.json"),
            serde_json::json!({ "images": entries }).to_string(),
        )
        .unwrap();
        let t = Instant::now();
        let children_before = cpu_seconds().1;
        let out = std::process::Command::new("node")
            .arg(golden.join("compute-golden.mjs"))
            .args([
                "--pixels",
                pixels.to_str().unwrap(),
                "--bench",
                &rounds.to_string(),
            ])
            .output();
        let node_process = t.elapsed();
        let node_cpu = cpu_seconds().1 - children_before;
        let _ = std::fs::remove_dir_all(&pixels);
        match out {
            Ok(out) if out.status.success() => {
                let report = String::from_utf8_lossy(&out.stdout);
                println!(
                    "\nnode reference (face-api 1.7.15, tfjs-wasm, pre-decoded pixels): {}",
                    report.trim()
                );
                println!(
                    "node whole process: {:.2} s wall, {node_cpu:.2} s CPU",
                    node_process.as_secs_f64()
                );
                println!(
                    "CPU per image: node {:.0} ms, rust {:.0} ms: {:.2}x",
                    node_cpu * 1000.0 / jobs.len() as f64,
                    rust_cpu * 1000.0 / jobs.len() as f64,
                    node_cpu / rust_cpu
                );
                println!(
                    "ratio (node whole process / rust whole process): {:.2}x",
                    node_process.as_secs_f64() / rust_process.as_secs_f64()
                );
            }
            Ok(out) => println!(
                "\nnode reference failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => println!(
                "\nnode reference not run: {e} (install Node 20 and run `npm ci` in golden/)"
            ),
        }
    }
}
