//! `takeback verify IMAGE`: the own-face gate on the largest face. Exit 0 match, 3 no match.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::Args;
use takeback_core::face::gate::{self, GateRequest, Purpose};

use super::Context;
use crate::output::{exit, print_json, Failure};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The photo to compare with the profile's enrolled face.
    #[arg(value_name = "IMAGE")]
    pub image: PathBuf,
}

pub fn run(ctx: &Context, args: VerifyArgs) -> Result<ExitCode, Failure> {
    let engine = crate::photos::load_engine()?;
    let bytes = crate::photos::read_image(&args.image, &engine)?;
    let vault = super::profile::open(ctx)?;
    let request = GateRequest {
        purpose: Purpose::Verify,
        actor: "owner",
        attest_shows_me: false,
    };
    let outcome = gate::check_image(&vault, &engine, &bytes, request, Utc::now())?.outcome;
    if ctx.json {
        print_json(&outcome)?;
    } else {
        let verdict = if outcome.allowed { "match" } else { "no match" };
        let distance = outcome
            .distance
            .map_or_else(|| "none".to_owned(), |d| format!("{d:.4}"));
        println!(
            "{verdict}: distance {distance}, threshold {:.4}",
            outcome.threshold
        );
        if !outcome.allowed {
            // Attesting a face-less photo counts only for copy searches, not for `verify`.
            let hint = (outcome.decision == gate::Decision::NotEnrolled)
                .then(|| crate::hints::for_gate(outcome.decision))
                .flatten();
            match hint {
                Some(hint) => eprintln!("takeback: {}; {hint}", outcome.message),
                None => eprintln!("takeback: {}", outcome.message),
            }
        }
    }
    Ok(if outcome.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::REFUSED)
    })
}
