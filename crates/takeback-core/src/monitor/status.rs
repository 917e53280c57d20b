//! What runs next and when (`takeback monitor status`, the window's Home).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::consent::{self, StandingConsent};
use super::cycles::{self, Cycle};
use super::due::{self, RECHECK_EVERY, REMOVED_WATCH_EVERY, REMOVED_WATCH_FOR_DAYS};
use super::events;
use super::lock::RunnerLock;
use crate::removal::cases::{store as cases, CaseState};
use crate::search::every::Every;
use crate::search::findings::{self, FindingStatus};
use crate::search::sources;
use crate::storage::vault::Vault;
use crate::Result;

/// One source's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SourceSchedule {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub source_id: i64,
    pub every: Every,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub last_visit: Option<DateTime<Utc>>,
    /// `None`: due now (never visited).
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub next_due: Option<DateTime<Utc>>,
    /// Failed visits in a row.
    pub failures: u32,
}

/// A group of findings watched on one interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FindingWatch {
    pub every: Every,
    pub findings: u32,
    /// The earliest next re-check; `None` when nothing is watched or something is due now.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub next_due: Option<DateTime<Utc>>,
    pub due_now: u32,
}

/// An open case's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseWatch {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub case_id: i64,
    pub state: CaseState,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub due: Option<DateTime<Utc>>,
}

/// Who runs monitoring for this profile when nobody presses "Check now".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Background {
    /// A systemd user timer (`takeback monitor install`), also while the window is closed.
    Timer,
    /// Only the window, while the profile is unlocked: a passphrase profile cannot be opened
    /// unattended.
    WindowOnlyPassphrase,
    /// Only the window, while the profile is unlocked (no timer installed).
    WindowOnly,
}

/// The monitor's state for one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonitorStatus {
    /// A runner holds the profile's lock now.
    pub running: bool,
    pub background: Background,
    pub last_cycle: Option<Cycle>,
    /// The earliest moment something is due (now or in the past: the next run does it).
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub next_due: Option<DateTime<Utc>>,
    pub sources: Vec<SourceSchedule>,
    /// Confirmed findings, re-checked daily.
    pub recheck: FindingWatch,
    /// Removed findings, watched weekly for 90 days.
    pub removed_watch: FindingWatch,
    pub removed_watch_days: u32,
    pub cases: Vec<CaseWatch>,
    /// Remote providers the monitor may re-query (none unless the owner granted it).
    pub providers: Vec<StandingConsent>,
    pub unread_events: u32,
}

/// The status of the monitor for `vault` at `now`.
pub fn status(vault: &Vault, now: DateTime<Utc>) -> Result<MonitorStatus> {
    let conn = vault.conn();
    let mut next_due: Option<DateTime<Utc>> = None;
    let mut consider = |t: DateTime<Utc>| {
        next_due = Some(next_due.map_or(t, |n| n.min(t)));
    };
    let mut schedules = Vec::new();
    for source in sources::list(conn)? {
        let next = due::source_next_due(conn, &source)?;
        consider(next.unwrap_or(now));
        schedules.push(SourceSchedule {
            source_id: source.id,
            every: source.every,
            last_visit: due::last_visit(conn, source.id)?,
            next_due: next,
            failures: due::failures(conn, source.id)?,
        });
    }
    let mut watches = [
        (FindingStatus::Confirmed, RECHECK_EVERY),
        (FindingStatus::Removed, REMOVED_WATCH_EVERY),
    ]
    .map(|(status, every)| {
        (
            status,
            FindingWatch {
                every,
                findings: 0,
                next_due: None,
                due_now: 0,
            },
        )
    });
    for (status, watch) in &mut watches {
        for finding in findings::list(conn, Some(*status))? {
            let Some(w) = due::watch(conn, &finding, now)? else {
                continue;
            };
            watch.findings += 1;
            match w.next_due {
                Some(t) if t > now => {
                    watch.next_due = Some(watch.next_due.map_or(t, |n| n.min(t)));
                    consider(t);
                }
                _ => {
                    watch.due_now += 1;
                    consider(now);
                }
            }
        }
    }
    let [(_, recheck), (_, removed_watch)] = watches;
    let cases = cases::list(conn, now)?
        .into_iter()
        .filter(|c| c.state.is_open() || c.state == CaseState::Reopened)
        .map(|c| CaseWatch {
            case_id: c.id,
            state: c.state,
            due: c.deadline.map(|d| d.due),
        })
        .collect();
    let providers = consent::active(conn, now)?;
    for standing in providers.iter().filter(|c| !c.budget_reached()) {
        consider(standing.next_due().unwrap_or(now).max(now));
    }
    let info = vault.info();
    let background = if info.kind == crate::storage::vault::ProfileKind::Clinic {
        Background::WindowOnlyPassphrase
    } else if super::systemd::user_unit_dir()
        .is_ok_and(|dir| super::systemd::is_installed(&dir, info))
    {
        Background::Timer
    } else {
        Background::WindowOnly
    };
    Ok(MonitorStatus {
        running: RunnerLock::is_held(vault.dir())?,
        background,
        last_cycle: cycles::latest(conn)?,
        next_due,
        sources: schedules,
        recheck,
        removed_watch,
        removed_watch_days: REMOVED_WATCH_FOR_DAYS as u32,
        cases,
        providers,
        unread_events: events::unread_count(conn)?,
    })
}
