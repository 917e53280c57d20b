//! A case's states and the moves allowed between them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// draft → sent → acknowledged → removed / partly removed / refused / ignored → escalated; a
/// removed case is reopened when monitoring finds its picture again.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Draft,
    Sent,
    Acknowledged,
    Removed,
    PartlyRemoved,
    Refused,
    Ignored,
    Escalated,
    /// Removed, then found again by monitoring: the next letter is offered.
    Reopened,
}

const ALL: [CaseState; 9] = [
    CaseState::Draft,
    CaseState::Sent,
    CaseState::Acknowledged,
    CaseState::Removed,
    CaseState::PartlyRemoved,
    CaseState::Refused,
    CaseState::Ignored,
    CaseState::Escalated,
    CaseState::Reopened,
];

impl CaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Draft => "draft",
            CaseState::Sent => "sent",
            CaseState::Acknowledged => "acknowledged",
            CaseState::Removed => "removed",
            CaseState::PartlyRemoved => "partly_removed",
            CaseState::Refused => "refused",
            CaseState::Ignored => "ignored",
            CaseState::Escalated => "escalated",
            CaseState::Reopened => "reopened",
        }
    }

    /// Whether the case is waiting on the recipient (its clock is running).
    pub fn is_open(self) -> bool {
        matches!(self, CaseState::Sent | CaseState::Acknowledged)
    }

    /// Whether moving to `next` is allowed.
    pub fn can_move_to(self, next: CaseState) -> bool {
        use CaseState::*;
        match self {
            Draft => next == Sent,
            Sent => matches!(
                next,
                Acknowledged | Removed | PartlyRemoved | Refused | Ignored | Escalated
            ),
            Acknowledged => matches!(
                next,
                Removed | PartlyRemoved | Refused | Ignored | Escalated
            ),
            PartlyRemoved | Refused | Ignored | Reopened => matches!(next, Escalated | Removed),
            // Only monitoring reopens a removed case (`store::reopen`), not the owner.
            Removed | Escalated => false,
        }
    }

    /// Every state this one may move to.
    pub fn next_states(self) -> Vec<CaseState> {
        ALL.into_iter().filter(|&n| self.can_move_to(n)).collect()
    }

    /// Checks a move, with a message that says what is possible instead.
    pub fn check_move(self, next: CaseState) -> Result<()> {
        if self.can_move_to(next) {
            Ok(())
        } else {
            Err(Error::InvalidCaseTransition {
                from: self.as_str(),
                to: next.as_str(),
            })
        }
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseState {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim().replace('-', "_").to_ascii_lowercase();
        ALL.into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| Error::InvalidLetterInput {
                reason: format!("`{s}` is not a case state"),
                source: None,
            })
    }
}
