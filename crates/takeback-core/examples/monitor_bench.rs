//! What a monitoring cycle costs on an unchanged site, against the first visit: a loopback site
//! of 100 pages with one photo each (plus its index), watched by a real encrypted vault with
//! the face engine, exactly as `takeback monitor run --once --force` does (`monitor::run_once`).
//!
//! Run: `cargo run -p takeback-core --example monitor_bench` (dependencies and the face engine
//! are optimised even in the dev profile). `MONITOR_BENCH_PAGES=N` changes the site's size;
//! `MONITOR_BENCH_SITEMAP=1` gives the site a sitemap (named in robots.txt) dating every page
//! before the first visit, so the repeat visit asks for no page at all.
//! Prints the wall time and the body bytes the site sent for the first visit and for a cycle
//! over the unchanged site, and their ratio.

use std::time::Instant;

use chrono::Utc;
use takeback_core::base::cancel::CancelFlag;
use takeback_core::base::clock::SystemClock;
use takeback_core::base::paths::DataDir;
use takeback_core::base::settings::Settings;
use takeback_core::face::enrollment::{self, Attestation, Consent};
use takeback_core::monitor::{self, MonitorContext, RunOptions};
use takeback_core::search::sources::{self, SiteLimits};
use takeback_core::storage::secrets::{KeyringStore, Secret};
use takeback_core::storage::vault::{KdfParams, Profiles};
use takeback_faces::FaceEngine;
use takeback_testkit::livesite::LiveSite;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let faces = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces");
    let pages: u32 = std::env::var("MONITOR_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let mut photos = Vec::new();
    for person in ["amy", "bernadette", "howard", "leonard", "penny"] {
        for i in 1..=4 {
            photos.push(std::fs::read(
                faces.join(format!("faceapi/{person}/{person}{i}.png")),
            )?);
        }
    }
    let site = LiveSite::start();
    site.put_gallery(pages, &photos);
    let with_sitemap = std::env::var("MONITOR_BENCH_SITEMAP").is_ok_and(|v| v == "1");
    if with_sitemap {
        let urls: String = (1..=pages)
            .map(|n| {
                let loc = site.url(&format!("/gallery/{n}.html"));
                format!("<url><loc>{loc}</loc><lastmod>2026-01-01</lastmod></url>")
            })
            .collect();
        site.put_page(
            "/sitemap.xml",
            &format!("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>"),
        );
        site.put_page(
            "/robots.txt",
            &format!(
                "User-agent: *\nAllow: /\nSitemap: {}\n",
                site.url("/sitemap.xml")
            ),
        );
    }

    let tmp = tempfile::tempdir()?;
    let profiles = Profiles::new(&DataDir::at(tmp.path().join("data")));
    let pass = Secret::new("benchmark passphrase".to_owned());
    let vault =
        profiles.create_clinic("bench", &pass, KdfParams::INSECURE_FOR_TESTS, Utc::now())?;
    let engine = FaceEngine::load()?;
    let owner = [
        std::fs::read(faces.join("facerec/obama.jpg"))?,
        std::fs::read(faces.join("facerec/obama3.jpg"))?,
    ];
    let owner: Vec<&[u8]> = owner.iter().map(Vec::as_slice).collect();
    let consent = Consent {
        attestation: Attestation::Owner,
        method: "benchmark".into(),
    };
    enrollment::enroll(&vault, &engine, &owner, &consent, Utc::now(), &mut |_| {})?;
    let limits = SiteLimits {
        max_depth: Some(1),
        max_pages: Some(pages + 1),
        interval_ms: Some(0),
    };
    sources::add_site(&vault, &site.root(), limits, None, Utc::now())?;

    let settings = Settings::default();
    // No provider is queried (no standing consent): an in-memory key store is enough.
    let keys = KeyringStore::new(keyring_core::mock::Store::new()?);
    let ctx = MonitorContext {
        vault: &vault,
        engine: &engine,
        keys: &keys,
        settings: &settings,
        clock: &SystemClock,
    };
    let options = RunOptions {
        force: true,
        allow_local_network: true,
    };
    let cycle = || -> Result<(f64, u64), Box<dyn std::error::Error>> {
        let before = site.body_bytes_sent();
        let started = Instant::now();
        let report = monitor::run_once(&ctx, options, &CancelFlag::new(), &mut |_| {})?;
        let seconds = started.elapsed().as_secs_f64();
        if report.sources_visited.len() != 1 {
            return Err(format!("the site was not visited: {:?}", report.source_problems).into());
        }
        Ok((seconds, site.body_bytes_sent() - before))
    };
    let (first_s, first_b) = cycle()?;
    let requests_before = site.requests().len();
    let (again_s, again_b) = cycle()?;
    let again_requests = site.requests().len() - requests_before;
    let sitemap = if with_sitemap { ", a sitemap" } else { "" };
    println!("site: {pages} pages + index, {pages} photos{sitemap}");
    println!("unchanged cycle's requests: {again_requests}");
    println!("first visit:       {first_s:8.3} s  {first_b:>10} bytes");
    println!("unchanged cycle:   {again_s:8.3} s  {again_b:>10} bytes");
    println!(
        "ratio:             {:7.2} %  {:9.4} %",
        100.0 * again_s / first_s,
        100.0 * again_b as f64 / first_b.max(1) as f64
    );
    Ok(())
}
