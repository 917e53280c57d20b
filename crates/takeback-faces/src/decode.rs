//! Bounded image decoding: every input from the web is hostile until decoded within explicit limits.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageReader};

use crate::FaceError;

/// Explicit bounds on what [`decode_image`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest encoded input accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest width or height.
    pub max_side: u32,
    /// Largest width x height.
    pub max_pixels: u64,
    /// Largest allocation the decoder may make (the image crate's `max_alloc`).
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    /// 64 MiB files, 16384 px per side, 40 megapixels, 256 MiB of decoder memory: enough for any
    /// camera photo, while a 30000x30000 "bomb" is refused before a pixel is decoded.
    fn default() -> Self {
        DecodeLimits {
            max_file_bytes: 64 * 1024 * 1024,
            max_side: 16_384,
            max_pixels: 40_000_000,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// Decodes JPEG, PNG, GIF, WebP, BMP or TIFF within `limits`, applying the EXIF orientation.
/// Animated GIF/WebP give their first frame.
pub fn decode_image(bytes: &[u8], limits: &DecodeLimits) -> Result<DynamicImage, FaceError> {
    if bytes.is_empty() {
        return Err(FaceError::EmptyInput);
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(FaceError::FileTooLarge {
            size: bytes.len() as u64,
            max: limits.max_file_bytes,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| FaceError::Corrupt(e.to_string()))?;
    if reader.format().is_none() {
        return Err(FaceError::UnsupportedFormat);
    }
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_side);
    image_limits.max_image_height = Some(limits.max_side);
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(map_image_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(FaceError::ZeroSize { width, height });
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(too_large(width, height, limits));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn too_large(width: u32, height: u32, limits: &DecodeLimits) -> FaceError {
    FaceError::TooLarge {
        width,
        height,
        max_pixels: limits.max_pixels,
        max_side: limits.max_side,
    }
}

fn map_image_error(error: ImageError) -> FaceError {
    match error {
        ImageError::Limits(e) => FaceError::LimitExceeded(e.to_string()),
        ImageError::Unsupported(e) => {
            if matches!(e.kind(), image::error::UnsupportedErrorKind::Format(_)) {
                FaceError::UnsupportedFormat
            } else {
                FaceError::Corrupt(e.to_string())
            }
        }
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            FaceError::Corrupt("the file ends early".into())
        }
        other => FaceError::Corrupt(other.to_string()),
    }
}
