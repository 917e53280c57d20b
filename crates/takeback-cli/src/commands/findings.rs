//! `takeback findings [--status S]` and `takeback finding confirm|dismiss|show|evidence ID`:
//! review what scans found. Confirming keeps the image and its page in the vault as evidence.

use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use takeback_core::search::findings::{
    self, EvidenceRecord, FetchOptions, Finding, FindingKind, FindingStatus,
};

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
    /// "This is me": keep the finding for letters and re-checks, and keep its image and page
    /// (encrypted, with SHA-256, time and HTTP status) as evidence.
    Confirm {
        #[arg(value_name = "ID")]
        id: i64,
        /// Allow fetching the evidence from loopback and private network addresses.
        #[arg(long)]
        allow_local_network: bool,
        /// Give up on one download after this many seconds (1-120).
        #[arg(long, value_name = "SECONDS", default_value_t = 30,
              value_parser = clap::value_parser!(u64).range(1..=120))]
        timeout: u64,
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
    /// List the evidence kept for a finding (digests, times, statuses; not the bytes).
    Evidence {
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
        FindingCommand::Confirm {
            id,
            allow_local_network,
            timeout,
        } => {
            let options = FetchOptions {
                allow_local_network,
                request_timeout: Duration::from_secs(timeout),
                proxy: takeback_core::base::settings::Settings::load(&ctx.data_dir)?.proxy(),
                ..FetchOptions::default()
            };
            let confirmed = findings::confirm_with_evidence(&vault, id, &options, now)?;
            if ctx.json {
                print_json(&confirmed)?;
            } else {
                println!("Confirmed: {}", describe(&confirmed.finding));
                for record in &confirmed.evidence {
                    println!("  {}", describe_evidence(record));
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        FindingCommand::Evidence { id } => {
            let records = findings::evidence(vault.conn(), id)?;
            if ctx.json {
                print_json(&records)?;
            } else if records.is_empty() {
                println!("No evidence kept for finding {id}.");
            } else {
                for record in &records {
                    println!("{}", describe_evidence(record));
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        FindingCommand::Dismiss { id } => (
            findings::dismiss(&vault, id, now)?,
            "Dismissed (faces like this one will not be reported again)",
        ),
        FindingCommand::Show { id } => {
            let finding = findings::get(vault.conn(), id)?;
            let records = findings::evidence(vault.conn(), id)?;
            if ctx.json {
                print_json(&findings::Confirmed {
                    finding,
                    evidence: records,
                })?;
            } else {
                println!("Finding: {}", describe(&finding));
                println!("  {}", evidence_state(&finding, &records));
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    if ctx.json {
        print_json(&finding)?;
    } else {
        println!("{verb}: {}", describe(&finding));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether the evidence of a finding is kept, failed, or still to be captured.
fn evidence_state(finding: &findings::Finding, records: &[EvidenceRecord]) -> String {
    let kept = records.iter().filter(|r| r.failure.is_none()).count();
    match (finding.status, records.len()) {
        (FindingStatus::Confirmed, 0) => "Evidence: pending (confirmed without a capture); `takeback recheck` captures it while the image is still up".to_owned(),
        (_, 0) => "Evidence: none kept (confirming captures it)".to_owned(),
        (_, n) if kept == n => format!("Evidence: {n} captures kept (`takeback finding evidence {}`)", finding.id),
        (_, n) => format!(
            "Evidence: {kept} of {n} captures kept, {} failed (`takeback finding evidence {}`)",
            n - kept,
            finding.id
        ),
    }
}

/// One line per capture: what, when, and its digest or why it failed.
fn describe_evidence(record: &EvidenceRecord) -> String {
    let what = match record.kind {
        findings::EvidenceKind::Image => "image",
        findings::EvidenceKind::Page => "page",
    };
    let when = record.captured_at.to_rfc3339();
    match (&record.sha256, &record.failure) {
        (Some(sha256), _) => format!(
            "evidence #{} {what} kept {when}: {} bytes, HTTP {}, SHA-256 {sha256}",
            record.id,
            record.byte_len.unwrap_or(0),
            record
                .http_status
                .map_or_else(|| "-".to_owned(), |s| s.to_string())
        ),
        (None, failure) => format!(
            "evidence #{} {what} NOT kept {when}: {}",
            record.id,
            failure.as_deref().unwrap_or("unknown reason")
        ),
    }
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
        finding
            .providers
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    )
}
