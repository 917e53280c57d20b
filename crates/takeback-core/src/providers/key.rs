//! A provider's API key in memory: never printed, never serialised, cleared when dropped.
//!
//! It keeps the promises of `secrets::Secret` (no `Display`, no `Serialize`, a `Debug` that
//! prints `<redacted>`) with nothing but the standard library, so the provider clients do not
//! depend on the vault; the two can become one type once both have landed.
//!
//! ```compile_fail
//! let key = takeback_core::providers::ApiKey::new("k".to_owned());
//! println!("{key}");
//! ```
//!
//! ```compile_fail
//! let key = takeback_core::providers::ApiKey::new("k".to_owned());
//! serde_json::to_string(&key).unwrap();
//! ```

use std::fmt;

#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The key itself. Call it only where the key is put on the wire.
    pub fn expose(&self) -> &String {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for ApiKey {
    fn drop(&mut self) {
        // Best effort without `unsafe`: overwrite the bytes, and keep the writes observable so
        // the optimiser cannot drop them.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key = ApiKey::new("sk-live-123".to_owned());
        assert_eq!(format!("{key:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&key)), "Some(<redacted>)");
        assert_eq!(key.expose(), "sk-live-123");
    }
}
