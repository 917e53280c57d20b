//! `profile.json`: the only file of a profile that is readable without its key.
//!
//! It holds the profile's random id, the name the user gave it, its kind, when it was made and,
//! for a clinic profile, the passphrase-wrapped key. Nothing else about the person is in it.

use std::fs;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::WrappedKey;
use crate::{Error, Result};

pub const PROFILE_FILE: &str = "profile.json";
const FORMAT: u32 = 1;
const MAX_NAME_CHARS: usize = 64;

/// How a profile's key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// Key in the OS keyring of the logged-in user.
    Personal,
    /// Key wrapped by a passphrase (Argon2id); for shared computers.
    Clinic,
}

/// What the profile list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileInfo {
    pub id: String,
    pub name: String,
    pub kind: ProfileKind,
    pub created_at: DateTime<Utc>,
}

/// Where the key lives, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "snake_case")]
pub enum KeySlot {
    Keyring,
    Passphrase(WrappedKey),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileFile {
    pub format: u32,
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub key: KeySlot,
}

impl ProfileFile {
    pub fn new(id: String, name: String, created_at: DateTime<Utc>, key: KeySlot) -> Self {
        Self {
            format: FORMAT,
            id,
            name,
            created_at,
            key,
        }
    }

    pub fn info(&self) -> ProfileInfo {
        ProfileInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: match self.key {
                KeySlot::Keyring => ProfileKind::Personal,
                KeySlot::Passphrase(_) => ProfileKind::Clinic,
            },
            created_at: self.created_at,
        }
    }

    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(PROFILE_FILE);
        // A profile.json is a few hundred bytes; anything far larger is not one.
        let bytes = crate::base::files::read_regular(&path, 64 * 1024)?;
        let file: Self = serde_json::from_slice(&bytes).map_err(|e| Error::CorruptVault {
            reason: format!("profile.json: {e}"),
            source: Some(e.into()),
        })?;
        if file.format != FORMAT {
            return Err(Error::CorruptVault {
                reason: format!("profile.json has unknown format {}", file.format),
                source: None,
            });
        }
        // The id names the folder and goes into paths: it must be the folder's own name.
        let folder = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let well_formed = file.id.len() == 32 && file.id.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed || file.id != folder {
            return Err(Error::CorruptVault {
                reason: "profile.json names another profile than its folder".into(),
                source: None,
            });
        }
        Ok(file)
    }

    /// Replaces the file atomically (write, sync, rename), so a crash leaves the old or the new
    /// version, never a torn one that would lose a wrapped key.
    ///
    /// The rename alone would leave the old version (perhaps a wrapped key sealed under an old
    /// passphrase) in blocks the filesystem merely frees. So the old file is held open across
    /// the rename and its bytes are then overwritten with zeros through that handle. That
    /// reaches the old blocks on filesystems that write in place (ext4, XFS, NTFS); copy-on-write
    /// ones (btrfs, ZFS, APFS) and SSD wear-levelling may still keep a copy, and a crash between
    /// the rename and the overwrite leaves it too (see vault/README.md).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(PROFILE_FILE);
        let tmp = dir.join(format!("{PROFILE_FILE}.new"));
        let text = serde_json::to_vec_pretty(self).map_err(|_| Error::Crypto {
            reason: "encoding profile.json",
        })?;
        let mut f = fs::File::create(&tmp).map_err(|e| Error::io("writing", &tmp, e))?;
        f.write_all(&text)
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io("writing", &tmp, e))?;
        let previous = fs::OpenOptions::new().write(true).open(&path).ok();
        fs::rename(&tmp, &path).map_err(|e| Error::io("saving", &path, e))?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        if let Some(mut old) = previous {
            // Best effort: the new file is in place whatever happens here.
            let len = old.metadata().map(|m| m.len()).unwrap_or(0).min(64 * 1024);
            let zeros = vec![0u8; usize::try_from(len).unwrap_or(0)];
            if let Err(e) = old.write_all(&zeros).and_then(|()| old.sync_all()) {
                tracing::warn!("could not overwrite the replaced profile.json: {e}");
            }
        }
        Ok(())
    }
}

/// Trims and checks a profile name typed by the user.
pub fn validate_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    let bad = |reason| {
        Err(Error::InvalidProfileName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return bad("it is longer than 64 characters");
    }
    if name.chars().any(char::is_control) {
        return bad("it contains control characters");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(validate_name("  Ana B. ").unwrap(), "Ana B.");
        assert!(validate_name("   ").is_err());
        assert!(validate_name("a\nb").is_err());
        assert!(validate_name(&"x".repeat(65)).is_err());
        assert!(validate_name("Zoë / client 12").is_ok());
    }

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn file_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(ID);
        fs::create_dir(&dir).unwrap();
        let f = ProfileFile::new(ID.into(), "n".into(), Utc::now(), KeySlot::Keyring);
        f.write(&dir).unwrap();
        assert_eq!(ProfileFile::read(&dir).unwrap(), f);
        assert_eq!(f.info().kind, ProfileKind::Personal);
    }

    #[test]
    fn a_replaced_file_is_overwritten_not_only_unlinked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(ID);
        fs::create_dir(&dir).unwrap();
        let first = ProfileFile::new(ID.into(), "first name".into(), Utc::now(), KeySlot::Keyring);
        first.write(&dir).unwrap();
        // A reader's handle keeps the first version's inode: what is left in it after the
        // replacement is what the freed blocks hold.
        let mut kept = fs::File::open(dir.join(PROFILE_FILE)).unwrap();
        let len = kept.metadata().unwrap().len();
        ProfileFile::new(ID.into(), "second".into(), Utc::now(), KeySlot::Keyring)
            .write(&dir)
            .unwrap();
        let mut left = Vec::new();
        std::io::Read::read_to_end(&mut kept, &mut left).unwrap();
        assert_eq!(left.len() as u64, len);
        assert!(
            left.iter().all(|b| *b == 0),
            "the old profile.json is still readable"
        );
        assert_eq!(ProfileFile::read(&dir).unwrap().name, "second");
    }

    #[test]
    fn a_file_naming_another_folder_or_a_path_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(ID);
        fs::create_dir(&dir).unwrap();
        for id in ["fedcba9876543210fedcba9876543210", "../../../../etc", "abc"] {
            ProfileFile::new(id.into(), "n".into(), Utc::now(), KeySlot::Keyring)
                .write(&dir)
                .unwrap();
            assert!(
                matches!(ProfileFile::read(&dir), Err(Error::CorruptVault { .. })),
                "{id}"
            );
        }
    }
}
