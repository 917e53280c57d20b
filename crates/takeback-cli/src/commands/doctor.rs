use std::process::ExitCode;

use takeback_core::base::doctor;

use super::Context;
use crate::output::{exit, print_json, Failure};

pub fn run(ctx: &Context) -> Result<ExitCode, Failure> {
    let report = doctor::run(&ctx.data_dir, vec![super::profile::keyring_check()]);
    if ctx.json {
        print_json(&report)?;
    } else {
        println!("Takeback {}", report.version);
        for c in &report.checks {
            let mark = if c.ok { "ok     " } else { "MISSING" };
            println!("  {mark} {:<16} {}", c.name, c.detail);
        }
        if !report.healthy() {
            eprintln!("\nWhat to do:");
            for c in report.missing() {
                eprintln!(
                    "  - {}: {}",
                    c.name,
                    c.fix.as_deref().unwrap_or("see above")
                );
            }
        }
    }
    Ok(if report.healthy() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::ERROR)
    })
}
