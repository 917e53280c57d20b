//! Tauri commands, one module per domain. Each command parses, makes one call to the core and
//! maps the result, in 15 lines at most; nothing more. Every command must also be listed in
//! `build.rs` (permission) and in `crate::specta_builder` (TypeScript bindings).

pub mod app;
pub mod audit;
pub mod cases;
pub mod contacts;
pub mod enrollment;
pub mod findings;
pub mod gate;
pub mod handoff;
pub mod identity;
pub mod letters;
pub mod monitor;
pub mod profiles;
pub mod providers;
pub mod scan;
pub mod settings;
pub mod sources;

use std::sync::Arc;

use takeback_core::session::Session;

use crate::error::{IpcError, IpcResult};

/// Runs slow core work (key derivation, the face engine, the network) on a worker thread with
/// the session, so the window's thread stays responsive.
pub async fn blocking<T: Send + 'static>(
    session: &Arc<Session>,
    f: impl FnOnce(&Session) -> takeback_core::Result<T> + Send + 'static,
) -> IpcResult<T> {
    let session = Arc::clone(session);
    tauri::async_runtime::spawn_blocking(move || f(&session))
        .await
        .map_err(|e| IpcError::internal(format!("a background task failed: {e}")))?
        .map_err(IpcError::from)
}

/// Ids cross the IPC as 32-bit numbers (JavaScript-safe); the core counts in 64 bits.
pub fn id(n: i32) -> i64 {
    i64::from(n)
}
