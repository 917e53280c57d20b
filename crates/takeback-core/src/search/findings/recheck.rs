//! Re-check: fetch every confirmed finding's image again and record whether it is still up.
//!
//! Gone (HTTP 404 or 410, or the address no longer serves a decodable image) marks the finding
//! `removed` with the time; still there updates `last_seen`; anything else (a server error, a
//! timeout, a refused connection, robots.txt) is `unreachable` and changes nothing, since a site
//! that is down today may be back tomorrow. Every check is kept in `recheck_log` and audited in
//! the same transaction. Fetching follows the crawler's rules with [`FetchOptions`]' bounds, one
//! finding at a time, paced per host. A finding still up whose evidence has no WARC records
//! (confirmed before they were kept) is captured again.

use std::io::Cursor;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::evidence::{capture_with, describe_failure, fetch, has_warc, FetchOptions, FetchResult};
use super::{list, Finding, FindingStatus};
use crate::base::cancel::CancelFlag;
use crate::base::clock::Clock;
use crate::base::error::storage;
use crate::search::crawl::fetch::Want;
use crate::search::crawl::SkipReason;
use crate::storage::vault::Vault;
use crate::{storage::audit, Result};

/// What a re-check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RecheckOutcome {
    /// The image is still served.
    StillUp,
    /// 404/410, or no image any more: the finding is now `removed`.
    Removed,
    /// No answer that proves either (server error, timeout, network); nothing changed.
    Unreachable,
}

impl RecheckOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RecheckOutcome::StillUp => "still_up",
            RecheckOutcome::Removed => "removed",
            RecheckOutcome::Unreachable => "unreachable",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "still_up" => RecheckOutcome::StillUp,
            "removed" => RecheckOutcome::Removed,
            _ => RecheckOutcome::Unreachable,
        }
    }
}

/// One re-check, as `takeback recheck --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecheckResult {
    /// The finding.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub image_url: String,
    pub outcome: RecheckOutcome,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub checked_at: DateTime<Utc>,
    /// Why it is `removed` or `unreachable`, in words (no address).
    pub reason: Option<String>,
    /// Still up, but the bytes differ from those first found (the image was replaced or
    /// re-encoded).
    pub changed: bool,
    /// SHA-256 (hex) of the image served, when it is still up.
    pub sha256: Option<String>,
}

/// Tells whether a changed image still shows what the finding recorded (the monitor asks the
/// face engine and PDQ); `false` means the picture was replaced by a different one.
pub type StillShows<'a> = &'a dyn Fn(&Finding, &[u8]) -> bool;

/// Re-checks every confirmed finding, oldest id first, and returns what each check found.
/// `progress` is called after each finding is recorded. Stops between findings when `cancel` is
/// set (the checks done so far are kept). Blocks the calling thread (it runs its own small
/// runtime): call it from a plain thread or `spawn_blocking`, never from inside an async task.
pub fn run(
    vault: &Vault,
    options: &FetchOptions,
    clock: &dyn Clock,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(&RecheckResult),
) -> Result<Vec<RecheckResult>> {
    let mut confirmed = list(vault.conn(), Some(FindingStatus::Confirmed))?;
    confirmed.sort_by_key(|f| f.id);
    check(vault, &confirmed, options, clock, cancel, None, progress)
}

/// Re-checks `findings` in order, like [`run`]. A `removed` finding found up again goes back to
/// `confirmed` (the monitor watches removed findings). With `still_shows`, an image that changed
/// and no longer shows what was found counts as `removed` (replaced by a different picture).
pub fn check(
    vault: &Vault,
    findings: &[Finding],
    options: &FetchOptions,
    clock: &dyn Clock,
    cancel: &CancelFlag,
    still_shows: Option<StillShows<'_>>,
    progress: &mut dyn FnMut(&RecheckResult),
) -> Result<Vec<RecheckResult>> {
    let mut results = Vec::with_capacity(findings.len());
    if findings.is_empty() {
        return Ok(results);
    }
    let (mut fetcher, runtime) = options.fetcher()?;
    for finding in findings {
        if cancel.is_cancelled() {
            break;
        }
        let fetched = if finding.image_url.starts_with("file:") {
            check_local(&finding.image_url)
        } else {
            fetch(
                &mut fetcher,
                &runtime,
                &finding.image_url,
                Want::Image,
                cancel,
            )
        };
        if matches!(
            fetched,
            FetchResult::Failed {
                reason: SkipReason::Cancelled,
                ..
            }
        ) {
            break;
        }
        let result = judge(finding, fetched, still_shows, clock.now());
        store(vault.conn(), &result)?;
        // A finding confirmed before captures kept WARC records is captured again while it is
        // still up, so that its evidence can be exported like any other.
        if result.outcome == RecheckOutcome::StillUp && !has_warc(vault.conn(), finding.id)? {
            let network =
                (!finding.image_url.starts_with("file:")).then_some((&mut fetcher, &runtime));
            capture_with(vault, finding, options, network, clock.now())?;
        }
        progress(&result);
        results.push(result);
    }
    Ok(results)
}

/// Decides the outcome of one fetch.
fn judge(
    finding: &Finding,
    fetched: FetchResult,
    still_shows: Option<StillShows<'_>>,
    checked_at: DateTime<Utc>,
) -> RecheckResult {
    let local = finding.image_url.starts_with("file:");
    let (outcome, status, reason, changed, sha256) = match fetched {
        FetchResult::Fetched {
            final_url, body, ..
        } => {
            let status = (final_url.scheme() != "file").then_some(200);
            if decodes(&body) {
                let digest = hex::encode(Sha256::digest(&body));
                let changed = !finding.sha256.is_empty() && finding.sha256 != digest;
                if changed && still_shows.is_some_and(|shows| !shows(finding, &body)) {
                    (
                        RecheckOutcome::Removed,
                        status,
                        Some("the image was replaced by a different picture".to_owned()),
                        true,
                        Some(digest),
                    )
                } else {
                    (RecheckOutcome::StillUp, status, None, changed, Some(digest))
                }
            } else {
                (
                    RecheckOutcome::Removed,
                    status,
                    Some("the address no longer serves an image that can be read".to_owned()),
                    false,
                    None,
                )
            }
        }
        FetchResult::Failed {
            http_status,
            reason,
        } => {
            let gone = matches!(
                reason,
                SkipReason::HttpStatus(404 | 410) | SkipReason::NotAnImage
            );
            let outcome = if gone {
                RecheckOutcome::Removed
            } else {
                RecheckOutcome::Unreachable
            };
            let reason = if local && reason == SkipReason::HttpStatus(404) {
                "the file is no longer there".to_owned()
            } else {
                describe_failure(reason)
            };
            (outcome, http_status, Some(reason), false, None)
        }
    };
    RecheckResult {
        id: finding.id,
        image_url: finding.image_url.clone(),
        outcome,
        status,
        checked_at,
        reason,
        changed,
        sha256,
    }
}

/// A folder scan's image: the file itself (bounded like a download).
fn check_local(address: &str) -> FetchResult {
    let failed = |reason| FetchResult::Failed {
        http_status: None,
        reason,
    };
    let Ok(url) = Url::parse(address) else {
        return failed(SkipReason::Unsupported);
    };
    let Ok(path) = url.to_file_path() else {
        return failed(SkipReason::Unsupported);
    };
    let limit = crate::search::crawl::CrawlLimits::default().max_image_bytes as u64;
    match std::fs::metadata(&path) {
        // Judged like an HTTP 404 (gone), with no status: nothing answered.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => failed(SkipReason::HttpStatus(404)),
        Err(_) => failed(SkipReason::Network),
        Ok(meta) if meta.len() > limit => failed(SkipReason::TooLarge),
        Ok(_) => match std::fs::read(&path) {
            Ok(body) => FetchResult::Fetched {
                final_url: url,
                content_type: String::new(),
                body,
                exchange: None,
            },
            Err(_) => failed(SkipReason::Network),
        },
    }
}

/// Whether `bytes` decode as an image (bounded like the matcher's decoding).
fn decodes(bytes: &[u8]) -> bool {
    let Ok(mut reader) = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format() else {
        return false;
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().is_ok()
}

/// Records one check: the log row, the finding's new state and the audit entry, together.
fn store(conn: &Connection, result: &RecheckResult) -> Result<()> {
    let tx = crate::storage::vault::write_transaction(conn)?;
    let at = result.checked_at.to_rfc3339();
    tx.execute(
        "INSERT INTO recheck_log (finding_id, checked_at, http_status, outcome, reason, sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            result.id,
            at,
            result.status,
            result.outcome.as_str(),
            result.reason,
            result.sha256
        ],
    )
    .map_err(|e| storage("recording a re-check", e))?;
    // Only a finding still confirmed changes: the owner may have reviewed it meanwhile. A removed
    // finding served again is back up (the monitor reports it as reappeared).
    match result.outcome {
        RecheckOutcome::StillUp => tx.execute(
            "UPDATE findings SET last_seen = ?1,
                 status = CASE status WHEN 'removed' THEN 'confirmed' ELSE status END,
                 removed_at = CASE status WHEN 'removed' THEN NULL ELSE removed_at END
             WHERE id = ?2 AND status IN ('confirmed', 'removed')",
            params![at, result.id],
        ),
        RecheckOutcome::Removed => tx.execute(
            "UPDATE findings SET status = 'removed', removed_at = ?1
             WHERE id = ?2 AND status = 'confirmed'",
            params![at, result.id],
        ),
        RecheckOutcome::Unreachable => Ok(0),
    }
    .map_err(|e| storage("recording a re-check", e))?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "finding.rechecked")
            .subject(result.image_url.as_bytes())
            .detail(serde_json::json!({
                "finding": result.id,
                "outcome": result.outcome.as_str(),
                "http_status": result.status,
                "changed": result.changed,
            })),
        result.checked_at,
    )?;
    tx.commit().map_err(|e| storage("recording a re-check", e))
}

/// One row of a finding's re-check history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecheckEntry {
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub checked_at: DateTime<Utc>,
    pub outcome: RecheckOutcome,
    pub status: Option<u16>,
    pub reason: Option<String>,
}

/// Every re-check of a finding, oldest first.
pub fn history(conn: &Connection, finding_id: i64) -> Result<Vec<RecheckEntry>> {
    super::get(conn, finding_id)?;
    let mut statement = conn
        .prepare(
            "SELECT checked_at, outcome, http_status, reason FROM recheck_log
             WHERE finding_id = ?1 ORDER BY id",
        )
        .map_err(|e| storage("reading re-checks", e))?;
    let rows = statement
        .query_map([finding_id], |r| {
            Ok(RecheckEntry {
                checked_at: super::parse_time(0, &r.get::<_, String>(0)?)?,
                outcome: RecheckOutcome::parse(&r.get::<_, String>(1)?),
                status: r.get(2)?,
                reason: r.get(3)?,
            })
        })
        .map_err(|e| storage("reading re-checks", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading re-checks", e))?;
    Ok(rows)
}

/// When a re-check found the finding gone (`None` while it is not `removed`).
pub fn removed_at(conn: &Connection, finding_id: i64) -> Result<Option<DateTime<Utc>>> {
    super::get(conn, finding_id)?;
    let text: Option<String> = conn
        .query_row(
            "SELECT removed_at FROM findings WHERE id = ?1",
            [finding_id],
            |r| r.get(0),
        )
        .map_err(|e| storage("reading a finding", e))?;
    text.map(|t| super::parse_time(0, &t))
        .transpose()
        .map_err(|e| storage("reading a finding", e))
}
