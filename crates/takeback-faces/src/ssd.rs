//! SSD MobileNetV1 face detector (face-api `ssdMobilenetv1`): the network, anchor decoding and NMS.

use crate::ops::depthwise::InputActivation;
use crate::ops::image_prep::{batch_input_rgb8_region, RgbF32};
use crate::ops::{
    add_bias, Activation, Conv, Depthwise, Padding, Pointwise, Pool, Products, Result,
};
use crate::weights::WeightMap;

/// The network's input side.
pub const INPUT_SIZE: usize = 512;
/// TF's batch-norm epsilon (face-api writes 0.0010000000474974513, which is f32 0.001).
const BN_EPSILON: f32 = 0.001;
/// face-api's NMS IoU threshold.
const IOU_THRESHOLD: f64 = 0.5;

/// Output channels of MobilenetV1 `Conv2d_1..13` and which depthwise layers have stride 2.
const BACKBONE: [(usize, usize); 13] = [
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
];

/// With bf16 products, the backbone pointwise layers from this index on use them. The first three
/// (32-128 input channels on the 256- and 128-px maps) gain nothing: their rounding passes cost
/// what the dot product saves. Kept in f32 they also keep the boxes nearer face-api's: worst box
/// IoU on the golden set 0.993 against 0.987 with every layer in bf16 (`tests/golden.rs`), with the
/// detector as fast (56-57 against 56-62 ms per 360-px portrait, `examples/bench`).
const BF16_FROM_LAYER: usize = 3;

/// `Prediction/Conv2d_0..7_pointwise`: (kernel, out channels); kernel 3 layers have stride 2.
const EXTRA: [(usize, usize); 8] = [
    (1, 256),
    (3, 512),
    (1, 128),
    (3, 256),
    (1, 128),
    (3, 256),
    (1, 64),
    (3, 128),
];

#[derive(Debug)]
enum ExtraLayer {
    Pointwise(Pointwise),
    Strided(Conv),
}

#[derive(Debug)]
struct BoxPredictor {
    anchors_per_cell: usize,
    boxes: Pointwise,
    classes: Pointwise,
}

/// Raw network outputs over all 5118 anchors.
#[derive(Debug, Clone)]
pub struct SsdOutput {
    /// Decoded boxes `[ymin, xmin, ymax, xmax]`, relative to the padded 512 square.
    pub boxes: Vec<[f32; 4]>,
    /// Face probability of each anchor.
    pub scores: Vec<f32>,
}

/// A detection in original-image pixels (f64, as face-api computes in JS numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub score: f32,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// The loaded detector.
#[derive(Debug)]
pub struct SsdMobilenet {
    conv0: Conv,
    backbone: Vec<(Depthwise, Pointwise)>,
    extra: Vec<ExtraLayer>,
    predictors: Vec<BoxPredictor>,
    /// `[ymin, xmin, ymax, xmax]` per anchor.
    anchors: Vec<[f32; 4]>,
    scratch: Pool<Scratch>,
}

/// The buffers of one forward pass (the largest is 64 x 256 x 256 values), kept for the next.
#[derive(Debug, Default)]
struct Scratch {
    a: Vec<f32>,
    b: Vec<f32>,
    padded: Vec<f32>,
    columns: Vec<f32>,
    conv11: Vec<f32>,
}

impl SsdMobilenet {
    /// `bf16`: run the backbone's pointwise products in bf16 (`ops::bf16`).
    pub fn load(w: &WeightMap, bf16: bool) -> Result<Self> {
        let conv0 = Conv::load(
            w,
            "MobilenetV1/Conv2d_0_pointwise/weights",
            "MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset",
            [3, 3, 3, 32],
            2,
            Padding::Same,
        )?;
        let mut backbone = Vec::new();
        let mut cin = 32;
        for (i, &(cout, stride)) in BACKBONE.iter().enumerate() {
            let n = i + 1;
            let dw_name = |s: &str| format!("MobilenetV1/Conv2d_{n}_depthwise/{s}");
            let filter = w.values(&dw_name("depthwise_weights"), &[3, 3, cin, 1])?;
            let gamma = w.values(&dw_name("BatchNorm/gamma"), &[cin])?;
            let beta = w.values(&dw_name("BatchNorm/beta"), &[cin])?;
            let mean = w.values(&dw_name("BatchNorm/moving_mean"), &[cin])?;
            let variance = w.values(&dw_name("BatchNorm/moving_variance"), &[cin])?;
            // Fold batch norm into the depthwise filter: y = x*s + (beta - mean*s), s = gamma/sqrt(var+eps).
            let scale: Vec<f32> = gamma
                .iter()
                .zip(variance)
                .map(|(g, v)| g / (v + BN_EPSILON).sqrt())
                .collect();
            let shift: Vec<f32> = beta
                .iter()
                .zip(mean)
                .zip(&scale)
                .map(|((b, m), s)| b - m * s)
                .collect();
            let depthwise = Depthwise::new(filter, 3, cin, stride, Some(&scale), Some(&shift));
            let pw_filter = w.values(
                &format!("MobilenetV1/Conv2d_{n}_pointwise/weights"),
                &[1, 1, cin, cout],
            )?;
            let pw_bias = w.values(
                &format!("MobilenetV1/Conv2d_{n}_pointwise/convolution_bn_offset"),
                &[cout],
            )?;
            let pointwise = Pointwise::new(pw_filter, cin, cout, pw_bias)?;
            let pointwise = if bf16 && i >= BF16_FROM_LAYER {
                pointwise.in_bf16()
            } else {
                pointwise
            };
            backbone.push((depthwise, pointwise));
            cin = cout;
        }
        let mut extra = Vec::new();
        for (i, &(kernel, cout)) in EXTRA.iter().enumerate() {
            let filter_name = format!("Prediction/Conv2d_{i}_pointwise/weights");
            let bias_name = format!("Prediction/Conv2d_{i}_pointwise/convolution_bn_offset");
            extra.push(if kernel == 1 {
                let filter = w.values(&filter_name, &[1, 1, cin, cout])?;
                ExtraLayer::Pointwise(Pointwise::new(
                    filter,
                    cin,
                    cout,
                    w.values(&bias_name, &[cout])?,
                )?)
            } else {
                ExtraLayer::Strided(Conv::load(
                    w,
                    &filter_name,
                    &bias_name,
                    [3, 3, cin, cout],
                    2,
                    Padding::Same,
                )?)
            });
            cin = cout;
        }
        let predictor_inputs = [(512, 3), (1024, 6), (512, 6), (256, 6), (256, 6), (128, 6)];
        let mut predictors = Vec::new();
        for (i, &(cin, anchors_per_cell)) in predictor_inputs.iter().enumerate() {
            let load = |kind: &str, per_anchor: usize| -> Result<Pointwise> {
                let cout = anchors_per_cell * per_anchor;
                let prefix = format!("Prediction/BoxPredictor_{i}/{kind}");
                Pointwise::new(
                    w.values(&format!("{prefix}/weights"), &[1, 1, cin, cout])?,
                    cin,
                    cout,
                    w.values(&format!("{prefix}/biases"), &[cout])?,
                )
            };
            predictors.push(BoxPredictor {
                anchors_per_cell,
                boxes: load("BoxEncodingPredictor", 4)?,
                classes: load("ClassPredictor", 3)?,
            });
        }
        let anchors = w
            .values("Output/extra_dim", &[1, 5118, 4])?
            .chunks_exact(4)
            .map(|a| [a[0], a[1], a[2], a[3]])
            .collect();
        Ok(SsdMobilenet {
            conv0,
            backbone,
            extra,
            predictors,
            anchors,
            scratch: Pool::default(),
        })
    }

    /// Runs the network on an already prepared 512x512 input (values 0..255).
    ///
    /// Everything runs on plain buffers taken from a pool, so a call allocates almost nothing. A
    /// pointwise layer's output stays without its bias and ReLU6 until the next depthwise layer
    /// reads it ([`InputActivation::BiasRelu6`]), which saves a pass over the largest buffers.
    /// `products`: whether the backbone may use its bf16 weights, when it was loaded with them.
    pub fn forward(&self, input: &RgbF32, products: Products) -> Result<SsdOutput> {
        self.scratch
            .with(|scratch| self.forward_with(input, scratch, products))
    }

    fn forward_with(
        &self,
        input: &RgbF32,
        scratch: &mut Scratch,
        products: Products,
    ) -> Result<SsdOutput> {
        let Scratch {
            a,
            b,
            padded,
            columns,
            conv11,
        } = scratch;
        input.to_planar_into(|v, _| v / 127.5 - 1.0, a);
        let (mut height, mut width) =
            self.conv0
                .forward_plane_into(a, (input.height, input.width), b, columns);
        let mut pending_bias = self.conv0.bias();
        let mut conv11_pixels = 0;
        for (i, (depthwise, pointwise)) in self.backbone.iter().enumerate() {
            (height, width) = depthwise.forward_plane_into(
                b,
                (height, width),
                InputActivation::BiasRelu6(pending_bias),
                true,
                a,
                padded,
            );
            pointwise.forward_rows_into(a, (height, width), b, products);
            pending_bias = pointwise.bias();
            if i + 1 == 11 {
                conv11.clear();
                conv11.extend_from_slice(&b[..pointwise.out_channels() * height * width]);
                conv11_pixels = height * width;
                add_bias(conv11, pending_bias, Activation::Relu6);
            }
        }
        let b = &mut b[..pending_bias.len() * height * width];
        add_bias(b, pending_bias, Activation::Relu6);
        // The extra layers' maps are small (at most 512 x 8 x 8): plain vectors.
        let mut feature_maps: Vec<(Vec<f32>, usize)> = Vec::with_capacity(4);
        let mut current: Vec<f32> = Vec::new();
        let (mut h, mut w) = (height, width);
        for (i, layer) in self.extra.iter().enumerate() {
            let x: &[f32] = if i == 0 { b } else { &current };
            let mut out = Vec::new();
            let bias = match layer {
                ExtraLayer::Pointwise(p) => {
                    p.forward_plane_into(x, h * w, &mut out);
                    p.bias()
                }
                ExtraLayer::Strided(c) => {
                    (h, w) = c.forward_plane_into(x, (h, w), &mut out, columns);
                    c.bias()
                }
            };
            add_bias(&mut out, bias, Activation::Relu6);
            if i % 2 == 1 {
                feature_maps.push((out.clone(), h * w));
            }
            current = out;
        }
        let mut maps: Vec<(&[f32], usize)> = vec![(conv11, conv11_pixels), (b, height * width)];
        maps.extend(
            feature_maps
                .iter()
                .map(|(m, pixels)| (m.as_slice(), *pixels)),
        );
        let mut encodings = Vec::with_capacity(self.anchors.len());
        let mut logits = Vec::with_capacity(self.anchors.len());
        let mut out = Vec::new();
        for (predictor, &(features, pixels)) in self.predictors.iter().zip(&maps) {
            let anchors = predictor.anchors_per_cell;
            predictor
                .boxes
                .forward_plane_into(features, pixels, &mut out);
            let bias = predictor.boxes.bias();
            add_bias(&mut out[..bias.len() * pixels], bias, Activation::None);
            for p in 0..pixels {
                for a in 0..anchors {
                    let at = |j: usize| out[(a * 4 + j) * pixels + p];
                    encodings.push([at(0), at(1), at(2), at(3)]);
                }
            }
            predictor
                .classes
                .forward_plane_into(features, pixels, &mut out);
            let bias = predictor.classes.bias();
            add_bias(&mut out[..bias.len() * pixels], bias, Activation::None);
            for p in 0..pixels {
                for a in 0..anchors {
                    logits.push(out[(a * 3 + 1) * pixels + p]);
                }
            }
        }
        let mut boxes = Vec::with_capacity(self.anchors.len());
        for (anchor, t) in self.anchors.iter().zip(&encodings) {
            let (h_a, w_a) = (anchor[2] - anchor[0], anchor[3] - anchor[1]);
            let (cy_a, cx_a) = (anchor[0] + h_a / 2.0, anchor[1] + w_a / 2.0);
            let half_h = (t[2] / 5.0).exp() * h_a / 2.0;
            let cy = t[0] / 10.0 * h_a + cy_a;
            let half_w = (t[3] / 5.0).exp() * w_a / 2.0;
            let cx = t[1] / 10.0 * w_a + cx_a;
            boxes.push([cy - half_h, cx - half_w, cy + half_h, cx + half_w]);
        }
        let scores = logits.iter().map(|l| 1.0 / (1.0 + (-l).exp())).collect();
        Ok(SsdOutput { boxes, scores })
    }

    /// Detects faces in an RGB image: face-api `locateFaces` with `minConfidence`, `maxResults`.
    pub fn detect(
        &self,
        image: &image::RgbImage,
        min_confidence: f32,
        max_results: usize,
        products: Products,
    ) -> Result<Vec<Detection>> {
        self.detect_region(
            image,
            (0, 0, image.width(), image.height()),
            min_confidence,
            max_results,
            products,
        )
    }

    /// [`SsdMobilenet::detect`] on the rectangle `(x, y, w, h)` of `image` as if it were the whole
    /// image (sampled from the original pixels); boxes in `image`'s pixels.
    pub fn detect_region(
        &self,
        image: &image::RgbImage,
        (x0, y0, region_w, region_h): (u32, u32, u32, u32),
        min_confidence: f32,
        max_results: usize,
        products: Products,
    ) -> Result<Vec<Detection>> {
        let input = batch_input_rgb8_region(image, (x0, y0, region_w, region_h), INPUT_SIZE, false);
        let output = self.forward(&input, products)?;
        let kept = non_max_suppression(
            &output.boxes,
            &output.scores,
            max_results,
            IOU_THRESHOLD,
            min_confidence,
        );
        // Undo the right/bottom padding: the image filled `reshaped` of the 512 square.
        let (w, h) = (f64::from(region_w), f64::from(region_h));
        let long = w.max(h);
        let reshaped_w = (w * INPUT_SIZE as f64 / long).round();
        let reshaped_h = (h * INPUT_SIZE as f64 / long).round();
        let pad_x = INPUT_SIZE as f64 / reshaped_w;
        let pad_y = INPUT_SIZE as f64 / reshaped_h;
        let (ox, oy) = (f64::from(x0), f64::from(y0));
        Ok(kept
            .into_iter()
            .map(|i| {
                let b = output.boxes[i];
                let top = f64::from(b[0]).max(0.0) * pad_y;
                let bottom = f64::from(b[2]).min(1.0) * pad_y;
                let left = f64::from(b[1]).max(0.0) * pad_x;
                let right = f64::from(b[3]).min(1.0) * pad_x;
                Detection {
                    score: output.scores[i],
                    // `+ 0.0` for the whole image keeps face-api's values bit for bit.
                    x: left * w + ox,
                    y: top * h + oy,
                    width: (right - left) * w,
                    height: (bottom - top) * h,
                }
            })
            .collect())
    }
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f64 {
    let a: [f64; 4] = a.map(f64::from);
    let b: [f64; 4] = b.map(f64::from);
    let (ay0, ax0, ay1, ax1) = (
        a[0].min(a[2]),
        a[1].min(a[3]),
        a[0].max(a[2]),
        a[1].max(a[3]),
    );
    let (by0, bx0, by1, bx1) = (
        b[0].min(b[2]),
        b[1].min(b[3]),
        b[0].max(b[2]),
        b[1].max(b[3]),
    );
    let area_a = (ay1 - ay0) * (ax1 - ax0);
    let area_b = (by1 - by0) * (bx1 - bx0);
    if area_a <= 0.0 || area_b <= 0.0 {
        return 0.0;
    }
    let inter = (ay1.min(by1) - ay0.max(by0)).max(0.0) * (ax1.min(bx1) - ax0.max(bx0)).max(0.0);
    inter / (area_a + area_b - inter)
}

/// face-api's greedy NMS: candidates above `score_threshold`, best first, dropped when their IoU with
/// an accepted box exceeds `iou_threshold`.
pub fn non_max_suppression(
    boxes: &[[f32; 4]],
    scores: &[f32],
    max_results: usize,
    iou_threshold: f64,
    score_threshold: f32,
) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..scores.len())
        .filter(|&i| scores[i] > score_threshold)
        .collect();
    // Stable sort, like JS `Array.prototype.sort`, so ties keep anchor order.
    candidates.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut selected: Vec<usize> = Vec::new();
    for candidate in candidates {
        if selected.len() >= max_results.min(boxes.len()) {
            break;
        }
        let suppressed = selected
            .iter()
            .rev()
            .any(|&s| iou(&boxes[candidate], &boxes[s]) > iou_threshold);
        if !suppressed {
            selected.push(candidate);
        }
    }
    selected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nms_keeps_best_of_overlapping_boxes() {
        let boxes = [
            [0.0, 0.0, 1.0, 1.0],
            [0.0, 0.0, 1.0, 0.9],
            [2.0, 2.0, 3.0, 3.0],
        ];
        let scores = [0.8, 0.9, 0.6];
        assert_eq!(
            non_max_suppression(&boxes, &scores, 100, 0.5, 0.5),
            vec![1, 2]
        );
        assert_eq!(non_max_suppression(&boxes, &scores, 1, 0.5, 0.5), vec![1]);
        assert!(non_max_suppression(&boxes, &scores, 100, 0.5, 0.95).is_empty());
    }
}
