//! The 68-point landmark net (face-api `FaceLandmark68Net`): four dense blocks and a dense head.

use candle_core::Tensor;

use crate::align::CropRect;
use crate::ops::image_prep::{batch_input_rgb8_region, normalise_face, RgbF32};
use crate::ops::{Conv, Dense, InputActivation, Padding, Result, SeparableConv};
use crate::weights::WeightMap;

pub const INPUT_SIZE: usize = 112;

/// `denseBlock4`: conv0 halves the resolution, then three separable convs with dense connections.
#[derive(Debug)]
struct DenseBlock {
    first: First,
    convs: [SeparableConv; 3],
}

#[derive(Debug)]
enum First {
    Conv(Conv),
    Separable(SeparableConv),
}

impl DenseBlock {
    fn load(w: &WeightMap, index: usize, cin: usize, cout: usize) -> Result<Self> {
        let prefix = format!("dense{index}");
        let first = if index == 0 {
            First::Conv(Conv::load(
                w,
                &format!("{prefix}/conv0/filters"),
                &format!("{prefix}/conv0/bias"),
                [3, 3, cin, cout],
                2,
                Padding::Same,
            )?)
        } else {
            First::Separable(SeparableConv::load(
                w,
                &format!("{prefix}/conv0"),
                cin,
                cout,
                2,
            )?)
        };
        let sep = |i: usize| SeparableConv::load(w, &format!("{prefix}/conv{i}"), cout, cout, 1);
        Ok(DenseBlock {
            first,
            convs: [sep(1)?, sep(2)?, sep(3)?],
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let out1 = match &self.first {
            First::Conv(c) => c.forward(x)?,
            First::Separable(s) => s.forward(x)?,
        }
        .relu()?;
        let out2 = self.convs[0].forward(&out1)?;
        let out3 = self.convs[1].forward_activated(&(&out1 + &out2)?, InputActivation::Relu)?;
        let sum3 = (&out1 + (&out2 + &out3)?)?;
        let out4 = self.convs[2].forward_activated(&sum3, InputActivation::Relu)?;
        Ok((&out1 + (&out2 + (&out3 + &out4)?)?)?.relu()?)
    }
}

/// The loaded landmark net.
#[derive(Debug)]
pub struct LandmarkNet {
    blocks: Vec<DenseBlock>,
    fc: Dense,
}

impl LandmarkNet {
    pub fn load(w: &WeightMap) -> Result<Self> {
        let channels = [(3, 32), (32, 64), (64, 128), (128, 256)];
        let blocks = channels
            .iter()
            .enumerate()
            .map(|(i, &(cin, cout))| DenseBlock::load(w, i, cin, cout))
            .collect::<Result<Vec<_>>>()?;
        let fc = Dense::new(
            w.values("fc/weights", &[256, 136])?,
            256,
            136,
            Some(w.values("fc/bias", &[136])?),
        )?;
        Ok(LandmarkNet { blocks, fc })
    }

    /// Raw output on a prepared 112x112 input: 68 interleaved (x, y) relative to the padded square.
    pub fn forward(&self, input: &RgbF32) -> Result<Vec<f32>> {
        let mut x = input.to_tensor(normalise_face)?;
        for block in &self.blocks {
            x = block.forward(&x)?;
        }
        // avgPool 7x7 stride 2 VALID over the 7x7 map is the mean.
        let pooled = x.mean_keepdim(3)?.mean_keepdim(2)?.flatten_from(1)?;
        Ok(self.fc.forward(&pooled)?.flatten_all()?.to_vec1::<f32>()?)
    }

    /// Landmarks of the face in `crop` of `image`, relative to the crop (0..1), as face-api's
    /// `postProcess` computes them. The crop is read at the image's full resolution.
    pub fn landmarks_relative(
        &self,
        image: &image::RgbImage,
        crop: CropRect,
    ) -> Result<Vec<[f32; 2]>> {
        let input = batch_input_rgb8_region(
            image,
            (crop.x, crop.y, crop.width, crop.height),
            INPUT_SIZE,
            true,
        );
        let raw = self.forward(&input)?;
        Ok(unpad_relative(
            &raw,
            crop.width as usize,
            crop.height as usize,
        ))
    }
}

/// `(out * 112 - pad) / scaledDim`, where the crop was scaled by `112 / max(w, h)` and centred.
pub fn unpad_relative(raw: &[f32], crop_width: usize, crop_height: usize) -> Vec<[f32; 2]> {
    let size = INPUT_SIZE as f64;
    let scale = size / crop_width.max(crop_height) as f64;
    let (w, h) = (crop_width as f64 * scale, crop_height as f64 * scale);
    let pad_x = if w < h { (w - h).abs() / 2.0 } else { 0.0 } as f32;
    let pad_y = if h < w { (w - h).abs() / 2.0 } else { 0.0 } as f32;
    let (w, h) = (w as f32, h as f32);
    raw.chunks_exact(2)
        .map(|p| {
            [
                (p[0] * INPUT_SIZE as f32 - pad_x) / w,
                (p[1] * INPUT_SIZE as f32 - pad_y) / h,
            ]
        })
        .collect()
}
