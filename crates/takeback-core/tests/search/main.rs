//! Search against loopback servers: the provider clients against faithful mocks of each API,
//! and the site crawler against a fake web (crates/takeback-testkit). Nothing leaves 127.0.0.1.

// Test helpers (outside `#[test]` functions) fail loudly by design.
#![allow(clippy::unwrap_used)]

mod crawl;
mod findings;
mod matching;
mod providers;
mod scan;
mod socks_proxy;
mod stub_site;

use std::path::PathBuf;

/// `tests/fixtures/faces` in the repository.
pub fn faces_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces")
}
