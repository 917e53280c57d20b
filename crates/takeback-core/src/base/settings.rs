//! App-wide settings, persisted as TOML in the data directory.
//!
//! Every setting is declared once in [`SPECS`] with its default, its allowed values and a line of
//! help, so the CLI (`takeback config get/set`), the Settings page and the validation all read the
//! same table. Only non-secret values live here; keys and passphrases go to the OS keyring.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::base::endpoint::{self, EndpointProblem};
use crate::base::paths::DataDir;
use crate::{Error, Result};

/// Colour theme of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follows the operating system.
    System,
    Light,
    Dark,
}

/// How thumbnails of findings are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Previews {
    /// Blurred until the owner reveals one.
    Blurred,
    /// Never shown, not even blurred (nothing is decrypted for them).
    Off,
}

/// The language of the window. The CLI, logs and legal letters stay English whatever it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// The operating system's language when the window supports it, otherwise English.
    System,
    En,
    Es,
}

/// Gives a word-valued setting its words, once: the settings file, `config set` and the
/// Settings page all use them.
macro_rules! words {
    ($type:ty { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $type {
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $word),+ }
            }

            /// The value for a word already checked against [`Self::WORDS`].
            fn from_word(word: &str) -> Option<Self> {
                match word { $($word => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
words!(Theme { System => "system", Light => "light", Dark => "dark" });
words!(Previews { Blurred => "blurred", Off => "off" });
words!(Language { System => "system", En => "en", Es => "es" });

/// A remote search provider's settings. Its API key is never here: it lives in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// Whether scans may use it (still only with consent to each image sent).
    pub enabled: bool,
    /// The documented base address of its API; the documented paths are appended.
    pub base_url: String,
}

/// A provider as settings know it: its name (as in `provider.<name>.*`) and the documented base
/// address of its API, declared here once.
struct ProviderDefaults {
    name: &'static str,
    base_url: &'static str,
}

const PROVIDERS: [ProviderDefaults; 4] = [
    ProviderDefaults {
        name: "tineye",
        base_url: "https://api.tineye.com/rest/",
    },
    ProviderDefaults {
        name: "google-vision",
        base_url: "https://vision.googleapis.com",
    },
    ProviderDefaults {
        name: "serpapi-lens",
        base_url: "https://serpapi.com",
    },
    ProviderDefaults {
        name: "facecheck",
        base_url: "https://facecheck.id",
    },
];

/// The documented base address of provider `name`'s API (`None` for a name settings do not
/// know).
pub fn default_provider_base_url(name: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.base_url)
}

/// Every setting, typed. [`Settings::default`] is the one place each default is declared; the
/// settings file stores only the values that differ from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    pub theme: Theme,
    pub language: Language,
    /// Lock every open profile after this many minutes without use.
    pub auto_lock_minutes: u32,
    pub previews: Previews,
    /// Esc pressed twice hides the window and locks every profile.
    pub quick_exit_double_escape: bool,
    /// Where the IANA RDAP bootstrap files are read from; always ends in `/`.
    pub rdap_bootstrap_base: String,
    /// Every request goes through this SOCKS5 proxy (`socks5h://host:port`, e.g. Tor); empty:
    /// none. Read it with [`Settings::proxy`].
    pub network_proxy: String,
    /// While a profile is unlocked, the window does the monitoring that is due.
    pub monitor_in_window: bool,
    /// Closing the window hides it to the system tray instead of quitting, so monitoring goes
    /// on for the unlocked profiles (auto-lock still applies). Off: closing quits.
    pub monitor_when_closed: bool,
    /// Start Takeback, hidden in the tray, when the owner logs in (an XDG autostart entry).
    /// Refused while any passphrase (clinic) profile exists: see `session::login`.
    pub start_at_login: bool,
    /// Desktop notifications from monitoring (best-effort; the inbox is the record).
    pub notifications_enabled: bool,
    /// Notifications say what kind of update; off, only "Takeback has N updates".
    pub notifications_detail: bool,
    /// Quiet hours (local time, 0-23): no notification from `quiet_from` until `quiet_to`.
    pub notifications_quiet_from: u32,
    pub notifications_quiet_to: u32,
    /// In the order of `PROVIDERS`; read them with [`Settings::provider`].
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(skip))]
    providers: [ProviderSettings; 4],
    /// Keys this version does not know (from a newer one): kept as they were, numbers and all,
    /// so that saving loses nothing.
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(skip))]
    unknown: BTreeMap<String, KeptValue>,
}

/// A value of a setting this version does not know, as the file held it.
#[derive(Debug, Clone, PartialEq)]
struct KeptValue(toml::Value);

// Only compared to tell settings apart; a NaN a newer version wrote is simply never equal.
impl Eq for KeptValue {}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            language: Language::System,
            auto_lock_minutes: 10,
            previews: Previews::Blurred,
            quick_exit_double_escape: true,
            rdap_bootstrap_base: "https://data.iana.org/rdap/".to_owned(),
            network_proxy: String::new(),
            monitor_in_window: true,
            monitor_when_closed: false,
            start_at_login: false,
            notifications_enabled: true,
            notifications_detail: false,
            notifications_quiet_from: 22,
            notifications_quiet_to: 7,
            providers: PROVIDERS.map(|p| ProviderSettings {
                enabled: false,
                base_url: p.base_url.to_owned(),
            }),
            unknown: BTreeMap::new(),
        }
    }
}

/// What values a setting accepts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A whole number in an inclusive range.
    Integer { min: u32, max: u32 },
    /// `true` or `false`.
    Bool,
    /// An `http://` or `https://` URL; `trailing_slash` adds one so paths can be appended.
    Url { trailing_slash: bool },
    /// A `socks5h://host:port` proxy, or empty for none.
    Proxy,
}

impl Kind {
    /// What a setting of this kind accepts, in words.
    fn describe(self) -> String {
        match self {
            Kind::Choice(options) => format!("one of {}", options.join(", ")),
            Kind::Integer { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Bool => "true or false".to_owned(),
            Kind::Url { .. } => "an http:// or https:// address".to_owned(),
            Kind::Proxy => "a socks5h://host:port address, or nothing".to_owned(),
        }
    }
}

/// How one setting is shown and edited by name (`takeback config`, the Settings page): its label,
/// its help, what it accepts, and how its typed field reads and takes the text form.
#[derive(Clone, Copy)]
pub struct Spec {
    pub key: &'static str,
    /// Short name shown next to the control.
    pub label: &'static str,
    /// Endpoints and other values most people never change; shown under "Advanced".
    pub advanced: bool,
    pub kind: Kind,
    pub help: &'static str,
    read: fn(&Settings) -> String,
    /// Takes a value already normalised by `validate`.
    write: fn(&mut Settings, &str),
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec").field("key", &self.key).finish()
    }
}

/// The two settings of the provider at `$index` of `PROVIDERS`.
macro_rules! provider_specs {
    ($index:literal, $name:literal, $enabled:literal, $base_url:literal) => {
        [
            Spec {
                key: $enabled,
                label: concat!("Use ", $name),
                advanced: false,
                kind: Kind::Bool,
                help: concat!(
                    "Whether scans may use ",
                    $name,
                    " (still only with your consent to each image sent)."
                ),
                read: |s| s.providers[$index].enabled.to_string(),
                write: |s, v| s.providers[$index].enabled = v == "true",
            },
            Spec {
                key: $base_url,
                label: concat!($name, " address"),
                advanced: true,
                kind: Kind::Url {
                    trailing_slash: false,
                },
                help: concat!(
                    "The documented base address of ",
                    $name,
                    "'s API; the documented paths are appended."
                ),
                read: |s| s.providers[$index].base_url.clone(),
                write: |s, v| s.providers[$index].base_url = v.to_owned(),
            },
        ]
    };
}

const TINEYE: [Spec; 2] = provider_specs!(
    0,
    "TinEye",
    "provider.tineye.enabled",
    "provider.tineye.base_url"
);
const GOOGLE_VISION: [Spec; 2] = provider_specs!(
    1,
    "Google Cloud Vision",
    "provider.google-vision.enabled",
    "provider.google-vision.base_url"
);
const SERPAPI_LENS: [Spec; 2] = provider_specs!(
    2,
    "SerpApi Google Lens",
    "provider.serpapi-lens.enabled",
    "provider.serpapi-lens.base_url"
);
const FACECHECK: [Spec; 2] = provider_specs!(
    3,
    "FaceCheck.ID",
    "provider.facecheck.enabled",
    "provider.facecheck.base_url"
);

/// Every setting the app knows, in the order the Settings page shows them. A new setting is a
/// field of [`Settings`], its default, and an entry here; the CLI and the window need nothing more.
pub const SPECS: &[Spec] = &[
    Spec {
        key: "theme",
        label: "Theme",
        advanced: false,
        kind: Kind::Choice(Theme::WORDS),
        help: "Colour theme of the window: light, dark, or the same as the operating system.",
        read: |s| s.theme.as_str().to_owned(),
        write: |s, v| s.theme = Theme::from_word(v).unwrap_or(s.theme),
    },
    Spec {
        key: "language",
        label: "Language",
        advanced: false,
        kind: Kind::Choice(Language::WORDS),
        help: "Language of the window: English, Spanish, or the operating system's. Legal letters and the command line stay in English.",
        read: |s| s.language.as_str().to_owned(),
        write: |s, v| s.language = Language::from_word(v).unwrap_or(s.language),
    },
    Spec {
        key: "auto_lock_minutes",
        label: "Lock after this many idle minutes",
        advanced: false,
        // Capped at an hour: on a shared desk a profile left open longer is the next person's.
        kind: Kind::Integer { min: 1, max: 60 },
        help: "Lock every open profile after this many minutes without use (at most 60).",
        read: |s| s.auto_lock_minutes.to_string(),
        write: |s, v| s.auto_lock_minutes = v.parse().unwrap_or(s.auto_lock_minutes),
    },
    Spec {
        key: "previews",
        label: "Previews of findings",
        advanced: false,
        kind: Kind::Choice(Previews::WORDS),
        help: "How thumbnails of findings are shown: blurred until you reveal them, or never.",
        read: |s| s.previews.as_str().to_owned(),
        write: |s, v| s.previews = Previews::from_word(v).unwrap_or(s.previews),
    },
    Spec {
        key: "quick_exit.double_escape",
        label: "Esc pressed twice hides Takeback",
        advanced: false,
        kind: Kind::Bool,
        help: "Pressing Esc twice hides the window and locks every profile.",
        read: |s| s.quick_exit_double_escape.to_string(),
        write: |s, v| s.quick_exit_double_escape = v == "true",
    },
    Spec {
        key: "monitor.in_window",
        label: "Keep watching while Takeback is open",
        advanced: false,
        kind: Kind::Bool,
        help: "While a profile is unlocked, do the monitoring that is due (revisit sites and folders, re-check findings) in the background.",
        read: |s| s.monitor_in_window.to_string(),
        write: |s, v| s.monitor_in_window = v == "true",
    },
    Spec {
        key: "monitor.when_closed",
        label: "Keep watching when the window is closed",
        advanced: false,
        kind: Kind::Bool,
        help: "Closing the window hides Takeback in the system tray instead of quitting, so monitoring goes on for unlocked profiles (they still lock after the idle minutes). The tray menu opens it again, checks now, quick-exits or quits.",
        read: |s| s.monitor_when_closed.to_string(),
        write: |s, v| s.monitor_when_closed = v == "true",
    },
    Spec {
        key: "app.start_at_login",
        label: "Start Takeback at login, in the tray",
        advanced: false,
        kind: Kind::Bool,
        help: "Starts Takeback hidden in the system tray when you log in, so monitoring can go on. Not available while a passphrase (shared or clinic) profile exists: on a shared computer it would tell the next person Takeback is used here.",
        read: |s| s.start_at_login.to_string(),
        write: |s, v| s.start_at_login = v == "true",
    },
    Spec {
        key: "notifications.enabled",
        label: "Desktop notifications from monitoring",
        advanced: false,
        kind: Kind::Bool,
        help: "Show a desktop notification when monitoring finds something (best-effort: the updates list on Home is the record).",
        read: |s| s.notifications_enabled.to_string(),
        write: |s, v| s.notifications_enabled = v == "true",
    },
    Spec {
        key: "notifications.detail",
        label: "Say what was found in notifications",
        advanced: false,
        kind: Kind::Bool,
        help: "Off: notifications only say \"Takeback has 2 updates\", since lock screens and shared desks show them. On: they say what kind of update (never an image, address or site name).",
        read: |s| s.notifications_detail.to_string(),
        write: |s, v| s.notifications_detail = v == "true",
    },
    Spec {
        key: "notifications.quiet_from",
        label: "Quiet hours start (hour, 0-23)",
        advanced: false,
        kind: Kind::Integer { min: 0, max: 23 },
        help: "No notification from this hour (local time) until quiet hours end; the same hour for both means no quiet hours.",
        read: |s| s.notifications_quiet_from.to_string(),
        write: |s, v| s.notifications_quiet_from = v.parse().unwrap_or(s.notifications_quiet_from),
    },
    Spec {
        key: "notifications.quiet_to",
        label: "Quiet hours end (hour, 0-23)",
        advanced: false,
        kind: Kind::Integer { min: 0, max: 23 },
        help: "Notifications resume at this hour (local time).",
        read: |s| s.notifications_quiet_to.to_string(),
        write: |s, v| s.notifications_quiet_to = v.parse().unwrap_or(s.notifications_quiet_to),
    },
    Spec {
        key: "rdap.bootstrap_base",
        label: "RDAP bootstrap address (who-owns-this-site look-ups)",
        advanced: true,
        kind: Kind::Url {
            trailing_slash: true,
        },
        help: "Where the IANA RDAP bootstrap files (dns.json, ipv4.json, ipv6.json) are read from.",
        read: |s| s.rdap_bootstrap_base.clone(),
        write: |s, v| s.rdap_bootstrap_base = v.to_owned(),
    },
    Spec {
        key: "network.proxy",
        label: "Send every request through a SOCKS5 proxy (for example Tor)",
        advanced: true,
        kind: Kind::Proxy,
        help: "An address such as socks5h://127.0.0.1:9050 (Tor). Sites and services then see the proxy's internet address instead of yours. Empty: no proxy.",
        read: |s| s.network_proxy.clone(),
        write: |s, v| s.network_proxy = v.to_owned(),
    },
    TINEYE[0],
    TINEYE[1],
    GOOGLE_VISION[0],
    GOOGLE_VISION[1],
    SERPAPI_LENS[0],
    SERPAPI_LENS[1],
    FACECHECK[0],
    FACECHECK[1],
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
            Kind::Integer { min, max } => Input::Integer { min, max },
            Kind::Bool => Input::Bool,
            Kind::Url { .. } | Kind::Proxy => Input::Url,
        }
    }
}

impl Settings {
    /// Reads the settings file; a missing file means all defaults. Unknown keys (from a newer
    /// version) are kept aside, so that saving loses nothing. A known setting takes its words,
    /// or a plain TOML number or boolean where it means one (`auto_lock_minutes = 5`); a value
    /// it cannot take is an error that names the setting and what it accepts, rather than a
    /// default the owner did not choose.
    pub fn load(data_dir: &DataDir) -> Result<Self> {
        let path = data_dir.settings_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::io("reading", &path, e)),
        };
        let stored: BTreeMap<String, toml::Value> =
            toml::from_str(&text).map_err(|source| Error::CorruptSettings {
                path: path.display().to_string(),
                source: Box::new(source),
            })?;
        let mut settings = Self::default();
        for (key, value) in stored {
            let Ok(spec) = spec(&key) else {
                settings.unknown.insert(key, KeptValue(value));
                continue;
            };
            let text = match (&value, spec.kind) {
                (toml::Value::String(text), _) => Some(text.clone()),
                (toml::Value::Integer(n), Kind::Integer { .. }) => Some(n.to_string()),
                (toml::Value::Boolean(b), Kind::Bool) => Some(b.to_string()),
                _ => None,
            };
            let normalised = text.as_deref().map(|t| validate(spec, t));
            match normalised {
                Some(Ok(normalised)) => (spec.write)(&mut settings, &normalised),
                Some(Err(Error::InvalidSetting {
                    value, expected, ..
                })) => {
                    return Err(Error::InvalidSettingInFile {
                        path: path.display().to_string(),
                        key,
                        value,
                        expected,
                    })
                }
                Some(Err(other)) => return Err(other),
                None => {
                    return Err(Error::InvalidSettingInFile {
                        path: path.display().to_string(),
                        expected: spec.kind.describe(),
                        key,
                        value: value.to_string(),
                    })
                }
            }
        }
        Ok(settings)
    }

    /// Writes the settings file atomically (temp file, then rename), so a crash mid-write leaves
    /// the previous file intact. Only values that differ from the defaults are written.
    pub fn save(&self, data_dir: &DataDir) -> Result<()> {
        data_dir.ensure()?;
        let path = data_dir.settings_file();
        let defaults = Self::default();
        let mut stored: BTreeMap<String, toml::Value> = self
            .unknown
            .iter()
            .map(|(key, kept)| (key.clone(), kept.0.clone()))
            .collect();
        for spec in SPECS {
            let value = (spec.read)(self);
            if value != (spec.read)(&defaults) {
                // Written as words, which every version reads.
                stored.insert(spec.key.to_owned(), toml::Value::String(value));
            }
        }
        let text = toml::to_string(&stored).map_err(|source| Error::CorruptSettings {
            path: path.display().to_string(),
            source: Box::new(source),
        })?;
        write_atomically(&path, text.as_bytes())
    }

    /// The current value of a setting, in the words `config set` takes.
    pub fn get(&self, key: &str) -> Result<String> {
        Ok((spec(key)?.read)(self))
    }

    /// Validates and sets a setting; returns the value as stored.
    pub fn set(&mut self, key: &str, value: &str) -> Result<String> {
        let spec = spec(key)?;
        let normalised = validate(spec, value)?;
        (spec.write)(self, &normalised);
        Ok(normalised)
    }

    /// Every known setting with its value, in declaration order.
    pub fn entries(&self) -> Vec<Entry> {
        let defaults = Self::default();
        SPECS
            .iter()
            .map(|s| {
                let value = (s.read)(self);
                let default = (s.read)(&defaults);
                Entry {
                    key: s.key.to_owned(),
                    label: s.label.to_owned(),
                    advanced: s.advanced,
                    is_default: value == default,
                    value,
                    default,
                    help: s.help.to_owned(),
                    input: s.kind.into(),
                }
            })
            .collect()
    }

    /// The settings whose change from `before` weakens a protection: a longer auto-lock, quick
    /// exit's double Esc turned off, previews turned back on, or any address data is sent to
    /// (whoever sets one receives what is sent). The session asks for an unlocked profile first.
    pub fn weakened_since(&self, before: &Settings) -> Vec<&'static str> {
        SPECS
            .iter()
            .filter(|spec| {
                let (now, then) = ((spec.read)(self), (spec.read)(before));
                now != then
                    && match spec.key {
                        "auto_lock_minutes" => self.auto_lock_minutes > before.auto_lock_minutes,
                        "quick_exit.double_escape" => !self.quick_exit_double_escape,
                        "previews" => self.previews != Previews::Off,
                        // A lock screen would show what kind of update came in.
                        "notifications.detail" => self.notifications_detail,
                        // Closing the window no longer ends the session: profiles stay
                        // unlocked (until auto-lock) in a hidden window.
                        "monitor.when_closed" => self.monitor_when_closed,
                        _ => matches!(spec.kind, Kind::Url { .. } | Kind::Proxy),
                    }
            })
            .map(|spec| spec.key)
            .collect()
    }

    /// The addresses that differ from `before`, as `(key, old, new)`: each is audited.
    pub fn changed_endpoints(&self, before: &Settings) -> Vec<(&'static str, String, String)> {
        SPECS
            .iter()
            .filter(|spec| matches!(spec.kind, Kind::Url { .. } | Kind::Proxy))
            .map(|spec| (spec.key, (spec.read)(before), (spec.read)(self)))
            .filter(|(_, old, new)| old != new)
            .collect()
    }

    /// The proxy every request goes through, if the owner set one (a value that does not parse
    /// never reaches here: it is kept aside when loading).
    pub fn proxy(&self) -> Option<url::Url> {
        crate::base::network::parse_proxy(&self.network_proxy)
            .ok()
            .flatten()
    }

    /// The settings of provider `name` (`None` for a name settings do not know).
    pub fn provider(&self, name: &str) -> Option<&ProviderSettings> {
        let index = PROVIDERS.iter().position(|p| p.name == name)?;
        self.providers.get(index)
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
            .ok_or_else(|| invalid(spec.kind.describe())),
        Kind::Integer { min, max } => value
            .parse::<u32>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .map(|n| n.to_string())
            .ok_or_else(|| invalid(spec.kind.describe())),
        Kind::Bool => match value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok("true".to_owned()),
            "false" | "no" | "off" | "0" => Ok("false".to_owned()),
            _ => Err(invalid(spec.kind.describe())),
        },
        Kind::Proxy => crate::base::network::parse_proxy(value)
            .map(|proxy| proxy.map(|u| u.to_string()).unwrap_or_default())
            .map_err(|problem| invalid(problem.describe().to_owned())),
        Kind::Url { trailing_slash } => {
            if value.chars().any(char::is_whitespace) {
                return Err(invalid(EndpointProblem::NotAbsolute.describe().to_owned()));
            }
            endpoint::parse(value).map_err(|problem| invalid(problem.describe().to_owned()))?;
            if trailing_slash && !value.ends_with('/') {
                Ok(format!("{value}/"))
            } else {
                Ok(value.to_owned())
            }
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename (see
/// [`crate::base::files::StagedFile`]); a temporary file a crash leaves behind is removed at the
/// next start ([`crate::base::paths::DataDir::tidy`]).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::base::files::write_atomically(path, bytes, true).map(|_| ())
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
    fn a_hand_edited_value_a_setting_cannot_take_is_refused_and_left_for_the_owner() {
        let (_t, dd) = data_dir();
        dd.ensure().unwrap();
        let hand_edited = "auto_lock_minutes = \"99999\"\n";
        std::fs::write(dd.settings_file(), hand_edited).unwrap();
        let err = Settings::load(&dd).unwrap_err();
        assert!(
            matches!(err, Error::InvalidSettingInFile { ref key, .. } if key == "auto_lock_minutes"),
            "{err}"
        );
        assert!(err.to_string().contains("from 1 to"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dd.settings_file()).unwrap(),
            hand_edited,
            "the file is the owner's to fix"
        );
    }

    #[test]
    fn defaults_when_no_file() {
        let (_t, dd) = data_dir();
        let s = Settings::load(&dd).unwrap();
        assert_eq!(s.get("theme").unwrap(), "system");
        assert_eq!(s, Settings::default());
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
        assert_eq!(again.theme, Theme::Dark);
        assert_eq!(again.language, Language::System);
        assert_eq!(again.rdap_bootstrap_base, "http://127.0.0.1:9/rdap/");
    }

    #[test]
    fn language_is_a_choice_of_the_window_languages() {
        let (_t, dd) = data_dir();
        let mut s = Settings::load(&dd).unwrap();
        assert_eq!(s.language, Language::System);
        s.set("language", "es").unwrap();
        s.save(&dd).unwrap();
        assert_eq!(Settings::load(&dd).unwrap().language, Language::Es);
        assert!(s.set("language", "klingon").is_err());
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
            ("auto_lock_minutes", "1440"),
            ("quick_exit.double_escape", "maybe"),
            ("rdap.bootstrap_base", "ftp://x/"),
            ("rdap.bootstrap_base", "http://data.iana.org/rdap/"),
            ("provider.tineye.base_url", "http://attacker.example/"),
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
        let keys: std::collections::BTreeSet<_> = SPECS.iter().map(|s| s.key).collect();
        assert_eq!(keys.len(), SPECS.len(), "every key is declared once");
    }

    #[test]
    fn every_spec_round_trips_its_values_through_the_typed_field() {
        for spec in SPECS {
            let samples: Vec<String> = match spec.kind {
                Kind::Choice(words) => words.iter().map(|w| (*w).to_owned()).collect(),
                Kind::Integer { min, max } => vec![min.to_string(), max.to_string()],
                Kind::Bool => vec!["true".into(), "false".into()],
                Kind::Url { trailing_slash } => {
                    let url = "http://127.0.0.1:9/x/";
                    vec![if trailing_slash {
                        url
                    } else {
                        url.trim_end_matches('/')
                    }
                    .to_owned()]
                }
                Kind::Proxy => vec!["socks5h://127.0.0.1:9050".into(), String::new()],
            };
            for value in samples {
                let mut s = Settings::default();
                assert_eq!(s.set(spec.key, &value).unwrap(), value);
                assert_eq!(s.get(spec.key).unwrap(), value, "{}", spec.key);
            }
        }
    }

    #[test]
    fn weakening_changes_are_told_apart_from_strengthening_ones() {
        let before = Settings::default();
        let mut after = before.clone();
        after.set("auto_lock_minutes", "5").unwrap();
        after.set("theme", "dark").unwrap();
        after.set("previews", "off").unwrap();
        assert!(
            after.weakened_since(&before).is_empty(),
            "shorter lock, no previews: stronger"
        );
        assert!(before.weakened_since(&after).contains(&"auto_lock_minutes"));
        assert!(before.weakened_since(&after).contains(&"previews"));
        after.set("quick_exit.double_escape", "false").unwrap();
        after
            .set("provider.tineye.base_url", "https://relay.example/rest/")
            .unwrap();
        assert_eq!(
            after.weakened_since(&before),
            vec!["quick_exit.double_escape", "provider.tineye.base_url"]
        );
        assert_eq!(
            after.changed_endpoints(&before),
            vec![(
                "provider.tineye.base_url",
                "https://api.tineye.com/rest/".to_owned(),
                "https://relay.example/rest/".to_owned()
            )]
        );
    }

    #[test]
    fn provider_settings_are_read_by_name() {
        let mut s = Settings::default();
        assert!(!s.provider("tineye").unwrap().enabled);
        assert_eq!(
            s.provider("facecheck").unwrap().base_url,
            default_provider_base_url("facecheck").unwrap()
        );
        s.set("provider.tineye.enabled", "yes").unwrap();
        assert!(s.provider("tineye").unwrap().enabled);
        assert!(!s.provider("facecheck").unwrap().enabled);
        assert!(s.provider("pimeyes").is_none());
    }
}
