//! One polite, bounded HTTP GET for the crawler: address policy, robots.txt, per-host pacing,
//! redirects followed by hand (each hop checked again), content-type checks, and a body read
//! in chunks that stops at the size limit.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE, ETAG, HOST, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER, USER_AGENT,
};
use reqwest::{Client, StatusCode};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::address::{check_url_host, refused_host, GuardedResolver};
use super::robots::RobotsRules;
use super::{CrawlError, CrawlLimits, SkipReason};

/// What is being fetched decides the accepted content types and the size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Page,
    Image,
    /// A sitemap (XML), read to skip pages unchanged since the last visit.
    Sitemap,
}

/// A fetched body, with the last request and response heads as they went over the wire (what an
/// evidence capture writes into its WARC records).
#[derive(Debug)]
pub struct Fetched {
    /// Where the body came from, after redirects.
    pub url: Url,
    pub content_type: String,
    pub body: Vec<u8>,
    /// The server's validators, for a conditional request next time.
    pub validators: Validators,
    pub exchange: Exchange,
}

/// The heads of the request that got the body and of its response.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The headers sent (those the client sets itself included: Host, User-Agent).
    pub request_headers: HeaderMap,
    /// "HTTP/1.1", "HTTP/2.0".
    pub version: String,
    pub status: u16,
    /// The headers received. When the client decoded a compressed body it drops
    /// `Content-Encoding` and `Content-Length`, so the head always describes `body`.
    pub response_headers: HeaderMap,
    /// The server's address, when known.
    pub remote_ip: Option<std::net::IpAddr>,
}

/// What a server said identifies a version of a resource (`ETag`, `Last-Modified`), sent back
/// as `If-None-Match` / `If-Modified-Since` so an unchanged resource costs a 304 and no body.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A conditional fetch's answer.
#[derive(Debug)]
pub enum Conditional {
    /// Boxed: a fetch carries its whole exchange, a 304 nothing.
    Fetched(Box<Fetched>),
    /// 304: unchanged since the validators were given.
    NotModified,
}

/// Validator values longer than this are not kept (a header is not a place for data).
const MAX_VALIDATOR_LEN: usize = 512;

/// Hosts whose robots.txt we remember; beyond this the oldest are not evicted, new hosts are
/// simply fetched without caching (bounded memory, still correct).
const MAX_ROBOTS_CACHED: usize = 256;
const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// A `Retry-After` up to this long is waited out before the host is asked again; a longer one
/// (a day, say) means the host is not asked again in this visit.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct Fetcher {
    client: Client,
    limits: CrawlLimits,
    robots: HashMap<String, Arc<RobotsRules>>,
    last_request: HashMap<String, Instant>,
    /// Hosts that asked, through `Retry-After`, to wait before the next request.
    not_before: HashMap<String, Instant>,
    /// Hosts that asked to be left alone for longer than [`MAX_RETRY_WAIT`].
    left_alone: HashSet<String>,
    /// When this fetcher's time is up (a crawl's `max_site_duration`); none for one-off fetches.
    deadline: Option<Instant>,
    /// Bytes of bodies read so far, against `limits.max_total_bytes`.
    pub bytes_read: u64,
    /// Ask for bodies uncompressed (`Accept-Encoding: identity`), so that what is kept is the
    /// bytes the server stores (evidence).
    exact_bytes: bool,
}

impl Fetcher {
    pub fn new(limits: CrawlLimits) -> Result<Self, CrawlError> {
        let builder = Client::builder()
            .user_agent(limits.user_agent.clone())
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.request_timeout)
            // Redirects are followed by hand so each hop is checked like the first.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_local_network: limits.allow_local_network,
            }));
        // Without the owner's proxy, no proxy at all: a system one would resolve names itself,
        // past the address check. With it (socks5h), the proxy resolves names, and an address
        // written into a link is still checked before each request.
        let client = crate::base::network::route(builder, limits.proxy.as_ref())
            .and_then(reqwest::ClientBuilder::build)
            .map_err(|e| CrawlError::ClientSetup {
                reason: e.without_url().to_string(),
            })?;
        Ok(Self {
            client,
            limits,
            robots: HashMap::new(),
            last_request: HashMap::new(),
            not_before: HashMap::new(),
            left_alone: HashSet::new(),
            deadline: None,
            bytes_read: 0,
            exact_bytes: false,
        })
    }

    /// Every request, wait and body of this fetcher ends within `budget` from now; after it,
    /// fetches fail with [`SkipReason::BudgetExhausted`].
    pub fn with_time_budget(mut self, budget: Duration) -> Self {
        self.deadline = Instant::now().checked_add(budget);
        self
    }

    /// The time left before the deadline (the request timeout when there is none).
    fn time_left(&self) -> Result<Duration, SkipReason> {
        let Some(deadline) = self.deadline else {
            return Ok(self.limits.request_timeout);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(SkipReason::BudgetExhausted)
        } else {
            Ok(left.min(self.limits.request_timeout))
        }
    }

    /// This fetcher asks servers not to compress bodies (for evidence: the bytes kept are the
    /// bytes served).
    pub fn exact_bytes(mut self) -> Self {
        self.exact_bytes = true;
        self
    }

    /// GETs `url`, following at most `max_redirects` redirects; `same_site` (for pages) refuses a
    /// redirect that leaves the site.
    pub async fn fetch(
        &mut self,
        url: Url,
        want: Want,
        same_site: Option<&(dyn Fn(&Url) -> bool + Sync)>,
        cancel: &CancellationToken,
    ) -> Result<Fetched, SkipReason> {
        match self
            .fetch_if_changed(url, want, same_site, None, cancel)
            .await?
        {
            Conditional::Fetched(fetched) => Ok(*fetched),
            // Only possible when validators were sent.
            Conditional::NotModified => Err(SkipReason::HttpStatus(304)),
        }
    }

    /// [`Fetcher::fetch`], sending `validators` (when given) as a conditional request: an
    /// unchanged resource answers [`Conditional::NotModified`] without a body.
    pub async fn fetch_if_changed(
        &mut self,
        url: Url,
        want: Want,
        same_site: Option<&(dyn Fn(&Url) -> bool + Sync)>,
        validators: Option<&Validators>,
        cancel: &CancellationToken,
    ) -> Result<Conditional, SkipReason> {
        let mut current = url;
        for _hop in 0..=self.limits.max_redirects {
            if !matches!(current.scheme(), "http" | "https") {
                return Err(SkipReason::Unsupported);
            }
            if check_url_host(&current, self.limits.allow_local_network).is_err() {
                return Err(SkipReason::LocalNetwork);
            }
            if !self
                .robots_for(&current, cancel)
                .await?
                .allows(current.as_str())
            {
                return Err(SkipReason::Robots);
            }
            if self.left_alone.contains(&host_key(&current)) {
                return Err(SkipReason::RateLimited);
            }
            self.pace(&current, cancel).await?;
            let timeout = self.time_left()?;
            let accept = match want {
                Want::Page => "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                Want::Image => "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8",
                Want::Sitemap => "application/xml,text/xml;q=0.9,*/*;q=0.1",
            };
            let mut request_headers = HeaderMap::new();
            request_headers.insert(ACCEPT, HeaderValue::from_static(accept));
            if self.exact_bytes {
                request_headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
            }
            if let Some(v) = validators {
                // A validator the server sent that is not a valid header value is not sent back.
                if let Some(etag) = v
                    .etag
                    .as_deref()
                    .and_then(|e| HeaderValue::from_str(e).ok())
                {
                    request_headers.insert(IF_NONE_MATCH, etag);
                }
                if let Some(modified) = v
                    .last_modified
                    .as_deref()
                    .and_then(|m| HeaderValue::from_str(m).ok())
                {
                    request_headers.insert(IF_MODIFIED_SINCE, modified);
                }
            }
            let request = self
                .client
                .get(current.clone())
                .timeout(timeout)
                .headers(request_headers.clone());
            let response = tokio::select! {
                () = cancel.cancelled() => return Err(SkipReason::Cancelled),
                response = request.send() => response.map_err(|e| skip_for(&e))?,
            };
            let status = response.status();
            // 304 is in the redirection range, but means "yours is current".
            if status == StatusCode::NOT_MODIFIED && validators.is_some_and(|v| !v.is_empty()) {
                return Ok(Conditional::NotModified);
            }
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|location| current.join(location).ok())
                    .ok_or(SkipReason::HttpStatus(status.as_u16()))?;
                if let Some(same_site) = same_site {
                    if !same_site(&next) {
                        return Err(SkipReason::OffSite);
                    }
                }
                current = next;
                continue;
            }
            if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) {
                if let Some(wait) = retry_after(response.headers()) {
                    let host = host_key(&current);
                    if wait > MAX_RETRY_WAIT {
                        self.left_alone.insert(host);
                        return Err(SkipReason::RateLimited);
                    }
                    if self.not_before.len() < 10_000 {
                        self.not_before.insert(host, Instant::now() + wait);
                    }
                }
            }
            if status != StatusCode::OK {
                return Err(SkipReason::HttpStatus(status.as_u16()));
            }
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .filter(|v| v.len() <= MAX_VALIDATOR_LEN)
                    .map(str::to_owned)
            };
            let new_validators = Validators {
                etag: header(ETAG),
                last_modified: header(LAST_MODIFIED),
            };
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let acceptable = match want {
                Want::Page => {
                    content_type.starts_with("text/html")
                        || content_type.starts_with("application/xhtml+xml")
                }
                // Some servers label images generically, or as text; the bytes are sniffed
                // afterwards and decide.
                Want::Image => {
                    content_type.starts_with("image/")
                        || content_type.starts_with("application/octet-stream")
                        || content_type.starts_with("text/")
                        || content_type.is_empty()
                }
                Want::Sitemap => content_type.contains("xml") || content_type.starts_with("text/"),
            };
            if !acceptable {
                return Err(match want {
                    Want::Page | Want::Sitemap => SkipReason::NotHtml,
                    Want::Image => SkipReason::NotAnImage,
                });
            }
            let limit = match want {
                Want::Page => self.limits.max_page_bytes,
                Want::Image => self.limits.max_image_bytes,
                Want::Sitemap => super::sitemap::MAX_SITEMAP_BYTES,
            };
            let exchange = Exchange {
                request_headers: self.sent_headers(&current, request_headers),
                version: format!("{:?}", response.version()),
                status: status.as_u16(),
                response_headers: response.headers().clone(),
                remote_ip: response.remote_addr().map(|a| a.ip()),
            };
            let body = self.read_body(response, limit, cancel).await?;
            return Ok(Conditional::Fetched(Box::new(Fetched {
                url: current,
                content_type,
                body,
                validators: new_validators,
                exchange,
            })));
        }
        Err(SkipReason::TooManyRedirects)
    }

    /// The request headers as they go out: ours plus the two the client adds (Host, User-Agent),
    /// and the `Accept-Encoding` it adds when none is set.
    fn sent_headers(&self, url: &Url, mut headers: HeaderMap) -> HeaderMap {
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => String::new(),
        };
        if let Ok(host) = HeaderValue::from_str(&host) {
            headers.insert(HOST, host);
        }
        if let Ok(agent) = HeaderValue::from_str(&self.limits.user_agent) {
            headers.insert(USER_AGENT, agent);
        }
        if !headers.contains_key(ACCEPT_ENCODING) {
            headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        }
        headers
    }

    async fn read_body(
        &mut self,
        mut response: reqwest::Response,
        limit: usize,
        cancel: &CancellationToken,
    ) -> Result<Vec<u8>, SkipReason> {
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(SkipReason::TooLarge);
        }
        let mut body = Vec::new();
        loop {
            let chunk = tokio::select! {
                () = cancel.cancelled() => return Err(SkipReason::Cancelled),
                chunk = response.chunk() => chunk.map_err(|e| skip_for(&e))?,
            };
            let Some(chunk) = chunk else {
                return Ok(body);
            };
            self.bytes_read += chunk.len() as u64;
            if body.len() + chunk.len() > limit {
                return Err(SkipReason::TooLarge);
            }
            if self.bytes_read > self.limits.max_total_bytes {
                return Err(SkipReason::BudgetExhausted);
            }
            body.extend_from_slice(&chunk);
        }
    }

    /// Waits until this host may be asked again: the configured interval, or the site's
    /// `Crawl-delay` when longer.
    async fn pace(&mut self, url: &Url, cancel: &CancellationToken) -> Result<(), SkipReason> {
        let host = host_key(url);
        let mut interval = self.limits.per_host_interval;
        if let Some(delay) = self.robots.get(&host).and_then(|r| r.crawl_delay()) {
            interval = interval.max(delay);
        }
        let paced = self.last_request.get(&host).map(|last| *last + interval);
        let asked = self.not_before.get(&host).copied();
        if let Some(ready) = paced.max(asked) {
            let now = Instant::now();
            if ready > now {
                // A wait that would outlast the time budget is not started.
                if self.deadline.is_some_and(|deadline| ready >= deadline) {
                    return Err(SkipReason::BudgetExhausted);
                }
                tokio::select! {
                    () = cancel.cancelled() => return Err(SkipReason::Cancelled),
                    () = tokio::time::sleep(ready - now) => {}
                }
            }
        }
        if self.last_request.len() < 10_000 || self.last_request.contains_key(&host) {
            self.last_request.insert(host, Instant::now());
        }
        Ok(())
    }

    /// The sitemaps `url`'s host names in its robots.txt (`Sitemap:` lines), at most `max`.
    pub async fn sitemaps_named_for(
        &mut self,
        url: &Url,
        max: usize,
        cancel: &CancellationToken,
    ) -> Vec<String> {
        match self.robots_for(url, cancel).await {
            Ok(rules) => rules.sitemaps().iter().take(max).cloned().collect(),
            Err(_) => Vec::new(),
        }
    }

    async fn robots_for(
        &mut self,
        url: &Url,
        cancel: &CancellationToken,
    ) -> Result<Arc<RobotsRules>, SkipReason> {
        let host = host_key(url);
        if let Some(rules) = self.robots.get(&host) {
            return Ok(rules.clone());
        }
        let rules = Arc::new(self.fetch_robots(url, cancel).await?);
        if self.robots.len() < MAX_ROBOTS_CACHED {
            self.robots.insert(host, rules.clone());
        }
        Ok(rules)
    }

    async fn fetch_robots(
        &mut self,
        url: &Url,
        cancel: &CancellationToken,
    ) -> Result<RobotsRules, SkipReason> {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return Ok(RobotsRules::AllowAll);
        };
        self.pace(&robots_url, cancel).await?;
        let request = self.client.get(robots_url).timeout(self.time_left()?);
        let response = tokio::select! {
            () = cancel.cancelled() => return Err(SkipReason::Cancelled),
            response = request.send() => response,
        };
        let response = match response {
            Ok(response) => response,
            // A site that cannot be reached at all is reported as unreachable (or offline), not
            // as refusing robots: its pages could not be fetched either, so nothing is crawled.
            Err(e) => return Err(skip_for(&e)),
        };
        let status = response.status();
        if status.is_server_error() {
            return Ok(RobotsRules::DisallowAll);
        }
        // 4xx (and redirects, which we do not chase for robots.txt): no rules.
        if status != StatusCode::OK {
            return Ok(RobotsRules::AllowAll);
        }
        match self.read_body(response, MAX_ROBOTS_BYTES, cancel).await {
            Ok(body) => Ok(RobotsRules::from_body(&body)),
            Err(SkipReason::TooLarge) => Ok(RobotsRules::DisallowAll),
            Err(SkipReason::Cancelled) => Err(SkipReason::Cancelled),
            Err(_) => Ok(RobotsRules::DisallowAll),
        }
    }
}

/// How long a `Retry-After` header asks to wait: delay-seconds, or an HTTP date (taken as
/// longer than any wait, since the clock here is not the server's); `None` without one.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    Some(match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => Duration::MAX,
    })
}

/// Hosts are paced and ruled by `host:port` (robots.txt is per origin).
fn host_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn skip_for(error: &reqwest::Error) -> SkipReason {
    if refused_host(error).is_some() {
        SkipReason::LocalNetwork
    } else if error.is_timeout() {
        SkipReason::Timeout
    } else {
        SkipReason::Network
    }
}
