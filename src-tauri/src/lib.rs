//! Takeback's desktop shell: builds the window and wires commands to the core.

pub mod autolock;
pub mod clipboard;
pub mod commands;
pub mod error;
pub mod events;
pub mod images;
pub mod monitoring;
pub mod state;
pub mod tray;
pub mod webview;

use tauri::Manager;
use tauri_specta::{collect_commands, collect_events, Event};

use crate::events::{
    MonitoringFinished, ProfilesLocked, ScanEnded, ScanProgressed, WindowReopened,
};
use crate::state::AppState;

/// Where the generated TypeScript bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/ipc/bindings.ts";

/// Every command and event the window can use. The TypeScript bindings are generated from this
/// list, so the UI cannot call a command with the wrong arguments.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::app::get_app_info,
            commands::app::copy_private_text,
            commands::app::quick_exit,
            commands::app::get_overview,
            commands::settings::list_settings,
            commands::settings::get_settings,
            commands::settings::set_setting,
            commands::profiles::list_profiles,
            commands::profiles::create_profile,
            commands::profiles::unlock_profile,
            commands::profiles::lock_profile,
            commands::profiles::lock_all_profiles,
            commands::profiles::keep_alive,
            commands::profiles::change_passphrase,
            commands::profiles::rekey_profile,
            commands::profiles::delete_profile,
            commands::enrollment::check_enrollment_photo,
            commands::enrollment::discard_enrollment_photo,
            commands::enrollment::enroll_photos,
            commands::enrollment::get_enrollment,
            commands::enrollment::reference_photo_preview,
            commands::enrollment::remove_reference_photo,
            commands::gate::check_photo,
            commands::audit::get_audit_log,
            commands::identity::get_identity,
            commands::identity::set_identity,
            commands::contacts::find_contacts,
            commands::letters::advise_letters,
            commands::letters::draft_letter,
            commands::letters::suggest_letter_path,
            commands::letters::save_letter,
            commands::cases::list_cases,
            commands::cases::case_timeline,
            commands::cases::case_letter_text,
            commands::cases::mark_case_sent,
            commands::cases::set_case_state,
            commands::sources::list_sources,
            commands::sources::add_site_source,
            commands::sources::add_folder_source,
            commands::sources::remove_source,
            commands::providers::list_providers,
            commands::providers::configure_provider,
            commands::providers::set_provider_key,
            commands::providers::delete_provider_key,
            commands::findings::list_findings,
            commands::findings::finding_thumbnail,
            commands::findings::confirm_finding,
            commands::findings::dismiss_finding,
            commands::findings::recheck_findings,
            commands::handoff::suggest_evidence_paths,
            commands::handoff::preview_evidence_report,
            commands::handoff::export_evidence,
            commands::handoff::suggest_bundle_path,
            commands::handoff::give_case_to_client,
            commands::handoff::import_case,
            commands::scan::register_photo,
            commands::scan::list_registered_photos,
            commands::scan::provider_preview,
            commands::scan::consent_to_provider,
            commands::scan::consented_providers,
            commands::scan::scan_history,
            commands::scan::start_scan,
            commands::scan::resume_scan,
            commands::scan::cancel_scan,
            commands::monitor::run_monitoring,
            commands::monitor::monitor_status,
            commands::monitor::list_events,
            commands::monitor::mark_events_read,
            commands::monitor::finding_history,
        ])
        .events(collect_events![
            WindowReopened,
            ProfilesLocked,
            ScanProgressed,
            ScanEnded,
            MonitoringFinished
        ])
}

/// Renders the bindings as they should be on disk.
pub fn render_bindings() -> Result<String, String> {
    let dir = tempfile_dir()?;
    let path = dir.join("bindings.ts");
    specta_builder()
        .export(bindings_language(), &path)
        .map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(text)
}

fn bindings_language() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default()
        .header("// Generated from the Rust commands by `cargo test -p takeback-app` with TAKEBACK_UPDATE_BINDINGS=1. Do not edit.\n")
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("takeback-bindings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// Opens the main window. The webview is incognito, so WebKit keeps no cache, cookies or storage
/// on disk (no traces outside the vault). WebKit's automation cannot drive an incognito view, so
/// end-to-end runs of test builds (`TAURI_WEBVIEW_AUTOMATION=true`, set by tauri-driver) get a
/// normal one; a shipped build ignores the variable ([`webview::AUTOMATION_ALLOWED`]).
fn open_main_window(app: &tauri::App, hidden: bool) -> tauri::Result<()> {
    let automated = webview::automation_requested(
        std::env::var(webview::AUTOMATION_ENV).ok().as_deref(),
        webview::AUTOMATION_ALLOWED,
    );
    let window = tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::default())
        .title("Takeback")
        .inner_size(1200.0, 800.0)
        .min_inner_size(800.0, 600.0)
        .incognito(!automated)
        .visible(!hidden)
        .disable_drag_drop_handler()
        .build()?;
    webview::fit_for_single_page(&window)?;
    Ok(())
}

/// Whether this start is hidden in the tray (started at login with `--hidden`, as the core
/// allows), making the tray entry it needs; with no tray to come back from, the window shows.
fn start_hidden(app: &tauri::AppHandle) -> bool {
    let state = app.state::<AppState>();
    let session = &state.session;
    let flag = std::env::args().any(|a| a == takeback_core::session::login::HIDDEN_FLAG);
    let hidden = session.start_hidden(flag).unwrap_or(false);
    if session.wants_tray(hidden).unwrap_or(false) {
        return tray::ensure(app) && hidden;
    }
    false
}

/// Closing the window: the core decides between hiding to the tray (the owner keeps watching)
/// and quitting (every profile locked first).
fn on_close_requested(window: &tauri::Window, api: &tauri::CloseRequestApi) {
    let app = window.app_handle();
    let state = app.state::<AppState>();
    let session = &state.session;
    match session.on_window_close(|| tray::ensure(app)) {
        Ok(takeback_core::session::background::CloseAction::HideToTray) => {
            api.prevent_close();
            let _ = window.hide();
        }
        Ok(takeback_core::session::background::CloseAction::Quit) => {
            tray::remove(app);
        }
        Err(e) => tracing::error!("closing: {:?}", e.code()),
    }
}

/// A photo picked in the file chooser must not show up in the desktop's "Recent files" list,
/// where an abuser could see it. GTK records picked files there unless told not to.
fn forget_recent_files() {
    #[cfg(target_os = "linux")]
    {
        use gtk::prelude::GtkSettingsExt;
        if let Some(settings) = gtk::Settings::default() {
            settings.set_gtk_recent_files_enabled(false);
        }
    }
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    // Before any key or photo is in memory.
    takeback_core::base::hardening::forbid_core_dumps();
    // First, while the process has one thread and before WebKit starts.
    webview::prefer_portable_renderer();
    webview::refuse_automation_unless_allowed();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TAKEBACK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();

    let data_dir = match takeback_core::base::paths::DataDir::resolve(
        None,
        std::env::var(takeback_core::base::paths::DATA_DIR_ENV)
            .ok()
            .as_deref(),
    ) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("takeback: {e}");
            std::process::exit(1);
        }
    };
    let state = match AppState::new(data_dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("takeback: {e}");
            std::process::exit(1);
        }
    };

    let builder = specta_builder();
    let result = tauri::Builder::default()
        // A second launch (after a quick exit) shows the existing, already cleared window.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = WindowReopened.emit(app);
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state)
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            forget_recent_files();
            autolock::start(app.handle().clone());
            monitoring::start(app.handle().clone());
            let hidden = start_hidden(app.handle());
            open_main_window(app, hidden)?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                on_close_requested(window, api);
            }
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("takeback: the window could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed bindings must match the commands; CI fails when they drift.
    /// Regenerate with `TAKEBACK_UPDATE_BINDINGS=1 cargo test -p takeback-app bindings`.
    #[test]
    fn bindings_are_current() {
        let expected = render_bindings().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        if std::env::var_os("TAKEBACK_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "ui/src/ipc/bindings.ts is out of date: run TAKEBACK_UPDATE_BINDINGS=1 cargo test -p takeback-app bindings"
        );
    }
}
