//! `takeback case …`: cases and their deadlines.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use takeback_core::removal::cases::{store, CaseState, CaseView, Reminder};
use takeback_core::ErrorCode;

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Every case with its state, deadline and next step.
    List,
    /// One case: its deadline, timeline and letter.
    Show { case_id: i64 },
    /// The letter was sent (starts the clock).
    Sent(WhenArgs),
    /// The recipient acknowledged the letter.
    Ack(WhenArgs),
    /// The recipient received the letter at a time other than when it was sent.
    Received(WhenArgs),
    /// The controller notified a GDPR extension (valid only within the first month).
    Extension(WhenArgs),
    /// DMCA: the provider received a counter-notice; the content returns in 10 to 14 US business
    /// days unless you file a lawsuit. Talk to a lawyer.
    CounterNotice(WhenArgs),
    /// The recipient reasonably asked for identity or clarification: the clock pauses.
    Pause(WhenArgs),
    /// The clarification was given: the clock runs again.
    Resume(WhenArgs),
    /// Record the outcome.
    Close {
        case_id: i64,
        #[arg(long, value_enum)]
        outcome: Outcome,
        #[arg(long)]
        note: Option<String>,
    },
    /// Move on to the next rung of the ladder (host, registrar, search engines, regulator).
    Escalate { case_id: i64 },
}

#[derive(Debug, Args)]
pub struct WhenArgs {
    pub case_id: i64,
    /// When it happened (RFC 3339, or YYYY-MM-DD[THH:MM] in UTC); default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Outcome {
    Removed,
    PartlyRemoved,
    Refused,
    Ignored,
}

/// Parses a time given on the command line.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, Failure> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .ok()
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
        .ok_or_else(|| Failure {
            code: ErrorCode::InvalidInput,
            message: format!("`{s}` is not a time; use 2026-11-26, 2026-11-26T14:30 or RFC 3339"),
        })
}

fn when(at: &Option<String>) -> Result<DateTime<Utc>, Failure> {
    at.as_deref()
        .map(parse_time)
        .transpose()
        .map(|t| t.unwrap_or_else(Utc::now))
}

pub fn run(ctx: &Context, cmd: CaseCommand) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    let conn = vault.conn();
    let now = Utc::now();
    let touched = match cmd {
        CaseCommand::List => {
            let cases = store::list(conn, now)?;
            if ctx.json {
                print_json(&cases)?;
            } else if cases.is_empty() {
                println!("No cases yet. Draft a letter with `takeback letter` to open one.");
            } else {
                for case in &cases {
                    print_case(case, now);
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        CaseCommand::Show { case_id } => {
            let case = store::get(conn, case_id, now)?;
            let events = store::events(conn, case_id)?;
            if ctx.json {
                print_json(
                    &serde_json::json!({ "case": case, "events": events, "letter": store::letter_text(conn, case_id)? }),
                )?;
            } else {
                print_case(&case, now);
                println!("  timeline:");
                for e in events {
                    println!(
                        "    {}  {}{}",
                        e.at.format("%Y-%m-%d %H:%M UTC"),
                        e.event,
                        e.note.map(|n| format!(" ({n})")).unwrap_or_default()
                    );
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        CaseCommand::Sent(w) => {
            store::mark_sent(conn, w.case_id, when(&w.at)?)?;
            w.case_id
        }
        CaseCommand::Ack(w) => {
            store::transition(
                conn,
                w.case_id,
                CaseState::Acknowledged,
                when(&w.at)?,
                w.note.as_deref(),
            )?;
            w.case_id
        }
        CaseCommand::Received(w) => {
            store::record_received(conn, w.case_id, when(&w.at)?)?;
            w.case_id
        }
        CaseCommand::Extension(w) => {
            store::record_extension(conn, w.case_id, when(&w.at)?)?;
            w.case_id
        }
        CaseCommand::CounterNotice(w) => {
            store::record_counter_notice(conn, w.case_id, when(&w.at)?)?;
            w.case_id
        }
        CaseCommand::Pause(w) => {
            store::pause(conn, w.case_id, when(&w.at)?, w.note.as_deref())?;
            w.case_id
        }
        CaseCommand::Resume(w) => {
            store::resume(conn, w.case_id, when(&w.at)?)?;
            w.case_id
        }
        CaseCommand::Close {
            case_id,
            outcome,
            note,
        } => {
            let state = match outcome {
                Outcome::Removed => CaseState::Removed,
                Outcome::PartlyRemoved => CaseState::PartlyRemoved,
                Outcome::Refused => CaseState::Refused,
                Outcome::Ignored => CaseState::Ignored,
            };
            store::transition(conn, case_id, state, now, note.as_deref())?;
            case_id
        }
        CaseCommand::Escalate { case_id } => {
            store::transition(conn, case_id, CaseState::Escalated, now, None)?;
            case_id
        }
    };
    let case = store::get(conn, touched, now)?;
    if ctx.json {
        print_json(&case)?;
    } else {
        print_case(&case, now);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_case(case: &CaseView, now: DateTime<Utc>) {
    println!(
        "#{}  {}  {}  → {}",
        case.id, case.kind, case.state, case.recipient_name
    );
    if let Some(d) = &case.deadline {
        let label = if d.legal { "deadline" } else { "follow up" };
        let left = d.due - now;
        let countdown = if left.num_seconds() <= 0 {
            "passed".to_owned()
        } else if left.num_hours() < 72 {
            format!("in {} h", left.num_hours())
        } else {
            format!("in {} days", left.num_days())
        };
        println!(
            "  {label}: {} ({countdown})",
            d.due.format("%Y-%m-%d %H:%M UTC")
        );
    }
    match &case.reminder {
        Some(Reminder::Passed { .. }) => println!("  The deadline has passed without an answer."),
        Some(Reminder::DueSoon { .. }) => println!("  The deadline is near."),
        Some(Reminder::FollowUp { .. }) => println!("  Time to check whether the content is gone."),
        None => {}
    }
    if let Some(step) = &case.next_step {
        println!("  next: {}", step.advice);
    }
}
