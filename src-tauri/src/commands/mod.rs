//! Tauri commands, one module per domain. Each command parses, calls the core, maps the result;
//! nothing more. Every command must also be listed in `build.rs` (permission) and in
//! `crate::specta_builder` (TypeScript bindings).

pub mod app;
pub mod audit;
pub mod enrollment;
pub mod gate;
pub mod profiles;
pub mod settings;
