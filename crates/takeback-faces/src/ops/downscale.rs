//! The `image` crate's `imageops::resize(.., FilterType::Triangle)` on RGB8, step for step: the same
//! tap weights, the same f32 operations in the same order, the same clamp and rounding, so the
//! pixels are bit-identical (the golden test pins them by SHA-256, and a test here compares the two
//! directly). It is faster because the weights are computed once per output row and column rather
//! than once per pixel, the pixels are read from plain slices rather than through `get_pixel`, the
//! intermediate image has three channels rather than four, and the loops run under `pulp`'s
//! run-time AVX2 / AVX-512 dispatch.

use image::RgbImage;

/// The input range and normalised weights of one output row or column.
#[derive(Debug)]
struct Taps {
    first: usize,
    weights: Vec<f32>,
}

/// `image` 0.25's `triangle_kernel`.
fn triangle(x: f32) -> f32 {
    if x.abs() < 1.0 {
        1.0 - x.abs()
    } else {
        0.0
    }
}

/// The taps of each of `output_len` outputs over `input_len` inputs, as `image`'s
/// `horizontal_sample` / `vertical_sample` compute them (support 1.0 for the triangle filter).
fn taps(input_len: u32, output_len: u32) -> Vec<Taps> {
    let ratio = input_len as f32 / output_len as f32;
    let sratio = if ratio < 1.0 { 1.0 } else { ratio };
    let src_support = 1.0 * sratio;
    (0..output_len)
        .map(|out| {
            let input = (out as f32 + 0.5) * ratio;
            let left = ((input - src_support).floor() as i64).clamp(0, i64::from(input_len) - 1);
            let right = ((input + src_support).ceil() as i64)
                .max(left + 1)
                .min(i64::from(input_len));
            let input = input - 0.5;
            let mut weights: Vec<f32> = (left..right)
                .map(|i| triangle((i as f32 - input) / sratio))
                .collect();
            let mut sum = 0.0;
            for &w in &weights {
                sum += w;
            }
            for w in &mut weights {
                *w /= sum;
            }
            Taps {
                first: left as usize,
                weights,
            }
        })
        .collect()
}

/// `image::imageops::resize(image, width, height, FilterType::Triangle)`, bit for bit.
pub fn resize_triangle(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    let (in_width, in_height) = image.dimensions();
    if in_width == 0 || in_height == 0 || (width, height) == (in_width, in_height) {
        return image::imageops::resize(
            image,
            width,
            height,
            image::imageops::FilterType::Triangle,
        );
    }
    let rows = taps(in_height, height);
    let columns = taps(in_width, width);
    let mut out = vec![0u8; width as usize * height as usize * 3];
    pulp::Arch::new().dispatch(Resize {
        input: image.as_raw(),
        in_width: in_width as usize,
        rows: &rows,
        columns: &columns,
        out: &mut out,
    });
    RgbImage::from_raw(width, height, out).unwrap_or_default()
}

/// Both passes as a `pulp` operation (see `depthwise::Planes` for why not a closure).
struct Resize<'a> {
    input: &'a [u8],
    in_width: usize,
    rows: &'a [Taps],
    columns: &'a [Taps],
    out: &'a mut [u8],
}

impl pulp::WithSimd for Resize<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Resize {
            input,
            in_width,
            rows,
            columns,
            out,
        } = self;
        let row_len = in_width * 3;
        // Vertical pass first, as `image` does: every output row of the intermediate image sums
        // its input rows in order, starting from 0.0.
        let mut vertical = vec![0f32; rows.len() * row_len];
        for (taps, acc) in rows.iter().zip(vertical.chunks_exact_mut(row_len)) {
            for (i, &w) in taps.weights.iter().enumerate() {
                let start = (taps.first + i) * row_len;
                for (t, &p) in acc.iter_mut().zip(&input[start..start + row_len]) {
                    *t += f32::from(p) * w;
                }
            }
        }
        // Horizontal pass, then clamp to 0..=255 and round half away from zero.
        let out_row_len = columns.len() * 3;
        for (row, out_row) in vertical
            .chunks_exact(row_len)
            .zip(out.chunks_exact_mut(out_row_len))
        {
            for (taps, pixel) in columns.iter().zip(out_row.chunks_exact_mut(3)) {
                let taps_in = &row[taps.first * 3..(taps.first + taps.weights.len()) * 3];
                let mut t = [0f32; 3];
                for (&w, p) in taps.weights.iter().zip(taps_in.chunks_exact(3)) {
                    t[0] += p[0] * w;
                    t[1] += p[1] * w;
                    t[2] += p[2] * w;
                }
                for (o, v) in pixel.iter_mut().zip(t) {
                    *o = v.clamp(0.0, 255.0).round() as u8;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-identical to the `image` crate on noisy and smooth images, down and up, odd sizes.
    #[test]
    fn matches_image_crate_triangle_resize() {
        let cases = [
            (64u32, 48u32, 31u32, 17u32),
            (1920, 1080, 1024, 576),
            (1000, 1500, 683, 1024),
            (7, 5, 3, 2),
            (5, 7, 9, 11),
            (300, 200, 300, 100),
            (1, 9, 1, 4),
        ];
        for (w, h, nw, nh) in cases {
            let noise = RgbImage::from_fn(w, h, |x, y| {
                let v = (x * 7919 + y * 104_729 + x * y * 31) % 256;
                image::Rgb([v as u8, (v * 3 % 256) as u8, (255 - v) as u8])
            });
            let smooth = RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([
                    (x * 255 / w.max(1)) as u8,
                    (y * 255 / h.max(1)) as u8,
                    ((x + y) % 256) as u8,
                ])
            });
            for image in [noise, smooth] {
                let ours = resize_triangle(&image, nw, nh);
                let theirs =
                    image::imageops::resize(&image, nw, nh, image::imageops::FilterType::Triangle);
                assert!(
                    ours.as_raw() == theirs.as_raw(),
                    "{w}x{h} -> {nw}x{nh}: same weights and operation order give the same bytes"
                );
            }
        }
    }
}
