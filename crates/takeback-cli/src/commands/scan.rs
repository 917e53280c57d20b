//! `takeback scan`: watch the sources, run the approved providers, print new findings.
//!
//! The photo given with `--image` passes the own-face gate and is registered (its PDQ copies are
//! looked for from now on). A remote provider runs only with consent to the exact bytes it would
//! be sent: `--consent NAME`, or a yes on the terminal after the preview is described (and, with
//! `--preview-dir DIR`, written there to look at). Without consent it is skipped, and says so.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Args;
use takeback_core::base::cancel::CancelFlag;
use takeback_core::base::clock::SystemClock;
use takeback_core::base::settings::Settings;
use takeback_core::search::error::SearchError;
use takeback_core::search::providers::{accounts, ProviderId};
use takeback_core::search::scan::{
    self, jobs, Consent, ProviderRun, ScanContext, ScanPhase, ScanPlan, ScanProgress, ScanSummary,
};
use takeback_core::storage::secrets::KeyringStore;
use takeback_core::ErrorCode;

use super::Context;
use crate::output::{exit, print_json, Failure};

/// Slows each checked image down by this many milliseconds. Only for the crash-safety test,
/// which kills the process mid-scan.
const PAUSE_ENV: &str = "TAKEBACK_DEBUG_SCAN_PAUSE_MS";

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan only these sources (ids from `takeback source list`); default: every source.
    #[arg(long = "source", value_name = "ID")]
    pub sources: Vec<i64>,
    /// Run these remote providers: tineye, google-vision, serpapi-lens, facecheck.
    #[arg(long = "provider", value_name = "NAME")]
    pub providers: Vec<String>,
    /// A photo of you to search with; it must pass the own-face gate and is kept (encrypted) so
    /// later scans also find copies of it.
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<PathBuf>,
    /// The photo shows you although no face can be detected in it (recorded in the audit log).
    #[arg(long, requires = "image")]
    pub attest_shows_me: bool,
    /// Consent to send the provider what it needs (shown on stderr) without being asked.
    #[arg(long = "consent", value_name = "NAME")]
    pub consents: Vec<String>,
    /// Write each provider's exact upload to this folder before asking, to look at it. The file
    /// is not encrypted: delete it afterwards.
    #[arg(long, value_name = "DIR")]
    pub preview_dir: Option<PathBuf>,
    /// Allow crawling and fetching loopback and private network addresses.
    #[arg(long)]
    pub allow_local_network: bool,
    /// Continue the last interrupted or cancelled scan instead of starting one.
    #[arg(long, conflicts_with_all = ["sources", "providers", "image", "consents"])]
    pub resume: bool,
}

pub fn run(ctx: &Context, args: ScanArgs) -> Result<ExitCode, Failure> {
    let engine = crate::photos::load_engine()?;
    let vault = super::profile::open(ctx)?;
    let settings = Settings::load(&ctx.data_dir)?;
    let providers = args
        .providers
        .iter()
        .map(|n| n.parse::<ProviderId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::from(takeback_core::Error::from(e)))?;
    let consented = args
        .consents
        .iter()
        .map(|n| n.parse::<ProviderId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::from(takeback_core::Error::from(e)))?;
    // Keys are only needed when a provider runs; a scan of local sources works without a keyring.
    let keyring = if providers.is_empty() && !args.resume {
        None
    } else {
        KeyringStore::platform().ok()
    };
    let no_keys = NoKeys;
    let keys: &dyn takeback_core::storage::secrets::KeyStore = match &keyring {
        Some(k) => k,
        None => &no_keys,
    };
    let clock = SystemClock;
    let scan_ctx = ScanContext {
        vault: &vault,
        engine: &engine,
        keys,
        settings: &settings,
        clock: &clock,
    };
    let cancel = CancelFlag::new();
    cancel_on_interrupt(
        &cancel,
        "stopping the scan; `takeback scan --resume` continues it",
    );
    let mut reporter = Reporter::new(ctx.json);
    let summary = if args.resume {
        let job = jobs::resumable(vault.conn())?
            .ok_or(SearchError::NothingToResume)
            .map_err(|e| Failure::from(takeback_core::Error::from(e)))?;
        eprintln!(
            "Resuming scan {} ({} images already checked).",
            job.id, job.images_checked
        );
        // A stored job keeps no consent: each provider it still has to ask is consented again
        // now (--consent or the terminal), and the network policy is this command's.
        let mut now = scan::ScanPermissions {
            consents: Vec::new(),
            allow_local_network: args.allow_local_network,
        };
        if let Some(photo_id) = job.plan.photo_id {
            for provider in &job.plan.providers {
                if let Some(consent) = ask_consent(
                    ctx, &args, &settings, &scan_ctx, photo_id, *provider, &consented,
                )? {
                    now.consents.push(consent);
                }
            }
        }
        scan::resume(&scan_ctx, job.id, now, &cancel, &mut |p| reporter.show(&p))?
    } else {
        let mut plan = ScanPlan {
            sources: args.sources.clone(),
            providers: providers.clone(),
            allow_local_network: args.allow_local_network,
            ..ScanPlan::default()
        };
        if let Some(path) = &args.image {
            let bytes = crate::photos::read_image(path, &engine)?;
            let photo = scan::register(&vault, &engine, &bytes, args.attest_shows_me, Utc::now())?;
            eprintln!(
                "{} photo {} (later scans also look for copies of it).",
                if photo.created {
                    "Registered"
                } else {
                    "Using registered"
                },
                photo.id
            );
            plan.photo_id = Some(photo.id);
            for provider in &providers {
                if let Some(consent) = ask_consent(
                    ctx, &args, &settings, &scan_ctx, photo.id, *provider, &consented,
                )? {
                    plan.consents.push(consent);
                }
            }
        }
        scan::run(&scan_ctx, &plan, &cancel, &mut |p| reporter.show(&p))?
    };
    reporter.finish();
    print_summary(ctx, &summary)?;
    Ok(if summary.nothing_ran() {
        ExitCode::from(exit::REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Ctrl-C cancels the scan instead of killing the process, so the job ends `cancelled` with
/// its summary printed (a killed process would be resumable too, just less tidy).
pub(crate) fn cancel_on_interrupt(cancel: &CancelFlag, message: &'static str) {
    let cancel = cancel.clone();
    let watcher = std::thread::Builder::new()
        .name("ctrl-c".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            if runtime.block_on(tokio::signal::ctrl_c()).is_ok() {
                eprintln!("\ntakeback: {message}");
                cancel.cancel();
            }
        });
    // Without the watcher Ctrl-C still works: it kills the process and the job stays resumable.
    drop(watcher);
}

/// The consent to send `provider` its preview: given by `--consent`, or asked on a terminal.
#[allow(clippy::too_many_arguments)]
fn ask_consent(
    ctx: &Context,
    args: &ScanArgs,
    settings: &Settings,
    scan_ctx: &ScanContext<'_>,
    photo_id: i64,
    provider: ProviderId,
    consented: &[ProviderId],
) -> Result<Option<Consent>, Failure> {
    let given = consented.contains(&provider);
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !given && !interactive {
        return Ok(None);
    }
    if !accounts::is_enabled(settings, provider) {
        // The scan reports it as skipped; no preview for a provider that cannot run.
        return Ok(None);
    }
    let preview = match scan::preview(
        scan_ctx.vault,
        scan_ctx.engine,
        settings,
        photo_id,
        provider,
        Utc::now(),
    ) {
        Ok(preview) => preview,
        Err(e) => {
            eprintln!("takeback: {provider} cannot be sent this photo: {e}");
            return Ok(None);
        }
    };
    eprintln!(
        "{provider} at {} would receive {} ({}x{} JPEG, {} bytes, SHA-256 {}).\n  Retention: {}",
        preview.destination,
        preview.what_is_sent,
        preview.width,
        preview.height,
        preview.byte_len,
        preview.sha256,
        preview.retention
    );
    if let Some(dir) = &args.preview_dir {
        // Readable by this user only (0600, written atomically), and said plainly: the crop of
        // a face leaves the encrypted vault here.
        let path = dir.join(format!("{}-preview.jpg", provider.name()));
        takeback_core::base::files::write_atomically(&path, preview.bytes(), true)?;
        eprintln!("  The exact bytes are in {}.", path.display());
        eprintln!(
            "  WARNING: that file is NOT encrypted (readable by your user only); delete it when you have looked."
        );
    }
    if !given {
        eprint!("Send it to {provider}? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| Failure {
                code: ErrorCode::Io,
                message: format!("could not read the answer: {e}"),
            })?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Ok(None);
        }
    }
    let actor = if ctx.json {
        "owner (cli --json)"
    } else {
        "owner"
    };
    Ok(Some(scan::record_consent(
        scan_ctx.vault,
        &preview,
        actor,
        Utc::now(),
    )?))
}

fn print_summary(ctx: &Context, summary: &ScanSummary) -> Result<(), Failure> {
    if ctx.json {
        return print_json(summary);
    }
    for problem in &summary.source_problems {
        eprintln!("takeback: {}", problem.reason);
    }
    for run in &summary.providers {
        match run {
            ProviderRun::Ran { provider, candidates, confirmed_on_device, unverified } => println!(
                "{provider}: {candidates} candidate(s), {confirmed_on_device} confirmed on this device, {unverified} unverified"
            ),
            ProviderRun::Skipped { provider, reason, .. } => eprintln!("takeback: {provider} skipped: {reason}"),
            ProviderRun::Failed { provider, reason, .. } => eprintln!("takeback: {provider} failed: {reason} (run `takeback scan --resume` to retry)"),
        }
    }
    println!(
        "Scan {} {}: {} pages, {} images checked, {} hits, {} new finding(s).",
        summary.job_id,
        serde_json::to_value(summary.status)
            .unwrap_or_default()
            .as_str()
            .unwrap_or_default(),
        summary.pages_crawled,
        summary.images_checked,
        summary.hits,
        summary.new_findings.len()
    );
    for finding in &summary.new_findings {
        println!("  {}", super::findings::describe(finding));
    }
    Ok(())
}

/// Progress on stderr: a redrawn line on a terminal, else a line per phase and at most one a
/// second.
pub(crate) struct Reporter {
    terminal: bool,
    last_line: Option<Instant>,
    last_phase: Option<ScanPhase>,
    pause: Option<Duration>,
    last_images: u64,
}

impl Reporter {
    pub(crate) fn new(json: bool) -> Self {
        Self {
            terminal: std::io::stderr().is_terminal() && !json,
            last_line: None,
            last_phase: None,
            pause: std::env::var(PAUSE_ENV)
                .ok()
                .and_then(|v| v.parse().ok())
                .map(Duration::from_millis),
            last_images: 0,
        }
    }

    pub(crate) fn show(&mut self, progress: &ScanProgress) {
        if let Some(notice) = &progress.notice {
            eprintln!("takeback: {notice}");
        }
        if progress.images_checked > self.last_images {
            self.last_images = progress.images_checked;
            if let Some(pause) = self.pause {
                std::thread::sleep(pause);
            }
        }
        let phase = match &progress.phase {
            ScanPhase::Starting => "starting".to_owned(),
            ScanPhase::Site { url, .. } => format!("site {url}"),
            ScanPhase::Folder { path, .. } => format!("folder {path}"),
            ScanPhase::Provider { provider } => format!("asking {provider}"),
            ScanPhase::Recheck {
                provider,
                done,
                total,
            } => format!("checking {provider}'s results {done}/{total}"),
            ScanPhase::Finished { .. } => "done".to_owned(),
        };
        let line = format!(
            "scan {}: {phase} | {} pages, {} images checked, {} hits",
            progress.job_id, progress.pages_crawled, progress.images_checked, progress.hits
        );
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
            return;
        }
        let phase_changed = self.last_phase.as_ref().map(std::mem::discriminant)
            != Some(std::mem::discriminant(&progress.phase));
        let due = self
            .last_line
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if phase_changed || due {
            eprintln!("{line}");
            self.last_line = Some(Instant::now());
            self.last_phase = Some(progress.phase.clone());
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

/// The key store of a scan without remote providers: there are no keys to read.
#[derive(Debug)]
pub(crate) struct NoKeys;

impl takeback_core::storage::secrets::KeyStore for NoKeys {
    fn put(
        &self,
        _: &str,
        _: &takeback_core::storage::secrets::Secret<Vec<u8>>,
    ) -> takeback_core::Result<()> {
        Err(takeback_core::Error::KeyringUnavailable {
            reason: "not opened for this scan".into(),
            source: None,
        })
    }
    fn get(
        &self,
        _: &str,
    ) -> takeback_core::Result<Option<takeback_core::storage::secrets::Secret<Vec<u8>>>> {
        Ok(None)
    }
    fn delete(&self, _: &str) -> takeback_core::Result<()> {
        Ok(())
    }
}
