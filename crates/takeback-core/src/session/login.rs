//! Starting at login, hidden in the tray: an XDG autostart entry
//! (`$XDG_CONFIG_HOME/autostart/takeback.desktop`, the freedesktop "Desktop Application
//! Autostart" specification that GNOME, KDE, Xfce, Cinnamon and MATE follow) that starts the app
//! with [`HIDDEN_FLAG`].
//!
//! The rule, in one place for the window and `takeback config set app.start_at_login`: it is
//! refused while any passphrase (clinic) profile exists, since on a shared computer a program
//! that starts at every login tells the next person that Takeback is used here; and creating a
//! clinic profile turns it off ([`Session::create_profile`](super::Session::create_profile)).
//!
//! The entry is written here rather than through `tauri-plugin-autostart` so that the CLI (which
//! has no Tauri) applies the same rule, and the test can read the file it writes.

use std::path::{Path, PathBuf};

use super::SessionError;
use crate::base::paths::DataDir;
use crate::base::settings::Settings;
use crate::storage::vault::{ProfileKind, Profiles};
use crate::{Error, Result};

/// The argument that starts the app hidden in the tray.
pub const HIDDEN_FLAG: &str = "--hidden";

/// The entry's file name: debug builds get their own, like their data folder.
pub const ENTRY_NAME: &str = if cfg!(debug_assertions) {
    "takeback-dev.desktop"
} else {
    "takeback.desktop"
};

/// An entry longer than this is not ours (a path is at most a few hundred bytes).
const MAX_ENTRY_BYTES: u64 = 16 * 1024;

/// Why starting at login is not allowed now, or `None` when it is.
pub fn refusal(data_dir: &DataDir) -> Result<Option<&'static str>> {
    if !cfg!(target_os = "linux") {
        return Ok(Some(
            "starting at login is built for Linux desktops only so far",
        ));
    }
    let clinic = Profiles::new(data_dir)
        .list()?
        .iter()
        .any(|p| p.kind == ProfileKind::Clinic);
    Ok(clinic.then_some(
        "a passphrase (shared or clinic) profile exists on this computer, and starting at every login would show the next person that Takeback is used here",
    ))
}

/// The folder autostart entries live in: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
pub fn autostart_dir() -> Result<PathBuf> {
    let dirs = directories::BaseDirs::new().ok_or(Error::NoDataDir)?;
    Ok(dirs.config_dir().join("autostart"))
}

/// The app binary the entry starts: `takeback-app` beside the running program (the packages
/// and `cargo build` put both binaries in one folder; the CLI applies the setting too).
pub fn app_executable() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| Error::io("finding", Path::new("."), e))?;
    let dir = exe.parent().unwrap_or(Path::new("/"));
    Ok(dir.join("takeback-app"))
}

/// Applies a change of `start_at_login` from `before` to `next`: refuses turning it on when
/// [`refusal`] says so, writes the entry when it turns on and removes it when it turns off.
/// `autostart` is the folder (see [`autostart_dir`]); `exe` the binary the entry starts.
pub fn apply(
    data_dir: &DataDir,
    before: &Settings,
    next: &Settings,
    autostart: &Path,
    exe: &Path,
) -> Result<()> {
    match (before.start_at_login, next.start_at_login) {
        (false, true) => {
            if let Some(reason) = refusal(data_dir)? {
                return Err(SessionError::StartAtLoginRefused { reason }.into());
            }
            write_entry(autostart, exe)
        }
        (true, false) => remove_entry(autostart),
        _ => Ok(()),
    }
}

/// After a clinic profile is made outside the window (`takeback profile create --passphrase`):
/// starting at login is turned off and its entry removed, by the same rule as the window's
/// ([`super::Session::create_profile`]).
pub fn turn_off_for_clinic(data_dir: &DataDir) -> Result<()> {
    let before = Settings::load(data_dir)?;
    if !before.start_at_login {
        return Ok(());
    }
    let mut next = before.clone();
    next.start_at_login = false;
    super::commit_settings(data_dir, &before, &next, &[], chrono::Utc::now())
}

/// Writes the autostart entry that starts `exe` hidden in the tray.
pub fn write_entry(autostart: &Path, exe: &Path) -> Result<()> {
    let exec = desktop_exec_arg(exe).ok_or(SessionError::StartAtLoginRefused {
        reason: "the program's path cannot be written into an autostart entry",
    })?;
    // Neutral words: the entry is visible in the desktop's "Startup applications" list.
    let text = format!(
        "[Desktop Entry]\nType=Application\nName=Takeback\nComment=Keeps watching for photos of you, hidden in the tray\nExec={exec} {HIDDEN_FLAG}\nTerminal=false\nNoDisplay=false\nX-GNOME-Autostart-enabled=true\n"
    );
    std::fs::create_dir_all(autostart).map_err(|e| Error::io("creating", autostart, e))?;
    crate::base::files::write_atomically(&autostart.join(ENTRY_NAME), text.as_bytes(), true)
        .map(|_| ())
}

/// Removes the autostart entry; no entry is fine.
pub fn remove_entry(autostart: &Path) -> Result<()> {
    let path = autostart.join(ENTRY_NAME);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("removing", &path, e)),
        _ => Ok(()),
    }
}

/// The entry as written, if there is one (bounded; for `takeback doctor` and the tests).
pub fn read_entry(autostart: &Path) -> Result<Option<String>> {
    let path = autostart.join(ENTRY_NAME);
    if !path.exists() {
        return Ok(None);
    }
    let bytes = crate::base::files::read_regular(&path, MAX_ENTRY_BYTES)?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `path` as one argument of a desktop entry's `Exec` key: quoted, with `"`, `` ` ``, `$` and
/// `\` escaped and `%` doubled (the specification's rules). `None` for a path that is not UTF-8
/// or holds a line break or control character, which an entry cannot carry.
fn desktop_exec_arg(path: &Path) -> Option<String> {
    let text = path.to_str()?;
    if text.chars().any(char::is_control) {
        return None;
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                // Escaped once for the quoting and once more for the key's own string escapes.
                quoted.push_str("\\\\");
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    Some(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_paths_are_quoted_by_the_desktop_entry_rules() {
        assert_eq!(
            desktop_exec_arg(Path::new("/usr/bin/takeback-app")).unwrap(),
            "\"/usr/bin/takeback-app\""
        );
        assert_eq!(
            desktop_exec_arg(Path::new("/home/a b/100%/$x")).unwrap(),
            "\"/home/a b/100%%/\\\\$x\""
        );
        assert!(desktop_exec_arg(Path::new("/tmp/a\nExec=evil")).is_none());
    }
}
