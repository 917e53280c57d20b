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
    let out = engine.ssd().forward(input)?;
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
/// [`FaceEngine::detect`] prepares it: the pixels the golden fixtures were computed on.
pub fn golden_inputs(root: &std::path::Path) -> Result<Vec<(String, image::RgbImage)>, FaceError> {
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
    let io_error = |source| FaceError::Io {
        path: root.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    walk(root, &mut paths).map_err(io_error)?;
    let options = crate::EngineOptions::default();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(|source| FaceError::Io {
                path: path.clone(),
                source,
            })?;
            let image = crate::decode_image(&bytes, &options.decode_limits)?;
            let prepared = crate::prepare_image(&image, options.max_long_side);
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            Ok((name, prepared))
        })
        .collect()
}
