//! The law a removal request stands on: the kinds of letter and their regimes, the legal basis of
//! each deadline, working-day calendars and the criminal offences a notice can cite. Pure data
//! and rules, no storage.

pub mod basis;
pub mod calendar;
pub mod kind;
pub mod offences;

pub use basis::Basis;
pub use kind::{is_eea, is_eu, LetterKind, Regime};
