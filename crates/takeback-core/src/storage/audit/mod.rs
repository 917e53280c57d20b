//! The audit log: append-only, hash-chained entries in the profile's vault.
//!
//! Each entry stores the time, who acted, what they did, the SHA-256 digest of the subject (an
//! image, a URL, a letter; never the thing itself) and a small JSON detail, plus the hash of the
//! previous entry. Its own hash covers all of that, so changing, removing or reordering any entry
//! breaks the chain from that entry on, and [`verify`] names the first one broken.
//!
//! What the chain alone does not prove: that the newest entries were not cut off, or that someone
//! who holds the key did not rewrite the whole chain from some point. [`anchor`] keeps the head
//! in the OS keyring for that.
//!
//! Callers write entries through the same connection or transaction as the change they record,
//! so the log and the data never disagree after a crash.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::base::error::storage;
use crate::storage::integrity;
use crate::Result;

pub mod anchor;

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append. `actor` is who acted (`owner`, `advocate`, `app`); `action` is a dotted
/// name (`profile.created`, `enrollment.added`, `gate.decision`).
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    actor: &'a str,
    action: &'a str,
    subject: Option<String>,
    detail: serde_json::Value,
}

impl<'a> NewEntry<'a> {
    pub fn new(actor: &'a str, action: &'a str) -> Self {
        Self {
            actor,
            action,
            subject: None,
            detail: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// The subject's bytes; only their SHA-256 digest is stored.
    pub fn subject(mut self, bytes: &[u8]) -> Self {
        self.subject = Some(digest(bytes));
        self
    }

    /// A subject already reduced to a digest (see [`digest`]).
    pub fn subject_digest(mut self, hex_digest: String) -> Self {
        self.subject = Some(hex_digest);
        self
    }

    /// Non-sensitive facts about the action (a distance, a count, a decision). Never image
    /// bytes, URLs or a person's details.
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub entries: usize,
    /// True when the chain checks out and so does every page of the database.
    pub ok: bool,
    pub first_broken: Option<Broken>,
    /// What SQLCipher or SQLite found wrong with the database's pages, if anything: damage the
    /// chain cannot show when it sits in a page the log does not use.
    pub database_damage: Option<String>,
    /// The hash of the last entry: write it down to detect a later rewrite.
    pub head: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    pub seq: i64,
    /// Why, in English (the CLI prints it).
    pub reason: String,
    /// The same, as a code the window says in its own language.
    pub why: BrokenWhy,
}

/// Why the log does not check out, as a stable code with its parameters.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum BrokenWhy {
    /// Entry `expected` should be here: an entry was removed or renumbered.
    Renumbered {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        expected: i64,
    },
    /// The entry does not follow the one before it.
    DoesNotFollow,
    /// The entry's content was changed after it was written.
    ContentChanged,
    /// The database's pages are damaged.
    DatabaseDamaged,
}

/// One entry as the Audit page shows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntryView {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// SHA-256 of what the action was about (a photo, a letter), never the thing itself.
    pub subject: Option<String>,
    /// Small facts about the action, as JSON text.
    pub detail: String,
    pub hash: String,
}

/// The log as the Audit page shows it: whether the chain is intact, and the newest entries.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditView {
    /// True when every entry's hash and link to the previous entry check out, and the log holds
    /// the head kept in the keyring.
    pub intact: bool,
    /// How the log compares with the head kept in the keyring.
    pub anchor: anchor::AnchorCheck,
    pub total: u32,
    /// The first entry that does not check out, and why.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub first_broken: Option<i64>,
    pub broken_reason: Option<String>,
    /// The same, as a code the window says in its own language.
    pub broken_why: Option<BrokenWhy>,
    /// The newest entry's hash: writing it down lets anyone detect a later rewrite.
    pub head: String,
    /// Newest first, at most the `limit` asked for.
    pub entries: Vec<AuditEntryView>,
}

/// Verifies the whole chain and returns the newest `limit` entries (1 to 5,000). `anchor` is how
/// the log compares with the head kept in the keyring ([`Vault::audit_anchor_check`]).
///
/// [`Vault::audit_anchor_check`]: crate::storage::vault::Vault::audit_anchor_check
pub fn view(conn: &Connection, limit: u32, anchor: anchor::AnchorCheck) -> Result<AuditView> {
    let check = verify(conn)?;
    let all = list(conn)?;
    let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
    let entries = all
        .into_iter()
        .rev()
        .take(limit.clamp(1, 5000) as usize)
        .map(|e| AuditEntryView {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            detail: e.detail.to_string(),
            hash: e.hash,
        })
        .collect();
    let broken_why = match (check.first_broken.as_ref(), check.database_damage.is_some()) {
        (Some(broken), _) => Some(broken.why),
        (None, true) => Some(BrokenWhy::DatabaseDamaged),
        (None, false) => None,
    };
    let broken_reason = match (check.first_broken.as_ref(), check.database_damage) {
        (Some(broken), _) => Some(broken.reason.clone()),
        (None, Some(damage)) => Some(format!("the vault's database is damaged ({damage})")),
        (None, None) => None,
    };
    Ok(AuditView {
        broken_why,
        intact: check.ok && anchor.holds(),
        anchor,
        total,
        first_broken: check.first_broken.map(|b| b.seq),
        broken_reason,
        head: check.head,
        entries,
    })
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Appends an entry after the current last one.
pub fn append(conn: &Connection, entry: NewEntry<'_>, now: DateTime<Utc>) -> Result<Entry> {
    // Reading the head and inserting after it must be one step. Inside the caller's
    // transaction it already is; otherwise open one.
    let own_tx = if conn.is_autocommit() {
        Some(
            // Immediate: the head read below must not go stale before the insert when another
            // handle on the vault writes at the same time.
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| storage("writing the audit log", e))?,
        )
    } else {
        None
    };
    let tx = conn;
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| storage("reading the audit log", e))?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let at = now.to_rfc3339_opts(SecondsFormat::Micros, true);
    let detail = entry.detail.to_string();
    let hash = entry_hash(
        seq,
        &at,
        entry.actor,
        entry.action,
        entry.subject.as_deref(),
        &detail,
        &prev_hash,
    );
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            at,
            entry.actor,
            entry.action,
            entry.subject,
            detail,
            prev_hash,
            hash
        ],
    )
    .map_err(|e| storage("writing the audit log", e))?;
    if let Some(own) = own_tx {
        own.commit()
            .map_err(|e| storage("writing the audit log", e))?;
    }
    Ok(Entry {
        seq,
        at,
        actor: entry.actor.to_owned(),
        action: entry.action.to_owned(),
        subject: entry.subject,
        detail: entry.detail,
        prev_hash,
        hash,
    })
}

/// Every entry, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<Entry>> {
    let mut st = conn
        .prepare(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )
        .map_err(|e| storage("reading the audit log", e))?;
    let rows = st
        .query_map([], |r| {
            let detail: String = r.get(5)?;
            Ok(Entry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                // A detail that is not JSON is kept as a string, so verify can still report it.
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                prev_hash: r.get(6)?,
                hash: r.get(7)?,
            })
        })
        .map_err(|e| storage("reading the audit log", e))?;
    rows.map(|r| r.map_err(|e| storage("reading the audit log", e)))
        .collect()
}

/// Checks every page of the database, then recomputes the chain and names the first entry that
/// does not fit.
pub fn verify(conn: &Connection) -> Result<Verification> {
    let database_damage = integrity::database_damage(conn)?;
    match verify_chain(conn) {
        Ok(mut verification) => {
            verification.ok &= database_damage.is_none();
            verification.database_damage = database_damage;
            Ok(verification)
        }
        // The damage already explains why the log cannot be read.
        Err(_) if database_damage.is_some() => Ok(Verification {
            entries: 0,
            ok: false,
            first_broken: None,
            database_damage,
            head: String::new(),
        }),
        Err(e) => Err(e),
    }
}

fn verify_chain(conn: &Connection) -> Result<Verification> {
    let mut st = conn
        .prepare(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )
        .map_err(|e| storage("reading the audit log", e))?;
    type Row = (
        i64,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
    );
    let rows: Vec<Row> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .map_err(|e| storage("reading the audit log", e))?
        .collect::<rusqlite::Result<_>>()
        .map_err(|e| storage("reading the audit log", e))?;
    let mut expected_prev = GENESIS.to_owned();
    let mut first_broken = None;
    for (i, (seq, at, actor, action, subject, detail, prev, hash)) in rows.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        let why = if *seq != expected_seq {
            Some(BrokenWhy::Renumbered {
                expected: expected_seq,
            })
        } else if *prev != expected_prev {
            Some(BrokenWhy::DoesNotFollow)
        } else if entry_hash(*seq, at, actor, action, subject.as_deref(), detail, prev) != *hash {
            Some(BrokenWhy::ContentChanged)
        } else {
            None
        };
        if let Some(why) = why {
            let reason = match why {
                BrokenWhy::Renumbered { expected } => {
                    format!("expected entry {expected} here; an entry was removed or renumbered")
                }
                BrokenWhy::DoesNotFollow => "it does not follow the entry before it".to_owned(),
                BrokenWhy::ContentChanged => {
                    "its content was changed after it was written".to_owned()
                }
                BrokenWhy::DatabaseDamaged => "the vault's database is damaged".to_owned(),
            };
            first_broken = Some(Broken {
                seq: *seq,
                reason,
                why,
            });
            break;
        }
        expected_prev.clone_from(hash);
    }
    Ok(Verification {
        entries: rows.len(),
        ok: first_broken.is_none(),
        first_broken,
        database_damage: None,
        head: rows
            .last()
            .map_or_else(|| GENESIS.to_owned(), |r| r.7.clone()),
    })
}

/// The hash of one entry: SHA-256 over a JSON array of its fields, an unambiguous encoding
/// (no field can bleed into the next).
fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: &str,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([seq, at, actor, action, subject, detail, prev_hash]);
    digest(canonical.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::vault::migrations::{apply, MIGRATIONS};

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        apply(&mut c, MIGRATIONS).unwrap();
        c
    }

    fn fill(c: &Connection, n: usize) {
        for i in 0..n {
            append(
                c,
                NewEntry::new("owner", "test.action")
                    .subject(format!("subject {i}").as_bytes())
                    .detail(serde_json::json!({ "i": i })),
                Utc::now(),
            )
            .unwrap();
        }
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = db();
        assert!(verify(&c).unwrap().ok, "empty log");
        fill(&c, 5);
        let v = verify(&c).unwrap();
        assert_eq!((v.entries, v.ok), (5, true));
        let all = list(&c).unwrap();
        assert_eq!(all[0].prev_hash, GENESIS);
        assert_eq!(all[1].prev_hash, all[0].hash);
        assert_eq!(v.head, all[4].hash);
        assert_eq!(
            all[2].subject.as_deref(),
            Some(digest(b"subject 2").as_str())
        );
    }

    #[test]
    fn the_app_cannot_update_or_delete_entries() {
        let c = db();
        fill(&c, 2);
        assert!(c
            .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", [])
            .is_err());
        assert!(c
            .execute("DELETE FROM audit_log WHERE seq = 2", [])
            .is_err());
    }

    fn tamper(c: &Connection, sql: &str) {
        c.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            .unwrap();
        c.execute_batch(sql).unwrap();
    }

    #[test]
    fn a_changed_field_breaks_at_that_entry() {
        for sql in [
            "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3",
            "UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3",
            "UPDATE audit_log SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 3",
            "UPDATE audit_log SET subject = NULL WHERE seq = 3",
        ] {
            let c = db();
            fill(&c, 5);
            tamper(&c, sql);
            let v = verify(&c).unwrap();
            assert!(!v.ok, "{sql}");
            let broken = v.first_broken.unwrap();
            assert_eq!(broken.seq, 3, "{sql}");
            // A code for the window beside the CLI's English.
            assert_eq!(broken.why, BrokenWhy::ContentChanged);
            assert_eq!(
                broken.reason,
                "its content was changed after it was written"
            );
        }
    }

    #[test]
    fn a_removed_entry_is_noticed() {
        let c = db();
        fill(&c, 5);
        tamper(&c, "DELETE FROM audit_log WHERE seq = 2");
        let broken = verify(&c).unwrap().first_broken.unwrap();
        assert_eq!(broken.seq, 3);
        assert_eq!(broken.why, BrokenWhy::Renumbered { expected: 2 });
        assert_eq!(
            broken.reason,
            "expected entry 2 here; an entry was removed or renumbered"
        );
    }

    #[test]
    fn a_rehashed_entry_still_breaks_the_next_one() {
        let c = db();
        fill(&c, 4);
        let e = &list(&c).unwrap()[1];
        let forged = entry_hash(
            e.seq,
            &e.at,
            "forger",
            &e.action,
            e.subject.as_deref(),
            &e.detail.to_string(),
            &e.prev_hash,
        );
        tamper(
            &c,
            &format!("UPDATE audit_log SET actor = 'forger', hash = '{forged}' WHERE seq = 2"),
        );
        assert_eq!(verify(&c).unwrap().first_broken.unwrap().seq, 3);
    }

    #[test]
    fn append_inside_a_rolled_back_transaction_leaves_nothing() {
        let c = db();
        fill(&c, 1);
        {
            let tx = c.unchecked_transaction().unwrap();
            append(&tx, NewEntry::new("owner", "x"), Utc::now()).unwrap();
        }
        assert_eq!(list(&c).unwrap().len(), 1);
        assert!(verify(&c).unwrap().ok);
    }
}
