//! The encrypted blob store: images, thumbnails and evidence files of one profile.
//!
//! Each blob is one file `blobs/<id>` holding a random 24-byte nonce followed by the
//! XChaCha20-Poly1305 ciphertext; the id is authenticated as associated data, so files cannot be
//! swapped. Ids are random, not content hashes, so a file name says nothing about the image.
//!
//! Writes are crash-safe: the ciphertext goes to `<id>.partial`, is synced, renamed into place,
//! and only then is the blob registered in the `blobs` table, inside the caller's transaction.
//! A crash leaves at worst an encrypted orphan file, which [`BlobStore::sweep`] removes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use super::keys::{aead_open, aead_seal, random_array, KEY_LEN, NONCE_LEN};
use crate::base::error::storage;
use crate::storage::secrets::Secret;
use crate::{Error, Result};

/// The id of a blob: 32 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct BlobId(String);

impl BlobId {
    fn random() -> Result<Self> {
        Ok(Self(hex::encode(random_array::<16>()?)))
    }

    /// Accepts only ids this store could have made, so an id can never name a path outside it.
    pub fn parse(s: &str) -> Result<Self> {
        if s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::CorruptVault {
                reason: "a blob id is malformed".into(),
                source: None,
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BlobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Access to one unlocked profile's blobs.
#[derive(Debug)]
pub struct BlobStore<'a> {
    dir: &'a Path,
    key: &'a Secret<[u8; KEY_LEN]>,
}

impl<'a> BlobStore<'a> {
    pub(crate) fn new(dir: &'a Path, key: &'a Secret<[u8; KEY_LEN]>) -> Self {
        Self { dir, key }
    }

    /// Encrypts `bytes` into a new blob and registers it through `conn`. Pass a transaction to
    /// make the blob part of a larger change: if it rolls back, the file becomes an orphan.
    pub fn put(&self, conn: &Connection, bytes: &[u8], now: DateTime<Utc>) -> Result<BlobId> {
        let id = BlobId::random()?;
        let nonce: [u8; NONCE_LEN] = random_array()?;
        let sealed = aead_seal(self.key.expose(), &nonce, bytes, id.0.as_bytes())?;
        let partial = self.dir.join(format!("{id}.partial"));
        let path = self.path(&id);
        // A write that fails (a full disk) removes its half-written file at once; a crash
        // leaves it to the next sweep.
        if let Err(e) = write_synced(&partial, &nonce, &sealed) {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
        if let Err(e) = fs::rename(&partial, &path) {
            let _ = fs::remove_file(&partial);
            return Err(Error::io("saving", &path, e));
        }
        sync_dir(self.dir);
        conn.execute(
            "INSERT INTO blobs (id, size, created_at) VALUES (?1, ?2, ?3)",
            params![id.0, bytes.len() as i64, now.to_rfc3339()],
        )
        .map_err(|e| storage("registering a blob", e))?;
        Ok(id)
    }

    /// Encrypts `bytes` into the file of blob `id`, which the caller has registered (re-keying
    /// writes every registered blob again under a new key, with the id it had). A fresh nonce
    /// each time, written and synced like [`BlobStore::put`]'s.
    pub(crate) fn write_as(&self, id: &BlobId, bytes: &[u8]) -> Result<()> {
        let nonce: [u8; NONCE_LEN] = random_array()?;
        let sealed = aead_seal(self.key.expose(), &nonce, bytes, id.0.as_bytes())?;
        let partial = self.dir.join(format!("{id}.partial"));
        let path = self.path(id);
        write_synced(&partial, &nonce, &sealed)?;
        fs::rename(&partial, &path).map_err(|e| Error::io("saving", &path, e))
    }

    /// Decrypts a blob. The bytes are zeroed when dropped.
    pub fn get(&self, conn: &Connection, id: &BlobId) -> Result<Zeroizing<Vec<u8>>> {
        let known: Option<i64> = conn
            .query_row("SELECT size FROM blobs WHERE id = ?1", [&id.0], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| storage("looking up a blob", e))?;
        if known.is_none() {
            return Err(Error::CorruptVault {
                reason: "a referenced blob is not registered".into(),
                source: None,
            });
        }
        let path = self.path(id);
        let data = fs::read(&path).map_err(|e| Error::io("reading", &path, e))?;
        if data.len() < NONCE_LEN {
            return Err(Error::CorruptVault {
                reason: "a blob file is truncated".into(),
                source: None,
            });
        }
        let (nonce, sealed) = data.split_at(NONCE_LEN);
        aead_open(self.key.expose(), nonce, sealed, id.0.as_bytes())
    }

    /// Unregisters a blob through `conn` (a transaction, typically). The file itself is left for
    /// [`BlobStore::sweep`], so that a rolled-back transaction never loses a file it still names.
    pub fn forget(&self, conn: &Connection, id: &BlobId) -> Result<()> {
        conn.execute("DELETE FROM blobs WHERE id = ?1", [&id.0])
            .map_err(|e| storage("removing a blob", e))?;
        Ok(())
    }

    /// Removes files that no row names: leftovers of interrupted writes and forgotten blobs.
    /// Files newer than `grace` are kept, because another process (the app and the CLI at once)
    /// may be between writing a file and committing its row. Returns how many were removed.
    pub fn sweep(&self, conn: &Connection, grace: std::time::Duration) -> Result<usize> {
        let entries = fs::read_dir(self.dir).map_err(|e| Error::io("listing", self.dir, e))?;
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".partial").unwrap_or(&name);
            let registered = match BlobId::parse(stem) {
                Ok(id) if stem.len() == name.len() => conn
                    .query_row("SELECT 1 FROM blobs WHERE id = ?1", [&id.0], |_| Ok(()))
                    .optional()
                    .map_err(|e| storage("sweeping blobs", e))?
                    .is_some(),
                _ => false,
            };
            let young = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_none_or(|age| age < grace);
            if !registered && !young && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Every registered blob id, for consistency checks.
    pub fn ids(&self, conn: &Connection) -> Result<Vec<BlobId>> {
        let mut st = conn
            .prepare("SELECT id FROM blobs ORDER BY id")
            .map_err(|e| storage("listing blobs", e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| storage("listing blobs", e))?;
        rows.map(|r| {
            r.map_err(|e| storage("listing blobs", e))
                .and_then(|s| BlobId::parse(&s))
        })
        .collect()
    }

    fn path(&self, id: &BlobId) -> PathBuf {
        self.dir.join(&id.0)
    }
}

fn write_synced(path: &Path, nonce: &[u8], sealed: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(|e| Error::io("writing", path, e))?;
    f.write_all(nonce)
        .and_then(|()| f.write_all(sealed))
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io("writing", path, e))
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::vault::migrations::{apply, MIGRATIONS};

    fn setup() -> (tempfile::TempDir, Connection, Secret<[u8; KEY_LEN]>) {
        let tmp = tempfile::tempdir().unwrap();
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, MIGRATIONS).unwrap();
        (tmp, conn, Secret::new([9u8; KEY_LEN]))
    }

    #[test]
    fn round_trip_and_ciphertext_on_disk() {
        let (tmp, conn, key) = setup();
        let store = BlobStore::new(tmp.path(), &key);
        let plain = b"not really a jpeg but secret all the same".repeat(10);
        let id = store.put(&conn, &plain, Utc::now()).unwrap();
        assert_eq!(&store.get(&conn, &id).unwrap()[..], &plain[..]);
        let on_disk = fs::read(tmp.path().join(id.as_str())).unwrap();
        assert!(!on_disk
            .windows(16)
            .any(|w| plain.windows(16).any(|p| p == w)));
    }

    #[test]
    fn a_swapped_file_does_not_decrypt() {
        let (tmp, conn, key) = setup();
        let store = BlobStore::new(tmp.path(), &key);
        let a = store.put(&conn, b"aaaa", Utc::now()).unwrap();
        let b = store.put(&conn, b"bbbb", Utc::now()).unwrap();
        fs::copy(tmp.path().join(a.as_str()), tmp.path().join(b.as_str())).unwrap();
        assert!(store.get(&conn, &b).is_err());
    }

    #[test]
    fn sweep_removes_orphans_but_keeps_registered_and_young_files() {
        let (tmp, conn, key) = setup();
        let store = BlobStore::new(tmp.path(), &key);
        let kept = store.put(&conn, b"kept", Utc::now()).unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        let lost = store.put(&tx, b"rolled back", Utc::now()).unwrap();
        drop(tx);
        fs::write(tmp.path().join("0123.partial"), b"x").unwrap();
        assert_eq!(
            store
                .sweep(&conn, std::time::Duration::from_secs(3600))
                .unwrap(),
            0
        );
        assert_eq!(store.sweep(&conn, std::time::Duration::ZERO).unwrap(), 2);
        assert!(tmp.path().join(kept.as_str()).exists());
        assert!(!tmp.path().join(lost.as_str()).exists());
        assert_eq!(store.ids(&conn).unwrap(), vec![kept]);
    }

    #[test]
    fn ids_cannot_name_other_paths() {
        assert!(BlobId::parse("../../etc/passwd").is_err());
        assert!(BlobId::parse(&"A".repeat(32)).is_err());
        assert!(BlobId::parse(&"a".repeat(32)).is_ok());
    }
}
