//! Hooks for the golden tests and the benchmark: each network alone on a prepared input.
//! Not a stable API.

pub use crate::ops::image_prep::RgbF32;
use crate::{FaceEngine, FaceError};

/// A prepared square network input (values 0..255, HWC).
pub fn rgb_input(width: usize, height: usize, data: Vec<f32>) -> RgbF32 {
    RgbF32 {
        width,
        height,
        data,
    }
}

/// SSD raw outputs on a 512x512 input: (boxes `[ymin,xmin,ymax,xmax]`, scores) for all 5118 anchors.
pub fn ssd_raw(
    engine: &FaceEngine,
    input: &RgbF32,
) -> Result<(Vec<[f32; 4]>, Vec<f32>), FaceError> {
    let out = engine
        .ssd()
        .forward(input, crate::ops::Products::Bf16IfLoaded)?;
    Ok((out.boxes, out.scores))
}

/// Landmark net raw output (136 values, relative to the 112 square) on a 112x112 input.
pub fn landmarks_raw(engine: &FaceEngine, input: &RgbF32) -> Result<Vec<f32>, FaceError> {
    engine.landmark_net().forward(input)
}

/// Recognition descriptors of 150x150 inputs.
pub fn descriptors_raw(engine: &FaceEngine, inputs: &[RgbF32]) -> Result<Vec<Vec<f32>>, FaceError> {
    engine.recognition_net().forward_batch(inputs)
}

/// Age on a 112x112 input.
pub fn age_raw(engine: &FaceEngine, input: &RgbF32) -> Result<f32, FaceError> {
    engine.age_net().forward(input)
}

/// The synthetic test pattern the golden script also uses: `(7x + 13y + 29c + (x*y mod 17)) mod 256`.
pub fn synthetic(size: usize) -> RgbF32 {
    let mut data = Vec::with_capacity(size * size * 3);
    for y in 0..size {
        for x in 0..size {
            for c in 0..3 {
                data.push(((7 * x + 13 * y + 29 * c + (x * y) % 17) % 256) as f32);
            }
        }
    }
    RgbF32 {
        width: size,
        height: size,
        data,
    }
}

/// `tests/fixtures/faces`, found relative to this crate (`../../tests/fixtures/faces`).
pub fn testdata_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces")
}

/// SHA-256 in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::models::sha256_hex(bytes)
}

/// Every image below `root` (sorted, path relative to `root` with `/`), decoded and prepared exactly as
/// [`FaceEngine::detect`] prepares it, then the [`generated_scenes`] built from them: the pixels the
/// golden fixtures were computed on.
pub fn golden_inputs(root: &std::path::Path) -> Result<Vec<(String, image::RgbImage)>, FaceError> {
    let mut inputs: Vec<(String, image::RgbImage)> = image_files(root)?
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            Ok((name, load_fixture(&path)?))
        })
        .collect::<Result<_, FaceError>>()?;
    inputs.extend(generated_scenes(root)?);
    Ok(inputs)
}

/// Every image file below `root`, sorted.
pub fn image_files(root: &std::path::Path) -> Result<Vec<std::path::PathBuf>, FaceError> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e != "md") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut paths = Vec::new();
    walk(root, &mut paths).map_err(|source| FaceError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    Ok(paths)
}

/// One test image as the engine sees it (decoded within the default limits, EXIF-oriented, RGB8).
pub fn load_fixture(path: &std::path::Path) -> Result<image::RgbImage, FaceError> {
    let bytes = std::fs::read(path).map_err(|source| FaceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let image = crate::decode_image(&bytes, &crate::DecodeLimits::default())?;
    Ok(crate::prepare_image(&image))
}

/// Bilinear resize in integer arithmetic (8-bit fractions, pixel centres aligned): the same bytes
/// on every machine and compiler, so generated test images need no stored copy, only their
/// SHA-256 in the golden file.
pub fn resize_exact(src: &image::RgbImage, width: u32, height: u32) -> image::RgbImage {
    let (sw, sh) = (i64::from(src.width()), i64::from(src.height()));
    // Source position of output index `o` in 1/256 px, clamped to the image.
    let locate = |o: u32, out: u32, len: i64| -> (u32, u32, i64) {
        let at = ((2 * i64::from(o) + 1) * len * 256 / (2 * i64::from(out)) - 128)
            .clamp(0, (len - 1) * 256);
        let i0 = at >> 8;
        ((i0) as u32, (i0 + 1).min(len - 1) as u32, at & 255)
    };
    let columns: Vec<_> = (0..width).map(|x| locate(x, width, sw)).collect();
    image::RgbImage::from_fn(width, height, |x, y| {
        let (y0, y1, fy) = locate(y, height, sh);
        let (x0, x1, fx) = columns[x as usize];
        let mut out = [0u8; 3];
        for (c, v) in out.iter_mut().enumerate() {
            let p = |x: u32, y: u32| i64::from(src.get_pixel(x, y)[c]);
            let top = p(x0, y0) * (256 - fx) + p(x1, y0) * fx;
            let bottom = p(x0, y1) * (256 - fx) + p(x1, y1) * fx;
            *v = ((top * (256 - fy) + bottom * fy + 32768) >> 16) as u8;
        }
        image::Rgb(out)
    })
}

/// A smooth, deterministic background: diagonal colour gradients with a soft wave, no face-like
/// structure.
pub fn background(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        let wave = ((x / 7 + y / 11) % 64) as u8;
        image::Rgb([
            (60 + (x * 90 / width.max(1)) as u8).wrapping_add(wave / 4),
            (80 + (y * 70 / height.max(1)) as u8).wrapping_add(wave / 8),
            (110 + ((x + y) * 60 / (width + height).max(1)) as u8),
        ])
    })
}

/// Pastes `src` onto `canvas` with its top-left corner at `(x, y)`, clipped to the canvas.
pub fn paste(canvas: &mut image::RgbImage, src: &image::RgbImage, x: u32, y: u32) {
    for sy in 0..src.height() {
        let cy = y + sy;
        if cy >= canvas.height() {
            break;
        }
        for sx in 0..src.width() {
            let cx = x + sx;
            if cx >= canvas.width() {
                break;
            }
            canvas.put_pixel(cx, cy, *src.get_pixel(sx, sy));
        }
    }
}

/// Large photos for the golden set, built from the test photos so nothing large is stored:
/// `generated/bbt1-1920` (a group photo upscaled to 1920 px wide) and `generated/collage-4000`
/// (4000 x 3000, several photos upscaled side by side on a generated background).
pub fn generated_scenes(
    root: &std::path::Path,
) -> Result<Vec<(String, image::RgbImage)>, FaceError> {
    let load = |rel: &str| load_fixture(&root.join(rel));
    let scaled = |rel: &str, width: u32| -> Result<image::RgbImage, FaceError> {
        let img = load(rel)?;
        let height =
            (u64::from(img.height()) * u64::from(width) / u64::from(img.width())).max(1) as u32;
        Ok(resize_exact(&img, width, height))
    };
    let bbt = scaled("faceapi/bbt1.jpg", 1920)?;
    let mut collage = background(4000, 3000);
    paste(
        &mut collage,
        &scaled("facerec/obama_and_biden.jpg", 2400)?,
        0,
        0,
    );
    paste(&mut collage, &scaled("facerec/biden2.jpg", 1500)?, 2480, 40);
    paste(&mut collage, &scaled("faceapi/bbt2.jpg", 2200)?, 0, 1760);
    paste(
        &mut collage,
        &scaled("facerec/obama.jpg", 1100)?,
        2600,
        1640,
    );
    Ok(vec![
        ("generated/bbt1-1920".to_owned(), bbt),
        ("generated/collage-4000".to_owned(), collage),
    ])
}

/// The face-api example crops, `faceapi/<name>/*.png` below [`testdata_dir`]: (name, crops), by
/// name.
pub fn face_crops_by_person() -> Result<Vec<(String, Vec<image::RgbImage>)>, FaceError> {
    let root = testdata_dir().join("faceapi");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map_err(|source| FaceError::Io {
            path: root.clone(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let crops = image_files(&dir)?
                .iter()
                .map(|p| load_fixture(p))
                .collect::<Result<Vec<_>, _>>()?;
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok((name, crops))
        })
        .collect()
}

/// A face planted in a generated scene.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    /// Index into the people given to [`small_face_scenes`].
    pub person: usize,
    /// Which of that person's crops.
    pub crop: usize,
    /// The square the face fills, in scene pixels: (x, y, side).
    pub face: (f64, f64, f64),
}

impl Planted {
    /// Whether `face` is this planted face: its box's centre lies in the planted square and its
    /// width is within a factor of two of the square's side.
    pub fn is_found_by(&self, face: &crate::Face) -> bool {
        let (x, y, side) = self.face;
        let cx = f64::from(face.bbox.x + face.bbox.width / 2.0);
        let cy = f64::from(face.bbox.y + face.bbox.height / 2.0);
        let w = f64::from(face.bbox.width);
        (x..x + side).contains(&cx)
            && (y..y + side).contains(&cy)
            && w > side * 0.5
            && w < side * 2.0
    }
}

/// The golden 4000 x 3000 collage of real photos (`generated/collage-4000` of
/// [`generated_scenes`]).
///
/// # Panics
///
/// When [`generated_scenes`] no longer makes it.
pub fn golden_collage(root: &std::path::Path) -> Result<image::RgbImage, FaceError> {
    Ok(generated_scenes(root)?
        .into_iter()
        .find(|(name, _)| name == "generated/collage-4000")
        .expect("generated_scenes makes generated/collage-4000")
        .1)
}

/// A crop's side relative to the face it holds: the SSD box on a face-api 150-px chip is about
/// 0.8 of the chip.
const CROP_PER_FACE: f64 = 1.25;

/// Pastes `src` at (x, y) with its border blended into the background over 12 % of its side, so
/// the crop's square edge does not look like an object of its own.
pub fn paste_feathered(canvas: &mut image::RgbImage, src: &image::RgbImage, x: u32, y: u32) {
    let side = f64::from(src.width().min(src.height()));
    let ramp = (side * 0.12).max(1.0);
    for sy in 0..src.height() {
        for sx in 0..src.width() {
            let edge = f64::from(
                sx.min(sy)
                    .min(src.width() - 1 - sx)
                    .min(src.height() - 1 - sy),
            );
            let alpha = (edge / ramp).min(1.0);
            let (cx, cy) = (x + sx, y + sy);
            if cx >= canvas.width() || cy >= canvas.height() {
                continue;
            }
            let under = *canvas.get_pixel(cx, cy);
            let over = src.get_pixel(sx, sy);
            let mut px = under;
            for c in 0..3 {
                px[c] = (f64::from(over[c]) * alpha + f64::from(under[c]) * (1.0 - alpha)).round()
                    as u8;
            }
            canvas.put_pixel(cx, cy, px);
        }
    }
}

/// Large scenes of small faces: every crop of every person, ten per `width x height` scene (a
/// 5 x 2 grid, jittered), each scaled so its face is 70-110 px, on [`background`].
pub fn small_face_scenes(
    people: &[(String, Vec<image::RgbImage>)],
    width: u32,
    height: u32,
) -> Vec<(image::RgbImage, Vec<Planted>)> {
    face_scenes(people, width, height, (70, 110))
}

/// [`small_face_scenes`] with faces of `min..=max` px, spread over the range.
pub fn face_scenes(
    people: &[(String, Vec<image::RgbImage>)],
    width: u32,
    height: u32,
    (min, max): (u32, u32),
) -> Vec<(image::RgbImage, Vec<Planted>)> {
    let span = max.saturating_sub(min) + 1;
    let all: Vec<(usize, usize, &image::RgbImage)> = people
        .iter()
        .enumerate()
        .flat_map(|(p, (_, crops))| crops.iter().enumerate().map(move |(i, c)| (p, i, c)))
        .collect();
    let (cell_w, cell_h) = (width / 5, height / 2);
    let mut out = Vec::new();
    for (scene, chunk) in all.chunks(10).enumerate() {
        let mut canvas = background(width, height);
        let mut planted = Vec::new();
        for (i, &(person, crop_index, crop)) in chunk.iter().enumerate() {
            let k = (scene * 10 + i) as u32;
            let face = min + (k * 37 % span); // min..=max, spread
            let side = (f64::from(face) * CROP_PER_FACE).round() as u32;
            let (col, row) = (i as u32 % 5, i as u32 / 5);
            let x = col * cell_w + 20 + k * 131 % cell_w.saturating_sub(side + 40).max(1);
            let y = row * cell_h + 20 + k * 227 % cell_h.saturating_sub(side + 40).max(1);
            paste_feathered(&mut canvas, &resize_exact(crop, side, side), x, y);
            let margin = f64::from(side - face) / 2.0;
            planted.push(Planted {
                person,
                crop: crop_index,
                face: (
                    f64::from(x) + margin,
                    f64::from(y) + margin,
                    f64::from(face),
                ),
            });
        }
        out.push((canvas, planted));
    }
    out
}
