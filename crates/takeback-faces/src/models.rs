//! The bundled face-api.js weights (see `models/PROVENANCE.md`), embedded in the binary and checked
//! against their recorded SHA-256 before use, so nothing is ever downloaded or set up at run time.

use sha2::{Digest, Sha256};

use crate::weights::WeightMap;
use crate::FaceError;

/// One embedded model file and the SHA-256 it must have.
#[derive(Debug)]
pub(crate) struct EmbeddedFile {
    pub file: &'static str,
    pub sha256: &'static str,
    pub bytes: &'static [u8],
}

/// One network: its manifest and weights.
#[derive(Debug)]
pub(crate) struct EmbeddedModel {
    /// Human name shown by `takeback doctor`.
    pub name: &'static str,
    pub manifest: EmbeddedFile,
    pub weights: EmbeddedFile,
}

macro_rules! embedded {
    ($file:literal, $sha:literal) => {
        EmbeddedFile {
            file: $file,
            sha256: $sha,
            bytes: include_bytes!(concat!("../models/", $file)),
        }
    };
}

pub(crate) const SSD_MOBILENET_V1: EmbeddedModel = EmbeddedModel {
    name: "face detector (SSD MobileNetV1)",
    manifest: embedded!(
        "ssd_mobilenetv1_model-weights_manifest.json",
        "888f744dffbc84f5f060d1f8427d9742341943a2dfaaf9205d10029b7e7a2955"
    ),
    weights: embedded!(
        "ssd_mobilenetv1_model.bin",
        "2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8"
    ),
};

pub(crate) const LANDMARK_68: EmbeddedModel = EmbeddedModel {
    name: "68-point landmarks",
    manifest: embedded!(
        "face_landmark_68_model-weights_manifest.json",
        "ca4886639f86e99b39fed0c155f81b63317225773bd9616716e887b0153389c9"
    ),
    weights: embedded!(
        "face_landmark_68_model.bin",
        "4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b"
    ),
};

pub(crate) const RECOGNITION: EmbeddedModel = EmbeddedModel {
    name: "face recognition (ResNet-34, 128-D)",
    manifest: embedded!(
        "face_recognition_model-weights_manifest.json",
        "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b"
    ),
    weights: embedded!(
        "face_recognition_model.bin",
        "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589"
    ),
};

pub(crate) const AGE_GENDER: EmbeddedModel = EmbeddedModel {
    name: "age estimate (TinyXception)",
    manifest: embedded!(
        "age_gender_model-weights_manifest.json",
        "74b60bf3ebf981bf4e661e9cca3a185614e10b25d797118b62e2a68d3ff2569f"
    ),
    weights: embedded!(
        "age_gender_model.bin",
        "49f92bbc0afef2342c4385e4a2b0acb6d7a727c6f0aa539499719a81acf9abaa"
    ),
};

pub(crate) const ALL_MODELS: [&EmbeddedModel; 4] =
    [&SSD_MOBILENET_V1, &LANDMARK_68, &RECOGNITION, &AGE_GENDER];

/// Health of one bundled model file, for `takeback doctor`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelStatus {
    /// What the network does.
    pub name: String,
    /// File name inside the bundle.
    pub file: String,
    /// The SHA-256 the file must have (hex).
    pub sha256: String,
    /// Whether the embedded bytes have that SHA-256.
    pub ok: bool,
}

/// Checks every bundled model file against its recorded SHA-256.
pub fn models_status() -> Vec<ModelStatus> {
    ALL_MODELS
        .iter()
        .flat_map(|model| [(model.name, &model.manifest), (model.name, &model.weights)])
        .map(|(name, file)| ModelStatus {
            name: name.to_string(),
            file: file.file.to_string(),
            sha256: file.sha256.to_string(),
            ok: sha256_hex(file.bytes) == file.sha256,
        })
        .collect()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn verified(file: &EmbeddedFile) -> Result<&'static [u8], FaceError> {
    let actual = sha256_hex(file.bytes);
    if actual != file.sha256 {
        return Err(FaceError::ModelChecksum {
            file: file.file,
            expected: file.sha256,
            actual,
        });
    }
    Ok(file.bytes)
}

impl EmbeddedModel {
    /// Verifies both files and parses the weights.
    pub fn load(&self) -> Result<WeightMap, FaceError> {
        WeightMap::parse(
            self.weights.file,
            verified(&self.manifest)?,
            verified(&self.weights)?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_bundled_files_pass_their_checksum() {
        let status = models_status();
        assert_eq!(status.len(), 8);
        assert!(status.iter().all(|s| s.ok), "{status:?}");
    }

    #[test]
    fn all_models_parse() {
        for model in ALL_MODELS {
            model.load().unwrap();
        }
    }
}
