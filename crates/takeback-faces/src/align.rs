//! Face-api's geometry between the networks: which pixels each net sees, and where landmarks land.
//!
//! face-api computes in JS doubles and passes boxes through "relative" coordinates and back
//! (`x * (1/W) * W`) before flooring; those round trips are kept so the floors match exactly.

/// A box in image pixels, unfloored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// An integer pixel rectangle fully inside the image, non-empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl PixelBox {
    /// `new FaceDetection(score, box.rescale(1/W, 1/H), {W, H}).box`: to relative and back.
    pub fn through_relative(self, image_width: f64, image_height: f64) -> PixelBox {
        let (rx, ry) = (1.0 / image_width, 1.0 / image_height);
        PixelBox {
            x: self.x * rx * image_width,
            y: self.y * ry * image_height,
            width: self.width * rx * image_width,
            height: self.height * ry * image_height,
        }
    }

    /// `Box.clipAtImageBorders`: clip to the image, then floor each of x, y, w, h.
    /// `None` when nothing is left (face-api then drops the face).
    pub fn clip_at_image_borders(self, image_width: u32, image_height: u32) -> Option<CropRect> {
        let (right, bottom) = (self.x + self.width, self.y + self.height);
        let x = self.x.max(0.0);
        let y = self.y.max(0.0);
        let width = (right - x).min(f64::from(image_width) - x);
        let height = (bottom - y).min(f64::from(image_height) - y);
        let (x, y, width, height) = (x.floor(), y.floor(), width.floor(), height.floor());
        if !(width > 0.0 && height > 0.0 && x.is_finite() && y.is_finite()) {
            return None;
        }
        // Flooring x and the width separately can reach one pixel past the border; keep inside.
        let x = (x as u32).min(image_width.saturating_sub(1));
        let y = (y as u32).min(image_height.saturating_sub(1));
        let width = (width as u32).min(image_width - x);
        let height = (height as u32).min(image_height - y);
        Some(CropRect {
            x,
            y,
            width,
            height,
        })
    }
}

/// Where the landmark net looks: the detection box after face-api's `forSize` round trip, clipped.
pub fn landmark_crop(detection: PixelBox, image_width: u32, image_height: u32) -> Option<CropRect> {
    detection
        .through_relative(f64::from(image_width), f64::from(image_height))
        .clip_at_image_borders(image_width, image_height)
}

/// Landmarks in image pixels: relative to the crop, scaled by the crop size and shifted by the
/// *unfloored* detection origin (face-api `extendWithFaceLandmarks`).
pub fn landmarks_in_image(
    relative: &[[f32; 2]],
    crop: CropRect,
    detection: PixelBox,
) -> Vec<[f64; 2]> {
    let (w, h) = (f64::from(crop.width), f64::from(crop.height));
    relative
        .iter()
        .map(|p| {
            // FaceLandmarks68 stores absolute points, then shiftBy re-derives the relative ones.
            let (ax, ay) = (f64::from(p[0]) * w, f64::from(p[1]) * h);
            [ax / w * w + detection.x, ay / h * h + detection.y]
        })
        .collect()
}

fn center(points: &[[f64; 2]]) -> [f64; 2] {
    let sum = points
        .iter()
        .fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
    [sum[0] / points.len() as f64, sum[1] / points.len() as f64]
}

/// face-api `alignDlib`: the square the recognition net sees, from eye and mouth centres.
/// `crop_*` is the landmark crop size (face-api's `imageWidth` of the landmarks object).
pub fn dlib_aligned_rect(points: &[[f64; 2]], crop_width: u32, crop_height: u32) -> PixelBox {
    let left_eye = center(&points[36..42]);
    let right_eye = center(&points[42..48]);
    let mouth = center(&points[48..68]);
    let dist_to_mouth =
        |p: [f64; 2]| ((mouth[0] - p[0]).powi(2) + (mouth[1] - p[1]).powi(2)).sqrt();
    let eye_to_mouth = (dist_to_mouth(left_eye) + dist_to_mouth(right_eye)) / 2.0;
    let size = (eye_to_mouth / 0.45).floor();
    let reference = center(&[left_eye, right_eye, mouth]);
    let x = (reference[0] - 0.5 * size).max(0.0).floor();
    let y = (reference[1] - 0.43 * size).max(0.0).floor();
    PixelBox {
        x,
        y,
        width: size.min(f64::from(crop_width) + x),
        height: size.min(f64::from(crop_height) + y),
    }
}

/// face-api `alignedRect` (min box of the landmarks padded by 20%), used by the age net, after the
/// two relative round trips it takes (`FaceDetection` construction, then `forSize`).
pub fn min_box_rect(points: &[[f64; 2]], image_width: u32, image_height: u32) -> PixelBox {
    let min_x = points.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
    let min_y = points.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min);
    let max_x = points.iter().map(|p| p[0]).fold(0.0, f64::max);
    let max_y = points.iter().map(|p| p[1]).fold(0.0, f64::max);
    let (width, height) = (max_x - min_x, max_y - min_y);
    let (pad_x, pad_y) = (width * 0.2, height * 0.2);
    let padded = PixelBox {
        x: min_x - pad_x / 2.0,
        y: min_y - pad_y / 2.0,
        width: width + pad_x,
        height: height + pad_y,
    };
    let (w, h) = (f64::from(image_width), f64::from(image_height));
    padded.through_relative(w, h).through_relative(w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_floors_and_keeps_inside() {
        let b = PixelBox {
            x: -3.5,
            y: 10.7,
            width: 50.2,
            height: 200.0,
        };
        assert_eq!(
            b.clip_at_image_borders(100, 100),
            Some(CropRect {
                x: 0,
                y: 10,
                width: 46,
                height: 89
            })
        );
        let outside = PixelBox {
            x: 120.0,
            y: 0.0,
            width: 5.0,
            height: 5.0,
        };
        assert_eq!(outside.clip_at_image_borders(100, 100), None);
    }
}
