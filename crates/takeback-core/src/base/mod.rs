//! The bottom layer: what every other layer needs and that knows no domain.

pub mod cancel;
pub mod clock;
pub mod doctor;
pub mod endpoint;
pub mod error;
pub mod files;
pub mod hardening;
pub mod network;
pub mod paths;
pub mod settings;
