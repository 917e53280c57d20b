//! A finding's history, oldest first: seen, reviewed, each letter about it (drafted, sent, and
//! what the case recorded after), and what monitoring found (removed, reappeared, changed, ...).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::events;
use crate::base::error::storage;
use crate::removal::cases::store as cases;
use crate::search::findings::{self, FindingStatus};
use crate::Result;

/// One line of a finding's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryEntry {
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub at: DateTime<Utc>,
    /// `seen`, `confirmed`, `dismissed`, `case_<event>` (drafted, sent, removed, reopened, ...),
    /// or an event kind.
    pub what: String,
    pub text: String,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub case_id: Option<i64>,
}

/// The history of finding `id`.
pub fn of_finding(conn: &Connection, id: i64) -> Result<Vec<HistoryEntry>> {
    let finding = findings::get(conn, id)?;
    let mut out = vec![HistoryEntry {
        at: finding.first_seen,
        what: "seen".into(),
        text: match finding.reappeared_from {
            Some(original) => format!(
                "Found on {}: a copy of finding {original}, at a new address.",
                finding.site
            ),
            None => format!("Found on {}.", finding.site),
        },
        case_id: None,
    }];
    let reviewed: Option<String> = conn
        .query_row(
            "SELECT reviewed_at FROM findings WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading a finding", e))?
        .flatten();
    if let Some(at) = reviewed.as_deref().and_then(parse) {
        let (what, text) = if finding.status == FindingStatus::Dismissed {
            ("dismissed", "You said this is not you.")
        } else {
            ("confirmed", "You confirmed this is you.")
        };
        out.push(HistoryEntry {
            at,
            what: what.into(),
            text: text.into(),
            case_id: None,
        });
    }
    for case_id in cases::cases_naming(conn, id)? {
        for event in cases::events(conn, case_id)? {
            let text = match event.event.as_str() {
                "drafted" => format!("A removal letter was drafted (case {case_id})."),
                "sent" => format!("The letter was sent (case {case_id})."),
                other => format!(
                    "Case {case_id}: {}{}",
                    other.replace('_', " "),
                    event.note.map(|n| format!(" ({n})")).unwrap_or_default()
                ),
            };
            out.push(HistoryEntry {
                at: event.at,
                what: format!("case_{}", event.event),
                text,
                case_id: Some(case_id),
            });
        }
    }
    for event in events::for_finding(conn, id)? {
        // "Found" is already the first line.
        if event.kind == events::EventKind::NewFinding {
            continue;
        }
        out.push(HistoryEntry {
            at: event.at,
            what: event.kind.as_str().into(),
            text: event.text,
            case_id: event.case_id,
        });
    }
    out.sort_by_key(|e| e.at);
    Ok(out)
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
