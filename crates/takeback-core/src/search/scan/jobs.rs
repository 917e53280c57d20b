//! Scan jobs as rows in the vault: the plan, the status, the counters, and the steps done.
//!
//! A job is `running` from its creation until it ends `finished`, `cancelled` or `failed`. A
//! process killed mid-scan leaves it `running`; [`resumable`] finds it (or a cancelled or failed
//! one), and running it again skips every step recorded in `scan_job_items`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::ScanPlan;
use crate::base::error::storage;
use crate::search::error::SearchError;
use crate::Result;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Under way, or interrupted by a crash (then resumable).
    Running,
    Finished,
    /// Stopped by the owner; resumable.
    Cancelled,
    /// Ended by an error, or a provider failed; `error` says which. Resumable.
    Failed,
}

impl JobStatus {
    fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Finished => "finished",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "finished" => JobStatus::Finished,
            "cancelled" => JobStatus::Cancelled,
            "failed" => JobStatus::Failed,
            _ => JobStatus::Running,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Job {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub plan: ScanPlan,
    pub status: JobStatus,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub started_at: DateTime<Utc>,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub updated_at: DateTime<Utc>,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub pages_crawled: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub images_checked: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub hits: u64,
    pub error: Option<String>,
}

pub(crate) fn create(conn: &Connection, plan: &ScanPlan, now: DateTime<Utc>) -> Result<i64> {
    let plan = serde_json::to_string(plan).map_err(|e| SearchError::CorruptPlan {
        reason: e.to_string(),
    })?;
    conn.execute(
        "INSERT INTO scan_jobs (plan, status, started_at, updated_at) VALUES (?1, 'running', ?2, ?2)",
        params![plan, now.to_rfc3339()],
    )
    .map_err(|e| storage("starting a scan", e))?;
    Ok(conn.last_insert_rowid())
}

const COLUMNS: &str =
    "id, plan, status, started_at, updated_at, pages_crawled, images_checked, hits, error";

fn row_to_job(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Job, String)> {
    let time = |i: usize| -> rusqlite::Result<DateTime<Utc>> {
        let text: String = row.get(i)?;
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
    let status: String = row.get(2)?;
    Ok((
        Job {
            id: row.get(0)?,
            plan: ScanPlan::default(),
            status: JobStatus::parse(&status),
            started_at: time(3)?,
            updated_at: time(4)?,
            pages_crawled: u64::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
            images_checked: u64::try_from(row.get::<_, i64>(6)?).unwrap_or(0),
            hits: u64::try_from(row.get::<_, i64>(7)?).unwrap_or(0),
            error: row.get(8)?,
        },
        row.get(1)?,
    ))
}

fn with_plan((mut job, plan): (Job, String)) -> Result<Job> {
    job.plan = serde_json::from_str(&plan).map_err(|e| SearchError::CorruptPlan {
        reason: e.to_string(),
    })?;
    Ok(job)
}

/// One job.
pub fn get(conn: &Connection, id: i64) -> Result<Job> {
    let row = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM scan_jobs WHERE id = ?1"),
            [id],
            row_to_job,
        )
        .optional()
        .map_err(|e| storage("reading a scan", e))?
        .ok_or(SearchError::JobNotFound { id })?;
    with_plan(row)
}

/// The newest job that did not finish (crashed while running, cancelled, or failed), if any.
pub fn resumable(conn: &Connection) -> Result<Option<Job>> {
    let row = conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM scan_jobs WHERE status IN ('running', 'cancelled', 'failed')
                 ORDER BY id DESC LIMIT 1"
            ),
            [],
            row_to_job,
        )
        .optional()
        .map_err(|e| storage("reading a scan", e))?;
    row.map(with_plan).transpose()
}

/// The newest `limit` jobs, newest first.
pub fn list(conn: &Connection, limit: u32) -> Result<Vec<Job>> {
    let mut statement = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM scan_jobs ORDER BY id DESC LIMIT ?1"
        ))
        .map_err(|e| storage("listing scans", e))?;
    let rows = statement
        .query_map([limit], row_to_job)
        .map_err(|e| storage("listing scans", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing scans", e))?;
    rows.into_iter().map(with_plan).collect()
}

/// The steps of `job` already done whose key starts with `prefix`.
pub(crate) fn done_items(conn: &Connection, job: i64, prefix: &str) -> Result<HashSet<String>> {
    let mut statement = conn
        .prepare("SELECT item FROM scan_job_items WHERE job_id = ?1 AND substr(item, 1, length(?2)) = ?2")
        .map_err(|e| storage("reading a scan's progress", e))?;
    let rows = statement
        .query_map(params![job, prefix], |r| r.get(0))
        .map_err(|e| storage("reading a scan's progress", e))?
        .collect::<rusqlite::Result<HashSet<String>>>()
        .map_err(|e| storage("reading a scan's progress", e))?;
    Ok(rows)
}

pub(crate) fn is_done(conn: &Connection, job: i64, item: &str) -> Result<bool> {
    conn.query_row(
        "SELECT 1 FROM scan_job_items WHERE job_id = ?1 AND item = ?2",
        params![job, item],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
    .map_err(|e| storage("reading a scan's progress", e))
}

/// Records a step as done and adds to the counters, inside the caller's transaction (the one
/// that recorded what the step found).
pub(crate) fn mark_done(
    tx: &Connection,
    job: i64,
    item: &str,
    counts: Counts,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO scan_job_items (job_id, item) VALUES (?1, ?2)",
        params![job, item],
    )
    .map_err(|e| storage("recording a scan's progress", e))?;
    add_counts(tx, job, counts, now)
}

/// Additions to a job's counters.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub pages: u64,
    pub images: u64,
    pub hits: u64,
}

pub(crate) fn add_counts(
    tx: &Connection,
    job: i64,
    counts: Counts,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "UPDATE scan_jobs SET pages_crawled = pages_crawled + ?1, images_checked = images_checked + ?2,
             hits = hits + ?3, updated_at = ?4 WHERE id = ?5",
        params![
            i64::try_from(counts.pages).unwrap_or(i64::MAX),
            i64::try_from(counts.images).unwrap_or(i64::MAX),
            i64::try_from(counts.hits).unwrap_or(i64::MAX),
            now.to_rfc3339(),
            job
        ],
    )
    .map_err(|e| storage("recording a scan's progress", e))?;
    Ok(())
}

pub(crate) fn set_status(
    conn: &Connection,
    job: i64,
    status: JobStatus,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let finished = (status != JobStatus::Running).then(|| now.to_rfc3339());
    conn.execute(
        "UPDATE scan_jobs SET status = ?1, error = ?2, updated_at = ?3, finished_at = ?4 WHERE id = ?5",
        params![status.as_str(), error, now.to_rfc3339(), finished, job],
    )
    .map_err(|e| storage("recording a scan's status", e))?;
    Ok(())
}
