//! `takeback letter FINDING_ID... --kind K --format pdf|txt|eml --out FILE [--to ADDRESS]`:
//! drafts a letter from the saved identity and the findings, writes it, and opens a case in
//! state `draft`.
//!
//! Findings come from the vault's findings table when it exists. Until then (and for hand-made
//! findings), `--findings FILE` reads a JSON array of
//! `{"id","image_url","page_url","first_seen","sha256","pdq"}` and FINDING_IDs pick from it, or
//! `--image-url/--page-url/--first-seen/--sha256` describe one finding.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, ValueEnum};
use rusqlite::OptionalExtension;
use takeback_core::cases::{store, NewCase};
use takeback_core::identity;
use takeback_core::letters::{
    self, eml, pdf, FindingRef, LetterKind, LetterRequest, Recipient, Regime,
};
use takeback_core::{Error, ErrorCode};

use super::case::parse_time;
use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Pdf,
    Txt,
    Eml,
}

#[derive(Debug, Args)]
pub struct LetterArgs {
    /// Findings the letter is about.
    #[arg(value_name = "FINDING_ID")]
    pub finding_ids: Vec<String>,
    /// dmca, takeitdown, gdpr, dsa, ukosa, delisting or abuse.
    #[arg(long)]
    pub kind: String,
    #[arg(long, value_enum)]
    pub format: Format,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
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
    /// A JSON file of findings (see the command's help above).
    #[arg(long, value_name = "FILE")]
    pub findings: Option<PathBuf>,
    #[arg(long, value_name = "URL", requires_all = ["first_seen", "sha256"])]
    pub image_url: Option<String>,
    #[arg(long, value_name = "URL", requires = "image_url")]
    pub page_url: Option<String>,
    #[arg(long, value_name = "TIME", requires = "image_url")]
    pub first_seen: Option<String>,
    #[arg(long, value_name = "HEX", requires = "image_url")]
    pub sha256: Option<String>,
    #[arg(long, value_name = "HEX", requires = "image_url")]
    pub pdq: Option<String>,
    /// Do not look up a recipient when --to is not given.
    #[arg(long)]
    pub no_lookup: bool,
    /// Allow the recipient lookup to contact a site on this computer or a private network.
    #[arg(long)]
    pub allow_local_network: bool,
}

fn invalid(message: String) -> Failure {
    Failure {
        code: ErrorCode::InvalidInput,
        message,
    }
}

fn io_failure(action: &'static str, path: &std::path::Path, e: std::io::Error) -> Failure {
    Error::io(action, path, e).into()
}

fn findings(args: &LetterArgs, conn: &rusqlite::Connection) -> Result<Vec<FindingRef>, Failure> {
    if let Some(url) = &args.image_url {
        return Ok(vec![FindingRef {
            id: None,
            image_url: url.clone(),
            page_url: args.page_url.clone(),
            first_seen: parse_time(args.first_seen.as_deref().unwrap_or_default())?,
            sha256: args.sha256.clone().unwrap_or_default().to_ascii_lowercase(),
            pdq: args.pdq.clone(),
        }]);
    }
    if let Some(path) = &args.findings {
        let text = std::fs::read_to_string(path).map_err(|e| io_failure("reading", path, e))?;
        let all: Vec<FindingRef> = serde_json::from_str(&text)
            .map_err(|e| invalid(format!("`{}` is not a findings list: {e}", path.display())))?;
        if args.finding_ids.is_empty() {
            return Ok(all);
        }
        return args
            .finding_ids
            .iter()
            .map(|id| {
                all.iter()
                    .find(|f| f.id.as_deref() == Some(id.as_str()))
                    .cloned()
                    .ok_or_else(|| {
                        invalid(format!("finding `{id}` is not in `{}`", path.display()))
                    })
            })
            .collect();
    }
    if args.finding_ids.is_empty() {
        return Err(invalid(
            "name the findings (FINDING_ID…), or give --findings FILE or --image-url".into(),
        ));
    }
    args.finding_ids
        .iter()
        .map(|id| stored_finding(conn, id))
        .collect()
}

/// A finding from the vault's findings table (written by `scan`).
fn stored_finding(conn: &rusqlite::Connection, id: &str) -> Result<FindingRef, Failure> {
    let row = conn
        .query_row(
            "SELECT image_url, page_url, first_seen, sha256, pdq FROM findings WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            },
        )
        .optional();
    match row {
        Ok(Some((image_url, page_url, first_seen, sha256, pdq))) => Ok(FindingRef {
            id: Some(id.to_owned()),
            image_url,
            page_url,
            first_seen: parse_time(&first_seen)?,
            sha256,
            pdq,
        }),
        _ => Err(Failure {
            code: ErrorCode::NotFound,
            message: format!("there is no finding `{id}`; run `takeback findings` to list them, or describe it with --findings FILE"),
        }),
    }
}

pub fn run(ctx: &Context, args: LetterArgs) -> Result<ExitCode, Failure> {
    let kind: LetterKind = args.kind.parse()?;
    let vault = super::profile::open(ctx)?;
    let conn = vault.conn();
    let identity = identity::store::load(conn)?.ok_or(Error::IdentityMissing)?;
    let findings = findings(&args, conn)?;
    let regime = match &args.regime {
        Some(r) => r.parse()?,
        None => identity
            .country
            .as_deref()
            .and_then(Regime::for_country)
            .unwrap_or_default(),
    };

    let mut recipient = Recipient {
        name: args.recipient_name.clone().unwrap_or_default(),
        address: args.to.clone(),
    };
    if recipient.address.is_none() && !args.no_lookup {
        if let Some(first) = findings.first() {
            let url = first.page_url.as_deref().unwrap_or(&first.image_url);
            let options = super::contacts::options(ctx, args.allow_local_network)?;
            match super::contacts::discover(url, &options) {
                Ok(found) => {
                    if let Some(best) = found.best_address(kind) {
                        eprintln!("note: sending to {} ({})", best.address, best.detail);
                        recipient.address = Some(best.address.clone());
                    } else {
                        eprintln!("note: no email address found for this site; add one with --to");
                    }
                }
                Err(e) => eprintln!(
                    "note: the recipient lookup failed ({}); add an address with --to",
                    e.message
                ),
            }
        }
    }

    let letter = letters::draft(&LetterRequest {
        kind,
        regime,
        identity,
        as_representative: args.as_representative,
        findings,
        recipient,
        date: Utc::now().date_naive(),
        locale: "en".into(),
        work: args.work.clone(),
        context: args.context.clone(),
        offence_country: args.offence_country.clone(),
    })?;

    let bytes = match args.format {
        Format::Txt => letter.text().into_bytes(),
        Format::Pdf => pdf::render(&letter)?,
        Format::Eml => {
            let mut attachments = Vec::new();
            for path in &args.attach {
                let bytes = std::fs::read(path).map_err(|e| io_failure("reading", path, e))?;
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "evidence".into());
                let content_type = match path
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("pdf") => "application/pdf",
                    Some("txt") => "text/plain",
                    Some("csv") => "text/csv",
                    Some("json") => "application/json",
                    _ => "application/octet-stream",
                };
                attachments.push(eml::Attachment {
                    file_name,
                    content_type: content_type.into(),
                    bytes,
                });
            }
            eml::render(&letter, &attachments, Utc::now())?
        }
    };
    std::fs::write(&args.out, &bytes).map_err(|e| io_failure("writing", &args.out, e))?;
    let now = Utc::now();
    let case_id = store::open_case(conn, &letter, &NewCase::for_letter(&letter), now)?;
    takeback_core::audit::append(
        conn,
        takeback_core::audit::NewEntry::new(if args.as_representative { "advocate" } else { "owner" }, "letter.drafted")
            .detail(serde_json::json!({ "case": case_id, "kind": kind.as_str(), "findings": letter.findings.len() })),
        now,
    )?;

    if ctx.json {
        print_json(&serde_json::json!({
            "case_id": case_id,
            "kind": kind.as_str(),
            "format": format!("{:?}", args.format).to_ascii_lowercase(),
            "out": args.out,
            "to": letter.recipient.address,
            "subject": letter.subject,
            "state": "draft",
        }))?;
    } else {
        println!("Letter written to {}.", args.out.display());
        println!("Case {case_id} opened (draft). Read the letter before you send it, then run `takeback case sent {case_id}`.");
    }
    Ok(ExitCode::SUCCESS)
}
