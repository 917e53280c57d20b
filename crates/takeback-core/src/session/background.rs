//! Keeping watch with the window closed: what closing the window does, whether the app starts
//! hidden, and the words of the tray menu. The shell asks; the rules are here.
//!
//! The tray menu is the only Rust-side text the window shows, so its words are a small table in
//! English and Spanish (the window's two languages) chosen by the `language` setting, rather than
//! a second catalogue format next to the window's `ui/messages/*.json`. They are neutral: no
//! site, no count, nothing a shared screen should not show.

use super::Session;
use crate::base::settings::Language;
use crate::Result;

/// What closing the window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    /// Hide the window; the tray stays, and monitoring goes on for unlocked profiles.
    HideToTray,
    /// Lock every profile and quit.
    Quit,
}

/// The tray's words, in the window's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayText {
    /// The tray entry's title and tooltip (neutral: no count, no site).
    pub tooltip: &'static str,
    pub open: &'static str,
    pub check_now: &'static str,
    pub quick_exit: &'static str,
    pub quit: &'static str,
}

const ENGLISH: TrayText = TrayText {
    tooltip: "Takeback",
    open: "Open Takeback",
    check_now: "Check now",
    quick_exit: "Quick exit",
    quit: "Quit",
};

const SPANISH: TrayText = TrayText {
    tooltip: "Takeback",
    open: "Abrir Takeback",
    check_now: "Revisar ahora",
    quick_exit: "Salida rápida",
    quit: "Salir",
};

/// The tray's words for `language`; `system_locale` (such as `es_ES.UTF-8`, from `LC_ALL`,
/// `LC_MESSAGES` or `LANG`) decides for [`Language::System`], as the window follows the system.
pub fn tray_text(language: Language, system_locale: Option<&str>) -> TrayText {
    let spanish = match language {
        Language::Es => true,
        Language::En => false,
        Language::System => system_locale.is_some_and(|l| l.to_ascii_lowercase().starts_with("es")),
    };
    if spanish {
        SPANISH
    } else {
        ENGLISH
    }
}

/// The decision for closing the window, given whether a tray entry could be made (`false` when
/// the desktop has no tray library): hide to the tray only when the owner chose to keep watching
/// and there is a tray to come back from.
pub fn close_action(keep_watching: bool, tray_available: bool) -> CloseAction {
    if keep_watching && tray_available {
        CloseAction::HideToTray
    } else {
        CloseAction::Quit
    }
}

impl Session {
    /// What closing the window does now; `make_tray` makes (or refreshes) the tray entry and
    /// says whether there is one, and is called only when the owner keeps watching. For
    /// [`CloseAction::Quit`] every profile is locked first, so the window's work stops the same
    /// way as on quick exit.
    pub fn on_window_close(&self, make_tray: impl FnOnce() -> bool) -> Result<CloseAction> {
        let keep_watching = self.settings()?.monitor_when_closed;
        let tray_available = keep_watching && make_tray();
        let action = close_action(keep_watching, tray_available);
        if action == CloseAction::Quit {
            self.lock_all()?;
        }
        Ok(action)
    }

    /// Whether the app starts hidden in the tray: it was started with
    /// [`super::login::HIDDEN_FLAG`] (by the autostart entry), the setting is still on, and no
    /// clinic profile exists (if one was made since, the window shows instead).
    pub fn start_hidden(&self, hidden_flag: bool) -> Result<bool> {
        if !hidden_flag || !self.settings()?.start_at_login {
            return Ok(false);
        }
        Ok(super::login::refusal(self.data_dir())?.is_none())
    }

    /// Whether the tray entry is wanted at start: hidden at login, or keeping watch when closed.
    pub fn wants_tray(&self, hidden: bool) -> Result<bool> {
        Ok(hidden || self.settings()?.monitor_when_closed)
    }

    /// The tray's words in the window's language (see [`tray_text`]).
    pub fn tray_text(&self, system_locale: Option<&str>) -> Result<TrayText> {
        Ok(tray_text(self.settings()?.language, system_locale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_hides_only_when_keeping_watch_and_a_tray_exists() {
        assert_eq!(close_action(true, true), CloseAction::HideToTray);
        assert_eq!(close_action(true, false), CloseAction::Quit);
        assert_eq!(close_action(false, true), CloseAction::Quit);
        assert_eq!(close_action(false, false), CloseAction::Quit);
    }

    #[test]
    fn tray_words_follow_the_window_language() {
        assert_eq!(tray_text(Language::Es, Some("en_GB.UTF-8")).quit, "Salir");
        assert_eq!(tray_text(Language::En, Some("es_ES.UTF-8")).quit, "Quit");
        assert_eq!(
            tray_text(Language::System, Some("es_MX.UTF-8")).open,
            "Abrir Takeback"
        );
        assert_eq!(tray_text(Language::System, None).open, "Open Takeback");
        for text in [ENGLISH, SPANISH] {
            assert_eq!(text.tooltip, "Takeback", "neutral: no count, no site");
        }
    }
}
