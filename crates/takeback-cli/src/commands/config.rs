use std::process::ExitCode;

use chrono::Utc;
use takeback_core::base::settings::Settings;
use takeback_core::session::commit_settings;
use takeback_core::storage::vault::{Profiles, Vault};

use super::Context;
use crate::cli::ConfigCommand;
use crate::output::{print_json, Failure};

/// Saves `next` under the core's one rule ([`commit_settings`]): a change that lowers a
/// protection is made only with the profile unlocked (its passphrase is asked), and a changed
/// address is audited in it.
pub(crate) fn commit(ctx: &Context, before: &Settings, next: &Settings) -> Result<(), Failure> {
    let profile = if next.weakened_since(before).is_empty()
        || Profiles::new(&ctx.data_dir).list()?.is_empty()
    {
        None
    } else {
        Some(super::profile::open(ctx)?)
    };
    let unlocked: Vec<&Vault> = profile.iter().collect();
    commit_settings(&ctx.data_dir, before, next, &unlocked, Utc::now())?;
    Ok(())
}

pub fn run(ctx: &Context, cmd: ConfigCommand) -> Result<ExitCode, Failure> {
    let settings = Settings::load(&ctx.data_dir)?;
    match cmd {
        ConfigCommand::Get { key: Some(key) } => {
            let value = settings.get(&key)?;
            if ctx.json {
                print_json(&serde_json::json!({ "key": key, "value": value }))?;
            } else {
                println!("{value}");
            }
        }
        ConfigCommand::Get { key: None } => {
            let entries = settings.entries();
            if ctx.json {
                print_json(&entries)?;
            } else {
                for e in entries {
                    let note = if e.is_default { " (default)" } else { "" };
                    println!("{} = {}{note}\n    {}", e.key, e.value, e.help);
                }
            }
        }
        ConfigCommand::Set { key, value } => {
            let mut next = settings.clone();
            let stored = next.set(&key, &value)?;
            commit(ctx, &settings, &next)?;
            if ctx.json {
                print_json(&serde_json::json!({ "key": key, "value": stored }))?;
            } else {
                println!("{key} = {stored}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
