//! Events the shell sends to the window: past-tense facts, as types.

use serde::Serialize;

/// The window was shown again after a quick exit (the user launched Takeback again). The window
/// must show the lock screen, never what was on screen before.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct WindowReopened;
