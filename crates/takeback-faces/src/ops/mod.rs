//! Layer building blocks shared by the networks, on candle tensors in NCHW layout (batch first).
//!
//! Weights arrive in TensorFlow layouts (HWIO filters, `[kh, kw, C, 1]` depthwise filters) and are
//! converted once at load. TensorFlow "SAME" padding is asymmetric for stride 2 on even inputs (the extra
//! row/column goes bottom/right), which candle's symmetric `padding` cannot express, so it is explicit here.

pub mod bf16;
pub mod depthwise;
pub mod image_prep;
pub mod matmul;

use candle_core::{Device, Tensor};

use crate::weights::WeightMap;
use crate::FaceError;
use bf16::Bf16Weights;
use depthwise::DepthwiseGeometry as Geometry;
pub use depthwise::InputActivation;
use matmul::{matmul_columns_into, matmul_into};

pub(crate) type Result<T> = std::result::Result<T, FaceError>;

/// TensorFlow's padding rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    Same,
    Valid,
}

/// `(before, after, out)` for one spatial dimension under TF padding rules.
pub fn tf_padding(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: Padding,
) -> (usize, usize, usize) {
    match padding {
        Padding::Same => {
            let out = input.div_ceil(stride);
            let total = ((out - 1) * stride + kernel).saturating_sub(input);
            (total / 2, total - total / 2, out)
        }
        Padding::Valid => (0, 0, (input - kernel) / stride + 1),
    }
}

/// Transposes an HWIO filter to `[O, I*kh*kw]` (candle's OIHW, flattened), optionally scaling each
/// output channel.
fn hwio_to_oihw(
    values: &[f32],
    kh: usize,
    kw: usize,
    cin: usize,
    cout: usize,
    scale: Option<&[f32]>,
) -> Vec<f32> {
    // Written in output order: scattered writes over a few MB cost far more than scattered reads.
    let mut out = Vec::with_capacity(values.len());
    for o in 0..cout {
        let s = scale.map_or(1.0, |s| s[o]);
        for i in 0..cin {
            for y in 0..kh {
                for x in 0..kw {
                    out.push(values[((y * kw + x) * cin + i) * cout + o] * s);
                }
            }
        }
    }
    out
}

/// The output geometry of a `kernel`-square filter with TF padding over a `[channels, height, width]`
/// buffer.
fn geometry(
    channels: usize,
    (height, width): (usize, usize),
    kernel: usize,
    stride: usize,
    padding: Padding,
) -> Geometry {
    let (pad_top, _, out_height) = tf_padding(height, kernel, stride, padding);
    let (pad_left, _, out_width) = tf_padding(width, kernel, stride, padding);
    Geometry {
        channels,
        height,
        width,
        kernel,
        stride,
        pad_top,
        pad_left,
        out_height,
        out_width,
    }
}

/// What follows a bias addition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    None,
    /// `max(x, 0)`.
    Relu,
    /// `clamp(x, 0, 6)`.
    Relu6,
}

/// Adds `bias[c]` to every value of channel `c` of a `[C, pixels]` buffer, then `activation`.
pub fn add_bias(values: &mut [f32], bias: &[f32], activation: Activation) {
    /// The loop as a `pulp` operation, so it compiles for AVX2 / AVX-512 (see `depthwise::Planes`).
    struct AddBias<'a>(&'a mut [f32], &'a [f32], (f32, f32));
    impl pulp::WithSimd for AddBias<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _simd: S) {
            let AddBias(values, bias, (low, high)) = self;
            let pixels = values.len() / bias.len().max(1);
            if pixels == 0 {
                return;
            }
            for (row, &b) in values.chunks_exact_mut(pixels).zip(bias) {
                for v in row {
                    *v = (*v + b).max(low).min(high);
                }
            }
        }
    }
    let range = match activation {
        Activation::None => (f32::NEG_INFINITY, f32::INFINITY),
        Activation::Relu => (0.0, f32::INFINITY),
        Activation::Relu6 => (0.0, 6.0),
    };
    pulp::Arch::new().dispatch(AddBias(values, bias, range));
}

/// The first `len` values of `buffer`, for a caller that overwrites every one of them. A reused
/// buffer's length is its high-water mark: it only grows (to exactly `len`, zero-filling just the
/// new cells), so reuse costs no pass over memory. The values past `len` are stale: whoever reads
/// the buffer later takes the first `len` values, and the layer functions here slice their inputs
/// to the length their shape gives.
pub fn resize_for_overwrite(buffer: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if buffer.len() < len {
        buffer.reserve_exact(len - buffer.len());
        buffer.resize(len, 0.0);
    }
    &mut buffer[..len]
}

/// Values kept for reuse between calls (scratch buffers): each call takes one, or a fresh default
/// when all are in use, and gives it back. It holds at most as many as calls ran at once.
#[derive(Debug, Default)]
pub struct Pool<T>(std::sync::Mutex<Vec<T>>);

impl<T: Default> Pool<T> {
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let taken = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let mut item = taken.unwrap_or_default();
        let result = f(&mut item);
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(item);
        result
    }
}

/// Copies a `[N, C, H, W]` tensor's values out (one copy; candle keeps them behind a lock).
fn tensor_values(x: &Tensor) -> Result<Vec<f32>> {
    Ok(x.flatten_all()?.to_vec1::<f32>()?)
}

/// A full convolution with bias, TF padding and stride, computed as im2col plus one matrix product.
///
/// candle's own `conv2d` builds its patches pixel by pixel and scatters the result channel by
/// channel; building whole shifted rows ([`im2col_into`]) and multiplying once is much faster here.
#[derive(Debug)]
pub struct Conv {
    /// `[O, C*k*k]`, columns in (c, ky, kx) order.
    weight: Vec<f32>,
    bias: Vec<f32>,
    cin: usize,
    kernel: usize,
    stride: usize,
    padding: Padding,
}

impl Conv {
    /// From an HWIO filter and a bias; `scale` (per output channel) is folded in when given:
    /// `(conv(x) + b) * s + t == conv_{w*s}(x) + (b*s + t)`.
    pub fn new(
        filter: &[f32],
        shape: [usize; 4],
        bias: &[f32],
        stride: usize,
        padding: Padding,
        scale: Option<&[f32]>,
    ) -> Result<Self> {
        let [kh, kw, cin, cout] = shape;
        if kh != kw || filter.len() != kh * kw * cin * cout || bias.len() != cout {
            return Err(FaceError::Tensor(format!(
                "conv: filter {shape:?} with {} values and {} biases",
                filter.len(),
                bias.len()
            )));
        }
        Ok(Conv {
            weight: hwio_to_oihw(filter, kh, kw, cin, cout, scale),
            bias: bias.to_vec(),
            cin,
            kernel: kh,
            stride,
            padding,
        })
    }

    /// Loads the filter `filter_name` and the bias `bias_name`.
    pub fn load(
        weights: &WeightMap,
        filter_name: &str,
        bias_name: &str,
        shape: [usize; 4],
        stride: usize,
        padding: Padding,
    ) -> Result<Self> {
        let filter = weights.values(filter_name, &shape)?;
        let bias = weights.values(bias_name, &[shape[3]])?;
        Conv::new(filter, shape, bias, stride, padding, None)
    }

    pub fn out_channels(&self) -> usize {
        self.bias.len()
    }

    pub fn bias(&self) -> &[f32] {
        &self.bias
    }

    /// The product without the bias on one `[C, height, width]` buffer (its first `C*height*width`
    /// values) into the first `O*oh*ow` values of `out`; `columns` is scratch for the patches.
    /// Returns `(oh, ow)`.
    pub fn forward_plane_into(
        &self,
        input: &[f32],
        (height, width): (usize, usize),
        out: &mut Vec<f32>,
        columns: &mut Vec<f32>,
    ) -> (usize, usize) {
        let g = geometry(
            self.cin,
            (height, width),
            self.kernel,
            self.stride,
            self.padding,
        );
        let pixels = g.out_height * g.out_width;
        let out = resize_for_overwrite(out, self.out_channels() * pixels);
        let input = &input[..self.cin * height * width];
        let rows = self.cin * self.kernel * self.kernel;
        if self.kernel == 1 && self.stride == 1 {
            matmul_into(
                out,
                &self.weight,
                input,
                (self.out_channels(), rows, pixels),
                false,
            );
        } else {
            let columns = resize_for_overwrite(columns, rows * pixels);
            im2col_into(input, g, columns);
            matmul_into(
                out,
                &self.weight,
                columns,
                (self.out_channels(), rows, pixels),
                false,
            );
        }
        (g.out_height, g.out_width)
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.forward_activated(x, Activation::None)
    }

    /// `activation(conv(x) + bias)`, the activation applied in the bias pass.
    pub fn forward_activated(&self, x: &Tensor, activation: Activation) -> Result<Tensor> {
        let (n, c, h, w) = x.dims4()?;
        if c != self.cin {
            return Err(FaceError::Tensor(format!(
                "conv: {c} channels, expected {}",
                self.cin
            )));
        }
        thread_local! {
            /// One image's output and patches, kept for the next call on this thread: fresh
            /// buffers would be zeroed and page-faulted in for every layer of every face.
            static SCRATCH: std::cell::RefCell<(Vec<f32>, Vec<f32>)> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        let input = tensor_values(x)?;
        let mut output = Vec::new();
        let (mut oh, mut ow) = (0, 0);
        SCRATCH.with_borrow_mut(|(image_out, columns)| {
            for image in input.chunks_exact(c * h * w) {
                (oh, ow) = self.forward_plane_into(image, (h, w), image_out, columns);
                let image_out = &mut image_out[..self.out_channels() * oh * ow];
                add_bias(image_out, &self.bias, activation);
                output.extend_from_slice(image_out);
            }
        });
        Ok(Tensor::from_vec(
            output,
            (n, self.out_channels(), oh, ow),
            &Device::Cpu,
        )?)
    }
}

/// Patches of one `[C, H, W]` image as a `[C*k*k, OH*OW]` matrix (zero outside the image) in
/// `cols`, built a whole output row at a time: for stride 1 each row is a shifted copy of an input row.
///
/// `cols` holds exactly `C*k*k*OH*OW` values; every one is written (zero outside the image), so a
/// reused buffer needs no clearing pass.
pub fn im2col_into(input: &[f32], g: Geometry, cols: &mut [f32]) {
    let k = g.kernel;
    let plane_out = g.out_height * g.out_width;
    for c in 0..g.channels {
        let src = &input[c * g.height * g.width..(c + 1) * g.height * g.width];
        for ky in 0..k {
            for kx in 0..k {
                // Output columns whose input column ox*s + kx - pad_left lies inside the row.
                let first = g
                    .pad_left
                    .saturating_sub(kx)
                    .div_ceil(g.stride)
                    .min(g.out_width);
                let last = if g.width + g.pad_left > kx {
                    ((g.width + g.pad_left - kx - 1) / g.stride + 1).min(g.out_width)
                } else {
                    0
                }
                .max(first);
                let row = (c * k + ky) * k + kx;
                let dst = &mut cols[row * plane_out..(row + 1) * plane_out];
                for (oy, row_out) in dst.chunks_exact_mut(g.out_width).enumerate() {
                    let iy = (oy * g.stride + ky)
                        .checked_sub(g.pad_top)
                        .filter(|&iy| iy < g.height);
                    let Some(iy) = iy.filter(|_| first < last) else {
                        row_out.fill(0.0);
                        continue;
                    };
                    row_out[..first].fill(0.0);
                    row_out[last..].fill(0.0);
                    let start = first * g.stride + kx - g.pad_left;
                    let row_in = &src[iy * g.width + start..(iy + 1) * g.width];
                    let inside = &mut row_out[first..last];
                    if g.stride == 1 {
                        inside.copy_from_slice(&row_in[..inside.len()]);
                    } else {
                        // `chunks` rather than `step_by`: no per-element bounds checks.
                        for (o, chunk) in inside.iter_mut().zip(row_in.chunks(g.stride)) {
                            *o = chunk[0];
                        }
                    }
                }
            }
        }
    }
}

/// Pads `x` (NCHW) so a padding-free convolution reproduces TF padding (the reference the
/// kernels here are tested against).
#[cfg(test)]
pub fn pad_tf(x: &Tensor, kernel: usize, stride: usize, padding: Padding) -> Result<Tensor> {
    if padding == Padding::Valid {
        return Ok(x.clone());
    }
    let (_, _, h, w) = x.dims4()?;
    let (top, bottom, _) = tf_padding(h, kernel, stride, padding);
    let (left, right, _) = tf_padding(w, kernel, stride, padding);
    let mut x = x.clone();
    if top + bottom > 0 {
        x = x.pad_with_zeros(2, top, bottom)?;
    }
    if left + right > 0 {
        x = x.pad_with_zeros(3, left, right)?;
    }
    Ok(x)
}

/// A 1x1 stride-1 convolution as one matrix product `[O, C] x [C, H*W]`.
#[derive(Debug)]
pub struct Pointwise {
    /// `[O, C]`
    weight: Vec<f32>,
    bias: Vec<f32>,
    /// The same weights in bf16, when the products run in bf16 ([`Pointwise::in_bf16`]).
    fast: Option<Bf16Weights>,
}

impl Pointwise {
    pub fn new(filter: &[f32], cin: usize, cout: usize, bias: &[f32]) -> Result<Self> {
        if filter.len() != cin * cout || bias.len() != cout {
            return Err(FaceError::Tensor(format!(
                "pointwise: {} weights and {} biases for {cin} -> {cout}",
                filter.len(),
                bias.len()
            )));
        }
        Ok(Pointwise {
            weight: hwio_to_oihw(filter, 1, 1, cin, cout, None),
            bias: bias.to_vec(),
            fast: None,
        })
    }

    /// The same layer with its products in bf16 (see [`bf16`]); the caller checks
    /// [`bf16::supported`].
    pub fn in_bf16(mut self) -> Self {
        self.fast = Some(Bf16Weights::new(
            &self.weight,
            self.out_channels(),
            self.in_channels(),
        ));
        self
    }

    /// `out[:, columns] = W * input[:, columns]` for a `[C, pixels]` input.
    fn product_columns_into(
        &self,
        out: &mut [f32],
        input: &[f32],
        pixels: usize,
        columns: std::ops::Range<usize>,
        products: Products,
    ) {
        match (&self.fast, products) {
            (Some(weights), Products::Bf16IfLoaded) => {
                weights.product_columns_into(out, input, pixels, columns);
            }
            _ => matmul_columns_into(
                out,
                &self.weight,
                input,
                (self.out_channels(), self.in_channels(), pixels),
                columns,
                false,
            ),
        }
    }

    /// Output channels.
    pub fn out_channels(&self) -> usize {
        self.bias.len()
    }

    fn in_channels(&self) -> usize {
        self.weight.len() / self.out_channels().max(1)
    }

    pub fn bias(&self) -> &[f32] {
        &self.bias
    }

    /// `W x` without the bias on one `[C, pixels]` buffer (its first `C*pixels` values), into the
    /// first `O*pixels` values of `out`, in f32.
    pub fn forward_plane_into(&self, input: &[f32], pixels: usize, out: &mut Vec<f32>) {
        let out = resize_for_overwrite(out, self.out_channels() * pixels);
        self.product_columns_into(
            out,
            &input[..self.in_channels() * pixels],
            pixels,
            0..pixels,
            Products::F32,
        );
    }

    /// [`Pointwise::forward_plane_into`] on a `[C, height, width]` buffer that computes a band of
    /// identical rows only once. The SSD's input is padded to a square, so in a landscape photo
    /// the lower rows of every feature map are the padding's constant answer: the same values
    /// row after row (bit for bit, since each comes from the same inputs through the same
    /// kernels). The longest such band (found by comparing rows, so nothing is assumed about the
    /// image) gets its first row computed and copied into the others; the rest is computed as
    /// usual. A 1x1 convolution maps equal input columns to equal output columns, so the result
    /// is that of the full product.
    pub fn forward_rows_into(
        &self,
        input: &[f32],
        (height, width): (usize, usize),
        out: &mut Vec<f32>,
        products: Products,
    ) {
        let pixels = height * width;
        let input = &input[..self.in_channels() * pixels];
        let out = resize_for_overwrite(out, self.out_channels() * pixels);
        let (band_start, band_end) = uniform_row_band(input, self.in_channels(), (height, width));
        if band_end - band_start < MIN_UNIFORM_ROWS {
            return self.product_columns_into(out, input, pixels, 0..pixels, products);
        }
        // Rows before the band and its first row; then the rows after it.
        self.product_columns_into(out, input, pixels, 0..(band_start + 1) * width, products);
        self.product_columns_into(out, input, pixels, band_end * width..pixels, products);
        for plane in out.chunks_exact_mut(pixels) {
            let (head, rest) = plane.split_at_mut((band_start + 1) * width);
            let first = &head[band_start * width..];
            for row in rest[..(band_end - band_start - 1) * width].chunks_exact_mut(width) {
                row.copy_from_slice(first);
            }
        }
    }
}

/// Which arithmetic a [`Pointwise`] product uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Products {
    F32,
    /// bf16 when the layer was loaded with bf16 weights ([`Pointwise::in_bf16`]), else f32.
    Bf16IfLoaded,
}

/// Below this many identical rows, [`Pointwise::forward_rows_into`] computes everything.
const MIN_UNIFORM_ROWS: usize = 3;

/// The longest run of rows `[start, end)` of a `[channels, height, width]` buffer that are equal
/// bit for bit in every channel (`end - start <= 1` when there is none).
fn uniform_row_band(
    input: &[f32],
    channels: usize,
    (height, width): (usize, usize),
) -> (usize, usize) {
    let pixels = height * width;
    let row_equals_next = |y: usize| {
        (0..channels).all(|c| {
            let at = c * pixels + y * width;
            input[at..at + width]
                .iter()
                .zip(&input[at + width..at + 2 * width])
                .all(|(a, b)| a.to_bits() == b.to_bits())
        })
    };
    let (mut best, mut run_start) = ((0, 0), 0);
    for y in 0..height.saturating_sub(1) {
        if !row_equals_next(y) {
            run_start = y + 1;
        } else if y + 2 - run_start > best.1 - best.0 {
            best = (run_start, y + 2);
        }
    }
    best
}

/// A depthwise 3x3-style convolution with per-channel bias, running the direct kernel.
#[derive(Debug)]
pub struct Depthwise {
    /// `[C, k, k]`
    weights: Vec<f32>,
    bias: Vec<f32>,
    channels: usize,
    kernel: usize,
    stride: usize,
}

impl Depthwise {
    /// From a TF `[kh, kw, C, 1]` filter; `scale`/`shift` fold a following per-channel affine (batch norm).
    pub fn new(
        filter: &[f32],
        kernel: usize,
        channels: usize,
        stride: usize,
        scale: Option<&[f32]>,
        shift: Option<&[f32]>,
    ) -> Self {
        let mut weights = vec![0f32; channels * kernel * kernel];
        for y in 0..kernel {
            for x in 0..kernel {
                for c in 0..channels {
                    let s = scale.map_or(1.0, |s| s[c]);
                    weights[(c * kernel + y) * kernel + x] =
                        filter[(y * kernel + x) * channels + c] * s;
                }
            }
        }
        let bias = shift.map_or_else(|| vec![0f32; channels], <[f32]>::to_vec);
        Depthwise {
            weights,
            bias,
            channels,
            kernel,
            stride,
        }
    }

    /// Applies the filter with TF "SAME" padding to one `[C, height, width]` buffer, reading it
    /// through `activation` and optionally followed by ReLU6, into the first `C*oh*ow` values of
    /// `out`; returns `(oh, ow)`. `scratch` is reused between calls.
    pub fn forward_plane_into(
        &self,
        input: &[f32],
        (height, width): (usize, usize),
        activation: InputActivation<'_>,
        relu6: bool,
        out: &mut Vec<f32>,
        scratch: &mut Vec<f32>,
    ) -> (usize, usize) {
        let g = geometry(
            self.channels,
            (height, width),
            self.kernel,
            self.stride,
            Padding::Same,
        );
        depthwise::depthwise_conv_into(
            input,
            &self.weights,
            &self.bias,
            g,
            activation,
            relu6,
            out,
            scratch,
        );
        (g.out_height, g.out_width)
    }

    /// Applies the filter with TF "SAME" padding (the tensor form the exactness test uses).
    #[cfg(test)]
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (n, c, h, w) = x.dims4()?;
        if c != self.channels {
            return Err(FaceError::Tensor(format!(
                "depthwise: {c} channels, expected {}",
                self.channels
            )));
        }
        let input = tensor_values(x)?;
        let (mut image_out, mut scratch) = (Vec::new(), Vec::new());
        let mut output = Vec::new();
        let (mut oh, mut ow) = (0, 0);
        for image in input.chunks_exact(c * h * w) {
            (oh, ow) = self.forward_plane_into(
                image,
                (h, w),
                InputActivation::Identity,
                false,
                &mut image_out,
                &mut scratch,
            );
            output.extend_from_slice(&image_out[..c * oh * ow]);
        }
        Ok(Tensor::from_vec(output, (n, c, oh, ow), &Device::Cpu)?)
    }
}

/// A TF separable convolution: depthwise (SAME) then pointwise plus bias.
#[derive(Debug)]
pub struct SeparableConv {
    depthwise: Depthwise,
    pointwise: Pointwise,
}

impl SeparableConv {
    /// Loads `{prefix}/depthwise_filter`, `{prefix}/pointwise_filter` and `{prefix}/bias`.
    pub fn load(
        weights: &WeightMap,
        prefix: &str,
        cin: usize,
        cout: usize,
        stride: usize,
    ) -> Result<Self> {
        let dw = weights.values(&format!("{prefix}/depthwise_filter"), &[3, 3, cin, 1])?;
        let pw = weights.values(&format!("{prefix}/pointwise_filter"), &[1, 1, cin, cout])?;
        let bias = weights.values(&format!("{prefix}/bias"), &[cout])?;
        Ok(SeparableConv {
            depthwise: Depthwise::new(dw, 3, cin, stride, None, None),
            pointwise: Pointwise::new(pw, cin, cout, bias)?,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.forward_activated(x, InputActivation::Identity)
    }

    /// The convolution of `activation(x)`, the activation applied as the depthwise step reads its
    /// input; one copy out of candle and one back.
    pub fn forward_activated(&self, x: &Tensor, activation: InputActivation<'_>) -> Result<Tensor> {
        let (n, c, h, w) = x.dims4()?;
        if c != self.depthwise.channels {
            return Err(FaceError::Tensor(format!(
                "separable conv: {c} channels, expected {}",
                self.depthwise.channels
            )));
        }
        let input = tensor_values(x)?;
        let (mut filtered, mut scratch, mut out) = (Vec::new(), Vec::new(), Vec::new());
        let mut output = Vec::new();
        let (mut oh, mut ow) = (0, 0);
        for image in input.chunks_exact(c * h * w) {
            (oh, ow) = self.depthwise.forward_plane_into(
                image,
                (h, w),
                activation,
                false,
                &mut filtered,
                &mut scratch,
            );
            self.pointwise
                .forward_plane_into(&filtered, oh * ow, &mut out);
            let out = &mut out[..self.pointwise.out_channels() * oh * ow];
            add_bias(out, &self.pointwise.bias, Activation::None);
            output.extend_from_slice(out);
        }
        Ok(Tensor::from_vec(
            output,
            (n, self.pointwise.out_channels(), oh, ow),
            &Device::Cpu,
        )?)
    }
}

/// A dense layer `y = x W + b` with TF's `[in, out]` weight layout.
#[derive(Debug)]
pub struct Dense {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Dense {
    pub fn new(weight: &[f32], cin: usize, cout: usize, bias: Option<&[f32]>) -> Result<Self> {
        let weight = Tensor::from_vec(weight.to_vec(), (cin, cout), &Device::Cpu)?;
        let bias = match bias {
            Some(b) => Some(Tensor::from_vec(b.to_vec(), (1, cout), &Device::Cpu)?),
            None => None,
        };
        Ok(Dense { weight, bias })
    }

    /// `x` is `[N, in]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = x.matmul(&self.weight)?;
        Ok(match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }
}

/// Max pool with TF "SAME" padding: padded cells are ignored (equivalent to -inf padding).
///
/// Separable: the maximum over each output column's window along every input row first, then
/// over each output row's window of those (max is exact in any order).
pub fn max_pool_same(x: &Tensor, kernel: usize, stride: usize) -> Result<Tensor> {
    let (n, c, h, w) = x.dims4()?;
    let (top, _, oh) = tf_padding(h, kernel, stride, Padding::Same);
    let (left, _, ow) = tf_padding(w, kernel, stride, Padding::Same);
    // Inclusive-exclusive input ranges of each output index, clipped to the image.
    let window = |o: usize, pad: usize, len: usize| {
        let start = (o * stride).saturating_sub(pad).min(len);
        let end = (o * stride + kernel).saturating_sub(pad).min(len);
        start..end
    };
    let columns: Vec<_> = (0..ow).map(|o| window(o, left, w)).collect();
    let rows: Vec<_> = (0..oh).map(|o| window(o, top, h)).collect();
    let input = tensor_values(x)?;
    let mut out = vec![f32::NEG_INFINITY; n * c * oh * ow];
    let mut row_max = vec![f32::NEG_INFINITY; h * ow];
    for (plane, dst) in input.chunks_exact(h * w).zip(out.chunks_exact_mut(oh * ow)) {
        for (row_in, maxima) in plane.chunks_exact(w).zip(row_max.chunks_exact_mut(ow)) {
            for (m, range) in maxima.iter_mut().zip(&columns) {
                *m = row_in[range.clone()]
                    .iter()
                    .fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            }
        }
        for (dst_row, range) in dst.chunks_exact_mut(ow).zip(&rows) {
            for iy in range.clone() {
                for (d, &m) in dst_row.iter_mut().zip(&row_max[iy * ow..(iy + 1) * ow]) {
                    *d = d.max(m);
                }
            }
        }
    }
    Ok(Tensor::from_vec(out, (n, c, oh, ow), &Device::Cpu)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointwise_over_a_band_of_equal_rows_equals_the_full_product() {
        let (cin, cout, height, width) = (5, 7, 9, 6);
        let filter: Vec<f32> = (0..cin * cout)
            .map(|i| ((i * 37 % 19) as f32 - 9.0) * 0.13)
            .collect();
        let bias = vec![0.0; cout];
        let pointwise = Pointwise::new(&filter, cin, cout, &bias).unwrap();
        let pixels = height * width;
        // Rows 3..8 equal (the padding's band), row 8 different again (the last row sees the
        // convolutions' own border).
        let mut input = vec![0f32; cin * pixels];
        for c in 0..cin {
            for y in 0..height {
                for x in 0..width {
                    let key = if (3..8).contains(&y) { 3 } else { y };
                    input[c * pixels + y * width + x] =
                        ((c * 31 + key * 7 + x * 3) % 23) as f32 * 0.21 - 2.0;
                }
            }
        }
        assert_eq!(uniform_row_band(&input, cin, (height, width)), (3, 8));
        let mut full = Vec::new();
        pointwise.forward_plane_into(&input, pixels, &mut full);
        let mut banded = vec![f32::NAN; 3];
        pointwise.forward_rows_into(&input, (height, width), &mut banded, Products::F32);
        assert_eq!(&banded[..cout * pixels], &full[..cout * pixels]);
        // No band: the plain product.
        input[cin * pixels - 1] = 9.0;
        input[4 * width] = 7.0;
        input[6 * width + 1] = 5.0;
        let (start, end) = uniform_row_band(&input, cin, (height, width));
        assert!(end - start < MIN_UNIFORM_ROWS);
        pointwise.forward_plane_into(&input, pixels, &mut full);
        pointwise.forward_rows_into(&input, (height, width), &mut banded, Products::F32);
        assert_eq!(&banded[..cout * pixels], &full[..cout * pixels]);
    }

    #[test]
    fn tf_same_padding_is_asymmetric_for_stride_two() {
        assert_eq!(tf_padding(112, 3, 2, Padding::Same), (0, 1, 56));
        assert_eq!(tf_padding(56, 3, 1, Padding::Same), (1, 1, 56));
        assert_eq!(tf_padding(7, 3, 2, Padding::Same), (1, 1, 4));
        assert_eq!(tf_padding(150, 7, 2, Padding::Valid), (0, 0, 72));
    }

    /// The hand-written depthwise kernel against candle's grouped convolution on the same padding.
    #[test]
    fn depthwise_matches_candle_grouped_conv() {
        for &(c, h, w, stride) in &[
            (5usize, 9usize, 8usize, 1usize),
            (4, 10, 10, 2),
            (3, 7, 11, 2),
            (2, 1, 1, 1),
            (2, 2, 2, 1),
            (2, 2, 3, 2),
            (3, 3, 3, 2),
            (2, 32, 32, 1),
            (2, 64, 64, 2),
        ] {
            let input: Vec<f32> = (0..c * h * w)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0)
                .collect();
            let filter: Vec<f32> = (0..9 * c)
                .map(|i| ((i * 13 % 23) as f32 - 11.0) / 7.0)
                .collect();
            let bias: Vec<f32> = (0..c).map(|i| i as f32 * 0.25).collect();
            let layer = Depthwise::new(&filter, 3, c, stride, None, Some(&bias));
            let x = Tensor::from_vec(input, (1, c, h, w), &Device::Cpu).unwrap();
            let ours = layer.forward(&x).unwrap();

            let kernel =
                Tensor::from_vec(layer.weights.clone(), (c, 1, 3, 3), &Device::Cpu).unwrap();
            let padded = pad_tf(&x, 3, stride, Padding::Same).unwrap();
            let reference = padded
                .conv2d(&kernel, 0, stride, 1, c)
                .unwrap()
                .broadcast_add(&Tensor::from_vec(bias.clone(), (1, c, 1, 1), &Device::Cpu).unwrap())
                .unwrap();
            assert_eq!(ours.dims(), reference.dims());
            let diff = (ours - reference)
                .unwrap()
                .abs()
                .unwrap()
                .flatten_all()
                .unwrap()
                .max(0)
                .unwrap();
            assert!(
                diff.to_scalar::<f32>().unwrap() < 1e-5,
                "c={c} h={h} w={w} s={stride}"
            );
        }
    }

    /// The im2col convolution against candle's own conv2d on explicitly padded input.
    #[test]
    fn im2col_conv_matches_candle_conv2d() {
        let cases = [
            (
                3usize,
                5usize,
                9usize,
                8usize,
                3usize,
                2usize,
                Padding::Same,
            ),
            (4, 6, 10, 10, 3, 1, Padding::Same),
            (3, 4, 15, 15, 7, 2, Padding::Valid),
            (2, 3, 7, 7, 3, 2, Padding::Valid),
            (4, 2, 8, 8, 1, 2, Padding::Same),
            (6, 4, 9, 9, 3, 2, Padding::Same),
            (5, 3, 8, 7, 3, 1, Padding::Same),
            (3, 4, 16, 16, 3, 1, Padding::Valid),
        ];
        for (cin, cout, h, w, k, stride, padding) in cases {
            let n = 2;
            let input: Vec<f32> = (0..n * cin * h * w)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0)
                .collect();
            let filter: Vec<f32> = (0..k * k * cin * cout)
                .map(|i| ((i * 13 % 23) as f32 - 11.0) / 7.0)
                .collect();
            let bias: Vec<f32> = (0..cout).map(|i| i as f32 * 0.25).collect();
            let conv = Conv::new(&filter, [k, k, cin, cout], &bias, stride, padding, None).unwrap();
            let x = Tensor::from_vec(input, (n, cin, h, w), &Device::Cpu).unwrap();
            let ours = conv.forward(&x).unwrap();
            let kernel =
                Tensor::from_vec(conv.weight.clone(), (cout, cin, k, k), &Device::Cpu).unwrap();
            let bias = Tensor::from_vec(conv.bias.clone(), (1, cout, 1, 1), &Device::Cpu).unwrap();
            let reference = pad_tf(&x, k, stride, padding)
                .unwrap()
                .conv2d(&kernel, 0, stride, 1, 1)
                .unwrap()
                .broadcast_add(&bias)
                .unwrap();
            assert_eq!(ours.dims(), reference.dims());
            let diff = (ours - reference)
                .unwrap()
                .abs()
                .unwrap()
                .flatten_all()
                .unwrap();
            let diff = diff.max(0).unwrap().to_scalar::<f32>().unwrap();
            assert!(diff < 1e-4, "cin={cin} k={k} s={stride}: {diff}");

            // A reused, dirty scratch buffer gives the same result: every patch cell is written.
            let first_image = &x
                .get(0)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let (mut clean, mut dirty) = (Vec::new(), Vec::new());
            let mut columns = vec![f32::NAN; 10_000];
            conv.forward_plane_into(first_image, (h, w), &mut clean, &mut Vec::new());
            conv.forward_plane_into(first_image, (h, w), &mut dirty, &mut columns);
            assert_eq!(clean, dirty, "cin={cin} k={k} s={stride}");
        }
    }

    /// The separable max pool against a direct window scan.
    #[test]
    fn max_pool_same_matches_window_scan() {
        for &(h, w, k, s) in &[
            (7usize, 9usize, 3usize, 2usize),
            (8, 8, 3, 2),
            (5, 4, 2, 1),
            (1, 3, 3, 2),
        ] {
            let values: Vec<f32> = (0..2 * h * w)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
                .collect();
            let x = Tensor::from_vec(values.clone(), (1, 2, h, w), &Device::Cpu).unwrap();
            let got = max_pool_same(&x, k, s)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let (top, _, oh) = tf_padding(h, k, s, Padding::Same);
            let (left, _, ow) = tf_padding(w, k, s, Padding::Same);
            let mut want = Vec::new();
            for c in 0..2 {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let mut best = f32::NEG_INFINITY;
                        for ky in 0..k {
                            for kx in 0..k {
                                let (iy, ix) = (oy * s + ky, ox * s + kx);
                                if iy >= top && ix >= left && iy - top < h && ix - left < w {
                                    best = best.max(values[(c * h + iy - top) * w + ix - left]);
                                }
                            }
                        }
                        want.push(best);
                    }
                }
            }
            assert_eq!(got, want, "{h}x{w} k{k} s{s}");
        }
    }

    #[test]
    fn max_pool_same_ignores_padding() {
        let x =
            Tensor::from_vec(vec![-1f32, -2.0, -3.0, -4.0], (1, 1, 2, 2), &Device::Cpu).unwrap();
        let y = max_pool_same(&x, 3, 2).unwrap();
        assert_eq!(
            y.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            vec![-1.0]
        );
    }
}
