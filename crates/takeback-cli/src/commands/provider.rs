//! `takeback provider list | set NAME | key NAME | credits NAME`: the remote search providers.
//! Keys go to the OS keyring only (read from stdin, never from an argument, which would land in
//! the shell history and the process list); base URLs and the enabled flag are settings.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;
use takeback_core::base::cancel::CancelFlag as CancellationToken;
use takeback_core::base::settings::Settings;
use takeback_core::search::providers::{accounts, ProviderId, RemoteProvider, SearchProvider};
use takeback_core::storage::secrets::{KeyringStore, Secret};
use takeback_core::storage::vault::Profiles;
use takeback_core::ErrorCode;

use super::Context;
use crate::output::{print_json, Failure};
use takeback_core::monitor::consent;
use takeback_core::search::every::Every;

/// A key longer than this is not a key.
const MAX_KEY_BYTES: u64 = 4096;

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Every provider: enabled, address, key stored, what it is sent, its retention, credits.
    List,
    /// Enable or disable a provider, or point it at another base URL (tests, air-gapped clinics).
    Set {
        /// tineye, google-vision, serpapi-lens or facecheck.
        #[arg(value_name = "NAME")]
        name: String,
        /// The provider's documented base URL, or a local server that speaks its API.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Store the provider's API key in the OS keyring; the key is read from standard input.
    Key {
        #[arg(value_name = "NAME")]
        name: String,
        /// Remove the stored key instead.
        #[arg(long)]
        delete: bool,
    },
    /// Ask the provider for the searches or credits left on the account, and remember them.
    Credits {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Let monitoring search this provider again with a photo of you, on a schedule and within
    /// a monthly cap (a standing consent; audited). Without one, monitoring never asks it.
    Consent(ConsentArgs),
}

#[derive(Debug, clap::Args)]
pub struct ConsentArgs {
    #[arg(value_name = "NAME")]
    name: String,
    /// The photo to search with; it must pass the own-face gate.
    #[arg(long, value_name = "IMAGE", required_unless_present = "revoke")]
    image: Option<std::path::PathBuf>,
    /// The photo shows you although no face can be detected in it (recorded in the audit log).
    #[arg(long, requires = "image")]
    attest_shows_me: bool,
    /// How often at most: 12h, 1d, 7d ... (15 minutes to 30 days).
    #[arg(long, value_name = "DURATION", required_unless_present = "revoke")]
    every: Option<String>,
    /// The most searches a calendar month (1 to 1000).
    #[arg(long, value_name = "N", required_unless_present = "revoke")]
    max_per_month: Option<u32>,
    /// Withdraw the standing consent instead.
    #[arg(long, conflicts_with_all = ["image", "every", "max_per_month"])]
    revoke: bool,
}

fn parse(name: &str) -> Result<ProviderId, Failure> {
    name.parse::<ProviderId>()
        .map_err(|e| Failure::from(takeback_core::Error::from(e)))
}

pub fn run(ctx: &Context, command: ProviderCommand) -> Result<ExitCode, Failure> {
    let mut settings = Settings::load(&ctx.data_dir)?;
    match command {
        ProviderCommand::List => {
            let keys = KeyringStore::platform()?;
            // Balances are remembered per profile; without the profile they are left out.
            let vault = match Profiles::new(&ctx.data_dir).find(&ctx.profile) {
                Ok(_) => Some(super::profile::open(ctx)?),
                Err(_) => None,
            };
            let statuses = accounts::statuses(&settings, &keys, vault.as_ref().map(|v| v.conn()))?;
            let standing = match &vault {
                Some(v) => consent::active(v.conn(), Utc::now())?,
                None => Vec::new(),
            };
            let standing_of =
                |name: &str| standing.iter().find(|c| c.provider.name() == name).cloned();
            if ctx.json {
                // Each provider's status, plus the monitor's standing consent (or null).
                let mut out = Vec::new();
                for s in &statuses {
                    let mut value = serde_json::to_value(s).unwrap_or_default();
                    if let Some(map) = value.as_object_mut() {
                        map.insert(
                            "standing_consent".into(),
                            serde_json::to_value(standing_of(s.name)).unwrap_or_default(),
                        );
                    }
                    out.push(value);
                }
                print_json(&out)?;
            } else {
                for s in statuses {
                    if let Some(c) = standing_of(s.name) {
                        println!(
                            "{}: monitoring may search it every {}, at most {} a month ({} used)",
                            s.name, c.every, c.max_per_month, c.used_this_month
                        );
                    }
                    let state = if s.enabled { "enabled" } else { "disabled" };
                    let key = if s.has_key { "key stored" } else { "no key" };
                    let credits = s
                        .credits
                        .map(|c| {
                            format!(
                                ", {} {} left ({})",
                                c.remaining,
                                c.unit,
                                c.checked_at.format("%Y-%m-%d")
                            )
                        })
                        .unwrap_or_default();
                    println!("{} ({}): {state}, {key}{credits}\n    {}\n    sends: {}\n    retention: {}", s.name, serde_json::to_value(s.kind).unwrap_or_default().as_str().unwrap_or_default(), s.base_url, s.what_is_sent, s.retention);
                }
            }
        }
        ProviderCommand::Set {
            name,
            base_url,
            enable,
            disable,
        } => {
            let provider = parse(&name)?;
            let enabled = match (enable, disable) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
            let before = settings.clone();
            accounts::configure(&mut settings, provider, base_url.as_deref(), enabled)?;
            super::config::commit(ctx, &before, &settings)?;
            let value = serde_json::json!({
                "name": provider.name(),
                "enabled": accounts::is_enabled(&settings, provider),
                "base_url": accounts::base_url(&settings, provider),
            });
            if ctx.json {
                print_json(&value)?;
            } else {
                println!(
                    "{provider}: {}, {}",
                    if accounts::is_enabled(&settings, provider) {
                        "enabled"
                    } else {
                        "disabled"
                    },
                    accounts::base_url(&settings, provider)
                );
            }
        }
        ProviderCommand::Key { name, delete } => {
            let provider = parse(&name)?;
            let keys = KeyringStore::platform()?;
            if delete {
                accounts::delete_key(&keys, provider)?;
                println!("Removed the key of {provider} from the OS keyring.");
            } else {
                if std::io::stdin().is_terminal() {
                    eprintln!("Paste the API key of {provider}, then press Enter and Ctrl-D:");
                }
                let mut text = String::new();
                std::io::stdin()
                    .take(MAX_KEY_BYTES)
                    .read_to_string(&mut text)
                    .map_err(|e| Failure {
                        code: ErrorCode::Io,
                        message: format!("could not read the key from standard input: {e}"),
                    })?;
                accounts::set_key(&keys, provider, &Secret::new(text))?;
                println!("Stored the key of {provider} in the OS keyring.");
            }
        }
        ProviderCommand::Consent(args) => standing_consent(ctx, args)?,
        ProviderCommand::Credits { name } => {
            let provider = parse(&name)?;
            let keys = KeyringStore::platform()?;
            let key = accounts::ready(&settings, &keys, provider)?;
            let client =
                RemoteProvider::new(provider, accounts::client_config(&settings, provider)?, key)
                    .map_err(|e| Failure::from(takeback_core::Error::from(e)))?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure {
                    code: ErrorCode::Internal,
                    message: format!("could not start the network runtime: {e}"),
                })?;
            let credits = runtime
                .block_on(client.credits(&CancellationToken::new()))
                .map_err(|e| Failure::from(takeback_core::Error::from(e)))?;
            let vault = super::profile::open(ctx)?;
            if let Some(credits) = credits {
                accounts::record_credits(vault.conn(), provider, credits, Utc::now())?;
            }
            if ctx.json {
                print_json(&serde_json::json!({ "name": provider.name(), "credits": credits }))?;
            } else {
                match credits {
                    Some(c) => println!("{provider}: {} {} left", c.remaining, c.unit),
                    None => println!("{provider} bills per use and reports no balance"),
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn standing_consent(ctx: &Context, args: ConsentArgs) -> Result<(), Failure> {
    let provider = parse(&args.name)?;
    if args.revoke {
        let vault = super::profile::open(ctx)?;
        let revoked = consent::revoke(&vault, provider, Utc::now())?;
        if ctx.json {
            print_json(&serde_json::json!({ "name": provider.name(), "revoked": revoked }))?;
        } else if revoked {
            println!("Monitoring will no longer search {provider}.");
        } else {
            println!("There was no standing consent for {provider}.");
        }
        return Ok(());
    }
    let (Some(path), Some(every), Some(max)) = (&args.image, &args.every, args.max_per_month)
    else {
        return Err(Failure {
            code: ErrorCode::InvalidInput,
            message: "give --image, --every and --max-per-month (or --revoke)".into(),
        });
    };
    let every: Every = every
        .parse()
        .map_err(|e| Failure::from(takeback_core::Error::from(e)))?;
    let engine = crate::photos::load_engine()?;
    let bytes = crate::photos::read_image(path, &engine)?;
    let vault = super::profile::open(ctx)?;
    let settings = Settings::load(&ctx.data_dir)?;
    let granted = consent::grant(
        &vault,
        &engine,
        &settings,
        provider,
        &bytes,
        args.attest_shows_me,
        every,
        max,
        Utc::now(),
    )?;
    if ctx.json {
        print_json(&granted)?;
    } else {
        println!(
            "Monitoring may search {provider} every {} at most, {} times a month at most.\n    sends: {}\n    retention: {}\n    the exact bytes sent have SHA-256 {}",
            granted.every, granted.max_per_month, granted.what_is_sent, granted.retention, granted.sha256
        );
    }
    Ok(())
}
