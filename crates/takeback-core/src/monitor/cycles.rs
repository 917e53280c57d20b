//! The `monitor_cycles` table: one row per cycle, so a cycle cut short (crash, cancel) is
//! finished by the next run instead of started again.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::base::error::storage;
use crate::Result;

/// Where a cycle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CycleStatus {
    Running,
    Finished,
    Cancelled,
}

impl CycleStatus {
    fn as_str(self) -> &'static str {
        match self {
            CycleStatus::Running => "running",
            CycleStatus::Finished => "finished",
            CycleStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> CycleStatus {
        match text {
            "finished" => CycleStatus::Finished,
            "cancelled" => CycleStatus::Cancelled,
            _ => CycleStatus::Running,
        }
    }
}

/// One cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Cycle {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub started_at: DateTime<Utc>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub finished_at: Option<DateTime<Utc>>,
    pub forced: bool,
    pub allow_local_network: bool,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub scan_job_id: Option<i64>,
    pub scan_processed: bool,
    pub status: CycleStatus,
}

const COLUMNS: &str = "id, started_at, finished_at, forced, allow_local_network, scan_job_id,
    scan_processed, status";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Cycle> {
    let time = |i: usize, text: String| {
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })
    };
    Ok(Cycle {
        id: r.get(0)?,
        started_at: time(1, r.get(1)?)?,
        finished_at: r
            .get::<_, Option<String>>(2)?
            .map(|t| time(2, t))
            .transpose()?,
        forced: r.get(3)?,
        allow_local_network: r.get(4)?,
        scan_job_id: r.get(5)?,
        scan_processed: r.get(6)?,
        status: CycleStatus::parse(&r.get::<_, String>(7)?),
    })
}

/// Starts a cycle.
pub fn create(
    conn: &Connection,
    forced: bool,
    allow_local_network: bool,
    now: DateTime<Utc>,
) -> Result<Cycle> {
    conn.execute(
        "INSERT INTO monitor_cycles (started_at, forced, allow_local_network, status)
         VALUES (?1, ?2, ?3, 'running')",
        params![now.to_rfc3339(), forced, allow_local_network],
    )
    .map_err(|e| storage("starting a monitoring cycle", e))?;
    get(conn, conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Cycle> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM monitor_cycles WHERE id = ?1"),
        [id],
        row,
    )
    .map_err(|e| storage("reading a monitoring cycle", e))
}

/// The newest cycle that did not finish (a crash leaves it `running`, a cancel `cancelled`).
pub fn unfinished(conn: &Connection) -> Result<Option<Cycle>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM monitor_cycles WHERE status != 'finished' ORDER BY id DESC LIMIT 1"
        ),
        [],
        row,
    )
    .optional()
    .map_err(|e| storage("reading a monitoring cycle", e))
}

/// The newest cycle.
pub fn latest(conn: &Connection) -> Result<Option<Cycle>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM monitor_cycles ORDER BY id DESC LIMIT 1"),
        [],
        row,
    )
    .optional()
    .map_err(|e| storage("reading a monitoring cycle", e))
}

pub fn set_scan_job(conn: &Connection, id: i64, job_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE monitor_cycles SET scan_job_id = ?2 WHERE id = ?1",
        params![id, job_id],
    )
    .map_err(|e| storage("recording a monitoring cycle", e))?;
    Ok(())
}

/// Inside the transaction that recorded what the scan found.
pub fn set_scan_processed(tx: &Connection, id: i64) -> Result<()> {
    tx.execute(
        "UPDATE monitor_cycles SET scan_processed = 1 WHERE id = ?1",
        [id],
    )
    .map_err(|e| storage("recording a monitoring cycle", e))?;
    Ok(())
}

pub fn set_status(
    conn: &Connection,
    id: i64,
    status: CycleStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let finished = (status == CycleStatus::Finished).then(|| now.to_rfc3339());
    conn.execute(
        "UPDATE monitor_cycles SET status = ?2, finished_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), finished],
    )
    .map_err(|e| storage("recording a monitoring cycle", e))?;
    Ok(())
}
