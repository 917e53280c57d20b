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
    /// The `auto_lock_minutes` setting that locked them, for the picker's explanation.
    pub minutes: u32,
}

/// A scan moved on: a page crawled, an image checked, a phase started, or a notice to show.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct ScanProgressed {
    pub progress: takeback_core::search::scan::ScanProgress,
}

/// A scan ended (finished, cancelled or failed); `summary` lists the new findings.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct ScanEnded {
    pub summary: Option<takeback_core::search::scan::ScanSummary>,
    pub error: Option<crate::error::IpcError>,
}

/// A monitoring cycle the window ran on its own finished; `events` is how many it recorded (the
/// inbox on Home reloads).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct MonitoringFinished {
    pub events: u32,
}
