//! The command line, as clap types. Names and flags follow the contract in PRODUCT.md §4.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "takeback",
    version,
    about = "Find where photos of your own face appear online, and get them taken down.",
    long_about = "Find where photos of your own face appear online, and get them taken down.\n\n\
                  Everything stays on this computer, encrypted, unless you approve sending a \
                  specific image to a specific search provider."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Folder that holds Takeback's settings and profiles.
    #[arg(long, global = true, env = "TAKEBACK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The profile to work in.
    #[arg(
        long,
        global = true,
        env = "TAKEBACK_PROFILE",
        default_value = "default",
        value_name = "NAME"
    )]
    pub profile: String,

    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that this machine can run Takeback; exits 1 and lists what is missing.
    Doctor,

    /// Read or change settings.
    #[command(subcommand)]
    Config(ConfigCommand),

    /// Find who can remove an image at a URL: the site, its host, its registrar, search engines.
    Contacts(crate::commands::contacts::ContactsArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show one setting, or every setting with its help when KEY is left out.
    Get { key: Option<String> },
    /// Change a setting.
    Set { key: String, value: String },
}
