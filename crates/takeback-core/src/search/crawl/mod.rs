//! Site watch: crawl a site the owner listed and hand every image found to the matcher.
//!
//! Nothing is uploaded: pages and images are fetched and checked on the device. The crawl is
//! bounded in every direction (depth, pages, images, bytes per page, per image and in all, time
//! per request, redirects, per-host pacing), follows robots.txt, stays on the site for pages
//! (images may come from a CDN), and refuses loopback and private addresses unless the owner
//! allows the local network (checked on the resolved address, see [`address`]).
//!
//! Images are streamed to the caller through a bounded channel, so memory stays bounded however
//! large the site: the crawler waits while the matcher is busy.

pub mod address;
pub mod extract;
pub(crate) mod fetch;
pub mod memory;
pub mod robots;
pub mod sitemap;

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::ErrorCode;
pub use fetch::Validators;
use fetch::{Conditional, Fetcher, Want};
pub use memory::{CrawlMemory, ImageMemo, PageMemo};

/// The bounds of one crawl.
#[derive(Debug, Clone)]
pub struct CrawlLimits {
    /// Links followed from the start page: 0 = the start page only.
    pub max_depth: u32,
    pub max_pages: u32,
    pub max_images: u32,
    pub max_page_bytes: usize,
    pub max_image_bytes: usize,
    /// All bodies together.
    pub max_total_bytes: u64,
    /// Links and images taken from one page.
    pub max_links_per_page: usize,
    /// At least this long between two requests to one host.
    pub per_host_interval: Duration,
    pub connect_timeout: Duration,
    /// One request, body included.
    pub request_timeout: Duration,
    /// The whole visit of one site: requests, bodies and waits together. Slow answers each
    /// within `request_timeout` must not add up to hours.
    pub max_site_duration: Duration,
    pub max_redirects: u8,
    /// Allow loopback and private addresses (`--allow-local-network`; tests and intranets).
    pub allow_local_network: bool,
    /// What requests call themselves: the honest `TakebackBot` for crawling (robots.txt rules
    /// name it); [`GENERIC_USER_AGENT`] for single-address fetches.
    ///
    /// [`GENERIC_USER_AGENT`]: crate::base::network::GENERIC_USER_AGENT
    pub user_agent: String,
    /// The owner's SOCKS5 proxy (the `network.proxy` setting), if any.
    pub proxy: Option<url::Url>,
}

impl Default for CrawlLimits {
    fn default() -> Self {
        Self {
            max_depth: 2,
            max_pages: 200,
            max_images: 2_000,
            max_page_bytes: 2 * 1024 * 1024,
            max_image_bytes: 15 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_links_per_page: 1_000,
            per_host_interval: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_site_duration: Duration::from_secs(30 * 60),
            max_redirects: 5,
            allow_local_network: false,
            user_agent: format!(
                "{}/{} (+https://github.com/takeback-app/takeback)",
                robots::ROBOTS_AGENT,
                env!("CARGO_PKG_VERSION")
            ),
            proxy: None,
        }
    }
}

/// An image found on the site, with its bytes, for the matcher.
#[derive(Clone)]
pub struct CandidateImage {
    pub image_url: Url,
    pub page_url: Url,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

// URLs of possible findings and image bytes stay out of logs.
impl fmt::Debug for CandidateImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CandidateImage")
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish_non_exhaustive()
    }
}

/// Why a page or image was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Robots,
    OffSite,
    LocalNetwork,
    TooManyRedirects,
    TooLarge,
    NotHtml,
    NotAnImage,
    HttpStatus(u16),
    Timeout,
    Network,
    Unsupported,
    BudgetExhausted,
    /// The server asked to be left alone (429 or 503 with a `Retry-After` longer than the
    /// crawler waits): nothing more is asked of that host in this visit.
    RateLimited,
    Cancelled,
}

/// Counts of what a crawl did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrawlReport {
    pub pages_fetched: u32,
    /// Pages the server said were unchanged (304): their remembered links were used.
    pub pages_not_modified: u32,
    /// Pages not asked for at all: the site's sitemap dates them before our last fetch, so
    /// their remembered links were used (counted in `pages_fetched` too, like a 304).
    pub pages_unchanged_by_sitemap: u32,
    /// Images not checked again: unchanged (304) or the same bytes as last time.
    pub images_unchanged: u32,
    pub images_found: u32,
    pub images_sent: u32,
    pub bytes_read: u64,
    pub skipped_robots: u32,
    pub skipped_off_site: u32,
    pub skipped_local_network: u32,
    pub skipped_too_many_redirects: u32,
    pub skipped_too_large: u32,
    pub skipped_not_html: u32,
    pub skipped_not_an_image: u32,
    pub skipped_http_status: u32,
    pub skipped_timeout: u32,
    pub skipped_network: u32,
    /// A limit (pages, images, bytes) ended the crawl before the site did.
    pub limit_reached: bool,
    pub cancelled: bool,
}

impl CrawlReport {
    fn count_skip(&mut self, reason: SkipReason) {
        match reason {
            SkipReason::Robots => self.skipped_robots += 1,
            SkipReason::OffSite => self.skipped_off_site += 1,
            SkipReason::LocalNetwork => self.skipped_local_network += 1,
            SkipReason::TooManyRedirects => self.skipped_too_many_redirects += 1,
            SkipReason::TooLarge => self.skipped_too_large += 1,
            SkipReason::NotHtml => self.skipped_not_html += 1,
            SkipReason::NotAnImage => self.skipped_not_an_image += 1,
            SkipReason::HttpStatus(_) => self.skipped_http_status += 1,
            SkipReason::Timeout => self.skipped_timeout += 1,
            SkipReason::Network | SkipReason::Unsupported => self.skipped_network += 1,
            SkipReason::BudgetExhausted | SkipReason::RateLimited => self.limit_reached = true,
            SkipReason::Cancelled => self.cancelled = true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("\"{value}\" is not a site address Takeback can look through: {reason}")]
    InvalidStartUrl { value: String, reason: &'static str },

    #[error("{host} is on this computer or a private network; Takeback does not look through it unless the local network is allowed")]
    LocalNetworkRefused { host: String },

    #[error("the site's first page could not be fetched ({reason:?}); check the address")]
    StartPageFailed { reason: SkipReason },

    #[error("the crawler's HTTP client could not be set up ({reason})")]
    ClientSetup { reason: String },
}

impl CrawlError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CrawlError::InvalidStartUrl { .. } => ErrorCode::InvalidInput,
            CrawlError::LocalNetworkRefused { .. } => ErrorCode::Refused,
            CrawlError::StartPageFailed { .. } => ErrorCode::External,
            CrawlError::ClientSetup { .. } => ErrorCode::Internal,
        }
    }
}

crate::layer_error!(CrawlError);

/// A typed address without a scheme (`forum.example.com/gallery`) is a web site: people type
/// what they see in the address bar, which hides `https://`. An address that names its own
/// scheme (`ftp://…`, `mailto:…`) keeps it, so it is refused for what it is.
fn with_scheme(value: &str) -> std::borrow::Cow<'_, str> {
    let has_scheme = value.contains("://") || value.starts_with("mailto:");
    if has_scheme || value.is_empty() {
        value.into()
    } else {
        format!("https://{value}").into()
    }
}

/// Checks a site address the owner typed; a bare domain is taken as `https://`.
pub fn parse_start_url(value: &str) -> Result<Url, CrawlError> {
    let invalid = |reason| CrawlError::InvalidStartUrl {
        value: value.chars().take(200).collect(),
        reason,
    };
    let url = Url::parse(&with_scheme(value.trim()))
        .map_err(|_| invalid("it is not a web address such as forum.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("only http and https sites can be crawled"));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not carry a user name or password"));
    }
    Ok(url)
}

/// Live counts of a crawl under way, for progress bars (the final counts are in [`CrawlReport`]).
#[derive(Debug, Default)]
pub struct CrawlCounters {
    pub pages_fetched: AtomicU32,
}

/// Crawls the site at `start` within `limits`, sending each image found to `images`. Returns
/// when the site, a limit or `cancel` ends the crawl, or when the receiver is dropped.
pub async fn crawl_site(
    start: Url,
    limits: CrawlLimits,
    images: mpsc::Sender<CandidateImage>,
    cancel: &CancellationToken,
) -> Result<CrawlReport, CrawlError> {
    crawl_site_counted(
        start,
        limits,
        images,
        cancel,
        &CrawlCounters::default(),
        &|_| false,
    )
    .await
}

/// [`crawl_site`], updating `counters` as pages arrive, and not downloading images for which
/// `already_checked` is true (a resumed scan job passes the images it checked before).
pub async fn crawl_site_counted(
    start: Url,
    limits: CrawlLimits,
    images: mpsc::Sender<CandidateImage>,
    cancel: &CancellationToken,
    counters: &CrawlCounters,
    already_checked: &(dyn Fn(&Url) -> bool + Sync),
) -> Result<CrawlReport, CrawlError> {
    let visit = Visit {
        counters,
        already_checked,
        memory: &CrawlMemory::default(),
        // Nothing is remembered from this visit, so its time is never read.
        now: DateTime::<Utc>::MIN_UTC,
    };
    crawl_site_remembering(start, limits, images, cancel, &visit)
        .await
        .map(|(report, _)| report)
}

/// What a crawl is given besides the site and its limits.
pub struct Visit<'a> {
    /// Updated as pages arrive (progress bars).
    pub counters: &'a CrawlCounters,
    /// Images not to download at all (a resumed scan job's images already checked).
    pub already_checked: &'a (dyn Fn(&Url) -> bool + Sync),
    /// The site as last visited: pages and images are asked for conditionally, and an image
    /// unchanged since then is not sent to the matcher again.
    pub memory: &'a CrawlMemory,
    /// When this visit happens: pages fetched now are remembered as fetched at this time, for
    /// the sitemap's `lastmod` next time.
    pub now: DateTime<Utc>,
}

impl fmt::Debug for Visit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Visit").finish_non_exhaustive()
    }
}

/// The last modifications the site's sitemaps give its pages (keys normalised like the crawl
/// memory's): the sitemaps its robots.txt names, else `/sitemap.xml`, and those a sitemap index
/// names, within [`sitemap::MAX_FILES`] files, [`sitemap::MAX_DEPTH`] levels and
/// [`sitemap::MAX_ENTRIES`] entries. A missing or broken sitemap gives nothing: every page is
/// then asked for conditionally, as without one.
async fn read_sitemaps(
    fetcher: &mut Fetcher,
    start: &Url,
    same_site: &(dyn Fn(&Url) -> bool + Sync),
    cancel: &CancellationToken,
) -> sitemap::LastModified {
    let mut found = sitemap::LastModified::new();
    let mut named = fetcher
        .sitemaps_named_for(start, sitemap::MAX_FILES, cancel)
        .await;
    if named.is_empty() {
        named.extend(start.join("/sitemap.xml").ok().map(String::from));
    }
    let mut pending: VecDeque<(String, u32)> = named.into_iter().map(|u| (u, 1)).collect();
    let mut files_read = 0;
    let mut entries = 0;
    while let Some((address, depth)) = pending.pop_front() {
        if files_read >= sitemap::MAX_FILES || entries >= sitemap::MAX_ENTRIES {
            break;
        }
        let Ok(url) = Url::parse(&address) else {
            continue;
        };
        if !same_site(&url) {
            continue;
        }
        files_read += 1;
        let fetched = fetcher
            .fetch_if_changed(url, Want::Sitemap, Some(same_site), None, cancel)
            .await;
        let Ok(Conditional::Fetched(body)) = fetched else {
            continue;
        };
        let Some(file) = sitemap::parse(&body.body, sitemap::MAX_ENTRIES - entries) else {
            continue;
        };
        entries += file.urls.len() + file.sitemaps.len();
        for (loc, lastmod) in file.urls {
            if let (Ok(page), Some(lastmod)) = (Url::parse(&loc), lastmod) {
                found.insert(normalised(&page), lastmod);
            }
        }
        if depth < sitemap::MAX_DEPTH {
            pending.extend(file.sitemaps.into_iter().map(|u| (u, depth + 1)));
        }
    }
    found
}

/// [`crawl_site_counted`] with the site's memory: returns the report and the memory of this
/// visit (every page and image it saw, with their validators).
pub async fn crawl_site_remembering(
    start: Url,
    limits: CrawlLimits,
    images: mpsc::Sender<CandidateImage>,
    cancel: &CancellationToken,
    visit: &Visit<'_>,
) -> Result<(CrawlReport, CrawlMemory), CrawlError> {
    let Visit {
        counters,
        already_checked,
        memory,
        now,
    } = *visit;
    let mut remembered = CrawlMemory::default();
    let start = parse_start_url(start.as_str())?;
    if address::check_url_host(&start, limits.allow_local_network).is_err() {
        return Err(CrawlError::LocalNetworkRefused {
            host: start.host_str().unwrap_or_default().to_owned(),
        });
    }
    let site = SiteScope::of(&start);
    let mut fetcher = Fetcher::new(limits.clone())?.with_time_budget(limits.max_site_duration);
    let mut report = CrawlReport::default();
    // Bounded: links beyond this many are not queued (the page limit ends the crawl first).
    let max_queued = (limits.max_pages as usize).saturating_mul(20).max(100);
    let mut queue = VecDeque::from([(start.clone(), 0u32)]);
    let mut seen_pages = HashSet::from([normalised(&start)]);
    let mut seen_images = HashSet::new();
    let same_site = |url: &Url| site.contains(url);
    // A repeat visit reads the site's sitemap first: pages it dates before our last fetch are
    // not asked for again.
    let last_modified = if memory.pages.is_empty() {
        sitemap::LastModified::new()
    } else {
        read_sitemaps(&mut fetcher, &start, &same_site, cancel).await
    };

    while let Some((page_url, depth)) = queue.pop_front() {
        if cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        if report.pages_fetched >= limits.max_pages || report.images_found >= limits.max_images {
            report.limit_reached = true;
            break;
        }
        let page_key = normalised(&page_url);
        let page_memo = memory.pages.get(&page_key);
        let dated_unchanged = page_memo.is_some_and(|memo| {
            memo.fetched_at
                .zip(last_modified.get(&page_key))
                .is_some_and(|(fetched_at, lastmod)| sitemap::unchanged_since(*lastmod, fetched_at))
        });
        let page = if dated_unchanged {
            report.pages_unchanged_by_sitemap += 1;
            Ok(Conditional::NotModified)
        } else {
            fetcher
                .fetch_if_changed(
                    page_url.clone(),
                    Want::Page,
                    Some(&same_site),
                    page_memo.map(|m| &m.validators),
                    cancel,
                )
                .await
        };
        let page = match page {
            Ok(page) => page,
            Err(reason) if report.pages_fetched == 0 && page_url == start => {
                report.bytes_read = fetcher.bytes_read;
                return match reason {
                    SkipReason::LocalNetwork => Err(CrawlError::LocalNetworkRefused {
                        host: start.host_str().unwrap_or_default().to_owned(),
                    }),
                    SkipReason::Cancelled => {
                        report.cancelled = true;
                        Ok(report)
                    }
                    reason => Err(CrawlError::StartPageFailed { reason }),
                }
                .map(|report| (report, remembered));
            }
            Err(reason) => {
                report.count_skip(reason);
                // A site that asked to be left alone is left: its other pages are not asked for.
                if matches!(
                    reason,
                    SkipReason::Cancelled | SkipReason::BudgetExhausted | SkipReason::RateLimited
                ) {
                    break;
                }
                continue;
            }
        };
        report.pages_fetched += 1;
        counters.pages_fetched.fetch_add(1, Ordering::Relaxed);
        let (shown_on, links) = match (page, page_memo) {
            (Conditional::NotModified, Some(memo)) => {
                let mut memo = memo.clone();
                if !dated_unchanged {
                    report.pages_not_modified += 1;
                    // The server confirmed it now (a sitemap's date is kept against the
                    // fetch it was compared with).
                    memo.fetched_at = Some(now);
                }
                let links = links_of(&memo);
                remembered.pages.insert(page_key, memo);
                (page_url.clone(), links)
            }
            (Conditional::NotModified, None) => continue,
            (Conditional::Fetched(page), _) => {
                let html = String::from_utf8_lossy(&page.body);
                let links = extract::extract_links(&html, &page.url, limits.max_links_per_page);
                drop(html);
                remembered.pages.insert(
                    page_key,
                    PageMemo {
                        validators: page.validators,
                        pages: links.pages.iter().map(Url::to_string).collect(),
                        images: links.images.iter().map(Url::to_string).collect(),
                        fetched_at: Some(now),
                    },
                );
                (page.url, links)
            }
        };

        if depth < limits.max_depth {
            for link in links.pages {
                if queue.len() >= max_queued {
                    break;
                }
                if site.contains(&link) && seen_pages.insert(normalised(&link)) {
                    queue.push_back((link, depth + 1));
                } else if !site.contains(&link) {
                    report.skipped_off_site += 1;
                }
            }
        }

        for image_url in links.images {
            if report.images_found >= limits.max_images {
                report.limit_reached = true;
                break;
            }
            if !seen_images.insert(normalised(&image_url)) {
                continue;
            }
            report.images_found += 1;
            if already_checked(&image_url) {
                continue;
            }
            let image_key = normalised(&image_url);
            let image_memo = memory.images.get(&image_key);
            let fetched = fetcher
                .fetch_if_changed(
                    image_url,
                    Want::Image,
                    None,
                    image_memo.map(|m| &m.validators),
                    cancel,
                )
                .await;
            let fetched = match (fetched, image_memo) {
                (Ok(Conditional::NotModified), Some(memo)) => {
                    report.images_unchanged += 1;
                    remembered.images.insert(image_key, memo.clone());
                    continue;
                }
                (Ok(Conditional::NotModified), None) => continue,
                (Ok(Conditional::Fetched(image)), _) => Ok(*image),
                (Err(reason), _) => Err(reason),
            };
            let image = match fetched {
                Ok(image) if looks_like_an_image(&image.body) => image,
                Ok(_) => {
                    report.count_skip(SkipReason::NotAnImage);
                    continue;
                }
                Err(reason) => {
                    report.count_skip(reason);
                    if matches!(reason, SkipReason::Cancelled | SkipReason::BudgetExhausted) {
                        break;
                    }
                    continue;
                }
            };
            let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&image.body));
            let same_bytes = image_memo.is_some_and(|m| m.sha256 == sha256);
            remembered.images.insert(
                image_key,
                ImageMemo {
                    validators: image.validators,
                    sha256,
                },
            );
            if same_bytes {
                report.images_unchanged += 1;
                continue;
            }
            let candidate = CandidateImage {
                image_url: image.url,
                page_url: shown_on.clone(),
                content_type: image.content_type,
                bytes: image.body,
            };
            let sent = tokio::select! {
                () = cancel.cancelled() => { report.cancelled = true; break; }
                sent = images.send(candidate) => sent,
            };
            if sent.is_err() {
                // The matcher stopped listening: nothing more to do.
                report.cancelled = true;
                break;
            }
            report.images_sent += 1;
        }
        if report.cancelled || fetcher.bytes_read > limits.max_total_bytes {
            report.limit_reached |= !report.cancelled;
            break;
        }
    }
    report.bytes_read = fetcher.bytes_read;
    Ok((report, remembered))
}

/// The links a page had when it was last fetched (addresses that no longer parse are dropped).
fn links_of(memo: &PageMemo) -> extract::PageLinks {
    let parse = |list: &[String]| list.iter().filter_map(|u| Url::parse(u).ok()).collect();
    extract::PageLinks {
        pages: parse(&memo.pages),
        images: parse(&memo.images),
    }
}

/// The site a crawl stays on: the start URL's host and port (http and https alike).
#[derive(Debug)]
struct SiteScope {
    host: String,
    port: Option<u16>,
}

impl SiteScope {
    fn of(start: &Url) -> Self {
        Self {
            host: start.host_str().unwrap_or_default().to_ascii_lowercase(),
            port: start.port(),
        }
    }

    fn contains(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
            && url
                .host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case(&self.host))
            && url.port() == self.port
    }
}

/// A URL as a key for "already seen": no fragment.
fn normalised(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.to_string()
}

/// Whether the bytes start like an image format we can decode (the label may lie).
pub(crate) fn looks_like_an_image(bytes: &[u8]) -> bool {
    image::guess_format(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_urls_are_checked() {
        assert!(parse_start_url("https://example.com/").is_ok());
        assert!(parse_start_url("ftp://example.com/").is_err());
        // A bare domain, as typed from the address bar, is a web site over https.
        let bare = parse_start_url(" forum.example.com/gallery ").unwrap();
        assert_eq!(bare.as_str(), "https://forum.example.com/gallery");
        assert_eq!(
            parse_start_url("localhost:8080").unwrap().as_str(),
            "https://localhost:8080/"
        );
        assert!(parse_start_url("mailto:a@example.com").is_err());
        assert!(parse_start_url("").is_err());
        assert!(parse_start_url("not a site").is_err());
        assert!(parse_start_url("https://u:p@example.com/").is_err());
    }

    #[test]
    fn scope_is_host_and_port() {
        let site = SiteScope::of(&Url::parse("http://Example.com/a").unwrap());
        let url = |t: &str| Url::parse(t).unwrap();
        assert!(site.contains(&url("https://example.com/b")));
        assert!(!site.contains(&url("http://example.com:8080/")));
        assert!(!site.contains(&url("http://cdn.example.com/")));
        assert!(!site.contains(&url("mailto:x@example.com")));
    }
}
