//! Events the shell sends to the window: past-tense facts, as types.

use serde::Serialize;

/// The window was shown again after a quick exit (the user launched Takeback again). The window
/// must show the lock screen, never what was on screen before.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct WindowReopened;

/// Profiles were locked without the window asking (auto-lock after inactivity). If the window
/// shows one of them, it must clear the screen and show the profile picker.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct ProfilesLocked {
    pub ids: Vec<String>,
    /// Plain words for the picker ("Locked after 10 minutes without use.").
    pub reason: String,
}
