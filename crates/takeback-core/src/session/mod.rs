//! The session: what one running app holds between user actions, and those actions.
//!
//! The desktop shell keeps one [`Session`] and turns each window command into one call here; the
//! CLI, which lives for one command, calls the layers below directly with the same functions.
//! The session owns:
//! - the settings of this data folder;
//! - the unlocked profiles, each with what it holds only while open ([`open::OpenProfile`]:
//!   photos checked for enrollment, consents to providers), so locking drops them by
//!   construction;
//! - the one running scan, cancelled when its profile locks;
//! - the OS keyring and the face engine, each connected or loaded on first use;
//! - the network policy (whether loopback and private addresses may be reached).
//!
//! Every method is one user action or one read of the session's state. Slow ones (key
//! derivation, the face engine, the network) block: callers with a UI thread run them on a
//! worker.

pub mod background;
mod enroll;
pub mod login;
mod monitor;
pub mod open;
mod overview;
mod profiles;
mod removal;
mod search;

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use takeback_faces::FaceEngine;

pub use enroll::{EnrollResult, PhotoCheck, PhotoPreview, MAX_STAGED};
pub use overview::Overview;
pub use profiles::{NewProfileLock, ProfileSummary};
pub use removal::ContactsFound;
pub use search::{ScanHistory, ScanRequest, ScanWork};

use crate::base::cancel::CancelFlag;
use crate::base::paths::DataDir;
use crate::base::settings::Settings;
use crate::face::gate::{self, GateAnswer, GateRequest, Purpose};
use crate::search::findings::FetchOptions;
use crate::storage::audit;
use crate::storage::secrets::{KeyStore, KeyringStore};
use crate::storage::vault::{ProfileInfo, Vault};
use crate::{ErrorCode, Result};
use open::{OpenProfile, OpenProfiles};

/// What the session refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("no profile is unlocked; unlock a profile to continue")]
    NoProfileOpen,

    #[error("{what} became unavailable after an earlier failure; restart Takeback")]
    Unavailable { what: &'static str },

    #[error("a scan is already running; wait for it or cancel it first")]
    ScanRunning,

    #[error("a photo is no longer ready to enroll (the profile was locked since it was checked); pick it again")]
    StagedPhotoGone,

    #[error("at most {max} photos can wait to be enrolled; enroll or remove some first")]
    TooManyStaged { max: usize },

    #[error("type the profile's name exactly to confirm deleting it")]
    DeleteNotConfirmed,

    #[error("changing {key} lowers a protection of this computer; unlock a profile first")]
    WeakeningNeedsProfile { key: &'static str },

    #[error("Takeback cannot start at login: {reason}")]
    StartAtLoginRefused { reason: &'static str },

    #[error("the face engine could not be loaded ({reason})")]
    EngineUnavailable { reason: String },
}

impl SessionError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SessionError::NoProfileOpen => ErrorCode::Locked,
            SessionError::WeakeningNeedsProfile { .. }
            | SessionError::StartAtLoginRefused { .. } => ErrorCode::Refused,
            SessionError::StagedPhotoGone => ErrorCode::NotFound,
            SessionError::ScanRunning
            | SessionError::TooManyStaged { .. }
            | SessionError::DeleteNotConfirmed => ErrorCode::InvalidInput,
            SessionError::Unavailable { .. } | SessionError::EngineUnavailable { .. } => {
                ErrorCode::Internal
            }
        }
    }
}

crate::layer_error!(SessionError);

/// Whether fetches may reach loopback and private addresses (like the CLI's
/// `--allow-local-network`): for an air-gapped clinic's own servers and the end-to-end tests'
/// loopback servers. Off by default, so a hostile page cannot make Takeback probe the user's own
/// network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetworkPolicy {
    pub allow_local_network: bool,
}

/// The one rule for saving changed settings, for the window ([`Session::change_settings`]) and
/// the CLI: a change that lowers a protection (see [`Settings::weakened_since`]: a longer
/// auto-lock, previews back, any address or proxy) needs an unlocked profile among `unlocked`, so
/// the next person at a shared desk, or a program running as the user, cannot make it
/// unnoticed; every changed address is audited in each of them; starting at login is written
/// or removed (refused while a clinic profile exists, see [`login`]); then `next` is saved.
pub fn commit_settings(
    data_dir: &DataDir,
    before: &Settings,
    next: &Settings,
    unlocked: &[&Vault],
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(key) = next.weakened_since(before).first() {
        if unlocked.is_empty() {
            return Err(SessionError::WeakeningNeedsProfile { key }.into());
        }
    }
    for (key, old, new) in next.changed_endpoints(before) {
        for vault in unlocked {
            audit::append(
                vault.conn(),
                audit::NewEntry::new("owner", "settings.endpoint_changed")
                    .detail(serde_json::json!({ "setting": key, "from": old, "to": new })),
                now,
            )?;
        }
    }
    if next.start_at_login != before.start_at_login {
        login::apply(
            data_dir,
            before,
            next,
            &login::autostart_dir()?,
            &login::app_executable()?,
        )?;
    }
    next.save(data_dir)
}

/// How long text the owner copies (a letter for a web form: their name, the images' addresses)
/// stays on the clipboard, which every program can read, before the window clears it.
pub const CLIPBOARD_CLEAR_AFTER: Duration = Duration::from_secs(60);

/// The scan running in the background (one at a time: the face engine uses every core).
#[derive(Debug, Clone)]
struct RunningScan {
    profile_id: String,
    cancel: CancelFlag,
}

/// Facts about this installation, for the About box.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub dev_build: bool,
    pub limits: Limits,
}

/// Bounds the core enforces, for a window that wants to say so before it asks (the core still
/// refuses whatever passes them).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Limits {
    /// The largest photo the face engine reads, in bytes (64 MiB fits a JavaScript number, and
    /// an `i32` keeps the generated type a plain `number`).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub max_photo_bytes: u64,
    /// The shortest passphrase a clinic profile accepts, in characters.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub min_passphrase_chars: usize,
}

impl Limits {
    pub const CURRENT: Limits = Limits {
        max_photo_bytes: crate::face::photo::MAX_PHOTO_BYTES,
        min_passphrase_chars: crate::storage::vault::keys::MIN_PASSPHRASE_CHARS,
    };
}

/// Profiles just locked for being idle, and the setting that locked them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleLock {
    pub ids: Vec<String>,
    pub minutes: u64,
}

/// See the module documentation.
pub struct Session {
    data_dir: DataDir,
    network: NetworkPolicy,
    settings: Mutex<Settings>,
    open: Mutex<OpenProfiles>,
    scan: Arc<Mutex<Option<RunningScan>>>,
    /// The monitoring cycle running from the window, stopped like a scan when its profile locks.
    monitor: Arc<Mutex<Option<RunningScan>>>,
    keys: Mutex<Option<Arc<dyn KeyStore>>>,
    engine: OnceLock<std::result::Result<Arc<FaceEngine>, String>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("data_dir", &self.data_dir)
            .field("network", &self.network)
            .finish_non_exhaustive()
    }
}

fn unavailable(what: &'static str) -> crate::Error {
    SessionError::Unavailable { what }.into()
}

/// A temporary file younger than this may be another process's write under way (the app and
/// the CLI at once), so a start leaves it alone.
const LEFTOVER_GRACE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// What every start does first (the app's [`Session::new`], each CLI command): removes what an
/// interrupted write or create left in `data_dir` ([`DataDir::tidy`],
/// [`crate::storage::vault::Profiles::tidy`]). Best effort; returns how many were removed.
pub fn tidy_data_dir(data_dir: &DataDir) -> usize {
    data_dir.tidy(LEFTOVER_GRACE) + crate::storage::vault::Profiles::new(data_dir).tidy()
}

impl Session {
    /// A session on `data_dir` with its settings loaded; the OS keyring is connected on first
    /// use, so clinic profiles work without one.
    pub fn new(data_dir: DataDir, network: NetworkPolicy) -> Result<Self> {
        tidy_data_dir(&data_dir);
        let settings = Settings::load(&data_dir)?;
        Ok(Self {
            data_dir,
            network,
            settings: Mutex::new(settings),
            open: Mutex::new(OpenProfiles::new()),
            scan: Arc::new(Mutex::new(None)),
            monitor: Arc::new(Mutex::new(None)),
            keys: Mutex::new(None),
            engine: OnceLock::new(),
        })
    }

    /// A session whose keyring is `keys` (tests, or a caller that already has one).
    pub fn with_keys(self, keys: Arc<dyn KeyStore>) -> Self {
        if let Ok(mut slot) = self.keys.lock() {
            *slot = Some(keys);
        }
        self
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    pub fn network(&self) -> NetworkPolicy {
        self.network
    }

    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: crate::VERSION.to_owned(),
            data_dir: self.data_dir.root().display().to_string(),
            dev_build: cfg!(debug_assertions),
            limits: Limits::CURRENT,
        }
    }

    /// The settings, locked for reading or changing. Changes are saved by [`Session::set_setting`].
    pub fn settings(&self) -> Result<MutexGuard<'_, Settings>> {
        self.settings
            .lock()
            .map_err(|_| unavailable("the settings"))
    }

    /// Changes one setting and saves the file; returns the value as stored.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<String> {
        self.change_settings(|settings| settings.set(key, value))
    }

    /// The one way the window changes settings: `change` works on a copy; a change that lowers a
    /// protection (see [`Settings::weakened_since`]) needs an unlocked profile, so the next
    /// person at a shared desk cannot make it; a changed address is audited in every open
    /// profile; then the file is saved and the copy kept.
    pub fn change_settings<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
        let mut settings = self.settings()?;
        let mut next = settings.clone();
        let out = change(&mut next)?;
        let open = self.open()?;
        let vaults: Vec<&Vault> = match open.active_id() {
            Some(_) => open.vaults().collect(),
            None => Vec::new(),
        };
        commit_settings(&self.data_dir, &settings, &next, &vaults, Utc::now())?;
        drop(open);
        *settings = next;
        Ok(out)
    }

    fn open(&self) -> Result<MutexGuard<'_, OpenProfiles>> {
        self.open
            .lock()
            .map_err(|_| unavailable("the open profiles"))
    }

    /// Runs `f` on the active profile, marking it as used (this keeps auto-lock away). Fails
    /// with `locked` when no profile is open.
    fn with_profile<T>(&self, f: impl FnOnce(&mut OpenProfile) -> Result<T>) -> Result<T> {
        let mut open = self.open()?;
        let profile = open
            .use_active(Utc::now())
            .ok_or(SessionError::NoProfileOpen)?;
        f(profile)
    }

    /// Runs `f` on the active profile's vault (see [`Session::with_profile`]).
    pub fn with_vault<T>(&self, f: impl FnOnce(&Vault) -> Result<T>) -> Result<T> {
        self.with_profile(|p| f(&p.vault))
    }

    /// A second handle on the active profile's vault, for slow work that must not hold the
    /// session (the face engine, the network) while the window goes on reading.
    pub fn vault_handle(&self) -> Result<Vault> {
        self.with_vault(Vault::open_another)
    }

    /// A second handle on the active profile's vault for the window's background work, without
    /// marking the profile used: monitoring every minute must not keep auto-lock away.
    pub(crate) fn vault_handle_untouched(&self) -> Result<Vault> {
        let open = self.open()?;
        let profile = open.peek_active().ok_or(SessionError::NoProfileOpen)?;
        Vault::open_another(&profile.vault)
    }

    /// The id of the profile the window shows.
    pub fn active_id(&self) -> Result<Option<String>> {
        Ok(self.open()?.active_id().map(str::to_owned))
    }

    pub fn is_open(&self, id: &str) -> Result<bool> {
        Ok(self.open()?.is_open(id))
    }

    pub fn open_profiles(&self) -> Result<Vec<ProfileInfo>> {
        Ok(self.open()?.open_profiles())
    }

    /// Marks the active profile as used now, so auto-lock counts from now.
    pub fn keep_alive(&self) -> Result<()> {
        self.with_profile(|_| Ok(()))
    }

    /// Locks profile `id`: its key leaves memory with its staged photos and consents, and its
    /// scan stops. True when it was open.
    pub fn lock(&self, id: &str) -> Result<bool> {
        let was_open = self.open()?.lock(id);
        self.stop_orphaned_scan()?;
        Ok(was_open)
    }

    /// Quick exit: locks every profile and stops any scan. Returns how many were open.
    pub fn lock_all(&self) -> Result<usize> {
        let n = self.open()?.lock_all();
        self.stop_orphaned_scan()?;
        Ok(n)
    }

    /// Locks the profiles idle for the `auto_lock_minutes` setting; `None` when none was.
    pub fn lock_idle(&self, now: DateTime<Utc>) -> Result<Option<IdleLock>> {
        let minutes = u64::from(self.settings()?.auto_lock_minutes);
        let locked = self
            .open()?
            .lock_idle(now, Duration::from_secs(minutes.saturating_mul(60)));
        self.stop_orphaned_scan()?;
        Ok((!locked.is_empty()).then(|| IdleLock {
            ids: locked.into_iter().map(|p| p.id).collect(),
            minutes,
        }))
    }

    /// The running scan and monitoring cycle stop when their profile is no longer open (their
    /// own vault handles close within one image or one request).
    fn stop_orphaned_scan(&self) -> Result<()> {
        for running in [&self.scan, &self.monitor] {
            let slot = running
                .lock()
                .map_err(|_| unavailable("the running scan"))?;
            if let Some(work) = slot.as_ref() {
                if !self.open()?.is_open(&work.profile_id) {
                    work.cancel.cancel();
                }
            }
        }
        Ok(())
    }

    /// The OS keyring, connected once and then reused. Fails with the core's "no keyring" error,
    /// which points to passphrase profiles.
    pub fn keys(&self) -> Result<Arc<dyn KeyStore>> {
        let mut cached = self.keys.lock().map_err(|_| unavailable("the keyring"))?;
        if let Some(keys) = cached.as_ref() {
            return Ok(keys.clone());
        }
        let keys: Arc<dyn KeyStore> = Arc::new(KeyringStore::platform()?);
        *cached = Some(keys.clone());
        Ok(keys)
    }

    /// The face engine, loaded on first use (about 0.2 s: checksums and weight unpacking).
    pub fn engine(&self) -> Result<Arc<FaceEngine>> {
        self.engine
            .get_or_init(|| {
                FaceEngine::load()
                    .map(Arc::new)
                    .map_err(|e| crate::Error::from(e).to_string())
            })
            .clone()
            .map_err(|reason| SessionError::EngineUnavailable { reason }.into())
    }

    /// How single fetches (evidence, re-checks) reach the network in this session.
    pub fn fetch_options(&self) -> Result<FetchOptions> {
        Ok(FetchOptions {
            allow_local_network: self.network.allow_local_network,
            proxy: self.settings()?.proxy(),
            ..FetchOptions::default()
        })
    }

    /// "Check a photo": the own-face gate on a photo the user picked, audited with its digest.
    /// `attest_shows_me` is the owner's statement that a photo without a detectable face shows
    /// them; it counts only for a copy search.
    pub fn check_photo(
        &self,
        bytes: &[u8],
        attest_shows_me: bool,
        now: DateTime<Utc>,
    ) -> Result<GateAnswer> {
        let vault = self.vault_handle()?;
        let engine = self.engine()?;
        let request = GateRequest {
            purpose: if attest_shows_me {
                Purpose::CopySearch
            } else {
                Purpose::Verify
            },
            actor: "owner",
            attest_shows_me,
        };
        Ok(gate::check_image(&vault, &engine, bytes, request, now)?.answer())
    }
}
