//! Time, passed in: domain logic never reads the system clock itself, so tests control it. An
//! action that spans time (a scan, a re-check) takes a [`Clock`]; a single moment takes a `now`.

use chrono::{DateTime, Utc};

/// Where a long-running action reads the time from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
