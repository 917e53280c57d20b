//! Depthwise convolution (one filter per channel, multiplier 1) as a direct loop.
//!
//! candle's `conv2d(groups = C)` runs C separate convolutions and concatenates them, which makes the
//! depthwise layers of MobileNet about 10x slower than this loop (research/face-engine.md §4).

/// Geometry of one depthwise convolution over a `[channels, height, width]` buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthwiseGeometry {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: usize,
    pub stride: usize,
    /// Zero rows added above / columns added left (the rest of the padding goes below / right).
    pub pad_top: usize,
    pub pad_left: usize,
    pub out_height: usize,
    pub out_width: usize,
}

/// `out[c, oy, ox] = bias[c] + sum_{ky,kx} in[c, oy*s + ky - pad_top, ox*s + kx - pad_left] * w[c, ky, kx]`,
/// reading zero outside the input. `weights` is `[channels, kernel, kernel]`.
///
/// Each output row is computed in one pass per kernel row: the columns where every tap lies inside
/// the image run as a straight loop over slices (which the compiler vectorises for stride 1), and
/// only the border columns check bounds.
pub fn depthwise_conv(
    input: &[f32],
    weights: &[f32],
    bias: &[f32],
    g: DepthwiseGeometry,
) -> Vec<f32> {
    let k = g.kernel;
    let plane_in = g.height * g.width;
    let plane_out = g.out_height * g.out_width;
    let mut output = Vec::with_capacity(g.channels * plane_out);
    // Output columns whose taps are all inside the row: ox*s - pad_left >= 0 and ox*s + k-1 - pad_left < width.
    let interior_start = g.pad_left.div_ceil(g.stride).min(g.out_width);
    let interior_end = if g.width + g.pad_left >= k {
        ((g.width + g.pad_left - k) / g.stride + 1).min(g.out_width)
    } else {
        0
    }
    .max(interior_start);
    let mut row_out = vec![0f32; g.out_width];
    for c in 0..g.channels {
        let src = &input[c * plane_in..(c + 1) * plane_in];
        let kernel = &weights[c * k * k..(c + 1) * k * k];
        for oy in 0..g.out_height {
            row_out.fill(bias[c]);
            for ky in 0..k {
                let Some(iy) = (oy * g.stride + ky).checked_sub(g.pad_top) else {
                    continue;
                };
                if iy >= g.height {
                    continue;
                }
                let row_in = &src[iy * g.width..(iy + 1) * g.width];
                let taps = &kernel[ky * k..(ky + 1) * k];
                // Border columns, with bounds checks.
                for ox in (0..interior_start).chain(interior_end..g.out_width) {
                    let mut acc = 0f32;
                    for (kx, &w) in taps.iter().enumerate() {
                        let Some(ix) = (ox * g.stride + kx).checked_sub(g.pad_left) else {
                            continue;
                        };
                        if ix < g.width {
                            acc += row_in[ix] * w;
                        }
                    }
                    row_out[ox] += acc;
                }
                // Interior columns.
                let n = interior_end - interior_start;
                if n == 0 {
                    continue;
                }
                let first_ix = interior_start * g.stride - g.pad_left;
                let out = &mut row_out[interior_start..interior_end];
                for (kx, &w) in taps.iter().enumerate() {
                    let start = first_ix + kx;
                    if g.stride == 1 {
                        let inputs = &row_in[start..start + n];
                        for (o, &i) in out.iter_mut().zip(inputs) {
                            *o += i * w;
                        }
                    } else {
                        let inputs = row_in[start..].iter().step_by(g.stride);
                        for (o, &i) in out.iter_mut().zip(inputs) {
                            *o += i * w;
                        }
                    }
                }
            }
            output.extend_from_slice(&row_out);
        }
    }
    output
}
