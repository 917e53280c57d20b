//! `takeback monitor run --once [--force] | status`: the monitor, run by hand or by a timer.
//! One cycle does what is due (sources to revisit, findings to re-check, case deadlines) and
//! records what it found as events (`takeback events`).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use takeback_core::base::cancel::CancelFlag;
use takeback_core::base::clock::SystemClock;
use takeback_core::base::settings::Settings;
use takeback_core::monitor::{
    self, CycleReport, MonitorContext, MonitorProgress, MonitorStatus, RunOptions,
};

use super::Context;
use crate::output::{print_json, Failure};

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Do the monitoring work that is due now (all of it with --force), then stop.
    Run(RunArgs),
    /// What runs next and when.
    Status,
    /// Monitor this profile in the background: a systemd user timer (keyring profiles only).
    Install {
        /// Only write the unit files; do not ask systemd to start the timer.
        #[arg(long)]
        no_enable: bool,
    },
    /// Stop background monitoring of this profile and remove its timer.
    Uninstall {
        /// Only remove the unit files; do not ask systemd to stop the timer.
        #[arg(long)]
        no_enable: bool,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run one cycle and exit (the only mode; a timer calls it repeatedly).
    #[arg(long, required = true)]
    pub once: bool,
    /// Do everything now, due or not.
    #[arg(long)]
    pub force: bool,
    /// Allow crawling and fetching loopback and private network addresses.
    #[arg(long)]
    pub allow_local_network: bool,
}

pub fn run(ctx: &Context, command: MonitorCommand) -> Result<ExitCode, Failure> {
    match command {
        MonitorCommand::Run(args) => run_once(ctx, &args),
        MonitorCommand::Status => status(ctx),
        MonitorCommand::Install { no_enable } => install(ctx, no_enable),
        MonitorCommand::Uninstall { no_enable } => uninstall(ctx, no_enable),
    }
}

fn run_once(ctx: &Context, args: &RunArgs) -> Result<ExitCode, Failure> {
    let engine = crate::photos::load_engine()?;
    let vault = super::profile::open(ctx)?;
    let settings = Settings::load(&ctx.data_dir)?;
    // Keys are read only when a standing consent lets monitoring query a provider.
    let no_keys = super::scan::NoKeys;
    let keyring = if monitor::consent::active(vault.conn(), chrono::Utc::now())?.is_empty() {
        None
    } else {
        takeback_core::storage::secrets::KeyringStore::platform().ok()
    };
    let keys: &dyn takeback_core::storage::secrets::KeyStore = match &keyring {
        Some(k) => k,
        None => &no_keys,
    };
    let cancel = CancelFlag::new();
    super::scan::cancel_on_interrupt(
        &cancel,
        "stopping monitoring; the next `takeback monitor run --once` finishes this cycle",
    );
    let monitor_ctx = MonitorContext {
        vault: &vault,
        engine: &engine,
        keys,
        settings: &settings,
        clock: &SystemClock,
    };
    let options = RunOptions {
        force: args.force,
        allow_local_network: args.allow_local_network,
    };
    // Scan progress on stderr like `takeback scan` (and its test-only pause per image).
    let mut reporter = super::scan::Reporter::new(ctx.json);
    let report = monitor::run_once(&monitor_ctx, options, &cancel, &mut |p| {
        if let MonitorProgress::Scanning { scan } = p {
            reporter.show(&scan);
        }
    })?;
    if ctx.json {
        print_json(&report)?;
    } else {
        print_report(&report);
        notify(&report, &settings);
    }
    Ok(ExitCode::SUCCESS)
}

/// A desktop notification (as the timer's runs are not watched), worded by the core: neutral
/// unless the owner allowed detail, none in quiet hours. Best-effort: Linux notification daemons
/// can fail silently; the events are the record.
fn notify(report: &CycleReport, settings: &Settings) {
    use chrono::Timelike;
    let hour = chrono::Local::now().hour();
    let Some(note) = monitor::notify::for_events(&report.events, settings, hour) else {
        return;
    };
    let shown = notify_rust::Notification::new()
        .appname("Takeback")
        .summary(&note.title)
        .body(&note.body)
        .show();
    if let Err(e) = shown {
        eprintln!("takeback: the desktop notification could not be shown ({e}); `takeback events` lists the updates");
    }
}

fn print_report(report: &CycleReport) {
    if !report.ran {
        println!(
            "{}",
            report.skipped_reason.as_deref().unwrap_or("Nothing ran.")
        );
        return;
    }
    if report.resumed {
        println!("Finished a monitoring cycle that was interrupted.");
    }
    println!(
        "Visited {} source(s), re-checked {} finding(s), looked at {} open case(s).",
        report.sources_visited.len(),
        report.findings_rechecked,
        report.cases_checked
    );
    for problem in &report.source_problems {
        println!(
            "Source {} could not be scanned: {}",
            problem.source_id, problem.reason
        );
    }
    if report.events.is_empty() {
        println!("Nothing new.");
    }
    for event in &report.events {
        println!("{}", super::events::describe(event));
    }
}

fn status(ctx: &Context) -> Result<ExitCode, Failure> {
    let vault = super::profile::open(ctx)?;
    let status = monitor::status(&vault, chrono::Utc::now())?;
    if ctx.json {
        print_json(&status)?;
    } else {
        print_status(&status);
    }
    Ok(ExitCode::SUCCESS)
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    match t {
        Some(t) if t > chrono::Utc::now() => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        _ => "now".to_owned(),
    }
}

fn print_status(status: &MonitorStatus) {
    if status.running {
        println!("A monitoring cycle is running now.");
    }
    match &status.last_cycle {
        Some(c) => println!(
            "Last cycle: {} ({}).",
            c.started_at.format("%Y-%m-%d %H:%M UTC"),
            serde_json::to_value(c.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
        None => println!("Monitoring has not run yet."),
    }
    println!("Next due: {}.", when(status.next_due));
    for s in &status.sources {
        let failures = if s.failures > 0 {
            format!(", {} failed visit(s) in a row", s.failures)
        } else {
            String::new()
        };
        println!(
            "  source {:>3}: every {}, next {}{failures}",
            s.source_id,
            s.every,
            when(s.next_due)
        );
    }
    println!(
        "  confirmed findings: {} re-checked every {}, next {}",
        status.recheck.findings,
        status.recheck.every,
        if status.recheck.due_now > 0 {
            "now".to_owned()
        } else {
            when(status.recheck.next_due)
        }
    );
    println!(
        "  removed findings: {} watched every {} for {} days, next {}",
        status.removed_watch.findings,
        status.removed_watch.every,
        status.removed_watch_days,
        if status.removed_watch.due_now > 0 {
            "now".to_owned()
        } else {
            when(status.removed_watch.next_due)
        }
    );
    for c in &status.cases {
        println!("  case {:>3}: deadline {}", c.case_id, when(c.due));
    }
    println!("Unread events: {}.", status.unread_events);
}

/// `systemctl --user ARGS`, reporting what failed in words.
fn systemctl(args: &[&str]) -> Result<(), Failure> {
    let out = std::process::Command::new("systemctl")
        .arg("--user")
        .args(args)
        .output()
        .map_err(|e| Failure {
            code: takeback_core::ErrorCode::Io,
            message: format!("systemctl could not be run ({e}); is this a systemd session?"),
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Failure {
            code: takeback_core::ErrorCode::Io,
            message: format!(
                "`systemctl --user {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        })
    }
}

fn install(ctx: &Context, no_enable: bool) -> Result<ExitCode, Failure> {
    let profile = takeback_core::storage::vault::Profiles::new(&ctx.data_dir).find(&ctx.profile)?;
    let binary = std::env::current_exe().map_err(|e| Failure {
        code: takeback_core::ErrorCode::Io,
        message: format!("the path of this program could not be found ({e})"),
    })?;
    let spec = monitor::systemd::TimerSpec {
        profile: &profile,
        binary: &binary,
        data_dir: ctx.data_dir.root(),
    };
    let installed = monitor::systemd::install(&monitor::systemd::user_unit_dir()?, &spec)?;
    if !no_enable {
        systemctl(&["daemon-reload"])?;
        systemctl(&["enable", "--now", &installed.timer_unit])?;
    }
    if ctx.json {
        print_json(&installed)?;
    } else {
        println!(
            "Background monitoring {} for profile `{}`: {} runs `takeback monitor run --once` every 15 minutes at low priority.",
            if no_enable { "written (start it with `systemctl --user enable --now` on the timer)" } else { "is on" },
            profile.name,
            installed.timer_unit
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn uninstall(ctx: &Context, no_enable: bool) -> Result<ExitCode, Failure> {
    let profile = takeback_core::storage::vault::Profiles::new(&ctx.data_dir).find(&ctx.profile)?;
    let dir = monitor::systemd::user_unit_dir()?;
    if !no_enable {
        let timer = monitor::systemd::units(&monitor::systemd::TimerSpec {
            profile: &profile,
            binary: std::path::Path::new("takeback"),
            data_dir: ctx.data_dir.root(),
        })
        .map(|u| format!("{}.timer", u.name));
        if let Ok(timer) = timer {
            // Already stopped or never started: nothing to stop.
            let _ = systemctl(&["disable", "--now", &timer]);
        }
    }
    let removed = monitor::systemd::uninstall(&dir, &profile)?;
    if !no_enable && !removed.is_empty() {
        systemctl(&["daemon-reload"])?;
    }
    if ctx.json {
        print_json(&serde_json::json!({ "removed": removed }))?;
    } else if removed.is_empty() {
        println!("Profile `{}` had no background monitoring.", profile.name);
    } else {
        println!(
            "Background monitoring of profile `{}` is off.",
            profile.name
        );
    }
    Ok(ExitCode::SUCCESS)
}
