//! What the owner does to a case, each audited in the same transaction as the change, and
//! answered with the case as it now stands.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::{store, CaseState, CaseView};
use crate::base::error::storage;
use crate::storage::audit;
use crate::Result;

/// "I sent it": the legal clock starts now.
pub fn record_sent(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<CaseView> {
    let tx = crate::storage::vault::write_transaction(conn)?;
    store::mark_sent(&tx, id, now)?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "case.sent").detail(serde_json::json!({ "case_id": id })),
        now,
    )?;
    tx.commit().map_err(|e| storage("updating the case", e))?;
    store::get(conn, id, now)
}

/// Records what happened next (acknowledged, removed, refused, …) with an optional note; a
/// blank note is no note.
pub fn record_outcome(
    conn: &Connection,
    id: i64,
    next: CaseState,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<CaseView> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let tx = crate::storage::vault::write_transaction(conn)?;
    store::transition(&tx, id, next, now, note)?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "case.updated")
            .detail(serde_json::json!({ "case_id": id, "state": next.as_str() })),
        now,
    )?;
    tx.commit().map_err(|e| storage("updating the case", e))?;
    store::get(conn, id, now)
}
