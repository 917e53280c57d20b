//! Faces: the enrolled owner's reference photos, the own-face gate, perceptual hashes and the
//! matching of one image against what the profile knows.

pub mod enrollment;
pub mod gate;
pub mod matching;
pub mod pdq;
pub mod photo;
