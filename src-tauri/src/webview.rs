//! WebKitGTK settings for Takeback's one window: a renderer that works on every desktop, and
//! memory use sized for a single-page app.

/// Environment variable that turns off WebKitGTK's DMA-BUF renderer.
pub const DISABLE_DMABUF_ENV: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Turns off WebKitGTK's DMA-BUF renderer unless the user already chose. With it, the window stays
/// blank on NVIDIA's driver and on some Wayland compositors (a known Tauri/WebKitGTK problem);
/// without it WebKit draws through shared memory, which every desktop supports and which is fast
/// enough for forms and thumbnails. Anyone whose setup needs the other way can start Takeback with
/// `WEBKIT_DISABLE_DMABUF_RENDERER=0`.
///
/// Must run before any thread starts (it changes the process environment) and before WebKit loads.
pub fn prefer_portable_renderer() {
    if std::env::var_os(DISABLE_DMABUF_ENV).is_none() {
        std::env::set_var(DISABLE_DMABUF_ENV, "1");
    }
}

/// The variable tauri-driver sets so that WebKit lets WebDriver drive the window.
pub const AUTOMATION_ENV: &str = "TAURI_WEBVIEW_AUTOMATION";

/// Whether this build may be driven by WebDriver: debug builds (the end-to-end tests) and release
/// builds made with the `webdriver` feature. An automatable window cannot be incognito, and any
/// program of the user's could drive it, so a shipped build never is.
pub const AUTOMATION_ALLOWED: bool = cfg!(debug_assertions) || cfg!(feature = "webdriver");

/// Whether the window is to be automated, from the variable's value; `allowed` is
/// [`AUTOMATION_ALLOWED`].
pub fn automation_requested(value: Option<&str>, allowed: bool) -> bool {
    allowed && value == Some("true")
}

/// Removes [`AUTOMATION_ENV`] from the environment of a build that may not be automated, before
/// Tauri reads it (Tauri turns automation on in WebKit by itself when it is set). Must run before
/// any thread starts.
pub fn refuse_automation_unless_allowed() {
    if !AUTOMATION_ALLOWED {
        std::env::remove_var(AUTOMATION_ENV);
    }
}

/// Shrinks WebKit's caches to what a single local page needs. The window shows one page, served
/// from inside the binary, and never browses, so the default "web browser" cache model only grows
/// caches (decoded resources, back/forward pages) that are never used again. `DocumentViewer`
/// turns them off, WebKitGTK's advice for single-document apps. It does not lower the idle
/// footprint (measured the same with and without, 259-260 MiB PSS in the end-to-end test); what it
/// saves is the caches WebKit would otherwise fill as someone pages through thumbnails.
pub fn fit_for_single_page(window: &tauri::WebviewWindow) -> tauri::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::{WebContextExt, WebViewExt};
        window.with_webview(|webview| {
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(webkit2gtk::CacheModel::DocumentViewer);
            }
        })?;
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_builds_are_automated() {
        assert!(automation_requested(Some("true"), true));
        assert!(
            !automation_requested(Some("true"), false),
            "a shipped build stays incognito"
        );
        assert!(!automation_requested(Some("1"), true));
        assert!(!automation_requested(None, true));
    }

    #[test]
    fn keeps_the_users_choice_and_sets_it_otherwise() {
        // One test touches the variable, so no other test races with it.
        std::env::set_var(DISABLE_DMABUF_ENV, "0");
        prefer_portable_renderer();
        assert_eq!(std::env::var(DISABLE_DMABUF_ENV).as_deref(), Ok("0"));
        std::env::remove_var(DISABLE_DMABUF_ENV);
        prefer_portable_renderer();
        assert_eq!(std::env::var(DISABLE_DMABUF_ENV).as_deref(), Ok("1"));
    }
}
