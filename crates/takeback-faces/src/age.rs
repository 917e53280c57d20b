//! Age estimate from face-api's `AgeGenderNet` (a TinyXception trunk with a linear age head).
//! The gender head is not used: the app has no need for it.

use candle_core::Tensor;

use crate::align::CropRect;
use crate::ops::image_prep::{batch_input_rgb8_region, normalise_face, RgbF32};
use crate::ops::{
    max_pool_same, Activation, Conv, Dense, InputActivation, Padding, Result, SeparableConv,
};
use crate::weights::WeightMap;

pub const INPUT_SIZE: usize = 112;

#[derive(Debug)]
struct ReductionBlock {
    sep0: SeparableConv,
    sep1: SeparableConv,
    expansion: Conv,
    activate_input: bool,
}

impl ReductionBlock {
    fn load(
        w: &WeightMap,
        prefix: &str,
        cin: usize,
        cout: usize,
        activate_input: bool,
    ) -> Result<Self> {
        Ok(ReductionBlock {
            sep0: SeparableConv::load(w, &format!("{prefix}/separable_conv0"), cin, cout, 1)?,
            sep1: SeparableConv::load(w, &format!("{prefix}/separable_conv1"), cout, cout, 1)?,
            expansion: Conv::load(
                w,
                &format!("{prefix}/expansion_conv/filters"),
                &format!("{prefix}/expansion_conv/bias"),
                [1, 1, cin, cout],
                2,
                Padding::Same,
            )?,
            activate_input,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let activation = if self.activate_input {
            InputActivation::Relu
        } else {
            InputActivation::Identity
        };
        let out = self.sep0.forward_activated(x, activation)?;
        let out = self.sep1.forward_activated(&out, InputActivation::Relu)?;
        let out = max_pool_same(&out, 3, 2)?;
        Ok((out + self.expansion.forward(x)?)?)
    }
}

#[derive(Debug)]
struct MainBlock {
    convs: [SeparableConv; 3],
}

impl MainBlock {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut out = x.clone();
        for conv in &self.convs {
            out = conv.forward_activated(&out, InputActivation::Relu)?;
        }
        Ok((out + x)?)
    }
}

/// The loaded age net.
#[derive(Debug)]
pub struct AgeNet {
    conv_in: Conv,
    reduction0: ReductionBlock,
    reduction1: ReductionBlock,
    main: Vec<MainBlock>,
    exit_reduction: ReductionBlock,
    exit_separable: SeparableConv,
    fc_age: Dense,
}

impl AgeNet {
    pub fn load(w: &WeightMap) -> Result<Self> {
        let main = (0..2)
            .map(|i| {
                let sep = |j: usize| {
                    SeparableConv::load(
                        w,
                        &format!("middle_flow/main_block_{i}/separable_conv{j}"),
                        128,
                        128,
                        1,
                    )
                };
                Ok(MainBlock {
                    convs: [sep(0)?, sep(1)?, sep(2)?],
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AgeNet {
            conv_in: Conv::load(
                w,
                "entry_flow/conv_in/filters",
                "entry_flow/conv_in/bias",
                [3, 3, 3, 32],
                2,
                Padding::Same,
            )?,
            reduction0: ReductionBlock::load(w, "entry_flow/reduction_block_0", 32, 64, false)?,
            reduction1: ReductionBlock::load(w, "entry_flow/reduction_block_1", 64, 128, true)?,
            main,
            exit_reduction: ReductionBlock::load(w, "exit_flow/reduction_block", 128, 256, true)?,
            exit_separable: SeparableConv::load(w, "exit_flow/separable_conv", 256, 512, 1)?,
            fc_age: Dense::new(
                w.values("fc/age/weights", &[512, 1])?,
                512,
                1,
                Some(w.values("fc/age/bias", &[1])?),
            )?,
        })
    }

    /// Estimated age in years on a prepared 112x112 input.
    pub fn forward(&self, input: &RgbF32) -> Result<f32> {
        let x = input.to_tensor(normalise_face)?;
        let mut x = self.conv_in.forward_activated(&x, Activation::Relu)?;
        x = self.reduction0.forward(&x)?;
        x = self.reduction1.forward(&x)?;
        for block in &self.main {
            x = block.forward(&x)?;
        }
        x = self.exit_reduction.forward(&x)?;
        x = self.exit_separable.forward(&x)?.relu()?;
        // avgPool 7x7 stride 2 VALID over the 7x7 map is the mean.
        let pooled = x.mean_keepdim(3)?.mean_keepdim(2)?.flatten_from(1)?;
        Ok(self
            .fc_age
            .forward(&pooled)?
            .flatten_all()?
            .to_vec1::<f32>()?
            .first()
            .copied()
            .unwrap_or(0.0))
    }

    /// Age of the face in `crop` of `image` (padded to a square and resized to 112 from the
    /// image's full resolution).
    pub fn age(&self, image: &image::RgbImage, crop: CropRect) -> Result<f32> {
        self.forward(&batch_input_rgb8_region(
            image,
            (crop.x, crop.y, crop.width, crop.height),
            INPUT_SIZE,
            true,
        ))
    }
}
