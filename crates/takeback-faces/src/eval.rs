//! Verification accuracy over a labelled folder of faces: ROC, TAR at fixed FAR, EER, best threshold.
//!
//! Identities: each sub-folder of a scanned directory is one person; an image directly inside it
//! belongs to the person named by the file name's leading letters (`obama2.jpg` -> `obama`).
//! Images of at most 160x160 px are taken as already aligned face crops (the face-api example
//! format) and described directly; larger images must show exactly one face, else they are skipped.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{distance, Descriptor};

/// One labelled image to describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledImage {
    pub identity: String,
    pub path: PathBuf,
}

const IMAGE_EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"];

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The leading letters of a file name, lowercased (`obama_and_biden.jpg` -> `obama`).
pub fn name_prefix(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    stem.chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase()
}

fn images_below(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            images_below(&path, out)?;
        } else if is_image(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Lists the labelled images of `dir` (see the module documentation for the rules).
pub fn labelled_images(dir: &Path) -> std::io::Result<Vec<LabelledImage>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        if path.is_dir() {
            let identity = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_lowercase();
            let mut files = Vec::new();
            images_below(&path, &mut files)?;
            out.extend(files.into_iter().map(|path| LabelledImage {
                identity: identity.clone(),
                path,
            }));
        } else if is_image(&path) {
            let identity = name_prefix(&path);
            if !identity.is_empty() {
                out.push(LabelledImage { identity, path });
            }
        }
    }
    Ok(out)
}

/// A described face with its identity.
#[derive(Debug, Clone)]
pub struct Sample {
    pub identity: String,
    pub descriptor: Descriptor,
}

/// One operating point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OperatingPoint {
    /// Accept when distance < threshold.
    pub threshold: f32,
    /// True-accept rate (genuine comparisons accepted).
    pub tar: f64,
    /// False-accept rate (impostor comparisons accepted).
    pub far: f64,
}

/// ROC summary of one protocol.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocSummary {
    pub protocol: String,
    pub genuine: usize,
    pub impostor: usize,
    /// Best TAR with FAR <= 1 %.
    pub tar_at_far_1e2: OperatingPoint,
    /// Best TAR with FAR <= 0.1 %.
    pub tar_at_far_1e3: OperatingPoint,
    /// Equal error rate and the threshold where FAR and FRR meet.
    pub eer: f64,
    pub eer_threshold: f32,
    /// Threshold maximising (TAR + TRR) / 2.
    pub best: OperatingPoint,
    pub best_balanced_accuracy: f64,
    /// The ROC at a few thresholds, for reading by eye.
    pub curve: Vec<OperatingPoint>,
    /// Largest genuine and smallest impostor distance: the margin a threshold can sit in.
    pub max_genuine: f32,
    pub min_impostor: f32,
}

/// ROC from genuine and impostor distances.
pub fn roc(protocol: &str, genuine: &[f32], impostor: &[f32]) -> RocSummary {
    let rate = |values: &[f32], t: f32| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().filter(|&&d| d < t).count() as f64 / values.len() as f64
        }
    };
    let point = |t: f32| OperatingPoint {
        threshold: t,
        tar: rate(genuine, t),
        far: rate(impostor, t),
    };
    // Candidate thresholds: just above every observed distance, plus 0.
    let mut thresholds: Vec<f32> = genuine
        .iter()
        .chain(impostor)
        .map(|d| d.next_up())
        .collect();
    thresholds.push(0.0);
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    let points: Vec<OperatingPoint> = thresholds.iter().map(|&t| point(t)).collect();
    let best_under = |max_far: f64| {
        points
            .iter()
            .filter(|p| p.far <= max_far)
            .max_by(|a, b| {
                a.tar
                    .total_cmp(&b.tar)
                    .then(b.threshold.total_cmp(&a.threshold))
            })
            .copied()
            .unwrap_or(OperatingPoint {
                threshold: 0.0,
                tar: 0.0,
                far: 0.0,
            })
    };
    let eer_point = points
        .iter()
        .min_by(|a, b| {
            ((1.0 - a.tar) - a.far)
                .abs()
                .total_cmp(&((1.0 - b.tar) - b.far).abs())
        })
        .copied()
        .unwrap_or(OperatingPoint {
            threshold: 0.0,
            tar: 0.0,
            far: 0.0,
        });
    let balanced = |p: &OperatingPoint| (p.tar + 1.0 - p.far) / 2.0;
    let best = points
        .iter()
        .max_by(|a, b| balanced(a).total_cmp(&balanced(b)))
        .copied()
        .unwrap_or(OperatingPoint {
            threshold: 0.0,
            tar: 0.0,
            far: 0.0,
        });
    let curve = [0.35f32, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]
        .iter()
        .map(|&t| point(t))
        .collect();
    RocSummary {
        protocol: protocol.to_string(),
        genuine: genuine.len(),
        impostor: impostor.len(),
        tar_at_far_1e2: best_under(0.01),
        tar_at_far_1e3: best_under(0.001),
        eer: ((1.0 - eer_point.tar) + eer_point.far) / 2.0,
        eer_threshold: eer_point.threshold,
        best,
        best_balanced_accuracy: balanced(&best),
        curve,
        max_genuine: genuine.iter().copied().fold(f32::NAN, f32::max),
        min_impostor: impostor.iter().copied().fold(f32::NAN, f32::min),
    }
}

/// All pairs of faces: same identity = genuine, different = impostor.
pub fn pairwise(samples: &[Sample]) -> (Vec<f32>, Vec<f32>) {
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for (i, a) in samples.iter().enumerate() {
        for b in &samples[i + 1..] {
            let d = distance(&a.descriptor, &b.descriptor);
            if a.identity == b.identity {
                genuine.push(d);
            } else {
                impostor.push(d);
            }
        }
    }
    (genuine, impostor)
}

/// The gate protocol: for every identity with more than `enrolled` faces, each window of `enrolled`
/// consecutive faces is an enrollment set; a probe's score is its minimum distance to that set.
/// Genuine probes are that person's other faces; impostor probes are every other person's faces.
pub fn min_over_enrollment(samples: &[Sample], enrolled: usize) -> (Vec<f32>, Vec<f32>) {
    let mut identities: Vec<&str> = samples.iter().map(|s| s.identity.as_str()).collect();
    identities.sort_unstable();
    identities.dedup();
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for identity in identities {
        let own: Vec<&Sample> = samples.iter().filter(|s| s.identity == identity).collect();
        if own.len() <= enrolled {
            continue;
        }
        for start in 0..own.len() {
            let set: Vec<&Sample> = (0..enrolled)
                .map(|k| own[(start + k) % own.len()])
                .collect();
            let score = |probe: &Sample| {
                set.iter()
                    .map(|e| distance(&e.descriptor, &probe.descriptor))
                    .fold(f32::INFINITY, f32::min)
            };
            for (i, probe) in own.iter().enumerate() {
                let in_set = (0..enrolled).any(|k| (start + k) % own.len() == i);
                if !in_set {
                    genuine.push(score(probe));
                }
            }
            if start == 0 {
                impostor.extend(samples.iter().filter(|s| s.identity != identity).map(score));
            }
        }
    }
    (genuine, impostor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_takes_leading_letters() {
        assert_eq!(name_prefix(Path::new("x/obama-240p.jpg")), "obama");
        assert_eq!(name_prefix(Path::new("Biden2.jpg")), "biden");
        assert_eq!(name_prefix(Path::new("32bit.png")), "");
    }

    #[test]
    fn roc_on_separable_data() {
        let r = roc("t", &[0.2, 0.3, 0.4], &[0.6, 0.7, 0.8, 0.9]);
        assert_eq!(r.best.tar, 1.0);
        assert_eq!(r.best.far, 0.0);
        assert!(r.best.threshold > 0.4 && r.best.threshold <= 0.6 + 1e-6);
        assert_eq!(r.eer, 0.0);
        assert_eq!(r.tar_at_far_1e3.tar, 1.0);
    }
}

/// Everything `takeback faces eval` reports.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Images found under the folders.
    pub images: usize,
    /// Images that gave one descriptor, used for the ROC.
    pub used: usize,
    /// Images left out, with the reason.
    pub skipped: Vec<Skipped>,
    pub identities: usize,
    /// Every pair of faces.
    pub pairwise: RocSummary,
    /// Minimum distance to an enrollment set of `enrolled` photos (the own-face gate's rule).
    pub gate: RocSummary,
    pub enrolled: usize,
    /// The threshold the engine currently uses, with its operating point under the gate protocol.
    pub gate_threshold: OperatingPoint,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub image: String,
    pub reason: String,
}

/// Largest image taken as an already aligned face crop rather than a photo to detect faces in.
pub const MAX_ALIGNED_CROP_SIDE: u32 = 160;

/// The one descriptor an evaluation image contributes, or why it contributes none.
fn describe_one(engine: &crate::FaceEngine, path: &Path) -> Result<Descriptor, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let image =
        crate::decode_image(&bytes, &engine.options().decode_limits).map_err(|e| e.to_string())?;
    if image.width() <= MAX_ALIGNED_CROP_SIDE && image.height() <= MAX_ALIGNED_CROP_SIDE {
        return engine.describe_aligned(&image).map_err(|e| e.to_string());
    }
    let mut faces = engine.detect(&image).map_err(|e| e.to_string())?;
    match faces.len() {
        1 => Ok(faces.remove(0).descriptor),
        n => Err(format!("{n} faces (exactly 1 needed)")),
    }
}

/// Runs the engine over labelled folders and computes both ROCs.
pub fn evaluate(
    engine: &crate::FaceEngine,
    dirs: &[PathBuf],
    enrolled: usize,
    workers: usize,
) -> std::io::Result<EvalReport> {
    let mut labelled = Vec::new();
    for dir in dirs {
        labelled.extend(labelled_images(dir)?);
    }
    let results = crate::parallel_map(&labelled, workers, |image| {
        describe_one(engine, &image.path)
    });
    let mut samples = Vec::new();
    let mut skipped = Vec::new();
    for (image, result) in labelled.iter().zip(results) {
        match result {
            Ok(descriptor) => samples.push(Sample {
                identity: image.identity.clone(),
                descriptor,
            }),
            Err(reason) => skipped.push(Skipped {
                image: image.path.display().to_string(),
                reason,
            }),
        }
    }
    let mut identities: Vec<&str> = samples.iter().map(|s| s.identity.as_str()).collect();
    identities.sort_unstable();
    identities.dedup();
    let (genuine, impostor) = pairwise(&samples);
    let (gate_genuine, gate_impostor) = min_over_enrollment(&samples, enrolled);
    let rate = |values: &[f32], t: f32| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().filter(|&&d| d < t).count() as f64 / values.len() as f64
        }
    };
    Ok(EvalReport {
        images: labelled.len(),
        used: samples.len(),
        identities: identities.len(),
        skipped,
        pairwise: roc("pairwise", &genuine, &impostor),
        gate: roc(
            &format!("min over {enrolled} enrolled photos"),
            &gate_genuine,
            &gate_impostor,
        ),
        enrolled,
        gate_threshold: OperatingPoint {
            threshold: crate::GATE_THRESHOLD,
            tar: rate(&gate_genuine, crate::GATE_THRESHOLD),
            far: rate(&gate_impostor, crate::GATE_THRESHOLD),
        },
    })
}
