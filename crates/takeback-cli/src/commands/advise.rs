//! `takeback advise`: which letters fit, why, and what to watch out for, from a few facts.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use takeback_core::removal::letters::advisor::{self, Facts, Photographer, SiteRegion};

use super::Context;
use crate::output::{exit, print_json, Failure};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Taker {
    /// You took it yourself (a selfie, a mirror or webcam shot).
    Myself,
    /// Someone else took it.
    SomeoneElse,
    Unknown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Region {
    Us,
    Eu,
    Uk,
    Other,
    Unknown,
}

#[derive(Debug, Args)]
pub struct AdviseArgs {
    /// Who took the photo.
    #[arg(long, value_enum, default_value = "unknown")]
    pub taken_by: Taker,
    /// The country you live in, as a two-letter code (GB, DE, US).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Where the site operates or whom it serves.
    #[arg(long, value_enum, default_value = "unknown")]
    pub site: Region,
    /// The image is nude, sexual or intimate.
    #[arg(long)]
    pub intimate: bool,
    /// You were under 18 when the image was made.
    #[arg(long)]
    pub minor: bool,
}

pub fn run(ctx: &Context, args: AdviseArgs) -> Result<ExitCode, Failure> {
    let facts = Facts {
        photographer: match args.taken_by {
            Taker::Myself => Photographer::Myself,
            Taker::SomeoneElse => Photographer::SomeoneElse,
            Taker::Unknown => Photographer::Unknown,
        },
        person_country: args.country,
        site_region: match args.site {
            Region::Us => SiteRegion::Us,
            Region::Eu => SiteRegion::Eu,
            Region::Uk => SiteRegion::Uk,
            Region::Other => SiteRegion::Other,
            Region::Unknown => SiteRegion::Unknown,
        },
        intimate: args.intimate,
        minor: args.minor,
    };
    let advice = advisor::advise(&facts);
    if ctx.json {
        print_json(&advice)?;
    } else if let Some(minor) = &advice.minor {
        println!("{}", minor.message);
        for (name, url) in &minor.links {
            println!("  {name}: {url}");
        }
    } else {
        for (n, route) in advice.routes.iter().enumerate() {
            let regime = route
                .regime
                .map(|r| format!(" ({})", r.as_str().to_uppercase()))
                .unwrap_or_default();
            println!("{}. {}{regime}: {}", n + 1, route.kind, route.reason);
            for w in &route.warnings {
                println!("   ! {w}");
            }
        }
        for e in &advice.excluded {
            println!("Not {}: {}", e.kind, e.reason);
        }
        for w in &advice.warnings {
            println!("- {w}");
        }
    }
    // A minor's case is routed away from letters: exit 3 ("refused by a safety gate").
    Ok(if advice.minor.is_some() {
        ExitCode::from(exit::REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}
