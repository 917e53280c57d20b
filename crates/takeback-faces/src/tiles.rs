//! The small-face pass: SSD over overlapping tiles of a large image, merged into the whole-image
//! detections.
//!
//! The SSD sees every image as 512 x 512, so in a 4000 x 3000 photo a 90-px face shrinks to 12 px
//! and is lost (face-api loses it too). Each tile is given to the SSD as if it were a photo of its
//! own, sampled from the original pixels: with 1024-px tiles a face of 70-110 px is 35-55 px of
//! the network's 512-px input, next to its smallest anchors (51 px), where it is found. (The SSD
//! finds faces of about 36-55 px of its input well; 768-px tiles lose faces over 80 px.) The whole-image pass always runs first and its detections are kept
//! exactly as they are (so every face face-api finds is still found with face-api's box); a tile
//! detection is only added where no kept detection already covers it.

use crate::ops::Products;
use crate::ssd::{Detection, SsdMobilenet};

/// How the small-face pass cuts and filters (see the crate README for the measurements behind
/// the defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TilePass {
    /// Tiles are used only when the image's long side exceeds this; smaller images keep the
    /// single face-api pass.
    pub min_long_side: u32,
    /// Side of a tile in original pixels.
    pub side: u32,
    /// Overlap between neighbouring tiles: a face up to this size lies whole inside some tile.
    pub overlap: u32,
    /// A tile detection must score above this (the whole-image pass uses face-api's 0.5). Faces
    /// of 35-40 px in the SSD's input score low (its smallest anchors are 51 px); measured on
    /// the generated 12-MP scenes, 0.3 finds 39 of 40 faces with no false face, 0.5 finds 35.
    pub min_score: f32,
    /// A tile detection scoring under this is looked at again: the SSD on squares around it,
    /// scaled so the face is about 40 or 52 px of the input, must find it above face-api's 0.5.
    /// Off (0) by default: measured with `examples/small_faces_sweep`, 0.5 drops one of the two
    /// false faces (an ear, a bottle; scores 0.41-0.42) the pass adds on the golden 4000-px
    /// collage, but also 3 of the 39 faces it finds in the generated scenes (36/40 left).
    pub confirm_below: f32,
    /// A tile detection scoring under this keeps its place only if its 68 landmarks hold still
    /// when the landmark crop is shifted by a tenth of its size: they may move by at most
    /// `max_landmark_drift` of the crop's side (mean over the points, worst of four shifts).
    /// Measured with `examples/small_faces_sweep` (see the crate README): the 39 faces found in
    /// the generated scenes drift 0.011-0.057 (the four under 0.5: 0.016-0.057); the two false
    /// faces on the golden collage, an ear (score 0.420) and a bottle (0.409), 0.091 and 0.206.
    /// Real faces cut by a photo's edge can drift more (0.22 for one on the collage, at score
    /// 0.92), so the check is kept to the low scores the tile pass admits beyond face-api's 0.5.
    pub steady_below: f32,
    /// See `steady_below`.
    pub max_landmark_drift: f64,
}

impl Default for TilePass {
    fn default() -> Self {
        TilePass {
            min_long_side: 2000,
            side: 1024,
            overlap: 224,
            min_score: 0.3,
            confirm_below: 0.0,
            steady_below: 0.5,
            max_landmark_drift: 0.075,
        }
    }
}
/// A tile detection this close (px) to an edge of its tile that is not an image edge is taken
/// to be a face cut by the tile; the overlap puts it whole in a neighbouring tile.
const CUT_MARGIN: f64 = 2.0;

/// The tiles `(x, y, w, h)` covering a `width x height` image, evenly spaced with at least
/// `pass.overlap` between neighbours; empty when the image is small enough for one pass.
pub fn tiles(pass: &TilePass, width: u32, height: u32) -> Vec<(u32, u32, u32, u32)> {
    let side = pass.side.max(64);
    if width.max(height) <= pass.min_long_side {
        return Vec::new();
    }
    let starts = |len: u32| -> Vec<u32> {
        if len <= side {
            return vec![0];
        }
        let step = side.saturating_sub(pass.overlap).max(side / 4);
        let n = (len - side).div_ceil(step) + 1;
        (0..n)
            .map(|i| (u64::from(len - side) * u64::from(i) / u64::from(n - 1)) as u32)
            .collect()
    };
    let (xs, ys) = (starts(width), starts(height));
    let mut out = Vec::with_capacity(xs.len() * ys.len());
    for &y in &ys {
        for &x in &xs {
            out.push((x, y, side.min(width), side.min(height)));
        }
    }
    out
}

/// How far a bf16 score may stray from the f32 one and still be trusted against the pass's
/// thresholds. Measured: at most 0.0074 over the golden set's faces (`tests/golden.rs`, worst
/// score difference with the default arithmetic); this is over twice that.
const BF16_SCORE_MARGIN: f32 = 0.02;

/// Runs the SSD on every tile and returns the detections that do not touch an inner tile edge.
///
/// `whole` holds the whole-image pass's detections. The pass's thresholds (`min_score`,
/// `steady_below`) were calibrated on f32 scores, and a bf16 score can land on the other side
/// of one: on the golden collage a bottle scored 0.305 in bf16, under 0.3 in f32. So each tile
/// runs in the detector's fast arithmetic first, with `min_score` lowered by
/// [`BF16_SCORE_MARGIN`]; a tile where a detection that the merge would keep scores within the
/// margin of those thresholds runs again in f32, and its f32 detections count. The result is
/// the f32 pass's, and most tiles run once, in bf16.
pub fn detect_tiles(
    pass: &TilePass,
    ssd: &SsdMobilenet,
    image: &image::RgbImage,
    max_results: usize,
    whole: &[Detection],
) -> crate::ops::Result<Vec<Detection>> {
    let (width, height) = image.dimensions();
    let mut found = Vec::new();
    for tile in tiles(pass, width, height) {
        let (x, y, w, h) = tile;
        let (x0, y0, x1, y1) = (
            f64::from(x),
            f64::from(y),
            f64::from(x + w),
            f64::from(y + h),
        );
        let cut = |d: &Detection| {
            (x > 0 && d.x - x0 < CUT_MARGIN)
                || (y > 0 && d.y - y0 < CUT_MARGIN)
                || (x + w < width && x1 - (d.x + d.width) < CUT_MARGIN)
                || (y + h < height && y1 - (d.y + d.height) < CUT_MARGIN)
        };
        let low = pass.min_score - BF16_SCORE_MARGIN;
        let mut detections =
            ssd.detect_region(image, tile, low, max_results, Products::Bf16IfLoaded)?;
        let near_a_threshold = detections.iter().any(|d| {
            d.score < pass.steady_below.max(pass.confirm_below) + BF16_SCORE_MARGIN
                && !cut(d)
                && whole.iter().all(|k| overlap(k, d) <= MERGE_OVERLAP)
        });
        if near_a_threshold {
            detections = ssd.detect_region(image, tile, low, max_results, Products::F32)?;
        }
        for d in detections {
            if d.score > pass.min_score
                && !cut(&d)
                && (d.score >= pass.confirm_below || confirmed(ssd, image, &d)?)
            {
                found.push(d);
            }
        }
    }
    Ok(found)
}

/// Whether the SSD finds `d` again, above face-api's 0.5, in a square around it scaled so the
/// face is about 40 px or about 52 px of the 512-px input (clipped to the image).
fn confirmed(
    ssd: &SsdMobilenet,
    image: &image::RgbImage,
    d: &Detection,
) -> crate::ops::Result<bool> {
    let (width, height) = image.dimensions();
    for factor in CONFIRM_SCALES {
        let side = (d.width.max(d.height) * factor)
            .round()
            .clamp(64.0, f64::from(width.min(height))) as u32;
        let place = |centre: f64, len: u32| -> u32 {
            (centre - f64::from(side) / 2.0)
                .round()
                .clamp(0.0, f64::from(len - side)) as u32
        };
        let region = (
            place(d.x + d.width / 2.0, width),
            place(d.y + d.height / 2.0, height),
            side,
            side,
        );
        if ssd
            .detect_region(image, region, 0.5, 100, Products::F32)?
            .iter()
            .any(|again| overlap(again, d) > 0.5)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Region side over face side for [`confirmed`]: the face at about 40 and 52 px of 512.
const CONFIRM_SCALES: [f64; 2] = [12.8, 9.8];

/// Intersection over the smaller box: 1 when one box lies inside the other.
fn overlap(a: &Detection, b: &Detection) -> f64 {
    let iw = ((a.x + a.width).min(b.x + b.width) - a.x.max(b.x)).max(0.0);
    let ih = ((a.y + a.height).min(b.y + b.height) - a.y.max(b.y)).max(0.0);
    let smaller = (a.width * a.height).min(b.width * b.height);
    if smaller <= 0.0 {
        return 1.0;
    }
    iw * ih / smaller
}

/// A tile detection overlapping a kept one by more than this share of the smaller box is the
/// same face.
const MERGE_OVERLAP: f64 = 0.3;

/// `whole` (kept as is, in order) followed by the tile detections, best first, that overlap no
/// detection already kept by more than 30 % of the smaller box; at most `max_results` in all.
/// Overlap is measured on the smaller box rather than as IoU so that a face found whole in one
/// tile and again, larger and looser, in another does not come out twice.
pub fn merge(
    whole: Vec<Detection>,
    mut from_tiles: Vec<Detection>,
    max_results: usize,
) -> Vec<Detection> {
    from_tiles.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept = whole;
    for d in from_tiles {
        if kept.len() >= max_results {
            break;
        }
        if kept.iter().all(|k| overlap(k, &d) <= MERGE_OVERLAP) {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32, x: f64, y: f64, side: f64) -> Detection {
        Detection {
            score,
            x,
            y,
            width: side,
            height: side,
        }
    }

    #[test]
    fn small_images_get_no_tiles() {
        let pass = TilePass::default();
        assert!(tiles(&pass, 1920, 1080).is_empty());
        assert!(tiles(&pass, pass.min_long_side, pass.min_long_side).is_empty());
    }

    #[test]
    fn tiles_cover_the_image_with_the_overlap() {
        let pass = TilePass::default();
        for (w, h) in [(4000, 3000), (6000, 4000), (2001, 600), (3000, 4000)] {
            let t = tiles(&pass, w, h);
            assert!(!t.is_empty());
            // Every pixel is covered, and every square of TILE_OVERLAP lies whole in some tile.
            let face = pass.overlap;
            for y in (0..h.saturating_sub(face)).step_by(97) {
                for x in (0..w.saturating_sub(face)).step_by(89) {
                    assert!(
                        t.iter().any(|&(tx, ty, tw, th)| x >= tx
                            && y >= ty
                            && x + face.min(w) <= tx + tw
                            && y + face.min(h) <= ty + th),
                        "{w}x{h}: ({x},{y}) not whole in a tile"
                    );
                }
            }
            assert!(t.iter().all(|&(x, y, tw, th)| x + tw <= w && y + th <= h));
        }
        assert_eq!(tiles(&pass, 4000, 3000).len(), 5 * 4);
    }

    #[test]
    fn merge_keeps_the_whole_image_pass_and_adds_only_new_faces() {
        let whole = vec![det(0.7, 100.0, 100.0, 300.0)];
        let from_tiles = vec![
            det(0.99, 110.0, 110.0, 280.0), // the same face, better score: still dropped
            det(0.8, 1000.0, 1000.0, 80.0),
            det(0.9, 1005.0, 1004.0, 70.0), // the same small face from another tile
            det(0.65, 2000.0, 50.0, 60.0),
        ];
        let merged = merge(whole, from_tiles, 100);
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[0].score, 0.7);
        assert_eq!(merged[1].score, 0.9);
        assert_eq!(merged[2].score, 0.65);
        assert_eq!(
            merge(vec![], vec![det(0.9, 0.0, 0.0, 10.0); 5], 100).len(),
            1
        );
        assert_eq!(
            merge(
                vec![],
                (0..10)
                    .map(|i| det(0.9, f64::from(i) * 100.0, 0.0, 10.0))
                    .collect(),
                4
            )
            .len(),
            4
        );
    }
}
