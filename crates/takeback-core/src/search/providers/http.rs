//! The HTTP exchange every provider client shares: one request with retries, bounded in time
//! and size, cancellable, with errors that never carry the URL (it may hold a key).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, StatusCode};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::retry::{parse_retry_after, random_jitter};
use super::{ProviderConfig, ProviderError, ProviderId};

/// A provider's answer, read in full (within the size bound).
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON, or a `Malformed` error that says what was wrong (never the body).
    pub fn json(&self, provider: ProviderId) -> Result<serde_json::Value, ProviderError> {
        serde_json::from_slice(&self.body).map_err(|e| ProviderError::Malformed {
            provider,
            reason: format!("not JSON: {}", e.classify_text()),
        })
    }

    /// The body as JSON when it is JSON (error bodies usually are), else `Null`.
    pub fn json_or_null(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

trait ClassifyText {
    fn classify_text(&self) -> &'static str;
}

impl ClassifyText for serde_json::Error {
    fn classify_text(&self) -> &'static str {
        use serde_json::error::Category;
        match self.classify() {
            Category::Io => "read error",
            Category::Syntax => "syntax error",
            Category::Data => "unexpected data",
            Category::Eof => "cut short",
        }
    }
}

/// A client bound to one provider and its configuration.
#[derive(Debug)]
pub(crate) struct ProviderHttp {
    provider: ProviderId,
    client: Client,
    config: ProviderConfig,
}

impl ProviderHttp {
    pub fn new(provider: ProviderId, config: ProviderConfig) -> Result<Self, ProviderError> {
        let builder = Client::builder()
            .user_agent(concat!("Takeback/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // A redirect would resend our key headers to wherever it points: providers do not
            // redirect API calls, so a redirect is an error, not something to follow.
            .redirect(reqwest::redirect::Policy::none());
        // The owner's proxy or none: a system proxy nobody chose here would see every search.
        let client = crate::base::network::route(builder, config.proxy.as_ref())
            .and_then(reqwest::ClientBuilder::build)
            .map_err(|e| ProviderError::ClientSetup {
                provider,
                reason: transport_reason(&e),
            })?;
        Ok(Self {
            provider,
            client,
            config,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// The documented `path` under the base URL. The base is treated as a directory
    /// (`https://api.tineye.com/rest` and `.../rest/` both give `.../rest/search/`).
    pub fn endpoint(&self, path: &str) -> Result<Url, ProviderError> {
        let mut base = self.config.base_url.clone();
        if !base.path().ends_with('/') {
            let with_slash = format!("{}/", base.path());
            base.set_path(&with_slash);
        }
        base.join(path.trim_start_matches('/'))
            .map_err(|_| ProviderError::InvalidBaseUrl {
                provider: self.provider,
                value: self.config.base_url.to_string(),
                reason: "the API paths cannot be appended to it",
            })
    }

    /// Sends the request `build` makes, again after a wait while the answer is retryable
    /// (`retryable` decides: most providers mean "try later" by 429 and 5xx) and the retry policy
    /// allows. Returns the last answer, whatever its status; the caller maps statuses to errors.
    pub async fn exchange(
        &self,
        build: impl Fn() -> RequestBuilder,
        retryable: impl Fn(&Reply) -> bool,
        cancel: &CancellationToken,
    ) -> Result<Reply, ProviderError> {
        let policy = &self.config.retry;
        let started = Instant::now();
        let mut attempt = 1u32;
        loop {
            let outcome = tokio::select! {
                () = cancel.cancelled() => return Err(ProviderError::Cancelled { provider: self.provider }),
                outcome = self.send_once(build()) => outcome,
            };
            let (retry_after, give_back) = match outcome {
                Ok(reply) if retryable(&reply) => (reply.retry_after, Ok(reply)),
                Ok(reply) => return Ok(reply),
                Err(error @ ProviderError::Unreachable { .. }) => (None, Err(error)),
                Err(error) => return Err(error),
            };
            if attempt >= policy.max_attempts {
                return give_back;
            }
            let wait = policy.delay(attempt, retry_after, random_jitter());
            if started.elapsed() + wait > policy.max_total {
                return give_back;
            }
            tracing::debug!(provider = %self.provider, attempt, wait_ms = wait.as_millis() as u64, "retrying provider request");
            tokio::select! {
                () = cancel.cancelled() => return Err(ProviderError::Cancelled { provider: self.provider }),
                () = tokio::time::sleep(wait) => {}
            }
            attempt += 1;
        }
    }

    async fn send_once(&self, request: RequestBuilder) -> Result<Reply, ProviderError> {
        let mut response = request.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let limit = self.config.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(ProviderError::ResponseTooLarge {
                provider: self.provider,
                limit_bytes: limit,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(&e))?
        {
            if body.len() + chunk.len() > limit {
                return Err(ProviderError::ResponseTooLarge {
                    provider: self.provider,
                    limit_bytes: limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            retry_after,
            body,
        })
    }

    fn transport_error(&self, error: &reqwest::Error) -> ProviderError {
        if error.is_timeout() {
            ProviderError::Timeout {
                provider: self.provider,
                after: self.config.request_timeout,
            }
        } else {
            ProviderError::Unreachable {
                provider: self.provider,
                reason: transport_reason(error),
            }
        }
    }
}

/// The retry-worthy statuses most APIs use.
pub(crate) fn is_rate_limited_or_overloaded(reply: &Reply) -> bool {
    reply.status == StatusCode::TOO_MANY_REQUESTS || reply.status.is_server_error()
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, chrono::Utc::now())
}

/// A short, URL-free description of a transport failure. `reqwest`'s own message names the URL
/// (SerpApi's carries the key), so only the kind and the innermost cause are kept.
fn transport_reason(error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() || error.status().is_some_and(|s| s.is_redirection()) {
        "unexpected redirect"
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off"
    } else if error.is_builder() {
        "the request could not be built"
    } else {
        "request failed"
    };
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let cause = innermost.to_string();
    if std::ptr::eq(
        innermost as *const dyn std::error::Error as *const u8,
        error as *const reqwest::Error as *const u8,
    ) || cause.contains("://")
    {
        kind.to_owned()
    } else {
        format!("{kind}: {}", cause.chars().take(120).collect::<String>())
    }
}

/// The API key as a header value marked sensitive, so it is never logged or shown in debug output.
pub(crate) fn key_header(
    provider: ProviderId,
    key: &super::ApiKey,
) -> Result<reqwest::header::HeaderValue, ProviderError> {
    let mut value = reqwest::header::HeaderValue::from_str(key.expose()).map_err(|_| {
        ProviderError::BadKey {
            provider,
            message: Some("the key contains characters no API key has".into()),
        }
    })?;
    value.set_sensitive(true);
    Ok(value)
}
