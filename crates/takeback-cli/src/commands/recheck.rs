//! `takeback recheck`: fetch every confirmed finding's image again; gone ones become `removed`,
//! live ones get a new `last_seen`, and every check is logged in the vault.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use takeback_core::base::cancel::CancelFlag;
use takeback_core::base::clock::SystemClock;
use takeback_core::search::findings::{recheck, FetchOptions, RecheckOutcome, RecheckResult};

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Args)]
pub struct RecheckArgs {
    /// Allow fetching findings on loopback and private network addresses.
    #[arg(long)]
    pub allow_local_network: bool,
    /// Give up on one image after this many seconds (1-120); it is then `unreachable`.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    pub timeout: u64,
}

pub fn run(ctx: &Context, args: RecheckArgs) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    let options = FetchOptions {
        allow_local_network: args.allow_local_network,
        request_timeout: Duration::from_secs(args.timeout),
        proxy: takeback_core::base::settings::Settings::load(&ctx.data_dir)?.proxy(),
        ..FetchOptions::default()
    };
    let json = ctx.json;
    let results = recheck::run(
        &vault,
        &options,
        &SystemClock,
        &CancelFlag::new(),
        &mut |result| {
            if !json {
                println!("{}", describe(result));
            }
        },
    )?;
    if json {
        print_json(&results)?;
        return Ok(ExitCode::SUCCESS);
    }
    if results.is_empty() {
        println!(
            "No confirmed findings to re-check (confirm some with `takeback finding confirm ID`)."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let count = |outcome| results.iter().filter(|r| r.outcome == outcome).count();
    println!(
        "Re-checked {}: {} still up, {} removed, {} unreachable.",
        results.len(),
        count(RecheckOutcome::StillUp),
        count(RecheckOutcome::Removed),
        count(RecheckOutcome::Unreachable)
    );
    Ok(ExitCode::SUCCESS)
}

/// One line per finding checked.
fn describe(result: &RecheckResult) -> String {
    let status = result
        .status
        .map(|s| format!(" (HTTP {s})"))
        .unwrap_or_default();
    let what = match result.outcome {
        RecheckOutcome::StillUp if result.changed => "still up, but the image changed",
        RecheckOutcome::StillUp => "still up",
        RecheckOutcome::Removed => "removed",
        RecheckOutcome::Unreachable => "unreachable (status unchanged)",
    };
    let reason = result
        .reason
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    format!(
        "#{} {what}{status}{reason} — {}",
        result.id, result.image_url
    )
}
