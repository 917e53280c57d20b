//! `takeback enroll IMAGE... [--attested-by NAME]`: add reference photos of the profile's owner.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::Args;
use takeback_core::face::enrollment::{self, Attestation, Consent, Progress};

use super::Context;
use crate::output::{print_json, Failure};
use crate::photos::{load_engine, read_image};

/// Slows each stored photo down by this many milliseconds. Only for the crash-safety test, which
/// kills the process while the enrollment transaction is open.
const PAUSE_ENV: &str = "TAKEBACK_DEBUG_ENROLL_PAUSE_MS";

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// 1 to 10 photos, each showing only the owner's face, large and sharp.
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<PathBuf>,
    /// The advocate who checked the owner in person; leave out when the owner enrolls.
    #[arg(long, value_name = "NAME")]
    pub attested_by: Option<String>,
}

pub fn run(ctx: &Context, args: EnrollArgs) -> Result<ExitCode, Failure> {
    let engine = load_engine()?;
    let photos = args
        .images
        .iter()
        .map(|p| read_image(p, &engine))
        .collect::<Result<Vec<_>, _>>()?;
    let vault = super::profile::open(ctx)?;
    let consent = Consent {
        attestation: match args.attested_by {
            Some(name) => Attestation::Advocate { name },
            None => Attestation::Owner,
        },
        method: "cli".into(),
    };
    let pause = std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis);
    let refs: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    let mut progress = |p: Progress| {
        if let Progress::Stored { n, total } = p {
            eprintln!("stored photo {n} of {total}");
            if let Some(d) = pause {
                std::thread::sleep(d);
            }
        }
    };
    let done = enrollment::enroll(&vault, &engine, &refs, &consent, Utc::now(), &mut progress)
        .map_err(|e| name_photo(e, &args.images))?;
    if ctx.json {
        print_json(&done)?;
    } else {
        println!(
            "Enrolled {} photo(s); the profile now has {} of at most {} reference photos.",
            done.added.len(),
            done.total,
            enrollment::MAX_PHOTOS
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Puts the file's path in front of a per-photo error: the core only knows photo numbers.
fn name_photo(e: takeback_core::Error, paths: &[PathBuf]) -> Failure {
    let path = e
        .downcast_ref::<takeback_core::face::enrollment::PhotoRefused>()
        .and_then(|refused| paths.get(refused.photo.wrapping_sub(1)));
    let mut f = Failure::from(e);
    if let Some(p) = path {
        f.message = format!("{}: {}", p.display(), f.message);
    }
    f
}
