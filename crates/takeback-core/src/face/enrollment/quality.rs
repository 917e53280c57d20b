//! Is a reference photo good enough: one face, large enough, reliable enough to match, an adult.
//!
//! A soft photo is not refused for being soft: it is refused only when its face's descriptor is
//! unstable, i.e. moves by more than [`MAX_DESCRIPTOR_JITTER`] when the face is cut a few pixels
//! differently ([`takeback_faces::FaceEngine::descriptor_stability`]). A soft photo whose
//! descriptor is stable is accepted with a warning ([`warnings`]). The calibration is in the
//! takeback-faces README ("Enrollment quality").

use image::{imageops, DynamicImage, GrayImage};
use serde::Serialize;
use takeback_faces::{BBox, Face, FaceEngine};

/// Shortest side of the face box, in pixels of the original image. Smaller faces give
/// descriptors too noisy to be a reference.
pub const MIN_FACE_PX: f32 = 80.0;

/// Sharpness (variance of the Laplacian of the face crop, scaled to 128 px; see [`sharpness`])
/// below which a photo is called soft. Every sharp photo of `tests/fixtures/faces` scores well
/// above it, and the same photos blurred with a Gaussian of sigma 2.5 fall below it. A soft photo
/// is not refused for that: its descriptor's stability decides (see the module documentation).
pub const MIN_SHARPNESS: f32 = 40.0;

/// Largest descriptor movement under [`takeback_faces::FaceEngine::descriptor_stability`]'s
/// small shifts and scalings for a soft photo to be kept as a reference. Calibrated in the
/// takeback-faces README ("Enrollment quality").
pub const MAX_DESCRIPTOR_JITTER: f32 = 0.35;

/// Reference faces estimated younger than this are refused: the app is for adults' own images.
pub const ADULT_AGE: f32 = 18.0;

/// Oldest estimate taken at face value. The age net is a regression head with no upper clamp; an
/// estimate past any human age means the net saw something it cannot judge.
pub const MAX_PLAUSIBLE_AGE: f32 = 120.0;

/// Whether a face must be treated as possibly a minor. Fails closed: an estimate that is unknown
/// (the engine reports 0 when it could not crop the face for the age net), not finite, zero or
/// negative, or past [`MAX_PLAUSIBLE_AGE`] says nothing about the person, so it counts as a minor
/// just like an estimate under [`ADULT_AGE`]. Enrollment and the search gate both use this.
pub fn possibly_minor(age: f32) -> bool {
    !(age.is_finite() && (ADULT_AGE..=MAX_PLAUSIBLE_AGE).contains(&age))
}

/// Why a photo cannot be a reference.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PhotoProblem {
    #[error("it could not be read as an image ({reason})")]
    Unreadable { reason: String },
    #[error("no face was found in it; use a photo where your face is clearly visible")]
    NoFace,
    #[error("it shows {count} faces; use a photo with only your face in it")]
    SeveralFaces { count: usize },
    #[error("the face is too small ({size:.0} px); use a photo where the face is at least {min:.0} px across")]
    TooSmall { size: f32, min: f32 },
    /// Soft (sharpness below `min`) and, what decides, its descriptor is unstable: matching
    /// against it would be unreliable.
    #[error(
        "the face is too blurry to be recognised reliably (sharpness {sharpness:.0}; a photo below {min:.0} is kept only when the face still gives a steady description, and this one does not); use a sharper photo"
    )]
    TooBlurry { sharpness: f32, min: f32 },
    /// `age` is the estimate, which may be unusable (0, negative, not finite): such a face is
    /// treated as a minor's (see [`possibly_minor`]).
    #[error("the face may be younger than 18 (or its age could not be estimated); Takeback is for adults' own images. For images of a minor, use NCMEC's Take It Down (https://takeitdown.ncmec.org)")]
    Minor { age: f32 },
    /// These exact bytes are already a reference photo of the profile, or appear twice in one
    /// batch.
    #[error("it is already one of the reference photos; choose a different photo of your face")]
    AlreadyEnrolled,
    /// The face differs from the other reference faces by more than the gate allows.
    #[error("it does not look like the same person as the other reference photos (difference {difference:.2}; the same person is at most {max:.2}); every reference photo must show only you. To start again with other photos, remove the current ones first")]
    NotTheSamePerson { difference: f32, max: f32 },
}

/// Something worth telling the user about a photo that was accepted.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum PhotoWarning {
    #[error("this photo is a little soft (sharpness {sharpness:.0}); it was accepted because your face in it still gives a steady description, but a sharper photo makes matching more reliable")]
    Soft { sharpness: f32 },
}

/// What to tell the user about an accepted photo's face and sharpness (see [`check`]).
pub fn warnings(_face: &Face, sharpness: f32) -> Vec<PhotoWarning> {
    if sharpness < MIN_SHARPNESS {
        vec![PhotoWarning::Soft { sharpness }]
    } else {
        Vec::new()
    }
}

/// Checks the faces found in one photo; returns the one face and its sharpness. The descriptor
/// check of a soft photo uses the process's shared engine ([`FaceEngine::shared`]); see
/// [`check_with`] to pass one.
pub fn check(image: &DynamicImage, faces: &[Face]) -> Result<(Face, f32), PhotoProblem> {
    check_with(None, image, faces)
}

/// [`check`] with the engine to re-describe a soft photo with (`None`: the shared one). `faces`
/// must come from an engine with the same networks (every `FaceEngine` has them).
pub fn check_with(
    engine: Option<&FaceEngine>,
    image: &DynamicImage,
    faces: &[Face],
) -> Result<(Face, f32), PhotoProblem> {
    let face = match faces {
        [] => return Err(PhotoProblem::NoFace),
        [one] => one,
        many => return Err(PhotoProblem::SeveralFaces { count: many.len() }),
    };
    let size = face.bbox.width.min(face.bbox.height);
    if size < MIN_FACE_PX {
        return Err(PhotoProblem::TooSmall {
            size,
            min: MIN_FACE_PX,
        });
    }
    if possibly_minor(face.age) {
        return Err(PhotoProblem::Minor { age: face.age });
    }
    let sharp = sharpness(image, &face.bbox);
    if sharp < MIN_SHARPNESS {
        let jitter = descriptor_jitter(engine, image, face)?;
        if !jitter.is_finite() || jitter > MAX_DESCRIPTOR_JITTER {
            return Err(PhotoProblem::TooBlurry {
                sharpness: sharp,
                min: MIN_SHARPNESS,
            });
        }
    }
    Ok((face.clone(), sharp))
}

/// How far the face's descriptor moves under small re-cuts (infinity without landmarks).
pub fn descriptor_jitter(
    engine: Option<&FaceEngine>,
    image: &DynamicImage,
    face: &Face,
) -> Result<f32, PhotoProblem> {
    let unreadable = |e: takeback_faces::FaceError| PhotoProblem::Unreadable {
        reason: e.to_string(),
    };
    let engine = match engine {
        Some(engine) => engine,
        None => FaceEngine::shared().map_err(unreadable)?,
    };
    let rgb = match image.as_rgb8() {
        Some(rgb) => std::borrow::Cow::Borrowed(rgb),
        None => std::borrow::Cow::Owned(takeback_faces::prepare_image(image)),
    };
    engine.descriptor_stability(&rgb, face).map_err(unreadable)
}

/// Variance of the Laplacian over the face box, after scaling the crop to 128 px wide so the
/// number does not depend on the photo's resolution. Blur removes the high frequencies the
/// Laplacian responds to, so a blurred face scores low.
pub fn sharpness(image: &DynamicImage, bbox: &BBox) -> f32 {
    let (w, h) = (image.width(), image.height());
    let x0 = bbox.x.max(0.0).floor() as u32;
    let y0 = bbox.y.max(0.0).floor() as u32;
    let x1 = ((bbox.x + bbox.width).ceil().max(0.0) as u32).min(w);
    let y1 = ((bbox.y + bbox.height).ceil().max(0.0) as u32).min(h);
    if x1 <= x0 + 2 || y1 <= y0 + 2 {
        return 0.0;
    }
    let crop = image.crop_imm(x0, y0, x1 - x0, y1 - y0).to_luma8();
    let side = 128u32;
    let scaled_h = ((f64::from(y1 - y0) * f64::from(side) / f64::from(x1 - x0)).round() as u32)
        .clamp(3, 4 * side);
    let gray: GrayImage = imageops::resize(&crop, side, scaled_h, imageops::FilterType::Triangle);
    laplacian_variance(&gray)
}

fn laplacian_variance(gray: &GrayImage) -> f32 {
    let (w, h) = gray.dimensions();
    let px = |x: u32, y: u32| f64::from(gray.get_pixel(x, y)[0]);
    let mut n = 0f64;
    let mut sum = 0f64;
    let mut sum_sq = 0f64;
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let lap = px(x - 1, y) + px(x + 1, y) + px(x, y - 1) + px(x, y + 1) - 4.0 * px(x, y);
            n += 1.0;
            sum += lap;
            sum_sq += lap * lap;
        }
    }
    if n == 0.0 {
        return 0.0;
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use takeback_faces::Descriptor;

    fn face(x: f32, size: f32, age: f32) -> Face {
        Face {
            bbox: BBox {
                x,
                y: 0.0,
                width: size,
                height: size,
            },
            score: 0.9,
            landmarks: vec![],
            descriptor: Descriptor(vec![0.0; 128]),
            age,
        }
    }

    fn checkerboard(size: u32) -> DynamicImage {
        DynamicImage::ImageLuma8(GrayImage::from_fn(size, size, |x, y| {
            image::Luma([if (x / 4 + y / 4) % 2 == 0 { 0 } else { 255 }])
        }))
    }

    #[test]
    fn face_count_size_age_and_stability_are_checked_in_that_order() {
        let img = checkerboard(300);
        assert_eq!(check(&img, &[]).err(), Some(PhotoProblem::NoFace));
        assert_eq!(
            check(&img, &[face(0.0, 100.0, 30.0), face(150.0, 100.0, 30.0)]).err(),
            Some(PhotoProblem::SeveralFaces { count: 2 })
        );
        assert!(matches!(
            check(&img, &[face(0.0, 50.0, 30.0)]),
            Err(PhotoProblem::TooSmall { .. })
        ));
        // A soft photo whose face has no landmarks has no stable descriptor: refused.
        let flat = DynamicImage::ImageLuma8(GrayImage::from_pixel(300, 300, image::Luma([128])));
        assert!(matches!(
            check(&flat, &[face(0.0, 200.0, 30.0)]),
            Err(PhotoProblem::TooBlurry { .. })
        ));
        assert!(matches!(
            check(&flat, &[face(0.0, 200.0, 12.0)]),
            Err(PhotoProblem::Minor { .. })
        ));
        assert!(check(&img, &[face(0.0, 200.0, 30.0)]).is_ok());
    }

    #[test]
    fn unknown_or_implausible_ages_fail_closed() {
        let img = checkerboard(300);
        for age in [
            0.0,
            -3.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            17.99,
            121.0,
            1e9,
        ] {
            assert!(possibly_minor(age), "{age}");
            assert!(
                matches!(
                    check(&img, &[face(0.0, 200.0, age)]),
                    Err(PhotoProblem::Minor { .. })
                ),
                "{age}"
            );
        }
        for age in [18.0, 30.0, 95.0, MAX_PLAUSIBLE_AGE] {
            assert!(!possibly_minor(age), "{age}");
        }
        let message = PhotoProblem::Minor { age: f32::NAN }.to_string();
        assert!(message.contains("takeitdown.ncmec.org"), "{message}");
    }

    #[test]
    fn blur_lowers_sharpness() {
        let img = checkerboard(256);
        let b = BBox {
            x: 0.0,
            y: 0.0,
            width: 256.0,
            height: 256.0,
        };
        let sharp = sharpness(&img, &b);
        let blurred = sharpness(&img.blur(3.0), &b);
        assert!(sharp > 10.0 * blurred, "{sharp} vs {blurred}");
    }
}
