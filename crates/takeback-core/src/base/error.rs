//! Errors of the core, and the stable codes the UI and scripts switch on.

use serde::Serialize;

/// A code for every kind of failure a user can meet. The UI switches on it, so variants are only
/// ever added, never renamed. Serialised in `snake_case` (`"invalid_input"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ErrorCode {
    /// The request itself is wrong (bad setting name or value, bad argument); fix the input.
    InvalidInput,
    /// The thing asked for does not exist (profile, finding, case, setting).
    NotFound,
    /// Reading or writing a file failed (permissions, disk full).
    Io,
    /// Stored data could not be read back (corrupt settings file, broken vault).
    Corrupt,
    /// The profile is locked or the key is wrong.
    Locked,
    /// A safety rule refused the action (own-face gate, minors, missing consent).
    Refused,
    /// Something outside the app failed (network, provider, keyring).
    External,
    /// A bug: the message says what to report.
    Internal,
}

/// An error of a library the core uses, kept as the source of one of the core's own errors so
/// that its chain survives (the message already says what was being done).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The core's error type. Messages are written for the person using the app: they say what went
/// wrong and what to do next, and never contain secrets, image bytes or URLs of findings.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown setting `{key}`")]
    UnknownSetting { key: String },

    #[error("`{value}` is not a valid value for `{key}`: {expected}")]
    InvalidSetting {
        key: String,
        value: String,
        expected: String,
    },

    #[error("could not find a folder for Takeback's data; choose one")]
    NoDataDir,

    #[error("{action} `{path}` failed: {source}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("the data folder `{path}` is not writable (a read-only disk, or its permissions): make it writable, or choose another folder with --data-dir or TAKEBACK_DATA_DIR; nothing in the profile was changed")]
    DataFolderNotWritable {
        path: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("`{path}`: `{value}` is not a valid value for `{key}` ({expected}); fix or remove that line")]
    InvalidSettingInFile {
        path: String,
        key: String,
        value: String,
        expected: String,
    },

    #[error("the settings file `{path}` is damaged ({source}); fix or delete it to go back to the defaults")]
    CorruptSettings {
        path: String,
        #[source]
        source: BoxError,
    },

    // Profiles and vaults (vault/, secrets). Messages never name the profile's owner beyond the
    // profile name the user typed, and never contain key material.
    #[error("there is no profile called `{name}`")]
    ProfileNotFound { name: String },

    #[error("a profile called `{name}` already exists; pick another name or delete it first")]
    ProfileExists { name: String },

    #[error("`{name}` cannot be a profile name: {reason}")]
    InvalidProfileName { name: String, reason: &'static str },

    #[error("wrong passphrase for this profile; try again (passphrases are case-sensitive)")]
    WrongPassphrase,

    #[error("this profile is protected by a passphrase; give it to open the profile")]
    PassphraseRequired,

    #[error("this passphrase would be easy to guess{}: use at least {min} characters, for example four or five unrelated words", hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    WeakPassphrase { min: usize, hint: Option<String> },

    #[error("this profile keeps its key in the OS keyring, not behind a passphrase; there is no passphrase to change")]
    NotAPassphraseProfile,

    #[error("no usable OS keyring ({reason}); protect the profile with a passphrase instead (clinic mode), or start a keyring such as gnome-keyring")]
    KeyringUnavailable {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("the OS keyring failed ({reason})")]
    Keyring {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("the key of this profile is no longer in the OS keyring, so its vault cannot be opened; if the keyring was reset, the profile's data is lost")]
    KeyMissing,

    #[error("this profile is open in another window or program (perhaps a background scan); close it there and try again")]
    ProfileInUse,

    #[error("the vault of this profile is damaged or not readable with its key ({reason})")]
    CorruptVault {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("this profile was written by a newer Takeback (schema {found}, this one knows up to {supported}); update Takeback to open it")]
    VaultTooNew { found: i64, supported: i64 },

    #[error("the encrypted store failed: {reason}")]
    Crypto { reason: &'static str },

    #[error("{action} in the profile's vault failed: {source}")]
    VaultStorage {
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    // Enrollment and the own-face gate (enrollment/, gate/).
    #[error("no photo was given; enroll 1 to 10 photos that each show only your face")]
    NoEnrollmentPhotos,

    #[error("a profile keeps at most {max} reference photos and this one already has {enrolled}; enroll fewer photos")]
    TooManyPhotos { max: usize, enrolled: usize },

    #[error("an advocate who attests consent must give their name")]
    AdvocateNameMissing,

    #[error(
        "there is no reference photo number {id} in this profile; the Profile page lists them"
    )]
    ReferenceFaceNotFound { id: i64 },

    #[error("the image cannot be read: {reason}")]
    ImageUnreadable {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("the face engine failed ({source}); please report this if it persists")]
    FaceEngine {
        #[source]
        source: BoxError,
    },

    /// An error of a layer above this one (faces, search, removal) in its own type; see
    /// [`LayerError`].
    #[error(transparent)]
    Layer(Box<dyn LayerError>),

    // Letters, cases and contacts (letters/, cases/, contacts/).
    #[error("`{kind}` is not a letter kind; use one of dmca, takeitdown, gdpr, dsa, ukosa, delisting, abuse")]
    UnknownLetterKind { kind: String },

    #[error("the letter cannot be drafted: {reason}")]
    InvalidLetterInput {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("no details to sign letters with yet; add your name and email first")]
    IdentityMissing,

    #[error("the letter template `{template}` is broken ({reason}); please report this")]
    LetterTemplate {
        template: String,
        reason: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("writing the letter as {format} failed ({source})")]
    LetterOutput {
        format: &'static str,
        #[source]
        source: BoxError,
    },

    #[error("`{file_name}` looks like an image or video; letters never carry images, they identify them by address and fingerprint")]
    ImageAttachmentRefused { file_name: String },

    #[error("there is no case {id}")]
    CaseNotFound { id: i64 },

    #[error("a case in state `{from}` cannot become `{to}`")]
    InvalidCaseTransition {
        from: &'static str,
        to: &'static str,
    },

    #[error("`{url}` cannot be looked up: {reason}")]
    InvalidContactUrl {
        url: String,
        reason: String,
        #[source]
        source: Option<BoxError>,
    },

    #[error("`{host}` is on this computer or a private network; Takeback does not contact it unless the local network is allowed")]
    LocalNetworkRefused { host: String },

    #[error("{what} failed: {reason}")]
    Network {
        what: String,
        reason: String,
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::UnknownSetting { .. } | Error::InvalidSetting { .. } => ErrorCode::InvalidInput,
            Error::NoDataDir | Error::Io { .. } | Error::DataFolderNotWritable { .. } => {
                ErrorCode::Io
            }
            Error::InvalidSettingInFile { .. } => ErrorCode::InvalidInput,
            Error::CorruptSettings { .. } => ErrorCode::Corrupt,
            Error::ProfileNotFound { .. } => ErrorCode::NotFound,
            Error::ProfileExists { .. }
            | Error::InvalidProfileName { .. }
            | Error::WeakPassphrase { .. }
            | Error::NotAPassphraseProfile => ErrorCode::InvalidInput,
            Error::WrongPassphrase
            | Error::PassphraseRequired
            | Error::KeyMissing
            | Error::ProfileInUse => ErrorCode::Locked,
            Error::KeyringUnavailable { .. } | Error::Keyring { .. } => ErrorCode::External,
            Error::CorruptVault { .. } | Error::VaultTooNew { .. } => ErrorCode::Corrupt,
            Error::Crypto { .. } => ErrorCode::Internal,
            Error::VaultStorage { .. } => ErrorCode::Io,
            Error::NoEnrollmentPhotos
            | Error::TooManyPhotos { .. }
            | Error::AdvocateNameMissing
            | Error::ImageUnreadable { .. } => ErrorCode::InvalidInput,
            Error::FaceEngine { .. } => ErrorCode::Internal,
            Error::UnknownLetterKind { .. }
            | Error::InvalidLetterInput { .. }
            | Error::InvalidCaseTransition { .. }
            | Error::InvalidContactUrl { .. } => ErrorCode::InvalidInput,
            Error::IdentityMissing
            | Error::CaseNotFound { .. }
            | Error::ReferenceFaceNotFound { .. } => ErrorCode::NotFound,
            Error::LetterTemplate { .. } | Error::LetterOutput { .. } => ErrorCode::Internal,
            Error::ImageAttachmentRefused { .. } | Error::LocalNetworkRefused { .. } => {
                ErrorCode::Refused
            }
            Error::Network { .. } => ErrorCode::External,
            Error::Layer(e) => e.code(),
        }
    }

    /// The layer's own error, when this is one of type `E`.
    pub fn downcast_ref<E: LayerError>(&self) -> Option<&E> {
        match self {
            Error::Layer(e) => (e.as_ref() as &(dyn std::error::Error + 'static)).downcast_ref(),
            _ => None,
        }
    }

    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }
}

/// Lets `Error::Layer` be `#[error(transparent)]`: the layer's error is the message and its
/// source chain is the chain.
impl std::error::Error for Box<dyn LayerError> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        (**self).source()
    }
}

/// The error type of a layer above the base (a provider's failure, a refused enrollment photo, a
/// crawl that went wrong, …). The base cannot name those types without depending on the layers
/// above it, so [`Error::Layer`] carries them boxed; [`layer_error!`](crate::layer_error) gives a
/// type the `From` conversion, so `?` works as for any other variant.
pub trait LayerError: std::error::Error + Send + Sync + 'static {
    fn code(&self) -> ErrorCode;
}

/// Makes an error type with an inherent `fn code(&self) -> ErrorCode` a [`LayerError`] that
/// converts into [`Error`].
#[macro_export]
macro_rules! layer_error {
    ($t:ty) => {
        impl $crate::base::error::LayerError for $t {
            fn code(&self) -> $crate::ErrorCode {
                <$t>::code(self)
            }
        }
        impl From<$t> for $crate::Error {
            fn from(e: $t) -> Self {
                $crate::Error::Layer(Box::new(e))
            }
        }
    };
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failed vault (SQLite) operation, with what was being done; the SQLite error is kept as the
/// source.
pub(crate) fn storage(action: &'static str, source: rusqlite::Error) -> Error {
    Error::VaultStorage { action, source }
}
