//! Scan jobs: one entry point, used by the CLI and the app, that watches the owner's sites and
//! folders and runs the remote providers the owner approved, re-checks every candidate on this
//! device, and records findings. See `README.md` beside this file for the app-facing API.
//!
//! [`run`] starts a job from a [`ScanPlan`]; [`resume`] continues an interrupted one. Both block
//! the calling thread (run them on a background thread with a second vault handle from
//! [`crate::storage::vault::Vault::open_another`]), report [`ScanProgress`] through a callback, stop
//! promptly when the [`CancelFlag`] is set, and persist every step as it completes, so that a
//! crash loses at most the image being checked and a resumed job repeats nothing.
//!
//! Order of least exposure: local sources first (nothing leaves the machine), then copy finders,
//! then face finders. A provider runs only when enabled, keyed, named in the plan, and consented
//! to for exactly the bytes it would be sent ([`consent`]).

pub mod consent;

pub mod jobs;
mod local;
mod memory;
pub mod problem;
pub mod registered;
mod remote;
mod skip;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use takeback_faces::FaceEngine;

pub use consent::{preview, record_consent, Consent, ProviderPreview};

pub use jobs::{Job, JobStatus};
pub use problem::{ProblemKind, ProblemWhy, SourceProblem};
pub use registered::{register, RegisteredPhoto};
pub use skip::ProviderWhy;

use crate::base::cancel::CancelFlag;
use crate::base::clock::Clock;
use crate::base::settings::Settings;
use crate::search::error::SearchError;
use crate::search::findings::{self, Finding};
use crate::search::providers::ProviderId;
use crate::storage::audit;
use crate::storage::secrets::KeyStore;
use crate::storage::vault::Vault;
use crate::Result;

/// What a scan needs from its caller.
#[derive(Clone, Copy)]
pub struct ScanContext<'a> {
    /// The scan's own handle on the unlocked vault.
    pub vault: &'a Vault,
    pub engine: &'a FaceEngine,
    /// Where provider keys are (the OS keyring).
    pub keys: &'a dyn KeyStore,
    /// Provider base URLs and enabled flags.
    pub settings: &'a Settings,
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for ScanContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanContext").finish_non_exhaustive()
    }
}

/// What to scan. Stored with the job, so a resumed job does exactly what was asked -- except the
/// permissions ([`ScanPermissions`]): the consents and the network policy are never stored, so a
/// job resumed days later, after a lock, sends nothing under yesterday's consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanPlan {
    /// Source ids to scan. Empty: every source when `providers` is empty too, none otherwise.
    #[cfg_attr(feature = "specta", specta(type = Vec<i32>))]
    pub sources: Vec<i64>,
    /// Remote providers to run, with `photo_id` as the query.
    pub providers: Vec<ProviderId>,
    /// The registered photo the providers search with ([`register`]).
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub photo_id: Option<i64>,
    /// The owner's consents ([`record_consent`]); a provider without one is skipped. Not stored.
    #[serde(skip)]
    pub consents: Vec<Consent>,
    /// Crawl and fetch loopback and private addresses too (tests, intranets). Not stored.
    #[serde(skip)]
    pub allow_local_network: bool,
}

/// What the person allows now: given again to [`resume`], because a stored job keeps none.
#[derive(Debug, Clone, Default)]
pub struct ScanPermissions {
    /// Consents given in this session (the window drops them on lock; the CLI asks again).
    pub consents: Vec<Consent>,
    /// The current network policy.
    pub allow_local_network: bool,
}

/// What the scan is doing now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ScanPhase {
    Starting,
    Site {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        source_id: i64,
        url: String,
    },
    Folder {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        source_id: i64,
        path: String,
    },
    Provider {
        provider: ProviderId,
    },
    /// Fetching and checking a provider's candidates on this device.
    Recheck {
        provider: ProviderId,
        done: u32,
        total: u32,
    },
    Finished {
        status: JobStatus,
    },
}

/// A progress event; counters are totals for the job so far (across resumes). (Counters are
/// exported to TypeScript as `number`: they stay far below 2^53.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanProgress {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub job_id: i64,
    pub phase: ScanPhase,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub pages_crawled: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub images_checked: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub hits: u64,
    /// A line for the owner when something was skipped or failed (a provider without consent,
    /// a site that could not be reached), in English.
    pub notice: Option<String>,
    /// The source that could not be scanned, when that is what `notice` says (with its code,
    /// for the window to say it in its own language).
    pub problem: Option<SourceProblem>,
    /// The provider that was skipped or failed, when that is what `notice` says (with its
    /// code, for the window). Boxed: most events carry none.
    pub skipped: Option<Box<ProviderRun>>,
}

/// How one requested provider went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ProviderRun {
    /// Searched; its candidates were re-checked on this device.
    Ran {
        provider: ProviderId,
        candidates: u32,
        confirmed_on_device: u32,
        unverified: u32,
    },
    /// Not run: no consent, disabled, no key, no photo. `reason` is the English (the CLI's),
    /// `why` its code (the window's).
    Skipped {
        provider: ProviderId,
        reason: String,
        why: ProviderWhy,
    },
    /// The provider answered with an error (the job can be resumed to retry it).
    Failed {
        provider: ProviderId,
        reason: String,
        why: ProviderWhy,
    },
}

/// What a scan did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanSummary {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub job_id: i64,
    pub status: JobStatus,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub pages_crawled: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub images_checked: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub hits: u64,
    /// Sources scanned (or already scanned before a resume).
    pub sources_scanned: u32,
    pub source_problems: Vec<SourceProblem>,
    pub providers: Vec<ProviderRun>,
    /// Nothing at all was checked: no source scanned and no provider searched ([`Self::nothing_ran`]).
    pub nothing_checked: bool,
    /// Findings this job recorded first (a resumed job lists those of its earlier part too).
    pub new_findings: Vec<Finding>,
}

impl ScanSummary {
    /// True when nothing at all ran: no source scanned and no provider searched. The CLI exits
    /// 3 then (PRODUCT.md §4).
    pub fn nothing_ran(&self) -> bool {
        self.sources_scanned == 0
            && !self
                .providers
                .iter()
                .any(|p| matches!(p, ProviderRun::Ran { .. }))
    }
}

/// Starts a new scan job for `plan` and runs it to the end, or until `cancel`.
pub fn run(
    ctx: &ScanContext<'_>,
    plan: &ScanPlan,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(ScanProgress),
) -> Result<ScanSummary> {
    check_plan(ctx, plan)?;
    let job_id = jobs::create(ctx.vault.conn(), plan, ctx.clock.now())?;
    audit_start(ctx, "scan.started", job_id, plan)?;
    execute(ctx, job_id, plan, false, cancel, progress)
}

/// Continues job `job_id` (see [`jobs::resumable`]), skipping every step already done, under
/// the consents and network policy of `now`: a provider without a current consent is skipped
/// and nothing is sent to it.
pub fn resume(
    ctx: &ScanContext<'_>,
    job_id: i64,
    now: ScanPermissions,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(ScanProgress),
) -> Result<ScanSummary> {
    let mut job = jobs::get(ctx.vault.conn(), job_id)?;
    if job.status == JobStatus::Finished {
        return Err(SearchError::JobFinished { id: job_id }.into());
    }
    job.plan.consents = now.consents;
    job.plan.allow_local_network = now.allow_local_network;
    jobs::set_status(
        ctx.vault.conn(),
        job_id,
        JobStatus::Running,
        None,
        ctx.clock.now(),
    )?;
    audit_start(ctx, "scan.resumed", job_id, &job.plan)?;
    execute(ctx, job_id, &job.plan, true, cancel, progress)
}

/// A scan looks through sites and may send a photo to services: the audit log keeps when, and
/// what it was asked to do (counts and service names, never addresses).
fn audit_start(ctx: &ScanContext<'_>, action: &str, job_id: i64, plan: &ScanPlan) -> Result<()> {
    let sources = if plan.sources.is_empty() && plan.providers.is_empty() {
        crate::search::sources::list(ctx.vault.conn())?.len()
    } else {
        plan.sources.len()
    };
    audit::append(
        ctx.vault.conn(),
        audit::NewEntry::new("owner", action).detail(serde_json::json!({
            "job": job_id,
            "sources": sources,
            "providers": plan.providers,
        })),
        ctx.clock.now(),
    )?;
    Ok(())
}

fn check_plan(ctx: &ScanContext<'_>, plan: &ScanPlan) -> Result<()> {
    // Without an enrolled face every image would be checked against nothing: the scan would
    // find nothing and look as if there were nothing to find.
    if crate::face::enrollment::descriptors(ctx.vault.conn())?.is_empty() {
        return Err(SearchError::NotEnrolled.into());
    }
    for id in &plan.sources {
        crate::search::sources::get(ctx.vault.conn(), *id)?;
    }
    if let Some(photo) = plan.photo_id {
        registered::get(ctx.vault.conn(), photo)?;
    }
    let no_sources = plan.sources.is_empty()
        && (!plan.providers.is_empty()
            || crate::search::sources::list(ctx.vault.conn())?.is_empty());
    if no_sources && plan.providers.is_empty() && plan.photo_id.is_none() {
        return Err(SearchError::NothingToScan.into());
    }
    Ok(())
}

/// Shared state of one execution: the job, its counters, the callback.
pub(crate) struct Execution<'a, 'b> {
    pub ctx: &'a ScanContext<'a>,
    pub job_id: i64,
    pub cancel: &'a CancelFlag,
    pub progress: &'b mut dyn FnMut(ScanProgress),
    pub totals: jobs::Counts,
    pub runtime: tokio::runtime::Runtime,
    /// A step was left undone for want of a consent (a stored job keeps none).
    pub awaiting_permission: bool,
}

impl Execution<'_, '_> {
    pub(crate) fn emit(&mut self, phase: ScanPhase, extra_pages: u64, notice: Option<String>) {
        (self.progress)(ScanProgress {
            job_id: self.job_id,
            phase,
            pages_crawled: self.totals.pages + extra_pages,
            images_checked: self.totals.images,
            hits: self.totals.hits,
            notice,
            problem: None,
            skipped: None,
        });
    }

    /// Tells the owner at once that a provider was skipped or failed.
    pub(crate) fn emit_skip(&mut self, provider: ProviderId, notice: String, run: ProviderRun) {
        (self.progress)(ScanProgress {
            job_id: self.job_id,
            phase: ScanPhase::Provider { provider },
            pages_crawled: self.totals.pages,
            images_checked: self.totals.images,
            hits: self.totals.hits,
            notice: Some(notice),
            problem: None,
            skipped: Some(Box::new(run)),
        });
    }

    /// Tells the owner at once that `problem`'s source could not be scanned.
    fn emit_problem(&mut self, problem: &SourceProblem) {
        (self.progress)(ScanProgress {
            job_id: self.job_id,
            phase: ScanPhase::Starting,
            pages_crawled: self.totals.pages,
            images_checked: self.totals.images,
            hits: self.totals.hits,
            notice: Some(problem.reason.clone()),
            problem: Some(problem.clone()),
            skipped: None,
        });
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.ctx.clock.now()
    }
}

fn execute(
    ctx: &ScanContext<'_>,
    job_id: i64,
    plan: &ScanPlan,
    resumed: bool,
    cancel: &CancelFlag,
    progress: &mut dyn FnMut(ScanProgress),
) -> Result<ScanSummary> {
    let job = jobs::get(ctx.vault.conn(), job_id)?;
    // One worker thread does the network; the calling thread runs the face engine, so the
    // engine is the only CPU-heavy stage and the crawler waits on a bounded channel for it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Network {
            what: "starting the scan's network runtime".into(),
            reason: e.to_string(),
            source: Some(e.into()),
        })?;
    let mut execution = Execution {
        ctx,
        job_id,
        cancel,
        progress,
        totals: jobs::Counts {
            pages: job.pages_crawled,
            images: job.images_checked,
            hits: job.hits,
        },
        runtime,
        awaiting_permission: false,
    };
    execution.emit(ScanPhase::Starting, 0, None);
    let result = execute_steps(&mut execution, plan);
    // A provider that failed (HTTP error, timeout) leaves the job `failed`, hence resumable: the
    // resumed job asks that provider again and skips everything else.
    let provider_failure = result.as_ref().ok().and_then(|(_, _, runs)| {
        runs.iter().find_map(|run| match run {
            ProviderRun::Failed {
                provider, reason, ..
            } => Some(format!("{provider}: {reason}")),
            _ => None,
        })
    });
    // A resumed job runs under today's permissions only. What it could not do without them (a
    // service nobody consented to again, a site on the local network not allowed again) stays
    // to do: the job stays resumable until the person gives them again.
    let waiting = resumed
        && result.as_ref().is_ok_and(|(_, problems, _)| {
            execution.awaiting_permission
                || problems
                    .iter()
                    .any(|p| p.kind == problem::ProblemKind::LocalNetwork)
        });
    let status = match &result {
        Ok(_) if cancel.is_cancelled() => JobStatus::Cancelled,
        Ok(_) if provider_failure.is_some() || waiting => JobStatus::Failed,
        Ok(_) => JobStatus::Finished,
        Err(_) => JobStatus::Failed,
    };
    let error = match &result {
        Err(e) => Some(e.to_string()),
        Ok(_) if waiting && provider_failure.is_none() => Some(
            "resumed without the consent or the network permission it needs; give it again and resume"
                .to_owned(),
        ),
        Ok(_) => provider_failure,
    };
    jobs::set_status(
        ctx.vault.conn(),
        job_id,
        status,
        error.as_deref(),
        ctx.clock.now(),
    )?;
    let (sources_scanned, source_problems, providers) = result?;
    execution.emit(ScanPhase::Finished { status }, 0, None);
    let totals = execution.totals;
    let mut summary = ScanSummary {
        job_id,
        status,
        pages_crawled: totals.pages,
        images_checked: totals.images,
        hits: totals.hits,
        sources_scanned,
        source_problems,
        providers,
        nothing_checked: false,
        new_findings: findings::first_seen_in_job(ctx.vault.conn(), job_id)?,
    };
    summary.nothing_checked = summary.nothing_ran();
    Ok(summary)
}

type StepResults = (u32, Vec<SourceProblem>, Vec<ProviderRun>);

fn execute_steps(execution: &mut Execution<'_, '_>, plan: &ScanPlan) -> Result<StepResults> {
    let conn = execution.ctx.vault.conn();
    let reference = registered::owner_reference(conn)?;
    let sources = if plan.sources.is_empty() && plan.providers.is_empty() {
        crate::search::sources::list(conn)?
    } else {
        plan.sources
            .iter()
            .map(|id| crate::search::sources::get(conn, *id))
            .collect::<Result<Vec<_>>>()?
    };
    let mut scanned = 0;
    let mut problems = Vec::new();
    for source in &sources {
        if execution.cancel.is_cancelled() {
            break;
        }
        match local::scan_source(execution, source, &reference, plan.allow_local_network)? {
            Ok(()) => scanned += 1,
            Err(problem) => {
                execution.emit_problem(&problem);
                problems.push(problem);
            }
        }
    }
    let mut providers = plan.providers.clone();
    // Least exposure first: copy finders before face finders.
    providers.sort_by_key(|p| ProviderId::ALL.iter().position(|a| a == p));
    providers.dedup();
    let mut runs = Vec::new();
    for provider in providers {
        if execution.cancel.is_cancelled() {
            break;
        }
        runs.push(remote::run_provider(execution, plan, provider, &reference)?);
    }
    Ok((scanned, problems, runs))
}
