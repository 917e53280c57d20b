//! Why a requested provider did not search (skipped) or its search failed, as a stable code the
//! window says in its own language. The English sentence beside it ([`super::ProviderRun`]'s
//! `reason`) is the CLI's and is unchanged.

use serde::{Deserialize, Serialize};

use crate::search::providers::ProviderError;

/// Why a provider did not run, or failed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ProviderWhy {
    /// Turned off in its settings.
    Disabled,
    /// No API key stored for it.
    NoKey,
    /// The owner did not consent to sending it their photo (nothing was sent).
    NoConsent,
    /// The scan had no photo to search with.
    NoPhoto,
    /// The photo did not pass the own-face check.
    PhotoRefused,
    /// The photo could not be prepared for upload (unreadable, too large, …).
    PhotoUnusable,
    /// The image it would be sent is not the one the owner approved.
    NotTheApprovedImage,
    /// Its address changed after the owner agreed (nothing was sent).
    DestinationChanged { destination: String },
    /// The service rejected the API key.
    BadKey,
    /// No searches or credits left on the account.
    NoCredits,
    /// The service is limiting how fast it may be asked.
    RateLimited,
    /// The service is unavailable (HTTP status) after several tries.
    Unavailable { status: u16 },
    /// The service refused the request (HTTP status).
    Rejected { status: u16 },
    /// The service reported that the search failed.
    SearchFailed,
    /// The answer could not be read (too large, or not what the API documents).
    BadAnswer,
    /// The service did not answer, or did not finish, in time.
    TimedOut,
    /// The service could not be reached.
    Unreachable,
    /// The search was cancelled.
    Cancelled,
    /// Anything else (the English `reason` says it).
    Other,
}

impl ProviderWhy {
    /// The code of a provider's failed search.
    pub fn of_error(e: &ProviderError) -> ProviderWhy {
        match e {
            ProviderError::BadKey { .. } => ProviderWhy::BadKey,
            ProviderError::MissingKey { .. } => ProviderWhy::NoKey,
            ProviderError::CreditsExhausted { .. } => ProviderWhy::NoCredits,
            ProviderError::RateLimited { .. } => ProviderWhy::RateLimited,
            ProviderError::Unavailable { status, .. } => {
                ProviderWhy::Unavailable { status: *status }
            }
            ProviderError::Rejected { status, .. } => ProviderWhy::Rejected { status: *status },
            ProviderError::SearchFailed { .. } => ProviderWhy::SearchFailed,
            ProviderError::Malformed { .. } | ProviderError::ResponseTooLarge { .. } => {
                ProviderWhy::BadAnswer
            }
            ProviderError::Timeout { .. } | ProviderError::SearchTimedOut { .. } => {
                ProviderWhy::TimedOut
            }
            ProviderError::Unreachable { .. } => ProviderWhy::Unreachable,
            ProviderError::Cancelled { .. } => ProviderWhy::Cancelled,
            ProviderError::UploadTooLarge { .. } => ProviderWhy::PhotoUnusable,
            ProviderError::WrongQuery { .. }
            | ProviderError::InvalidBaseUrl { .. }
            | ProviderError::UnknownProvider { .. }
            | ProviderError::ClientSetup { .. } => ProviderWhy::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::providers::ProviderId;

    #[test]
    fn a_failed_search_keeps_its_english_and_gets_a_code() {
        let e = ProviderError::Unavailable {
            provider: ProviderId::TinEye,
            status: 503,
        };
        assert_eq!(
            ProviderWhy::of_error(&e),
            ProviderWhy::Unavailable { status: 503 }
        );
        assert_eq!(
            e.to_string(),
            "tineye is unavailable (HTTP 503) after several tries; try again later"
        );
        let json = serde_json::to_value(ProviderWhy::of_error(&ProviderError::BadKey {
            provider: ProviderId::TinEye,
            message: Some("secret detail".into()),
        }))
        .unwrap();
        assert_eq!(json, serde_json::json!({ "code": "bad_key" }));
    }
}
