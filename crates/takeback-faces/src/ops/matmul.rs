//! Matrix product on plain row-major slices, straight into a caller's buffer, with the `gemm` crate
//! (the kernels candle itself calls). Going through candle would allocate a fresh tensor per product
//! and copy it out again; the SSD backbone does that 13 times per image on buffers of up to 16 MB.
//!
//! This is the crate's one `unsafe` block: `gemm::gemm` takes raw pointers and strides.

/// `dst = lhs * rhs` (`accumulate == false`) or `dst += lhs * rhs`, where `lhs` is `[m, k]`, `rhs`
/// `[k, n]` and `dst` `[m, n]`, all row-major and contiguous. Single-threaded: the engine runs one
/// worker per core.
///
/// # Panics
///
/// When a slice's length does not match its shape.
pub fn matmul_into(
    dst: &mut [f32],
    lhs: &[f32],
    rhs: &[f32],
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
) {
    assert_eq!(lhs.len(), m * k, "lhs is [m, k]");
    assert_eq!(rhs.len(), k * n, "rhs is [k, n]");
    assert_eq!(dst.len(), m * n, "dst is [m, n]");
    matmul_columns_into(dst, lhs, rhs, (m, k, n), 0..n, accumulate);
}

/// [`matmul_into`] restricted to the columns `columns` of `rhs` and `dst` (the other columns of
/// `dst` are left as they are): `dst[:, columns] = lhs * rhs[:, columns]`. Each output column is
/// computed by the same kernels as in the full product.
///
/// # Panics
///
/// When a slice's length does not match its shape or `columns` is not within `0..n`.
pub fn matmul_columns_into(
    dst: &mut [f32],
    lhs: &[f32],
    rhs: &[f32],
    (m, k, n): (usize, usize, usize),
    columns: std::ops::Range<usize>,
    accumulate: bool,
) {
    assert_eq!(lhs.len(), m * k, "lhs is [m, k]");
    assert_eq!(rhs.len(), k * n, "rhs is [k, n]");
    assert_eq!(dst.len(), m * n, "dst is [m, n]");
    assert!(
        columns.start <= columns.end && columns.end <= n,
        "columns within 0..n"
    );
    let width = columns.end - columns.start;
    if m == 0 || width == 0 {
        return;
    }
    let (k_i, n_i) = (k as isize, n as isize);
    let (dst, rhs) = (&mut dst[columns.start..], &rhs[columns.start..]);
    // SAFETY: the three pointers come from live slices whose lengths were just checked against
    // their shapes; `dst` and `rhs` start at column `columns.start`, and every element `gemm`
    // addresses (row i < m or k, at row stride n, column j < width, at column stride 1) lies at
    // offset i * n + j <= (rows - 1) * n + n - 1 - columns.start, inside the shifted slices.
    // `dst` is borrowed mutably, so it aliases neither input.
    #[allow(unsafe_code)]
    unsafe {
        gemm::gemm(
            m,
            width,
            k,
            dst.as_mut_ptr(),
            1,
            n_i,
            accumulate,
            lhs.as_ptr(),
            1,
            k_i,
            rhs.as_ptr(),
            1,
            n_i,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_product_and_accumulates() {
        let (m, k, n) = (5, 7, 3);
        let lhs: Vec<f32> = (0..m * k).map(|i| (i % 11) as f32 - 5.0).collect();
        let rhs: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 * 0.5).collect();
        let mut want = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                want[i * n + j] = (0..k).map(|p| lhs[i * k + p] * rhs[p * n + j]).sum();
            }
        }
        let mut dst = vec![f32::NAN; m * n];
        matmul_into(&mut dst, &lhs, &rhs, (m, k, n), false);
        assert_eq!(dst, want, "exact small integers and halves sum exactly");
        matmul_into(&mut dst, &lhs, &rhs, (m, k, n), true);
        let doubled: Vec<f32> = want.iter().map(|v| v * 2.0).collect();
        assert_eq!(dst, doubled);
        let mut part = vec![f32::NAN; m * n];
        matmul_columns_into(&mut part, &lhs, &rhs, (m, k, n), 1..3, false);
        for i in 0..m {
            assert!(part[i * n].is_nan(), "column 0 untouched");
            assert_eq!(part[i * n + 1..i * n + 3], want[i * n + 1..i * n + 3]);
        }
    }
}
