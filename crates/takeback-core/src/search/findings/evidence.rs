//! Evidence on confirm: when the owner says "this is me", the image and the page it was on are
//! fetched at once and kept in the vault (encrypted blobs), each with its SHA-256, the time, the
//! address it finally came from and the HTTP status, so the exposure can be proven after it is
//! taken down.
//!
//! Fetching follows the crawler's rules ([`crate::search::crawl`]): robots.txt, per-host pacing, redirects
//! checked hop by hop, bounded sizes and times, loopback and private addresses refused unless the
//! owner allows the local network. A capture that fails does not undo the confirmation: the
//! evidence row records why it failed. The audit log gets the digests only, never the bytes.
//! Each capture also keeps its WARC records ([`super::warc`]): the request as sent and the
//! response as received, exact bytes, UTC time. Exporting them (WACZ, PDF report) is
//! `removal::evidence`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::{get, Finding, FindingStatus};
use crate::base::error::storage;
use crate::search::crawl::fetch::{Exchange, Fetcher, Want};
use crate::search::crawl::{CrawlLimits, SkipReason};
use crate::storage::vault::{BlobId, Vault};
use crate::{storage::audit, Result};

/// How evidence captures and re-checks fetch: the crawler's rules with these bounds.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Fetch from loopback and private addresses (`--allow-local-network`; tests, intranets).
    pub allow_local_network: bool,
    pub connect_timeout: Duration,
    /// One request, body included.
    pub request_timeout: Duration,
    /// A larger image is not kept (the failure says so).
    pub max_image_bytes: usize,
    /// A larger page is not kept (the failure says so).
    pub max_page_bytes: usize,
    /// At least this long between two requests to one host (a site's `Crawl-delay` may lengthen it).
    pub per_host_interval: Duration,
    /// The owner's SOCKS5 proxy (the `network.proxy` setting), if any.
    pub proxy: Option<url::Url>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        let crawl = CrawlLimits::default();
        Self {
            allow_local_network: false,
            connect_timeout: crawl.connect_timeout,
            request_timeout: crawl.request_timeout,
            max_image_bytes: crawl.max_image_bytes,
            max_page_bytes: crawl.max_page_bytes,
            per_host_interval: crawl.per_host_interval,
            proxy: None,
        }
    }
}

impl FetchOptions {
    fn crawl_limits(&self) -> CrawlLimits {
        CrawlLimits {
            max_page_bytes: self.max_page_bytes,
            max_image_bytes: self.max_image_bytes,
            per_host_interval: self.per_host_interval,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            allow_local_network: self.allow_local_network,
            // Re-checks and evidence visit one address on a site that may be the poster's: a
            // browser's name, not Takeback's.
            user_agent: crate::base::network::GENERIC_USER_AGENT.to_owned(),
            proxy: self.proxy.clone(),
            ..CrawlLimits::default()
        }
    }

    /// The crawler's fetcher with these bounds, asking for uncompressed bodies (the bytes kept
    /// are the bytes served), and a runtime to drive it from a plain thread.
    pub(crate) fn fetcher(&self) -> Result<(Fetcher, tokio::runtime::Runtime)> {
        let fetcher = Fetcher::new(self.crawl_limits())?.exact_bytes();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::Error::Network {
                what: "starting the network runtime for fetching findings".into(),
                reason: e.to_string(),
                source: Some(e.into()),
            })?;
        Ok((fetcher, runtime))
    }
}

/// What was captured: the finding's image or the page it was on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Image,
    Page,
}

impl EvidenceKind {
    fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Image => "image",
            EvidenceKind::Page => "page",
        }
    }
}

/// One capture, as `findings::evidence` lists it (the bytes stay in the vault; read them with
/// [`evidence_bytes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceRecord {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub finding_id: i64,
    pub kind: EvidenceKind,
    /// The address asked for.
    pub requested_url: String,
    /// Where the bytes came from after redirects (`None` when the fetch failed).
    pub final_url: Option<String>,
    /// 200 for a capture; the server's status when it refused.
    pub http_status: Option<u16>,
    pub content_type: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
    pub byte_len: Option<u64>,
    /// SHA-256 (hex) of the bytes kept.
    pub sha256: Option<String>,
    /// Why nothing was kept (the capture failed); `None` when bytes were kept.
    pub failure: Option<String>,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub captured_at: DateTime<Utc>,
    /// Which software captured it and how (`None` for captures older than this field).
    pub capture_method: Option<String>,
    /// Whether the capture's WARC records are kept (captures made before they were are not).
    pub warc: bool,
}

/// How captures are made, written into every evidence row and report.
pub const HTTP_CAPTURE_METHOD: &str = concat!(
    "Takeback ",
    env!("CARGO_PKG_VERSION"),
    ": one HTTP GET per address (reqwest with rustls), robots.txt obeyed, redirects followed \
     one by one, Accept-Encoding: identity; kept as WARC/1.1 request and response records \
     with the headers as sent and received (names in lower case) and the body as received"
);

/// How a file found by a folder scan is captured.
pub const FILE_CAPTURE_METHOD: &str = concat!(
    "Takeback ",
    env!("CARGO_PKG_VERSION"),
    ": the file read from this computer; kept as a WARC/1.1 resource record"
);

/// A confirmation with the evidence captured for it. Serialises as the finding's own fields
/// plus `evidence`, so a reader of a plain confirmation's JSON reads this one unchanged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Confirmed {
    #[serde(flatten)]
    pub finding: Finding,
    pub evidence: Vec<EvidenceRecord>,
}

/// The result of one bounded GET, as evidence and re-checks see it.
pub(crate) enum FetchResult {
    Fetched {
        final_url: Url,
        content_type: String,
        body: Vec<u8>,
        /// The HTTP heads; `None` for a file read from this computer.
        exchange: Option<Box<Exchange>>,
    },
    Failed {
        http_status: Option<u16>,
        reason: SkipReason,
    },
}

/// GETs `address` (an image or a page) under the crawler's rules.
pub(crate) fn fetch(
    fetcher: &mut Fetcher,
    runtime: &tokio::runtime::Runtime,
    address: &str,
    want: Want,
    cancel: &CancellationToken,
) -> FetchResult {
    let Ok(url) = Url::parse(address) else {
        return FetchResult::Failed {
            http_status: None,
            reason: SkipReason::Unsupported,
        };
    };
    match runtime.block_on(fetcher.fetch(url, want, None, cancel)) {
        Ok(fetched) => FetchResult::Fetched {
            final_url: fetched.url,
            content_type: fetched.content_type,
            body: fetched.body,
            exchange: Some(Box::new(fetched.exchange)),
        },
        Err(reason) => FetchResult::Failed {
            http_status: match reason {
                SkipReason::HttpStatus(status) => Some(status),
                _ => None,
            },
            reason,
        },
    }
}

/// Says why a fetch failed, in words for the owner; never contains the address.
pub(crate) fn describe_failure(reason: SkipReason) -> String {
    match reason {
        // The crawler reads an unreachable robots.txt as "disallow everything" (RFC 9309), so
        // this is also what a site that is down produces.
        SkipReason::Robots => {
            "the site could not be reached, or its robots.txt does not allow fetching it".into()
        }
        SkipReason::OffSite => "a redirect left the site".into(),
        SkipReason::LocalNetwork => "the address is on this computer or a private network; \
            allow the local network to fetch it"
            .into(),
        SkipReason::TooManyRedirects => "too many redirects".into(),
        SkipReason::TooLarge => "larger than the size limit, so it was not kept".into(),
        SkipReason::NotHtml => "the page is not HTML".into(),
        SkipReason::NotAnImage => "the address no longer serves an image".into(),
        SkipReason::HttpStatus(status) => format!("the server answered HTTP {status}"),
        SkipReason::Timeout => "the server did not answer in time".into(),
        SkipReason::Network => "the server could not be reached".into(),
        SkipReason::Unsupported => "not an http(s) address".into(),
        SkipReason::BudgetExhausted => "the download budget ran out".into(),
        SkipReason::RateLimited => "the server asked to be left alone for now; try later".into(),
        SkipReason::Cancelled => "cancelled".into(),
    }
}

/// "This is me", with the evidence: fetches the finding's image and page under `options`
/// first, then marks the finding confirmed (as [`super::confirm`]) and keeps what was fetched in
/// the vault, in one transaction. A crash during the fetch leaves the finding as it was, never
/// confirmed without its evidence. A failed fetch still confirms; its evidence row says why.
/// Blocks the calling thread (it runs its own small runtime): call it from a plain thread or
/// `spawn_blocking`, never from inside an async task.
pub fn confirm_with_evidence(
    vault: &Vault,
    id: i64,
    options: &FetchOptions,
    now: DateTime<Utc>,
) -> Result<Confirmed> {
    let finding = get(vault.conn(), id)?;
    let fetched = gather(&finding, options, None)?;
    let conn = vault.conn();
    let tx = crate::storage::vault::write_transaction(conn)?;
    super::review_in(&tx, id, FindingStatus::Confirmed, now)?;
    let ids = store_all(vault, &tx, finding.id, fetched, now)?;
    tx.commit()
        .map_err(|e| storage("confirming a finding with its evidence", e))?;
    let finding = get(conn, id)?;
    let evidence = evidence(conn, id)?
        .into_iter()
        .filter(|e| ids.contains(&e.id))
        .collect();
    Ok(Confirmed { finding, evidence })
}

/// Captures the image and page of `finding` now (also usable to capture again later).
pub fn capture(
    vault: &Vault,
    finding: &Finding,
    options: &FetchOptions,
    now: DateTime<Utc>,
) -> Result<Vec<EvidenceRecord>> {
    capture_with(vault, finding, options, None, now)
}

/// [`capture`] with a fetcher the caller already holds (a re-check keeps its per-host pacing).
pub(crate) fn capture_with(
    vault: &Vault,
    finding: &Finding,
    options: &FetchOptions,
    network: Option<(&mut Fetcher, &tokio::runtime::Runtime)>,
    now: DateTime<Utc>,
) -> Result<Vec<EvidenceRecord>> {
    let fetched = gather(finding, options, network)?;
    let conn = vault.conn();
    let tx = crate::storage::vault::write_transaction(conn)?;
    let ids = store_all(vault, &tx, finding.id, fetched, now)?;
    tx.commit()
        .map_err(|e| storage("keeping the evidence", e))?;
    let all = evidence(conn, finding.id)?;
    Ok(all.into_iter().filter(|e| ids.contains(&e.id)).collect())
}

/// One address fetched for the evidence, and what came back.
type Gathered = Vec<(EvidenceKind, String, FetchResult)>;

/// Fetches the image and page of `finding` (or reads the file of a folder scan's finding),
/// writing nothing. `network` is a fetcher the caller holds; without one a fresh one is made.
fn gather(
    finding: &Finding,
    options: &FetchOptions,
    network: Option<(&mut Fetcher, &tokio::runtime::Runtime)>,
) -> Result<Gathered> {
    if finding.image_url.starts_with("file:") {
        // A folder scan's image: read the file itself (bounded), no network.
        return Ok(vec![(
            EvidenceKind::Image,
            finding.image_url.clone(),
            read_local(&finding.image_url, options.max_image_bytes),
        )]);
    }
    let Some((fetcher, runtime)) = network else {
        let (mut fetcher, runtime) = options.fetcher()?;
        return gather(finding, options, Some((&mut fetcher, &runtime)));
    };
    let mut targets = vec![(EvidenceKind::Image, finding.image_url.clone())];
    if let Some(page) = finding.page_url.as_deref() {
        if page != finding.image_url {
            targets.push((EvidenceKind::Page, page.to_owned()));
        }
    }
    let cancel = CancellationToken::new();
    Ok(targets
        .into_iter()
        .map(|(kind, address)| {
            let want = match kind {
                EvidenceKind::Image => Want::Image,
                EvidenceKind::Page => Want::Page,
            };
            let result = fetch(fetcher, runtime, &address, want, &cancel);
            (kind, address, result)
        })
        .collect())
}

/// Keeps what [`gather`] fetched, in `tx`; returns the new evidence rows' ids.
fn store_all(
    vault: &Vault,
    tx: &Connection,
    finding_id: i64,
    fetched: Gathered,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    fetched
        .into_iter()
        .map(|(kind, address, result)| store(vault, tx, finding_id, kind, &address, result, now))
        .collect()
}

fn read_local(address: &str, limit: usize) -> FetchResult {
    let failed = |reason| FetchResult::Failed {
        http_status: None,
        reason,
    };
    let Ok(url) = Url::parse(address) else {
        return failed(SkipReason::Unsupported);
    };
    let Ok(path) = url.to_file_path() else {
        return failed(SkipReason::Unsupported);
    };
    match std::fs::metadata(&path) {
        Ok(meta) if meta.len() > limit as u64 => failed(SkipReason::TooLarge),
        Ok(_) => match std::fs::read(&path) {
            Ok(body) if body.len() <= limit => FetchResult::Fetched {
                final_url: url,
                content_type: String::new(),
                body,
                exchange: None,
            },
            Ok(_) => failed(SkipReason::TooLarge),
            Err(_) => failed(SkipReason::Network),
        },
        Err(_) => failed(SkipReason::Network),
    }
}

fn store(
    vault: &Vault,
    tx: &Connection,
    finding_id: i64,
    kind: EvidenceKind,
    address: &str,
    result: FetchResult,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut warc_blob = None;
    let mut method = None;
    let (final_url, http_status, content_type, blob, byte_len, sha256, failure) = match result {
        FetchResult::Fetched {
            final_url,
            content_type,
            body,
            exchange,
        } => {
            let digest = hex::encode(Sha256::digest(&body));
            let blob = vault.blobs().put(tx, &body, now)?;
            let records = match &exchange {
                Some(exchange) => super::warc::http_capture(&final_url, exchange, &body, now)?,
                None => super::warc::resource(&final_url, &content_type, &body, now)?,
            };
            warc_blob = Some(vault.blobs().put(tx, &records, now)?.to_string());
            method = Some(if exchange.is_some() {
                HTTP_CAPTURE_METHOD
            } else {
                FILE_CAPTURE_METHOD
            });
            let status = exchange.as_ref().map(|e| e.status);
            (
                Some(final_url.to_string()),
                status,
                Some(content_type).filter(|c| !c.is_empty()),
                Some(blob.to_string()),
                Some(body.len() as u64),
                Some(digest),
                None,
            )
        }
        FetchResult::Failed {
            http_status,
            reason,
        } => (
            None,
            http_status,
            None,
            None,
            None,
            None,
            Some(describe_failure(reason)),
        ),
    };
    tx.execute(
        "INSERT INTO evidence (finding_id, kind, requested_url, final_url, http_status,
             content_type, blob_id, byte_len, sha256, failure, captured_at, warc_blob_id,
             capture_method)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            finding_id,
            kind.as_str(),
            address,
            final_url,
            http_status,
            content_type,
            blob,
            byte_len.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            sha256,
            failure,
            now.to_rfc3339(),
            warc_blob,
            method,
        ],
    )
    .map_err(|e| storage("keeping the evidence", e))?;
    let evidence_id = tx.last_insert_rowid();
    audit::append(
        tx,
        audit::NewEntry::new("owner", "finding.evidence_captured")
            .subject(address.as_bytes())
            .detail(serde_json::json!({
                "finding": finding_id,
                "evidence": evidence_id,
                "kind": kind.as_str(),
                "http_status": http_status,
                "sha256": sha256,
                "byte_len": byte_len,
                "captured": failure.is_none(),
            })),
        now,
    )?;
    Ok(evidence_id)
}

/// The evidence kept for a finding, oldest first (empty when none was captured).
pub fn evidence(conn: &Connection, finding_id: i64) -> Result<Vec<EvidenceRecord>> {
    // An unknown id is an error, not an empty list.
    get(conn, finding_id)?;
    let mut statement = conn
        .prepare(
            "SELECT id, finding_id, kind, requested_url, final_url, http_status, content_type,
                    byte_len, sha256, failure, captured_at, capture_method,
                    warc_blob_id IS NOT NULL
             FROM evidence WHERE finding_id = ?1 ORDER BY id",
        )
        .map_err(|e| storage("listing evidence", e))?;
    let rows = statement
        .query_map([finding_id], |r| {
            let kind: String = r.get(2)?;
            Ok(EvidenceRecord {
                id: r.get(0)?,
                finding_id: r.get(1)?,
                kind: if kind == "page" {
                    EvidenceKind::Page
                } else {
                    EvidenceKind::Image
                },
                requested_url: r.get(3)?,
                final_url: r.get(4)?,
                http_status: r.get(5)?,
                content_type: r.get(6)?,
                byte_len: r
                    .get::<_, Option<i64>>(7)?
                    .map(|n| u64::try_from(n).unwrap_or(0)),
                sha256: r.get(8)?,
                failure: r.get(9)?,
                captured_at: super::parse_time(10, &r.get::<_, String>(10)?)?,
                capture_method: r.get(11)?,
                warc: r.get(12)?,
            })
        })
        .map_err(|e| storage("listing evidence", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing evidence", e))?;
    Ok(rows)
}

/// The bytes of one capture, decrypted; `None` when the capture failed and kept nothing.
pub fn evidence_bytes(
    vault: &Vault,
    record: &EvidenceRecord,
) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    evidence_blob(vault, record, "blob_id")
}

/// The WARC records of one capture (WARC/1.1, uncompressed), decrypted; `None` when the capture
/// failed, or was made before WARC records were kept.
pub fn evidence_warc(
    vault: &Vault,
    record: &EvidenceRecord,
) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    evidence_blob(vault, record, "warc_blob_id")
}

/// Whether some capture of a finding kept its WARC records (one confirmed before they were kept
/// has none until a re-check captures it again).
pub fn has_warc(conn: &Connection, finding_id: i64) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM evidence
                        WHERE finding_id = ?1 AND warc_blob_id IS NOT NULL)",
        [finding_id],
        |r| r.get(0),
    )
    .map_err(|e| storage("reading evidence", e))
}

fn evidence_blob(
    vault: &Vault,
    record: &EvidenceRecord,
    column: &'static str,
) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    let blob: Option<String> = vault
        .conn()
        .query_row(
            &format!("SELECT {column} FROM evidence WHERE id = ?1"),
            [record.id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading evidence", e))?
        .flatten();
    match blob {
        Some(blob) => Ok(Some(
            vault.blobs().get(vault.conn(), &BlobId::parse(&blob)?)?,
        )),
        None => Ok(None),
    }
}
