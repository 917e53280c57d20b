//! Monitoring: Takeback keeps watching within the owner's consent, proves removals, catches
//! reappearances, and records what changed as events. See `README.md` beside this file.
//!
//! The monitor is one more caller of the same core functions the owner uses by hand:
//! `scan::run`/`scan::resume` for due sources, `findings::recheck::check` for watched findings,
//! and the cases' deadlines. [`runner::run_once`] does one cycle; [`status::status`] says what is
//! due; [`events`] is the inbox.

pub mod consent;
pub mod cycles;
pub mod due;
pub mod error;
pub mod events;
pub mod history;
pub mod lock;
pub mod notify;
pub mod reappear;
pub mod runner;
pub mod status;
pub mod systemd;

pub use error::MonitorError;
pub use events::{Event, EventKind};
pub use runner::{run_once, CycleReport, MonitorContext, MonitorProgress, RunOptions};
pub use status::{status, MonitorStatus};
