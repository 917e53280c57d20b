//! Takeback's core: every rule of the product lives here, testable without a window.
//!
//! The desktop shell (`src-tauri`) and the `takeback` CLI are thin translators on top of this
//! crate. It never depends on Tauri (CI checks with `cargo tree -p takeback-core -e normal`).
//!
//! Modules are domain nouns; their operations are verbs inside them.

pub mod audit;
pub mod cases;
pub mod contacts;
pub mod crawl;
pub mod doctor;
pub mod enrollment;
pub mod error;
pub mod findings;
pub mod gate;
pub mod identity;
pub mod letters;
pub mod matching;
pub mod paths;
pub mod pdq;
pub mod providers;
pub mod scan;
pub mod secrets;
pub mod settings;
pub mod sources;
pub mod vault;

pub use error::{Error, ErrorCode, Result};

/// The product's version, shown by `takeback --version`, `doctor` and the About box.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
