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
    if m == 0 || n == 0 {
        return;
    }
    let (k_i, n_i) = (k as isize, n as isize);
    // SAFETY: the three pointers come from live slices whose lengths were just checked against
    // their shapes, so every element `gemm` addresses (row stride k or n, column stride 1) is in
    // bounds; `dst` is borrowed mutably, so it aliases neither input.
    #[allow(unsafe_code)]
    unsafe {
        gemm::gemm(
            m,
            n,
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
    }
}
