//! Profiles as encrypted vaults. See `README.md` beside this file for the API the app and the
//! CLI call, the on-disk layout and the crypto.
//!
//! A profile is a folder `profiles/<id>/` in the data directory:
//! - `profile.json`: id, name, kind, creation time, and for a clinic profile the wrapped key;
//! - `vault.db`: a SQLCipher database (every page encrypted, including its header);
//! - `blobs/`: XChaCha20-Poly1305 files for images and other bytes.

mod blobs;
pub mod keys;
pub mod migrations;
mod profile;
mod rekey;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use blobs::{BlobId, BlobStore};
pub use keys::{KdfParams, ProfileKey};
pub use profile::{ProfileInfo, ProfileKind};

use self::keys::{random_array, WrappedKey, KEY_LEN};
use self::profile::{validate_name, KeySlot, ProfileFile};
use crate::base::error::storage;
use crate::base::paths::DataDir;
use crate::storage::audit;
use crate::storage::secrets::{KeyStore, Secret};
use crate::{Error, Result};

const DB_FILE: &str = "vault.db";
const BLOB_DIR: &str = "blobs";
/// How long an unregistered blob file is left alone before a sweep may remove it.
const ORPHAN_GRACE: Duration = Duration::from_secs(15 * 60);

/// How to open a profile's key.
#[derive(Debug, Clone, Copy)]
pub enum Unlock<'a> {
    /// Personal profile: the key is in this keyring.
    Keyring(&'a dyn KeyStore),
    /// Clinic profile: the key is wrapped by this passphrase.
    Passphrase(&'a Secret<String>),
}

/// The profiles in one data directory.
#[derive(Debug, Clone)]
pub struct Profiles {
    root: PathBuf,
}

impl Profiles {
    pub fn new(data_dir: &DataDir) -> Self {
        Self {
            root: data_dir.profiles_dir(),
        }
    }

    /// Every complete, readable profile, by name. Folders without `profile.json` (an interrupted
    /// create or delete) are skipped, and so is a profile whose `profile.json` is damaged: one
    /// profile's damage must not lock the others away ([`Profiles::damaged`] lists those).
    pub fn list(&self) -> Result<Vec<ProfileInfo>> {
        let mut out: Vec<ProfileInfo> = self
            .folders()?
            .filter_map(|dir| ProfileFile::read(&dir).ok())
            .map(|file| file.info())
            .collect();
        out.sort_by_key(|p| p.name.to_lowercase());
        Ok(out)
    }

    /// The profiles whose `profile.json` cannot be read, by folder id, with what is wrong. They
    /// cannot be opened; they can be deleted with [`Profiles::delete_damaged`].
    pub fn damaged(&self) -> Result<Vec<DamagedProfile>> {
        let mut out: Vec<DamagedProfile> = self
            .folders()?
            .filter_map(|dir| {
                let problem = ProfileFile::read(&dir).err()?;
                Some(DamagedProfile {
                    id: dir.file_name()?.to_string_lossy().into_owned(),
                    problem: problem.to_string(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The profile folders that hold a `profile.json` (readable or not). A re-key that a crash
    /// interrupted is finished or rolled back first; its staging folders are never listed.
    fn folders(&self) -> Result<impl Iterator<Item = PathBuf>> {
        self.recover_interrupted();
        let entries = match fs::read_dir(&self.root) {
            Ok(e) => Some(e),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("listing", &self.root, e)),
        };
        Ok(entries
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| {
                let name = dir.file_name().unwrap_or_default().to_string_lossy();
                !name.ends_with(rekey::STAGING_SUFFIX) && !name.ends_with(rekey::RETIRED_SUFFIX)
            })
            .filter(|dir| dir.join(profile::PROFILE_FILE).is_file()))
    }

    /// The profile called `name` (case-insensitive).
    pub fn find(&self, name: &str) -> Result<ProfileInfo> {
        let wanted = name.trim().to_lowercase();
        self.list()?
            .into_iter()
            .find(|p| p.name.to_lowercase() == wanted)
            .ok_or_else(|| Error::ProfileNotFound {
                name: name.trim().to_owned(),
            })
    }

    /// Creates a personal profile whose key goes to `keys` (the OS keyring). Fails with
    /// [`Error::KeyringUnavailable`] when there is no usable keyring.
    pub fn create_personal(
        &self,
        name: &str,
        keys: &dyn KeyStore,
        now: DateTime<Utc>,
    ) -> Result<Vault> {
        self.create(name, now, |id, key| {
            keys.put(id, &key.to_secret_vec())?;
            Ok(KeySlot::Keyring)
        })
    }

    /// Creates a clinic profile whose key is wrapped by `passphrase` (Argon2id with `params`;
    /// use [`KdfParams::for_new_passphrases`]).
    pub fn create_clinic(
        &self,
        name: &str,
        passphrase: &Secret<String>,
        params: KdfParams,
        now: DateTime<Utc>,
    ) -> Result<Vault> {
        keys::check_passphrase(passphrase, &[name])?;
        self.create(name, now, |id, key| {
            Ok(KeySlot::Passphrase(WrappedKey::seal(
                key, passphrase, params, id,
            )?))
        })
    }

    fn create(
        &self,
        name: &str,
        now: DateTime<Utc>,
        store_key: impl FnOnce(&str, &ProfileKey) -> Result<KeySlot>,
    ) -> Result<Vault> {
        let name = validate_name(name)?;
        DataDir::at(&self.root).ensure()?;
        // Held until profile.json is written: two creations with one name at the same moment
        // (two windows, a script) would otherwise both pass the check below.
        let _creating = self.creation_lock()?;
        if self.find(&name).is_ok() {
            return Err(Error::ProfileExists { name });
        }
        let id = hex::encode(random_array::<16>()?);
        let dir = self.root.join(&id);
        fs::create_dir(&dir).map_err(|e| Error::io("creating", &dir, e))?;
        restrict(&dir)?;
        let key = ProfileKey::generate()?;
        let slot = store_key(&id, &key)?;
        let file = ProfileFile::new(id, name, now, slot);
        // The database first, profile.json last: a profile is listed only once it is complete.
        let vault = Vault::open(&dir, file.info(), &key, now, true)?;
        audit::append(
            vault.conn(),
            audit::NewEntry::new("owner", "profile.created").detail(serde_json::json!({
                "kind": file.info().kind,
            })),
            now,
        )?;
        file.write(&dir)?;
        Ok(vault)
    }

    /// Removes the folders an interrupted create or delete left: a profile folder (named by a
    /// profile id) without `profile.json`. A create holds the creation lock until it writes
    /// `profile.json`, so under that lock such a folder is no create's work in progress; it never
    /// held anything but an empty vault (a create) or what was being wiped (a delete). Best
    /// effort: returns how many were removed, and nothing when the lock cannot be had (a
    /// read-only data folder).
    pub fn tidy(&self) -> usize {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return 0;
        };
        let Ok(_creating) = self.creation_lock() else {
            return 0;
        };
        entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| {
                let is_profile_id = dir.file_name().is_some_and(|n| {
                    n.len() == 32 && n.to_string_lossy().bytes().all(|b| b.is_ascii_hexdigit())
                });
                is_profile_id && dir.is_dir() && !dir.join(profile::PROFILE_FILE).exists()
            })
            .filter(|dir| fs::remove_dir_all(dir).is_ok())
            .count()
    }

    /// An exclusive lock on the profiles folder, across processes, released on drop.
    fn creation_lock(&self) -> Result<fs::File> {
        let path = self.root.join(".create.lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("opening", &path, e))?;
        file.lock().map_err(|e| Error::io("locking", &path, e))?;
        Ok(file)
    }

    /// Opens the profile called `name`.
    pub fn unlock(&self, name: &str, how: Unlock<'_>, now: DateTime<Utc>) -> Result<Vault> {
        let (dir, file) = self.load(name)?;
        let key = self.open_key_reconciled(&file, &dir, how)?;
        Vault::open(&dir, file.info(), &key, now, false)
    }

    /// Re-wraps a clinic profile's key under a new passphrase. The data is not re-encrypted:
    /// the key stays, only its wrapping changes.
    pub fn change_passphrase(
        &self,
        name: &str,
        old: &Secret<String>,
        new: &Secret<String>,
        params: KdfParams,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (dir, mut file) = self.load(name)?;
        let KeySlot::Passphrase(wrapped) = &file.key else {
            return Err(Error::NotAPassphraseProfile);
        };
        let key = wrapped.open(old, &file.id)?;
        keys::check_passphrase(new, &[name])?;
        let vault = Vault::open(&dir, file.info(), &key, now, false)?;
        file.key = KeySlot::Passphrase(WrappedKey::seal(&key, new, params, &file.id)?);
        file.write(&dir)?;
        audit::append(
            vault.conn(),
            audit::NewEntry::new("owner", "profile.passphrase_changed"),
            now,
        )?;
        Ok(())
    }

    /// Crypto-wipe: destroys the key first (keyring entry deleted, or the wrapped key
    /// overwritten), then removes the files. Once the key is gone, any copy of the files that
    /// survives (backups, an undeleted sector) is unreadable.
    ///
    /// Only someone who could open the profile may wipe it: `how` must open its key (the
    /// passphrase of a clinic profile; the keyring holding a personal profile's key), so the
    /// next person at a shared desk cannot wipe a client's profile by its name.
    pub fn delete(&self, name: &str, how: Unlock<'_>) -> Result<ProfileInfo> {
        let (dir, file) = self.load(name)?;
        let info = file.info();
        // Proves the right to wipe; the key itself is dropped (and zeroed) at once.
        drop(self.open_key_reconciled(&file, &dir, how)?);
        wipe(&dir, file.key, keyring_of(how))?;
        Ok(info)
    }

    /// Deletes a profile whose `profile.json` is damaged (see [`Profiles::damaged`]), by its
    /// folder id. Its key can no longer be opened with that file, so no proof can be asked; the
    /// keyring entry of that id is removed when `keys` is given.
    pub fn delete_damaged(&self, id: &str, keys: Option<&dyn KeyStore>) -> Result<()> {
        let damaged = self.damaged()?;
        let Some(entry) = damaged.iter().find(|d| d.id == id) else {
            return Err(Error::ProfileNotFound {
                name: id.to_owned(),
            });
        };
        let dir = self.root.join(&entry.id);
        if let Some(keys) = keys {
            keys.delete(&entry.id)?;
        }
        // Whatever the damaged file still holds (perhaps a wrapped key) is overwritten in place
        // first, not replaced by a rename that would leave the old bytes in the freed inode.
        let path = dir.join(profile::PROFILE_FILE);
        overwrite_in_place(&path)?;
        fs::remove_dir_all(&dir).map_err(|e| Error::io("removing", &dir, e))?;
        Ok(())
    }

    fn load(&self, name: &str) -> Result<(PathBuf, ProfileFile)> {
        let info = self.find(name)?;
        let dir = self.root.join(&info.id);
        let file = ProfileFile::read(&dir)?;
        Ok((dir, file))
    }
}

/// A profile that cannot be read, as [`Profiles::damaged`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DamagedProfile {
    /// The folder's name (the profile's id); its name is in the damaged file.
    pub id: String,
    pub problem: String,
}

/// The profile's key, opened the way `how` says (or why it cannot be).
fn open_key(file: &ProfileFile, how: Unlock<'_>) -> Result<ProfileKey> {
    match (&file.key, how) {
        (KeySlot::Keyring, Unlock::Keyring(keys)) => {
            let bytes = keys.get(&file.id)?.ok_or(Error::KeyMissing)?;
            ProfileKey::from_bytes(bytes.expose())
        }
        (KeySlot::Passphrase(w), Unlock::Passphrase(p)) => w.open(p, &file.id),
        (KeySlot::Passphrase(_), Unlock::Keyring(_)) => Err(Error::PassphraseRequired),
        (KeySlot::Keyring, Unlock::Passphrase(_)) => Err(Error::NotAPassphraseProfile),
    }
}

fn keyring_of(how: Unlock<'_>) -> Option<&dyn KeyStore> {
    match how {
        Unlock::Keyring(keys) => Some(keys),
        Unlock::Passphrase(_) => None,
    }
}

/// Overwrites a small file's bytes with zeros where they are, and syncs.
fn overwrite_in_place(path: &Path) -> Result<()> {
    use std::io::Write;
    let len = fs::metadata(path)
        .map(|m| m.len())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io("opening", path, e))?;
    file.write_all(&vec![0u8; usize::try_from(len).unwrap_or(0)])
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("overwriting", path, e))
}

/// Destroys the key held in `slot`, then the profile's files.
fn wipe(dir: &Path, slot: KeySlot, keys: Option<&dyn KeyStore>) -> Result<()> {
    let id = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    match slot {
        KeySlot::Keyring => {
            let keys = keys.ok_or_else(|| Error::KeyringUnavailable {
                reason: "the keyring is needed to destroy this profile's key".into(),
                source: None,
            })?;
            let id = id.as_deref().unwrap_or_default();
            keys.delete(id)?;
            // A new key a crashed re-key left behind goes too.
            keys.delete(&rekey::pending_account(id))?;
        }
        KeySlot::Passphrase(_) => {
            // Overwrite in place before removing, so the wrapped key does not linger in a file
            // the filesystem merely unlinks.
            let mut file = ProfileFile::read(dir)?;
            file.key = KeySlot::Keyring;
            file.write(dir)?;
        }
    }
    fs::remove_file(dir.join(profile::PROFILE_FILE)).map_err(|e| Error::io("removing", dir, e))?;
    fs::remove_dir_all(dir).map_err(|e| Error::io("removing", dir, e))
}

/// An unlocked profile. Dropping it (or calling [`Vault::lock`]) closes the database and zeroes
/// the keys held in memory.
#[derive(Debug)]
pub struct Vault {
    info: ProfileInfo,
    dir: PathBuf,
    conn: Connection,
    blob_dir: PathBuf,
    blob_key: Secret<[u8; KEY_LEN]>,
    /// Kept so that [`Vault::open_another`] can open a second connection without the profile
    /// key or the passphrase again; zeroed on drop like the blob key.
    database_key: Secret<[u8; KEY_LEN]>,
    last_activity: DateTime<Utc>,
    /// Where the audit head is kept when this connection closes ([`Vault::anchor_audit_in`]).
    audit_anchor: Option<Arc<dyn KeyStore>>,
}

impl Vault {
    fn open(
        dir: &Path,
        info: ProfileInfo,
        key: &ProfileKey,
        now: DateTime<Utc>,
        create: bool,
    ) -> Result<Self> {
        let db_path = dir.join(DB_FILE);
        if !create && !db_path.is_file() {
            return Err(Error::CorruptVault {
                reason: "the database file is missing".into(),
                source: None,
            });
        }
        // A folder that cannot be written to makes SQLite fail in ways that look like damage
        // (its write-ahead log cannot be opened), so it is told apart first.
        check_writable(dir)?;
        let database_key = key.database_key()?;
        let mut conn = open_encrypted(&db_path, &database_key)?;
        migrations::apply(&mut conn, migrations::MIGRATIONS)?;
        check_owner(&conn, &info.id)?;
        let blob_dir = dir.join(BLOB_DIR);
        if !blob_dir.is_dir() {
            fs::create_dir(&blob_dir).map_err(|e| Error::io("creating", &blob_dir, e))?;
        }
        let vault = Self {
            info,
            dir: dir.to_owned(),
            conn,
            blob_dir,
            blob_key: key.blob_key()?,
            database_key,
            last_activity: now,
            audit_anchor: None,
        };
        vault.blobs().sweep(&vault.conn, ORPHAN_GRACE)?;
        Ok(vault)
    }

    pub fn info(&self) -> &ProfileInfo {
        &self.info
    }

    /// A second, independent handle on this already unlocked vault: its own database
    /// connection, the same keys. A background scan moves it to its own thread (a [`Vault`] is
    /// `Send`) while the app keeps using the first handle. Both may write: the database is in
    /// WAL mode, so readers never wait for a writer, and writers wait for each other up to the
    /// busy timeout. No migration or blob sweep runs here; the first open did both.
    pub fn open_another(&self) -> Result<Vault> {
        let conn = open_encrypted(&self.dir.join(DB_FILE), &self.database_key)?;
        check_owner(&conn, &self.info.id)?;
        Ok(Self {
            info: self.info.clone(),
            dir: self.dir.clone(),
            conn,
            blob_dir: self.blob_dir.clone(),
            blob_key: self.blob_key.clone(),
            database_key: self.database_key.clone(),
            last_activity: self.last_activity,
            audit_anchor: self.audit_anchor.clone(),
        })
    }

    /// The profile's database. Other modules keep their tables here (add them with a migration
    /// in [`migrations::MIGRATIONS`]). For a multi-statement change use
    /// `vault.conn().unchecked_transaction()` and commit it.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The encrypted blob store, for images and other bytes too large or too sensitive for a
    /// column.
    pub fn blobs(&self) -> BlobStore<'_> {
        BlobStore::new(&self.blob_dir, &self.blob_key)
    }

    /// Records activity, for auto-lock.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        if now > self.last_activity {
            self.last_activity = now;
        }
    }

    pub fn last_activity(&self) -> DateTime<Utc> {
        self.last_activity
    }

    /// True when nothing happened for `idle` or longer (the `auto_lock_minutes` setting).
    pub fn is_idle(&self, now: DateTime<Utc>, idle: Duration) -> bool {
        let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::MAX);
        now.signed_duration_since(self.last_activity) >= idle
    }

    /// Checks the database (SQLCipher's and SQLite's integrity checks), that every registered
    /// blob decrypts, and the audit chain. Used after a crash and by tests.
    pub fn check(&self) -> Result<()> {
        let v = audit::verify(&self.conn)?;
        if let Some(damage) = v.database_damage {
            return Err(Error::CorruptVault {
                reason: damage,
                source: None,
            });
        }
        let blobs = self.blobs();
        for id in blobs.ids(&self.conn)? {
            blobs.get(&self.conn, &id)?;
        }
        if let Some(broken) = v.first_broken {
            return Err(Error::CorruptVault {
                reason: format!("audit entry {} is broken: {}", broken.seq, broken.reason),
                source: None,
            });
        }
        Ok(())
    }

    /// Locks the profile: the connection closes and the keys are zeroed.
    pub fn lock(self) {
        drop(self);
    }

    /// Keeps this profile's audit head in `keys` from now on (written when the vault closes),
    /// and says how the log compares with the head kept there before.
    pub fn anchor_audit_in(
        &mut self,
        keys: Arc<dyn KeyStore>,
    ) -> Result<audit::anchor::AnchorCheck> {
        let check = audit::anchor::check(keys.as_ref(), &self.info.id, &self.conn)?;
        self.audit_anchor = Some(keys);
        Ok(check)
    }

    /// How the log compares with the head kept in the keyring (unanchored when none is set).
    pub fn audit_anchor_check(&self) -> Result<audit::anchor::AnchorCheck> {
        match &self.audit_anchor {
            Some(keys) => audit::anchor::check(keys.as_ref(), &self.info.id, &self.conn),
            None => Ok(audit::anchor::AnchorCheck::Unanchored),
        }
    }

    /// The folder of this profile (for tests and diagnostics; its files are all encrypted
    /// except `profile.json`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Begins a transaction that takes the write lock at once (`BEGIN IMMEDIATE`), waiting up to the
/// busy timeout for another handle's write to finish. Use it for a change that reads before it
/// writes while another handle on the same vault may write (a background scan and the app): a
/// deferred transaction would fail with "database is locked" when its read went stale.
pub fn write_transaction(conn: &Connection) -> Result<rusqlite::Transaction<'_>> {
    rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| storage("starting a change", e))
}

fn open_encrypted(path: &Path, key: &Secret<[u8; KEY_LEN]>) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| storage("opening", e))?;
    // A raw 256-bit key (`x'…'`), so SQLCipher skips its own passphrase KDF: ours already ran.
    // Both strings hold the key: each is wiped when dropped.
    let key_hex = zeroize::Zeroizing::new(hex::encode(key.expose()));
    let pragma = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key_hex.as_str()));
    conn.execute_batch(&pragma)
        .map_err(|e| storage("unlocking", e))?;
    // SQLCipher writes its own log lines (a failed page HMAC, say) to stderr by default; damage
    // is reported through the errors it returns, in words the user can act on, not raw lines.
    conn.execute_batch("PRAGMA cipher_log = off; PRAGMA cipher_log_level = NONE;")
        .map_err(|e| storage("configuring", e))?;
    // The first read proves the key: with a wrong key SQLCipher reports "not a database".
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| match e.sqlite_error_code() {
        // The file or its write-ahead log cannot be written (a read-only file in a writable
        // folder): not damage, and not the key.
        Some(
            rusqlite::ErrorCode::ReadOnly
            | rusqlite::ErrorCode::CannotOpen
            | rusqlite::ErrorCode::PermissionDenied,
        ) => Error::DataFolderNotWritable {
            path: path.display().to_string(),
            source: Some(Box::new(e)),
        },
        _ => Error::CorruptVault {
            reason: "the database does not open with this profile's key".into(),
            source: None,
        },
    })?;
    // WAL lets a background scan write while the app reads on another connection; SQLCipher
    // encrypts the WAL file's pages like the database's.
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(|e| storage("configuring", e))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .map_err(|e| storage("configuring", e))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA synchronous = FULL;",
    )
    .map_err(|e| storage("configuring", e))?;
    Ok(conn)
}

/// Fails with [`Error::DataFolderNotWritable`] when nothing can be created in `dir`: a
/// read-only disk or folder. A probe file is made and removed at once.
fn check_writable(dir: &Path) -> Result<()> {
    let probe = dir.join(format!(
        ".write-probe-{}",
        hex::encode(random_array::<8>()?)
    ));
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(file) => {
            drop(file);
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            let root = dir.parent().and_then(Path::parent).unwrap_or(dir);
            Err(Error::DataFolderNotWritable {
                path: root.display().to_string(),
                source: Some(Box::new(e)),
            })
        }
        Err(e) => Err(Error::io("writing in", dir, e)),
    }
}

/// Records the profile id in a new database, and refuses a database that belongs to another
/// profile (a `vault.db` copied between folders).
fn check_owner(conn: &Connection, id: &str) -> Result<()> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM vault_meta WHERE key = 'profile_id'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading the vault's identity", e))?;
    match stored {
        Some(s) if s == id => Ok(()),
        Some(_) => Err(Error::CorruptVault {
            reason: "the database belongs to another profile".into(),
            source: None,
        }),
        None => conn
            .execute(
                "INSERT INTO vault_meta (key, value) VALUES ('profile_id', ?1)",
                [id],
            )
            .map(|_| ())
            .map_err(|e| storage("recording the vault's identity", e)),
    }
}

#[cfg(unix)]
fn restrict(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::io("restricting permissions of", dir, e))
}

#[cfg(not(unix))]
fn restrict(_dir: &Path) -> Result<()> {
    Ok(())
}

impl Drop for Vault {
    /// The audit head goes to the keyring as the connection closes. Best effort: a keyring that
    /// fails here leaves an older anchor, which the next check still holds against.
    fn drop(&mut self) {
        if let Some(keys) = &self.audit_anchor {
            if let Err(e) = audit::anchor::record(keys.as_ref(), &self.info.id, &self.conn) {
                tracing::warn!("could not keep the audit head in the keyring: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests;
