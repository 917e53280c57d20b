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
pub fn depthwise_conv(
    input: &[f32],
    weights: &[f32],
    bias: &[f32],
    g: DepthwiseGeometry,
) -> Vec<f32> {
    let plane_in = g.height * g.width;
    let plane_out = g.out_height * g.out_width;
    let mut output = vec![0f32; g.channels * plane_out];
    for c in 0..g.channels {
        let src = &input[c * plane_in..(c + 1) * plane_in];
        let dst = &mut output[c * plane_out..(c + 1) * plane_out];
        let kernel = &weights[c * g.kernel * g.kernel..(c + 1) * g.kernel * g.kernel];
        dst.fill(bias[c]);
        for oy in 0..g.out_height {
            let row_out = &mut dst[oy * g.out_width..(oy + 1) * g.out_width];
            for ky in 0..g.kernel {
                let Some(iy) = (oy * g.stride + ky).checked_sub(g.pad_top) else {
                    continue;
                };
                if iy >= g.height {
                    continue;
                }
                let row_in = &src[iy * g.width..(iy + 1) * g.width];
                for kx in 0..g.kernel {
                    let w = kernel[ky * g.kernel + kx];
                    // Output columns whose input column ox*s + kx - pad_left lies inside the row.
                    if g.width + g.pad_left <= kx {
                        continue;
                    }
                    let first = g.pad_left.saturating_sub(kx).div_ceil(g.stride);
                    let last = ((g.width + g.pad_left - kx - 1) / g.stride + 1).min(g.out_width);
                    if first >= last {
                        continue;
                    }
                    let start = first * g.stride + kx - g.pad_left;
                    if g.stride == 1 {
                        let inputs = &row_in[start..start + (last - first)];
                        for (o, &i) in row_out[first..last].iter_mut().zip(inputs) {
                            *o += i * w;
                        }
                    } else {
                        for (n, o) in row_out[first..last].iter_mut().enumerate() {
                            *o += row_in[start + n * g.stride] * w;
                        }
                    }
                }
            }
        }
    }
    output
}
