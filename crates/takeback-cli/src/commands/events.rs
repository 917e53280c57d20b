//! `takeback events [--unread]` / `events read ID|all`: what monitoring found.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use takeback_core::monitor::events::{self, Event, Which};

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EventsArgs {
    #[command(subcommand)]
    pub command: Option<EventsCommand>,
    /// Only events not marked read.
    #[arg(long)]
    pub unread: bool,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Mark one event (by id) or all of them read.
    Read {
        #[arg(value_name = "ID|all")]
        which: String,
    },
}

pub fn run(ctx: &Context, args: EventsArgs) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    match args.command {
        Some(EventsCommand::Read { which }) => {
            let which = match which.trim() {
                "all" => Which::All,
                id => Which::One(id.parse().map_err(|_| Failure {
                    code: takeback_core::ErrorCode::InvalidInput,
                    message: format!("`{id}` is not an event id; give a number or `all`"),
                })?),
            };
            let changed = events::mark_read(vault.conn(), which)?;
            if ctx.json {
                print_json(&serde_json::json!({ "marked_read": changed }))?;
            } else {
                println!("Marked {changed} event(s) read.");
            }
        }
        None => {
            let list = events::list(vault.conn(), args.unread)?;
            if ctx.json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("No events.");
            } else {
                for event in &list {
                    println!("{}", describe(event));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per event.
pub fn describe(event: &Event) -> String {
    format!(
        "{:>4} {} {}{} {}",
        event.id,
        event.at.format("%Y-%m-%d %H:%M"),
        if event.read { " " } else { "*" },
        event.kind.as_str(),
        event.text
    )
}
