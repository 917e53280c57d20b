//! `takeback audit [--verify]`: show or verify the profile's hash-chained log.

use std::process::ExitCode;

use clap::Args;
use takeback_core::storage::audit;
use takeback_core::ErrorCode;

use super::Context;
use crate::output::{exit, print_json, Failure};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Recompute the hash chain; exit 1 and name the first broken entry if it was tampered with.
    #[arg(long)]
    pub verify: bool,
}

/// `audit --verify --json`: the chain's verification and how it compares with the keyring.
#[derive(serde::Serialize)]
struct VerifiedJson<'a> {
    #[serde(flatten)]
    verification: &'a audit::Verification,
    anchor: &'a audit::anchor::AnchorCheck,
}

pub fn run(ctx: &Context, args: AuditArgs) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    if args.verify {
        let v = audit::verify(vault.conn())?;
        let anchor = vault.audit_anchor_check()?;
        if ctx.json {
            print_json(&VerifiedJson {
                verification: &v,
                anchor: &anchor,
            })?;
        }
        if let Some(damage) = &v.database_damage {
            let message = format!(
                "the vault's database is damaged ({damage}); restore this profile's folder from a backup"
            );
            return fail(ctx, message);
        }
        return match &v.first_broken {
            None if !anchor.holds() => fail(
                ctx,
                format!("the audit log was rolled back or rewritten: {anchor}"),
            ),
            None => {
                if !ctx.json {
                    println!(
                        "Audit log intact: {} entries, head {} ({anchor})",
                        v.entries, v.head
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Some(b) => fail(
                ctx,
                format!(
                    "the audit log was tampered with: entry {} is broken ({})",
                    b.seq, b.reason
                ),
            ),
        };
    }
    let entries = audit::list(vault.conn())?;
    if ctx.json {
        print_json(&entries)?;
    } else {
        for e in entries {
            let subject = e.subject.as_deref().map_or(String::new(), |s| {
                format!(" subject {}", &s[..s.len().min(16)])
            });
            println!(
                "{:>5}  {}  {:<9} {:<22}{subject}  {}",
                e.seq, e.at, e.actor, e.action, e.detail
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A verification that found something wrong: exit 1, after the JSON report if one was asked.
fn fail(ctx: &Context, message: String) -> Result<ExitCode, Failure> {
    if ctx.json {
        eprintln!("takeback: {message}");
        Ok(ExitCode::from(exit::ERROR))
    } else {
        Err(Failure {
            code: ErrorCode::Corrupt,
            message,
        })
    }
}
