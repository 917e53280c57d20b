//! The runner: one monitoring cycle, doing what is due (or everything, forced).
//!
//! Order: re-check watched findings (proves removals, catches a removed picture back at its
//! address), revisit due sources with a scan job (new findings, reappearances at new
//! addresses), then look at cases whose deadline passed. Each step is persisted as it completes
//! (re-checks one by one, the scan by its job, events by their keys), so a cycle cut short by a
//! crash or a cancel is finished by the next run, repeating and duplicating nothing.

use std::collections::HashSet;

use serde::Serialize;
use takeback_faces::FaceEngine;

use super::consent;
use super::cycles::{self, Cycle, CycleStatus};
use super::due;
use super::events::{self, Event, EventKind, EventReason, NewEvent};
use super::lock::RunnerLock;
use super::reappear;
use crate::base::cancel::CancelFlag;
use crate::base::clock::Clock;
use crate::base::error::storage;
use crate::base::settings::Settings;
use crate::face::matching::{self, Verdict};
use crate::face::pdq::{PdqHash, NEAR_DUPLICATE_THRESHOLD};
use crate::removal::cases::{store as cases, CaseState, Reminder};
use crate::search::findings::{self, recheck, FetchOptions, Finding, FindingStatus};
use crate::search::providers::ProviderId;
use crate::search::scan::{
    self, jobs, registered, JobStatus, ScanContext, ScanPermissions, ScanPlan, ScanProgress,
};
use crate::storage::secrets::KeyStore;
use crate::storage::vault::Vault;
use crate::Result;

/// Failures in a row after which a source is reported unreachable.
pub const UNREACHABLE_AFTER: u32 = 3;

/// What a cycle needs from its caller.
#[derive(Clone, Copy)]
pub struct MonitorContext<'a> {
    /// The runner's own handle on the unlocked vault.
    pub vault: &'a Vault,
    pub engine: &'a FaceEngine,
    pub keys: &'a dyn KeyStore,
    pub settings: &'a Settings,
    pub clock: &'a dyn Clock,
}

impl<'a> MonitorContext<'a> {
    /// The same parts, as a scan takes them (the runner scans due sources and providers).
    fn scan_context(&self) -> ScanContext<'a> {
        ScanContext {
            vault: self.vault,
            engine: self.engine,
            keys: self.keys,
            settings: self.settings,
            clock: self.clock,
        }
    }
}

impl std::fmt::Debug for MonitorContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorContext").finish_non_exhaustive()
    }
}

/// How to run a cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Everything now, due or not.
    pub force: bool,
    /// Crawl and fetch loopback and private addresses too (tests, intranets).
    pub allow_local_network: bool,
}

/// What the cycle is doing now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum MonitorProgress {
    Rechecking { done: u32, total: u32 },
    Scanning { scan: ScanProgress },
    Cases,
}

/// What a cycle did (`takeback monitor run --json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CycleReport {
    /// False when another runner holds the lock: this one did nothing.
    pub ran: bool,
    /// Why it did not run.
    pub skipped_reason: Option<String>,
    pub cycle: Option<Cycle>,
    /// It finished a cycle an earlier run left unfinished.
    pub resumed: bool,
    #[cfg_attr(feature = "specta", specta(type = Vec<i32>))]
    pub sources_visited: Vec<i64>,
    pub source_problems: Vec<scan::SourceProblem>,
    pub findings_rechecked: u32,
    /// Remote providers queried under a standing consent.
    pub providers_queried: Vec<ProviderId>,
    pub cases_checked: u32,
    /// Events this cycle recorded.
    pub events: Vec<Event>,
}

impl CycleReport {
    fn busy() -> Self {
        CycleReport {
            ran: false,
            skipped_reason: Some(
                "another monitoring run is in progress for this profile; this one did nothing"
                    .into(),
            ),
            cycle: None,
            resumed: false,
            sources_visited: Vec::new(),
            source_problems: Vec::new(),
            findings_rechecked: 0,
            providers_queried: Vec::new(),
            cases_checked: 0,
            events: Vec::new(),
        }
    }
}

/// Runs one cycle: finishes an interrupted one if there is one, else starts a new one with
/// `options`. Returns at once (`ran: false`) when another runner holds the profile's lock.
/// Blocks the calling thread (scans and re-checks run their own small runtimes): call it from a
/// plain thread or `spawn_blocking`.
pub fn run_once(
    ctx: &MonitorContext<'_>,
    options: RunOptions,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(MonitorProgress),
) -> Result<CycleReport> {
    let Some(_lock) = RunnerLock::try_acquire(ctx.vault.dir())? else {
        return Ok(CycleReport::busy());
    };
    let conn = ctx.vault.conn();
    let (cycle, resumed) = match cycles::unfinished(conn)? {
        Some(mut cycle) => {
            cycles::set_status(conn, cycle.id, CycleStatus::Running, ctx.clock.now())?;
            // A cycle finished after a crash follows today's network policy, not the one it
            // started with.
            cycle.allow_local_network = options.allow_local_network;
            (cycle, true)
        }
        None => (
            cycles::create(
                conn,
                options.force,
                options.allow_local_network,
                ctx.clock.now(),
            )?,
            false,
        ),
    };
    let mut report = CycleReport {
        ran: true,
        skipped_reason: None,
        cycle: None,
        resumed,
        sources_visited: Vec::new(),
        source_problems: Vec::new(),
        findings_rechecked: 0,
        providers_queried: Vec::new(),
        cases_checked: 0,
        events: Vec::new(),
    };
    let status = run_steps(ctx, &cycle, cancel, progress, &mut report)?;
    cycles::set_status(conn, cycle.id, status, ctx.clock.now())?;
    report.cycle = Some(cycles::get(conn, cycle.id)?);
    report.events = events::of_cycle(conn, cycle.id)?;
    Ok(report)
}

fn run_steps(
    ctx: &MonitorContext<'_>,
    cycle: &Cycle,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(MonitorProgress),
    report: &mut CycleReport,
) -> Result<CycleStatus> {
    recheck_due(ctx, cycle, cancel, progress, report)?;
    if cancel.is_cancelled() {
        return Ok(CycleStatus::Cancelled);
    }
    if !cycle.scan_processed {
        visit_sources(ctx, cycle, cancel, progress, report)?;
        if cancel.is_cancelled() {
            return Ok(CycleStatus::Cancelled);
        }
    }
    query_providers(ctx, cycle, cancel, progress, report)?;
    if cancel.is_cancelled() {
        return Ok(CycleStatus::Cancelled);
    }
    progress(MonitorProgress::Cases);
    report.cases_checked = check_cases(ctx, cycle)?;
    Ok(CycleStatus::Finished)
}

// ---- re-checks ------------------------------------------------------------------------------

fn recheck_due(
    ctx: &MonitorContext<'_>,
    cycle: &Cycle,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(MonitorProgress),
    report: &mut CycleReport,
) -> Result<()> {
    let conn = ctx.vault.conn();
    let due = due::findings_to_recheck(conn, cycle.forced, cycle.started_at, ctx.clock.now())?;
    if !due.is_empty() {
        let reference = registered::owner_reference(conn)?;
        // A changed image is "removed" when it is a different picture: PDQ far from the one
        // found and no face of the owner in it.
        let still_shows = |finding: &Finding, bytes: &[u8]| -> bool {
            let Ok(check) = matching::check_image(ctx.engine, &reference, bytes) else {
                return true;
            };
            if check.verdict == Verdict::OwnersFace {
                return true;
            }
            let before = finding.pdq.as_deref().and_then(PdqHash::from_hex);
            match (before, check.pdq) {
                (Some(a), Some(b)) => a.distance(&b) <= NEAR_DUPLICATE_THRESHOLD,
                _ => check.verdict.is_hit(),
            }
        };
        let options = FetchOptions {
            allow_local_network: cycle.allow_local_network,
            proxy: ctx.settings.proxy(),
            ..FetchOptions::default()
        };
        let total = due.len() as u32;
        let mut done = 0u32;
        progress(MonitorProgress::Rechecking { done, total });
        let results = recheck::check(
            ctx.vault,
            &due,
            &options,
            ctx.clock,
            cancel,
            Some(&still_shows),
            &mut |_| {
                done += 1;
                progress(MonitorProgress::Rechecking { done, total });
            },
        )?;
        report.findings_rechecked = results.len() as u32;
    }
    events_from_rechecks(ctx, cycle.id)
}

const RECHECK_CURSOR: &str = "recheck_cursor";

/// A re-check log row: id, finding, outcome, reason, SHA-256.
/// A re-check log row: id, finding, outcome, reason (English), SHA-256, HTTP status.
type CheckRow = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<u16>,
);

/// Turns the re-check log rows not yet seen into events, each row in one transaction with the
/// cursor, so none is lost or counted twice (re-checks the owner ran by hand count too).
fn events_from_rechecks(ctx: &MonitorContext<'_>, cycle_id: i64) -> Result<()> {
    let conn = ctx.vault.conn();
    let cursor: i64 = conn
        .query_row(
            "SELECT coalesce((SELECT value FROM monitor_state WHERE key = ?1), 0)",
            [RECHECK_CURSOR],
            |r| r.get(0),
        )
        .map_err(|e| storage("reading the monitor's state", e))?;
    let rows: Vec<CheckRow> = {
        let mut statement = conn
            .prepare(
                "SELECT id, finding_id, outcome, reason, sha256, http_status FROM recheck_log
                 WHERE id > ?1 ORDER BY id LIMIT 10000",
            )
            .map_err(|e| storage("reading re-checks", e))?;
        let rows = statement
            .query_map([cursor], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(|e| storage("reading re-checks", e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| storage("reading re-checks", e))?;
        rows
    };
    for (row_id, finding_id, outcome, reason, sha256, http_status) in rows {
        let now = ctx.clock.now();
        let tx = crate::storage::vault::write_transaction(conn)?;
        // The check before this one that said something (unreachable says nothing).
        let previous: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT outcome, sha256 FROM recheck_log
                 WHERE finding_id = ?1 AND id < ?2 AND outcome != 'unreachable'
                 ORDER BY id DESC LIMIT 1",
                rusqlite::params![finding_id, row_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(|e| storage("reading re-checks", e))?;
        let was_removed = previous.as_ref().is_some_and(|(o, _)| o == "removed");
        let finding = findings::get(&tx, finding_id)?;
        let case_id = cases::cases_naming(&tx, finding_id)?.last().copied();
        let site = &finding.site;
        let event = match outcome.as_str() {
            "removed" if !was_removed => Some(
                NewEvent::new(
                    EventKind::Removed,
                    format!("removed:{finding_id}:{row_id}"),
                    format!(
                        "Finding {finding_id} on {site} is gone: {}.",
                        reason.as_deref().unwrap_or("the image is no longer there")
                    ),
                )
                .finding(finding_id)
                .case(case_id)
                .detail(
                    Some(site.as_str()),
                    removed_reason(&finding, sha256.is_some(), http_status),
                ),
            ),
            "still_up" if was_removed => {
                let reopened = reopen_cases(&tx, finding_id, now)?;
                Some(
                    NewEvent::new(
                        EventKind::Reappeared,
                        format!("reappeared:{finding_id}:{row_id}"),
                        format!(
                            "Finding {finding_id} on {site} is back at the same address after it was removed.{}",
                            reopened_text(&reopened)
                        ),
                    )
                    .finding(finding_id)
                    .case(reopened.first().copied().or(case_id))
                    .detail(Some(site.as_str()), EventReason::BackAtSameAddress),
                )
            }
            "still_up" => {
                let before = match &previous {
                    Some((_, Some(sha))) => sha.clone(),
                    _ => finding.sha256.clone(),
                };
                match sha256 {
                    Some(now_sha) if !before.is_empty() && now_sha != before => Some(
                        NewEvent::new(
                            EventKind::Changed,
                            format!("changed:{finding_id}:{now_sha}"),
                            format!(
                                "The image of finding {finding_id} on {site} changed but still shows the same picture."
                            ),
                        )
                        .finding(finding_id)
                        .case(case_id)
                        .detail(Some(site.as_str()), EventReason::ImageChanged),
                    ),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(event) = event {
            events::record(&tx, &event, Some(cycle_id), now)?;
        }
        tx.execute(
            "INSERT INTO monitor_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = ?2",
            rusqlite::params![RECHECK_CURSOR, row_id],
        )
        .map_err(|e| storage("recording the monitor's state", e))?;
        tx.commit()
            .map_err(|e| storage("recording a monitoring event", e))?;
    }
    Ok(())
}

/// Reopens the removed cases naming `finding_id`; returns their ids.
fn reopen_cases(
    tx: &rusqlite::Connection,
    finding_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i64>> {
    let mut reopened = Vec::new();
    for case_id in cases::cases_naming(tx, finding_id)? {
        let note = format!("monitoring found the picture of finding {finding_id} again");
        if cases::reopen(tx, case_id, now, &note)? {
            reopened.push(case_id);
        }
    }
    Ok(reopened)
}

fn reopened_text(reopened: &[i64]) -> String {
    match reopened {
        [] => String::new(),
        [one] => format!(" Case {one} is open again; the next letter is suggested there."),
        many => format!(
            " Cases {} are open again; the next letters are suggested there.",
            many.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

// ---- source visits --------------------------------------------------------------------------

fn visit_sources(
    ctx: &MonitorContext<'_>,
    cycle: &Cycle,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(MonitorProgress),
    report: &mut CycleReport,
) -> Result<()> {
    let conn = ctx.vault.conn();
    let scan_ctx = ctx.scan_context();
    let mut problems = Vec::new();
    let job_id = match cycle.scan_job_id {
        Some(job_id) => {
            // The scan of an interrupted cycle: finish it (it repeats nothing it did).
            if jobs::get(conn, job_id)?.status != JobStatus::Finished {
                let now = ScanPermissions {
                    consents: Vec::new(),
                    allow_local_network: cycle.allow_local_network,
                };
                let summary = scan::resume(&scan_ctx, job_id, now, cancel, &mut |p| {
                    progress(MonitorProgress::Scanning { scan: p });
                })?;
                problems = summary.source_problems;
            }
            Some(job_id)
        }
        None => {
            let due = due::sources(conn, cycle.forced, ctx.clock.now())?;
            if due.is_empty() {
                None
            } else {
                let plan = ScanPlan {
                    sources: due.iter().map(|s| s.id).collect(),
                    allow_local_network: cycle.allow_local_network,
                    ..ScanPlan::default()
                };
                let mut noted = false;
                let mut note_failure = None;
                let summary = scan::run(&scan_ctx, &plan, cancel, &mut |p: ScanProgress| {
                    // Remember the job at once, so a crash mid-scan resumes it.
                    if !noted {
                        noted = true;
                        note_failure = cycles::set_scan_job(conn, cycle.id, p.job_id).err();
                    }
                    progress(MonitorProgress::Scanning { scan: p });
                })?;
                if let Some(e) = note_failure {
                    return Err(e);
                }
                cycles::set_scan_job(conn, cycle.id, summary.job_id)?;
                problems = summary.source_problems;
                Some(summary.job_id)
            }
        }
    };
    if cancel.is_cancelled() {
        return Ok(());
    }
    if let Some(job_id) = job_id {
        record_scan(ctx, cycle, job_id, &problems, report)?;
    } else {
        let tx = crate::storage::vault::write_transaction(conn)?;
        cycles::set_scan_processed(&tx, cycle.id)?;
        tx.commit()
            .map_err(|e| storage("recording a monitoring cycle", e))?;
    }
    Ok(())
}

/// Records what the cycle's scan found, in one transaction: visits, failures, events for new
/// findings and reappearances, and that it was recorded.
fn record_scan(
    ctx: &MonitorContext<'_>,
    cycle: &Cycle,
    job_id: i64,
    problems: &[scan::SourceProblem],
    report: &mut CycleReport,
) -> Result<()> {
    let conn = ctx.vault.conn();
    let now = ctx.clock.now();
    let job = jobs::get(conn, job_id)?;
    let tx = crate::storage::vault::write_transaction(conn)?;
    for source_id in &job.plan.sources {
        let ok = jobs::is_done(&tx, job_id, &format!("source:{source_id}"))?;
        let (failures, reported) = due::record_visit(&tx, *source_id, ok, now)?;
        if ok {
            report.sources_visited.push(*source_id);
            continue;
        }
        let problem = problems.iter().find(|p| p.source_id == *source_id);
        let reason = problem.map_or_else(
            || "it could not be scanned".to_owned(),
            |p| p.reason.clone(),
        );
        if let Some(problem) = problem {
            report.source_problems.push(problem.clone());
        }
        if failures >= UNREACHABLE_AFTER && !reported {
            let event = NewEvent::new(
                EventKind::SourceUnreachable,
                format!("unreachable:{source_id}:{}", now.timestamp()),
                format!(
                    "Source {source_id} could not be scanned {failures} times in a row ({reason}). It will be tried again at its next visit."
                ),
            )
            .source(*source_id)
            .detail(
                Some(source_place(&tx, *source_id, problem).as_str()),
                EventReason::Unreachable {
                    failures,
                    why: problem.map(|p| p.why),
                },
            );
            events::record(&tx, &event, Some(cycle.id), now)?;
            due::mark_unreachable_reported(&tx, *source_id)?;
        }
    }
    let source = match job.plan.sources.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    record_new_findings(&tx, cycle.id, job_id, source, now)?;
    cycles::set_scan_processed(&tx, cycle.id)?;
    tx.commit()
        .map_err(|e| storage("recording what monitoring found", e))
}

/// One event per finding job `job_id` recorded first: `reappeared` (linked to the finding it
/// copies, whose removed cases reopen) or `new_finding`. Keyed by finding, so repeating it
/// after a crash records nothing twice.
fn record_new_findings(
    tx: &rusqlite::Connection,
    cycle_id: i64,
    job_id: i64,
    source: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let in_cases = case_findings(tx, now)?;
    for finding in findings::first_seen_in_job(tx, job_id)? {
        let original = match finding.reappeared_from {
            Some(original) => Some(original),
            None => reappear::original_of(tx, finding.id, &in_cases)?,
        };
        let event = match original {
            Some(original) => {
                tx.execute(
                    "UPDATE findings SET reappeared_from = ?1 WHERE id = ?2",
                    rusqlite::params![original, finding.id],
                )
                .map_err(|e| storage("linking a reappeared finding", e))?;
                let reopened = reopen_cases(tx, original, now)?;
                let case_id = reopened
                    .first()
                    .copied()
                    .or(cases::cases_naming(tx, original)?.last().copied());
                NewEvent::new(
                    EventKind::Reappeared,
                    format!("finding:{}", finding.id),
                    format!(
                        "A picture you already know (finding {original}) appeared again at a new address on {}.{}",
                        finding.site,
                        reopened_text(&reopened)
                    ),
                )
                .finding(finding.id)
                .case(case_id)
                .detail(Some(finding.site.as_str()), EventReason::NewAddress { original })
            }
            None => NewEvent::new(
                EventKind::NewFinding,
                format!("finding:{}", finding.id),
                format!(
                    "A new picture that may show you was found on {}.",
                    finding.site
                ),
            )
            .finding(finding.id)
            .detail(Some(finding.site.as_str()), EventReason::NewPicture),
        };
        let event = match source {
            Some(source) => event.source(source),
            None => event,
        };
        events::record(tx, &event, Some(cycle_id), now)?;
    }
    Ok(())
}

/// Every finding a letter names.
fn case_findings(
    conn: &rusqlite::Connection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HashSet<i64>> {
    let mut out = HashSet::new();
    for case in cases::list(conn, now)? {
        for finding in case.findings {
            if let Some(id) = finding.id.and_then(|id| id.parse().ok()) {
                out.insert(id);
            }
        }
    }
    Ok(out)
}

// ---- remote providers under a standing consent -------------------------------------------

/// Re-queries each provider whose standing consent is due, within its monthly cap. The query is
/// counted before it is sent, so a crash can only count one too many, never send one too many.
/// Over the cap: nothing is sent, and one `budget_reached` event per provider and month.
fn query_providers(
    ctx: &MonitorContext<'_>,
    cycle: &Cycle,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(MonitorProgress),
    report: &mut CycleReport,
) -> Result<()> {
    let conn = ctx.vault.conn();
    let scan_ctx = ctx.scan_context();
    // Queries this cycle started before a crash: finish and record them.
    for (query_id, job_id) in provider_queries::unprocessed(conn, cycle.id)? {
        if let Some(job_id) = job_id {
            if jobs::get(conn, job_id)?.status != JobStatus::Finished {
                // Sent only under a standing consent that still holds now.
                let now = ScanPermissions {
                    consents: consent::active(conn, ctx.clock.now())?
                        .iter()
                        .map(consent::StandingConsent::consent)
                        .collect(),
                    allow_local_network: cycle.allow_local_network,
                };
                scan::resume(&scan_ctx, job_id, now, cancel, &mut |p| {
                    progress(MonitorProgress::Scanning { scan: p });
                })?;
            }
            if cancel.is_cancelled() {
                return Ok(());
            }
        }
        finish_query(ctx, cycle.id, query_id, job_id)?;
    }
    for standing in consent::active(conn, ctx.clock.now())? {
        if cancel.is_cancelled() {
            return Ok(());
        }
        let now = ctx.clock.now();
        if provider_queries::in_cycle(conn, cycle.id, standing.provider)? {
            continue;
        }
        let due = cycle.forced || standing.next_due().is_none_or(|t| t <= now);
        if !due {
            continue;
        }
        if standing.budget_reached() {
            let month = now.format("%Y-%m");
            let event = NewEvent::new(
                EventKind::BudgetReached,
                format!("budget:{}:{month}", standing.provider),
                format!(
                    "{} was searched {} times this month, the most you allowed; it is not searched again until next month.",
                    standing.provider, standing.max_per_month
                ),
            )
            .detail(
                None,
                EventReason::MonthlyLimit {
                    provider: standing.provider,
                    max_per_month: standing.max_per_month,
                },
            );
            let tx = crate::storage::vault::write_transaction(conn)?;
            events::record(&tx, &event, Some(cycle.id), now)?;
            tx.commit()
                .map_err(|e| storage("recording a monitoring event", e))?;
            continue;
        }
        let query_id = provider_queries::start(conn, cycle.id, standing.provider, now)?;
        let plan = ScanPlan {
            providers: vec![standing.provider],
            photo_id: Some(standing.photo_id),
            consents: vec![standing.consent()],
            allow_local_network: cycle.allow_local_network,
            ..ScanPlan::default()
        };
        let mut note_failure = None;
        let summary = scan::run(&scan_ctx, &plan, cancel, &mut |p: ScanProgress| {
            if note_failure.is_none() {
                note_failure = Some(provider_queries::set_job(conn, query_id, p.job_id));
            }
            progress(MonitorProgress::Scanning { scan: p });
        })?;
        if let Some(Err(e)) = note_failure {
            return Err(e);
        }
        provider_queries::set_job(conn, query_id, summary.job_id)?;
        if cancel.is_cancelled() {
            return Ok(());
        }
        // Skipped (disabled, no key, the bytes no longer those approved): nothing was sent,
        // so it does not count against the cap.
        let sent = !summary
            .providers
            .iter()
            .all(|run| matches!(run, scan::ProviderRun::Skipped { .. }));
        if sent {
            report.providers_queried.push(standing.provider);
            finish_query(ctx, cycle.id, query_id, Some(summary.job_id))?;
        } else {
            provider_queries::forget(conn, query_id)?;
        }
    }
    Ok(())
}

fn finish_query(
    ctx: &MonitorContext<'_>,
    cycle_id: i64,
    query_id: i64,
    job_id: Option<i64>,
) -> Result<()> {
    let tx = crate::storage::vault::write_transaction(ctx.vault.conn())?;
    if let Some(job_id) = job_id {
        record_new_findings(&tx, cycle_id, job_id, None, ctx.clock.now())?;
    }
    provider_queries::mark_processed(&tx, query_id)?;
    tx.commit()
        .map_err(|e| storage("recording what monitoring found", e))
}

mod provider_queries {
    //! The `monitor_provider_queries` table.

    use chrono::{DateTime, Utc};
    use rusqlite::{params, Connection};

    use crate::base::error::storage;
    use crate::search::providers::ProviderId;
    use crate::Result;

    pub fn start(
        conn: &Connection,
        cycle_id: i64,
        provider: ProviderId,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        conn.execute(
            "INSERT INTO monitor_provider_queries (provider, at, cycle_id) VALUES (?1, ?2, ?3)",
            params![provider.name(), now.to_rfc3339(), cycle_id],
        )
        .map_err(|e| storage("counting a provider query", e))?;
        Ok(conn.last_insert_rowid())
    }

    pub fn set_job(conn: &Connection, id: i64, job_id: i64) -> Result<()> {
        conn.execute(
            "UPDATE monitor_provider_queries SET job_id = ?2 WHERE id = ?1",
            params![id, job_id],
        )
        .map_err(|e| storage("counting a provider query", e))?;
        Ok(())
    }

    pub fn forget(conn: &Connection, id: i64) -> Result<()> {
        conn.execute("DELETE FROM monitor_provider_queries WHERE id = ?1", [id])
            .map_err(|e| storage("counting a provider query", e))?;
        Ok(())
    }

    pub fn mark_processed(tx: &Connection, id: i64) -> Result<()> {
        tx.execute(
            "UPDATE monitor_provider_queries SET processed = 1 WHERE id = ?1",
            [id],
        )
        .map_err(|e| storage("counting a provider query", e))?;
        Ok(())
    }

    pub fn in_cycle(conn: &Connection, cycle_id: i64, provider: ProviderId) -> Result<bool> {
        conn.query_row(
            "SELECT count(*) > 0 FROM monitor_provider_queries WHERE cycle_id = ?1 AND provider = ?2",
            params![cycle_id, provider.name()],
            |r| r.get(0),
        )
        .map_err(|e| storage("reading provider queries", e))
    }

    /// (query, job) of the queries of `cycle_id` not yet recorded.
    pub fn unprocessed(conn: &Connection, cycle_id: i64) -> Result<Vec<(i64, Option<i64>)>> {
        let mut statement = conn
            .prepare(
                "SELECT id, job_id FROM monitor_provider_queries
                 WHERE cycle_id = ?1 AND processed = 0 ORDER BY id",
            )
            .map_err(|e| storage("reading provider queries", e))?;
        let rows = statement
            .query_map([cycle_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| storage("reading provider queries", e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| storage("reading provider queries", e))?;
        Ok(rows)
    }
}

/// Why a re-check found a picture gone: replaced (the address serves another picture), the
/// site's 404 or 410 (for a folder's file: no longer there), or no readable image.
fn removed_reason(finding: &findings::Finding, replaced: bool, status: Option<u16>) -> EventReason {
    if replaced {
        return EventReason::Replaced;
    }
    match status {
        _ if finding.image_url.starts_with("file:") => EventReason::FileGone,
        Some(status @ (404 | 410)) => EventReason::Gone { status },
        _ => EventReason::NoImage,
    }
}

/// A source's place as the owner knows it: the site's host or the folder's path.
fn source_place(
    conn: &rusqlite::Connection,
    source_id: i64,
    problem: Option<&scan::SourceProblem>,
) -> String {
    if let Some(problem) = problem {
        return problem.place.clone();
    }
    match crate::search::sources::get(conn, source_id).map(|s| s.target) {
        Ok(crate::search::sources::SourceTarget::Site { url, .. }) => url::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or(url),
        Ok(crate::search::sources::SourceTarget::Folder { path, .. }) => path,
        Err(_) => format!("source {source_id}"),
    }
}

// ---- cases ----------------------------------------------------------------------------------

/// One `still_up_after_deadline` event per case and deadline, when the deadline passed and a
/// picture the letter names is still up. Returns how many open cases were looked at.
fn check_cases(ctx: &MonitorContext<'_>, cycle: &Cycle) -> Result<u32> {
    let conn = ctx.vault.conn();
    let now = ctx.clock.now();
    let mut checked = 0;
    for case in cases::list(conn, now)? {
        if !(case.state.is_open() || case.state == CaseState::Reopened) {
            continue;
        }
        checked += 1;
        let due = match case.reminder {
            Some(Reminder::Passed { due } | Reminder::FollowUp { due }) => due,
            _ => continue,
        };
        let still_up = case
            .findings
            .iter()
            .filter_map(|f| f.id.as_deref().and_then(|id| id.parse::<i64>().ok()))
            .find(|id| {
                findings::get(conn, *id).is_ok_and(|f| {
                    matches!(f.status, FindingStatus::Confirmed | FindingStatus::New)
                })
            });
        let Some(finding_id) = still_up else {
            continue;
        };
        let next = match &case.next_step {
            Some(step) => format!(
                " Next: {} ({}).",
                step.rung.as_str().replace('_', " "),
                step.advice
            ),
            None => String::new(),
        };
        let event = NewEvent::new(
            EventKind::StillUpAfterDeadline,
            format!("deadline:{}:{}", case.id, due.to_rfc3339()),
            format!(
                "The deadline of case {} ({}) passed on {} and the picture is still up.{next}",
                case.id,
                case.recipient_name,
                due.format("%Y-%m-%d")
            ),
        )
        .finding(finding_id)
        .case(Some(case.id))
        .detail(
            findings::get(conn, finding_id)
                .ok()
                .as_ref()
                .map(|f| f.site.as_str()),
            EventReason::DeadlinePassed {
                recipient: case.recipient_name.clone(),
                due: due.format("%Y-%m-%d").to_string(),
                next: case.next_step.as_ref().map(|s| s.advice_code),
            },
        );
        let tx = crate::storage::vault::write_transaction(conn)?;
        events::record(&tx, &event, Some(cycle.id), now)?;
        tx.commit()
            .map_err(|e| storage("recording a monitoring event", e))?;
    }
    Ok(checked)
}
