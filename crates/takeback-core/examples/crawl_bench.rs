//! Crawler throughput on the loopback fake web: 100 gallery pages, 2,000 images, each image
//! decoded and PDQ-hashed as the local matcher will (the face engine is not in this loop yet).
//!
//! Run: `cargo run --release -p takeback-core --example crawl_bench`
//! Prints pages/s, images/s and the process's peak resident memory.

use std::time::{Duration, Instant};

use takeback_core::crawl::{crawl_site, CandidateImage, CrawlLimits};
use takeback_core::pdq::pdq_hash;
use takeback_testkit::fakeweb::FakeWeb;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let faces = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces");
    let web = FakeWeb::start(&faces);
    let limits = CrawlLimits {
        max_depth: 1,
        max_pages: 500,
        max_images: 10_000,
        per_host_interval: Duration::ZERO,
        allow_local_network: true,
        ..CrawlLimits::default()
    };
    // A small queue: the crawler waits for the matcher, so memory stays flat.
    let (sender, mut receiver) = mpsc::channel::<CandidateImage>(8);
    let matcher = tokio::spawn(async move {
        let mut hashed = 0u32;
        while let Some(candidate) = receiver.recv().await {
            let digest = tokio::task::spawn_blocking(move || {
                image::load_from_memory(&candidate.bytes)
                    .ok()
                    .and_then(|image| pdq_hash(&image))
            })
            .await
            .ok()
            .flatten();
            hashed += u32::from(digest.is_some());
        }
        hashed
    });
    let started = Instant::now();
    let start = url::Url::parse(&web.url("/gallery/index.html"))?;
    let report = crawl_site(start, limits, sender, &CancellationToken::new()).await?;
    let hashed = matcher.await?;
    let seconds = started.elapsed().as_secs_f64();
    println!("pages fetched:  {}", report.pages_fetched);
    println!(
        "images sent:    {} (decoded and PDQ-hashed: {hashed})",
        report.images_sent
    );
    println!(
        "bytes read:     {:.1} MiB",
        report.bytes_read as f64 / 1048576.0
    );
    println!("time:           {seconds:.2} s");
    println!(
        "pages/s:        {:.1}",
        f64::from(report.pages_fetched) / seconds
    );
    println!(
        "images/s:       {:.1}",
        f64::from(report.images_sent) / seconds
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
