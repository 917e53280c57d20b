//! The SSD backbone's 1x1 products in bfloat16, on CPUs with AVX-512 BF16.
//!
//! On small images the detector's one 512 x 512 pass is most of the engine's time, and 90 % of
//! that pass is the backbone's pointwise products, which `gemm` already runs close to the core's
//! f32 peak. AVX-512 BF16's dot product (`vdpbf16ps`) does twice the multiplies per instruction,
//! so these products, from the fourth layer on (`ssd::BF16_FROM_LAYER`), run through `gemmkit`'s
//! bf16 kernels instead: inputs and weights rounded to bf16 (8 significant bits), sums kept in
//! f32, the result rounded to bf16 and widened back.
//!
//! That changes the detector's raw numbers by about 1e-3 of their size, not the faces it finds:
//! `tests/golden.rs` holds this path to the tolerances against face-api (box IoU, then
//! landmarks and descriptors computed from those boxes), and the exact f32 path to float
//! precision. [`DetectorArithmetic::Exact`](crate::DetectorArithmetic) keeps f32 everywhere.

use std::cell::RefCell;
use std::ops::Range;

use gemmkit::{bf16, MatMut, MatRef, PackedLhs, Parallelism};

/// Whether this CPU runs bf16 products natively. Elsewhere `gemmkit` would widen them to f32,
/// slower than `gemm`'s f32 kernels, so the engine keeps f32 there.
pub fn supported() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// A `[O, C]` weight matrix rounded to bf16 and packed once for `gemmkit`'s kernels.
pub struct Bf16Weights {
    packed: PackedLhs<bf16>,
    rows: usize,
    cols: usize,
}

impl std::fmt::Debug for Bf16Weights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bf16Weights[{} x {}]", self.rows, self.cols)
    }
}

thread_local! {
    /// The bf16 copies of one product's input and output columns, kept between calls: each
    /// worker thread runs one detector at a time.
    static SCRATCH: RefCell<(Vec<bf16>, Vec<bf16>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl Bf16Weights {
    /// `weight` is `[rows, cols]`, row-major.
    pub fn new(weight: &[f32], rows: usize, cols: usize) -> Self {
        let mut rounded = vec![bf16::ZERO; weight.len()];
        to_bf16(weight, &mut rounded);
        Bf16Weights {
            packed: gemmkit::prepack_lhs(MatRef::from_row_major(&rounded, rows, cols)),
            rows,
            cols,
        }
    }

    /// `dst[:, columns] = W * rhs[:, columns]`, where `rhs` is `[cols, n]` and `dst` `[rows, n]`,
    /// both row-major; the other columns of `dst` are left as they are.
    ///
    /// # Panics
    ///
    /// When a slice's length does not match its shape or `columns` is not within `0..n`.
    pub fn product_columns_into(
        &self,
        dst: &mut [f32],
        rhs: &[f32],
        n: usize,
        columns: Range<usize>,
    ) {
        assert_eq!(rhs.len(), self.cols * n, "rhs is [cols, n]");
        assert_eq!(dst.len(), self.rows * n, "dst is [rows, n]");
        assert!(
            columns.start <= columns.end && columns.end <= n,
            "columns within 0..n"
        );
        let width = columns.len();
        if width == 0 {
            return;
        }
        SCRATCH.with_borrow_mut(|(input, output)| {
            input.resize(self.cols * width, bf16::ZERO);
            output.resize(self.rows * width, bf16::ZERO);
            for (to, from) in input.chunks_exact_mut(width).zip(rhs.chunks_exact(n)) {
                to_bf16(&from[columns.clone()], to);
            }
            gemmkit::gemm_packed_a(
                bf16::ONE,
                &self.packed,
                MatRef::from_row_major(input, self.cols, width),
                bf16::ZERO,
                MatMut::from_row_major(output, self.rows, width),
                Parallelism::Serial,
            );
            for (from, to) in output.chunks_exact(width).zip(dst.chunks_exact_mut(n)) {
                to_f32(from, &mut to[columns.clone()]);
            }
        });
    }
}

/// Rounds to the nearest bf16, ties to even (the bit pattern's top half after adding half an
/// ulp of the bottom). Activations and weights are finite; infinities stay infinite and NaNs NaN.
fn to_bf16(from: &[f32], to: &mut [bf16]) {
    struct Round<'a>(&'a [f32], &'a mut [bf16]);
    impl pulp::WithSimd for Round<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _simd: S) {
            for (to, from) in self.1.iter_mut().zip(self.0) {
                let bits = from.to_bits();
                let rounded = bits.wrapping_add(0x7FFF + ((bits >> 16) & 1));
                *to = bf16::from_bits((rounded >> 16) as u16);
            }
        }
    }
    pulp::Arch::new().dispatch(Round(from, to));
}

/// Widens bf16 to f32 (exact).
fn to_f32(from: &[bf16], to: &mut [f32]) {
    struct Widen<'a>(&'a [bf16], &'a mut [f32]);
    impl pulp::WithSimd for Widen<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _simd: S) {
            for (to, from) in self.1.iter_mut().zip(self.0) {
                *to = f32::from_bits(u32::from(from.to_bits()) << 16);
            }
        }
    }
    pulp::Arch::new().dispatch(Widen(from, to));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::matmul::matmul_columns_into;

    #[test]
    fn rounding_is_to_nearest_even() {
        let values = [
            1.0f32,
            1.0 + 1.0 / 256.0,
            1.0 + 3.0 / 256.0,
            -2.5,
            6.0,
            1e-20,
        ];
        let mut rounded = [bf16::ZERO; 6];
        to_bf16(&values, &mut rounded);
        for (v, r) in values.iter().zip(&rounded) {
            assert_eq!(*r, bf16::from_f32(*v), "{v}: half's rounding");
        }
        // A tie between 1 and 1 + 2^-7 goes to the even one, 1.
        assert_eq!(rounded[1].to_f32(), 1.0);
        let mut back = [0f32; 6];
        to_f32(&rounded, &mut back);
        assert_eq!(back[4], 6.0);
    }

    /// The bf16 product is within bf16's rounding of the f32 one, column ranges included. Runs
    /// the native kernels where the CPU has them and `gemmkit`'s widening fallback elsewhere.
    #[test]
    fn product_is_the_f32_product_to_bf16_precision() {
        let (m, k, n) = (24, 70, 37);
        let lhs: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37) % 19) as f32 / 19.0 - 0.5)
            .collect();
        let rhs: Vec<f32> = (0..k * n)
            .map(|i| ((i * 11) % 23) as f32 / 23.0 * 6.0)
            .collect();
        let mut want = vec![0f32; m * n];
        matmul_columns_into(&mut want, &lhs, &rhs, (m, k, n), 0..n, false);
        let weights = Bf16Weights::new(&lhs, m, k);
        let mut got = vec![f32::NAN; m * n];
        weights.product_columns_into(&mut got, &rhs, n, 0..10);
        weights.product_columns_into(&mut got, &rhs, n, 10..n);
        // Each term is off by at most 2^-8 of its size; the sum by that of the sum of |terms|.
        for i in 0..m {
            for j in 0..n {
                let bound: f32 = (0..k)
                    .map(|p| (lhs[i * k + p] * rhs[p * n + j]).abs())
                    .sum::<f32>()
                    * 2.0f32.powi(-7);
                let diff = (got[i * n + j] - want[i * n + j]).abs();
                assert!(diff <= bound, "[{i}, {j}]: {diff} > {bound}");
            }
        }
        let mut part = vec![f32::NAN; m * n];
        weights.product_columns_into(&mut part, &rhs, n, 5..9);
        assert!(
            part[4].is_nan() && part[9].is_nan(),
            "other columns untouched"
        );
        assert_eq!(part[5..9], got[5..9]);
    }
}
