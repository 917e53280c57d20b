//! The legal clock each letter starts, and its arithmetic.
//!
//! - TIDA and the UK OSA: 48 real hours from receipt (DST does not stretch or shrink them).
//! - GDPR and UK GDPR: one month from the day of receipt to the corresponding date of the next
//!   month (or that month's last day), ending at the end of that day in the controller's zone,
//!   moved to the next working day (Reg. (EEC, Euratom) 1182/71 art. 3; the ICO's rule). Two more
//!   months only if the extension was notified within the first month. Pauses (a reasonable
//!   identity or clarification request) add their days.
//! - DMCA counter-notice: the provider restores the material 10 to 14 US business days after
//!   receiving it, unless told a suit was filed.
//! - DMCA notice, DSA, host abuse, platform policy: no legal deadline; a follow-up date instead.
//!
//! Everything takes `now` or the recorded times as arguments; nothing here reads the clock.

use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::removal::law::Basis;

/// A period during which the clock stood still (for example, waiting for a clarification the
/// controller reasonably asked for). `to: None` means still paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

/// What the clock is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalClock {
    pub basis: Basis,
    /// When the recipient received the letter (form receipt, the email's `Date`, or the
    /// acknowledgement); for a counter-notice, when the provider received it.
    pub received_at: DateTime<Utc>,
    /// GDPR: when the controller told the person it extends the time limit.
    pub extension_notified_at: Option<DateTime<Utc>>,
    pub pauses: Vec<Pause>,
}

/// A computed deadline.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub basis: Basis,
    /// When the recipient must have acted (legal) or when to follow up (not legal).
    pub due: DateTime<Utc>,
    pub legal: bool,
    /// Counter-notice only: the first moment the provider may restore the material.
    pub earliest: Option<DateTime<Utc>>,
    pub extended: bool,
    pub paused: bool,
    /// When to remind the user that the deadline is near (legal deadlines only): 12 hours before
    /// a 48-hour clock ends; day 25 of a month clock (research/takedowns.md §6.2).
    pub remind_at: Option<DateTime<Utc>>,
    /// Plain-language notes on how the date was reached, in English (the CLI prints them).
    pub notes: Vec<String>,
    /// `notes`, as codes the window says in its own language, in the same order.
    pub note_codes: Vec<DeadlineNote>,
}

/// A note on how a deadline was reached, as a stable code with its parameters.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DeadlineNote {
    Hours48,
    OneMonth,
    PausedDays { days: u32 },
    ExtendedTwoMonths,
    ExtensionTooLate,
    CounterNotice,
    NoDeadlineThreeDays,
    NoDeadlineSevenDays,
}

impl DeadlineNote {
    /// The note in English.
    pub fn english(self) -> String {
        match self {
            DeadlineNote::Hours48 => "48 hours from receipt of the request.".to_owned(),
            DeadlineNote::OneMonth => "One month from the day of receipt; moved to the next working day if it falls on a weekend or public holiday.".to_owned(),
            DeadlineNote::PausedDays { days } => format!("Extended by {days} day(s) while the clock was paused."),
            DeadlineNote::ExtendedTwoMonths => "Extended by two months: the extension was notified within the first month.".to_owned(),
            DeadlineNote::ExtensionTooLate => "The extension was notified after the first month, so it does not apply (Article 12(3)).".to_owned(),
            DeadlineNote::CounterNotice => "The provider restores the material 10 to 14 US business days after receiving the counter-notice, unless told a lawsuit has been filed. Talk to a lawyer now.".to_owned(),
            DeadlineNote::NoDeadlineThreeDays => "No deadline in law (\"expeditiously\"); check again after 3 business days.".to_owned(),
            DeadlineNote::NoDeadlineSevenDays => "No deadline in law; check again after 7 days.".to_owned(),
        }
    }
}

/// The end of `date` in `zone` (23:59:59 local), in UTC. DST-safe: the offset is the one that
/// applies on that date.
fn end_of_day(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN));
    zone.from_local_datetime(&local)
        .latest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

fn start_of_day(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// Adds calendar months the way Reg. 1182/71 and the ICO count: the same day number, or the last
/// day of a shorter month (31 January + 1 month = 28 or 29 February).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

/// Whole days of pause, each started day counting as one.
fn paused_days(pauses: &[Pause], now: DateTime<Utc>) -> (i64, bool) {
    let mut seconds = 0;
    let mut open = false;
    for p in pauses {
        let end = p.to.unwrap_or_else(|| {
            open = true;
            now
        });
        seconds += (end - p.from).num_seconds().max(0);
    }
    ((seconds + 86_399) / 86_400, open)
}

/// Computes the deadline of `clock` as it stands at `now` (`now` only matters while a pause is
/// still open: the clock is then treated as resuming at `now`).
pub fn compute(clock: &LegalClock, now: DateTime<Utc>) -> Deadline {
    let basis = clock.basis;
    let (zone, calendar) = basis.zone_and_calendar();
    let received_local = clock.received_at.with_timezone(&zone).date_naive();
    let mut notes = Vec::new();
    let mut deadline = Deadline {
        basis,
        due: clock.received_at,
        legal: basis.is_legal(),
        earliest: None,
        extended: false,
        paused: false,
        remind_at: None,
        notes: Vec::new(),
        note_codes: Vec::new(),
    };
    match basis {
        Basis::Tida48h | Basis::UkOsa48h => {
            deadline.due = clock.received_at + Duration::hours(48);
            deadline.remind_at = Some(deadline.due - Duration::hours(12));
            notes.push(DeadlineNote::Hours48);
        }
        Basis::Gdpr1m | Basis::UkGdpr1m => {
            let (days, open) = paused_days(&clock.pauses, now);
            deadline.paused = open;
            let month_end = |months: u32| {
                let raw = add_months(received_local, months) + Duration::days(days);
                calendar.roll_forward(raw)
            };
            let first = end_of_day(zone, month_end(1));
            deadline.due = first;
            deadline.remind_at = Some(clock.received_at + Duration::days(25 + days));
            notes.push(DeadlineNote::OneMonth);
            if days > 0 {
                notes.push(DeadlineNote::PausedDays {
                    days: u32::try_from(days).unwrap_or(u32::MAX),
                });
            }
            if let Some(notified) = clock.extension_notified_at {
                if notified <= first {
                    deadline.due = end_of_day(zone, month_end(3));
                    deadline.extended = true;
                    notes.push(DeadlineNote::ExtendedTwoMonths);
                } else {
                    notes.push(DeadlineNote::ExtensionTooLate);
                }
            }
        }
        Basis::CounterNotice => {
            deadline.earliest = Some(start_of_day(
                zone,
                calendar.add_working_days(received_local, 10),
            ));
            deadline.due = end_of_day(zone, calendar.add_working_days(received_local, 14));
            deadline.remind_at = deadline.earliest.map(|e| e - Duration::days(3));
            notes.push(DeadlineNote::CounterNotice);
        }
        Basis::DmcaNone | Basis::AbuseNone => {
            deadline.due = end_of_day(zone, calendar.add_working_days(received_local, 3));
            notes.push(DeadlineNote::NoDeadlineThreeDays);
        }
        Basis::DsaNone | Basis::PolicyNone => {
            deadline.due = end_of_day(zone, received_local + Duration::days(7));
            notes.push(DeadlineNote::NoDeadlineSevenDays);
        }
    }
    deadline.notes = notes.iter().map(|n| n.english()).collect();
    deadline.note_codes = notes;
    deadline
}

/// A reminder the app shows (and the CLI lists).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reminder {
    /// The legal deadline is close.
    DueSoon { due: DateTime<Utc> },
    /// The legal deadline has passed without a recorded outcome.
    Passed { due: DateTime<Utc> },
    /// No legal deadline; time to check whether the content is gone.
    FollowUp { due: DateTime<Utc> },
}

/// The reminder for `deadline` at `now`, if any.
pub fn reminder(deadline: &Deadline, now: DateTime<Utc>) -> Option<Reminder> {
    if deadline.paused {
        return None;
    }
    let due = deadline.due;
    if !deadline.legal {
        return (now >= due).then_some(Reminder::FollowUp { due });
    }
    if now > due {
        return Some(Reminder::Passed { due });
    }
    deadline
        .remind_at
        .filter(|at| now >= *at)
        .map(|_| Reminder::DueSoon { due })
}
