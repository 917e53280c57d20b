//! The vault's schema, as an ordered list of migrations.
//!
//! **To change the schema, append a [`Migration`] to [`MIGRATIONS`]** with the next version
//! number. Never edit or reorder an entry that has shipped: existing vaults already ran it. Each
//! migration runs in its own transaction together with the `user_version` bump, so a crash leaves
//! the vault at the previous version, never half-way.

use rusqlite::Connection;

use crate::{Error, Result};

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// 1, 2, 3, … without gaps; stored in SQLite's `user_version`.
    pub version: i64,
    /// What it adds, for people reading the list.
    pub name: &'static str,
    /// SQL run as one batch.
    pub sql: &'static str,
}

/// Every migration, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "vault: identity and blob index",
        sql: "
            -- One row: which profile this database belongs to, so a swapped file is noticed.
            CREATE TABLE vault_meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            -- Every encrypted file in blobs/. A file without a row is an orphan from an
            -- interrupted write and is swept on open.
            CREATE TABLE blobs (
                id         TEXT PRIMARY KEY,
                size       INTEGER NOT NULL,
                created_at TEXT NOT NULL
            );
        ",
    },
    Migration {
        version: 2,
        name: "audit: hash-chained log",
        sql: "
            CREATE TABLE audit_log (
                seq       INTEGER PRIMARY KEY,
                at        TEXT NOT NULL,
                actor     TEXT NOT NULL,
                action    TEXT NOT NULL,
                subject   TEXT,
                detail    TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash      TEXT NOT NULL
            );
            -- Append-only for the app itself; the hash chain catches anyone who drops these.
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        ",
    },
    Migration {
        version: 3,
        name: "enrollment: consent records and reference faces",
        sql: "
            CREATE TABLE consents (
                id            INTEGER PRIMARY KEY,
                attested_by   TEXT NOT NULL CHECK (attested_by IN ('owner', 'advocate')),
                advocate_name TEXT,
                method        TEXT NOT NULL,
                statement     TEXT NOT NULL,
                at            TEXT NOT NULL
            );
            CREATE TABLE enrolled_faces (
                id          INTEGER PRIMARY KEY,
                consent_id  INTEGER NOT NULL REFERENCES consents(id),
                blob_id     TEXT NOT NULL REFERENCES blobs(id),
                image_sha256 TEXT NOT NULL,
                descriptor  BLOB NOT NULL,
                box_x       REAL NOT NULL,
                box_y       REAL NOT NULL,
                box_width   REAL NOT NULL,
                box_height  REAL NOT NULL,
                score       REAL NOT NULL,
                sharpness   REAL NOT NULL,
                age         REAL NOT NULL,
                added_at    TEXT NOT NULL
            );
        ",
    },
    Migration {
        version: 4,
        name: "letters: the identity letters are signed with",
        sql: crate::identity::store::SCHEMA,
    },
    Migration {
        version: 5,
        name: "cases: one per letter, with events and clock pauses",
        sql: crate::cases::store::SCHEMA,
    },
    Migration {
        version: 6,
        name: "search: sources, registered photos, findings, scan jobs, provider records",
        sql: crate::scan::schema::SCHEMA,
    },
    Migration {
        version: 7,
        name: "findings: evidence captured on confirm, re-check log, removal time",
        sql: crate::findings::evidence::SCHEMA,
    },
];

/// The newest schema this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Brings `conn` up to the newest version in `migrations`. Returns the versions applied.
pub fn apply(conn: &mut Connection, migrations: &[Migration]) -> Result<Vec<i64>> {
    check_order(migrations)?;
    let current = version(conn)?;
    let latest = migrations.last().map_or(0, |m| m.version);
    if current > latest {
        return Err(Error::VaultTooNew {
            found: current,
            supported: latest,
        });
    }
    let mut applied = Vec::new();
    for m in migrations.iter().filter(|m| m.version > current) {
        let tx = conn.transaction().map_err(|e| storage("migrating", &e))?;
        tx.execute_batch(m.sql)
            .map_err(|e| storage("migrating", &e))?;
        tx.pragma_update(None, "user_version", m.version)
            .map_err(|e| storage("migrating", &e))?;
        tx.commit().map_err(|e| storage("migrating", &e))?;
        applied.push(m.version);
    }
    Ok(applied)
}

/// The schema version stored in the database.
pub fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| storage("reading the schema version", &e))
}

fn check_order(migrations: &[Migration]) -> Result<()> {
    for (i, m) in migrations.iter().enumerate() {
        let expected = i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1);
        if m.version != expected {
            return Err(Error::CorruptVault {
                reason: format!(
                    "migration list is out of order at version {} (expected {expected})",
                    m.version
                ),
            });
        }
    }
    Ok(())
}

pub(crate) fn storage(action: &'static str, e: &rusqlite::Error) -> Error {
    Error::VaultStorage {
        action,
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn the_list_is_numbered_without_gaps() {
        check_order(MIGRATIONS).unwrap();
        assert_eq!(latest_version(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_fresh_database_gets_every_migration_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        let applied = apply(&mut conn, MIGRATIONS).unwrap();
        assert_eq!(applied, (1..=latest_version()).collect::<Vec<_>>());
        assert_eq!(version(&conn).unwrap(), latest_version());
        assert!(
            apply(&mut conn, MIGRATIONS).unwrap().is_empty(),
            "idempotent"
        );
        let t = tables(&conn);
        for name in [
            "audit_log",
            "blobs",
            "consents",
            "enrolled_faces",
            "vault_meta",
        ] {
            assert!(t.iter().any(|x| x == name), "{name} in {t:?}");
        }
    }

    #[test]
    fn an_old_database_is_upgraded_and_keeps_its_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, &MIGRATIONS[..1]).unwrap();
        conn.execute(
            "INSERT INTO vault_meta (key, value) VALUES ('profile_id', 'abc')",
            [],
        )
        .unwrap();
        let applied = apply(&mut conn, MIGRATIONS).unwrap();
        assert_eq!(applied.first(), Some(&2));
        let v: String = conn
            .query_row("SELECT value FROM vault_meta", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, "abc");
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        let broken = [
            MIGRATIONS[0],
            Migration {
                version: 2,
                name: "broken",
                sql: "CREATE TABLE x (a); THIS IS NOT SQL;",
            },
        ];
        assert!(apply(&mut conn, &broken).is_err());
        assert_eq!(version(&conn).unwrap(), 1);
        assert!(!tables(&conn).iter().any(|t| t == "x"), "rolled back");
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            apply(&mut conn, MIGRATIONS),
            Err(Error::VaultTooNew { found: 99, .. })
        ));
    }

    #[test]
    fn an_out_of_order_list_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(apply(&mut conn, &[MIGRATIONS[1]]).is_err());
    }
}
