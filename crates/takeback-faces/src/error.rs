//! The one error type of the face engine: every failure a caller can meet, in words a person can read.

use std::path::PathBuf;

/// Why the face engine could not produce a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FaceError {
    /// The image file could not be read from disk.
    #[error("cannot read image file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The input holds no bytes at all.
    #[error("the image is empty (0 bytes)")]
    EmptyInput,
    /// The bytes are not an image format the engine reads.
    #[error("not a supported image (JPEG, PNG, GIF, WebP, BMP or TIFF expected)")]
    UnsupportedFormat,
    /// The image is damaged or cut short.
    #[error("the image is corrupt or truncated: {0}")]
    Corrupt(String),
    /// The image declares zero width or height.
    #[error("the image has no pixels ({width}x{height})")]
    ZeroSize { width: u32, height: u32 },
    /// The image is larger than the decode limits allow (e.g. a decompression bomb).
    #[error("the image is too large to decode safely: {width}x{height} exceeds the limit of {max_pixels} pixels or {max_side} px per side")]
    TooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    /// The decoder would need more memory or pixels than the limits allow.
    #[error("the image exceeds the decode limits: {0}")]
    LimitExceeded(String),
    /// The file itself is larger than the byte limit.
    #[error("the image file is too large: {size} bytes exceeds the limit of {max} bytes")]
    FileTooLarge { size: u64, max: u64 },
    /// A bundled model file does not match its recorded SHA-256.
    #[error("bundled model file {file} is damaged: SHA-256 {actual} does not match {expected}")]
    ModelChecksum {
        file: &'static str,
        expected: &'static str,
        actual: String,
    },
    /// A bundled model file could not be parsed.
    #[error("bundled model {file} is malformed: {reason}")]
    ModelFormat { file: &'static str, reason: String },
    /// The tensor library failed while running a network.
    #[error("face network failed: {0}")]
    Tensor(String),
}

impl From<candle_core::Error> for FaceError {
    fn from(error: candle_core::Error) -> Self {
        FaceError::Tensor(error.to_string())
    }
}
