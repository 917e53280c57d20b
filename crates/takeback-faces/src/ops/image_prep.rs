//! face-api's `NetInput.toBatchTensor`: pad to a square with zeros, then TF legacy bilinear resize
//! (`alignCorners = false`, `halfPixelCenters = false`, no antialiasing), then per-net normalisation.

use candle_core::{Device, Tensor};

use super::Result;

/// An RGB image as `f32` values 0..=255 in HWC order.
#[derive(Debug, Clone)]
pub struct RgbF32 {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl RgbF32 {
    /// The sub-rectangle `[x, x+w) x [y, y+h)` of an 8-bit RGB image (the caller keeps it inside).
    pub fn crop(image: &image::RgbImage, x: u32, y: u32, w: u32, h: u32) -> RgbF32 {
        let mut data = Vec::with_capacity(w as usize * h as usize * 3);
        let stride = image.width() as usize * 3;
        let raw = image.as_raw();
        for row in y..y + h {
            let start = row as usize * stride + x as usize * 3;
            data.extend(
                raw[start..start + w as usize * 3]
                    .iter()
                    .map(|&v| f32::from(v)),
            );
        }
        RgbF32 {
            width: w as usize,
            height: h as usize,
            data,
        }
    }

    /// Zero-pads the short side so the image is square (see [`RgbF32::to_batch_input`]).
    pub fn pad_to_square(&self, center: bool) -> RgbF32 {
        let (size, offset_x, offset_y) = square_placement(self.width, self.height, center);
        if self.width == self.height {
            return self.clone();
        }
        let mut data = vec![0f32; size * size * 3];
        for y in 0..self.height {
            let src = &self.data[y * self.width * 3..(y + 1) * self.width * 3];
            let start = ((y + offset_y) * size + offset_x) * 3;
            data[start..start + self.width * 3].copy_from_slice(src);
        }
        RgbF32 {
            width: size,
            height: size,
            data,
        }
    }

    /// TF legacy bilinear resize to `size x size`.
    pub fn resize_bilinear(&self, size: usize) -> RgbF32 {
        if self.width == size && self.height == size {
            return self.clone();
        }
        resize_placed(
            &self.data,
            self.width * 3,
            (self.width, self.height),
            size,
            (self.width, self.height, 0, 0),
        )
    }

    /// `toBatchTensor(size, center)`: pad to a square, then resize to `size` (in one pass).
    pub fn to_batch_input(&self, size: usize, center: bool) -> RgbF32 {
        let (side, offset_x, offset_y) = square_placement(self.width, self.height, center);
        if side == size && self.width == self.height {
            return self.clone();
        }
        resize_placed(
            &self.data,
            self.width * 3,
            (self.width, self.height),
            size,
            (side, side, offset_x, offset_y),
        )
    }

    /// The planar `[3, H, W]` values `normalise(value, channel)` into `out`.
    pub fn to_planar_into(&self, normalise: impl Fn(f32, usize) -> f32, out: &mut Vec<f32>) {
        let plane = self.width * self.height;
        let out = super::resize_for_overwrite(out, plane * 3);
        let (r, rest) = out.split_at_mut(plane);
        let (g, b) = rest.split_at_mut(plane);
        for (((pixel, r), g), b) in self.data.chunks_exact(3).zip(r).zip(g).zip(b) {
            *r = normalise(pixel[0], 0);
            *g = normalise(pixel[1], 1);
            *b = normalise(pixel[2], 2);
        }
    }

    /// NCHW tensor `[1, 3, H, W]` of `normalise(value, channel)`.
    pub fn to_tensor(&self, normalise: impl Fn(f32, usize) -> f32) -> Result<Tensor> {
        let plane = self.width * self.height;
        let mut chw = vec![0f32; plane * 3];
        for (i, pixel) in self.data.chunks_exact(3).enumerate() {
            for c in 0..3 {
                chw[c * plane + i] = normalise(pixel[c], c);
            }
        }
        Ok(Tensor::from_vec(
            chw,
            (1, 3, self.height, self.width),
            &Device::Cpu,
        )?)
    }
}

/// `RgbF32::crop(image, x, y, w, h).to_batch_input(size, center)`, reading only the pixels the
/// resize samples: a face crop of a 24-MP photo costs what a crop of a small one does. The values
/// are the same bit for bit (each sample is the same `f32` arithmetic on the same bytes).
/// `(x, y, w, h)` must lie inside the image and be non-empty.
pub fn batch_input_rgb8_region(
    image: &image::RgbImage,
    (x, y, w, h): (u32, u32, u32, u32),
    size: usize,
    center: bool,
) -> RgbF32 {
    let (width, height) = (w as usize, h as usize);
    let stride = image.width() as usize * 3;
    let start = y as usize * stride + x as usize * 3;
    let (side, offset_x, offset_y) = square_placement(width, height, center);
    resize_placed(
        &image.as_raw()[start..],
        stride,
        (width, height),
        size,
        (side, side, offset_x, offset_y),
    )
}

/// Where the image sits in its zero-padded square: `(side, offset_x, offset_y)`. With `center`,
/// `round(diff/2)` goes after and the rest before (face-api `padToSquare`); otherwise everything
/// goes right/bottom.
fn square_placement(width: usize, height: usize, center: bool) -> (usize, usize, usize) {
    let size = width.max(height);
    let diff = size - width.min(height);
    let after = if center {
        (diff as f64 * 0.5).round() as usize
    } else {
        diff
    };
    let before = diff - after;
    if height > width {
        (size, before, 0)
    } else {
        (size, 0, before)
    }
}

/// TF legacy bilinear resize to `size x size` of a `side_w x side_h` canvas that holds this
/// image at `(offset_x, offset_y)` and zeros elsewhere, without building that canvas. Row `r` of
/// the image starts at `pixels[r * stride]`.
fn resize_placed<T: Copy>(
    pixels: &[T],
    stride: usize,
    (width, height): (usize, usize),
    size: usize,
    (side_w, side_h, offset_x, offset_y): (usize, usize, usize, usize),
) -> RgbF32
where
    f32: From<T>,
{
    let scale_y = side_h as f32 / size as f32;
    let scale_x = side_w as f32 / size as f32;
    // A canvas cell outside the image reads a clamped image cell times 0.0: exactly the zero
    // the padded canvas holds (pixel values are finite), without a branch per sample.
    let locate = |at: usize, offset: usize, len: usize| match at.checked_sub(offset) {
        Some(i) if i < len => (i, 1.0f32),
        _ => (0, 0.0),
    };
    let columns: Vec<[(usize, f32); 2]> = (0..size)
        .map(|x| {
            let src = x as f32 * scale_x;
            let x0 = src.floor() as usize;
            let x1 = (src.ceil() as usize).min(side_w - 1);
            let (i0, v0) = locate(x0, offset_x, width);
            let (i1, v1) = locate(x1, offset_x, width);
            [(i0 * 3, v0), (i1 * 3, v1)]
        })
        .collect();
    let fractions: Vec<f32> = (0..size)
        .map(|x| {
            let src = x as f32 * scale_x;
            src - src.floor()
        })
        .collect();
    let row_len = width * 3;
    let mut data = vec![0f32; size * size * 3];
    for (y, out_row) in data.chunks_exact_mut(size * 3).enumerate() {
        let src = y as f32 * scale_y;
        let y0 = src.floor() as usize;
        let y1 = (src.ceil() as usize).min(side_h - 1);
        let fy = src - y0 as f32;
        let (r0, w0) = locate(y0, offset_y, height);
        let (r1, w1) = locate(y1, offset_y, height);
        let row0 = &pixels[r0 * stride..r0 * stride + row_len];
        let row1 = &pixels[r1 * stride..r1 * stride + row_len];
        for ((out, &[(i0, v0), (i1, v1)]), &fx) in
            out_row.chunks_exact_mut(3).zip(&columns).zip(&fractions)
        {
            for c in 0..3 {
                let at = |row: &[T], i: usize| f32::from(row[i + c]);
                let (a, b) = (at(row0, i0) * v0 * w0, at(row0, i1) * v1 * w0);
                let (d, e) = (at(row1, i0) * v0 * w1, at(row1, i1) * v1 * w1);
                let top = a + (b - a) * fx;
                let bottom = d + (e - d) * fx;
                out[c] = top + (bottom - top) * fy;
            }
        }
    }
    RgbF32 {
        width: size,
        height: size,
        data,
    }
}

/// `(x - mean_rgb) / 255` as in the landmark, recognition and age nets.
pub fn normalise_face(value: f32, channel: usize) -> f32 {
    const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];
    (value - MEAN_RGB[channel]) / 255.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_centres_with_rounded_half_after() {
        let img = RgbF32 {
            width: 1,
            height: 4,
            data: vec![1.0; 12],
        };
        let sq = img.pad_to_square(true);
        assert_eq!(sq.width, 4);
        // diff 3: round(1.5) = 2 after, 1 before.
        let row: Vec<f32> = (0..4).map(|x| sq.data[x * 3]).collect();
        assert_eq!(row, vec![0.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn legacy_resize_samples_without_half_pixel_offset() {
        let img = RgbF32 {
            width: 2,
            height: 2,
            data: vec![
                0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 20.0, 20.0, 20.0, 30.0, 30.0, 30.0,
            ],
        };
        let up = img.resize_bilinear(4);
        let first_row: Vec<f32> = (0..4).map(|x| up.data[x * 3]).collect();
        assert_eq!(first_row, vec![0.0, 5.0, 10.0, 10.0]);
    }

    #[test]
    fn region_input_equals_crop_then_resize() {
        let image = image::RgbImage::from_fn(37, 29, |x, y| {
            image::Rgb([(x * 7 + y) as u8, (y * 5) as u8, (x * y % 251) as u8])
        });
        for (rect, size, center) in [
            ((3, 4, 20, 11), 112, true),
            ((0, 0, 37, 29), 16, false),
            ((36, 28, 1, 1), 5, true),
            ((10, 2, 9, 25), 150, true),
        ] {
            let want =
                RgbF32::crop(&image, rect.0, rect.1, rect.2, rect.3).to_batch_input(size, center);
            let got = batch_input_rgb8_region(&image, rect, size, center);
            assert_eq!(got.data, want.data, "{rect:?}");
        }
    }
}
