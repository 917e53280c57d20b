//! The audit head kept outside the vault, in the OS keyring.
//!
//! The hash chain shows an entry changed or removed in the middle, but not a vault copied back
//! from an older backup, or one whose newest entries were cut off: what is left still chains.
//! So the number of entries and the newest hash are also kept in the keyring, one entry per
//! profile. A vault with fewer entries than that, or whose entry at that position has another
//! hash, was rolled back or rewritten.
//!
//! The keyring is written when a vault closes (and may lag after a crash): a vault *ahead* of
//! its anchor is normal, one *behind* it never is.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::base::error::storage;
use crate::storage::secrets::{KeyStore, Secret};
use crate::{Error, Result};

/// What the keyring holds for one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub entries: u64,
    pub head: String,
}

/// How the vault's log compares with its anchor.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AnchorCheck {
    /// Nothing anchored yet (a new profile, or no keyring on this computer).
    Unanchored,
    /// The log holds everything the keyring last saw.
    Holds {
        #[cfg_attr(feature = "specta", specta(type = f64))]
        anchored: u64,
    },
    /// The log has fewer entries than the keyring last saw: entries were cut off, or the vault
    /// was put back from an older copy.
    Behind {
        #[cfg_attr(feature = "specta", specta(type = f64))]
        anchored: u64,
        #[cfg_attr(feature = "specta", specta(type = f64))]
        entries: u64,
    },
    /// The entry the keyring last saw has another hash now: the log was rewritten from there.
    Rewritten {
        #[cfg_attr(feature = "specta", specta(type = f64))]
        at: u64,
    },
}

impl AnchorCheck {
    /// False when the vault is behind its anchor or was rewritten.
    pub fn holds(&self) -> bool {
        matches!(self, Self::Unanchored | Self::Holds { .. })
    }
}

impl std::fmt::Display for AnchorCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unanchored => f.write_str("no audit head is kept in the keyring for this profile yet"),
            Self::Holds { anchored } => write!(f, "the log holds all {anchored} entries the keyring last saw"),
            Self::Behind { anchored, entries } => write!(
                f,
                "the log has {entries} entries but had {anchored}: entries were cut off, or the vault was put back from an older copy"
            ),
            Self::Rewritten { at } => write!(
                f,
                "entry {at} is not the one the keyring last saw: the log was rewritten from there"
            ),
        }
    }
}

fn account(profile_id: &str) -> String {
    format!("audit-head:{profile_id}")
}

/// The log's current count and newest hash.
fn current(conn: &Connection) -> Result<Anchor> {
    let (entries, head): (i64, Option<String>) = conn
        .query_row(
            "SELECT COUNT(*), (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) FROM audit_log",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| storage("reading the audit log", e))?;
    Ok(Anchor {
        entries: entries.max(0) as u64,
        head: head.unwrap_or_else(|| super::GENESIS.to_owned()),
    })
}

/// Keeps the log's current head in the keyring, unless the keyring already holds a later one.
pub fn record(keys: &dyn KeyStore, profile_id: &str, conn: &Connection) -> Result<()> {
    let now = current(conn)?;
    if let Some(kept) = read(keys, profile_id)? {
        // Never move the anchor back: a rolled-back vault must keep failing its check.
        if kept.entries > now.entries {
            return Ok(());
        }
    }
    let text = serde_json::to_vec(&now).map_err(|e| Error::Keyring {
        reason: "could not encode the audit head".into(),
        source: Some(e.into()),
    })?;
    keys.put(&account(profile_id), &Secret::new(text))
}

/// Compares the log with what the keyring last saw.
pub fn check(keys: &dyn KeyStore, profile_id: &str, conn: &Connection) -> Result<AnchorCheck> {
    let Some(kept) = read(keys, profile_id)? else {
        return Ok(AnchorCheck::Unanchored);
    };
    let entries = current(conn)?.entries;
    if entries < kept.entries {
        return Ok(AnchorCheck::Behind {
            anchored: kept.entries,
            entries,
        });
    }
    if kept.entries == 0 {
        return Ok(AnchorCheck::Holds { anchored: 0 });
    }
    let hash: Option<String> = conn
        .query_row(
            "SELECT hash FROM audit_log WHERE seq = ?1",
            [kept.entries as i64],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading the audit log", e))?;
    Ok(if hash.as_deref() == Some(kept.head.as_str()) {
        AnchorCheck::Holds {
            anchored: kept.entries,
        }
    } else {
        AnchorCheck::Rewritten { at: kept.entries }
    })
}

/// Removes the profile's anchor (the profile is being wiped).
pub fn forget(keys: &dyn KeyStore, profile_id: &str) -> Result<()> {
    keys.delete(&account(profile_id))
}

fn read(keys: &dyn KeyStore, profile_id: &str) -> Result<Option<Anchor>> {
    let Some(bytes) = keys.get(&account(profile_id))? else {
        return Ok(None);
    };
    // An entry that does not parse was written by someone else: it proves nothing either way,
    // and is reported as damage rather than ignored.
    serde_json::from_slice(bytes.expose())
        .map(Some)
        .map_err(|e| Error::Keyring {
            reason: "the audit head kept in the keyring is not readable".into(),
            source: Some(e.into()),
        })
}
