//! Where Takeback keeps its data.
//!
//! Precedence: an explicit directory (`--data-dir`), then `TAKEBACK_DATA_DIR`, then the platform's
//! data folder from `directories`. Development builds use a different application name, so running
//! a debug build never touches a user's real profiles.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "TAKEBACK_DATA_DIR";

/// The application name used for the platform data folder. Debug builds get their own.
pub const APP_NAME: &str = if cfg!(debug_assertions) {
    "Takeback-dev"
} else {
    "Takeback"
};

/// The root of everything Takeback stores: settings and one folder per profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Uses exactly this folder.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Resolves the data directory: `explicit`, else `env_value` (the value of
    /// [`DATA_DIR_ENV`], passed in so that callers and tests control the environment), else the
    /// platform default.
    pub fn resolve(explicit: Option<&Path>, env_value: Option<&str>) -> Result<Self> {
        if let Some(dir) = explicit {
            return Ok(Self::at(dir));
        }
        if let Some(dir) = env_value.filter(|v| !v.trim().is_empty()) {
            return Ok(Self::at(dir));
        }
        Self::platform_default()
    }

    /// The platform's data folder for this build (e.g. `~/.local/share/takeback` on Linux).
    pub fn platform_default() -> Result<Self> {
        let dirs =
            directories::ProjectDirs::from("app", "Takeback", APP_NAME).ok_or(Error::NoDataDir)?;
        Ok(Self::at(dirs.data_dir()))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The settings file (TOML, no secrets in it).
    pub fn settings_file(&self) -> PathBuf {
        self.root.join("settings.toml")
    }

    /// The folder that holds one sub-folder per profile vault.
    pub fn profiles_dir(&self) -> PathBuf {
        self.root.join("profiles")
    }

    /// Creates the root folder (owner-only permissions on Unix) if it does not exist.
    pub fn ensure(&self) -> Result<()> {
        std::fs::create_dir_all(&self.root).map_err(|e| Error::io("creating", &self.root, e))?;
        restrict_to_owner(&self.root)
    }

    /// Removes what an interrupted write left in the root folder (a full disk, a kill): the
    /// temporary files of atomic writes older than `grace` (a younger one may be another
    /// process's write under way) and the `settings.tmp` of earlier versions. Best effort: what
    /// cannot be removed is left, and the number removed is returned.
    pub fn tidy(&self, grace: std::time::Duration) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return 0;
        };
        entries
            .flatten()
            .filter(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let staged = name.starts_with(STAGED_PREFIX) && name.ends_with(STAGED_SUFFIX);
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= grace);
                (name == "settings.tmp" || (staged && old))
                    && entry.file_type().is_ok_and(|t| t.is_file())
            })
            .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
            .count()
    }
}

/// How [`crate::base::files::StagedFile`] names its temporary files.
pub(crate) const STAGED_PREFIX: &str = ".takeback-";
pub(crate) const STAGED_SUFFIX: &str = ".partial";

/// The user's Documents folder (else home, else the temporary folder): where the files a user
/// saves (letters, evidence, hand-off bundles) are suggested to go.
pub fn documents_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|d| d.document_dir().map(Path::to_path_buf))
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir)
}

#[cfg(unix)]
fn restrict_to_owner(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::io("restricting permissions of", dir, e))
}

#[cfg(not(unix))]
fn restrict_to_owner(_dir: &Path) -> Result<()> {
    // On Windows the per-user profile folder is already private to the user.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins_over_env() {
        let d = DataDir::resolve(Some(Path::new("/a")), Some("/b")).unwrap();
        assert_eq!(d.root(), Path::new("/a"));
    }

    #[test]
    fn env_dir_used_when_no_explicit_dir() {
        let d = DataDir::resolve(None, Some("/b")).unwrap();
        assert_eq!(d.root(), Path::new("/b"));
    }

    #[test]
    fn blank_env_falls_back_to_platform_default() {
        let d = DataDir::resolve(None, Some("  ")).unwrap();
        assert!(d.root().ends_with(APP_NAME) || d.root().to_string_lossy().contains("akeback"));
    }

    #[test]
    fn debug_builds_use_a_separate_app_name() {
        assert_eq!(APP_NAME, "Takeback-dev", "tests run as debug builds");
    }

    /// On Linux the platform folder follows XDG: `$XDG_DATA_HOME/<app name in lower case>`, so an
    /// installed build uses `~/.local/share/takeback` and a debug build `takeback-dev`.
    #[cfg(target_os = "linux")]
    #[test]
    fn platform_default_is_the_xdg_data_folder_named_for_the_build() {
        let d = DataDir::platform_default().unwrap();
        assert_eq!(
            d.root().file_name().and_then(|n| n.to_str()),
            Some(APP_NAME.to_lowercase().as_str())
        );
        assert!(d.root().ends_with("takeback-dev"), "{:?}", d.root());
    }

    #[cfg(unix)]
    #[test]
    fn ensure_creates_owner_only_folder() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let d = DataDir::at(tmp.path().join("x/y"));
        d.ensure().unwrap();
        let mode = std::fs::metadata(d.root()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
