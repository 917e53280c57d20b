//! Cases in the profile vault: the `cases`, `case_events` and `case_pauses` tables.
//!
//! Every change appends an event, so the Cases page can show a timeline and the case file handed
//! to the client shows what was done when. Times are stored as RFC 3339 UTC strings.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::deadline::{self, Deadline, LegalClock, Pause, Reminder};
use super::escalation::{self, NextStep, Rung};
use super::CaseState;
use crate::base::error::storage;
use crate::removal::law::Basis;
use crate::removal::letters::{FindingRef, Letter, LetterKind, Regime};
use crate::{Error, Result};

/// How a new case is filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub basis: Basis,
    pub rung: Rung,
}

impl NewCase {
    /// The usual basis and rung for a letter.
    pub fn for_letter(letter: &Letter) -> Self {
        Self {
            basis: Basis::for_letter(letter.kind, letter.regime),
            rung: Rung::for_letter(letter.kind),
        }
    }
}

/// One case as the app and `case list` show it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseView {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub kind: LetterKind,
    pub regime: Regime,
    pub basis: Basis,
    pub rung: Rung,
    pub state: CaseState,
    pub recipient_name: String,
    pub recipient_address: Option<String>,
    pub subject: String,
    pub findings: Vec<FindingRef>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Present once the letter is sent.
    pub deadline: Option<Deadline>,
    pub reminder: Option<Reminder>,
    /// Suggested when the deadline passed or the recipient refused or ignored it.
    pub next_step: Option<NextStep>,
    /// The states the user may record next (the app offers exactly these).
    pub allowed_next: Vec<CaseState>,
}

/// One entry of a case's timeline.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    pub event: String,
    pub note: Option<String>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| Error::CorruptVault {
            reason: format!("a case date is malformed ({e})"),
            source: Some(e.into()),
        })
}

fn parse_opt(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

fn corrupt(what: &str) -> Error {
    Error::CorruptVault {
        reason: format!("a case has an unknown {what}"),
        source: None,
    }
}

/// Files a case for a drafted letter, in state `draft`. Returns its id.
pub fn open_case(
    conn: &Connection,
    letter: &Letter,
    new: &NewCase,
    now: DateTime<Utc>,
) -> Result<i64> {
    let findings = serde_json::to_string(&letter.findings).map_err(|e| {
        storage(
            "saving the case",
            rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        )
    })?;
    conn.execute(
        "INSERT INTO cases (kind, regime, basis, rung, state, recipient_name, recipient_address,
             subject, letter_text, findings_json, created_at)
         VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            letter.kind.as_str(),
            letter.regime.as_str(),
            new.basis.as_str(),
            new.rung.as_str(),
            letter.recipient.name,
            letter.recipient.address,
            letter.subject,
            letter.text(),
            findings,
            ts(now),
        ],
    )
    .map_err(|e| storage("saving the case", e))?;
    let id = conn.last_insert_rowid();
    add_event(conn, id, now, "drafted", None)?;
    Ok(id)
}

fn add_event(
    conn: &Connection,
    id: i64,
    at: DateTime<Utc>,
    event: &str,
    note: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO case_events (case_id, at, event, note) VALUES (?1, ?2, ?3, ?4)",
        params![id, ts(at), event, note],
    )
    .map_err(|e| storage("recording the case event", e))?;
    Ok(())
}

/// Marks a drafted case as sent at `sent_at`. Receipt defaults to the same moment (an email's
/// `Date`, a form's submission); record a later receipt with [`record_received`].
pub fn mark_sent(conn: &Connection, id: i64, sent_at: DateTime<Utc>) -> Result<()> {
    let case = load_row(conn, id)?;
    case.state.check_move(CaseState::Sent)?;
    conn.execute(
        "UPDATE cases SET state = 'sent', sent_at = ?2, received_at = ?2 WHERE id = ?1",
        params![id, ts(sent_at)],
    )
    .map_err(|e| storage("updating the case", e))?;
    add_event(conn, id, sent_at, "sent", None)
}

/// Records when the recipient received the letter (from its acknowledgement or form receipt).
pub fn record_received(conn: &Connection, id: i64, received_at: DateTime<Utc>) -> Result<()> {
    load_row(conn, id)?;
    conn.execute(
        "UPDATE cases SET received_at = ?2 WHERE id = ?1",
        params![id, ts(received_at)],
    )
    .map_err(|e| storage("updating the case", e))?;
    add_event(conn, id, received_at, "received", None)
}

/// Records a GDPR extension notice.
pub fn record_extension(conn: &Connection, id: i64, notified_at: DateTime<Utc>) -> Result<()> {
    load_row(conn, id)?;
    conn.execute(
        "UPDATE cases SET extension_notified_at = ?2 WHERE id = ?1",
        params![id, ts(notified_at)],
    )
    .map_err(|e| storage("updating the case", e))?;
    add_event(conn, id, notified_at, "extension_notified", None)
}

/// Records a DMCA counter-notice that the provider received at `received_at`. The case's clock
/// becomes the 10 to 14 US business-day restoration window (17 U.S.C. § 512(g)(2)(C)), which
/// runs whatever the case's state, because the content comes back unless a suit is filed.
pub fn record_counter_notice(conn: &Connection, id: i64, received_at: DateTime<Utc>) -> Result<()> {
    let case = load_row(conn, id)?;
    if case.kind != LetterKind::Dmca {
        return Err(Error::InvalidCaseTransition {
            from: case.kind.as_str(),
            to: "counter_notice",
        });
    }
    conn.execute(
        "UPDATE cases SET basis = ?2, received_at = ?3 WHERE id = ?1",
        params![id, Basis::CounterNotice.as_str(), ts(received_at)],
    )
    .map_err(|e| storage("updating the case", e))?;
    add_event(conn, id, received_at, "counter_notice", None)
}

/// Pauses the clock (the recipient reasonably asked for identity or clarification).
pub fn pause(conn: &Connection, id: i64, at: DateTime<Utc>, reason: Option<&str>) -> Result<()> {
    load_row(conn, id)?;
    conn.execute(
        "INSERT INTO case_pauses (case_id, paused_from) VALUES (?1, ?2)",
        params![id, ts(at)],
    )
    .map_err(|e| storage("pausing the case", e))?;
    add_event(conn, id, at, "paused", reason)
}

/// Resumes a paused clock.
pub fn resume(conn: &Connection, id: i64, at: DateTime<Utc>) -> Result<()> {
    load_row(conn, id)?;
    conn.execute(
        "UPDATE case_pauses SET paused_to = ?2 WHERE case_id = ?1 AND paused_to IS NULL",
        params![id, ts(at)],
    )
    .map_err(|e| storage("resuming the case", e))?;
    add_event(conn, id, at, "resumed", None)
}

/// Moves a case to `next` (acknowledged, removed, partly removed, refused, ignored, escalated).
pub fn transition(
    conn: &Connection,
    id: i64,
    next: CaseState,
    at: DateTime<Utc>,
    note: Option<&str>,
) -> Result<()> {
    let case = load_row(conn, id)?;
    case.state.check_move(next)?;
    let closes = !matches!(next, CaseState::Sent | CaseState::Acknowledged);
    conn.execute(
        "UPDATE cases SET state = ?2, closed_at = CASE WHEN ?3 THEN ?4 ELSE closed_at END WHERE id = ?1",
        params![id, next.as_str(), closes, ts(at)],
    )
    .map_err(|e| storage("updating the case", e))?;
    add_event(conn, id, at, next.as_str(), note)
}

/// Reopens a `removed` case whose picture monitoring found again: its state becomes
/// `reopened` (so the next rung of the ladder is offered) and its timeline says why. Returns
/// whether it was reopened (a case in any other state is left as it is).
pub fn reopen(conn: &Connection, id: i64, at: DateTime<Utc>, note: &str) -> Result<bool> {
    let case = load_row(conn, id)?;
    if case.state != CaseState::Removed {
        return Ok(false);
    }
    conn.execute(
        "UPDATE cases SET state = 'reopened', closed_at = NULL WHERE id = ?1",
        [id],
    )
    .map_err(|e| storage("reopening the case", e))?;
    add_event(conn, id, at, CaseState::Reopened.as_str(), Some(note))?;
    Ok(true)
}

/// The ids of the cases whose letter names finding `finding_id`, oldest first.
pub fn cases_naming(conn: &Connection, finding_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn
        .prepare("SELECT id, findings_json FROM cases ORDER BY id")
        .map_err(|e| storage("listing the cases", e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(|e| storage("listing the cases", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing the cases", e))?;
    let wanted = finding_id.to_string();
    let mut out = Vec::new();
    for (id, json) in rows {
        let findings: Vec<FindingRef> =
            serde_json::from_str(&json).map_err(|_| corrupt("finding list"))?;
        if findings
            .iter()
            .any(|f| f.id.as_deref() == Some(wanted.as_str()))
        {
            out.push(id);
        }
    }
    Ok(out)
}

struct Row {
    id: i64,
    kind: LetterKind,
    regime: Regime,
    basis: Basis,
    rung: Rung,
    state: CaseState,
    recipient_name: String,
    recipient_address: Option<String>,
    subject: String,
    findings: Vec<FindingRef>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    received_at: Option<DateTime<Utc>>,
    extension_notified_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, kind, regime, basis, rung, state, recipient_name, recipient_address,
    subject, findings_json, created_at, sent_at, received_at, extension_notified_at, closed_at";

type RawRow = (
    i64,
    [String; 6],
    Option<String>,
    String,
    String,
    String,
    [Option<String>; 4],
);

fn raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        row.get(0)?,
        [
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
        ],
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
        [row.get(11)?, row.get(12)?, row.get(13)?, row.get(14)?],
    ))
}

fn decode(raw: RawRow) -> Result<Row> {
    let (
        id,
        [kind, regime, basis, rung, state, recipient_name],
        recipient_address,
        subject,
        findings,
        created,
        [sent, received, ext, closed],
    ) = raw;
    Ok(Row {
        id,
        kind: kind.parse().map_err(|_| corrupt("letter kind"))?,
        regime: regime.parse().map_err(|_| corrupt("regime"))?,
        basis: Basis::parse(&basis).ok_or_else(|| corrupt("basis"))?,
        rung: Rung::parse(&rung).ok_or_else(|| corrupt("rung"))?,
        state: state.parse().map_err(|_| corrupt("state"))?,
        recipient_name,
        recipient_address,
        subject,
        findings: serde_json::from_str(&findings).map_err(|_| corrupt("finding list"))?,
        created_at: parse_ts(&created)?,
        sent_at: parse_opt(sent)?,
        received_at: parse_opt(received)?,
        extension_notified_at: parse_opt(ext)?,
        closed_at: parse_opt(closed)?,
    })
}

fn load_row(conn: &Connection, id: i64) -> Result<Row> {
    let raw = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM cases WHERE id = ?1"),
            [id],
            raw,
        )
        .optional()
        .map_err(|e| storage("reading the case", e))?
        .ok_or(Error::CaseNotFound { id })?;
    decode(raw)
}

fn pauses(conn: &Connection, id: i64) -> Result<Vec<Pause>> {
    let mut stmt = conn
        .prepare("SELECT paused_from, paused_to FROM case_pauses WHERE case_id = ?1 ORDER BY id")
        .map_err(|e| storage("reading the case", e))?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .map_err(|e| storage("reading the case", e))?;
    let mut out = Vec::new();
    for row in rows {
        let (from, to) = row.map_err(|e| storage("reading the case", e))?;
        out.push(Pause {
            from: parse_ts(&from)?,
            to: parse_opt(to)?,
        });
    }
    Ok(out)
}

fn view(conn: &Connection, row: Row, now: DateTime<Utc>) -> Result<CaseView> {
    let deadline = match row.received_at {
        Some(received_at) => Some(deadline::compute(
            &LegalClock {
                basis: row.basis,
                received_at,
                extension_notified_at: row.extension_notified_at,
                pauses: pauses(conn, row.id)?,
            },
            now,
        )),
        None => None,
    };
    let clock_runs = row.state.is_open()
        || (row.basis == Basis::CounterNotice && row.state != CaseState::Escalated);
    let reminder = match (&deadline, clock_runs) {
        (Some(d), true) => deadline::reminder(d, now),
        _ => None,
    };
    let stuck = matches!(
        row.state,
        CaseState::Refused | CaseState::Ignored | CaseState::PartlyRemoved | CaseState::Reopened
    ) || matches!(
        reminder,
        Some(Reminder::Passed { .. }) | Some(Reminder::FollowUp { .. })
    );
    let next_step = if stuck {
        escalation::next_step(row.rung, row.basis)
    } else {
        None
    };
    Ok(CaseView {
        id: row.id,
        kind: row.kind,
        regime: row.regime,
        basis: row.basis,
        rung: row.rung,
        state: row.state,
        recipient_name: row.recipient_name,
        recipient_address: row.recipient_address,
        subject: row.subject,
        findings: row.findings,
        created_at: row.created_at,
        sent_at: row.sent_at,
        received_at: row.received_at,
        closed_at: row.closed_at,
        deadline,
        reminder,
        next_step,
        allowed_next: row.state.next_states(),
    })
}

/// One case, with its deadline as of `now`.
pub fn get(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<CaseView> {
    let row = load_row(conn, id)?;
    view(conn, row, now)
}

/// The letter text stored with the case.
pub fn letter_text(conn: &Connection, id: i64) -> Result<String> {
    conn.query_row("SELECT letter_text FROM cases WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()
    .map_err(|e| storage("reading the case", e))?
    .ok_or(Error::CaseNotFound { id })
}

/// Every case, newest first, with deadlines as of `now`.
pub fn list(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<CaseView>> {
    let mut stmt = conn
        .prepare(&format!("SELECT {COLUMNS} FROM cases ORDER BY id DESC"))
        .map_err(|e| storage("listing the cases", e))?;
    let raws = stmt
        .query_map([], raw)
        .map_err(|e| storage("listing the cases", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing the cases", e))?;
    raws.into_iter()
        .map(|r| decode(r).and_then(|row| view(conn, row, now)))
        .collect()
}

/// The case's timeline, oldest first.
pub fn events(conn: &Connection, id: i64) -> Result<Vec<CaseEvent>> {
    let mut stmt = conn
        .prepare("SELECT at, event, note FROM case_events WHERE case_id = ?1 ORDER BY id")
        .map_err(|e| storage("reading the case", e))?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .map_err(|e| storage("reading the case", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading the case", e))?;
    rows.into_iter()
        .map(|(at, event, note)| {
            Ok(CaseEvent {
                at: parse_ts(&at)?,
                event,
                note,
            })
        })
        .collect()
}
