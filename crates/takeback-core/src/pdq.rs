//! PDQ, the perceptual hash StopNCII and industry hash-sharing use (PRODUCT.md §3.2): 256 bits
//! that stay close when a photo is resized, re-encoded or lightly edited, so copies of a photo
//! are found even when it shows no face.
//!
//! Implemented from Meta's published algorithm ("The TMK+PDQF and PDQ hashing algorithms",
//! facebook/ThreatExchange `pdq/`): luminance; two passes of a Jarosz tent filter sized to the
//! image; decimation to 64×64; the 16×16 low-frequency corner of a DCT (skipping the DC row and
//! column); one bit per coefficient, set when above the median. The tests check Meta's published
//! hash of its reference image. (The `pdqhash` crate does the same but is tied to `image` 0.23.)

use std::fmt;

use image::DynamicImage;

/// Hamming distance at or below which two hashes are near-duplicates: Meta's recommended
/// matching threshold for PDQ (31 of 256 bits).
pub const NEAR_DUPLICATE_THRESHOLD: u32 = 31;

/// Hashes below this quality (0–100) come from flat or featureless images and match too much;
/// Meta suggests ignoring them.
pub const MIN_USEFUL_QUALITY: u8 = 50;

/// Images with a longer side above this are scaled down before hashing, to bound the work.
const MAX_HASHED_SIDE: u32 = 2048;
/// Images smaller than this on either side carry too little to hash.
const MIN_HASHED_SIDE: u32 = 5;

const BUFFER_SIDE: usize = 64;
const DCT_SIDE: usize = 16;
const TENT_PASSES: usize = 2;

/// A 256-bit PDQ hash, in the byte order of Meta's hex form.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PdqHash([u8; 32]);

/// A hash with its quality (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqDigest {
    pub hash: PdqHash,
    pub quality: u8,
}

impl PdqDigest {
    /// Whether the image had enough detail for its hash to mean something.
    pub fn is_useful(&self) -> bool {
        self.quality >= MIN_USEFUL_QUALITY
    }
}

impl PdqHash {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Meta's 64-character hex form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// Number of differing bits (0–256).
    pub fn distance(&self, other: &PdqHash) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    pub fn is_near_duplicate(&self, other: &PdqHash) -> bool {
        self.distance(other) <= NEAR_DUPLICATE_THRESHOLD
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

/// Serialised as Meta's hex form.
impl serde::Serialize for PdqHash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The PDQ hash of a decoded image, or `None` if it is smaller than 5 pixels on a side.
pub fn pdq_hash(image: &DynamicImage) -> Option<PdqDigest> {
    if image.width() < MIN_HASHED_SIDE || image.height() < MIN_HASHED_SIDE {
        return None;
    }
    let scaled;
    let image = if image.width().max(image.height()) > MAX_HASHED_SIDE {
        scaled = image.resize(
            MAX_HASHED_SIDE,
            MAX_HASHED_SIDE,
            image::imageops::FilterType::Triangle,
        );
        &scaled
    } else {
        image
    };
    let rgb = image.to_rgb8();
    let (cols, rows) = (rgb.width() as usize, rgb.height() as usize);
    let mut luma: Vec<f32> = rgb
        .pixels()
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .collect();
    tent_filter(&mut luma, rows, cols);
    let buffer = decimate(&luma, rows, cols);
    let quality = quality(&buffer);
    let dct = dct_16(&buffer);
    Some(PdqDigest {
        hash: PdqHash(bits_above_median(&dct)),
        quality,
    })
}

/// Box-filter window for shrinking `old` samples to `new` (PDQ's "Jarosz filter" size).
fn window_size(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new).max(1)
}

/// Two passes of a box filter along rows then columns: together a tent-like low-pass filter
/// that removes what the 64×64 decimation would alias.
fn tent_filter(pixels: &mut [f32], rows: usize, cols: usize) {
    let row_window = window_size(cols, BUFFER_SIDE);
    let col_window = window_size(rows, BUFFER_SIDE);
    let mut temp = vec![0.0f32; pixels.len()];
    for _ in 0..TENT_PASSES {
        for row in 0..rows {
            box_1d(pixels, &mut temp, row * cols, cols, 1, row_window);
        }
        for col in 0..cols {
            box_1d(&temp, pixels, col, rows, cols, col_window);
        }
    }
}

/// A centred running mean over `len` samples starting at `start`, `stride` apart, the window
/// shrinking at both ends. The phases and the order of additions follow Meta's reference, so the
/// floating-point sums, and with them the hashes, come out bit for bit the same.
fn box_1d(
    input: &[f32],
    output: &mut [f32],
    start: usize,
    len: usize,
    stride: usize,
    window: usize,
) {
    let window = window.clamp(1, len.max(1));
    let half = (window + 2) / 2; // 7 -> 4, 8 -> 5
    let lead = half - 1;
    let at = |i: usize| start + i * stride;
    let mut sum = 0.0f32;
    let mut count = 0.0f32;
    // Accumulate the first half window without writing.
    for i in 0..lead {
        sum += input[at(i)];
        count += 1.0;
    }
    // Grow to the full window, writing `lead` samples behind.
    for i in lead..window {
        sum += input[at(i)];
        count += 1.0;
        output[at(i - lead)] = sum / count;
    }
    // Slide the full window.
    for i in window..len {
        sum += input[at(i)];
        sum -= input[at(i - window)];
        output[at(i - lead)] = sum / count;
    }
    // Shrink it over the last `lead` samples.
    for i in len - lead..len {
        sum -= input[at(i + lead - window)];
        count -= 1.0;
        output[at(i)] = sum / count;
    }
}

/// Samples the filtered image at the centres of a 64×64 grid.
fn decimate(pixels: &[f32], rows: usize, cols: usize) -> [[f32; BUFFER_SIDE]; BUFFER_SIDE] {
    let mut out = [[0.0f32; BUFFER_SIDE]; BUFFER_SIDE];
    for (out_row, line) in out.iter_mut().enumerate() {
        let row = ((out_row * 2 + 1) * rows) / (BUFFER_SIDE * 2);
        for (out_col, value) in line.iter_mut().enumerate() {
            let col = ((out_col * 2 + 1) * cols) / (BUFFER_SIDE * 2);
            *value = pixels[row * cols + col];
        }
    }
    out
}

/// PDQ's quality: the sum of significant neighbour differences, scaled to 0–100.
fn quality(buffer: &[[f32; BUFFER_SIDE]; BUFFER_SIDE]) -> u8 {
    let mut gradient_sum: i64 = 0;
    let mut add = |u: f32, v: f32| {
        let d = (u - v) * 100.0 / 255.0;
        // Truncation per difference, as in the reference: small differences count for nothing.
        gradient_sum += d.abs() as i64;
    };
    for rows in buffer.windows(2) {
        for (u, v) in rows[0].iter().zip(rows[1].iter()) {
            add(*u, *v);
        }
    }
    for row in buffer {
        for pair in row.windows(2) {
            add(pair[0], pair[1]);
        }
    }
    (gradient_sum / 90).clamp(0, 100) as u8
}

/// The DCT basis rows 1..=16 (row 0, the average, carries no pattern and is skipped).
fn dct_matrix() -> [[f32; BUFFER_SIDE]; DCT_SIDE] {
    let mut matrix = [[0.0f32; BUFFER_SIDE]; DCT_SIDE];
    let scale = (2.0f64 / BUFFER_SIDE as f64).sqrt();
    for (i, row) in matrix.iter_mut().enumerate() {
        for (j, value) in row.iter_mut().enumerate() {
            let angle = std::f64::consts::PI / 2.0 / BUFFER_SIDE as f64
                * (i + 1) as f64
                * (2 * j + 1) as f64;
            *value = (scale * angle.cos()) as f32;
        }
    }
    matrix
}

/// `D · B · Dᵀ`: the 16×16 low-frequency DCT coefficients of the 64×64 buffer.
fn dct_16(buffer: &[[f32; BUFFER_SIDE]; BUFFER_SIDE]) -> [f32; DCT_SIDE * DCT_SIDE] {
    let d = dct_matrix();
    let mut partial = [[0.0f32; BUFFER_SIDE]; DCT_SIDE];
    for i in 0..DCT_SIDE {
        for j in 0..BUFFER_SIDE {
            let mut sum = 0.0f32;
            for k in 0..BUFFER_SIDE {
                sum += d[i][k] * buffer[k][j];
            }
            partial[i][j] = sum;
        }
    }
    let mut out = [0.0f32; DCT_SIDE * DCT_SIDE];
    for i in 0..DCT_SIDE {
        for j in 0..DCT_SIDE {
            let mut sum = 0.0f32;
            for k in 0..BUFFER_SIDE {
                sum += partial[i][k] * d[j][k];
            }
            out[i * DCT_SIDE + j] = sum;
        }
    }
    out
}

/// One bit per coefficient, set when it is above the median; coefficient `8i + j` is bit `j` of
/// byte `31 − i` (Meta's hex prints the last coefficients first).
fn bits_above_median(dct: &[f32; DCT_SIDE * DCT_SIDE]) -> [u8; 32] {
    let mut sorted = *dct;
    sorted.sort_by(f32::total_cmp);
    // The 128th smallest, as the reference's Torben median picks for 256 values.
    let median = sorted[sorted.len().div_ceil(2) - 1];
    let mut hash = [0u8; 32];
    for (i, chunk) in dct.chunks_exact(8).enumerate() {
        let mut byte = 0u8;
        for (j, value) in chunk.iter().enumerate() {
            if *value > median {
                byte |= 1 << j;
            }
        }
        hash[31 - i] = byte;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata(path: &str) -> Vec<u8> {
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
    }

    fn faces(path: &str) -> DynamicImage {
        image::load_from_memory(&testdata(&format!("../../tests/fixtures/faces/{path}"))).unwrap()
    }

    fn hash_of(bytes: &[u8]) -> PdqDigest {
        pdq_hash(&image::load_from_memory(bytes).unwrap()).unwrap()
    }

    /// Meta's published hashes of its reference images (testdata/pdq/README.md). JPEG decoders
    /// may differ by a rounding here and there, so a bit or two of slack is allowed.
    #[test]
    fn reproduces_metas_reference_hashes() {
        for (file, expected) in [
            (
                "bridge-1-original.jpg",
                "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
            ),
            (
                "bridge-2-rotate-90.jpg",
                "30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af",
            ),
        ] {
            let digest = hash_of(&testdata(&format!("testdata/pdq/{file}")));
            let expected = PdqHash::from_hex(expected).unwrap();
            assert!(
                digest.hash.distance(&expected) <= 2,
                "{file}: got {} (distance {})",
                digest.hash,
                digest.hash.distance(&expected)
            );
            assert_eq!(digest.quality, 100, "{file}");
        }
    }

    #[test]
    fn copies_are_near_and_other_photos_far() {
        let original = faces("facerec/obama.jpg");
        let hash = pdq_hash(&original).unwrap();
        assert!(hash.is_useful());
        // A smaller, re-encoded copy.
        let small = original.resize(
            original.width() / 2,
            original.height() / 2,
            image::imageops::FilterType::Triangle,
        );
        let mut jpeg = Vec::new();
        small
            .to_rgb8()
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let copy = hash_of(&jpeg);
        assert!(
            hash.hash.is_near_duplicate(&copy.hash),
            "distance {}",
            hash.hash.distance(&copy.hash)
        );
        // Someone else's photo, and a different photo of the same person.
        for other in [
            "facerec/biden.jpg",
            "facerec/obama2.jpg",
            "faceapi/bbt1.jpg",
        ] {
            let other_hash = pdq_hash(&faces(other)).unwrap();
            assert!(
                !hash.hash.is_near_duplicate(&other_hash.hash),
                "{other}: distance {}",
                hash.hash.distance(&other_hash.hash)
            );
        }
    }

    #[test]
    fn hex_round_trips_and_distance_counts_bits() {
        let a = PdqHash::from_hex(&"0".repeat(64)).unwrap();
        let b = PdqHash::from_hex(&format!("{}{}", "f".repeat(8), "0".repeat(56))).unwrap();
        assert_eq!(a.distance(&b), 32);
        assert!(!a.is_near_duplicate(&b));
        assert_eq!(PdqHash::from_hex(&b.to_hex()), Some(b));
        assert_eq!(PdqHash::from_hex("zz"), None);
    }

    #[test]
    fn flat_and_tiny_images() {
        let flat = DynamicImage::new_rgb8(100, 100);
        assert!(!pdq_hash(&flat).unwrap().is_useful());
        assert!(pdq_hash(&DynamicImage::new_rgb8(4, 100)).is_none());
    }
}
