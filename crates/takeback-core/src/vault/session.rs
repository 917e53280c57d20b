//! The profiles unlocked in one running app, with auto-lock and quick exit.
//!
//! The app holds one [`OpenVaults`] in its state, calls [`OpenVaults::lock_idle`] from a timer
//! with the `auto_lock_minutes` setting, and [`OpenVaults::lock_all`] on quick exit. Time is
//! passed in; nothing here reads the clock.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{ProfileInfo, Vault};

/// Unlocked vaults by profile id.
#[derive(Debug, Default)]
pub struct OpenVaults {
    vaults: BTreeMap<String, Vault>,
}

impl OpenVaults {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `vault` open; replaces (and so locks) an earlier handle on the same profile.
    pub fn insert(&mut self, vault: Vault) {
        self.vaults.insert(vault.info().id.clone(), vault);
    }

    /// The open vault of profile `id`, marking it as used at `now`.
    pub fn use_vault(&mut self, id: &str, now: DateTime<Utc>) -> Option<&mut Vault> {
        let v = self.vaults.get_mut(id)?;
        v.touch(now);
        Some(v)
    }

    pub fn is_open(&self, id: &str) -> bool {
        self.vaults.contains_key(id)
    }

    pub fn open_profiles(&self) -> Vec<ProfileInfo> {
        self.vaults.values().map(|v| v.info().clone()).collect()
    }

    /// Locks one profile; true when it was open.
    pub fn lock(&mut self, id: &str) -> bool {
        self.vaults.remove(id).is_some()
    }

    /// Locks every vault idle for `idle` or longer; returns the profiles it locked.
    pub fn lock_idle(&mut self, now: DateTime<Utc>, idle: Duration) -> Vec<ProfileInfo> {
        let expired: Vec<String> = self
            .vaults
            .iter()
            .filter(|(_, v)| v.is_idle(now, idle))
            .map(|(id, _)| id.clone())
            .collect();
        expired
            .into_iter()
            .filter_map(|id| self.vaults.remove(&id))
            .map(|v| v.info().clone())
            .collect()
    }

    /// Quick exit: locks everything.
    pub fn lock_all(&mut self) -> usize {
        let n = self.vaults.len();
        self.vaults.clear();
        n
    }
}
