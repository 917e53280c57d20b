//! What a crawl remembers of a site between visits, so a repeat visit is cheap: each page's
//! validators and the links and images found on it (a 304 page is not downloaded or parsed
//! again), and each image's validators and SHA-256 (a 304 or byte-identical image is not
//! checked again). The caller keeps it (the scan stores it per source in the vault) and throws
//! it away when what an image is checked against changes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::fetch::Validators;

/// A page as last seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMemo {
    pub validators: Validators,
    /// Same-site links to follow (absolute URLs).
    pub pages: Vec<String>,
    /// Images shown (absolute URLs).
    pub images: Vec<String>,
    /// When we last had the page from the server (200 or 304): a sitemap `lastmod` before it
    /// means the page need not be asked for ([`super::sitemap`]). Absent in memories written
    /// before sitemaps were read.
    #[serde(default)]
    pub fetched_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An image as last checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMemo {
    pub validators: Validators,
    pub sha256: String,
}

/// Pages and images by address (without fragment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlMemory {
    pub pages: HashMap<String, PageMemo>,
    pub images: HashMap<String, ImageMemo>,
}

impl CrawlMemory {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.images.is_empty()
    }
}
