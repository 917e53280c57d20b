//! `takeback letter FINDING_ID... --kind K --format pdf|txt|eml --out FILE [--to ADDRESS]`:
//! drafts a letter about findings in the vault, writes it, and opens a case in state `draft`,
//! through the same core function as the window (`removal::request::save`).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, ValueEnum};
use takeback_core::removal::letters::{LetterKind, Recipient};
use takeback_core::removal::request::{self, LetterFormat, LetterOrder, SaveTo};
use takeback_core::ErrorCode;

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Pdf,
    Txt,
    Eml,
}

impl From<Format> for LetterFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Pdf => LetterFormat::Pdf,
            Format::Txt => LetterFormat::Txt,
            Format::Eml => LetterFormat::Eml,
        }
    }
}

#[derive(Debug, Args)]
pub struct LetterArgs {
    /// Findings the letter is about (`takeback findings` lists them).
    #[arg(value_name = "FINDING_ID", required = true)]
    pub finding_ids: Vec<i64>,
    /// dmca, takeitdown, gdpr, dsa, ukosa, delisting or abuse.
    #[arg(long)]
    pub kind: String,
    #[arg(long, value_enum)]
    pub format: Format,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// The recipient's email address; by default the best contact `takeback contacts` finds.
    #[arg(long, value_name = "ADDRESS")]
    pub to: Option<String>,
    /// The recipient's name as written in the letter.
    #[arg(long, value_name = "NAME")]
    pub recipient_name: Option<String>,
    /// For gdpr and delisting: eu or uk (default from your country).
    #[arg(long)]
    pub regime: Option<String>,
    /// Sign as your authorised representative (set with `identity set --representative`).
    #[arg(long)]
    pub as_representative: bool,
    /// DMCA: the photograph you took, e.g. "a photograph I took of myself in 2024".
    #[arg(long)]
    pub work: Option<String>,
    /// A short, factual sentence that helps the recipient see there was no consent.
    #[arg(long)]
    pub context: Option<String>,
    /// DSA: the country whose criminal law to cite (two-letter code; default your country).
    #[arg(long, value_name = "CC")]
    pub offence_country: Option<String>,
    /// Non-image evidence to attach to an .eml draft (a police report, a letter). Images are refused.
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Do not look up a recipient when --to is not given.
    #[arg(long)]
    pub no_lookup: bool,
    /// Allow the recipient lookup to contact a site on this computer or a private network.
    #[arg(long)]
    pub allow_local_network: bool,
}

pub fn run(ctx: &Context, args: LetterArgs) -> Result<ExitCode, Failure> {
    let kind: LetterKind = args.kind.parse()?;
    let vault = super::profile::open(ctx)?;
    let mut recipient = Recipient {
        name: args.recipient_name.clone().unwrap_or_default(),
        address: args.to.clone(),
    };
    if recipient.address.is_none() && !args.no_lookup {
        look_up_recipient(ctx, &vault, &args, kind, &mut recipient)?;
    }
    let order = LetterOrder {
        finding_ids: args.finding_ids.clone(),
        kind,
        regime: args.regime.as_deref().map(str::parse).transpose()?,
        as_representative: args.as_representative,
        recipient,
        work: args.work.clone(),
        context: args.context.clone(),
        offence_country: args.offence_country.clone(),
        body: None,
    };
    let out = std::path::absolute(&args.out).map_err(|e| Failure {
        code: ErrorCode::InvalidInput,
        message: format!("`{}` is not a usable path: {e}", args.out.display()),
    })?;
    let to = SaveTo {
        format: args.format.into(),
        path: out,
        overwrite: args.force,
        case_id: None,
        attachments: args.attach.clone(),
    };
    let saved = request::save(&vault, &order, &to, Utc::now())?;
    if ctx.json {
        print_json(&serde_json::json!({
            "case_id": saved.case_id,
            "kind": kind.as_str(),
            "format": to.format,
            "out": saved.path,
            "to": saved.to,
            "subject": saved.subject,
            "state": "draft",
        }))?;
    } else {
        println!("Letter written to {}.", saved.path);
        println!("Case {} opened (draft). Read the letter before you send it, then run `takeback case sent {}`.", saved.case_id, saved.case_id);
    }
    Ok(ExitCode::SUCCESS)
}

/// Fills in the recipient from the contacts found for the first finding's page, with the core's
/// rule for which contact a letter of `kind` goes to.
fn look_up_recipient(
    ctx: &Context,
    vault: &takeback_core::storage::vault::Vault,
    args: &LetterArgs,
    kind: LetterKind,
    recipient: &mut Recipient,
) -> Result<(), Failure> {
    let findings = request::cited_findings(vault.conn(), &args.finding_ids)?;
    let Some(first) = findings.first() else {
        return Ok(());
    };
    let url = first.page_url.as_deref().unwrap_or(&first.image_url);
    let options = super::contacts::options(ctx, args.allow_local_network)?;
    match super::contacts::discover(url, &options) {
        Ok(found) => match found.best_address(kind) {
            Some(best) => {
                eprintln!("note: sending to {} ({})", best.address, best.detail);
                recipient.address = Some(best.address.clone());
                if recipient.name.is_empty() {
                    recipient.name = found.organisation(best);
                }
            }
            None => eprintln!("note: no email address found for this site; add one with --to"),
        },
        Err(e) => eprintln!(
            "note: the recipient lookup failed ({}); add an address with --to",
            e.message
        ),
    }
    Ok(())
}
