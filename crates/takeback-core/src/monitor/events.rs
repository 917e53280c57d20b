//! The events inbox: what monitoring found, kept in the vault (`takeback events`, Home).
//!
//! Recording is idempotent: every event carries a key naming what it is about (for example
//! `removed:<finding>:<check>`), and an event whose key is already there is not recorded again,
//! so a cycle repeated after a crash adds nothing twice.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::base::error::storage;
use crate::monitor::error::MonitorError;
use crate::removal::cases::escalation::NextStepText;
use crate::search::providers::ProviderId;
use crate::search::scan::ProblemWhy;
use crate::Result;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    NewFinding,
    /// A confirmed or removed picture found again (at a new address, or back at its old one).
    Reappeared,
    /// Verified gone: 404/410, or the picture replaced by a different one.
    Removed,
    /// Still up, but the image served changed.
    Changed,
    /// A case's deadline passed and the picture is still up; the text names the next rung.
    StillUpAfterDeadline,
    /// A source failed on several visits in a row.
    SourceUnreachable,
    /// A standing consent's monthly cap is used up.
    BudgetReached,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::NewFinding,
        EventKind::Reappeared,
        EventKind::Removed,
        EventKind::Changed,
        EventKind::StillUpAfterDeadline,
        EventKind::SourceUnreachable,
        EventKind::BudgetReached,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::NewFinding => "new_finding",
            EventKind::Reappeared => "reappeared",
            EventKind::Removed => "removed",
            EventKind::Changed => "changed",
            EventKind::StillUpAfterDeadline => "still_up_after_deadline",
            EventKind::SourceUnreachable => "source_unreachable",
            EventKind::BudgetReached => "budget_reached",
        }
    }

    fn parse(text: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Why an event happened, as a stable code with its parameters: the window says it in its own
/// language (with the event's `site`); the event's `text` is the same in English for the CLI.
/// Stored as JSON in `events.reason`; events recorded before it existed have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum EventReason {
    /// A picture that may show the owner, seen for the first time.
    NewPicture,
    /// A picture the owner already knows (finding `original`) at a new address.
    NewAddress {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        original: i64,
    },
    /// Back at the same address after it was removed.
    BackAtSameAddress,
    /// The site answers that the picture is gone (HTTP 404 or 410).
    Gone { status: u16 },
    /// The file found in a folder is no longer there.
    FileGone,
    /// The address no longer serves an image that can be read.
    NoImage,
    /// The picture was replaced by a different one.
    Replaced,
    /// The image changed but still shows the same picture.
    ImageChanged,
    /// A case's deadline (`due`, YYYY-MM-DD) passed and the picture is still up.
    DeadlinePassed {
        recipient: String,
        due: String,
        next: Option<NextStepText>,
    },
    /// A source could not be scanned `failures` times in a row; `why` is the last failure's
    /// code when it is known.
    Unreachable {
        failures: u32,
        why: Option<ProblemWhy>,
    },
    /// A standing consent's monthly cap is used up.
    MonthlyLimit {
        provider: ProviderId,
        max_per_month: u32,
    },
}

/// One event, as `takeback events --json` prints it (PRODUCT.md §4: those fields are the
/// contract; `site` and `reason` are added beside them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Event {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub finding_id: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub case_id: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub source_id: Option<i64>,
    /// One sentence for the owner, in English.
    pub text: String,
    pub read: bool,
    /// The site (host), folder or "this computer" the event is about, when it is about one.
    pub site: Option<String>,
    /// Why it happened, as a code (`None` for events recorded before codes were kept).
    pub reason: Option<EventReason>,
}

/// An event about to be recorded.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    /// What makes it unique (see the module documentation).
    pub key: String,
    pub finding_id: Option<i64>,
    pub case_id: Option<i64>,
    pub source_id: Option<i64>,
    pub text: String,
    pub site: Option<String>,
    pub reason: Option<EventReason>,
}

impl NewEvent {
    pub fn new(kind: EventKind, key: String, text: String) -> Self {
        Self {
            kind,
            key,
            finding_id: None,
            case_id: None,
            source_id: None,
            text,
            site: None,
            reason: None,
        }
    }

    /// What the event is about and why, for the window.
    pub fn detail(mut self, site: Option<&str>, reason: EventReason) -> Self {
        self.site = site.map(str::to_owned);
        self.reason = Some(reason);
        self
    }

    pub fn finding(mut self, id: i64) -> Self {
        self.finding_id = Some(id);
        self
    }

    pub fn case(mut self, id: Option<i64>) -> Self {
        self.case_id = id;
        self
    }

    pub fn source(mut self, id: i64) -> Self {
        self.source_id = Some(id);
        self
    }
}

/// Records `event` (inside the caller's transaction). Returns its id, or `None` when an event
/// with the same key was recorded before.
pub fn record(
    conn: &Connection,
    event: &NewEvent,
    cycle_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<Option<i64>> {
    let reason = event
        .reason
        .as_ref()
        .map(|r| serde_json::to_string(r).unwrap_or_default());
    let inserted = conn
        .execute(
            "INSERT INTO events (at, kind, finding_id, case_id, source_id, text, dedupe_key,
                 cycle_id, site, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (dedupe_key) DO NOTHING",
            params![
                at.to_rfc3339(),
                event.kind.as_str(),
                event.finding_id,
                event.case_id,
                event.source_id,
                event.text,
                event.key,
                cycle_id,
                event.site,
                reason
            ],
        )
        .map_err(|e| storage("recording an event", e))?;
    Ok((inserted == 1).then(|| conn.last_insert_rowid()))
}

const COLUMNS: &str = "id, at, kind, finding_id, case_id, source_id, text, read, site, reason";

/// Events, newest first; only unread ones with `unread_only`.
pub fn list(conn: &Connection, unread_only: bool) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE (?1 = 0 OR read = 0) ORDER BY id DESC LIMIT 10000"
    );
    query(conn, &sql, params![unread_only])
}

/// The events about finding `finding_id`, oldest first (its history).
pub fn for_finding(conn: &Connection, finding_id: i64) -> Result<Vec<Event>> {
    let sql = format!("SELECT {COLUMNS} FROM events WHERE finding_id = ?1 ORDER BY id");
    query(conn, &sql, params![finding_id])
}

/// Events recorded by cycle `cycle_id`, oldest first.
pub fn of_cycle(conn: &Connection, cycle_id: i64) -> Result<Vec<Event>> {
    let sql = format!("SELECT {COLUMNS} FROM events WHERE cycle_id = ?1 ORDER BY id");
    query(conn, &sql, params![cycle_id])
}

/// How many events are unread.
pub fn unread_count(conn: &Connection) -> Result<u32> {
    conn.query_row("SELECT count(*) FROM events WHERE read = 0", [], |r| {
        r.get(0)
    })
    .map_err(|e| storage("counting events", e))
}

/// Which events to mark read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    One(i64),
    All,
}

/// Marks events read; returns how many changed. An unknown id is an error.
pub fn mark_read(conn: &Connection, which: Which) -> Result<u32> {
    let changed = match which {
        Which::One(id) => {
            let exists: Option<i64> = conn
                .query_row("SELECT id FROM events WHERE id = ?1", [id], |r| r.get(0))
                .optional()
                .map_err(|e| storage("reading an event", e))?;
            exists.ok_or(MonitorError::EventNotFound { id })?;
            conn.execute(
                "UPDATE events SET read = 1 WHERE id = ?1 AND read = 0",
                [id],
            )
        }
        Which::All => conn.execute("UPDATE events SET read = 1 WHERE read = 0", []),
    }
    .map_err(|e| storage("marking events read", e))?;
    Ok(changed as u32)
}

fn query(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Event>> {
    let mut statement = conn
        .prepare(sql)
        .map_err(|e| storage("reading events", e))?;
    let rows = statement
        .query_map(args, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })
        .map_err(|e| storage("reading events", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading events", e))?;
    rows.into_iter()
        .map(
            |(id, at, kind, finding_id, case_id, source_id, text, read, site, reason)| {
                let corrupt = |what: &str| crate::Error::CorruptVault {
                    reason: format!("an event has an unknown {what}"),
                    source: None,
                };
                Ok(Event {
                    id,
                    at: DateTime::parse_from_rfc3339(&at)
                        .map_err(|_| corrupt("time"))?
                        .with_timezone(&Utc),
                    kind: EventKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
                    finding_id,
                    case_id,
                    source_id,
                    text,
                    read,
                    site,
                    // A code this build does not know (a newer one wrote it) is left out: the
                    // window then says the event by its kind.
                    reason: reason.and_then(|r| serde_json::from_str(&r).ok()),
                })
            },
        )
        .collect()
}
