//! App-wide settings, persisted as TOML in the data directory.
//!
//! Every setting is declared once in [`SPECS`] with its default, its allowed values and a line of
//! help, so the CLI (`takeback config get/set`), the Settings page and the validation all read the
//! same table. Only non-secret values live here; keys and passphrases go to the OS keyring.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::base::paths::DataDir;
use crate::{Error, Result};

/// What values a setting accepts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A whole number in an inclusive range.
    Integer { min: u64, max: u64 },
    /// `true` or `false`.
    Bool,
    /// An `http://` or `https://` URL; `trailing_slash` adds one so paths can be appended.
    Url { trailing_slash: bool },
}

/// The declaration of one setting.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub key: &'static str,
    /// Short name shown next to the control.
    pub label: &'static str,
    /// Endpoints and other values most people never change; shown under "Advanced".
    pub advanced: bool,
    pub default: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

const AUTO_LOCK_MINUTES: Spec = Spec {
    key: "auto_lock_minutes",
    label: "Lock after this many idle minutes",
    advanced: false,
    default: "10",
    kind: Kind::Integer { min: 1, max: 1440 },
    help: "Lock every open profile after this many minutes without use.",
};

const RDAP_BOOTSTRAP_BASE: Spec = Spec {
    key: "rdap.bootstrap_base",
    label: "RDAP bootstrap address (who-owns-this-site look-ups)",
    advanced: true,
    default: "https://data.iana.org/rdap/",
    kind: Kind::Url {
        trailing_slash: true,
    },
    help: "Where the IANA RDAP bootstrap files (dns.json, ipv4.json, ipv6.json) are read from.",
};

/// Every setting the app knows. Add new ones here; nothing else needs to change for the CLI or the
/// Settings page to show them.
pub const SPECS: &[Spec] = &[
    Spec {
        key: "theme",
        label: "Theme",
        advanced: false,
        default: "system",
        kind: Kind::Choice(&["system", "light", "dark"]),
        help: "Colour theme of the window; `system` follows the operating system.",
    },
    AUTO_LOCK_MINUTES,
    Spec {
        key: "previews",
        label: "Previews of findings",
        advanced: false,
        default: "blurred",
        kind: Kind::Choice(&["blurred", "off"]),
        help: "How thumbnails of findings are shown: blurred until you reveal them, or never.",
    },
    Spec {
        key: "quick_exit.double_escape",
        label: "Esc pressed twice hides Takeback",
        advanced: false,
        default: "true",
        kind: Kind::Bool,
        help: "Pressing Esc twice hides the window and locks every profile.",
    },
    RDAP_BOOTSTRAP_BASE,
    Spec {
        key: "monitor.in_window",
        label: "Keep watching while Takeback is open",
        advanced: false,
        default: "true",
        kind: Kind::Bool,
        help: "While a profile is unlocked, do the monitoring that is due (revisit sites and folders, re-check findings) in the background.",
    },
    Spec {
        key: "notifications.enabled",
        label: "Desktop notifications from monitoring",
        advanced: false,
        default: "true",
        kind: Kind::Bool,
        help: "Show a desktop notification when monitoring finds something (best-effort: the updates list on Home is the record).",
    },
    Spec {
        key: "notifications.detail",
        label: "Say what was found in notifications",
        advanced: false,
        default: "false",
        kind: Kind::Bool,
        help: "Off: notifications only say \"Takeback has 2 updates\", since lock screens and shared desks show them. On: they say what kind of update (never an image, address or site name).",
    },
    Spec {
        key: "notifications.quiet_from",
        label: "Quiet hours start (hour, 0-23)",
        advanced: false,
        default: "22",
        kind: Kind::Integer { min: 0, max: 23 },
        help: "No notification from this hour (local time) until quiet hours end; the same hour for both means no quiet hours.",
    },
    Spec {
        key: "notifications.quiet_to",
        label: "Quiet hours end (hour, 0-23)",
        advanced: false,
        default: "7",
        kind: Kind::Integer { min: 0, max: 23 },
        help: "Notifications resume at this hour (local time).",
    },
    Spec {
        key: "provider.tineye.enabled",
        label: "Use TinEye",
        advanced: false,
        default: "false",
        kind: Kind::Bool,
        help: "Whether scans may use TinEye (still only with your consent to each image sent).",
    },
    Spec {
        key: "provider.tineye.base_url",
        label: "TinEye address",
        advanced: true,
        default: "https://api.tineye.com/rest/",
        kind: Kind::Url {
            trailing_slash: false,
        },
        help: "The documented base address of TinEye's API; the documented paths are appended.",
    },
    Spec {
        key: "provider.google-vision.enabled",
        label: "Use Google Cloud Vision",
        advanced: false,
        default: "false",
        kind: Kind::Bool,
        help: "Whether scans may use Google Cloud Vision (still only with your consent to each image sent).",
    },
    Spec {
        key: "provider.google-vision.base_url",
        label: "Google Cloud Vision address",
        advanced: true,
        default: "https://vision.googleapis.com",
        kind: Kind::Url {
            trailing_slash: false,
        },
        help: "The documented base address of Google Cloud Vision's API; the documented paths are appended.",
    },
    Spec {
        key: "provider.serpapi-lens.enabled",
        label: "Use SerpApi Google Lens",
        advanced: false,
        default: "false",
        kind: Kind::Bool,
        help: "Whether scans may use SerpApi Google Lens (still only with your consent to each image sent).",
    },
    Spec {
        key: "provider.serpapi-lens.base_url",
        label: "SerpApi Google Lens address",
        advanced: true,
        default: "https://serpapi.com",
        kind: Kind::Url {
            trailing_slash: false,
        },
        help: "The documented base address of SerpApi Google Lens's API; the documented paths are appended.",
    },
    Spec {
        key: "provider.facecheck.enabled",
        label: "Use FaceCheck.ID",
        advanced: false,
        default: "false",
        kind: Kind::Bool,
        help: "Whether scans may use FaceCheck.ID (still only with your consent to each image sent).",
    },
    Spec {
        key: "provider.facecheck.base_url",
        label: "FaceCheck.ID address",
        advanced: true,
        default: "https://facecheck.id",
        kind: Kind::Url {
            trailing_slash: false,
        },
        help: "The documented base address of FaceCheck.ID's API; the documented paths are appended.",
    },
];

/// Looks a setting up by key.
pub fn spec(key: &str) -> Result<&'static Spec> {
    SPECS
        .iter()
        .find(|s| s.key == key)
        .ok_or_else(|| Error::UnknownSetting {
            key: key.to_owned(),
        })
}

/// One setting with its current value, as shown by `config get` and the Settings page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Entry {
    pub key: String,
    pub label: String,
    pub advanced: bool,
    pub value: String,
    pub default: String,
    pub is_default: bool,
    pub help: String,
    /// How the value is edited, so the Settings page can pick the right control.
    pub input: Input,
}

/// The editing control a setting needs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    Choice { options: Vec<String> },
    Integer { min: u32, max: u32 },
    Bool,
    Url,
}

impl From<Kind> for Input {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Choice(options) => Input::Choice {
                options: options.iter().map(|o| (*o).to_owned()).collect(),
            },
            Kind::Integer { min, max } => Input::Integer {
                min: u32::try_from(min).unwrap_or(u32::MAX),
                max: u32::try_from(max).unwrap_or(u32::MAX),
            },
            Kind::Bool => Input::Bool,
            Kind::Url { .. } => Input::Url,
        }
    }
}

/// The settings file's contents: only values that differ from their defaults are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    /// Reads the settings file; a missing file means all defaults. Unknown keys (from a newer
    /// version) are kept so that saving does not lose them.
    pub fn load(data_dir: &DataDir) -> Result<Self> {
        let path = data_dir.settings_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::io("reading", &path, e)),
        };
        let values: BTreeMap<String, String> =
            toml::from_str(&text).map_err(|e| Error::CorruptSettings {
                path: path.display().to_string(),
                reason: e.message().to_owned(),
            })?;
        Ok(Self { values })
    }

    /// Writes the settings file atomically (temp file, then rename), so a crash mid-write leaves
    /// the previous file intact.
    pub fn save(&self, data_dir: &DataDir) -> Result<()> {
        data_dir.ensure()?;
        let path = data_dir.settings_file();
        let text = toml::to_string(&self.values).map_err(|e| Error::CorruptSettings {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        write_atomically(&path, text.as_bytes())
    }

    /// The current value of a setting (its default when unset).
    pub fn get(&self, key: &str) -> Result<String> {
        let spec = spec(key)?;
        Ok(self
            .values
            .get(key)
            .cloned()
            .unwrap_or_else(|| spec.default.to_owned()))
    }

    /// Validates and sets a setting. Setting a value equal to the default removes the override.
    pub fn set(&mut self, key: &str, value: &str) -> Result<String> {
        let spec = spec(key)?;
        let normalised = validate(spec, value)?;
        if normalised == spec.default {
            self.values.remove(key);
        } else {
            self.values.insert(key.to_owned(), normalised.clone());
        }
        Ok(normalised)
    }

    /// Every known setting with its value, in declaration order.
    pub fn entries(&self) -> Vec<Entry> {
        SPECS
            .iter()
            .map(|s| {
                let value = self
                    .values
                    .get(s.key)
                    .cloned()
                    .unwrap_or_else(|| s.default.to_owned());
                Entry {
                    key: s.key.to_owned(),
                    label: s.label.to_owned(),
                    advanced: s.advanced,
                    is_default: value == s.default,
                    value,
                    default: s.default.to_owned(),
                    help: s.help.to_owned(),
                    input: s.kind.into(),
                }
            })
            .collect()
    }

    /// The value of `key` as stored, else its declared default: the one place defaults come
    /// from (a stored value that no longer validates also falls back to it).
    fn value_or_default(&self, spec: &Spec) -> String {
        self.values
            .get(spec.key)
            .and_then(|v| validate(spec, v).ok())
            .unwrap_or_else(|| spec.default.to_owned())
    }

    /// Minutes of inactivity before every profile locks. Should the value not read as a number,
    /// the shortest allowed time: failing safe means locking sooner, never later.
    pub fn auto_lock_minutes(&self) -> u64 {
        let spec = &AUTO_LOCK_MINUTES;
        let shortest = match spec.kind {
            Kind::Integer { min, .. } => min,
            _ => 1,
        };
        self.value_or_default(spec).parse().unwrap_or(shortest)
    }

    /// Base URL of the RDAP bootstrap files, always ending in `/`.
    pub fn rdap_bootstrap_base(&self) -> String {
        self.value_or_default(&RDAP_BOOTSTRAP_BASE)
    }
}

/// Checks `value` against the spec and returns its normalised form.
fn validate(spec: &Spec, value: &str) -> Result<String> {
    let value = value.trim();
    let invalid = |expected: String| Error::InvalidSetting {
        key: spec.key.to_owned(),
        value: value.to_owned(),
        expected,
    };
    match spec.kind {
        Kind::Choice(options) => options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(value))
            .map(|o| (*o).to_owned())
            .ok_or_else(|| invalid(format!("one of {}", options.join(", ")))),
        Kind::Integer { min, max } => value
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .map(|n| n.to_string())
            .ok_or_else(|| invalid(format!("a whole number from {min} to {max}"))),
        Kind::Bool => match value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok("true".to_owned()),
            "false" | "no" | "off" | "0" => Ok("false".to_owned()),
            _ => Err(invalid("true or false".to_owned())),
        },
        Kind::Url { trailing_slash } => {
            let lower = value.to_ascii_lowercase();
            let has_host = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"))
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
            if !has_host || value.chars().any(char::is_whitespace) {
                return Err(invalid("an http:// or https:// URL".to_owned()));
            }
            if trailing_slash && !value.ends_with('/') {
                Ok(format!("{value}/"))
            } else {
                Ok(value.to_owned())
            }
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| Error::io("creating", &tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("writing", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io("replacing", path, e))?;
    // Make the rename itself durable; failure here is not worth failing the save for.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_dir() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let dd = DataDir::at(tmp.path().join("data"));
        (tmp, dd)
    }

    #[test]
    fn typed_accessors_read_the_declared_default_for_a_value_that_does_not_validate() {
        let mut s = Settings::default();
        assert_eq!(s.auto_lock_minutes(), 10);
        assert_eq!(s.rdap_bootstrap_base(), RDAP_BOOTSTRAP_BASE.default);
        // A hand-edited file: out of range, not a number, not a URL.
        s.values.insert("auto_lock_minutes".into(), "99999".into());
        s.values
            .insert("rdap.bootstrap_base".into(), "not a url".into());
        assert_eq!(s.auto_lock_minutes(), 10);
        assert_eq!(s.rdap_bootstrap_base(), RDAP_BOOTSTRAP_BASE.default);
        s.set("auto_lock_minutes", "3").unwrap();
        assert_eq!(s.auto_lock_minutes(), 3);
    }

    #[test]
    fn defaults_when_no_file() {
        let (_t, dd) = data_dir();
        let s = Settings::load(&dd).unwrap();
        assert_eq!(s.get("theme").unwrap(), "system");
        assert_eq!(s.auto_lock_minutes(), 10);
    }

    #[test]
    fn set_persists_across_load() {
        let (_t, dd) = data_dir();
        let mut s = Settings::load(&dd).unwrap();
        s.set("theme", "Dark").unwrap();
        s.set("rdap.bootstrap_base", "http://127.0.0.1:9/rdap")
            .unwrap();
        s.save(&dd).unwrap();
        let again = Settings::load(&dd).unwrap();
        assert_eq!(again.get("theme").unwrap(), "dark");
        assert_eq!(again.rdap_bootstrap_base(), "http://127.0.0.1:9/rdap/");
    }

    #[test]
    fn setting_the_default_removes_the_override() {
        let (_t, dd) = data_dir();
        let mut s = Settings::default();
        s.set("auto_lock_minutes", "5").unwrap();
        s.set("auto_lock_minutes", "10").unwrap();
        s.save(&dd).unwrap();
        let text = std::fs::read_to_string(dd.settings_file()).unwrap();
        assert!(!text.contains("auto_lock_minutes"), "{text}");
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values() {
        let mut s = Settings::default();
        assert!(matches!(
            s.set("nope", "1"),
            Err(Error::UnknownSetting { .. })
        ));
        for (key, bad) in [
            ("theme", "purple"),
            ("auto_lock_minutes", "0"),
            ("auto_lock_minutes", "-3"),
            ("auto_lock_minutes", "99999"),
            ("quick_exit.double_escape", "maybe"),
            ("rdap.bootstrap_base", "ftp://x/"),
            ("rdap.bootstrap_base", "https://"),
            ("rdap.bootstrap_base", "https://a b/"),
        ] {
            let err = s.set(key, bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidSetting { .. }),
                "{key}={bad}: {err}"
            );
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
        }
    }

    #[test]
    fn corrupt_file_is_reported_not_overwritten() {
        let (_t, dd) = data_dir();
        dd.ensure().unwrap();
        std::fs::write(dd.settings_file(), "theme = [unclosed").unwrap();
        let err = Settings::load(&dd).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::Corrupt);
        assert!(err.to_string().contains("settings.toml"));
        assert_eq!(
            std::fs::read_to_string(dd.settings_file()).unwrap(),
            "theme = [unclosed"
        );
    }

    #[test]
    fn unknown_keys_from_newer_versions_survive_a_save() {
        let (_t, dd) = data_dir();
        dd.ensure().unwrap();
        std::fs::write(dd.settings_file(), "\"future.key\" = \"x\"\n").unwrap();
        let mut s = Settings::load(&dd).unwrap();
        s.set("theme", "light").unwrap();
        s.save(&dd).unwrap();
        let text = std::fs::read_to_string(dd.settings_file()).unwrap();
        assert!(
            text.contains("future.key") && text.contains("light"),
            "{text}"
        );
    }

    #[test]
    fn entries_list_every_spec() {
        let s = Settings::default();
        let e = s.entries();
        assert_eq!(e.len(), SPECS.len());
        assert!(e.iter().all(|e| e.is_default));
    }
}
