//! Profiles as the window drives them: list, create, unlock, switch, lock, change passphrase,
//! re-key, delete (crypto-wipe).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Session, SessionError};
use crate::storage::secrets::Secret;
use crate::storage::vault::{
    DamagedProfile, KdfParams, ProfileInfo, ProfileKind, Profiles, Unlock,
};
use crate::Result;

/// A profile as the picker shows it. The name is the only thing readable without the key.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ProfileSummary {
    pub id: String,
    pub name: String,
    /// `personal` (key in this computer's keyring) or `clinic` (passphrase).
    pub kind: String,
    pub created_at: String,
    /// Unlocked in this session right now.
    pub unlocked: bool,
    /// The profile the window is showing.
    pub active: bool,
}

/// How a new profile keeps its key.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewProfileLock {
    /// In this computer's keyring (one person on their own computer).
    Keyring,
    /// Behind a passphrase (shared or clinic computers).
    Passphrase { passphrase: String },
}

fn summary(info: &ProfileInfo, unlocked: bool, active: bool) -> ProfileSummary {
    ProfileSummary {
        id: info.id.clone(),
        name: info.name.clone(),
        kind: match info.kind {
            ProfileKind::Personal => "personal",
            ProfileKind::Clinic => "clinic",
        }
        .into(),
        created_at: info.created_at.to_rfc3339(),
        unlocked,
        active,
    }
}

impl Session {
    fn profiles(&self) -> Profiles {
        Profiles::new(self.data_dir())
    }

    /// Every profile of this data folder, with whether it is unlocked and shown.
    pub fn list_profiles(&self) -> Result<Vec<ProfileSummary>> {
        let open = self.open()?;
        let active = open.active_id().map(str::to_owned);
        Ok(self
            .profiles()
            .list()?
            .iter()
            .map(|info| {
                summary(
                    info,
                    open.is_open(&info.id),
                    active.as_deref() == Some(&info.id),
                )
            })
            .collect())
    }

    fn activate(&self, mut vault: crate::storage::vault::Vault) -> Result<ProfileSummary> {
        // The audit head is kept in the keyring where there is one (a clinic computer may have
        // none); the Audit page says when the log is behind it.
        if let Ok(keys) = self.keys() {
            vault.anchor_audit_in(keys)?;
        }
        let info = vault.info().clone();
        self.lock_other_clinic_profiles(&info.id)?;
        self.open()?.insert(vault);
        Ok(summary(&info, true, true))
    }

    /// Creates a profile and opens it (key derivation takes about a second: call off the UI
    /// thread).
    pub fn create_profile(
        &self,
        name: &str,
        lock: NewProfileLock,
        now: DateTime<Utc>,
    ) -> Result<ProfileSummary> {
        let vault = match lock {
            NewProfileLock::Keyring => {
                self.profiles()
                    .create_personal(name, self.keys()?.as_ref(), now)?
            }
            NewProfileLock::Passphrase { passphrase } => {
                let vault = self.profiles().create_clinic(
                    name,
                    &Secret::new(passphrase),
                    KdfParams::for_new_passphrases(),
                    now,
                )?;
                // A shared computer: Takeback no longer starts at login (see `login`).
                if self.settings()?.start_at_login {
                    self.change_settings(|s| {
                        s.start_at_login = false;
                        Ok(())
                    })?;
                }
                vault
            }
        };
        self.activate(vault)
    }

    /// Opens the profile called `name` and shows it: a clinic profile with its passphrase, a
    /// personal one with its key from the keyring. An already unlocked profile is just shown.
    pub fn unlock_profile(
        &self,
        name: &str,
        passphrase: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ProfileSummary> {
        let info = self.profiles().find(name)?;
        if self.open()?.activate(&info.id) {
            self.lock_other_clinic_profiles(&info.id)?;
            return Ok(summary(&info, true, true));
        }
        let vault = match passphrase {
            Some(p) => self
                .profiles()
                .unlock(name, Unlock::Passphrase(&Secret::new(p)), now)?,
            None => self
                .profiles()
                .unlock(name, Unlock::Keyring(self.keys()?.as_ref()), now)?,
        };
        self.activate(vault)
    }

    /// On a shared computer the next person at the desk must not find a client's profile open
    /// behind another one: moving to profile `keep` locks every other open passphrase profile,
    /// so coming back to one asks for its passphrase again.
    fn lock_other_clinic_profiles(&self, keep: &str) -> Result<()> {
        let others: Vec<String> = self
            .open()?
            .open_profiles()
            .into_iter()
            .filter(|p| p.kind == ProfileKind::Clinic && p.id != keep)
            .map(|p| p.id)
            .collect();
        for id in others {
            self.lock(&id)?;
        }
        Ok(())
    }

    /// Re-wraps a clinic profile's key under a new passphrase.
    pub fn change_passphrase(
        &self,
        name: &str,
        old: String,
        new: String,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.profiles().change_passphrase(
            name,
            &Secret::new(old),
            &Secret::new(new),
            KdfParams::for_new_passphrases(),
            now,
        )
    }

    /// Re-keys a profile (see [`Profiles::rekey`]): a new key, the data encrypted again under
    /// it, the old key's files overwritten. Offer it after a suspected compromise, and always
    /// when a passphrase is changed because it leaked (`new_passphrase`). A clinic profile needs
    /// its current `passphrase`; a personal one uses the keyring. The profile is locked in this
    /// session first (its files are replaced), then opened again under its new key and shown; a
    /// refused attempt (wrong passphrase, profile open elsewhere) leaves it locked.
    /// Takes a few seconds for a large profile: call off the UI thread.
    pub fn rekey_profile(
        &self,
        name: &str,
        passphrase: Option<String>,
        new_passphrase: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ProfileSummary> {
        let info = self.profiles().find(name)?;
        let new_passphrase = new_passphrase.map(Secret::new);
        self.lock(&info.id)?;
        let vault = match (info.kind, passphrase) {
            (ProfileKind::Clinic, Some(p)) => self.profiles().rekey(
                name,
                Unlock::Passphrase(&Secret::new(p)),
                new_passphrase.as_ref(),
                KdfParams::for_new_passphrases(),
                now,
            )?,
            (ProfileKind::Clinic, None) => return Err(crate::Error::PassphraseRequired),
            (ProfileKind::Personal, _) => self.profiles().rekey(
                name,
                Unlock::Keyring(self.keys()?.as_ref()),
                new_passphrase.as_ref(),
                KdfParams::for_new_passphrases(),
                now,
            )?,
        };
        self.activate(vault)
    }

    /// Crypto-wipe: locks the profile, destroys its key, removes its files. `confirm_name` is
    /// the name the user typed to confirm; a clinic profile also needs its `passphrase`, so that
    /// the next person at the desk cannot wipe it.
    pub fn delete_profile(
        &self,
        name: &str,
        confirm_name: &str,
        passphrase: Option<String>,
    ) -> Result<()> {
        if confirm_name.trim().to_lowercase() != name.trim().to_lowercase() {
            return Err(SessionError::DeleteNotConfirmed.into());
        }
        let info = self.profiles().find(name)?;
        // Locked first (files of an open database cannot be removed everywhere); a refused
        // attempt leaves it locked, which is the safe side.
        self.lock(&info.id)?;
        match (info.kind, passphrase) {
            (ProfileKind::Clinic, Some(p)) => {
                let p = Secret::new(p);
                self.profiles().delete(name, Unlock::Passphrase(&p))?;
            }
            (ProfileKind::Clinic, None) => return Err(crate::Error::PassphraseRequired),
            (ProfileKind::Personal, _) => {
                let keys = self.keys()?;
                self.profiles()
                    .delete(name, Unlock::Keyring(keys.as_ref()))?;
            }
        }
        Ok(())
    }

    /// Profiles whose `profile.json` cannot be read: shown apart, deletable by id.
    pub fn damaged_profiles(&self) -> Result<Vec<DamagedProfile>> {
        self.profiles().damaged()
    }

    /// Deletes a damaged profile (see [`Profiles::delete_damaged`]).
    pub fn delete_damaged_profile(&self, id: &str) -> Result<()> {
        let keys = self.keys().ok();
        self.profiles().delete_damaged(id, keys.as_deref())
    }
}
