//! Depthwise convolution (one filter per channel, multiplier 1) as a direct loop.
//!
//! candle's `conv2d(groups = C)` runs C separate convolutions and concatenates them, which makes the
//! depthwise layers of MobileNet about 10x slower than this loop (research/face-engine.md §4).
//!
//! Each channel is first copied into a zero-padded plane, so every output pixel reads its taps
//! without bounds checks. For stride `s` each padded row is stored as `s` phases (columns `j` with
//! `j % s == p` side by side), so stride 2 reads contiguous slices like stride 1 and both run the
//! same vectorised loop. The loops run under `pulp`'s run-time CPU dispatch (AVX2 or AVX-512).

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

/// What is applied to each input value as it is read, while padding: MobileNet's pointwise layers
/// leave their output without bias and ReLU6 for the next depthwise layer to apply, and the
/// separable convolutions of the landmark and age nets take ReLU'd inputs.
#[derive(Debug, Clone, Copy)]
pub enum InputActivation<'a> {
    /// The values as they are.
    Identity,
    /// `max(x, 0)`.
    Relu,
    /// `clamp(x + bias[c], 0, 6)`.
    BiasRelu6(&'a [f32]),
}

impl InputActivation<'_> {
    /// `(bias, low, high)` of channel `c`: the value read is `clamp(x + bias, low, high)`, or `x`
    /// itself for `None`.
    fn of_channel(self, c: usize) -> Option<(f32, f32, f32)> {
        match self {
            InputActivation::Identity => None,
            InputActivation::Relu => Some((0.0, 0.0, f32::INFINITY)),
            InputActivation::BiasRelu6(bias) => Some((bias[c], 0.0, 6.0)),
        }
    }
}

/// `out[c, oy, ox] = bias[c] + sum_{ky,kx} in[c, oy*s + ky - pad_top, ox*s + kx - pad_left] * w[c, ky, kx]`,
/// reading zero outside the input, then ReLU6 when `relu6`. `weights` is `[channels, kernel, kernel]`.
/// The result is the first `channels * out_height * out_width` values of `output` (see
/// [`super::resize_for_overwrite`]); `scratch` is reused between calls.
#[allow(clippy::too_many_arguments)]
pub fn depthwise_conv_into(
    input: &[f32],
    weights: &[f32],
    bias: &[f32],
    g: DepthwiseGeometry,
    activation: InputActivation<'_>,
    relu6: bool,
    output: &mut Vec<f32>,
    scratch: &mut Vec<f32>,
) {
    let (k, s) = (g.kernel, g.stride);
    let plane_out = g.out_height * g.out_width;
    let output = super::resize_for_overwrite(output, g.channels * plane_out);
    if plane_out == 0 {
        return;
    }
    // The padded plane holds exactly the rows and columns the taps reach.
    let padded_height = (g.out_height - 1) * s + k;
    let padded_width = (g.out_width - 1) * s + k;
    let phase_width = padded_width.div_ceil(s);
    let row_len = phase_width * s;
    // The padding cells stay zero: the rows below write only the image's cells.
    scratch.clear();
    let scratch = super::resize_for_overwrite(scratch, padded_height * row_len);
    // Input rows and columns that land inside the padded plane.
    let rows = g.height.min(padded_height.saturating_sub(g.pad_top));
    let columns = g.width.min(padded_width.saturating_sub(g.pad_left));
    let planes = Planes {
        input,
        weights,
        bias,
        g,
        activation,
        relu6,
        output,
        scratch,
        rows,
        columns,
        phase_width,
        row_len,
    };
    #[cfg(test)]
    if SCALAR_ONLY.with(std::cell::Cell::get) {
        pulp::WithSimd::with_simd(planes, pulp::Scalar::new());
        return;
    }
    pulp::Arch::new().dispatch(planes);
}

#[cfg(test)]
thread_local! {
    /// Tests set this to run the portable one-lane path that CPUs without AVX2 take.
    static SCALAR_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The channel loop of [`depthwise_conv_into`] as a `pulp` operation: `with_simd` and everything
/// it calls are inlined into pulp's AVX2 / AVX-512 functions. (A closure would not do: its
/// `call_once` shim is not inlined, and its loops compile for baseline x86-64.)
struct Planes<'a> {
    input: &'a [f32],
    weights: &'a [f32],
    bias: &'a [f32],
    g: DepthwiseGeometry,
    activation: InputActivation<'a>,
    relu6: bool,
    output: &'a mut [f32],
    scratch: &'a mut [f32],
    /// Input rows and columns that land inside the padded plane.
    rows: usize,
    columns: usize,
    phase_width: usize,
    row_len: usize,
}

impl pulp::WithSimd for Planes<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let Planes {
            input,
            weights,
            bias,
            g,
            activation,
            relu6,
            output,
            scratch,
            rows,
            columns,
            phase_width,
            row_len,
        } = self;
        let (k, s) = (g.kernel, g.stride);
        let plane_in = g.height * g.width;
        let plane_out = g.out_height * g.out_width;
        for c in 0..g.channels {
            let src = &input[c * plane_in..(c + 1) * plane_in];
            let transform = activation.of_channel(c);
            for iy in 0..rows {
                let row_in = &src[iy * g.width..iy * g.width + columns];
                let row = &mut scratch[(iy + g.pad_top) * row_len..(iy + g.pad_top + 1) * row_len];
                fill_padded_row(simd, row, row_in, g.pad_left, s, phase_width, transform);
            }
            let kernel = &weights[c * k * k..(c + 1) * k * k];
            let out = &mut output[c * plane_out..(c + 1) * plane_out];
            for (oy, out_row) in out.chunks_exact_mut(g.out_width).enumerate() {
                let tap = |ky: usize, kx: usize| {
                    let start = (oy * s + ky) * row_len + (kx % s) * phase_width + kx / s;
                    &scratch[start..start + g.out_width]
                };
                if k == 3 {
                    let taps = [
                        tap(0, 0),
                        tap(0, 1),
                        tap(0, 2),
                        tap(1, 0),
                        tap(1, 1),
                        tap(1, 2),
                        tap(2, 0),
                        tap(2, 1),
                        tap(2, 2),
                    ];
                    row_3x3(simd, out_row, taps, kernel, bias[c], relu6);
                } else {
                    out_row.fill(bias[c]);
                    for ky in 0..k {
                        for kx in 0..k {
                            let w = kernel[ky * k + kx];
                            for (o, &i) in out_row.iter_mut().zip(tap(ky, kx)) {
                                *o += i * w;
                            }
                        }
                    }
                    if relu6 {
                        for o in out_row.iter_mut() {
                            *o = o.clamp(0.0, 6.0);
                        }
                    }
                }
            }
        }
    }
}

/// Writes one input row into its padded row: column `j = x + pad_left` goes to phase `j % s`,
/// position `j / s`. The padding columns keep the zeros they were created with.
#[inline(always)]
fn fill_padded_row<S: pulp::Simd>(
    simd: S,
    row: &mut [f32],
    row_in: &[f32],
    pad_left: usize,
    s: usize,
    phase_width: usize,
    transform: Option<(f32, f32, f32)>,
) {
    let apply = |v: f32| match transform {
        None => v,
        Some((b, low, high)) => (v + b).max(low).min(high),
    };
    match s {
        1 => {
            let dst = &mut row[pad_left..pad_left + row_in.len()];
            match transform {
                None => dst.copy_from_slice(row_in),
                Some(transform) => clamp_shifted(simd, dst, row_in, transform),
            }
        }
        2 => {
            // Even input columns x land in phase (pad_left % 2), odd ones in the other phase.
            let (phase0, phase1) = row.split_at_mut(phase_width);
            let (even, odd) = if pad_left.is_multiple_of(2) {
                (&mut phase0[pad_left / 2..], &mut phase1[pad_left / 2..])
            } else {
                (
                    &mut phase1[pad_left / 2..],
                    &mut phase0[pad_left.div_ceil(2)..],
                )
            };
            let pairs = row_in.chunks_exact(2);
            if let [last] = pairs.remainder() {
                even[row_in.len() / 2] = apply(*last);
            }
            for ((pair, e), o) in pairs.zip(even.iter_mut()).zip(odd.iter_mut()) {
                *e = apply(pair[0]);
                *o = apply(pair[1]);
            }
        }
        _ => {
            for (x, &v) in row_in.iter().enumerate() {
                let j = x + pad_left;
                row[(j % s) * phase_width + j / s] = apply(v);
            }
        }
    }
}

/// `dst = min(max(src + b, low), high)` in whole vectors plus one masked tail.
#[inline(always)]
fn clamp_shifted<S: pulp::Simd>(
    simd: S,
    dst: &mut [f32],
    src: &[f32],
    (b, low, high): (f32, f32, f32),
) {
    let (low, high, b) = (
        simd.splat_f32s(low),
        simd.splat_f32s(high),
        simd.splat_f32s(b),
    );
    let apply = |v| simd.min_f32s(simd.max_f32s(simd.add_f32s(v, b), low), high);
    let (src_head, src_tail) = S::as_simd_f32s(&src[..dst.len()]);
    let (dst_head, dst_tail) = S::as_mut_simd_f32s(dst);
    for (d, &v) in dst_head.iter_mut().zip(src_head) {
        *d = apply(v);
    }
    if !dst_tail.is_empty() {
        simd.partial_store_f32s(dst_tail, apply(simd.partial_load_f32s(src_tail)));
    }
}

/// The first `n` values of `t` as `vectors` whole vectors and a tail.
#[inline(always)]
fn split_vectors<S: pulp::Simd>(t: &[f32], n: usize, vectors: usize) -> (&[S::f32s], &[f32]) {
    let (head, tail) = S::as_simd_f32s(&t[..n]);
    (&head[..vectors], tail)
}

/// One output row of a 3x3 filter in explicit vectors (whole vectors, then one masked tail):
/// every output value is written once, its nine taps summed in a register. Auto-vectorised code
/// did worse here, because its unrolled main loop left 32-pixel rows entirely to the scalar tail.
#[inline(always)]
fn row_3x3<S: pulp::Simd>(
    simd: S,
    out: &mut [f32],
    taps: [&[f32]; 9],
    w: &[f32],
    bias: f32,
    relu6: bool,
) {
    let n = out.len();
    // Arrays written out rather than built with `array::map` / `from_fn`: those were not inlined
    // into pulp's target-feature function and cost a call per vector.
    let weights: [S::f32s; 9] = [
        simd.splat_f32s(w[0]),
        simd.splat_f32s(w[1]),
        simd.splat_f32s(w[2]),
        simd.splat_f32s(w[3]),
        simd.splat_f32s(w[4]),
        simd.splat_f32s(w[5]),
        simd.splat_f32s(w[6]),
        simd.splat_f32s(w[7]),
        simd.splat_f32s(w[8]),
    ];
    let (zero, six, bias) = (
        simd.splat_f32s(0.0),
        simd.splat_f32s(6.0),
        simd.splat_f32s(bias),
    );
    let (out_head, out_tail) = S::as_mut_simd_f32s(out);
    let vectors = out_head.len();
    let split = |t| split_vectors::<S>(t, n, vectors);
    let [t0, t1, t2, t3, t4, t5, t6, t7, t8] = taps;
    let (h0, r0) = split(t0);
    let (h1, r1) = split(t1);
    let (h2, r2) = split(t2);
    let (h3, r3) = split(t3);
    let (h4, r4) = split(t4);
    let (h5, r5) = split(t5);
    let (h6, r6) = split(t6);
    let (h7, r7) = split(t7);
    let (h8, r8) = split(t8);
    let compute = |values: [S::f32s; 9]| {
        let mut acc = bias;
        for (&v, &w) in values.iter().zip(&weights) {
            acc = simd.mul_add_f32s(v, w, acc);
        }
        if relu6 {
            simd.min_f32s(simd.max_f32s(acc, zero), six)
        } else {
            acc
        }
    };
    for (i, o) in out_head.iter_mut().enumerate() {
        let values = [
            h0[i], h1[i], h2[i], h3[i], h4[i], h5[i], h6[i], h7[i], h8[i],
        ];
        *o = compute(values);
    }
    if !out_tail.is_empty() {
        let load = |r: &[f32]| simd.partial_load_f32s(r);
        let values = [
            load(r0),
            load(r1),
            load(r2),
            load(r3),
            load(r4),
            load(r5),
            load(r6),
            load(r7),
            load(r8),
        ];
        simd.partial_store_f32s(out_tail, compute(values));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector path this CPU takes (AVX-512 or AVX2) and the portable one-lane path agree, for
    /// both strides, odd and even sizes, every input activation and with or without ReLU6.
    #[test]
    fn simd_and_scalar_paths_agree() {
        let run = |scalar: bool, g: DepthwiseGeometry, activation, relu6| {
            let input: Vec<f32> = (0..g.channels * g.height * g.width)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 9.0)
                .collect();
            let weights: Vec<f32> = (0..g.channels * 9)
                .map(|i| ((i * 13 % 23) as f32 - 11.0) / 7.0)
                .collect();
            let bias: Vec<f32> = (0..g.channels).map(|c| c as f32 * 0.3 - 0.5).collect();
            let (mut out, mut scratch) = (vec![f32::NAN; 7], vec![f32::NAN; 3]);
            SCALAR_ONLY.with(|s| s.set(scalar));
            depthwise_conv_into(
                &input,
                &weights,
                &bias,
                g,
                activation,
                relu6,
                &mut out,
                &mut scratch,
            );
            SCALAR_ONLY.with(|s| s.set(false));
            out
        };
        let shift = [0.5f32, -1.0, 2.0];
        for (height, width, stride) in
            [(9, 8, 1), (10, 10, 2), (7, 11, 2), (33, 37, 1), (17, 40, 2)]
        {
            let (pad_top, _, out_height) =
                super::super::tf_padding(height, 3, stride, super::super::Padding::Same);
            let (pad_left, _, out_width) =
                super::super::tf_padding(width, 3, stride, super::super::Padding::Same);
            let g = DepthwiseGeometry {
                channels: 3,
                height,
                width,
                kernel: 3,
                stride,
                pad_top,
                pad_left,
                out_height,
                out_width,
            };
            for activation in [
                InputActivation::Identity,
                InputActivation::Relu,
                InputActivation::BiasRelu6(&shift),
            ] {
                for relu6 in [false, true] {
                    let vector = run(false, g, activation, relu6);
                    let scalar = run(true, g, activation, relu6);
                    assert_eq!(vector.len(), 3 * out_height * out_width);
                    let diff = vector
                        .iter()
                        .zip(&scalar)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0f32, f32::max);
                    assert!(
                        diff < 1e-5,
                        "{height}x{width} s{stride} {activation:?} relu6 {relu6}: {diff}"
                    );
                }
            }
        }
    }
}
