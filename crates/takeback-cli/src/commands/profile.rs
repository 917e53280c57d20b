//! `takeback profile create|list|passphrase|rekey|delete`, and opening the current profile for other commands.

use std::io::IsTerminal;
use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;
use takeback_core::base::doctor::Check;
use takeback_core::storage::secrets::{KeyringStore, Secret};
use takeback_core::storage::vault::{KdfParams, ProfileKind, Profiles, Unlock, Vault};
use takeback_core::{Error, ErrorCode};

use super::Context;
use crate::output::{print_json, Failure};

use crate::env_secrets::{self, NEW_PASSPHRASE_ENV, PASSPHRASE_ENV};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Create a profile: an encrypted vault whose key is kept in the OS keyring, or with
    /// --passphrase behind a passphrase (clinic mode, for shared computers).
    Create {
        name: String,
        /// Protect the profile with a passphrase (read from TAKEBACK_PASSPHRASE, else asked).
        #[arg(long)]
        passphrase: bool,
    },
    /// List the profiles in the data folder.
    List,
    /// Change a clinic profile's passphrase (the current one from TAKEBACK_PASSPHRASE, the new
    /// one from TAKEBACK_NEW_PASSPHRASE, else both asked). Without --rekey the data is not
    /// re-encrypted: only the wrapping of its key changes, so whoever knew the old passphrase
    /// and kept a copy of the profile's files can still open that copy. If the old passphrase
    /// leaked, add --rekey.
    Passphrase {
        name: String,
        /// Also re-key the profile (see `profile rekey`): a new key, the data encrypted again.
        #[arg(long)]
        rekey: bool,
    },
    /// Re-key a profile after a suspected compromise: a new random key, the database and every
    /// photo encrypted again under it, the old key's files overwritten on this disk. A clinic
    /// profile keeps its passphrase (TAKEBACK_PASSPHRASE, else asked); a personal profile's new
    /// key replaces the old one in the OS keyring. Close the profile in the window first. Copies
    /// taken before (backups) stay readable with the old key.
    Rekey { name: String },
    /// Delete a profile for good: its key is destroyed, then its files are removed.
    Delete {
        name: String,
        /// Confirm the deletion; nothing can bring the profile back.
        #[arg(long)]
        yes: bool,
    },
}

pub fn run(ctx: &Context, cmd: ProfileCommand) -> Result<ExitCode, Failure> {
    let profiles = Profiles::new(&ctx.data_dir);
    match cmd {
        ProfileCommand::Create { name, passphrase } => {
            let vault = if passphrase {
                let pass = new_passphrase(&name)?;
                let vault = profiles.create_clinic(
                    &name,
                    &pass,
                    KdfParams::for_new_passphrases(),
                    Utc::now(),
                )?;
                // A shared computer: no more starting at login (the core's rule).
                takeback_core::session::login::turn_off_for_clinic(&ctx.data_dir)?;
                vault
            } else {
                let keys = KeyringStore::platform()?;
                profiles.create_personal(&name, &keys, Utc::now())?
            };
            let info = vault.info().clone();
            vault.lock();
            if ctx.json {
                print_json(&info)?;
            } else {
                let how = match info.kind {
                    ProfileKind::Personal => "its key is in your OS keyring",
                    ProfileKind::Clinic => "it is protected by your passphrase",
                };
                println!("Created profile `{}` ({how}).", info.name);
                println!(
                    "Next: add reference photos with `takeback --profile {:?} enroll PHOTO...`.",
                    info.name
                );
            }
        }
        ProfileCommand::List => {
            let list = profiles.list()?;
            // A damaged profile is named apart, so the others stay usable (and it can go).
            for d in profiles.damaged()? {
                eprintln!(
                    "takeback: profile folder {} is damaged ({}); it cannot be opened. Delete it with `takeback profile delete {} --yes`.",
                    d.id, d.problem, d.id
                );
            }
            if ctx.json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("No profiles yet; create one with `takeback profile create NAME`.");
            } else {
                for p in list {
                    let kind = match p.kind {
                        ProfileKind::Personal => "personal (OS keyring)",
                        ProfileKind::Clinic => "clinic (passphrase)",
                    };
                    println!(
                        "{:<24} {kind:<22} created {}",
                        p.name,
                        p.created_at.format("%Y-%m-%d")
                    );
                }
            }
        }
        ProfileCommand::Passphrase { name, rekey } => {
            let info = profiles.find(&name)?;
            if info.kind != ProfileKind::Clinic {
                return Err(Error::NotAPassphraseProfile.into());
            }
            let old = passphrase(&format!("Current passphrase for `{}`: ", info.name))?;
            let new = match env_secrets::get(NEW_PASSPHRASE_ENV) {
                Some(p) => p,
                None => typed_twice(&info.name)?,
            };
            if rekey {
                profiles
                    .rekey(
                        &info.name,
                        Unlock::Passphrase(&old),
                        Some(&new),
                        KdfParams::for_new_passphrases(),
                        Utc::now(),
                    )?
                    .lock();
            } else {
                profiles.change_passphrase(
                    &info.name,
                    &old,
                    &new,
                    KdfParams::for_new_passphrases(),
                    Utc::now(),
                )?;
            }
            if ctx.json {
                print_json(&serde_json::json!({ "changed": info, "rekeyed": rekey }))?;
            } else if rekey {
                println!(
                    "Changed the passphrase of `{}` and re-keyed it: the old passphrase and the old key open nothing on this disk any more.",
                    info.name
                );
            } else {
                println!(
                    "Changed the passphrase of `{}`; use the new one from now on.",
                    info.name
                );
                println!(
                    "If the old passphrase leaked, also run `takeback profile rekey {:?}`: until then the old passphrase still opens any copy of the profile's files made before.",
                    info.name
                );
            }
        }
        ProfileCommand::Rekey { name } => {
            let info = profiles.find(&name)?;
            let vault = match info.kind {
                ProfileKind::Personal => {
                    let keys = KeyringStore::platform()?;
                    profiles.rekey(
                        &info.name,
                        Unlock::Keyring(&keys),
                        None,
                        KdfParams::for_new_passphrases(),
                        Utc::now(),
                    )?
                }
                ProfileKind::Clinic => {
                    let pass = passphrase(&format!("Passphrase for profile `{}`: ", info.name))?;
                    profiles.rekey(
                        &info.name,
                        Unlock::Passphrase(&pass),
                        None,
                        KdfParams::for_new_passphrases(),
                        Utc::now(),
                    )?
                }
            };
            vault.lock();
            if ctx.json {
                print_json(&serde_json::json!({ "rekeyed": info }))?;
            } else {
                println!(
                    "Re-keyed `{}`: its data is encrypted under a new key, and the old key opens nothing on this disk any more.",
                    info.name
                );
            }
        }
        ProfileCommand::Delete { name, yes } => {
            if !yes {
                return Err(Failure {
                    code: ErrorCode::InvalidInput,
                    message: format!(
                        "deleting `{name}` destroys its key and every file in it, for good; add --yes to confirm"
                    ),
                });
            }
            if profiles.damaged()?.iter().any(|d| d.id == name) {
                let keys = KeyringStore::platform().ok();
                profiles.delete_damaged(
                    &name,
                    keys.as_ref()
                        .map(|k| k as &dyn takeback_core::storage::secrets::KeyStore),
                )?;
                if ctx.json {
                    print_json(&serde_json::json!({ "deleted": { "id": name, "damaged": true } }))?;
                } else {
                    println!("Deleted the damaged profile {name}: its files are removed.");
                }
                return Ok(ExitCode::SUCCESS);
            }
            // Only someone who can open the profile may wipe it.
            let info = profiles.find(&name)?;
            let deleted = match info.kind {
                ProfileKind::Personal => {
                    let keys = KeyringStore::platform()?;
                    profiles.delete(&info.name, Unlock::Keyring(&keys))?
                }
                ProfileKind::Clinic => {
                    let pass = passphrase(&format!("Passphrase for profile `{}`: ", info.name))?;
                    profiles.delete(&info.name, Unlock::Passphrase(&pass))?
                }
            };
            if ctx.json {
                print_json(&serde_json::json!({ "deleted": deleted }))?;
            } else {
                println!(
                    "Deleted profile `{}`: its key is destroyed and its files removed.",
                    deleted.name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Unlocks the profile named by `--profile`, asking for the passphrase if it has one.
pub fn open(ctx: &Context) -> Result<Vault, Failure> {
    let profiles = Profiles::new(&ctx.data_dir);
    let info = profiles.find(&ctx.profile)?;
    let mut vault = match info.kind {
        ProfileKind::Personal => {
            let keys = KeyringStore::platform()?;
            profiles.unlock(&info.name, Unlock::Keyring(&keys), Utc::now())?
        }
        ProfileKind::Clinic => {
            let pass = passphrase(&format!("Passphrase for profile `{}`: ", info.name))?;
            profiles.unlock(&info.name, Unlock::Passphrase(&pass), Utc::now())?
        }
    };
    // The audit head is kept in the keyring where there is one (a clinic computer may have
    // none). A log behind it is said on every command, not only by `audit --verify`.
    if let Ok(keys) = KeyringStore::platform() {
        let check = vault.anchor_audit_in(std::sync::Arc::new(keys))?;
        if !check.holds() {
            eprintln!("takeback: WARNING: this profile's audit log is not the one last seen: {check}. Run `takeback audit --verify`.");
        }
    }
    Ok(vault)
}

/// The passphrase from TAKEBACK_PASSPHRASE, else from the terminal.
fn passphrase(prompt: &str) -> Result<Secret<String>, Failure> {
    if let Some(p) = env_secrets::get(PASSPHRASE_ENV) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::PassphraseRequired.into());
    }
    let p = rpassword::prompt_password(prompt).map_err(|e| Failure {
        code: ErrorCode::Io,
        message: format!("could not read the passphrase from the terminal: {e}"),
    })?;
    Ok(Secret::new(p))
}

/// A new passphrase: from TAKEBACK_PASSPHRASE, else typed twice.
pub fn new_passphrase(name: &str) -> Result<Secret<String>, Failure> {
    if env_secrets::given(PASSPHRASE_ENV) {
        return passphrase("");
    }
    typed_twice(name)
}

/// A new passphrase typed twice on the terminal.
fn typed_twice(name: &str) -> Result<Secret<String>, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::PassphraseRequired.into());
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Secret::new)
            .map_err(|e| Failure {
                code: ErrorCode::Io,
                message: format!("could not read the passphrase from the terminal: {e}"),
            })
    };
    let first = ask(&format!("New passphrase for `{name}`: "))?;
    let again = ask("Type it again: ")?;
    if first.expose() != again.expose() {
        return Err(Failure {
            code: ErrorCode::InvalidInput,
            message: "the two passphrases differ; type the same one twice".into(),
        });
    }
    Ok(first)
}

/// `takeback doctor`'s keyring check: personal profiles need a working OS keyring.
pub fn keyring_check() -> Check {
    const NAME: &str = "keyring";
    match KeyringStore::platform().and_then(|k| k.probe()) {
        Ok(()) => Check::pass(NAME, "OS keyring works (personal profiles can keep their key there)"),
        Err(e) => Check::fail(
            NAME,
            e.to_string(),
            "without a keyring, use passphrase profiles: `takeback profile create NAME --passphrase` (clinic mode); or start a Secret Service such as gnome-keyring",
        ),
    }
}
