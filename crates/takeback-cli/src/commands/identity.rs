//! `takeback identity set|show`: the details letters are signed with, kept in the profile's vault.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use takeback_core::removal::identity::{self, Identity, Representative};
use takeback_core::Error;

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Save the details letters are signed with.
    Set(Box<SetArgs>),
    /// Show the saved details.
    Show,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// Your full name (the person in the images).
    #[arg(long)]
    pub name: String,
    /// The email address replies should go to. A new address used only for takedowns is safest.
    #[arg(long)]
    pub email: String,
    /// Postal address (optional; DMCA notices ask for one, others do not need it).
    #[arg(long, value_name = "ADDRESS")]
    pub postal: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// Country you live in, as a two-letter code (GB, DE, US); chooses the laws that apply.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// An advocate or lawyer who may sign letters for you.
    #[arg(long, value_name = "NAME", requires = "representative_email")]
    pub representative: Option<String>,
    #[arg(long, value_name = "EMAIL", requires = "representative")]
    pub representative_email: Option<String>,
    /// The representative's organisation (a clinic, a law firm).
    #[arg(long, value_name = "NAME", requires = "representative")]
    pub representative_organisation: Option<String>,
    #[arg(long, value_name = "ADDRESS", requires = "representative")]
    pub representative_postal: Option<String>,
    #[arg(long, value_name = "PHONE", requires = "representative")]
    pub representative_phone: Option<String>,
}

pub fn run(ctx: &Context, cmd: IdentityCommand) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    match cmd {
        IdentityCommand::Set(args) => {
            let args = *args;
            let representative = match (args.representative, args.representative_email) {
                (Some(name), Some(email)) => Some(Representative {
                    name,
                    email,
                    organisation: args.representative_organisation,
                    postal: args.representative_postal,
                    phone: args.representative_phone,
                }),
                _ => None,
            };
            let saved = identity::store::save_normalised(
                vault.conn(),
                Identity {
                    name: args.name,
                    email: args.email,
                    postal: args.postal,
                    phone: args.phone,
                    country: args.country,
                    representative,
                },
            )?;
            if ctx.json {
                print_json(&saved)?;
            } else {
                println!("Saved. Letters will be signed by {}.", saved.name);
                if let Some(rep) = &saved.representative {
                    println!(
                        "{} can sign for you with `takeback letter --as-representative`.",
                        rep.name
                    );
                }
            }
        }
        IdentityCommand::Show => {
            let saved = identity::store::load(vault.conn())?.ok_or(Error::IdentityMissing)?;
            if ctx.json {
                print_json(&saved)?;
            } else {
                println!("Name: {}\nEmail: {}", saved.name, saved.email);
                for (label, value) in [
                    ("Postal address", &saved.postal),
                    ("Telephone", &saved.phone),
                    ("Country", &saved.country),
                ] {
                    if let Some(v) = value {
                        println!("{label}: {v}");
                    }
                }
                if let Some(rep) = &saved.representative {
                    println!("Representative: {} <{}>", rep.name, rep.email);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
