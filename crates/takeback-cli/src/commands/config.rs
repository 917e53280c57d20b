use std::process::ExitCode;

use takeback_core::base::settings::Settings;

use super::Context;
use crate::cli::ConfigCommand;
use crate::output::{print_json, Failure};

pub fn run(ctx: &Context, cmd: ConfigCommand) -> Result<ExitCode, Failure> {
    let mut settings = Settings::load(&ctx.data_dir)?;
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
            let stored = settings.set(&key, &value)?;
            settings.save(&ctx.data_dir)?;
            if ctx.json {
                print_json(&serde_json::json!({ "key": key, "value": stored }))?;
            } else {
                println!("{key} = {stored}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
