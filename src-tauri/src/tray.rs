//! The tray entry that keeps Takeback reachable while its window is closed. On Linux it is an
//! AppIndicator (StatusNotifierItem), which gets no clicks: every action is a menu item. Its words
//! come from the core (`Session::tray_text`, in the window's language); what closing the window
//! does is the core's decision (`Session::on_window_close`).

use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::events::WindowReopened;
use crate::state::AppState;

pub const TRAY_ID: &str = "takeback";
const OPEN: &str = "open";
const CHECK_NOW: &str = "check_now";
const QUICK_EXIT: &str = "quick_exit";
const QUIT: &str = "quit";

/// The system's locale for the `system` language, as the window follows it.
fn system_locale() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// Makes sure the tray entry exists with its menu in the current language; `false` when the
/// desktop offers no tray (no AppIndicator library), so closing must quit instead.
pub fn ensure<R: Runtime>(app: &AppHandle<R>) -> bool {
    // The AppIndicator library is loaded on first use and panics when it is missing.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!("no tray entry: {e}");
            false
        }
        Err(_) => {
            tracing::warn!("no tray entry: the AppIndicator library is missing");
            false
        }
    }
}

fn build<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    let state = app.state::<AppState>();
    let text = state
        .session
        .tray_text(system_locale().as_deref())
        .map_err(|e| format!("{:?}", e.code()))?;
    build_with(app, &text).map_err(|e| e.to_string())
}

fn build_with<R: Runtime>(
    app: &AppHandle<R>,
    text: &takeback_core::session::background::TrayText,
) -> tauri::Result<()> {
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, OPEN, text.open, true, None::<&str>)?,
            &MenuItem::with_id(app, CHECK_NOW, text.check_now, true, None::<&str>)?,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, QUICK_EXIT, text.quick_exit, true, None::<&str>)?,
            &MenuItem::with_id(app, QUIT, text.quit, true, None::<&str>)?,
        ],
    )?;
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        tray.set_menu(Some(menu))?;
        return tray.set_visible(true);
    }
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .menu(&menu)
        .tooltip(text.tooltip)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu::<R>);
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app).map(|_| ())
}

/// Removes the tray entry (quick exit: nothing on screen says Takeback is running).
pub fn remove<R: Runtime>(app: &AppHandle<R>) {
    if let Some(tray) = app.remove_tray_by_id(TRAY_ID) {
        let _ = tray.set_visible(false);
    }
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => show_window(app),
        CHECK_NOW => crate::monitoring::check_now(app.clone()),
        QUICK_EXIT => {
            if let Err(e) = quick_exit(app) {
                tracing::error!("quick exit could not lock: {:?}", e.code());
            }
        }
        QUIT => quit(app),
        _ => {}
    }
}

/// Shows the window again, in front.
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Quick exit, from the window or the tray: hide the window first (what someone at the desk
/// sees), remove the tray entry, then lock every profile (which stops a running scan or
/// monitoring cycle). The window is told to clear itself before it is shown again.
pub fn quick_exit<R: Runtime>(app: &AppHandle<R>) -> takeback_core::Result<()> {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.hide();
    }
    remove(app);
    let locked = app.state::<AppState>().session.lock_all().map(|_| ());
    let _ = WindowReopened.emit(app);
    locked
}

/// Quit: every profile locks, then the process ends.
fn quit<R: Runtime>(app: &AppHandle<R>) {
    let _ = app.state::<AppState>().session.lock_all();
    remove(app);
    app.exit(0);
}
