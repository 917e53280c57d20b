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

    /// Create, list or delete profiles (each one an encrypted vault).
    #[command(subcommand)]
    Profile(crate::commands::profile::ProfileCommand),

    /// Add reference photos of the profile's owner (exactly one face each).
    Enroll(crate::commands::enroll::EnrollArgs),

    /// The own-face gate: does the largest face in IMAGE match the enrolled face? Exit 0 match,
    /// 3 no match.
    Verify(crate::commands::verify::VerifyArgs),

    /// Show the profile's audit log, or check it with --verify (exit 1 on tampering).
    Audit(crate::commands::audit::AuditArgs),

    /// Find faces in images: boxes, 68 landmarks, 128-D descriptors (`faces eval DIR` for accuracy).
    Faces(FacesArgs),

    /// Find who can remove an image at a URL: the site, its host, its registrar, search engines.
    Contacts(crate::commands::contacts::ContactsArgs),

    /// Which takedown letters fit your situation, why, and what to watch out for.
    Advise(crate::commands::advise::AdviseArgs),

    /// The details letters are signed with (yours, or your advocate's).
    #[command(subcommand)]
    Identity(crate::commands::identity::IdentityCommand),

    /// Draft a takedown letter for findings and open a case for it.
    Letter(Box<crate::commands::letter::LetterArgs>),

    /// Cases and their deadlines: list, mark sent, record answers, close.
    #[command(subcommand)]
    Case(crate::commands::case::CaseCommand),

    /// Sites and folders to watch for your face (scanned on this computer).
    #[command(subcommand)]
    Source(crate::commands::source::SourceCommand),

    /// Remote search providers: enable, point at a base URL, store the API key, check credits.
    #[command(subcommand)]
    Provider(crate::commands::provider::ProviderCommand),

    /// Scan the sources and the providers you approve; prints the new findings. Exit 3 if
    /// nothing could run.
    Scan(Box<crate::commands::scan::ScanArgs>),

    /// List findings, grouped by site.
    Findings(crate::commands::findings::FindingsArgs),

    /// Review one finding: confirm ("this is me"), dismiss ("not me") or show.
    #[command(subcommand)]
    Finding(crate::commands::findings::FindingCommand),

    /// Fetch every confirmed finding again: gone ones become `removed`, live ones are stamped.
    Recheck(crate::commands::recheck::RecheckArgs),

    /// Keep watching: do the due monitoring work (`run --once`), or show what runs next.
    #[command(subcommand)]
    Monitor(crate::commands::monitor::MonitorCommand),

    /// What monitoring found (`--unread` for the new ones); `events read ID|all` marks them read.
    Events(crate::commands::events::EventsArgs),

    /// Evidence for police or a lawyer: a WACZ web archive of the captures and a PDF report.
    #[command(subcommand)]
    Evidence(crate::commands::evidence::EvidenceCommand),

    /// Hand a case over: one encrypted file (age format) with its findings, evidence, cases,
    /// letters and signer's details, locked with a passphrase or for an age public key.
    Export(crate::commands::handoff::ExportArgs),

    /// Import a hand-off bundle: every hash is checked first; creates the profile or merges into
    /// it without duplicates.
    Import(crate::commands::handoff::ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show one setting, or every setting with its help when KEY is left out.
    Get { key: Option<String> },
    /// Change a setting.
    Set { key: String, value: String },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FacesArgs {
    #[command(subcommand)]
    pub command: Option<FacesCommand>,

    /// Images to scan.
    #[arg(value_name = "IMAGE")]
    pub images: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum FacesCommand {
    /// Verification accuracy over labelled folders: ROC, TAR at 1% and 0.1% FAR, EER, best threshold.
    /// Each sub-folder is one person; files directly inside are named by their leading letters
    /// (obama2.jpg is "obama"); images of at most 160x160 px are taken as aligned face crops.
    Eval {
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
        /// Photos per enrollment set for the gate protocol (minimum distance to the set).
        #[arg(long, default_value_t = 3)]
        enrolled: usize,
    },
}
