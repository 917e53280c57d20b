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
            if ctx.json {
                print_json(&statuses)?;
            } else {
                for s in statuses {
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
            accounts::configure(&mut settings, provider, base_url.as_deref(), enabled)?;
            settings.save(&ctx.data_dir)?;
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
