//! `takeback evidence export`: an evidence package (WACZ) and/or PDF report of chosen findings,
//! for police, lawyers or a platform's appeal.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Subcommand};
use takeback_core::removal::evidence::{self, ExportRequest, ExportSummary, Pictures, Selection};

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Write the chosen findings' captures as a WACZ web archive, and a PDF report whose
    /// pictures are blurred unless --unredacted (--hashes-only: the report alone, no image).
    Export(ExportArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "case", "all_confirmed"])))]
pub struct ExportArgs {
    /// Finding ids.
    #[arg(value_name = "ID")]
    pub ids: Vec<i64>,
    /// The findings a case's letter names.
    #[arg(long, value_name = "ID")]
    pub case: Option<i64>,
    /// Every confirmed finding (and those confirmed and since removed).
    #[arg(long)]
    pub all_confirmed: bool,
    /// The WACZ package to write (required unless --hashes-only).
    #[arg(long, value_name = "FILE.wacz")]
    pub out: Option<PathBuf>,
    /// The PDF report to write.
    #[arg(long, value_name = "FILE.pdf")]
    pub report: Option<PathBuf>,
    /// Put the captured images in the report instead of blurred thumbnails.
    #[arg(long, conflicts_with = "hashes_only")]
    pub unredacted: bool,
    /// The report alone, identifying images by hashes only (no image anywhere).
    #[arg(long, requires = "report")]
    pub hashes_only: bool,
    /// Replace files that already exist.
    #[arg(long)]
    pub overwrite: bool,
}

pub fn run(ctx: &Context, command: EvidenceCommand) -> Result<ExitCode, Failure> {
    let EvidenceCommand::Export(args) = command;
    let vault = super::profile::open(ctx)?;
    let selection = match (args.case, args.all_confirmed) {
        (Some(case), _) => Selection::Case(case),
        (None, true) => Selection::AllConfirmed,
        (None, false) => Selection::Findings(args.ids),
    };
    let request = ExportRequest {
        selection,
        wacz: args.out,
        report: args.report,
        unredacted: args.unredacted,
        hashes_only: args.hashes_only,
        overwrite: args.overwrite,
    };
    let summary = evidence::export(&vault, &request, Utc::now())?;
    if ctx.json {
        print_json(&summary)?;
    } else {
        print!("{}", describe(&summary));
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(s: &ExportSummary) -> String {
    let mut out = format!(
        "Exported {} finding(s), {} capture(s).\n",
        s.findings.len(),
        s.captures
    );
    if let Some(f) = &s.wacz {
        out += &format!(
            "Package: {} ({} bytes, SHA-256 {})\n",
            f.path, f.bytes, f.sha256
        );
    }
    if let Some(f) = &s.report {
        let pictures = match s.pictures {
            Pictures::Blurred => "blurred thumbnails",
            Pictures::Full => "unredacted images",
            Pictures::None => "no images, hashes only",
        };
        out += &format!(
            "Report: {} ({pictures}; {} bytes, SHA-256 {})\n",
            f.path, f.bytes, f.sha256
        );
    }
    if !s.without_capture.is_empty() {
        out += &format!(
            "No web capture yet for finding(s) {:?} (confirmed before captures were kept); \
             `takeback recheck` captures them while they are still up.\n",
            s.without_capture
        );
    }
    out
}
