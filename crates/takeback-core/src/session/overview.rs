//! Where the active profile stands, for Home: each step of the way and what is done. One
//! definition of an open case ([`CaseState::is_open`]: sent or acknowledged), drafts counted
//! apart.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Session;
use crate::face::enrollment;
use crate::removal::cases::deadline::Reminder;
use crate::removal::cases::{store, CaseState};
use crate::search::findings::{self, FindingStatus};
use crate::search::sources;
use crate::Result;

/// Counts for Home.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub enrolled: u32,
    pub sources: u32,
    /// Findings waiting for "this is me" / "not me".
    pub to_review: u32,
    pub confirmed: u32,
    /// Letters saved but not sent yet.
    pub drafts: u32,
    /// Sent and not yet answered for good.
    pub open_cases: u32,
    /// Open cases past their legal deadline.
    pub overdue: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Session {
    pub fn overview(&self, now: DateTime<Utc>) -> Result<Overview> {
        self.with_vault(|vault| {
            let conn = vault.conn();
            let by_status = |s| findings::list(conn, Some(s)).map(|f| count(f.len()));
            let cases = store::list(conn, now)?;
            let open: Vec<_> = cases.iter().filter(|c| c.state.is_open()).collect();
            Ok(Overview {
                enrolled: count(enrollment::list(conn)?.len()),
                sources: count(sources::list(conn)?.len()),
                to_review: by_status(FindingStatus::New)?,
                confirmed: by_status(FindingStatus::Confirmed)?,
                drafts: count(cases.iter().filter(|c| c.state == CaseState::Draft).count()),
                open_cases: count(open.len()),
                overdue: count(
                    open.iter()
                        .filter(|c| matches!(c.reminder, Some(Reminder::Passed { .. })))
                        .count(),
                ),
            })
        })
    }
}
