//! `takeback export` and `takeback import`: the encrypted hand-off bundle (age format) a clinic
//! gives its client, and its import on another machine.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::Args;
use takeback_core::handoff::bundle::{self, ExportRequest, Key, Lock, SecretString};
use takeback_core::storage::vault::{KdfParams, Profiles};
use takeback_core::{Error, ErrorCode};

use super::Context;
use crate::output::{print_json, Failure};

/// Where the bundle's passphrase comes from when not typed.
pub use crate::env_secrets::EXPORT_PASSPHRASE_ENV;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("lock").required(true).args(["passphrase", "recipient"])))]
pub struct ExportArgs {
    /// The bundle file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only this case and the findings it names (repeat for more); default: everything.
    #[arg(long = "case", value_name = "ID")]
    pub cases: Vec<i64>,
    /// Lock with a passphrase (TAKEBACK_EXPORT_PASSPHRASE, else asked twice).
    #[arg(long)]
    pub passphrase: bool,
    /// Lock for an age public key (age1…), e.g. from `age-keygen`.
    #[arg(long, value_name = "AGE_PUBLIC_KEY")]
    pub recipient: Option<String>,
    /// Also hand over the reference photos and their consent records (recorded in the bundle).
    #[arg(long)]
    pub include_face: bool,
    /// Replace the file if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle to import.
    pub file: PathBuf,
    /// The profile to create or merge into (default: --profile). A new one is protected by the
    /// passphrase in TAKEBACK_PASSPHRASE (else asked).
    #[arg(long, value_name = "NAME")]
    pub into: Option<String>,
    /// An age identity file for a bundle locked for a public key.
    #[arg(long, value_name = "AGE_KEY_FILE")]
    pub identity: Option<PathBuf>,
}

fn ask(prompt: &str) -> Result<String, Failure> {
    rpassword::prompt_password(prompt).map_err(|e| Failure {
        code: ErrorCode::Io,
        message: format!("could not read the passphrase from the terminal: {e}"),
    })
}

/// The bundle passphrase: TAKEBACK_EXPORT_PASSPHRASE, else typed (twice when `confirm`).
fn bundle_passphrase(confirm: bool) -> Result<SecretString, Failure> {
    if let Some(p) = crate::env_secrets::get(EXPORT_PASSPHRASE_ENV) {
        return Ok(SecretString::from(p.expose().clone()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure {
            code: ErrorCode::InvalidInput,
            message: format!(
                "a bundle passphrase is needed: set {EXPORT_PASSPHRASE_ENV} or run in a terminal"
            ),
        });
    }
    let first = ask("Bundle passphrase: ")?;
    if confirm && ask("Type it again: ")? != first {
        return Err(Failure {
            code: ErrorCode::InvalidInput,
            message: "the two passphrases differ; nothing was written".into(),
        });
    }
    Ok(SecretString::from(first))
}

pub fn export(ctx: &Context, args: ExportArgs) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    let lock = match args.recipient {
        Some(key) => Lock::Recipient(key),
        None => Lock::Passphrase {
            passphrase: bundle_passphrase(true)?,
            work_factor: None,
        },
    };
    let request = ExportRequest {
        out: args.out,
        cases: args.cases,
        lock,
        include_face: args.include_face,
        overwrite: args.overwrite,
    };
    let summary = bundle::export(&vault, &request, Utc::now())?;
    if ctx.json {
        print_json(&summary)?;
    } else {
        println!(
            "Wrote {} ({} bytes): {} finding(s), {} case(s), {} capture(s){}.",
            summary.path,
            summary.bytes,
            summary.findings,
            summary.cases,
            summary.evidence,
            if summary.include_face {
                ", reference photos"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn import(ctx: &Context, args: ImportArgs) -> Result<ExitCode, Failure> {
    let key = match args.identity {
        Some(path) => Key::IdentityFile(path),
        None => Key::Passphrase(bundle_passphrase(false)?),
    };
    let name = args.into.unwrap_or_else(|| ctx.profile.clone());
    let target_ctx = Context {
        data_dir: ctx.data_dir.clone(),
        profile: name.clone(),
        json: ctx.json,
    };
    let profiles = Profiles::new(&ctx.data_dir);
    let mut open = || -> Result<_, Failure> {
        match profiles.find(&name) {
            Ok(_) => super::profile::open(&target_ctx),
            Err(Error::ProfileNotFound { .. }) => {
                let pass = super::profile::new_passphrase(&name)?;
                Ok(profiles.create_clinic(
                    &name,
                    &pass,
                    KdfParams::for_new_passphrases(),
                    Utc::now(),
                )?)
            }
            Err(e) => Err(e.into()),
        }
    };
    let (_vault, summary) = bundle::import(&args.file, &key, &mut open, Utc::now())?;
    if ctx.json {
        print_json(&summary)?;
    } else {
        println!(
            "Imported into `{}`: {} finding(s) added ({} already there), {} case(s) added ({} already there), {} capture(s).",
            summary.profile,
            summary.findings_added,
            summary.findings_already_there,
            summary.cases_added,
            summary.cases_already_there,
            summary.evidence_added
        );
    }
    Ok(ExitCode::SUCCESS)
}
