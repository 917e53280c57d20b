//! `takeback source add-site URL | add-folder DIR | list | remove ID`: the local sources a scan
//! watches. Nothing is fetched here; `scan` does that.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;
use takeback_core::search::every::Every;
use takeback_core::search::sources::{self, SiteLimits, Source, SourceTarget};

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Watch a site: crawl it on this computer within limits and look for your face.
    AddSite {
        #[arg(value_name = "URL")]
        url: String,
        /// Links followed from the start page (0 = only that page); default 2, at most 10.
        #[arg(long, value_name = "N")]
        depth: Option<u32>,
        /// Pages fetched at most; default 200.
        #[arg(long, value_name = "N")]
        max_pages: Option<u32>,
        /// Milliseconds between two requests to the site; default 500.
        #[arg(long, value_name = "MS")]
        interval_ms: Option<u32>,
        /// How often monitoring revisits it: 30m, 12h, 1d, 7d (15 minutes to 30 days); default 1d.
        #[arg(long, value_name = "DURATION")]
        every: Option<String>,
    },
    /// Scan a folder of images on this computer (e.g. a downloaded archive).
    AddFolder {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// How often monitoring revisits it: 30m, 12h, 1d, 7d (15 minutes to 30 days); default 1d.
        #[arg(long, value_name = "DURATION")]
        every: Option<String>,
    },
    /// Change how often monitoring revisits a source.
    Set {
        #[arg(value_name = "ID")]
        id: i64,
        /// 30m, 12h, 1d, 7d (15 minutes to 30 days).
        #[arg(long, value_name = "DURATION")]
        every: String,
    },
    /// List the sources.
    List,
    /// Stop watching a source (its findings stay).
    Remove {
        #[arg(value_name = "ID")]
        id: i64,
    },
}

pub fn run(ctx: &Context, command: SourceCommand) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    let now = Utc::now();
    match command {
        SourceCommand::AddSite {
            url,
            depth,
            max_pages,
            interval_ms,
            every,
        } => {
            let limits = SiteLimits {
                max_depth: depth,
                max_pages,
                interval_ms,
            };
            let every = every.as_deref().map(parse_every).transpose()?;
            let source = sources::add_site(&vault, &url, limits, every, now)?;
            show_one(ctx, &source, "Added")?;
        }
        SourceCommand::AddFolder { dir, every } => {
            let every = every.as_deref().map(parse_every).transpose()?;
            let source = sources::add_folder(&vault, &dir, every, now)?;
            show_one(ctx, &source, "Added")?;
        }
        SourceCommand::Set { id, every } => {
            let source = sources::set_every(&vault, id, parse_every(&every)?, now)?;
            show_one(ctx, &source, "Changed")?;
        }
        SourceCommand::List => {
            let all = sources::list(vault.conn())?;
            if ctx.json {
                print_json(&all)?;
            } else if all.is_empty() {
                println!("No sources yet; add one with `takeback source add-site URL` or `source add-folder DIR`.");
            } else {
                for source in &all {
                    println!("{}", describe(source));
                }
            }
        }
        SourceCommand::Remove { id } => {
            let source = sources::remove(&vault, id, now)?;
            show_one(ctx, &source, "Removed")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_every(text: &str) -> Result<Every, Failure> {
    text.parse::<Every>()
        .map_err(|e| Failure::from(takeback_core::Error::from(e)))
}

fn show_one(ctx: &Context, source: &Source, verb: &str) -> Result<(), Failure> {
    if ctx.json {
        print_json(source)
    } else {
        println!("{verb} {}", describe(source));
        Ok(())
    }
}

fn describe(source: &Source) -> String {
    match &source.target {
        SourceTarget::Site {
            url,
            max_depth,
            max_pages,
            interval_ms,
        } => format!(
            "{:>3}  site    {url}  (depth {max_depth}, at most {max_pages} pages, {interval_ms} ms between requests; revisited every {})",
            source.id, source.every
        ),
        SourceTarget::Folder { path } => format!(
            "{:>3}  folder  {path}  (revisited every {})",
            source.id, source.every
        ),
    }
}
