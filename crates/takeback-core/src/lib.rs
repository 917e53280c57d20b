//! Takeback's core: every rule of the product lives here, testable without a window.
//!
//! The desktop shell (`src-tauri`) and the `takeback` CLI are thin translators on top of this
//! crate. It never depends on Tauri (CI checks with `cargo tree -p takeback-core -e normal`).
//!
//! The modules are grouped in layers, lowest first. A layer uses only the layers listed above it,
//! and the modules inside a layer form no cycle (`tests/layers.rs` checks both):
//!
//! 1. [`base`]: errors, where data lives, settings, the clock and cancellation.
//! 2. [`storage`]: the encrypted vault with its schema, the OS keyring, the audit chain.
//! 3. [`face`]: enrollment, the own-face gate, perceptual hashes and matching.
//! 4. [`search`]: the crawler, the search providers, sources, scans and findings.
//! 5. [`removal`]: who signs, who to write to, takedown letters and the cases they open, and
//!    the evidence package (WACZ, PDF report).
//! 6. [`monitor`]: schedules, the runner that does what is due, and the events inbox.
//! 7. [`handoff`]: the encrypted bundle that hands a case to its owner, and its import.
//! 8. [`session`]: what a running app holds between user actions, and those actions.

pub mod base;
pub mod face;
pub mod handoff;
pub mod monitor;
pub mod removal;
pub mod search;
pub mod session;
pub mod storage;

pub use base::error::{Error, ErrorCode, Result};

/// The product's version, shown by `takeback --version`, `doctor` and the About box.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
