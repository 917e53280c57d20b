//! `takeback faces IMAGE...` (detect and embed) and `takeback faces eval DIR...` (verification ROC).

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use takeback_core::ErrorCode;
use takeback_faces::eval::{evaluate, EvalReport, RocSummary};
use takeback_faces::{default_workers, Face, FaceEngine};

use super::Context;
use crate::cli::{FacesArgs, FacesCommand};
use crate::output::{exit, print_json, Failure};

/// One image in the `faces --json` output (PRODUCT.md §4).
#[derive(Debug, Serialize)]
struct ImageFaces {
    image: String,
    faces: Vec<FaceJson>,
    /// Present only when the image could not be read; `faces` is then empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct FaceJson {
    #[serde(rename = "box")]
    bbox: [f32; 4],
    score: f32,
    landmarks: Vec<[f32; 2]>,
    descriptor: Vec<f32>,
    age: f32,
}

impl From<Face> for FaceJson {
    fn from(f: Face) -> Self {
        FaceJson {
            bbox: [f.bbox.x, f.bbox.y, f.bbox.width, f.bbox.height],
            score: f.score,
            landmarks: f.landmarks,
            descriptor: f.descriptor.0,
            age: f.age,
        }
    }
}

pub fn run(ctx: &Context, args: FacesArgs) -> Result<ExitCode, Failure> {
    // One single-threaded inference per core beats candle's own threads on these small nets.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let engine = FaceEngine::load().map_err(|e| Failure {
        code: ErrorCode::Internal,
        message: e.to_string(),
    })?;
    match args.command {
        Some(FacesCommand::Eval { dirs, enrolled }) => run_eval(ctx, &engine, &dirs, enrolled),
        None => detect(ctx, &engine, &args.images),
    }
}

fn detect(ctx: &Context, engine: &FaceEngine, images: &[PathBuf]) -> Result<ExitCode, Failure> {
    if images.is_empty() {
        return Err(Failure {
            code: ErrorCode::InvalidInput,
            message: "give at least one image: takeback faces IMAGE...".into(),
        });
    }
    let results = engine.detect_files(images, default_workers());
    let mut failed = false;
    let mut out = Vec::with_capacity(images.len());
    for (path, result) in images.iter().zip(results) {
        let image = path.display().to_string();
        match result {
            Ok(faces) => out.push(ImageFaces {
                image,
                faces: faces.into_iter().map(FaceJson::from).collect(),
                error: None,
            }),
            Err(e) => {
                failed = true;
                eprintln!("takeback: {image}: {e}");
                out.push(ImageFaces {
                    image,
                    faces: Vec::new(),
                    error: Some(e.to_string()),
                });
            }
        }
    }
    if ctx.json {
        print_json(&out)?;
    } else {
        for entry in out.iter().filter(|e| e.error.is_none()) {
            println!(
                "{}: {} face{}",
                entry.image,
                entry.faces.len(),
                if entry.faces.len() == 1 { "" } else { "s" }
            );
            for (i, f) in entry.faces.iter().enumerate() {
                let [x, y, w, h] = f.bbox;
                println!(
                    "  #{} box {x:.0},{y:.0} {w:.0}x{h:.0}  score {:.3}  age ~{:.0}",
                    i + 1,
                    f.score,
                    f.age
                );
            }
        }
    }
    Ok(if failed {
        ExitCode::from(exit::ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_eval(
    ctx: &Context,
    engine: &FaceEngine,
    dirs: &[PathBuf],
    enrolled: usize,
) -> Result<ExitCode, Failure> {
    let report = evaluate(engine, dirs, enrolled, default_workers()).map_err(|e| Failure {
        code: ErrorCode::Io,
        message: format!("cannot read the evaluation folder: {e}"),
    })?;
    if ctx.json {
        print_json(&report)?;
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &EvalReport) {
    println!(
        "{} images, {} with exactly one face, {} identities",
        r.images, r.used, r.identities
    );
    for s in &r.skipped {
        println!("  skipped {}: {}", s.image, s.reason);
    }
    print_roc(&r.pairwise);
    print_roc(&r.gate);
    let g = r.gate_threshold;
    println!(
        "\ngate threshold in use: {:.3} -> TAR {:.1}% at FAR {:.2}% (min over {} enrolled photos)",
        g.threshold,
        g.tar * 100.0,
        g.far * 100.0,
        r.enrolled
    );
}

fn print_roc(r: &RocSummary) {
    println!(
        "\n{}: {} genuine, {} impostor comparisons",
        r.protocol, r.genuine, r.impostor
    );
    let p = r.tar_at_far_1e2;
    println!(
        "  TAR @ FAR<=1%    {:6.2}%  (threshold {:.3}, FAR {:.3}%)",
        p.tar * 100.0,
        p.threshold,
        p.far * 100.0
    );
    let p = r.tar_at_far_1e3;
    println!(
        "  TAR @ FAR<=0.1%  {:6.2}%  (threshold {:.3}, FAR {:.3}%)",
        p.tar * 100.0,
        p.threshold,
        p.far * 100.0
    );
    println!(
        "  EER              {:6.2}%  (threshold {:.3})",
        r.eer * 100.0,
        r.eer_threshold
    );
    let p = r.best;
    println!(
        "  best threshold   {:.3}    (TAR {:.2}%, FAR {:.3}%, balanced accuracy {:.2}%)",
        p.threshold,
        p.tar * 100.0,
        p.far * 100.0,
        r.best_balanced_accuracy * 100.0
    );
    println!(
        "  largest genuine distance {:.3}, smallest impostor distance {:.3}",
        r.max_genuine, r.min_impostor
    );
    println!("  threshold  TAR      FAR");
    for p in &r.curve {
        println!(
            "  {:.2}      {:6.2}%  {:6.3}%",
            p.threshold,
            p.tar * 100.0,
            p.far * 100.0
        );
    }
}
