//! Matching on the device: does an image found on the web show the owner, or copy one of the
//! owner's photos?
//!
//! Every candidate (from the site crawler, a folder, or a remote provider's hit after it is
//! fetched) goes through [`check_image`] before it can become a finding. Two independent tests:
//! * a face within the own-face gate's distance of the enrolled set, unless it is even closer to
//!   a face the owner dismissed as "not me" (the lookalike memory);
//! * a PDQ near-duplicate of a photo the owner registered, which finds copies of photos that
//!   show no face at all.

use serde::Serialize;
use takeback_faces::{distance, Descriptor, FaceEngine, GATE_THRESHOLD};

use crate::face::pdq::{pdq_hash, PdqHash, NEAR_DUPLICATE_THRESHOLD};
use crate::ErrorCode;

/// Faces at most this far from the enrolled set are "very likely" the owner (well inside the
/// gate's [`GATE_THRESHOLD`]: same-person pairs of the test photos mostly fall below it).
pub const VERY_LIKELY_DISTANCE: f32 = 0.4;

/// How alike a face is to the owner's, in the bands the window puts into words.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Likeness {
    /// At most [`VERY_LIKELY_DISTANCE`].
    VeryLikely,
    /// Within the gate's threshold.
    Likely,
    /// Further, or not measured.
    Possibly,
}

impl Likeness {
    /// The band of a face `distance` from the enrolled set.
    pub fn of(distance: Option<f32>) -> Self {
        match distance {
            Some(d) if d <= VERY_LIKELY_DISTANCE => Likeness::VeryLikely,
            Some(d) if d <= GATE_THRESHOLD => Likeness::Likely,
            _ => Likeness::Possibly,
        }
    }
}

/// What the owner's images are compared with.
#[derive(Debug, Clone, Default)]
pub struct OwnerReference {
    /// Descriptors of the enrolled reference photos.
    pub enrolled: Vec<Descriptor>,
    /// Faces the owner dismissed as "not me".
    pub not_me: Vec<Descriptor>,
    /// PDQ hashes of the photos the owner registered.
    pub registered_photos: Vec<PdqHash>,
}

/// Why an image is, or is not, a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A face within the gate threshold of the enrolled set.
    OwnersFace,
    /// No matching face, but a near-duplicate of a registered photo.
    CopyOfRegisteredPhoto,
    /// The only matching faces are closer to a dismissed lookalike.
    DismissedLookalike,
    NoMatch,
}

impl Verdict {
    pub fn is_hit(self) -> bool {
        matches!(self, Verdict::OwnersFace | Verdict::CopyOfRegisteredPhoto)
    }
}

/// The outcome of checking one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageCheck {
    pub verdict: Verdict,
    pub faces_found: usize,
    /// The smallest distance of any face in the image to the enrolled set.
    pub face_distance: Option<f32>,
    pub pdq: Option<PdqHash>,
    /// Bits to the nearest registered photo.
    pub pdq_distance: Option<u32>,
    /// The face nearest the enrolled set: what a "not me" dismissal remembers. Biometric, so
    /// never serialised.
    #[serde(skip)]
    pub nearest_face: Option<Descriptor>,
}

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("the image could not be checked ({reason})")]
    Unreadable { reason: String },
}

impl MatchError {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
}

/// Checks one image's bytes against the owner's reference. CPU-bound: call it from a blocking
/// thread in async code.
pub fn check_image(
    engine: &FaceEngine,
    reference: &OwnerReference,
    bytes: &[u8],
) -> Result<ImageCheck, MatchError> {
    let unreadable = |e: takeback_faces::FaceError| MatchError::Unreadable {
        reason: e.to_string(),
    };
    let image =
        takeback_faces::decode_image(bytes, &engine.options().decode_limits).map_err(unreadable)?;
    let faces = engine.detect(&image).map_err(unreadable)?;
    let digest = pdq_hash(&image);

    let nearest = |set: &[Descriptor], face: &Descriptor| {
        set.iter()
            .map(|known| distance(known, face))
            .reduce(f32::min)
    };
    let mut face_distance: Option<f32> = None;
    let mut nearest_face: Option<&Descriptor> = None;
    let mut owners_face = false;
    let mut lookalike = false;
    for face in &faces {
        let Some(to_owner) = nearest(&reference.enrolled, &face.descriptor) else {
            continue;
        };
        if face_distance.is_none_or(|d| to_owner < d) {
            face_distance = Some(to_owner);
            nearest_face = Some(&face.descriptor);
        }
        if to_owner >= GATE_THRESHOLD {
            continue;
        }
        match nearest(&reference.not_me, &face.descriptor) {
            Some(to_dismissed) if to_dismissed < to_owner => lookalike = true,
            _ => owners_face = true,
        }
    }

    let pdq_distance = digest.filter(|d| d.is_useful()).and_then(|digest| {
        reference
            .registered_photos
            .iter()
            .map(|registered| registered.distance(&digest.hash))
            .min()
    });
    let verdict = if owners_face {
        Verdict::OwnersFace
    } else if pdq_distance.is_some_and(|d| d <= NEAR_DUPLICATE_THRESHOLD) {
        Verdict::CopyOfRegisteredPhoto
    } else if lookalike {
        Verdict::DismissedLookalike
    } else {
        Verdict::NoMatch
    };
    Ok(ImageCheck {
        verdict,
        faces_found: faces.len(),
        face_distance,
        pdq: digest.map(|d| d.hash),
        pdq_distance,
        nearest_face: nearest_face.cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likeness_bands_follow_the_gate_threshold() {
        assert_eq!(Likeness::of(Some(0.35)), Likeness::VeryLikely);
        assert_eq!(
            Likeness::of(Some(VERY_LIKELY_DISTANCE)),
            Likeness::VeryLikely
        );
        assert_eq!(Likeness::of(Some(0.47)), Likeness::Likely);
        assert_eq!(Likeness::of(Some(GATE_THRESHOLD)), Likeness::Likely);
        assert_eq!(Likeness::of(Some(0.58)), Likeness::Possibly);
        assert_eq!(Likeness::of(None), Likeness::Possibly);
    }
}
