//! A photo the user picked, as every face check reads it: decoded within the engine's bounds,
//! its faces' boxes in whole pixels for drawing, and small in-memory previews. Nothing here
//! touches the disk.

use image::DynamicImage;
use serde::Serialize;
use takeback_faces::{BBox, FaceEngine};

use crate::Result;

/// The largest photo file the face engine reads; every way a photo comes in (a path on the
/// command line, base64 from the window) is bounded by it before decoding.
pub const MAX_PHOTO_BYTES: u64 = 64 * 1024 * 1024;

/// A face box in the photo's own pixels (after EXIF rotation, which browsers apply too), rounded
/// to whole pixels: it is only drawn.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// Decodes a photo with the engine's bounds (size, pixels, decoder memory).
pub fn decode(engine: &FaceEngine, bytes: &[u8]) -> Result<DynamicImage> {
    Ok(takeback_faces::decode_image(
        bytes,
        &engine.options().decode_limits,
    )?)
}

/// A JPEG preview at most `max_side` pixels across.
#[derive(Debug, Clone)]
pub struct Preview {
    pub jpeg: Vec<u8>,
    /// From the photo's pixels to the preview's.
    pub scale: f32,
    pub width: u32,
    pub height: u32,
}

/// A JPEG as a `data:` URL, so the window shows it without any file or cache.
pub fn jpeg_data_url(jpeg: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

/// Makes a [`Preview`] of `image`.
pub fn preview(image: &DynamicImage, max_side: u32) -> Result<Preview> {
    let scale = (max_side as f32 / image.width().max(image.height()).max(1) as f32).min(1.0);
    let width = ((image.width() as f32 * scale).round() as u32).max(1);
    let height = ((image.height() as f32 * scale).round() as u32).max(1);
    let mut jpeg = Vec::new();
    image
        .thumbnail(width, height)
        .to_rgb8()
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .map_err(|e| crate::Error::ImageUnreadable {
            reason: format!("could not make a preview: {e}"),
            source: Some(e.into()),
        })?;
    Ok(Preview {
        jpeg,
        scale,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_photo_bound_is_the_face_engines() {
        assert_eq!(
            super::MAX_PHOTO_BYTES,
            takeback_faces::DecodeLimits::default().max_file_bytes
        );
    }

    use super::*;

    #[test]
    fn boxes_round_to_whole_pixels_and_scale() {
        let b = BBox {
            x: 10.4,
            y: 20.6,
            width: 99.5,
            height: 50.0,
        };
        assert_eq!(
            FaceBox::from(b),
            FaceBox {
                x: 10,
                y: 21,
                width: 100,
                height: 50
            }
        );
        assert_eq!(FaceBox::scaled(b, 0.5).width, 50);
    }

    #[test]
    fn a_preview_is_a_jpeg_no_larger_than_asked() {
        let image = DynamicImage::new_rgb8(800, 400);
        let p = preview(&image, 320).unwrap();
        assert_eq!((p.width, p.height), (320, 160));
        assert!((p.scale - 0.4).abs() < 1e-6);
        assert!(p.jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(jpeg_data_url(&p.jpeg).starts_with("data:image/jpeg;base64,/9j/"));
        let small = preview(&DynamicImage::new_rgb8(100, 50), 320).unwrap();
        assert_eq!((small.width, small.height, small.scale), (100, 50, 1.0));
    }
}
