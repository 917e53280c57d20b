//! Re-keying: a profile's data moved under a new random key.
//!
//! Changing a passphrase only re-wraps the key, so whoever learned the old passphrase (or copied
//! the old `profile.json`, or the key itself) can still open every copy of the files, and the
//! files written from now on. Re-keying makes a new [`ProfileKey`]: the database is exported
//! into a new SQLCipher file under the new database key (`sqlcipher_export` through an attached
//! database, which works in WAL mode where `PRAGMA rekey` does not), every registered blob is
//! decrypted and written again under the new blob key, and the key slot is replaced (sealed
//! under the same or a new passphrase with a fresh salt, or the new key in the keyring).
//!
//! Crash safety: everything new is built in a sibling folder `<id>.rekey-new`, synced, and then
//! swapped in with two renames (`<id>` -> `<id>.rekey-old`, `<id>.rekey-new` -> `<id>`). A kill
//! at any moment leaves one of these states, which [`Profiles::list`] (and so every call that
//! finds a profile) resolves the next time it runs:
//!
//! | left on disk | meaning | recovery |
//! | --- | --- | --- |
//! | `<id>` and `<id>.rekey-new` | the swap had not begun | the new folder is wiped: old key |
//! | `<id>.rekey-old` and `<id>.rekey-new` | between the renames | the new folder goes in place: new key |
//! | `<id>` and `<id>.rekey-old` | swapped | the old folder is wiped: new key |
//!
//! A personal profile's new key is stored under a second keyring account
//! (`rekey-pending:<id>`) before the swap, and moved to the profile's own account after it. Until
//! then, opening the profile tries both keys and keeps the one that opens the database, so the
//! keyring and the folder can never disagree for good.
//!
//! The old folder is overwritten in place (every file, `profile.json` with the old wrapped key
//! first) before it is removed, as the crypto-wipe does. Copies made before the re-key (backups,
//! a stolen disk image) keep the old key's data as it was then: re-keying protects what is
//! written from now on and the files on this disk, not copies already taken.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use super::blobs::{sync_dir, BlobStore};
use super::keys::{self, KdfParams, ProfileKey, WrappedKey, KEY_LEN};
use super::profile::{KeySlot, ProfileFile, PROFILE_FILE};
use super::{open_encrypted, restrict, Profiles, Unlock, Vault, BLOB_DIR, DB_FILE};
use crate::base::error::storage;
use crate::storage::audit;
use crate::storage::secrets::Secret;
use crate::{Error, Result};

/// The folder a re-key builds the new profile in.
pub(crate) const STAGING_SUFFIX: &str = ".rekey-new";
/// The old folder, between the swap and its wipe.
pub(crate) const RETIRED_SUFFIX: &str = ".rekey-old";
/// How long a re-key waits for another connection to the profile to close.
const IN_USE_WAIT: Duration = Duration::from_secs(2);

/// The keyring account that holds a personal profile's new key during a re-key.
pub(crate) fn pending_account(id: &str) -> String {
    format!("rekey-pending:{id}")
}

/// The points of a re-key at which a crash is simulated in tests (see
/// [`Profiles::rekey_with_faults`]). In order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The staging folder exists, with the database exported into it.
    DatabaseExported,
    /// Every blob is written under the new key.
    BlobsWritten,
    /// The new key is under the pending keyring account (personal profiles).
    PendingKeyStored,
    /// The staging folder is complete: `profile.json` written and synced.
    Staged,
    /// The old folder is renamed away; the new one is not yet in place.
    OldRetired,
    /// The new folder is in place.
    Swapped,
    /// The keyring's own account holds the new key (personal profiles).
    KeyringSwitched,
    /// The old folder is overwritten and removed.
    Wiped,
}

impl Profiles {
    /// Re-keys the profile called `name`: a new random key, the database and every blob
    /// encrypted again under it, the old files overwritten. `how` must open the profile; a
    /// clinic profile's new key is sealed under `new_passphrase` if given (a passphrase change
    /// that also re-keys, for a passphrase that leaked), else under the current one with a fresh
    /// salt. A personal profile's new key replaces the old one in the keyring of `how`.
    ///
    /// Fails with [`Error::ProfileInUse`] while another connection has the profile open (close
    /// it first). Returns the profile opened with its new key.
    pub fn rekey(
        &self,
        name: &str,
        how: Unlock<'_>,
        new_passphrase: Option<&Secret<String>>,
        params: KdfParams,
        now: DateTime<Utc>,
    ) -> Result<Vault> {
        let result =
            self.rekey_with_faults(name, how, new_passphrase, params, now, &mut |_| Ok(()));
        if result.is_err() {
            // A re-key that failed half-way (a full disk, say) is rolled back or finished now,
            // not only at the next start.
            self.recover_interrupted();
        }
        result
    }

    /// [`Profiles::rekey`], calling `fault` at each [`Step`]; an error from it stops the re-key
    /// there as a crash would (nothing is cleaned up), so tests can check the recovery.
    pub(crate) fn rekey_with_faults(
        &self,
        name: &str,
        how: Unlock<'_>,
        new_passphrase: Option<&Secret<String>>,
        params: KdfParams,
        now: DateTime<Utc>,
        fault: &mut dyn FnMut(Step) -> Result<()>,
    ) -> Result<Vault> {
        if let Some(p) = new_passphrase {
            keys::check_passphrase(p, &[name])?;
        }
        self.find(name)?;
        // Held to the end: no creation, recovery or other re-key runs meanwhile, in any process.
        let _lock = self.creation_lock()?;
        for id in self.rekey_leftovers() {
            self.recover_one(&id)?;
        }
        let (dir, file) = self.load(name)?;
        let id = file.id.clone();
        let old_key = self.open_key_reconciled(&file, &dir, how)?;
        if new_passphrase.is_some() && !matches!(file.key, KeySlot::Passphrase(_)) {
            return Err(Error::NotAPassphraseProfile);
        }
        let old = Vault::open(&dir, file.info(), &old_key, now, false)?;
        claim_exclusively(old.conn())?;

        let staging = self.root.join(format!("{id}{STAGING_SUFFIX}"));
        if staging.exists() {
            shred_folder(&staging)?;
        }
        fs::create_dir(&staging).map_err(|e| Error::io("creating", &staging, e))?;
        restrict(&staging)?;
        let new_key = ProfileKey::generate()?;
        let new_db_key = new_key.database_key()?;
        let new_db = staging.join(DB_FILE);
        export_database(old.conn(), &new_db, &new_db_key)?;
        fault(Step::DatabaseExported)?;

        let new_blob_dir = staging.join(BLOB_DIR);
        fs::create_dir(&new_blob_dir).map_err(|e| Error::io("creating", &new_blob_dir, e))?;
        let new_blob_key = new_key.blob_key()?;
        let new_blobs = BlobStore::new(&new_blob_dir, &new_blob_key);
        let ids = old.blobs().ids(old.conn())?;
        for blob in &ids {
            new_blobs.write_as(blob, &old.blobs().get(old.conn(), blob)?)?;
        }
        sync_dir(&new_blob_dir);
        fault(Step::BlobsWritten)?;

        {
            let conn = open_encrypted(&new_db, &new_db_key)?;
            super::check_owner(&conn, &id)?;
            audit::append(
                &conn,
                audit::NewEntry::new("owner", "profile.rekeyed").detail(serde_json::json!({
                    "passphrase_changed": new_passphrase.is_some(),
                    "blobs": ids.len(),
                })),
                now,
            )?;
            // Closing the only connection moves the WAL into the database file.
            conn.close()
                .map_err(|(_, e)| storage("closing the re-keyed vault", e))?;
        }
        sync_file(&new_db)?;

        let slot = match (&file.key, how) {
            (KeySlot::Passphrase(_), Unlock::Passphrase(current)) => KeySlot::Passphrase(
                WrappedKey::seal(&new_key, new_passphrase.unwrap_or(current), params, &id)?,
            ),
            (KeySlot::Keyring, Unlock::Keyring(keys)) => {
                keys.put(&pending_account(&id), &new_key.to_secret_vec())?;
                fault(Step::PendingKeyStored)?;
                KeySlot::Keyring
            }
            // open_key_reconciled refused the other pairs.
            _ => return Err(Error::PassphraseRequired),
        };
        ProfileFile {
            key: slot,
            ..file.clone()
        }
        .write(&staging)?;
        sync_dir(&staging);
        fault(Step::Staged)?;

        // The old connection closes before its folder moves (its WAL goes into the file that is
        // then overwritten).
        drop(old);
        let retired = self.root.join(format!("{id}{RETIRED_SUFFIX}"));
        fs::rename(&dir, &retired).map_err(|e| Error::io("moving", &dir, e))?;
        sync_dir(&self.root);
        fault(Step::OldRetired)?;
        fs::rename(&staging, &dir).map_err(|e| Error::io("moving", &staging, e))?;
        sync_dir(&self.root);
        fault(Step::Swapped)?;

        if let Unlock::Keyring(keys) = how {
            keys.put(&id, &new_key.to_secret_vec())?;
            fault(Step::KeyringSwitched)?;
            keys.delete(&pending_account(&id))?;
        }
        shred_folder(&retired)?;
        fault(Step::Wiped)?;
        Vault::open(&dir, file.info(), &new_key, now, false)
    }

    /// The key `how` opens, for a personal profile also after an interrupted re-key: when a
    /// pending new key is in the keyring, the key that opens the database wins, and (only while
    /// no re-key runs) the keyring is set straight.
    pub(super) fn open_key_reconciled(
        &self,
        file: &ProfileFile,
        dir: &Path,
        how: Unlock<'_>,
    ) -> Result<ProfileKey> {
        let (KeySlot::Keyring, Unlock::Keyring(keys)) = (&file.key, how) else {
            return super::open_key(file, how);
        };
        let pending = pending_account(&file.id);
        let Some(new) = keys.get(&pending)? else {
            return super::open_key(file, how);
        };
        let new = ProfileKey::from_bytes(new.expose())?;
        let current = super::open_key(file, how);
        let db = dir.join(DB_FILE);
        if let Ok(key) = &current {
            if key_opens(&db, key) {
                // A re-key that did not reach its swap: the pending key is of no use.
                if self.try_creation_lock()?.is_some() {
                    keys.delete(&pending)?;
                }
                return current;
            }
        }
        if !key_opens(&db, &new) {
            return current;
        }
        // A re-key that swapped its folder but not the keyring: finish it.
        if self.try_creation_lock()?.is_some() {
            keys.put(&file.id, &new.to_secret_vec())?;
            keys.delete(&pending)?;
        }
        Ok(new)
    }

    /// Finishes or rolls back every re-key that a crash interrupted (see the module's table).
    /// Best effort, and skipped while a re-key holds the lock: listing profiles must work even
    /// when a leftover folder cannot be removed.
    pub(super) fn recover_interrupted(&self) {
        let leftovers = self.rekey_leftovers();
        if leftovers.is_empty() {
            return;
        }
        match self.try_creation_lock() {
            Ok(Some(_lock)) => {
                for id in leftovers {
                    if let Err(e) = self.recover_one(&id) {
                        tracing::warn!("could not finish an interrupted re-key: {e}");
                    }
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("could not check for an interrupted re-key: {e}"),
        }
    }

    /// The ids that have a staging or retired folder.
    fn rekey_leftovers(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let id = name
                    .strip_suffix(STAGING_SUFFIX)
                    .or_else(|| name.strip_suffix(RETIRED_SUFFIX))?;
                let well_formed = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
                well_formed.then(|| id.to_owned())
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn recover_one(&self, id: &str) -> Result<()> {
        let live = self.root.join(id);
        let staged = self.root.join(format!("{id}{STAGING_SUFFIX}"));
        let retired = self.root.join(format!("{id}{RETIRED_SUFFIX}"));
        let complete = |dir: &Path| dir.join(PROFILE_FILE).is_file();
        if !live.exists() {
            // Between the two renames (or, with no staging folder, the old one is all there
            // is): whichever complete folder is left goes back in place.
            let source = if staged.exists() && (complete(&staged) || !retired.exists()) {
                &staged
            } else {
                &retired
            };
            if source.exists() {
                fs::rename(source, &live).map_err(|e| Error::io("moving", source, e))?;
                sync_dir(&self.root);
            }
        }
        // The live folder is now the profile; whatever else is left is the other key's copy.
        for leftover in [&staged, &retired] {
            if leftover.exists() {
                shred_folder(leftover)?;
            }
        }
        Ok(())
    }

    /// [`Profiles::creation_lock`] without waiting: `None` while another holder has it.
    fn try_creation_lock(&self) -> Result<Option<fs::File>> {
        let path = self.root.join(".create.lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("opening", &path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(Error::io("locking", &path, e)),
        }
    }
}

/// Takes the database for this connection alone: with `locking_mode = EXCLUSIVE` the next write
/// needs every other connection (another window, a background scan, the CLI) closed, and keeps
/// them out until this one closes. Fails with [`Error::ProfileInUse`] after a short wait.
fn claim_exclusively(conn: &Connection) -> Result<()> {
    conn.busy_timeout(IN_USE_WAIT)
        .map_err(|e| storage("configuring", e))?;
    conn.query_row("PRAGMA main.locking_mode = EXCLUSIVE", [], |r| {
        r.get::<_, String>(0)
    })
    .map_err(|e| storage("configuring", e))?;
    // A write that changes nothing, to take the lock now.
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         INSERT OR REPLACE INTO vault_meta (key, value) VALUES ('rekey', 'started');
         DELETE FROM vault_meta WHERE key = 'rekey';
         COMMIT;",
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            Error::ProfileInUse
        }
        _ => storage("locking the vault for re-keying", e),
    })
}

/// Copies the whole database behind `conn` into a new SQLCipher file at `path`, keyed with
/// `key`: schema, rows, triggers and `user_version`.
fn export_database(conn: &Connection, path: &Path, key: &Secret<[u8; KEY_LEN]>) -> Result<()> {
    let target = path.to_str().ok_or_else(|| Error::CorruptVault {
        reason: "the profile folder's path is not valid text".into(),
        source: None,
    })?;
    // The raw key form, as `PRAGMA key` takes it; wiped when dropped.
    let key_text = zeroize::Zeroizing::new(format!("x'{}'", hex::encode(key.expose())));
    conn.execute(
        "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
        rusqlite::params![target, key_text.as_str()],
    )
    .map_err(|e| storage("creating the re-keyed database", e))?;
    let copied = copy_into_attached(conn);
    let detached = conn.execute_batch("DETACH DATABASE rekeyed");
    copied.map_err(|e| storage("copying the vault under its new key", e))?;
    detached.map_err(|e| storage("closing the re-keyed database", e))?;
    sync_file(path)
}

/// `sqlcipher_export` into the database attached as `rekeyed`, and the schema version with it.
fn copy_into_attached(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
    let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
    conn.execute_batch(&format!("PRAGMA rekeyed.user_version = {version};"))
}

/// Whether `key` opens the SQLCipher database at `path` (nothing is written).
fn key_opens(path: &Path, key: &ProfileKey) -> bool {
    let Ok(db_key) = key.database_key() else {
        return false;
    };
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE) else {
        return false;
    };
    let key_hex = zeroize::Zeroizing::new(hex::encode(db_key.expose()));
    let pragma = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key_hex.as_str()));
    conn.execute_batch(&pragma).is_ok()
        && conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .is_ok()
}

fn sync_file(path: &Path) -> Result<()> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io("syncing", path, e))
}

/// Overwrites every file under `dir` with zeros where it lies (`profile.json` first, since it
/// may hold a wrapped key), syncs, then removes the folder. Safe to run again on a folder a
/// crash left half-wiped.
pub(crate) fn shred_folder(dir: &Path) -> Result<()> {
    let first = dir.join(PROFILE_FILE);
    if first.is_file() {
        overwrite_file(&first)?;
    }
    for file in files_under(dir, 4)? {
        if file != first {
            overwrite_file(&file)?;
        }
    }
    fs::remove_dir_all(dir).map_err(|e| Error::io("removing", dir, e))?;
    if let Some(parent) = dir.parent() {
        sync_dir(parent);
    }
    Ok(())
}

/// The regular files under `dir`, down to `depth` levels (a profile folder has two).
fn files_under(dir: &Path, depth: usize) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))?;
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_file() {
            out.push(entry.path());
        } else if kind.is_dir() && depth > 0 {
            out.extend(files_under(&entry.path(), depth - 1)?);
        }
    }
    Ok(out)
}

/// Overwrites a file's whole length with zeros in place, and syncs.
fn overwrite_file(path: &Path) -> Result<()> {
    const CHUNK: usize = 64 * 1024;
    let len = fs::metadata(path)
        .map_err(|e| Error::io("reading", path, e))?
        .len();
    let mut file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io("opening", path, e))?;
    let zeros = [0u8; CHUNK];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left).unwrap_or(CHUNK).min(CHUNK);
        file.write_all(&zeros[..n])
            .map_err(|e| Error::io("overwriting", path, e))?;
        left -= n as u64;
    }
    file.sync_all()
        .map_err(|e| Error::io("overwriting", path, e))
}

#[cfg(test)]
#[path = "rekey_tests.rs"]
mod tests;
