//! Photos the window hands over: base64 text (the IPC carries JSON), bounded before it is
//! decoded. Nothing here touches the disk.

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};

/// Largest photo the window may send, in bytes once decoded from base64: the core's bound, checked
/// here so that a huge string is stopped before it is decoded.
pub const MAX_PHOTO_BYTES: usize = takeback_core::face::photo::MAX_PHOTO_BYTES as usize;

/// The bytes of a photo sent as base64.
pub fn decode_base64(text: &str) -> IpcResult<Zeroizing<Vec<u8>>> {
    if text.len() / 4 * 3 > MAX_PHOTO_BYTES {
        return Err(invalid(format!(
            "this photo is larger than {} MB; use a smaller copy",
            MAX_PHOTO_BYTES / (1024 * 1024)
        )));
    }
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(Zeroizing::new)
        .map_err(|_| invalid("the photo did not arrive intact; pick it again".into()))
}

fn invalid(message: String) -> IpcError {
    IpcError {
        code: takeback_core::ErrorCode::InvalidInput,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_that_is_not_base64_is_a_clear_input_error() {
        let err = decode_base64("not base64 at all!").unwrap_err();
        assert_eq!(err.code, takeback_core::ErrorCode::InvalidInput);
        assert!(err.message.contains("pick it again"));
    }

    #[test]
    fn a_huge_photo_is_refused_before_decoding() {
        let huge = "A".repeat(MAX_PHOTO_BYTES / 3 * 4 + 8);
        let err = decode_base64(&huge).unwrap_err();
        assert!(err.message.contains("larger than 64 MB"), "{}", err.message);
    }
}
