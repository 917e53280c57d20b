//! `takeback doctor`: checks that this machine can run Takeback and says what is missing.

use serde::Serialize;

use crate::base::paths::DataDir;
use crate::base::settings::Settings;

/// The result of one check.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Check {
    /// Short name, e.g. `data directory`.
    pub name: String,
    pub ok: bool,
    /// What was found (a path, a version, the error).
    pub detail: String,
    /// When not ok: what the user should do about it.
    pub fix: Option<String>,
}

impl Check {
    pub fn pass(name: &str, detail: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            ok: true,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn fail(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            ok: false,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Report {
    pub version: String,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn healthy(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    pub fn missing(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }
}

/// Runs every check against `data_dir`. `extra` holds checks that only the caller can make (the
/// keyring of the running session, the face models bundled with the binary).
pub fn run(data_dir: &DataDir, extra: Vec<Check>) -> Report {
    let mut checks = vec![
        check_data_dir(data_dir),
        check_settings(data_dir),
        check_models(&takeback_faces::models_status()),
    ];
    checks.extend(extra);
    Report {
        version: crate::VERSION.to_owned(),
        checks,
    }
}

fn check_data_dir(data_dir: &DataDir) -> Check {
    const NAME: &str = "data directory";
    let root = data_dir.root().display().to_string();
    if let Err(e) = data_dir.ensure() {
        return Check::fail(
            NAME,
            e.to_string(),
            "choose a writable folder with --data-dir or TAKEBACK_DATA_DIR",
        );
    }
    let probe = data_dir.root().join(".doctor-probe");
    match std::fs::write(&probe, b"ok").and_then(|()| std::fs::remove_file(&probe)) {
        Ok(()) => Check::pass(NAME, format!("{root} (writable{})", build_note())),
        Err(e) => Check::fail(
            NAME,
            format!("{root}: cannot write ({e})"),
            "fix the folder's permissions or choose another with --data-dir",
        ),
    }
}

/// Development builds keep their data apart from an installed Takeback (see `paths::APP_NAME`);
/// saying so explains why a developer does not see their real profiles.
fn build_note() -> &'static str {
    if cfg!(debug_assertions) {
        "; development build, kept apart from an installed Takeback"
    } else {
        ""
    }
}

fn check_settings(data_dir: &DataDir) -> Check {
    const NAME: &str = "settings";
    match Settings::load(data_dir) {
        Ok(_) => Check::pass(NAME, data_dir.settings_file().display().to_string()),
        Err(e) => Check::fail(
            NAME,
            e.to_string(),
            "fix the file by hand or delete it to return to the defaults",
        ),
    }
}

/// The face models are compiled into the binary; this proves their bytes are the published ones.
fn check_models(models: &[takeback_faces::ModelStatus]) -> Check {
    const NAME: &str = "face models";
    let broken: Vec<&str> = models
        .iter()
        .filter(|m| !m.ok)
        .map(|m| m.file.as_str())
        .collect();
    if models.is_empty() {
        Check::fail(NAME, "no face model is bundled", "reinstall Takeback")
    } else if broken.is_empty() {
        Check::pass(
            NAME,
            format!("{} files bundled, SHA-256 verified", models.len()),
        )
    } else {
        Check::fail(
            NAME,
            format!("damaged: {}", broken.join(", ")),
            "reinstall Takeback; the bundled face models do not match their checksums",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_on_a_fresh_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let r = run(&DataDir::at(tmp.path().join("d")), vec![]);
        assert!(r.healthy(), "{r:?}");
        assert_eq!(r.checks.len(), 3);
        assert!(r.checks[2].detail.contains("SHA-256 verified"));
        let root = tmp.path().join("d").display().to_string();
        assert!(r.checks[0].detail.starts_with(&root), "{:?}", r.checks[0]);
        assert!(
            r.checks[0].detail.contains("development build"),
            "tests run as debug builds: {:?}",
            r.checks[0]
        );
    }

    #[test]
    fn reports_a_damaged_settings_file_and_extra_failures() {
        let tmp = tempfile::tempdir().unwrap();
        let dd = DataDir::at(tmp.path());
        std::fs::write(dd.settings_file(), "{{").unwrap();
        let r = run(&dd, vec![Check::fail("models", "absent", "run setup")]);
        assert!(!r.healthy());
        let missing: Vec<_> = r.missing().map(|c| c.name.as_str()).collect();
        assert_eq!(missing, ["settings", "models"]);
    }

    #[test]
    fn names_a_damaged_model_file() {
        let status = |file: &str, ok| takeback_faces::ModelStatus {
            name: "x".into(),
            file: file.into(),
            sha256: String::new(),
            ok,
        };
        let c = check_models(&[status("a.bin", true), status("b.bin", false)]);
        assert!(!c.ok);
        assert!(c.detail.contains("b.bin") && !c.detail.contains("a.bin"));
        assert!(!check_models(&[]).ok);
    }

    #[cfg(unix)]
    #[test]
    fn reports_an_unwritable_data_dir() {
        // Root ignores permission bits, so point at a path under a regular file instead.
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let r = run(&DataDir::at(file.join("sub")), vec![]);
        assert!(!r.checks[0].ok);
        assert!(r.checks[0].fix.is_some());
    }
}
