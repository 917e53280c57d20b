//! The face recognition net (face-api `FaceRecognitionNet`, a port of dlib's ResNet-34 model):
//! a 150x150 aligned crop in, a 128-D descriptor out.

use candle_core::Tensor;

use crate::ops::image_prep::{normalise_face, RgbF32};
use crate::ops::{Activation, Conv, Dense, Padding, Result};
use crate::weights::WeightMap;

pub const INPUT_SIZE: usize = 150;

/// Loads `conv + bias` followed by dlib's affine `scale` layer, folded into one convolution.
fn conv_layer(
    w: &WeightMap,
    prefix: &str,
    kernel: usize,
    cin: usize,
    cout: usize,
    stride: usize,
    padding: Padding,
) -> Result<Conv> {
    let shape = [kernel, kernel, cin, cout];
    let filter = w.values(&format!("{prefix}/conv/filters"), &shape)?;
    let bias = w.values(&format!("{prefix}/conv/bias"), &[cout])?;
    let scale = w.values(&format!("{prefix}/scale/weights"), &[cout])?;
    let shift = w.values(&format!("{prefix}/scale/biases"), &[cout])?;
    let folded_bias: Vec<f32> = bias
        .iter()
        .zip(scale)
        .zip(shift)
        .map(|((b, s), t)| b * s + t)
        .collect();
    Conv::new(filter, shape, &folded_bias, stride, padding, Some(scale))
}

#[derive(Debug)]
struct Residual {
    conv1: Conv,
    conv2: Conv,
    down: bool,
}

impl Residual {
    fn load(w: &WeightMap, prefix: &str, cin: usize, cout: usize, down: bool) -> Result<Self> {
        let (stride, padding) = if down {
            (2, Padding::Valid)
        } else {
            (1, Padding::Same)
        };
        Ok(Residual {
            conv1: conv_layer(w, &format!("{prefix}/conv1"), 3, cin, cout, stride, padding)?,
            conv2: conv_layer(
                w,
                &format!("{prefix}/conv2"),
                3,
                cout,
                cout,
                1,
                Padding::Same,
            )?,
            down,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut out = self
            .conv2
            .forward(&self.conv1.forward_activated(x, Activation::Relu)?)?;
        if !self.down {
            return Ok((out + x)?.relu()?);
        }
        let mut shortcut = x.avg_pool2d_with_stride((2, 2), (2, 2))?;
        let (_, c_short, h_short, _) = shortcut.dims4()?;
        let (_, c_out, h_out, _) = out.dims4()?;
        if h_out != h_short {
            // The conv branch is one pixel smaller: face-api appends a zero row and column.
            out = out.pad_with_zeros(2, 0, 1)?.pad_with_zeros(3, 0, 1)?;
        }
        if c_short != c_out {
            // Channel count doubles: the shortcut gets zero channels appended.
            shortcut = shortcut.pad_with_zeros(1, 0, c_out - c_short)?;
        }
        Ok((shortcut + out)?.relu()?)
    }
}

/// The loaded recognition net.
#[derive(Debug)]
pub struct RecognitionNet {
    conv_down: Conv,
    blocks: Vec<Residual>,
    fc: Dense,
}

impl RecognitionNet {
    pub fn load(w: &WeightMap) -> Result<Self> {
        let conv_down = conv_layer(w, "conv32_down", 7, 3, 32, 2, Padding::Valid)?;
        let plan: [(&str, usize, usize, bool); 15] = [
            ("conv32_1", 32, 32, false),
            ("conv32_2", 32, 32, false),
            ("conv32_3", 32, 32, false),
            ("conv64_down", 32, 64, true),
            ("conv64_1", 64, 64, false),
            ("conv64_2", 64, 64, false),
            ("conv64_3", 64, 64, false),
            ("conv128_down", 64, 128, true),
            ("conv128_1", 128, 128, false),
            ("conv128_2", 128, 128, false),
            ("conv256_down", 128, 256, true),
            ("conv256_1", 256, 256, false),
            ("conv256_2", 256, 256, false),
            ("conv256_down_out", 256, 256, true),
            ("", 0, 0, false),
        ];
        let blocks = plan
            .iter()
            .filter(|(name, ..)| !name.is_empty())
            .map(|&(name, cin, cout, down)| Residual::load(w, name, cin, cout, down))
            .collect::<Result<Vec<_>>>()?;
        let fc = Dense::new(w.values("fc", &[256, 128])?, 256, 128, None)?;
        Ok(RecognitionNet {
            conv_down,
            blocks,
            fc,
        })
    }

    /// Descriptors of prepared 150x150 inputs (values 0..255), one per input, run as one batch.
    pub fn forward_batch(&self, inputs: &[RgbF32]) -> Result<Vec<Vec<f32>>> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let tensors = inputs
            .iter()
            .map(|i| i.to_tensor(normalise_face))
            .collect::<Result<Vec<_>>>()?;
        let x = Tensor::cat(&tensors, 0)?;
        let mut x = self.conv_down.forward_activated(&x, Activation::Relu)?;
        x = x.max_pool2d_with_stride((3, 3), (2, 2))?;
        for block in &self.blocks {
            x = block.forward(&x)?;
        }
        let pooled = x.mean_keepdim(3)?.mean_keepdim(2)?.flatten_from(1)?;
        Ok(self.fc.forward(&pooled)?.to_vec2::<f32>()?)
    }
}
