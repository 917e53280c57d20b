//! Photos the window hands over: base64 text (the IPC carries JSON), decoded with the face
//! engine's limits, and small in-memory previews. Nothing here touches the disk.

use base64::Engine as _;
use image::DynamicImage;
use serde::Serialize;
use takeback_faces::{BBox, FaceEngine};
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};

/// Largest photo the window may send, in bytes once decoded from base64 (the face engine refuses
/// larger files anyway; this stops a huge string before it is decoded).
pub const MAX_PHOTO_BYTES: usize = 64 * 1024 * 1024;

/// A face box in the photo's own pixels (after EXIF rotation, which browsers apply too), rounded
/// to whole pixels: it is only drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct FaceBox {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

impl FaceBox {
    /// The box scaled by `factor` (to a preview's pixels).
    pub fn scaled(b: BBox, factor: f32) -> Self {
        let px = |v: f32| (v * factor).round() as i32;
        Self {
            x: px(b.x),
            y: px(b.y),
            width: px(b.width),
            height: px(b.height),
        }
    }
}

impl From<BBox> for FaceBox {
    fn from(b: BBox) -> Self {
        Self::scaled(b, 1.0)
    }
}

/// The bytes of a photo sent as base64.
pub fn decode_base64(text: &str) -> IpcResult<Zeroizing<Vec<u8>>> {
    if text.len() / 4 * 3 > MAX_PHOTO_BYTES {
        return Err(invalid(format!(
            "this photo is larger than {} MB; use a smaller copy",
            MAX_PHOTO_BYTES / (1024 * 1024)
        )));
    }
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(Zeroizing::new)
        .map_err(|_| invalid("the photo did not arrive intact; pick it again".into()))
}

/// Decodes a photo with the engine's bounds (size, pixels, decoder memory).
pub fn decode_photo(engine: &FaceEngine, bytes: &[u8]) -> takeback_core::Result<DynamicImage> {
    Ok(takeback_faces::decode_image(
        bytes,
        &engine.options().decode_limits,
    )?)
}

/// A JPEG preview at most `max_side` pixels across, as a `data:` URL the window can show
/// without any file or cache, and the factor from the photo's pixels to the preview's.
pub fn preview_data_url(image: &DynamicImage, max_side: u32) -> IpcResult<(String, f32)> {
    let scale = (max_side as f32 / image.width().max(image.height()) as f32).min(1.0);
    let small = image.thumbnail(
        ((image.width() as f32 * scale).round() as u32).max(1),
        ((image.height() as f32 * scale).round() as u32).max(1),
    );
    let mut jpeg = Vec::new();
    small
        .to_rgb8()
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .map_err(|e| IpcError::internal(format!("could not make a preview: {e}")))?;
    let url = format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&jpeg)
    );
    Ok((url, scale))
}

fn invalid(message: String) -> IpcError {
    IpcError {
        code: takeback_core::ErrorCode::InvalidInput,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_that_is_not_base64_is_a_clear_input_error() {
        let err = decode_base64("not base64 at all!").unwrap_err();
        assert_eq!(err.code, takeback_core::ErrorCode::InvalidInput);
        assert!(err.message.contains("pick it again"));
    }

    #[test]
    fn a_huge_photo_is_refused_before_decoding() {
        let huge = "A".repeat(MAX_PHOTO_BYTES / 3 * 4 + 8);
        let err = decode_base64(&huge).unwrap_err();
        assert!(err.message.contains("larger than 64 MB"), "{}", err.message);
    }

    #[test]
    fn boxes_scale_to_the_preview_and_round_to_pixels() {
        let b = BBox {
            x: 10.4,
            y: 20.6,
            width: 100.0,
            height: 50.0,
        };
        assert_eq!(
            FaceBox::scaled(b, 0.5),
            FaceBox {
                x: 5,
                y: 10,
                width: 50,
                height: 25
            }
        );
    }

    #[test]
    fn previews_are_small_jpeg_data_urls() {
        let image = DynamicImage::new_rgb8(2000, 1000);
        let (url, scale) = preview_data_url(&image, 320).unwrap();
        assert!(url.starts_with("data:image/jpeg;base64,"));
        assert!((scale - 0.16).abs() < 1e-6);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(url.trim_start_matches("data:image/jpeg;base64,"))
            .unwrap();
        let back = image::load_from_memory(&bytes).unwrap();
        assert_eq!((back.width(), back.height()), (320, 160));
    }
}
