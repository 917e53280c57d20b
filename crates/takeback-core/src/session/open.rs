//! The profiles unlocked in one running app, with what each holds only while it is open.
//!
//! Everything that belongs to an unlocked profile (its vault handle, photos checked for
//! enrollment but not stored yet, the consents given in this session) lives in one
//! [`OpenProfile`], so locking the profile drops all of it at once: no caller has to remember
//! anything. Time is passed in; nothing here reads the clock.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::face::enrollment::CheckedPhoto;
use crate::search::scan::Consent;
use crate::storage::vault::{ProfileInfo, Vault};

/// A photo checked for enrollment and waiting for the owner to confirm the batch. It lives only
/// in memory.
pub struct StagedPhoto {
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

/// One unlocked profile.
#[derive(Debug)]
pub struct OpenProfile {
    pub vault: Vault,
    /// Photos checked for enrollment, by token.
    pub staged: BTreeMap<String, StagedPhoto>,
    /// The owner's consents to send a prepared photo to a provider, one per provider.
    pub consents: Vec<Consent>,
}

impl OpenProfile {
    fn new(vault: Vault) -> Self {
        Self {
            vault,
            staged: BTreeMap::new(),
            consents: Vec::new(),
        }
    }

    /// Keeps `consent`, replacing an earlier one for the same provider.
    pub fn keep_consent(&mut self, consent: Consent) {
        self.consents.retain(|c| c.provider != consent.provider);
        self.consents.push(consent);
    }
}

/// The unlocked profiles by id, and the one the window shows.
#[derive(Debug, Default)]
pub struct OpenProfiles {
    profiles: BTreeMap<String, OpenProfile>,
    active: Option<String>,
}

impl OpenProfiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `vault` open and makes it the active profile; an earlier handle on the same profile
    /// is replaced (and so locked, with what it held).
    pub fn insert(&mut self, vault: Vault) {
        let id = vault.info().id.clone();
        self.profiles.insert(id.clone(), OpenProfile::new(vault));
        self.active = Some(id);
    }

    pub fn activate(&mut self, id: &str) -> bool {
        let open = self.profiles.contains_key(id);
        if open {
            self.active = Some(id.to_owned());
        }
        open
    }

    pub fn active_id(&self) -> Option<&str> {
        self.active.as_deref()
    }

    /// The active profile, marked as used at `now` (this keeps auto-lock away).
    pub fn use_active(&mut self, now: DateTime<Utc>) -> Option<&mut OpenProfile> {
        let p = self.profiles.get_mut(self.active.as_deref()?)?;
        p.vault.touch(now);
        Some(p)
    }

    /// The active profile, without marking it used: for the window's own background work
    /// (monitoring), which must not keep auto-lock away.
    pub fn peek_active(&self) -> Option<&OpenProfile> {
        self.profiles.get(self.active.as_deref()?)
    }

    /// Profile `id`, marked as used at `now`.
    pub fn use_profile(&mut self, id: &str, now: DateTime<Utc>) -> Option<&mut OpenProfile> {
        let p = self.profiles.get_mut(id)?;
        p.vault.touch(now);
        Some(p)
    }

    /// Every open profile's vault (for what each must record, such as a changed address).
    pub fn vaults(&self) -> impl Iterator<Item = &Vault> {
        self.profiles.values().map(|p| &p.vault)
    }

    pub fn is_open(&self, id: &str) -> bool {
        self.profiles.contains_key(id)
    }

    pub fn open_profiles(&self) -> Vec<ProfileInfo> {
        self.profiles
            .values()
            .map(|p| p.vault.info().clone())
            .collect()
    }

    /// Locks one profile; true when it was open.
    pub fn lock(&mut self, id: &str) -> bool {
        let was_open = self.profiles.remove(id).is_some();
        if self.active.as_deref() == Some(id) {
            self.active = None;
        }
        was_open
    }

    /// Locks every profile idle for `idle` or longer; returns the profiles it locked.
    pub fn lock_idle(&mut self, now: DateTime<Utc>, idle: Duration) -> Vec<ProfileInfo> {
        let expired: Vec<ProfileInfo> = self
            .profiles
            .values()
            .filter(|p| p.vault.is_idle(now, idle))
            .map(|p| p.vault.info().clone())
            .collect();
        for info in &expired {
            self.lock(&info.id);
        }
        expired
    }

    /// Quick exit: locks everything.
    pub fn lock_all(&mut self) -> usize {
        let n = self.profiles.len();
        self.profiles.clear();
        self.active = None;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::paths::DataDir;
    use crate::search::providers::ProviderId;
    use crate::storage::secrets::Secret;
    use crate::storage::vault::{KdfParams, Profiles};

    fn clinic(p: &Profiles, name: &str, at: DateTime<Utc>) -> Vault {
        p.create_clinic(
            name,
            &Secret::new("a long passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            at,
        )
        .unwrap()
    }

    #[test]
    fn idle_profiles_lock_and_the_active_one_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let p = Profiles::new(&DataDir::at(dir.path()));
        let t0 = Utc::now();
        let mut open = OpenProfiles::new();
        let a = clinic(&p, "a", t0);
        let b = clinic(&p, "b", t0);
        let (a_id, b_id) = (a.info().id.clone(), b.info().id.clone());
        open.insert(a);
        open.insert(b);
        assert_eq!(
            open.active_id(),
            Some(b_id.as_str()),
            "the last opened is shown"
        );
        assert!(open.activate(&a_id));
        assert!(open
            .use_profile(&b_id, t0 + chrono::Duration::minutes(8))
            .is_some());
        let ten = Duration::from_secs(600);
        assert!(open
            .lock_idle(t0 + chrono::Duration::minutes(9), ten)
            .is_empty());
        let locked = open.lock_idle(t0 + chrono::Duration::minutes(10), ten);
        assert_eq!(locked.len(), 1);
        assert_eq!(locked[0].id, a_id);
        assert!(open.is_open(&b_id) && !open.is_open(&a_id));
        assert_eq!(
            open.active_id(),
            None,
            "the locked profile is no longer shown"
        );
        assert_eq!(open.lock_all(), 1);
        assert!(open.open_profiles().is_empty());
    }

    #[test]
    fn locking_drops_what_the_profile_held() {
        let dir = tempfile::tempdir().unwrap();
        let p = Profiles::new(&DataDir::at(dir.path()));
        let now = Utc::now();
        let mut open = OpenProfiles::new();
        let vault = clinic(&p, "a", now);
        let id = vault.info().id.clone();
        open.insert(vault);
        let profile = open.use_active(now).unwrap();
        profile.keep_consent(Consent {
            provider: ProviderId::TinEye,
            sha256: "a".repeat(64),
            destination: "https://api.tineye.com".into(),
        });
        profile.keep_consent(Consent {
            provider: ProviderId::TinEye,
            sha256: "b".repeat(64),
            destination: "https://api.tineye.com".into(),
        });
        assert_eq!(
            profile.consents.len(),
            1,
            "one consent per provider, the newest"
        );
        assert_eq!(profile.consents[0].sha256, "b".repeat(64));
        assert!(open.lock(&id));
        // Unlocked again: nothing of the earlier session is there.
        open.insert(
            p.unlock(
                "a",
                crate::storage::vault::Unlock::Passphrase(&Secret::new(
                    "a long passphrase".to_owned(),
                )),
                now,
            )
            .unwrap(),
        );
        let again = open.use_active(now).unwrap();
        assert!(again.consents.is_empty() && again.staged.is_empty());
    }
}
