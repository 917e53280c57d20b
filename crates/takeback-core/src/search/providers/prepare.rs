//! What leaves the machine: the owner's photo re-encoded for upload.
//!
//! Copy finders get the whole photo; face finders get a tight crop around one face (the caller
//! passes the face engine's box). Either way the image is decoded to pixels (with its EXIF
//! orientation applied, since the tag that says how to turn it is about to go) and encoded anew
//! as a baseline JPEG: nothing of the original file — EXIF, GPS, XMP, ICC, comments, thumbnails —
//! survives, because nothing of it is copied. The result is bounded in pixels and in bytes.

use std::fmt;
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, RgbImage};

/// What an upload is for; providers check it (a face finder never gets a whole photo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UploadPurpose {
    /// The owner's whole photo, for copy finders.
    WholePhoto,
    /// A tight crop of one face, for face finders.
    FaceCrop,
}

impl UploadPurpose {
    pub fn describe(self) -> &'static str {
        match self {
            UploadPurpose::WholePhoto => "a whole photo",
            UploadPurpose::FaceCrop => "a face crop",
        }
    }
}

/// A face's box in the original photo's pixels (after its EXIF orientation is applied, as the
/// face engine reports it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// Bounds on the prepared image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepareLimits {
    /// The upload is at most this many bytes (e.g. SerpApi's 500 KB).
    pub max_bytes: usize,
    /// The longer side is at most this many pixels.
    pub max_side: u32,
    /// Originals larger than this (in bytes) are not even decoded.
    pub max_input_bytes: usize,
}

impl PrepareLimits {
    /// Limits for one provider's upload.
    pub fn for_upload(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            max_side: 2048,
            max_input_bytes: 64 * 1024 * 1024,
        }
    }
}

/// The bytes that will be sent, with what the preview needs to show.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedUpload {
    bytes: Vec<u8>,
    width: u32,
    height: u32,
    purpose: UploadPurpose,
}

impl PreparedUpload {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn media_type(&self) -> &'static str {
        "image/jpeg"
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn purpose(&self) -> UploadPurpose {
        self.purpose
    }
}

// The bytes are the owner's photo: never in a log line.
impl fmt::Debug for PreparedUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedUpload")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("purpose", &self.purpose)
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrepareError {
    #[error("the photo is {size} bytes; photos over {limit} bytes are not prepared for upload")]
    InputTooLarge { size: usize, limit: usize },
    #[error("the photo could not be read as an image ({reason})")]
    NotAnImage { reason: String },
    #[error("the face box lies outside the photo or is empty")]
    BadFaceBox,
    #[error("the image could not be made smaller than {limit} bytes")]
    CannotFit { limit: usize },
    #[error("the image could not be encoded ({reason})")]
    Encode { reason: String },
}

impl PrepareError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            PrepareError::Encode { .. } => crate::ErrorCode::Internal,
            _ => crate::ErrorCode::InvalidInput,
        }
    }
}

crate::layer_error!(PrepareError);

/// The owner's whole photo, re-encoded without metadata, for a copy finder.
pub fn prepare_whole_photo(
    original: &[u8],
    limits: PrepareLimits,
) -> Result<PreparedUpload, PrepareError> {
    let image = decode_oriented(original, limits)?;
    encode_within(image.to_rgb8(), UploadPurpose::WholePhoto, limits)
}

/// A tight crop around `face`, re-encoded without metadata, for a face finder. The box is
/// widened by a small margin so the provider's own detector still finds the face, and no more.
pub fn prepare_face_crop(
    original: &[u8],
    face: FaceBox,
    limits: PrepareLimits,
) -> Result<PreparedUpload, PrepareError> {
    let image = decode_oriented(original, limits)?;
    let (x, y, width, height) = crop_rect(face, image.width(), image.height())?;
    let crop = image.crop_imm(x, y, width, height);
    encode_within(crop.to_rgb8(), UploadPurpose::FaceCrop, limits)
}

/// The margin around a face box, as a fraction of its size on each side.
const FACE_MARGIN: f32 = 0.2;

fn crop_rect(
    face: FaceBox,
    image_width: u32,
    image_height: u32,
) -> Result<(u32, u32, u32, u32), PrepareError> {
    let values = [face.x, face.y, face.width, face.height];
    if values.iter().any(|v| !v.is_finite()) || face.width < 1.0 || face.height < 1.0 {
        return Err(PrepareError::BadFaceBox);
    }
    let margin_x = face.width * FACE_MARGIN;
    let margin_y = face.height * FACE_MARGIN;
    let left = (face.x - margin_x).max(0.0);
    let top = (face.y - margin_y).max(0.0);
    let right = (face.x + face.width + margin_x).min(image_width as f32);
    let bottom = (face.y + face.height + margin_y).min(image_height as f32);
    if right - left < 1.0 || bottom - top < 1.0 {
        return Err(PrepareError::BadFaceBox);
    }
    // Float to pixel: truncation toward the box's inside is what we want here.
    let (left, top) = (left.floor() as u32, top.floor() as u32);
    let (right, bottom) = (right.ceil() as u32, bottom.ceil() as u32);
    Ok((left, top, right - left, bottom - top))
}

fn decode_oriented(original: &[u8], limits: PrepareLimits) -> Result<DynamicImage, PrepareError> {
    if original.len() > limits.max_input_bytes {
        return Err(PrepareError::InputTooLarge {
            size: original.len(),
            limit: limits.max_input_bytes,
        });
    }
    let not_an_image = |e: image::ImageError| PrepareError::NotAnImage {
        reason: e.to_string(),
    };
    let mut reader = ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .map_err(|e| PrepareError::NotAnImage {
            reason: e.to_string(),
        })?;
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(20_000);
    decode_limits.max_image_height = Some(20_000);
    decode_limits.max_alloc = Some(1024 * 1024 * 1024);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(not_an_image)?;
    use image::ImageDecoder as _;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(not_an_image)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Encodes as JPEG, stepping quality and then size down until the bytes fit (bounded steps).
fn encode_within(
    mut pixels: RgbImage,
    purpose: UploadPurpose,
    limits: PrepareLimits,
) -> Result<PreparedUpload, PrepareError> {
    pixels = shrink_to(pixels, limits.max_side);
    const QUALITIES: [u8; 4] = [90, 80, 70, 60];
    const MAX_SHRINKS: usize = 8;
    for _ in 0..=MAX_SHRINKS {
        for quality in QUALITIES {
            let bytes = encode_jpeg(&pixels, quality)?;
            if bytes.len() <= limits.max_bytes {
                return Ok(PreparedUpload {
                    bytes,
                    width: pixels.width(),
                    height: pixels.height(),
                    purpose,
                });
            }
        }
        let longer = pixels.width().max(pixels.height());
        if longer <= 32 {
            break;
        }
        pixels = shrink_to(pixels, longer * 3 / 4);
    }
    Err(PrepareError::CannotFit {
        limit: limits.max_bytes,
    })
}

fn shrink_to(pixels: RgbImage, max_side: u32) -> RgbImage {
    let (width, height) = pixels.dimensions();
    if width.max(height) <= max_side {
        return pixels;
    }
    let scale = max_side as f32 / width.max(height) as f32;
    let new_width = ((width as f32 * scale).round() as u32).max(1);
    let new_height = ((height as f32 * scale).round() as u32).max(1);
    image::imageops::resize(&pixels, new_width, new_height, FilterType::Triangle)
}

fn encode_jpeg(pixels: &RgbImage, quality: u8) -> Result<Vec<u8>, PrepareError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(pixels)
        .map_err(|e| PrepareError::Encode {
            reason: e.to_string(),
        })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG of `width`×`height` with an EXIF block (orientation `orientation`, a GPS tag and a
    /// camera text), an XMP packet and a comment inserted after SOI, as cameras and editors
    /// write them.
    fn jpeg_with_metadata(width: u32, height: u32, orientation: u16) -> Vec<u8> {
        let pixels = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 128])
        });
        let plain = encode_jpeg(&pixels, 95).unwrap();
        // TIFF (little endian): IFD0 with Orientation (0x0112) and GPSInfo pointer (0x8825),
        // and a GPS IFD with GPSLatitudeRef "N".
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"II*\0");
        tiff.extend_from_slice(&8u32.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
        tiff.extend_from_slice(&0x8825u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        // GPS IFD at offset 38.
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x0001u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&2u32.to_le_bytes());
        tiff.extend_from_slice(b"N\0\0\0");
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"CanonEOS-GPS-52.5200N");
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(&tiff);
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF/></x:xmpmeta>".to_vec();
        let comment = b"secret comment".to_vec();
        let mut out = plain[..2].to_vec();
        for (marker, payload) in [(0xE1u8, exif), (0xE1, xmp), (0xFE, comment)] {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
            out.extend_from_slice(&payload);
        }
        out.extend_from_slice(&plain[2..]);
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn assert_no_metadata(bytes: &[u8]) {
        for marker in [
            &b"Exif"[..],
            b"http://ns.adobe.com/xap",
            b"xmpmeta",
            b"GPS",
            b"secret comment",
            b"CanonEOS",
        ] {
            assert!(
                !contains(bytes, marker),
                "output still holds {:?}",
                String::from_utf8_lossy(marker)
            );
        }
        // No APP1 (EXIF/XMP), APP13 (IPTC) or COM segment at all.
        for marker in [[0xFF, 0xE1], [0xFF, 0xED], [0xFF, 0xFE]] {
            assert!(
                !contains(bytes, &marker),
                "output holds segment {marker:02X?}"
            );
        }
    }

    #[test]
    fn the_test_input_really_carries_metadata() {
        let input = jpeg_with_metadata(40, 20, 1);
        assert!(contains(&input, b"Exif\0\0") && contains(&input, b"xmpmeta"));
        assert!(image::load_from_memory(&input).is_ok());
    }

    #[test]
    fn whole_photo_loses_all_metadata_and_keeps_its_turn() {
        // Orientation 6: the stored 40×20 pixels are shown turned 90° clockwise, 20×40.
        let input = jpeg_with_metadata(40, 20, 6);
        let prepared = prepare_whole_photo(&input, PrepareLimits::for_upload(1 << 20)).unwrap();
        assert_no_metadata(prepared.bytes());
        assert_eq!((prepared.width(), prepared.height()), (20, 40));
        assert_eq!(prepared.purpose(), UploadPurpose::WholePhoto);
        let decoded = image::load_from_memory(prepared.bytes()).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (20, 40));
    }

    #[test]
    fn real_photo_fits_serpapi_limit() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/faces/facerec/obama-720p.jpg");
        let original = std::fs::read(path).unwrap();
        let prepared =
            prepare_whole_photo(&original, PrepareLimits::for_upload(500 * 1024)).unwrap();
        assert!(prepared.bytes().len() <= 500 * 1024);
        assert_no_metadata(prepared.bytes());
        let tiny = prepare_whole_photo(&original, PrepareLimits::for_upload(20 * 1024)).unwrap();
        assert!(tiny.bytes().len() <= 20 * 1024);
        assert!(tiny.width() < prepared.width());
    }

    #[test]
    fn face_crop_is_tight_and_clean() {
        let input = jpeg_with_metadata(200, 100, 1);
        let face = FaceBox {
            x: 50.0,
            y: 20.0,
            width: 40.0,
            height: 50.0,
        };
        let prepared = prepare_face_crop(&input, face, PrepareLimits::for_upload(1 << 20)).unwrap();
        assert_no_metadata(prepared.bytes());
        // 20 % margin each side: 40 → 56 wide, 50 → 70 high.
        assert_eq!((prepared.width(), prepared.height()), (56, 70));
        assert_eq!(prepared.purpose(), UploadPurpose::FaceCrop);
        assert!(format!("{prepared:?}").contains("bytes>"));
    }

    #[test]
    fn face_box_is_clamped_or_refused() {
        let check = |face: FaceBox, expected: Result<(u32, u32, u32, u32), PrepareError>| {
            assert_eq!(crop_rect(face, 100, 100), expected, "{face:?}");
        };
        let at = |x, y, width, height| FaceBox {
            x,
            y,
            width,
            height,
        };
        check(at(0.0, 0.0, 10.0, 10.0), Ok((0, 0, 12, 12)));
        check(at(90.0, 90.0, 20.0, 20.0), Ok((86, 86, 14, 14)));
        check(at(200.0, 0.0, 10.0, 10.0), Err(PrepareError::BadFaceBox));
        check(at(10.0, 10.0, 0.0, 10.0), Err(PrepareError::BadFaceBox));
        check(
            at(f32::NAN, 10.0, 10.0, 10.0),
            Err(PrepareError::BadFaceBox),
        );
    }

    #[test]
    fn not_an_image_and_oversized_inputs_are_refused() {
        let limits = PrepareLimits::for_upload(1 << 20);
        assert!(matches!(
            prepare_whole_photo(b"<html>not a photo</html>", limits),
            Err(PrepareError::NotAnImage { .. })
        ));
        let small = PrepareLimits {
            max_input_bytes: 10,
            ..limits
        };
        assert!(matches!(
            prepare_whole_photo(&[0u8; 11], small),
            Err(PrepareError::InputTooLarge {
                size: 11,
                limit: 10
            })
        ));
    }
}
