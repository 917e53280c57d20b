//! What can go wrong with monitoring. Messages say what to do next.

use crate::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error("there is no event {id}")]
    EventNotFound { id: i64 },

    #[error("the monthly cap must be from 1 to 1000 searches, not {value}")]
    CapOutOfRange { value: u32 },

    #[error("profile `{name}` is locked with a passphrase, so it cannot be opened in the background; it is monitored while it is unlocked in the window")]
    NeedsKeyring { name: String },

    #[error("the background timer could not be set up: {reason}")]
    Install { reason: String },

    #[error("the monitor's lock file could not be used ({reason})")]
    Lock { reason: String },
}

impl MonitorError {
    pub fn code(&self) -> ErrorCode {
        match self {
            MonitorError::EventNotFound { .. } => ErrorCode::NotFound,
            MonitorError::CapOutOfRange { .. } => ErrorCode::InvalidInput,
            MonitorError::NeedsKeyring { .. } => ErrorCode::Refused,
            MonitorError::Install { .. } => ErrorCode::Io,
            MonitorError::Lock { .. } => ErrorCode::Io,
        }
    }
}

crate::layer_error!(MonitorError);
