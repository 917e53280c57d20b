//! Remote search providers: reverse-image and face-search APIs run with the owner's own key.
//!
//! Two kinds, queried differently (PRODUCT.md §3.3, research/providers.md §7.1):
//! * copy finders (TinEye, Google Cloud Vision `WEB_DETECTION`, SerpApi Google Lens) find copies
//!   of a photo the owner owns, and receive that photo re-encoded without metadata;
//! * face finders (FaceCheck.ID) find other photos of the same face, and receive only a tight
//!   local face crop.
//!
//! Every client speaks its provider's documented API against a configurable base URL, retries
//! 429/5xx with backoff (see [`retry`]), is bounded in time and response size, can be cancelled,
//! and returns candidate hits in one normalised shape ([`CandidateHit`], providers.md §7.4).
//! Hits are candidates only: each is fetched and re-checked on the device before it becomes a
//! finding. A query reaches a client only as an [`ApprovedQuery`], i.e. after the own-face gate
//! and the owner's consent for that provider.

pub mod accounts;
mod error;
mod facecheck;
mod google_vision;
mod http;
pub mod prepare;
#[cfg(test)]
mod properties;
pub mod retry;
mod serpapi_lens;
mod tineye;

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use url::Url;

/// A provider's API key: it cannot be printed or serialised and is zeroed when dropped (see
/// [`crate::storage::secrets::Secret`]).
pub type ApiKey = crate::storage::secrets::Secret<String>;

pub use error::ProviderError;
pub use facecheck::FaceCheck;
pub use google_vision::GoogleVision;
pub use prepare::{PreparedUpload, UploadPurpose};
pub use retry::RetryPolicy;
pub use serpapi_lens::SerpApiLens;
pub use tineye::TinEye;

/// The remote providers, by their CLI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ProviderId {
    #[serde(rename = "tineye")]
    TinEye,
    GoogleVision,
    #[serde(rename = "serpapi-lens")]
    SerpApiLens,
    #[serde(rename = "facecheck")]
    FaceCheck,
}

/// What a provider finds, which decides what it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// Finds copies of a photo; is sent the owner's whole photo, metadata removed.
    CopyFinder,
    /// Finds other photos of a face; is sent a tight face crop only.
    FaceFinder,
}

impl ProviderId {
    /// Every provider, in the order of least exposure (copy finders before face finders).
    pub const ALL: [ProviderId; 4] = [
        ProviderId::TinEye,
        ProviderId::GoogleVision,
        ProviderId::SerpApiLens,
        ProviderId::FaceCheck,
    ];

    /// The name used by the CLI, settings and the keyring.
    pub fn name(self) -> &'static str {
        match self {
            ProviderId::TinEye => "tineye",
            ProviderId::GoogleVision => "google-vision",
            ProviderId::SerpApiLens => "serpapi-lens",
            ProviderId::FaceCheck => "facecheck",
        }
    }

    pub fn kind(self) -> ProviderKind {
        match self {
            ProviderId::FaceCheck => ProviderKind::FaceFinder,
            _ => ProviderKind::CopyFinder,
        }
    }

    /// The documented base URL (declared with the other settings' defaults); the client
    /// appends the documented paths.
    pub fn default_base_url(self) -> &'static str {
        crate::base::settings::default_provider_base_url(self.name())
            .expect("settings declare every provider's base URL")
    }

    /// What leaves the machine, shown to the owner before consent.
    pub fn what_is_sent(self) -> &'static str {
        match self {
            ProviderId::TinEye => "your original photo, re-encoded as JPEG with all metadata (EXIF, GPS, XMP) removed, uploaded to TinEye",
            ProviderId::GoogleVision => "your original photo, re-encoded as JPEG with all metadata removed, sent to Google Cloud Vision inside the request",
            ProviderId::SerpApiLens => "your original photo, re-encoded as JPEG (at most 500 KB) with all metadata removed, uploaded to SerpApi, which passes it on to Google Lens",
            ProviderId::FaceCheck => "a tight crop of your face only (not the rest of the photo), re-encoded as JPEG without metadata, uploaded to FaceCheck.ID for face recognition",
        }
    }

    /// The provider's stated retention of the query image (research/providers.md §7.2).
    pub fn retention(self) -> &'static str {
        match self {
            ProviderId::TinEye => "TinEye says uploads are never indexed and are deleted immediately (its privacy policy: kept at most 24 hours)",
            ProviderId::GoogleVision => "Google says online requests are processed in memory and not written to disk; some request metadata (time, size) is logged",
            ProviderId::SerpApiLens => "SerpApi keeps the uploaded image usable for 10 minutes and the search record for 31 days; the image is also passed to Google",
            ProviderId::FaceCheck => "FaceCheck.ID says uploads are not indexed and are deleted after 24 hours; Takeback also deletes the upload as soon as the search ends",
        }
    }

    /// The largest upload the provider accepts (documented, or a conservative bound where the
    /// limit is unconfirmed).
    pub fn max_upload_bytes(self) -> usize {
        match self {
            // "JPG/JPEG, PNG or WebP, ≤ 500 KB" (providers.md §4.2).
            ProviderId::SerpApiLens => 500 * 1024,
            // Older docs: 4 MB per image; base64 grows it by a third, within the 8 MB request.
            ProviderId::GoogleVision => 4 * 1024 * 1024,
            // Unconfirmed limits: stay well under any plausible cap.
            ProviderId::TinEye | ProviderId::FaceCheck => 8 * 1024 * 1024,
        }
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProviderId {
    type Err = ProviderError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ProviderId::ALL
            .into_iter()
            .find(|id| id.name() == name)
            .ok_or_else(|| ProviderError::UnknownProvider {
                name: name.chars().take(40).collect(),
            })
    }
}

/// How a client reaches its provider. Every field is a bound or an override for tests and
/// air-gapped clinics.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// The provider's base URL ([`ProviderId::default_base_url`] unless overridden).
    pub base_url: Url,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time for one request, answer included (pytineye uses 60 s for reading).
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Larger answers are refused rather than buffered.
    pub max_response_bytes: usize,
    /// How many results to ask for, where the API takes a number.
    pub max_results: u32,
    /// Wait between polls of an asynchronous search (FaceCheck's sample waits 1 s).
    pub poll_interval: Duration,
    /// An asynchronous search not finished after this long is abandoned (and its upload deleted).
    pub max_search_time: Duration,
    /// FaceCheck's `demo` mode: searches only the first 100,000 faces and uses no credits; the
    /// results are not meaningful. For tests and smoke checks.
    pub testing_mode: bool,
    /// The owner's SOCKS5 proxy (the `network.proxy` setting), if any.
    pub proxy: Option<Url>,
}

impl ProviderConfig {
    /// The defaults for `provider`, at its documented base URL.
    pub fn new(provider: ProviderId) -> Self {
        // A constant, checked by the tests below.
        let base_url = Url::parse(provider.default_base_url()).expect("documented base URLs parse");
        Self {
            base_url,
            connect_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            max_response_bytes: 16 * 1024 * 1024,
            max_results: 50,
            poll_interval: Duration::from_secs(1),
            max_search_time: Duration::from_secs(300),
            testing_mode: false,
            proxy: None,
        }
    }

    /// The same, with another base URL (checked: absolute http(s), no query, no credentials).
    pub fn with_base_url(
        mut self,
        provider: ProviderId,
        base_url: &str,
    ) -> Result<Self, ProviderError> {
        self.base_url = parse_base_url(provider, base_url)?;
        Ok(self)
    }
}

/// Checks a base URL given in settings.
pub fn parse_base_url(provider: ProviderId, value: &str) -> Result<Url, ProviderError> {
    let invalid = |reason| ProviderError::InvalidBaseUrl {
        provider,
        value: value.chars().take(200).collect(),
        reason,
    };
    crate::base::endpoint::parse(value).map_err(|problem| invalid(problem.describe()))
}

/// A query the owner approved for remote search: the prepared image passed the own-face gate
/// (or the owner's attestation), and the owner consented to send it to the provider.
#[derive(Debug, Clone)]
pub struct ApprovedQuery {
    upload: PreparedUpload,
}

impl ApprovedQuery {
    /// Wraps an upload the owner approved. Call it only after the gate and the consent.
    pub fn new(upload: PreparedUpload) -> Self {
        Self { upload }
    }

    pub fn upload(&self) -> &PreparedUpload {
        &self.upload
    }
}

/// How a hit relates to the query (providers.md §7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// The same image, perhaps resized or re-encoded.
    Exact,
    /// An image containing part of the query (a crop, a collage).
    Partial,
    /// Another photo of the same face.
    Face,
}

/// One candidate from a provider, normalised. Not a finding until re-checked on the device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateHit {
    pub provider: ProviderId,
    pub match_kind: MatchKind,
    /// The image itself on the web, when the provider names it.
    pub image_url: Option<String>,
    /// The page the image was seen on.
    pub page_url: Option<String>,
    pub page_title: Option<String>,
    /// The provider's own similarity, 0–100, when it gives one.
    pub provider_score: Option<f32>,
    /// A preview: a provider-hosted copy, or a `data:` URI (FaceCheck).
    pub thumbnail_url: Option<String>,
    /// When the provider saw it, in the provider's words (`2015-03-18`, "2 years ago").
    pub seen: Option<String>,
}

impl CandidateHit {
    fn new(provider: ProviderId, match_kind: MatchKind) -> Self {
        Self {
            provider,
            match_kind,
            image_url: None,
            page_url: None,
            page_title: None,
            provider_score: None,
            thumbnail_url: None,
            seen: None,
        }
    }
}

/// Searches or credits left on the provider account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Credits {
    pub remaining: u64,
    /// What is counted: `"searches"` or `"credits"`.
    pub unit: &'static str,
}

/// What a search returned.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub hits: Vec<CandidateHit>,
    /// The account balance after the search, when the provider reports one.
    pub credits: Option<Credits>,
    /// The provider's answer as received, kept for the record.
    pub raw: serde_json::Value,
}

/// A remote search provider.
pub trait SearchProvider: Send + Sync {
    fn id(&self) -> ProviderId;

    fn name(&self) -> &'static str {
        self.id().name()
    }

    fn kind(&self) -> ProviderKind {
        self.id().kind()
    }

    fn what_is_sent(&self) -> &'static str {
        self.id().what_is_sent()
    }

    fn retention(&self) -> &'static str {
        self.id().retention()
    }

    /// Runs one search. Cancelling `cancel` stops it promptly (a FaceCheck upload is still
    /// deleted).
    fn search(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<SearchOutcome, ProviderError>> + Send;

    /// The account balance, or `None` for pay-per-use providers.
    fn credits(
        &self,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<Option<Credits>, ProviderError>> + Send;
}

/// Any of the providers, chosen at run time (by name from the CLI or the app).
#[derive(Debug)]
pub enum RemoteProvider {
    TinEye(TinEye),
    GoogleVision(GoogleVision),
    SerpApiLens(SerpApiLens),
    // Boxed: it carries a second HTTP client (for deleting uploads), twice the others' size.
    FaceCheck(Box<FaceCheck>),
}

impl RemoteProvider {
    pub fn new(id: ProviderId, config: ProviderConfig, key: ApiKey) -> Result<Self, ProviderError> {
        Ok(match id {
            ProviderId::TinEye => RemoteProvider::TinEye(TinEye::new(config, key)?),
            ProviderId::GoogleVision => {
                RemoteProvider::GoogleVision(GoogleVision::new(config, key)?)
            }
            ProviderId::SerpApiLens => RemoteProvider::SerpApiLens(SerpApiLens::new(config, key)?),
            ProviderId::FaceCheck => {
                RemoteProvider::FaceCheck(Box::new(FaceCheck::new(config, key)?))
            }
        })
    }
}

impl SearchProvider for RemoteProvider {
    fn id(&self) -> ProviderId {
        match self {
            RemoteProvider::TinEye(p) => p.id(),
            RemoteProvider::GoogleVision(p) => p.id(),
            RemoteProvider::SerpApiLens(p) => p.id(),
            RemoteProvider::FaceCheck(p) => p.id(),
        }
    }

    async fn search(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> Result<SearchOutcome, ProviderError> {
        match self {
            RemoteProvider::TinEye(p) => p.search(query, cancel).await,
            RemoteProvider::GoogleVision(p) => p.search(query, cancel).await,
            RemoteProvider::SerpApiLens(p) => p.search(query, cancel).await,
            RemoteProvider::FaceCheck(p) => p.search(query, cancel).await,
        }
    }

    async fn credits(&self, cancel: &CancellationToken) -> Result<Option<Credits>, ProviderError> {
        match self {
            RemoteProvider::TinEye(p) => p.credits(cancel).await,
            RemoteProvider::GoogleVision(p) => p.credits(cancel).await,
            RemoteProvider::SerpApiLens(p) => p.credits(cancel).await,
            RemoteProvider::FaceCheck(p) => p.credits(cancel).await,
        }
    }
}

/// Refuses a query of the wrong kind: a face finder never gets a whole photo, a copy finder
/// never a face crop.
fn check_query(provider: ProviderId, query: &ApprovedQuery) -> Result<(), ProviderError> {
    let expected = match provider.kind() {
        ProviderKind::CopyFinder => UploadPurpose::WholePhoto,
        ProviderKind::FaceFinder => UploadPurpose::FaceCrop,
    };
    let got = query.upload().purpose();
    if got != expected {
        return Err(ProviderError::WrongQuery {
            provider,
            expected: expected.describe(),
            got: got.describe(),
        });
    }
    let size = query.upload().bytes().len();
    let limit = provider.max_upload_bytes();
    if size > limit {
        return Err(ProviderError::UploadTooLarge {
            provider,
            size,
            limit,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_base_urls_parse() {
        for id in ProviderId::ALL {
            assert_eq!(id.name().parse::<ProviderId>().unwrap(), id);
            assert_eq!(
                serde_json::to_value(id).unwrap(),
                serde_json::Value::String(id.name().into())
            );
            let config = ProviderConfig::new(id);
            assert_eq!(
                config.base_url.as_str().trim_end_matches('/'),
                id.default_base_url().trim_end_matches('/')
            );
        }
        assert!("pimeyes".parse::<ProviderId>().is_err());
    }

    #[test]
    fn base_urls_are_checked() {
        let ok = |v: &str| parse_base_url(ProviderId::TinEye, v).is_ok();
        assert!(ok("http://127.0.0.1:8080/rest/"));
        assert!(ok("https://api.tineye.com/rest/"));
        assert!(!ok("ftp://example.com/"));
        assert!(!ok("https://user:pw@example.com/"));
        assert!(!ok("https://example.com/?key=1"));
        assert!(!ok("/rest/"));
        // A consented photo and the API key never travel in the clear off this computer.
        assert!(!ok("http://api.tineye.com/rest/"));
        assert!(!ok("http://192.168.0.10/rest/"));
    }
}
