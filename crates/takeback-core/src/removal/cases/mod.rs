//! Cases: one per letter, tracking its state, the legal deadline it starts, and what comes next.
//!
//! App API (the Cases page):
//! - `store::open_case(&conn, &letter, &NewCase, now)` when a letter is drafted (state `draft`);
//! - `store::list(&conn, now)` → [`CaseView`]s with deadline, reminder and next step, for the
//!   countdowns; `store::get(&conn, id, now)` for one case with its timeline (`store::events`);
//! - `store::mark_sent`, `store::record_received`, `store::record_extension`, `store::pause` /
//!   `store::resume`, `store::transition` (acknowledged, removed, refused, ignored, escalated).
//! - `deadline::compute` and `escalation::next_step` are pure and can be called directly.

pub mod actions;
pub mod deadline;
pub mod escalation;
mod state;
pub mod store;

pub use crate::removal::law::Basis;
pub use deadline::{Deadline, LegalClock, Pause, Reminder};
pub use escalation::{NextStep, Rung};
pub use state::CaseState;
pub use store::{CaseView, NewCase};

#[cfg(test)]
mod tests;
