//! Tauri commands, one module per domain. Each command parses, calls the core, maps the result;
//! nothing more. Every command must also be listed in `build.rs` (permission) and in
//! `crate::specta_builder` (TypeScript bindings).

pub mod app;
pub mod audit;
pub mod cases;
pub mod contacts;
pub mod enrollment;
pub mod findings;
pub mod gate;
pub mod identity;
pub mod letters;
pub mod profiles;
pub mod providers;
pub mod scan;
pub mod settings;
pub mod sources;
