//! `takeback`: the command-line face of the core. Each sub-command parses its arguments, calls the
//! core, and prints the result as text or, with `--json`, as the stable JSON of the CLI contract.

mod cli;
mod commands;
mod env_secrets;
mod hints;
mod output;
mod photos;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

fn main() -> ExitCode {
    // Before any key or photo is in memory.
    takeback_core::base::hardening::forbid_core_dumps();
    env_secrets::take_from_environment();
    let cli = Cli::parse();
    init_logging();
    match commands::run(cli) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

/// Logs go to stderr and are quiet unless `TAKEBACK_LOG` asks for more. Nothing sensitive is ever
/// logged (see ARCHITECTURE.md, "Privacy invariants").
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TAKEBACK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .init();
}
