//! Hostile and unusual inputs: each gives a typed error or a correct result, never a panic, and
//! memory stays bounded by the decode limits. Every input is generated here.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::sync::OnceLock;

use image::{DynamicImage, ImageFormat, RgbImage, Rgba, RgbaImage};
use takeback_faces::{decode_image, DecodeLimits, FaceEngine, FaceError};

fn engine() -> &'static FaceEngine {
    static ENGINE: OnceLock<FaceEngine> = OnceLock::new();
    ENGINE.get_or_init(|| FaceEngine::load().unwrap())
}

fn testdata(rel: &str) -> DynamicImage {
    let path = takeback_faces::testing::testdata_dir().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "test image {} missing ({e}); tests/fixtures/faces is part of the repository",
            path.display()
        )
    });
    decode_image(&bytes, &DecodeLimits::default()).unwrap()
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A syntactically valid PNG header declaring `width x height` RGB8, with a tiny IDAT.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    // zlib stream of a few zero bytes (stored block).
    png_chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01,
        ],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[test]
fn empty_input_is_a_typed_error() {
    assert!(matches!(
        engine().detect_bytes(&[]),
        Err(FaceError::EmptyInput)
    ));
}

#[test]
fn zero_size_images_are_typed_errors() {
    assert!(matches!(
        engine().detect(&DynamicImage::new_rgb8(0, 0)),
        Err(FaceError::ZeroSize { .. })
    ));
    assert!(matches!(
        engine().detect(&DynamicImage::new_rgb8(10, 0)),
        Err(FaceError::ZeroSize { .. })
    ));
    let err = engine().detect_bytes(&png_declaring(0, 0)).unwrap_err();
    assert!(
        matches!(err, FaceError::Corrupt(_) | FaceError::ZeroSize { .. }),
        "{err:?}"
    );
}

#[test]
fn garbage_and_unknown_formats_are_typed_errors() {
    assert!(matches!(
        engine().detect_bytes(b"hello, this is not an image"),
        Err(FaceError::UnsupportedFormat)
    ));
    let mut fake_png = b"\x89PNG\r\n\x1a\n".to_vec();
    fake_png.extend((0..500u32).map(|i| (i * 7919 % 251) as u8));
    let err = engine().detect_bytes(&fake_png).unwrap_err();
    assert!(matches!(err, FaceError::Corrupt(_)), "{err:?}");
}

#[test]
fn truncated_files_give_an_error_or_an_image_never_a_panic() {
    let photo = testdata("facerec/obama.jpg");
    for format in [
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::Gif,
        ImageFormat::WebP,
    ] {
        let small = photo.resize(200, 200, image::imageops::FilterType::Triangle);
        let small = DynamicImage::ImageRgb8(small.to_rgb8());
        let bytes = encode(&small, format);
        for cut in [bytes.len() / 10, bytes.len() / 2, bytes.len() - 2] {
            match engine().detect_bytes(&bytes[..cut]) {
                Ok(_) => {}
                Err(FaceError::Corrupt(_) | FaceError::UnsupportedFormat) => {}
                Err(other) => panic!("{format:?} cut at {cut}: unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn decompression_bomb_is_refused_before_decoding() {
    let err = engine()
        .detect_bytes(&png_declaring(30_000, 30_000))
        .unwrap_err();
    assert!(
        matches!(
            err,
            FaceError::TooLarge { .. } | FaceError::LimitExceeded(_)
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("too large") || err.to_string().contains("limit"),
        "{err}"
    );
    // Within the per-side limit but over the pixel budget.
    let err = engine()
        .detect_bytes(&png_declaring(16_000, 16_000))
        .unwrap_err();
    assert!(
        matches!(
            err,
            FaceError::TooLarge { .. } | FaceError::LimitExceeded(_)
        ),
        "{err:?}"
    );
    if let Some(peak) = peak_rss_mb() {
        assert!(peak < 1024.0, "peak RSS {peak} MB");
    }
}

#[test]
fn oversized_file_is_refused() {
    let limits = DecodeLimits {
        max_file_bytes: 1000,
        ..DecodeLimits::default()
    };
    let bytes = encode(&DynamicImage::new_rgb8(100, 100), ImageFormat::Png);
    let big: Vec<u8> = bytes
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0, 2000))
        .collect();
    assert!(matches!(
        decode_image(&big, &limits),
        Err(FaceError::FileTooLarge { .. })
    ));
}

#[test]
fn no_face_gives_an_empty_list() {
    let gradient = RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 2) as u8, 128])
    });
    assert!(engine()
        .detect(&DynamicImage::ImageRgb8(gradient))
        .unwrap()
        .is_empty());
}

#[test]
fn grayscale_sixteen_bit_and_alpha_inputs_find_the_same_face() {
    let photo = testdata("facerec/obama.jpg");
    let reference = engine().detect(&photo).unwrap();
    assert_eq!(reference.len(), 1);
    let variants = [
        (
            "16-bit PNG",
            encode(
                &DynamicImage::ImageRgb16(photo.to_rgb16()),
                ImageFormat::Png,
            ),
        ),
        (
            "grayscale PNG",
            encode(
                &DynamicImage::ImageLuma8(photo.to_luma8()),
                ImageFormat::Png,
            ),
        ),
        (
            "16-bit grayscale PNG",
            encode(
                &DynamicImage::ImageLuma16(photo.to_luma16()),
                ImageFormat::Png,
            ),
        ),
        (
            "RGBA PNG",
            encode(
                &DynamicImage::ImageRgba8(photo.to_rgba8()),
                ImageFormat::Png,
            ),
        ),
        (
            "grayscale JPEG",
            encode(
                &DynamicImage::ImageLuma8(photo.to_luma8()),
                ImageFormat::Jpeg,
            ),
        ),
    ];
    for (what, bytes) in variants {
        let faces = engine().detect_bytes(&bytes).unwrap();
        assert_eq!(faces.len(), 1, "{what}");
        let (a, b) = (faces[0].bbox, reference[0].bbox);
        assert!(
            (a.x - b.x).abs() < 8.0 && (a.width - b.width).abs() < 8.0,
            "{what}: {a:?} vs {b:?}"
        );
    }
}

#[test]
fn cmyk_jpeg_is_decoded_as_rgb() {
    let photo = testdata("facerec/obama.jpg").to_rgb8();
    let (w, h) = photo.dimensions();
    // Naive RGB -> CMYK (Adobe-style inverted values), encoded as a 4-component JPEG.
    let cmyk: Vec<u8> = photo
        .pixels()
        .flat_map(|p| {
            let k = 255 - p[0].max(p[1]).max(p[2]);
            let inv = |v: u8| {
                if k == 255 {
                    0
                } else {
                    ((255 - v - k) as u32 * 255 / (255 - k as u32)) as u8
                }
            };
            [255 - inv(p[0]), 255 - inv(p[1]), 255 - inv(p[2]), 255 - k]
        })
        .collect();
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 90)
        .encode(&cmyk, w as u16, h as u16, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    match engine().detect_bytes(&bytes) {
        Ok(faces) => assert!(faces.len() <= 1),
        Err(e) => assert!(
            matches!(e, FaceError::Corrupt(_) | FaceError::UnsupportedFormat),
            "{e:?}"
        ),
    }
}

#[test]
fn animated_gif_uses_the_first_frame() {
    let face = testdata("facerec/obama.jpg")
        .resize(320, 320, image::imageops::FilterType::Triangle)
        .to_rgba8();
    let blank = RgbaImage::from_pixel(face.width(), face.height(), Rgba([200, 200, 200, 255]));
    let mut bytes = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
        encoder
            .encode_frames([
                image::Frame::new(face.clone()),
                image::Frame::new(blank.clone()),
            ])
            .unwrap();
    }
    assert_eq!(
        engine().detect_bytes(&bytes).unwrap().len(),
        1,
        "face is in frame 1"
    );
    let mut bytes = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
        encoder
            .encode_frames([image::Frame::new(blank), image::Frame::new(face)])
            .unwrap();
    }
    assert!(
        engine().detect_bytes(&bytes).unwrap().is_empty(),
        "frame 1 is blank"
    );
}

/// Wraps single-frame lossless WebP bitstreams into an animated WebP (VP8X + ANIM + ANMF chunks).
fn animated_webp(frames: &[RgbaImage]) -> Vec<u8> {
    let (w, h) = frames[0].dimensions();
    let u24 = |v: u32| v.to_le_bytes()[..3].to_vec();
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = kind.to_vec();
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let mut body = b"WEBP".to_vec();
    let mut vp8x = vec![0x02 | 0x10, 0, 0, 0]; // animation + alpha
    vp8x.extend(u24(w - 1));
    vp8x.extend(u24(h - 1));
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    for frame in frames {
        let mut single = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut single)
            .encode(frame.as_raw(), w, h, image::ExtendedColorType::Rgba8)
            .unwrap();
        // A simple lossless file is RIFF header (12 bytes) then exactly one VP8L chunk.
        let vp8l = &single[12..];
        assert_eq!(&vp8l[..4], b"VP8L");
        let mut anmf = Vec::new();
        anmf.extend(u24(0));
        anmf.extend(u24(0));
        anmf.extend(u24(w - 1));
        anmf.extend(u24(h - 1));
        anmf.extend(u24(100));
        anmf.push(0);
        anmf.extend_from_slice(vp8l);
        body.extend(chunk(b"ANMF", &anmf));
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

#[test]
fn animated_webp_uses_the_first_frame() {
    let face = testdata("facerec/obama.jpg")
        .resize(320, 320, image::imageops::FilterType::Triangle)
        .to_rgba8();
    let blank = RgbaImage::from_pixel(face.width(), face.height(), Rgba([200, 200, 200, 255]));
    let with_face_first = animated_webp(&[face.clone(), blank.clone()]);
    assert_eq!(engine().detect_bytes(&with_face_first).unwrap().len(), 1);
    let blank_first = animated_webp(&[blank, face]);
    assert!(engine().detect_bytes(&blank_first).unwrap().is_empty());
}

#[test]
fn fifty_faces_in_one_image() {
    // Face portraits (each with some margin) from the single-face test photos, tiled 7 x 8.
    let sources = [
        "faceapi/angry.jpg",
        "faceapi/happy.jpg",
        "faceapi/sad.jpg",
        "faceapi/surprised.jpg",
        "facerec/obama.jpg",
        "facerec/biden.jpg",
    ];
    let mut portraits = Vec::new();
    for source in sources {
        let photo = testdata(source);
        let face = engine().detect(&photo).unwrap()[0].bbox;
        let side = face.width.max(face.height) * 1.6;
        let (cx, cy) = (face.x + face.width / 2.0, face.y + face.height / 2.0);
        let x = (cx - side / 2.0).max(0.0) as u32;
        let y = (cy - side / 2.0).max(0.0) as u32;
        let side = (side as u32).min(photo.width() - x).min(photo.height() - y);
        portraits.push(
            photo
                .crop_imm(x, y, side, side)
                .resize_exact(180, 180, image::imageops::FilterType::Triangle)
                .to_rgb8(),
        );
    }
    let (cols, rows, cell) = (7u32, 8u32, 200u32);
    let mut canvas = RgbImage::from_pixel(cols * cell, rows * cell, image::Rgb([180, 180, 180]));
    for k in 0..50 {
        let portrait = &portraits[k as usize % portraits.len()];
        image::imageops::replace(
            &mut canvas,
            portrait,
            i64::from((k % cols) * cell + 10),
            i64::from((k / cols) * cell + 10),
        );
    }
    let faces = engine().detect(&DynamicImage::ImageRgb8(canvas)).unwrap();
    eprintln!("fifty faces: found {}", faces.len());
    // The 1400 x 1600 canvas is sampled at full resolution into the SSD's 512 input, as face-api
    // does (no antialiasing); that finds 42 here (47 when the engine still downscaled to 1024
    // px first, at the price of boxes that differed from face-api's on large photos).
    assert!(
        faces.len() >= 40 && faces.len() <= 50,
        "found {} of 50 faces",
        faces.len()
    );
    for f in &faces {
        assert_eq!(f.landmarks.len(), 68);
        assert_eq!(f.descriptor.as_slice().len(), 128);
        // Every box lies on the grid, inside one cell.
        let (col, row) = (
            (f.bbox.x / cell as f32) as u32,
            (f.bbox.y / cell as f32) as u32,
        );
        assert!(
            row * cols + col < 50,
            "face found in an empty cell: {:?}",
            f.bbox
        );
    }
}
