//! What the shell keeps between commands. Domain state lives in the core; this only holds the
//! handles to it: the settings, the unlocked vaults, which one the window is showing, the face
//! engine (loaded once, on first use) and photos checked for enrollment but not yet stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use chrono::Utc;
use takeback_core::enrollment::CheckedPhoto;
use takeback_core::paths::DataDir;
use takeback_core::scan::{CancelFlag, Consent};
use takeback_core::secrets::{KeyStore, KeyringStore};
use takeback_core::settings::Settings;
use takeback_core::vault::{OpenVaults, Vault};
use takeback_faces::FaceEngine;
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};

/// A photo the window picked for enrollment that passed the checks. It lives only in memory
/// until the owner confirms the batch; locking the profile drops it.
pub struct StagedPhoto {
    pub profile_id: String,
    pub bytes: Zeroizing<Vec<u8>>,
    pub checked: CheckedPhoto,
}

impl std::fmt::Debug for StagedPhoto {
    /// Never prints the photo.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedPhoto")
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// The owner's consent to send one prepared image to one provider, for this session only.
#[derive(Debug, Clone)]
pub struct SessionConsent {
    pub profile_id: String,
    pub consent: Consent,
}

/// The scan running in the background (one at a time: the face engine uses every core).
#[derive(Debug, Clone)]
pub struct RunningScan {
    pub profile_id: String,
    pub cancel: CancelFlag,
}

/// See [`AppState::allow_local_network`].
pub const ALLOW_LOCAL_NETWORK_ENV: &str = "TAKEBACK_ALLOW_LOCAL_NETWORK";

/// Most photos staged at once (enrollment keeps at most 10; a few spare for retries).
pub const MAX_STAGED: usize = 16;

pub struct AppState {
    pub data_dir: DataDir,
    /// Settings are small and read often; writes go straight to disk through the core.
    pub settings: Mutex<Settings>,
    pub vaults: Mutex<OpenVaults>,
    /// The profile the window shows. Other profiles may stay unlocked (clinic switching) but the
    /// window only ever reads the active one.
    pub active: Mutex<Option<String>>,
    pub staged: Mutex<HashMap<String, StagedPhoto>>,
    /// Whether lookups and scans may reach loopback and private addresses (like the CLI's
    /// `--allow-local-network`): set `TAKEBACK_ALLOW_LOCAL_NETWORK=1` for an air-gapped clinic's
    /// own servers or the end-to-end tests' loopback servers. Off by default, so a hostile page
    /// cannot make Takeback probe the user's own network.
    pub allow_local_network: bool,
    consents: Mutex<Vec<SessionConsent>>,
    scan: Mutex<Option<RunningScan>>,
    keys: Mutex<Option<Arc<KeyringStore>>>,
    engine: OnceLock<Result<Arc<FaceEngine>, String>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

fn poisoned(what: &str) -> IpcError {
    IpcError::internal(format!(
        "{what} became unavailable after an earlier failure; restart Takeback"
    ))
}

impl AppState {
    pub fn new(data_dir: DataDir) -> takeback_core::Result<Self> {
        let settings = Settings::load(&data_dir)?;
        Ok(Self {
            data_dir,
            settings: Mutex::new(settings),
            vaults: Mutex::new(OpenVaults::new()),
            active: Mutex::new(None),
            staged: Mutex::new(HashMap::new()),
            allow_local_network: std::env::var(ALLOW_LOCAL_NETWORK_ENV).is_ok_and(|v| v == "1"),
            consents: Mutex::new(Vec::new()),
            scan: Mutex::new(None),
            keys: Mutex::new(None),
            engine: OnceLock::new(),
        })
    }

    pub fn settings(&self) -> IpcResult<MutexGuard<'_, Settings>> {
        self.settings.lock().map_err(|_| poisoned("settings"))
    }

    pub fn vaults(&self) -> IpcResult<MutexGuard<'_, OpenVaults>> {
        self.vaults
            .lock()
            .map_err(|_| poisoned("the open profiles"))
    }

    pub fn active_id(&self) -> IpcResult<Option<String>> {
        Ok(self
            .active
            .lock()
            .map_err(|_| poisoned("the open profiles"))?
            .clone())
    }

    pub fn set_active(&self, id: Option<String>) -> IpcResult<()> {
        *self
            .active
            .lock()
            .map_err(|_| poisoned("the open profiles"))? = id;
        Ok(())
    }

    pub fn staged(&self) -> IpcResult<MutexGuard<'_, HashMap<String, StagedPhoto>>> {
        self.staged
            .lock()
            .map_err(|_| poisoned("the picked photos"))
    }

    /// Runs `f` on the active profile's vault, marking it as used (this is what keeps auto-lock
    /// away while someone works). Fails with `locked` when no profile is open.
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> takeback_core::Result<T>,
    ) -> IpcResult<T> {
        let id = self.active_id()?.ok_or_else(IpcError::no_profile)?;
        let mut vaults = self.vaults()?;
        let vault = vaults
            .use_vault(&id, Utc::now())
            .ok_or_else(IpcError::no_profile)?;
        Ok(f(vault)?)
    }

    pub fn consents(&self) -> IpcResult<MutexGuard<'_, Vec<SessionConsent>>> {
        self.consents.lock().map_err(|_| poisoned("the consents"))
    }

    /// The OS keyring (connected once, then reused). Fails with the core's "no keyring" error,
    /// which points to passphrase profiles.
    pub fn keys(&self) -> IpcResult<Arc<dyn KeyStore>> {
        let mut cached = self.keys.lock().map_err(|_| poisoned("the keyring"))?;
        if let Some(keys) = cached.as_ref() {
            return Ok(keys.clone());
        }
        let keys = Arc::new(KeyringStore::platform()?);
        *cached = Some(keys.clone());
        Ok(keys)
    }

    fn scan_slot(&self) -> IpcResult<MutexGuard<'_, Option<RunningScan>>> {
        self.scan.lock().map_err(|_| poisoned("the running scan"))
    }

    /// Claims the single scan slot; fails while another scan runs.
    pub fn begin_scan(&self, scan: RunningScan) -> IpcResult<()> {
        let mut slot = self.scan_slot()?;
        if slot.is_some() {
            return Err(IpcError {
                code: takeback_core::ErrorCode::InvalidInput,
                message: "a scan is already running; wait for it or cancel it first".into(),
            });
        }
        *slot = Some(scan);
        Ok(())
    }

    pub fn end_scan(&self) -> IpcResult<()> {
        *self.scan_slot()? = None;
        Ok(())
    }

    /// Asks the running scan to stop; true when one was running.
    pub fn cancel_scan(&self) -> IpcResult<bool> {
        Ok(match self.scan_slot()?.as_ref() {
            Some(scan) => {
                scan.cancel.cancel();
                true
            }
            None => false,
        })
    }

    pub fn running_scan_profile(&self) -> IpcResult<Option<String>> {
        Ok(self.scan_slot()?.as_ref().map(|s| s.profile_id.clone()))
    }

    /// Forgets what belongs to profiles that are no longer open (staged photos, consents), stops
    /// their scan, and clears the active profile if it was locked. Call after any lock.
    pub fn forget_locked(&self) -> IpcResult<()> {
        if let Some(scan) = self.scan_slot()?.as_ref() {
            if !self.vaults()?.is_open(&scan.profile_id) {
                // The scan's own vault handle closes within one image or one request.
                scan.cancel.cancel();
            }
        }
        let vaults = self.vaults()?;
        self.consents()?.retain(|c| vaults.is_open(&c.profile_id));
        let mut active = self
            .active
            .lock()
            .map_err(|_| poisoned("the open profiles"))?;
        if active.as_deref().is_some_and(|id| !vaults.is_open(id)) {
            *active = None;
        }
        self.staged()?
            .retain(|_, photo| vaults.is_open(&photo.profile_id));
        Ok(())
    }

    /// The face engine, loaded on first use (about 0.2 s: checksums and weight unpacking).
    pub fn engine(&self) -> IpcResult<Arc<FaceEngine>> {
        self.engine
            .get_or_init(|| {
                FaceEngine::load()
                    .map(Arc::new)
                    .map_err(|e| takeback_core::Error::from(e).to_string())
            })
            .clone()
            .map_err(|message| IpcError {
                code: takeback_core::ErrorCode::Internal,
                message,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use takeback_core::secrets::Secret;
    use takeback_core::vault::{KdfParams, Profiles};

    fn state_with_profiles(names: &[&str]) -> (tempfile::TempDir, AppState) {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::at(dir.path());
        let state = AppState::new(data.clone()).unwrap();
        for name in names {
            let vault = Profiles::new(&data)
                .create_clinic(
                    name,
                    &Secret::new("passphrase long".to_owned()),
                    KdfParams::INSECURE_FOR_TESTS,
                    Utc::now(),
                )
                .unwrap();
            state.vaults().unwrap().insert(vault);
        }
        (dir, state)
    }

    fn id_of(state: &AppState, name: &str) -> String {
        Profiles::new(&state.data_dir).find(name).unwrap().id
    }

    #[test]
    fn commands_on_a_locked_profile_say_locked() {
        let (_dir, state) = state_with_profiles(&["A"]);
        let err = state.with_vault(|_| Ok(())).unwrap_err();
        assert_eq!(
            err.code,
            takeback_core::ErrorCode::Locked,
            "no active profile yet"
        );
        state.set_active(Some(id_of(&state, "A"))).unwrap();
        state.with_vault(|_| Ok(())).unwrap();
        state.vaults().unwrap().lock_all();
        state.forget_locked().unwrap();
        assert_eq!(state.active_id().unwrap(), None);
        assert_eq!(
            state.with_vault(|_| Ok(())).unwrap_err().code,
            takeback_core::ErrorCode::Locked
        );
    }

    #[test]
    fn locking_one_profile_drops_only_its_staged_photos_and_keeps_the_other_active() {
        let (_dir, state) = state_with_profiles(&["A", "B"]);
        let (a, b) = (id_of(&state, "A"), id_of(&state, "B"));
        state.set_active(Some(b.clone())).unwrap();
        let face = takeback_faces::Face {
            bbox: takeback_faces::BBox {
                x: 0.0,
                y: 0.0,
                width: 1.0,
                height: 1.0,
            },
            score: 1.0,
            landmarks: Vec::new(),
            descriptor: takeback_faces::Descriptor(vec![0.0; 128]),
            age: 30.0,
        };
        for (token, owner) in [("ta", &a), ("tb", &b)] {
            state.staged().unwrap().insert(
                token.into(),
                StagedPhoto {
                    profile_id: owner.clone(),
                    bytes: Zeroizing::new(vec![1, 2, 3]),
                    checked: CheckedPhoto {
                        face: face.clone(),
                        sharpness: 100.0,
                    },
                },
            );
        }
        state.vaults().unwrap().lock(&a);
        state.forget_locked().unwrap();
        let staged = state.staged().unwrap();
        assert!(!staged.contains_key("ta"));
        assert!(staged.contains_key("tb"));
        assert_eq!(state.active_id().unwrap(), Some(b));
    }

    #[test]
    fn a_staged_photo_never_prints_its_bytes() {
        let photo = StagedPhoto {
            profile_id: "p".into(),
            bytes: Zeroizing::new(b"SECRETBYTES".to_vec()),
            checked: CheckedPhoto {
                face: takeback_faces::Face {
                    bbox: takeback_faces::BBox {
                        x: 0.0,
                        y: 0.0,
                        width: 1.0,
                        height: 1.0,
                    },
                    score: 1.0,
                    landmarks: Vec::new(),
                    descriptor: takeback_faces::Descriptor(vec![]),
                    age: 30.0,
                },
                sharpness: 1.0,
            },
        };
        let shown = format!("{photo:?}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("83, 69"),
            "{shown}"
        );
    }
}
