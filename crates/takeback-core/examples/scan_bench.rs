//! A whole scan job on the loopback fake web's gallery: 100 pages, 2,000 images, each one run
//! through the face engine and PDQ and recorded in a real encrypted vault, exactly as
//! `takeback scan` does (`scan::run`).
//!
//! Run: `cargo run -p takeback-core --example scan_bench` (dependencies and the face engine are
//! optimised even in the dev profile; add `--release` for a release build). `SCAN_BENCH_PAGES=N`
//! crawls only N gallery pages (20 images each), to compare peak memory across site sizes.
//! Prints pages/s, images/s, hits and the process's peak resident memory.

use std::time::Instant;

use chrono::Utc;
use takeback_core::base::cancel::CancelFlag;
use takeback_core::base::clock::SystemClock;
use takeback_core::base::paths::DataDir;
use takeback_core::base::settings::Settings;
use takeback_core::face::enrollment::{self, Attestation, Consent};
use takeback_core::search::scan::{self, ScanContext, ScanPlan};
use takeback_core::search::sources::{self, SiteLimits};
use takeback_core::storage::secrets::{KeyringStore, Secret};
use takeback_core::storage::vault::{KdfParams, Profiles};
use takeback_faces::FaceEngine;
use takeback_testkit::fakeweb::FakeWeb;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let faces = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces");
    let web = FakeWeb::start(&faces);
    let tmp = tempfile::tempdir()?;
    let profiles = Profiles::new(&DataDir::at(tmp.path().join("data")));
    let pass = Secret::new("benchmark passphrase".to_owned());
    let vault =
        profiles.create_clinic("bench", &pass, KdfParams::INSECURE_FOR_TESTS, Utc::now())?;
    let engine = FaceEngine::load()?;
    let photos = [
        std::fs::read(faces.join("facerec/obama.jpg"))?,
        std::fs::read(faces.join("facerec/obama3.jpg"))?,
    ];
    let photos: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    let consent = Consent {
        attestation: Attestation::Owner,
        method: "benchmark".into(),
    };
    enrollment::enroll(&vault, &engine, &photos, &consent, Utc::now(), &mut |_| {})?;
    // The index page plus N gallery pages.
    let gallery_pages: u32 = std::env::var("SCAN_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let limits = SiteLimits {
        max_depth: Some(1),
        max_pages: Some(gallery_pages + 1),
        interval_ms: Some(0),
    };
    sources::add_site(
        &vault,
        &web.url("/gallery/index.html"),
        limits,
        None,
        Utc::now(),
    )?;

    let keys = KeyringStore::new(keyring_core::mock::Store::new()?);
    let settings = Settings::default();
    let ctx = ScanContext {
        vault: &vault,
        engine: &engine,
        keys: &keys,
        settings: &settings,
        clock: &SystemClock,
    };
    let plan = ScanPlan {
        allow_local_network: true,
        ..ScanPlan::default()
    };
    let started = Instant::now();
    let mut last_report = Instant::now();
    let summary = scan::run(&ctx, &plan, &CancelFlag::new(), &mut |p| {
        if last_report.elapsed().as_secs() >= 30 {
            last_report = Instant::now();
            eprintln!(
                "{:>6.0} s: {} pages, {} images checked",
                started.elapsed().as_secs_f64(),
                p.pages_crawled,
                p.images_checked
            );
        }
    })?;
    let seconds = started.elapsed().as_secs_f64();
    println!("status:         {:?}", summary.status);
    println!("pages crawled:  {}", summary.pages_crawled);
    println!("images checked: {}", summary.images_checked);
    println!(
        "hits:           {} ({} findings)",
        summary.hits,
        summary.new_findings.len()
    );
    println!("time:           {seconds:.1} s");
    println!(
        "pages/s:        {:.2}",
        summary.pages_crawled as f64 / seconds
    );
    println!(
        "images/s:       {:.2}",
        summary.images_checked as f64 / seconds
    );
    println!(
        "peak RSS:       {}",
        peak_rss().unwrap_or_else(|| "unknown".into())
    );
    Ok(())
}

/// `VmHWM` from /proc (Linux): the most resident memory the process ever had.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .map(|value| value.trim().to_owned())
}
