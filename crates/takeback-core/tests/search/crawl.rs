//! The site crawler against the loopback fake web.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use takeback_core::search::crawl::{
    crawl_site, CandidateImage, CrawlError, CrawlLimits, CrawlReport,
};
use takeback_testkit::fakeweb::FakeWeb;

use super::stub_site::{Reply, StubSite};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

fn limits() -> CrawlLimits {
    CrawlLimits {
        max_depth: 3,
        allow_local_network: true,
        per_host_interval: Duration::ZERO,
        request_timeout: Duration::from_secs(2),
        max_page_bytes: 1024 * 1024,
        max_image_bytes: 4 * 1024 * 1024,
        max_total_bytes: 64 * 1024 * 1024,
        ..CrawlLimits::default()
    }
}

/// Crawls `start`, collecting every image through a small channel (as the matcher would).
async fn crawl(
    start: &str,
    limits: CrawlLimits,
) -> (Result<CrawlReport, CrawlError>, Vec<CandidateImage>) {
    let (sender, mut receiver) = mpsc::channel(4);
    let collector = tokio::spawn(async move {
        let mut images = Vec::new();
        while let Some(image) = receiver.recv().await {
            images.push(image);
        }
        images
    });
    let cancel = CancellationToken::new();
    let report = crawl_site(Url::parse(start).unwrap(), limits, sender, &cancel).await;
    (report, collector.await.unwrap())
}

fn paths(images: &[CandidateImage]) -> HashSet<String> {
    images
        .iter()
        .map(|i| i.image_url.path().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawls_the_whole_fake_web_and_survives_its_hostile_pages() {
    let web = FakeWeb::start(&super::faces_dir());
    let started = Instant::now();
    let (report, images) = crawl(&web.root(), limits()).await;
    let report = report.unwrap();
    let elapsed = started.elapsed();

    // Every photo on the ordinary pages arrives, with its bytes and the page it was on.
    let found = paths(&images);
    for path in FakeWeb::image_paths() {
        assert!(found.contains(&path), "missing {path}; report {report:#?}");
    }
    for image in &images {
        assert!(
            image::load_from_memory(&image.bytes).is_ok(),
            "{:?} does not decode",
            image.image_url.path()
        );
        assert!(image.page_url.as_str().starts_with(&web.root()));
    }
    // srcset, picture/source, og:image and a linked file all count: 5 photos per person page.
    let amy = images
        .iter()
        .filter(|i| i.page_url.path() == "/people/amy.html")
        .count();
    assert_eq!(amy, 5);
    // Broken HTML still yields its images.
    assert!(found.contains("/img/faceapi/angry.jpg") && found.contains("/img/faceapi/fearful.jpg"));
    // Depth 3: deep/1..3 are crawled, deep/4 is not.
    assert_eq!(web.hits("/deep/3.html"), 1);
    assert_eq!(web.hits("/deep/4.html"), 0);
    // Each image URL is fetched once.
    assert_eq!(web.hits("/img/faceapi/amy/amy1.png"), 1);

    // robots.txt: read once, and /private/ never touched.
    assert_eq!(web.hits("/robots.txt"), 1);
    assert_eq!(web.hits("/private/hidden.html"), 0);
    assert_eq!(web.hits("/img/faceapi/happy.jpg"), 0);
    assert!(report.skipped_robots >= 1);

    // Hostile pages: bounded.
    let redirects = web
        .server()
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/hostile/redirect/"))
        .count();
    assert_eq!(redirects, 6, "the first request and 5 redirects");
    assert!(report.skipped_too_many_redirects >= 1);
    assert!(
        report.skipped_too_large >= 2,
        "huge page and huge image: {report:#?}"
    );
    assert!(report.skipped_timeout >= 1, "the slow page");
    assert!(
        report.skipped_not_an_image >= 1,
        "HTML as JPEG: {report:#?}"
    );
    assert!(report.skipped_http_status >= 1, "the missing image");
    assert!(report.skipped_off_site >= 1);
    // A PNG served as text/plain is sniffed and used (issue 15 item 9); nothing else there is.
    assert!(found.contains("/hostile/mislabelled.png"), "{found:?}");
    assert!(!found
        .iter()
        .any(|p| p.starts_with("/hostile/") && p != "/hostile/mislabelled.png"));
    assert!(
        report.bytes_read < 40 * 1024 * 1024,
        "huge bodies were cut off: {} bytes",
        report.bytes_read
    );
    assert!(
        elapsed < Duration::from_secs(15),
        "slow pages did not stall the crawl: {elapsed:?}"
    );
    assert_eq!(report.images_sent as usize, images.len());
    assert!(!report.cancelled);
}

#[tokio::test]
async fn loopback_is_refused_unless_allowed() {
    let web = FakeWeb::start(&super::faces_dir());
    let strict = CrawlLimits {
        allow_local_network: false,
        ..limits()
    };
    let (report, images) = crawl(&web.root(), strict.clone()).await;
    assert!(
        matches!(report, Err(CrawlError::LocalNetworkRefused { .. })),
        "{report:?}"
    );
    assert!(images.is_empty());

    // A host name that resolves to loopback is refused on its resolved address.
    let by_name = format!("http://localhost:{}/", web.server().addr().port());
    let (report, _) = crawl(&by_name, strict).await;
    let error = report.unwrap_err();
    assert!(
        matches!(error, CrawlError::LocalNetworkRefused { .. }),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .contains("unless the local network is allowed"));
    assert!(web.server().requests().is_empty(), "nothing was fetched");
}

#[tokio::test]
async fn page_and_depth_limits_hold() {
    let web = FakeWeb::start(&super::faces_dir());
    let (report, _) = crawl(
        &web.root(),
        CrawlLimits {
            max_pages: 3,
            ..limits()
        },
    )
    .await;
    let report = report.unwrap();
    assert_eq!(report.pages_fetched, 3);
    assert!(report.limit_reached);

    let web = FakeWeb::start(&super::faces_dir());
    let (report, images) = crawl(
        &web.url("/group.html"),
        CrawlLimits {
            max_depth: 0,
            ..limits()
        },
    )
    .await;
    assert_eq!(report.unwrap().pages_fetched, 1);
    assert_eq!(images.len(), 5);

    let web = FakeWeb::start(&super::faces_dir());
    let (report, images) = crawl(
        &web.root(),
        CrawlLimits {
            max_images: 7,
            ..limits()
        },
    )
    .await;
    assert!(report.unwrap().limit_reached);
    assert!(images.len() <= 7);
}

#[tokio::test]
async fn requests_to_one_host_are_paced() {
    let web = FakeWeb::start(&super::faces_dir());
    let paced = CrawlLimits {
        max_depth: 0,
        per_host_interval: Duration::from_millis(100),
        ..limits()
    };
    let started = Instant::now();
    let (report, images) = crawl(&web.url("/group.html"), paced).await;
    report.unwrap();
    assert_eq!(images.len(), 5);
    // robots.txt, the page and five images: six gaps of at least 100 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn cancelling_stops_the_crawl() {
    let web = FakeWeb::start(&super::faces_dir());
    let (sender, mut receiver) = mpsc::channel(1);
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    let consumer = tokio::spawn(async move {
        let first = receiver.recv().await;
        canceller.cancel();
        // Keep the receiver alive, so the stop comes from the token.
        tokio::time::sleep(Duration::from_millis(200)).await;
        first.is_some()
    });
    let started = Instant::now();
    let report = crawl_site(Url::parse(&web.root()).unwrap(), limits(), sender, &cancel)
        .await
        .unwrap();
    assert!(report.cancelled);
    assert!(report.images_sent <= 2, "{report:#?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(consumer.await.unwrap());
}

#[tokio::test]
async fn a_missing_start_page_is_an_error() {
    let web = FakeWeb::start(&super::faces_dir());
    let (report, _) = crawl(&web.url("/nothing-here.html"), limits()).await;
    assert!(
        matches!(report, Err(CrawlError::StartPageFailed { .. })),
        "{report:?}"
    );
}

/// A page at `/` on `site` showing `images` (paths on the same site).
fn gallery(site: &StubSite, images: &[String]) {
    let tags: String = images
        .iter()
        .map(|p| format!("<img src=\"{p}\">"))
        .collect();
    site.set(
        "/",
        Reply::Body {
            content_type: "text/html",
            body: format!("<html><body>{tags}</body></html>").into_bytes(),
        },
    );
}

fn a_photo() -> Vec<u8> {
    std::fs::read(super::faces_dir().join("faceapi/angry.jpg")).unwrap()
}

/// Issue 15 item 9: an image served as `text/plain` was skipped unread; the bytes decide.
#[tokio::test]
async fn an_image_labelled_as_text_is_sniffed_not_skipped() {
    let site = StubSite::start();
    gallery(&site, &["/photo.jpg".to_owned(), "/notes.jpg".to_owned()]);
    site.set(
        "/photo.jpg",
        Reply::Body {
            content_type: "text/plain",
            body: a_photo(),
        },
    );
    site.set(
        "/notes.jpg",
        Reply::Body {
            content_type: "text/plain",
            body: b"just words".to_vec(),
        },
    );
    let (report, images) = crawl(&site.url("/"), limits()).await;
    let report = report.unwrap();
    assert_eq!(paths(&images), HashSet::from(["/photo.jpg".to_owned()]));
    assert_eq!(report.skipped_not_an_image, 1, "{report:#?}");
}

/// Issue 15 item 9: a server that asks to be left alone for a day (`Retry-After: 86400`) got 50
/// more requests. The crawler stops asking that host.
#[tokio::test]
async fn a_huge_retry_after_stops_the_site() {
    let site = StubSite::start();
    let images: Vec<String> = (0..50).map(|i| format!("/i{i}.jpg")).collect();
    gallery(&site, &images);
    for path in &images {
        site.set(
            path,
            Reply::Throttle {
                status: 429,
                retry_after: "86400",
            },
        );
    }
    let started = Instant::now();
    let (report, found) = crawl(&site.url("/"), limits()).await;
    let report = report.unwrap();
    assert!(found.is_empty());
    let asked: usize = images.iter().map(|p| site.hits(p)).sum();
    assert_eq!(asked, 1, "one refusal is enough: {report:#?}");
    assert!(
        report.limit_reached,
        "the site was not finished: {report:#?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A short `Retry-After` is waited out, then the image is fetched.
#[tokio::test]
async fn a_short_retry_after_is_waited_out() {
    let site = StubSite::start();
    gallery(&site, &["/busy.jpg".to_owned(), "/later.jpg".to_owned()]);
    site.set(
        "/busy.jpg",
        Reply::Throttle {
            status: 503,
            retry_after: "1",
        },
    );
    site.set(
        "/later.jpg",
        Reply::Body {
            content_type: "image/jpeg",
            body: a_photo(),
        },
    );
    let started = Instant::now();
    let (report, found) = crawl(&site.url("/"), limits()).await;
    report.unwrap();
    assert_eq!(paths(&found), HashSet::from(["/later.jpg".to_owned()]));
    assert!(started.elapsed() >= Duration::from_secs(1), "waited");
}

/// Issue 15 item 9: eight slow images took 240 s, each within its own timeout. A site has a
/// time budget for the whole visit.
#[tokio::test]
async fn a_slow_site_ends_within_its_time_budget() {
    let site = StubSite::start();
    let images: Vec<String> = (0..8).map(|i| format!("/slow{i}.jpg")).collect();
    gallery(&site, &images);
    for path in &images {
        site.set(path, Reply::Slow(Duration::from_secs(3)));
    }
    let budget = CrawlLimits {
        request_timeout: Duration::from_secs(30),
        max_site_duration: Duration::from_secs(2),
        ..limits()
    };
    let started = Instant::now();
    let (report, _) = crawl(&site.url("/"), budget).await;
    let report = report.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert!(report.limit_reached, "{report:#?}");
}
