//! What can go wrong with sources, findings and scan jobs. Messages say what to do next and
//! never carry image bytes, keys or the URLs of findings.

use crate::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("there is no source {id}")]
    SourceNotFound { id: i64 },

    #[error("this {kind} is already a source (id {id})")]
    SourceExists { kind: &'static str, id: i64 },

    #[error("`{path}` is not a folder that can be read ({reason})")]
    FolderUnreadable { path: String, reason: String },

    #[error("{what} must be from {min} to {max}, not {value}")]
    LimitOutOfRange {
        what: &'static str,
        value: u64,
        min: u64,
        max: u64,
    },

    #[error("`{text}` is not an interval: write a number and a unit, like 30m, 12h, 1d or 7d")]
    InvalidInterval { text: String },

    #[error("{text} is outside what the monitor allows: from 15 minutes (15m) to 30 days (30d)")]
    IntervalOutOfRange { text: String },

    #[error("there is no finding {id}")]
    FindingNotFound { id: i64 },

    #[error("there is no registered photo {id}")]
    PhotoNotFound { id: i64 },

    #[error("there is no scan {id}")]
    JobNotFound { id: i64 },

    #[error("there is no interrupted scan to resume")]
    NothingToResume,

    #[error("scan {id} already finished; start a new scan instead")]
    JobFinished { id: i64 },

    #[error(
        "nothing to scan: add a site or folder to watch, or choose a search service and a photo"
    )]
    NothingToScan,

    #[error("no face is enrolled in this profile yet, so a scan could not tell your photos from anyone else's; add 3 to 5 photos of your face on the Profile page first")]
    NotEnrolled,

    #[error("a stored scan plan could not be read ({reason})")]
    CorruptPlan { reason: String },
}

impl SearchError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SearchError::SourceNotFound { .. }
            | SearchError::FindingNotFound { .. }
            | SearchError::PhotoNotFound { .. }
            | SearchError::JobNotFound { .. }
            | SearchError::NothingToResume => ErrorCode::NotFound,
            SearchError::SourceExists { .. }
            | SearchError::FolderUnreadable { .. }
            | SearchError::LimitOutOfRange { .. }
            | SearchError::InvalidInterval { .. }
            | SearchError::IntervalOutOfRange { .. }
            | SearchError::JobFinished { .. }
            | SearchError::NothingToScan => ErrorCode::InvalidInput,
            SearchError::CorruptPlan { .. } => ErrorCode::Corrupt,
            SearchError::NotEnrolled => ErrorCode::Refused,
        }
    }
}

crate::layer_error!(SearchError);
