//! What is due: sources to revisit, findings to re-check, and the intervals that decide it.
//!
//! - A source is revisited every `every` (its own interval, daily by default).
//! - A confirmed finding is re-checked daily ([`RECHECK_EVERY`]).
//! - A removed finding stays watched: weekly ([`REMOVED_WATCH_EVERY`]) for 90 days after it was
//!   found gone ([`REMOVED_WATCH_FOR_DAYS`]), so a picture that comes back is caught.
//! - A forced cycle does everything, but not twice: what it already did before a crash is
//!   skipped when it is finished.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection};

use crate::base::error::storage;
use crate::search::every::Every;
use crate::search::findings::{self, Finding, FindingStatus};
use crate::search::sources::{self, Source};
use crate::Result;

/// How often confirmed findings (those a removal may be requested for) are re-checked.
pub const RECHECK_EVERY: Every = Every::DAILY;
/// How often a removed finding is re-checked while it is watched.
pub const REMOVED_WATCH_EVERY: Every = Every::WEEKLY;
/// How long after its removal a finding stays watched.
pub const REMOVED_WATCH_FOR_DAYS: i64 = 90;

fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// When source `id` was last visited by the monitor.
pub fn last_visit(conn: &Connection, source_id: i64) -> Result<Option<DateTime<Utc>>> {
    let text: Option<Option<String>> = conn
        .query_row(
            "SELECT last_visit_at FROM monitor_sources WHERE source_id = ?1",
            [source_id],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(|e| storage("reading the monitor's schedule", e))?;
    Ok(text.flatten().as_deref().and_then(parse))
}

/// When source `source` is next due (`None`: now, it was never visited).
pub fn source_next_due(conn: &Connection, source: &Source) -> Result<Option<DateTime<Utc>>> {
    Ok(last_visit(conn, source.id)?.map(|t| t + source.every.duration()))
}

/// The sources to visit in this cycle.
pub fn sources(conn: &Connection, forced: bool, now: DateTime<Utc>) -> Result<Vec<Source>> {
    let mut due = Vec::new();
    for source in sources::list(conn)? {
        let next = source_next_due(conn, &source)?;
        if forced || next.is_none_or(|t| t <= now) {
            due.push(source);
        }
    }
    Ok(due)
}

/// When finding `id` was last re-checked (any outcome).
pub fn last_check(conn: &Connection, finding_id: i64) -> Result<Option<DateTime<Utc>>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT max(checked_at) FROM recheck_log WHERE finding_id = ?1",
            [finding_id],
            |r| r.get(0),
        )
        .map_err(|e| storage("reading re-checks", e))?;
    Ok(text.as_deref().and_then(parse))
}

/// Why and when a finding is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    pub every: Every,
    /// `None`: due now.
    pub next_due: Option<DateTime<Utc>>,
}

/// How finding `finding` is watched at `now`, or `None` when it is not (new, dismissed, or
/// removed more than 90 days ago).
pub fn watch(conn: &Connection, finding: &Finding, now: DateTime<Utc>) -> Result<Option<Watch>> {
    let every = match finding.status {
        FindingStatus::Confirmed => RECHECK_EVERY,
        FindingStatus::Removed => {
            let removed = findings::recheck::removed_at(conn, finding.id)?;
            if removed.is_none_or(|at| now - at > Duration::days(REMOVED_WATCH_FOR_DAYS)) {
                return Ok(None);
            }
            REMOVED_WATCH_EVERY
        }
        FindingStatus::New | FindingStatus::Dismissed => return Ok(None),
    };
    let next_due = last_check(conn, finding.id)?.map(|t| t + every.duration());
    Ok(Some(Watch { every, next_due }))
}

/// The findings to re-check in this cycle, oldest id first. A forced cycle takes every watched
/// finding not already checked since `cycle_started` (a cycle finished after a crash does not
/// check again what it checked before).
pub fn findings_to_recheck(
    conn: &Connection,
    forced: bool,
    cycle_started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>> {
    let mut due = Vec::new();
    for status in [FindingStatus::Confirmed, FindingStatus::Removed] {
        for finding in findings::list(conn, Some(status))? {
            let Some(watch) = watch(conn, &finding, now)? else {
                continue;
            };
            let is_due = if forced {
                last_check(conn, finding.id)?.is_none_or(|t| t < cycle_started)
            } else {
                watch.next_due.is_none_or(|t| t <= now)
            };
            if is_due {
                due.push(finding);
            }
        }
    }
    due.sort_by_key(|f| f.id);
    Ok(due)
}

/// Records the outcome of a visit to `source_id` (inside the caller's transaction): a success
/// stamps the visit and clears the failures; a failure counts one more. Returns the failures
/// in a row and whether they were already reported.
pub fn record_visit(
    tx: &Connection,
    source_id: i64,
    ok: bool,
    now: DateTime<Utc>,
) -> Result<(u32, bool)> {
    if ok {
        tx.execute(
            "INSERT INTO monitor_sources (source_id, last_visit_at, failures, reported_unreachable)
             VALUES (?1, ?2, 0, 0)
             ON CONFLICT (source_id) DO UPDATE SET last_visit_at = ?2, failures = 0,
                 reported_unreachable = 0",
            params![source_id, now.to_rfc3339()],
        )
    } else {
        // A failed visit still counts as a visit for the schedule, so a dead site is not
        // hammered every cycle; it is tried again at its next interval.
        tx.execute(
            "INSERT INTO monitor_sources (source_id, last_visit_at, failures) VALUES (?1, ?2, 1)
             ON CONFLICT (source_id) DO UPDATE SET last_visit_at = ?2, failures = failures + 1",
            params![source_id, now.to_rfc3339()],
        )
    }
    .map_err(|e| storage("recording a visit", e))?;
    tx.query_row(
        "SELECT failures, reported_unreachable FROM monitor_sources WHERE source_id = ?1",
        [source_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(|e| storage("recording a visit", e))
}

/// Notes that source `source_id`'s failures were reported (one event per run of failures).
pub fn mark_unreachable_reported(tx: &Connection, source_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE monitor_sources SET reported_unreachable = 1 WHERE source_id = ?1",
        [source_id],
    )
    .map_err(|e| storage("recording a visit", e))?;
    Ok(())
}

/// Failures in a row of source `source_id`.
pub fn failures(conn: &Connection, source_id: i64) -> Result<u32> {
    conn.query_row(
        "SELECT coalesce((SELECT failures FROM monitor_sources WHERE source_id = ?1), 0)",
        [source_id],
        |r| r.get(0),
    )
    .map_err(|e| storage("reading the monitor's schedule", e))
}
