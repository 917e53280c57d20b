//! One module per command group; each parses nothing itself (clap did) and only calls the core.

pub mod advise;
pub mod audit;
pub mod case;
mod config;
pub mod contacts;
mod doctor;
pub mod enroll;
pub mod events;
pub mod evidence;
mod faces;
pub mod findings;
pub mod handoff;
pub mod identity;
pub mod letter;
pub mod monitor;
pub mod profile;
pub mod provider;
pub mod recheck;
pub mod scan;
pub mod source;
pub mod verify;

use std::process::ExitCode;

use takeback_core::base::paths::{DataDir, DATA_DIR_ENV};

use crate::cli::{Cli, Command};
use crate::output::Failure;

/// What every command needs from the global options.
#[derive(Debug)]
pub struct Context {
    pub data_dir: DataDir,
    pub profile: String,
    pub json: bool,
}

pub fn run(cli: Cli) -> Result<ExitCode, Failure> {
    // clap already folded TAKEBACK_DATA_DIR into `data_dir`; the env value is passed for clarity.
    let env_dir = std::env::var(DATA_DIR_ENV).ok();
    let ctx = Context {
        data_dir: DataDir::resolve(cli.global.data_dir.as_deref(), env_dir.as_deref())?,
        profile: cli.global.profile,
        json: cli.global.json,
    };
    takeback_core::session::tidy_data_dir(&ctx.data_dir);
    match cli.command {
        Command::Doctor => doctor::run(&ctx),
        Command::Config(c) => config::run(&ctx, c),
        Command::Profile(c) => profile::run(&ctx, c),
        Command::Enroll(a) => enroll::run(&ctx, a),
        Command::Verify(a) => verify::run(&ctx, a),
        Command::Audit(a) => audit::run(&ctx, a),
        Command::Faces(args) => faces::run(&ctx, args),
        Command::Contacts(args) => contacts::run(&ctx, args),
        Command::Advise(args) => advise::run(&ctx, args),
        Command::Identity(c) => identity::run(&ctx, c),
        Command::Letter(args) => letter::run(&ctx, *args),
        Command::Case(c) => case::run(&ctx, c),
        Command::Source(c) => source::run(&ctx, c),
        Command::Provider(c) => provider::run(&ctx, c),
        Command::Scan(args) => scan::run(&ctx, *args),
        Command::Findings(args) => findings::list(&ctx, args),
        Command::Finding(c) => findings::review(&ctx, c),
        Command::Recheck(args) => recheck::run(&ctx, args),
        Command::Monitor(c) => monitor::run(&ctx, c),
        Command::Events(args) => events::run(&ctx, args),
        Command::Evidence(c) => evidence::run(&ctx, c),
        Command::Export(a) => handoff::export(&ctx, a),
        Command::Import(a) => handoff::import(&ctx, a),
    }
}
