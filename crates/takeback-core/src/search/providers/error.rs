//! What can go wrong talking to a search provider, in words that say what to do next.
//!
//! Messages never contain the API key, the query image or the URLs a search found: provider
//! texts are passed through [`provider_text`], which drops the key and bounds the length, and
//! transport errors are reduced to their kind (a `reqwest` error prints the request URL, which
//! for SerpApi carries the key).

use std::time::Duration;

use crate::ErrorCode;

use super::ProviderId;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider} rejected the API key{}; check the key (and, for google-vision, that the Vision API and billing are enabled)", detail(.message))]
    BadKey {
        provider: ProviderId,
        message: Option<String>,
    },

    #[error("{provider} has no searches or credits left on this account; buy more from the provider, then run the scan again")]
    CreditsExhausted { provider: ProviderId },

    #[error("{provider} is limiting how fast we may search{}; try again later", retry_hint(.retry_after))]
    RateLimited {
        provider: ProviderId,
        retry_after: Option<Duration>,
    },

    #[error("{provider} is unavailable (HTTP {status}) after several tries; try again later")]
    Unavailable { provider: ProviderId, status: u16 },

    #[error("{provider} refused the request (HTTP {status}){}", detail(.message))]
    Rejected {
        provider: ProviderId,
        status: u16,
        message: Option<String>,
    },

    #[error("{provider} reported that the search failed{}", detail(.message))]
    SearchFailed {
        provider: ProviderId,
        message: Option<String>,
    },

    #[error("{provider} sent an answer Takeback cannot read ({reason}); the provider may have changed its API, or the base URL points somewhere else")]
    Malformed {
        provider: ProviderId,
        reason: String,
    },

    #[error("{provider} sent an answer larger than {limit_bytes} bytes; the base URL may point somewhere else")]
    ResponseTooLarge {
        provider: ProviderId,
        limit_bytes: usize,
    },

    #[error("{provider} did not answer within {} s; check the network or try again later", .after.as_secs())]
    Timeout {
        provider: ProviderId,
        after: Duration,
    },

    #[error("{provider} did not finish the search within {} s; try again later", .after.as_secs())]
    SearchTimedOut {
        provider: ProviderId,
        after: Duration,
    },

    #[error(
        "could not reach {provider} ({reason}); check the network and the provider's base URL"
    )]
    Unreachable {
        provider: ProviderId,
        reason: String,
    },

    #[error("the search on {provider} was cancelled")]
    Cancelled { provider: ProviderId },

    #[error("{provider} takes {expected}; this query holds {got}")]
    WrongQuery {
        provider: ProviderId,
        expected: &'static str,
        got: &'static str,
    },

    #[error("the image is {size} bytes but {provider} accepts at most {limit}")]
    UploadTooLarge {
        provider: ProviderId,
        size: usize,
        limit: usize,
    },

    #[error("`{value}` is not a usable base URL for {provider}: {reason}")]
    InvalidBaseUrl {
        provider: ProviderId,
        value: String,
        reason: &'static str,
    },

    #[error("`{name}` is not a provider; the providers are tineye, google-vision, serpapi-lens and facecheck")]
    UnknownProvider { name: String },

    #[error("no API key is set for {provider}")]
    MissingKey { provider: ProviderId },

    #[error("the HTTP client for {provider} could not be set up ({reason})")]
    ClientSetup {
        provider: ProviderId,
        reason: String,
    },
}

impl ProviderError {
    /// The stable code the UI and scripts switch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ProviderError::WrongQuery { .. }
            | ProviderError::UploadTooLarge { .. }
            | ProviderError::InvalidBaseUrl { .. }
            | ProviderError::UnknownProvider { .. }
            | ProviderError::MissingKey { .. } => ErrorCode::InvalidInput,
            ProviderError::ClientSetup { .. } => ErrorCode::Internal,
            _ => ErrorCode::External,
        }
    }

    /// Whether waiting and trying the whole search again later may help.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Unavailable { .. }
                | ProviderError::Timeout { .. }
                | ProviderError::SearchTimedOut { .. }
                | ProviderError::Unreachable { .. }
        )
    }
}

crate::layer_error!(ProviderError);

fn detail(message: &Option<String>) -> String {
    match message {
        Some(text) if !text.is_empty() => format!(": {text}"),
        _ => String::new(),
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (it asks to wait {} s)", wait.as_secs().max(1)),
        None => String::new(),
    }
}

/// The longest provider text we repeat in a message.
const MAX_PROVIDER_TEXT: usize = 300;

/// A provider's own error text, made safe to show: the key is cut out wherever it appears (some
/// services echo the request), control characters are dropped and the length is bounded.
impl ProviderError {
    /// The usual meaning of an HTTP error status (401/403 key, 402 credits, 429 rate limit, 5xx
    /// unavailable, else rejected), for providers whose error statuses mean what HTTP says.
    pub(crate) fn from_status(
        provider: ProviderId,
        status: u16,
        retry_after: Option<Duration>,
        message: Option<String>,
    ) -> Self {
        match status {
            401 | 403 => ProviderError::BadKey { provider, message },
            402 => ProviderError::CreditsExhausted { provider },
            429 => ProviderError::RateLimited {
                provider,
                retry_after,
            },
            500..=599 => ProviderError::Unavailable { provider, status },
            _ => ProviderError::Rejected {
                provider,
                status,
                message,
            },
        }
    }
}

pub(crate) fn provider_text(text: &str, key: &str) -> Option<String> {
    let mut cleaned: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_PROVIDER_TEXT)
        .collect();
    if key.len() >= 4 {
        cleaned = cleaned.replace(key, "<redacted>");
    }
    let cleaned = cleaned.trim().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_drops_the_key_and_is_bounded() {
        assert_eq!(
            provider_text("Invalid API key sk-123456 given\n", "sk-123456").as_deref(),
            Some("Invalid API key <redacted> given")
        );
        assert_eq!(provider_text("   ", "k"), None);
        assert_eq!(
            provider_text(&"x".repeat(10_000), "key1").map(|t| t.len()),
            Some(MAX_PROVIDER_TEXT)
        );
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = ProviderError::BadKey {
            provider: ProviderId::TinEye,
            message: Some("Please provide a valid API key".into()),
        };
        assert_eq!(
            e.to_string(),
            "tineye rejected the API key: Please provide a valid API key; check the key (and, for google-vision, that the Vision API and billing are enabled)"
        );
        let e = ProviderError::RateLimited {
            provider: ProviderId::SerpApiLens,
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            e.to_string(),
            "serpapi-lens is limiting how fast we may search (it asks to wait 30 s); try again later"
        );
        assert_eq!(e.code(), ErrorCode::External);
        assert!(e.is_transient());
    }
}
