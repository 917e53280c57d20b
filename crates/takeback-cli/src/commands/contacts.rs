//! `takeback contacts URL`: who can remove an image at a URL, and where each contact came from.

use std::process::ExitCode;

use clap::Args;
use takeback_core::base::settings::Settings;
use takeback_core::removal::contacts::{self, Contact, Options};

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Args)]
pub struct ContactsArgs {
    /// The address of the image or of the page that shows it.
    pub url: String,

    /// Contact the site even when it is on this computer or a private network.
    #[arg(long)]
    pub allow_local_network: bool,

    /// Do not visit the site itself (no security.txt or home page): RDAP and the directory only,
    /// so the site's operator sees no request from this computer.
    #[arg(long)]
    pub no_visit: bool,
}

/// The discovery options from settings and flags.
pub fn options(ctx: &Context, allow_local_network: bool) -> Result<Options, Failure> {
    let settings = Settings::load(&ctx.data_dir)?;
    let mut options = Options::from_settings(&settings);
    options.allow_local_network = allow_local_network;
    options.cache_dir = Some(ctx.data_dir.root().join("cache").join("rdap"));
    Ok(options)
}

/// Runs discovery on a small runtime of its own; the CLI is otherwise synchronous.
pub fn discover(url: &str, options: &Options) -> Result<contacts::Discovery, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: takeback_core::ErrorCode::Internal,
            message: format!("could not start the network runtime: {e}"),
        })?;
    Ok(runtime.block_on(contacts::discover(url, options, chrono::Utc::now()))?)
}

pub fn run(ctx: &Context, args: ContactsArgs) -> Result<ExitCode, Failure> {
    let mut options = options(ctx, args.allow_local_network)?;
    options.visit_site = !args.no_visit;
    let found = discover(&args.url, &options)?;
    // Notes go to stderr so that `--json` output stays exactly the contract's array.
    for note in &found.notes {
        eprintln!("note: {note}");
    }
    if ctx.json {
        print_json(&found.contacts)?;
    } else {
        print_text(&found.contacts);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(contacts: &[Contact]) {
    if contacts.is_empty() {
        println!("No contacts found.");
        return;
    }
    for c in contacts {
        let role = serde_json::to_value(c.role).ok();
        let source = serde_json::to_value(c.source).ok();
        let word = |v: Option<serde_json::Value>| {
            v.and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        println!("{}  [{} · from {}]", c.address, word(role), word(source));
        println!("    {}", c.detail);
        if let Some(url) = &c.source_url {
            match &c.last_verified {
                Some(date) => println!("    source: {url} (checked {date})"),
                None => println!("    source: {url}"),
            }
        }
    }
}
