//! What a letter says about one image: where it is, when it was first seen, and its fingerprints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A finding as letters need it. Built from the findings table, or by hand in tests and from
/// CLI flags. It never holds image bytes: a letter identifies the image, it never carries it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRef {
    /// The finding's id in the vault, when it has one.
    pub id: Option<String>,
    /// The image's own address.
    pub image_url: String,
    /// The page that shows the image, when known.
    pub page_url: Option<String>,
    pub first_seen: DateTime<Utc>,
    /// SHA-256 of the image file as captured, lower-case hex.
    pub sha256: String,
    /// PDQ perceptual hash, 64 hex characters, when computed.
    pub pdq: Option<String>,
}

impl FindingRef {
    /// Checks that the finding can be cited: absolute http(s) URLs and a well-formed SHA-256.
    pub fn validate(&self) -> Result<()> {
        for url in std::iter::once(&self.image_url).chain(self.page_url.iter()) {
            let parsed = url::Url::parse(url).map_err(|e| Error::InvalidLetterInput {
                reason: format!("`{url}` is not a full web address ({e})"),
                source: Some(e.into()),
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(Error::InvalidLetterInput {
                    reason: format!("`{url}` must start with http:// or https://"),
                    source: None,
                });
            }
        }
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex64(&self.sha256) {
            return Err(Error::InvalidLetterInput {
                reason: "the SHA-256 fingerprint must be 64 hexadecimal characters".into(),
                source: None,
            });
        }
        if let Some(pdq) = &self.pdq {
            if !hex64(pdq) {
                return Err(Error::InvalidLetterInput {
                    reason: "the PDQ hash must be 64 hexadecimal characters".into(),
                    source: None,
                });
            }
        }
        Ok(())
    }

    /// The host of the image (or of its page) — the site the letter is about.
    pub fn host(&self) -> Option<String> {
        let url = self.page_url.as_ref().unwrap_or(&self.image_url);
        url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
    }
}

impl From<&crate::search::findings::Finding> for FindingRef {
    /// A stored finding as a letter cites it.
    fn from(f: &crate::search::findings::Finding) -> Self {
        Self {
            id: Some(f.id.to_string()),
            image_url: f.image_url.clone(),
            page_url: f.page_url.clone(),
            first_seen: f.first_seen,
            sha256: f.sha256.clone(),
            pdq: f.pdq.clone(),
        }
    }
}
