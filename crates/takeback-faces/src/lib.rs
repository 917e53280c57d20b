//! Takeback's local face engine, in pure Rust on candle (CPU): it finds faces, their 68 landmarks,
//! a 128-D descriptor for matching and an age estimate, using the face-api.js networks and
//! reproducing `@vladmandic/face-api` exactly (see `golden/` and the README).
//!
//! ```no_run
//! let engine = takeback_faces::FaceEngine::load()?;
//! let faces = engine.detect_file(std::path::Path::new("photo.jpg"))?;
//! # Ok::<(), takeback_faces::FaceError>(())
//! ```

mod age;
mod align;
mod decode;
mod engine;
mod error;
pub mod eval;
mod landmarks;
mod models;
pub(crate) mod ops;
mod recognition;
mod ssd;
mod tiles;
mod weights;

#[doc(hidden)]
pub mod testing;

pub use decode::{decode_image, DecodeLimits};
pub use engine::{
    default_workers, parallel_map, prepare_image, DetectorArithmetic, EngineOptions, FaceEngine,
    StageTimes,
};
pub use error::FaceError;
pub use models::{models_status, ModelStatus};
pub use tiles::TilePass;

use serde::{Deserialize, Serialize};

/// The own-face gate: two descriptors closer than this (Euclidean) are taken to be the same person,
/// using the minimum distance over the enrolled photos. Chosen with `takeback faces eval` on
/// `tests/fixtures/faces`; see the crate README for the ROC it came from.
pub const GATE_THRESHOLD: f32 = 0.5;

/// A face box in original-image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// A 128-D face descriptor (not normalised; compare with [`distance`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Descriptor(pub Vec<f32>);

impl Descriptor {
    /// Number of dimensions of a descriptor.
    pub const LEN: usize = 128;

    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }

    /// Little-endian bytes (512 bytes), for storage.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Inverse of [`Descriptor::to_le_bytes`]; `None` unless exactly 512 bytes.
    pub fn from_le_bytes(bytes: &[u8]) -> Option<Descriptor> {
        if bytes.len() != Self::LEN * 4 {
            return None;
        }
        Some(Descriptor(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        ))
    }
}

/// One detected face.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Face {
    /// Detection box in original-image pixels.
    pub bbox: BBox,
    /// Detector confidence, 0..1.
    pub score: f32,
    /// 68 points (iBUG 300-W order) in original-image pixels.
    pub landmarks: Vec<[f32; 2]>,
    pub descriptor: Descriptor,
    /// Estimated age in years (rough; 0 if the face could not be cropped for it).
    pub age: f32,
}

/// Euclidean distance between two descriptors (lower is more alike).
pub fn distance(a: &Descriptor, b: &Descriptor) -> f32 {
    a.0.iter()
        .zip(&b.0)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}
