//! Why a provider's result could not be checked on this device, as a stable code with its
//! parameters. Kept with the finding (`findings.unverified_why`, JSON) beside the English
//! sentence (`unverified_reason`, its `Display`, which the CLI prints); findings recorded before
//! the code was kept have the sentence only.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::search::crawl::SkipReason;

/// Why an address could not be fetched.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FetchWhy {
    Robots,
    LocalNetwork,
    TooManyRedirects,
    TooLarge,
    NotAnImage,
    HttpStatus { status: u16 },
    Timeout,
    Unreachable,
    BudgetExhausted,
    RateLimited,
    Cancelled,
}

impl From<SkipReason> for FetchWhy {
    fn from(reason: SkipReason) -> Self {
        match reason {
            SkipReason::Robots => FetchWhy::Robots,
            SkipReason::LocalNetwork => FetchWhy::LocalNetwork,
            SkipReason::TooManyRedirects => FetchWhy::TooManyRedirects,
            SkipReason::TooLarge => FetchWhy::TooLarge,
            SkipReason::NotAnImage | SkipReason::NotHtml => FetchWhy::NotAnImage,
            SkipReason::HttpStatus(status) => FetchWhy::HttpStatus { status },
            SkipReason::Timeout => FetchWhy::Timeout,
            SkipReason::Network | SkipReason::Unsupported | SkipReason::OffSite => {
                FetchWhy::Unreachable
            }
            SkipReason::BudgetExhausted => FetchWhy::BudgetExhausted,
            SkipReason::RateLimited => FetchWhy::RateLimited,
            SkipReason::Cancelled => FetchWhy::Cancelled,
        }
    }
}

impl fmt::Display for FetchWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchWhy::Robots => f.write_str("the site's robots.txt forbids fetching it"),
            FetchWhy::LocalNetwork => {
                f.write_str("it is on a local or private network, which this scan may not reach")
            }
            FetchWhy::TooManyRedirects => f.write_str("too many redirects"),
            FetchWhy::TooLarge => f.write_str("the image is larger than the download limit"),
            FetchWhy::NotAnImage => f.write_str("the address does not serve an image"),
            FetchWhy::HttpStatus { status } => write!(f, "the site answered HTTP {status}"),
            FetchWhy::Timeout => f.write_str("the site did not answer in time"),
            FetchWhy::Unreachable => f.write_str("the site could not be reached"),
            FetchWhy::BudgetExhausted => f.write_str("the scan's download budget is used up"),
            FetchWhy::RateLimited => f.write_str("the site asked to be left alone for now"),
            FetchWhy::Cancelled => f.write_str("the scan was cancelled"),
        }
    }
}

/// Why a provider's result stays unverified.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum UnverifiedWhy {
    /// The provider gave an image address that is not a URL.
    NotAUrl,
    /// The address answered, but not with an image (any more).
    NoImageAnyMore,
    /// The image could not be fetched.
    NotFetched { fetch: FetchWhy },
    /// The provider's inline preview is not base64.
    PreviewNotBase64,
    /// The provider's inline preview is too large to decode.
    PreviewTooLarge,
    /// The provider's inline preview is not valid base64.
    PreviewInvalid,
    /// The provider named no image to check.
    NoImageNamed,
    /// The provider gave a page address that is not a URL.
    PageNotAUrl,
    /// The page the provider named could not be fetched.
    PageNotFetched { fetch: FetchWhy },
    /// The page shows no image to check.
    PageHasNoImage,
    /// None of the page's `total` images shows the owner (`unreadable` could not be fetched).
    NoneShowsYou { total: u32, unreadable: u32 },
}

impl fmt::Display for UnverifiedWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnverifiedWhy::NotAUrl => f.write_str("the provider gave an address that is not a URL"),
            UnverifiedWhy::NoImageAnyMore => {
                f.write_str("the address does not serve an image (any more)")
            }
            UnverifiedWhy::NotFetched { fetch } => fetch.fmt(f),
            UnverifiedWhy::PreviewNotBase64 => f.write_str("the provider's preview is not base64"),
            UnverifiedWhy::PreviewTooLarge => f.write_str("the provider's preview is too large"),
            UnverifiedWhy::PreviewInvalid => {
                f.write_str("the provider's preview is not valid base64")
            }
            UnverifiedWhy::NoImageNamed => f.write_str("the provider named no image to check"),
            UnverifiedWhy::PageNotAUrl => {
                f.write_str("the provider gave a page address that is not a URL")
            }
            UnverifiedWhy::PageNotFetched { fetch } => {
                write!(f, "its page could not be fetched: {fetch}")
            }
            UnverifiedWhy::PageHasNoImage => f.write_str("the page shows no image to check"),
            UnverifiedWhy::NoneShowsYou { total, unreadable } => {
                write!(f, "none of the {total} images on its page shows you")?;
                if *unreadable > 0 {
                    write!(f, " ({unreadable} of them could not be fetched)")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_keeps_its_english_sentences() {
        let cases = [
            (
                UnverifiedWhy::NotFetched {
                    fetch: SkipReason::HttpStatus(403).into(),
                },
                "the site answered HTTP 403",
            ),
            (
                UnverifiedWhy::PageNotFetched {
                    fetch: SkipReason::Timeout.into(),
                },
                "its page could not be fetched: the site did not answer in time",
            ),
            (
                UnverifiedWhy::NoneShowsYou {
                    total: 5,
                    unreadable: 2,
                },
                "none of the 5 images on its page shows you (2 of them could not be fetched)",
            ),
            (
                UnverifiedWhy::NoneShowsYou {
                    total: 3,
                    unreadable: 0,
                },
                "none of the 3 images on its page shows you",
            ),
            (
                UnverifiedWhy::NoImageAnyMore,
                "the address does not serve an image (any more)",
            ),
        ];
        for (why, english) in cases {
            assert_eq!(why.to_string(), english);
        }
        let json = serde_json::to_value(UnverifiedWhy::NotFetched {
            fetch: FetchWhy::HttpStatus { status: 403 },
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "code": "not_fetched", "fetch": { "code": "http_status", "status": 403 } })
        );
    }
}
