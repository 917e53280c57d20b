//! The vault's schema, as an ordered list of migrations.
//!
//! **To change the schema, add `migrations/NNN_name.sql` and append it to [`MIGRATIONS`]** with the
//! next version number. Never edit or reorder an entry that has shipped: existing vaults already ran it. Each
//! migration runs in its own transaction together with the `user_version` bump, so a crash leaves
//! the vault at the previous version, never half-way.

use rusqlite::Connection;

use crate::base::error::storage;
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

/// One migration from `migrations/NNN_name.sql`: the vault owns the schema, so no domain module
/// has to be imported to build it.
macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("migrations/", $file)),
        }
    };
}

/// Every migration, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "vault: identity and blob index", "001_vault.sql"),
    migration!(2, "audit: hash-chained log", "002_audit.sql"),
    migration!(
        3,
        "enrollment: consent records and reference faces",
        "003_enrollment.sql"
    ),
    migration!(
        4,
        "letters: the identity letters are signed with",
        "004_identity.sql"
    ),
    migration!(
        5,
        "cases: one per letter, with events and clock pauses",
        "005_cases.sql"
    ),
    migration!(
        6,
        "search: sources, registered photos, findings, scan jobs, provider records",
        "006_search.sql"
    ),
    migration!(
        7,
        "findings: evidence captured on confirm, re-check log, removal time",
        "007_evidence.sql"
    ),
    migration!(
        8,
        "monitor: revisit intervals, the runner's cycles, the events inbox",
        "008_monitor.sql"
    ),
    migration!(
        9,
        "evidence: WARC records of each capture, capture method",
        "009_capture.sql"
    ),
    migration!(
        10,
        "reason codes: each event's site and reason, an unverified finding's reason",
        "010_reason_codes.sql"
    ),
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
        let tx = conn.transaction().map_err(|e| storage("migrating", e))?;
        tx.execute_batch(m.sql)
            .map_err(|e| storage("migrating", e))?;
        tx.pragma_update(None, "user_version", m.version)
            .map_err(|e| storage("migrating", e))?;
        tx.commit().map_err(|e| storage("migrating", e))?;
        applied.push(m.version);
    }
    Ok(applied)
}

/// The schema version stored in the database.
pub fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| storage("reading the schema version", e))
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
                source: None,
            });
        }
    }
    Ok(())
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
