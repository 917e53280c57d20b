//! `takeback findings [--status S]` and `takeback finding confirm|dismiss|show ID`: review what
//! scans found.

use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use takeback_core::findings::{self, Finding, FindingKind, FindingStatus};

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    New,
    Confirmed,
    Dismissed,
    Removed,
}

impl From<StatusArg> for FindingStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::New => FindingStatus::New,
            StatusArg::Confirmed => FindingStatus::Confirmed,
            StatusArg::Dismissed => FindingStatus::Dismissed,
            StatusArg::Removed => FindingStatus::Removed,
        }
    }
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    /// Only findings in this state.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
}

#[derive(Debug, Subcommand)]
pub enum FindingCommand {
    /// "This is me": keep the finding for letters and re-checks.
    Confirm {
        #[arg(value_name = "ID")]
        id: i64,
    },
    /// "Not me": hide it, and suppress faces like it in every later scan.
    Dismiss {
        #[arg(value_name = "ID")]
        id: i64,
    },
    /// Show one finding.
    Show {
        #[arg(value_name = "ID")]
        id: i64,
    },
}

pub fn list(ctx: &Context, args: FindingsArgs) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    let status = args.status.map(FindingStatus::from);
    if ctx.json {
        print_json(&findings::list(vault.conn(), status)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let groups = findings::by_site(vault.conn(), status)?;
    if groups.is_empty() {
        println!("No findings.");
    }
    for group in groups {
        println!("{} ({} finding(s))", group.site, group.findings.len());
        for finding in &group.findings {
            println!("  {}", describe(finding));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn review(ctx: &Context, command: FindingCommand) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    let now = Utc::now();
    let (finding, verb) = match command {
        FindingCommand::Confirm { id } => (findings::confirm(&vault, id, now)?, "Confirmed"),
        FindingCommand::Dismiss { id } => (
            findings::dismiss(&vault, id, now)?,
            "Dismissed (faces like this one will not be reported again)",
        ),
        FindingCommand::Show { id } => (findings::get(vault.conn(), id)?, "Finding"),
    };
    if ctx.json {
        print_json(&finding)?;
    } else {
        println!("{verb}: {}", describe(&finding));
    }
    Ok(ExitCode::SUCCESS)
}

/// One line: id, status, why, where, who saw it.
pub fn describe(finding: &Finding) -> String {
    let why = match finding.kind {
        FindingKind::OwnersFace => format!(
            "your face (distance {:.3})",
            finding.distance.unwrap_or(f32::NAN)
        ),
        FindingKind::CopyOfRegisteredPhoto => format!(
            "copy of your photo ({} bits apart)",
            finding.pdq_distance.unwrap_or(0)
        ),
        FindingKind::Unverified => format!(
            "unverified: {}",
            finding
                .unverified_reason
                .as_deref()
                .unwrap_or("not checked")
        ),
    };
    let page = finding
        .page_url
        .as_deref()
        .map(|p| format!(" on {p}"))
        .unwrap_or_default();
    format!(
        "#{} [{}] {}{page} — {why}; seen by {}",
        finding.id,
        finding.status.as_str(),
        finding.image_url,
        finding.providers.join(", ")
    )
}
