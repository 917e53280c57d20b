//! The remote part of a scan: one provider's search, then every candidate it returned fetched
//! and re-checked on this device.
//!
//! The provider's answer is stored (candidates in `scan_candidates`, the raw response as an
//! encrypted blob) in the same transaction that marks the search done, so a resumed job never
//! pays for the same search twice; each candidate is then checked and marked in its own
//! transaction with the finding it produced.

use base64::Engine as _;
use rusqlite::params;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::consent::{prepare_for, sha256_hex};
use super::jobs::{self, Counts};
use super::local::check_and_record;
use super::{Execution, ProviderRun, ProviderWhy, ScanPhase, ScanPlan};
use crate::base::error::storage;
use crate::face::matching::{self, OwnerReference};
use crate::search::crawl::fetch::{Fetcher, Want};
use crate::search::crawl::{extract, looks_like_an_image, CrawlLimits, SkipReason};
use crate::search::findings::{self, Evidence, SeenBy, Sighting, UnverifiedWhy};
use crate::search::providers::prepare::PrepareError;
use crate::search::providers::{accounts, ApprovedQuery, RemoteProvider, SearchProvider};
use crate::search::providers::{CandidateHit, ProviderId};
use crate::{storage::audit, Result};

/// Candidates taken from one search; providers are asked for fewer, this bounds a hostile answer.
const MAX_CANDIDATES: usize = 500;
/// A `data:` thumbnail larger than this is not decoded.
const MAX_INLINE_IMAGE: usize = 4 * 1024 * 1024;

pub(crate) fn run_provider(
    execution: &mut Execution<'_, '_>,
    plan: &ScanPlan,
    provider: ProviderId,
    reference: &OwnerReference,
) -> Result<ProviderRun> {
    let item = format!("provider:{}", provider.name());
    let conn = execution.ctx.vault.conn();
    if !jobs::is_done(conn, execution.job_id, &item)? {
        execution.emit(ScanPhase::Provider { provider }, 0, None);
        if let Err(skip) = search(execution, plan, provider, &item)? {
            let notice = format!("{provider} skipped: {skip}");
            let run = match skip {
                Skip::Skipped(why, reason) => ProviderRun::Skipped {
                    provider,
                    reason,
                    why,
                },
                Skip::Failed(why, reason) => ProviderRun::Failed {
                    provider,
                    reason,
                    why,
                },
            };
            execution.emit_skip(provider, notice, run.clone());
            return Ok(run);
        }
    }
    recheck(execution, plan, provider, reference)
}

/// Why a provider did not search: its code for the window, its English for the CLI.
enum Skip {
    Skipped(ProviderWhy, String),
    Failed(ProviderWhy, String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Skipped(_, reason) | Skip::Failed(_, reason) => f.write_str(reason),
        }
    }
}

/// Runs the search and stores its candidates; `Ok(Err(_))` when the provider did not run.
fn search(
    execution: &mut Execution<'_, '_>,
    plan: &ScanPlan,
    provider: ProviderId,
    item: &str,
) -> Result<Result<(), Skip>> {
    let ctx = execution.ctx;
    if !accounts::is_enabled(ctx.settings, provider) {
        return Ok(Err(Skip::Skipped(
            ProviderWhy::Disabled,
            accounts::AccountError::Disabled { provider }.to_string(),
        )));
    }
    let Some(consent) = plan.consents.iter().find(|c| c.provider == provider) else {
        execution.awaiting_permission = true;
        return Ok(Err(Skip::Skipped(
            ProviderWhy::NoConsent,
            "you did not consent to sending it your photo (nothing was sent)".into(),
        )));
    };
    let Some(photo_id) = plan.photo_id else {
        return Ok(Err(Skip::Skipped(
            ProviderWhy::NoPhoto,
            "it needs a photo to search with".into(),
        )));
    };
    let key = match accounts::ready(ctx.settings, ctx.keys, provider) {
        Ok(key) => key,
        Err(e) => match e.downcast_ref::<accounts::AccountError>() {
            Some(account) => {
                let why = match account {
                    accounts::AccountError::Disabled { .. } => ProviderWhy::Disabled,
                    accounts::AccountError::KeyMissing { .. } => ProviderWhy::NoKey,
                };
                return Ok(Err(Skip::Skipped(why, e.to_string())));
            }
            None => return Err(e),
        },
    };
    let upload = match prepare_for(ctx.vault, ctx.engine, photo_id, provider, execution.now()) {
        Ok(upload) => upload,
        Err(e) if e.downcast_ref::<crate::face::gate::GateRefusal>().is_some() => {
            return Ok(Err(Skip::Skipped(ProviderWhy::PhotoRefused, e.to_string())))
        }
        Err(e) if e.downcast_ref::<PrepareError>().is_some() => {
            return Ok(Err(Skip::Skipped(
                ProviderWhy::PhotoUnusable,
                e.to_string(),
            )))
        }
        Err(e) => return Err(e),
    };
    if sha256_hex(upload.bytes()) != consent.sha256 {
        return Ok(Err(Skip::Skipped(
            ProviderWhy::NotTheApprovedImage,
            "the image it would be sent is not the one you approved; look at the preview again"
                .into(),
        )));
    }
    let destination = super::consent::destination(ctx.settings, provider)?;
    if destination != consent.destination {
        return Ok(Err(Skip::Skipped(
            ProviderWhy::DestinationChanged {
                destination: destination.clone(),
            },
            format!(
                "its address changed to {destination} after you agreed to send your photo to it; look at the preview again (nothing was sent)"
            ),
        )));
    }
    let config = accounts::client_config(ctx.settings, provider)?;
    let client = RemoteProvider::new(provider, config, key)?;
    audit::append(
        ctx.vault.conn(),
        audit::NewEntry::new("owner", "provider.search")
            .subject(upload.bytes())
            .detail(serde_json::json!({ "provider": provider, "destination": destination, "job": execution.job_id, "bytes": upload.bytes().len() })),
        execution.now(),
    )?;
    let query = ApprovedQuery::new(upload);
    let cancel: &CancellationToken = execution.cancel;
    let outcome = match execution.runtime.block_on(client.search(&query, cancel)) {
        Ok(outcome) => outcome,
        Err(e) => return Ok(Err(Skip::Failed(ProviderWhy::of_error(&e), e.to_string()))),
    };
    let now = execution.now();
    let vault = ctx.vault;
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    let raw = serde_json::to_vec(&outcome.raw).unwrap_or_default();
    let blob = vault.blobs().put(&tx, &raw, now)?;
    tx.execute(
        "INSERT INTO provider_responses (job_id, provider, blob_id, hits, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![execution.job_id, provider.name(), blob.as_str(), i64::try_from(outcome.hits.len()).unwrap_or(i64::MAX), now.to_rfc3339()],
    )
    .map_err(|e| storage("recording a provider's answer", e))?;
    for hit in outcome.hits.iter().take(MAX_CANDIDATES) {
        insert_candidate(&tx, execution.job_id, hit)?;
    }
    if let Some(credits) = outcome.credits {
        accounts::record_credits(&tx, provider, credits, now)?;
    }
    jobs::mark_done(&tx, execution.job_id, item, Counts::default(), now)?;
    tx.commit()
        .map_err(|e| storage("recording a provider's answer", e))?;
    Ok(Ok(()))
}

fn insert_candidate(tx: &rusqlite::Connection, job: i64, hit: &CandidateHit) -> Result<()> {
    let kind = serde_json::to_value(hit.match_kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    tx.execute(
        "INSERT INTO scan_candidates (job_id, provider, match_kind, image_url, page_url, score, thumbnail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            job,
            hit.provider.name(),
            kind,
            hit.image_url,
            hit.page_url,
            hit.provider_score.map(f64::from),
            hit.thumbnail_url
        ],
    )
    .map_err(|e| storage("recording a provider's answer", e))?;
    Ok(())
}

struct Candidate {
    id: i64,
    image_url: Option<String>,
    page_url: Option<String>,
    score: Option<f64>,
    thumbnail: Option<String>,
}

/// Fetches and checks every candidate of `provider` in this job not yet checked.
fn recheck(
    execution: &mut Execution<'_, '_>,
    plan: &ScanPlan,
    provider: ProviderId,
    reference: &OwnerReference,
) -> Result<ProviderRun> {
    let conn = execution.ctx.vault.conn();
    let all = candidates(conn, execution.job_id, provider)?;
    let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
    // Single addresses a service named, on sites that may be the poster's: a browser's name,
    // not Takeback's.
    let mut fetcher = Fetcher::new(CrawlLimits {
        allow_local_network: plan.allow_local_network,
        per_host_interval: std::time::Duration::from_millis(200),
        user_agent: crate::base::network::GENERIC_USER_AGENT.to_owned(),
        proxy: execution.ctx.settings.proxy(),
        ..CrawlLimits::default()
    })?;
    for (index, (candidate, checked)) in all.iter().enumerate() {
        if execution.cancel.is_cancelled() {
            break;
        }
        let done = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if *checked {
            continue;
        }
        execution.emit(
            ScanPhase::Recheck {
                provider,
                done,
                total,
            },
            0,
            None,
        );
        let item = format!("candidate:{}", candidate.id);
        // The address the finding is filed under: the image, else the page it was seen on.
        let Some(address) = candidate
            .image_url
            .clone()
            .or_else(|| candidate.page_url.clone())
        else {
            mark_checked(execution, &item)?;
            continue;
        };
        if candidate.image_url.is_none() {
            check_page(
                execution,
                &mut fetcher,
                provider,
                candidate,
                &item,
                reference,
            )?;
            continue;
        }
        match fetch_candidate(execution, &mut fetcher, candidate) {
            Ok(bytes) => {
                let counts = Counts {
                    images: 1,
                    ..Counts::default()
                };
                let verdict = check_and_record(
                    execution,
                    &item,
                    &address,
                    candidate.page_url.as_deref(),
                    SeenBy::Provider(provider),
                    &bytes,
                    reference,
                    counts,
                )?;
                if verdict.is_hit() {
                    set_score(execution, &address, provider, candidate.score)?;
                }
            }
            Err(reason) => {
                record_unverified(execution, provider, candidate, &address, &item, reason)?
            }
        }
    }
    let (confirmed, unverified) = provider_tally(conn, execution.job_id, provider)?;
    Ok(ProviderRun::Ran {
        provider,
        candidates: total,
        confirmed_on_device: confirmed,
        unverified,
    })
}

fn candidates(
    conn: &rusqlite::Connection,
    job: i64,
    provider: ProviderId,
) -> Result<Vec<(Candidate, bool)>> {
    let mut statement = conn
        .prepare(
            "SELECT c.id, c.image_url, c.page_url, c.score, c.thumbnail,
                    EXISTS (SELECT 1 FROM scan_job_items i
                            WHERE i.job_id = c.job_id AND i.item = 'candidate:' || c.id)
             FROM scan_candidates c WHERE c.job_id = ?1 AND c.provider = ?2 ORDER BY c.id",
        )
        .map_err(|e| storage("reading a provider's candidates", e))?;
    let rows = statement
        .query_map(params![job, provider.name()], |r| {
            Ok((
                Candidate {
                    id: r.get(0)?,
                    image_url: r.get(1)?,
                    page_url: r.get(2)?,
                    score: r.get(3)?,
                    thumbnail: r.get(4)?,
                },
                r.get::<_, bool>(5)?,
            ))
        })
        .map_err(|e| storage("reading a provider's candidates", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading a provider's candidates", e))?;
    Ok(rows)
}

/// The candidate's bytes: the image at its address, else an inline `data:` thumbnail (FaceCheck
/// sends the matched face that way). The error is the reason it stays unverified.
fn fetch_candidate(
    execution: &Execution<'_, '_>,
    fetcher: &mut Fetcher,
    candidate: &Candidate,
) -> Result<Vec<u8>, UnverifiedWhy> {
    if let Some(address) = &candidate.image_url {
        let url = Url::parse(address).map_err(|_| UnverifiedWhy::NotAUrl)?;
        return match execution.runtime.block_on(fetcher.fetch(
            url,
            Want::Image,
            None,
            execution.cancel,
        )) {
            Ok(fetched) if looks_like_an_image(&fetched.body) => Ok(fetched.body),
            Ok(_) => Err(UnverifiedWhy::NoImageAnyMore),
            Err(reason) => Err(UnverifiedWhy::NotFetched {
                fetch: reason.into(),
            }),
        };
    }
    if let Some(data) = candidate
        .thumbnail
        .as_deref()
        .and_then(|t| t.strip_prefix("data:"))
    {
        let (_, payload) = data
            .split_once(";base64,")
            .ok_or(UnverifiedWhy::PreviewNotBase64)?;
        if payload.len() > MAX_INLINE_IMAGE {
            return Err(UnverifiedWhy::PreviewTooLarge);
        }
        return base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .map_err(|_| UnverifiedWhy::PreviewInvalid);
    }
    Err(UnverifiedWhy::NoImageNamed)
}

/// A hit that names only a page (FaceCheck's, SerpApi's exact matches). When the provider's
/// preview shows someone else, that is the end of it. Otherwise the page's images are checked
/// and the finding is filed under the first that shows the owner, with its own digest and PDQ
/// hash, since a letter must name the exact material; when none does, it stays unverified and
/// says why.
fn check_page(
    execution: &mut Execution<'_, '_>,
    fetcher: &mut Fetcher,
    provider: ProviderId,
    candidate: &Candidate,
    item: &str,
    reference: &OwnerReference,
) -> Result<()> {
    let Some(page) = candidate.page_url.as_deref() else {
        return mark_checked(execution, item);
    };
    let counts = Counts {
        images: 1,
        ..Counts::default()
    };
    if let Ok(preview) = fetch_candidate(execution, fetcher, candidate) {
        let shows_owner = matching::check_image(execution.ctx.engine, reference, &preview)
            .is_ok_and(|check| check.verdict.is_hit());
        if !shows_owner {
            // Checked, and not a finding (nothing is recorded for someone else's face).
            check_and_record(
                execution,
                item,
                page,
                Some(page),
                SeenBy::Provider(provider),
                &preview,
                reference,
                counts,
            )?;
            return Ok(());
        }
    }
    match find_on_page(execution, fetcher, page, reference) {
        Ok((image_url, bytes)) => {
            let verdict = check_and_record(
                execution,
                item,
                image_url.as_str(),
                Some(page),
                SeenBy::Provider(provider),
                &bytes,
                reference,
                counts,
            )?;
            if verdict.is_hit() {
                set_score(execution, image_url.as_str(), provider, candidate.score)?;
            }
            Ok(())
        }
        Err(reason) => record_unverified(execution, provider, candidate, page, item, reason),
    }
}

/// Images of one page checked for a page-only hit, at most.
const MAX_PAGE_IMAGES: usize = 24;

/// The first image on `page` that shows the owner (`img`, `srcset`, `picture`, `og:image`,
/// linked image files, in page order), with its bytes; or why there is none.
fn find_on_page(
    execution: &Execution<'_, '_>,
    fetcher: &mut Fetcher,
    page: &str,
    reference: &OwnerReference,
) -> Result<(Url, Vec<u8>), UnverifiedWhy> {
    let url = Url::parse(page).map_err(|_| UnverifiedWhy::PageNotAUrl)?;
    let fetched = execution
        .runtime
        .block_on(fetcher.fetch(url, Want::Page, None, execution.cancel))
        .map_err(|reason| UnverifiedWhy::PageNotFetched {
            fetch: reason.into(),
        })?;
    let html = String::from_utf8_lossy(&fetched.body);
    let images = extract::extract_links(&html, &fetched.url, MAX_PAGE_IMAGES).images;
    if images.is_empty() {
        return Err(UnverifiedWhy::PageHasNoImage);
    }
    let total = images.len();
    let mut unreadable = 0;
    for image_url in images {
        if execution.cancel.is_cancelled() {
            return Err(UnverifiedWhy::NotFetched {
                fetch: SkipReason::Cancelled.into(),
            });
        }
        let image = execution.runtime.block_on(fetcher.fetch(
            image_url,
            Want::Image,
            None,
            execution.cancel,
        ));
        match image {
            Ok(image) if looks_like_an_image(&image.body) => {
                let shows_owner =
                    matching::check_image(execution.ctx.engine, reference, &image.body)
                        .is_ok_and(|check| check.verdict.is_hit());
                if shows_owner {
                    return Ok((image.url, image.body));
                }
            }
            _ => unreadable += 1,
        }
    }
    Err(UnverifiedWhy::NoneShowsYou {
        total: u32::try_from(total).unwrap_or(u32::MAX),
        unreadable,
    })
}

fn mark_checked(execution: &mut Execution<'_, '_>, item: &str) -> Result<()> {
    let conn = execution.ctx.vault.conn();
    jobs::mark_done(
        conn,
        execution.job_id,
        item,
        Counts::default(),
        execution.now(),
    )
}

fn record_unverified(
    execution: &mut Execution<'_, '_>,
    provider: ProviderId,
    candidate: &Candidate,
    address: &str,
    item: &str,
    why: UnverifiedWhy,
) -> Result<()> {
    if execution.cancel.is_cancelled() {
        // Not a property of the image: leave it for the resumed job.
        return Ok(());
    }
    let now = execution.now();
    let vault = execution.ctx.vault;
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    findings::record(
        vault,
        &tx,
        &Sighting {
            image_url: address,
            page_url: candidate.page_url.as_deref(),
            seen_by: SeenBy::Provider(provider),
            provider_score: candidate.score.map(|s| s as f32),
            evidence: Evidence::Unverified { why },
        },
        Some(execution.job_id),
        now,
    )?;
    jobs::mark_done(&tx, execution.job_id, item, Counts::default(), now)?;
    tx.commit()
        .map_err(|e| storage("recording an unverified candidate", e))?;
    Ok(())
}

fn set_score(
    execution: &Execution<'_, '_>,
    address: &str,
    provider: ProviderId,
    score: Option<f64>,
) -> Result<()> {
    let Some(score) = score else { return Ok(()) };
    execution
        .ctx
        .vault
        .conn()
        .execute(
            "UPDATE finding_providers SET score = ?1
             WHERE provider = ?2 AND finding_id = (SELECT id FROM findings WHERE url_key = ?3)",
            params![score, provider.name(), findings::url_key(address)],
        )
        .map_err(|e| storage("recording a provider's score", e))?;
    Ok(())
}

/// Findings of this job seen by `provider`: (checked on this device, unverified).
fn provider_tally(
    conn: &rusqlite::Connection,
    job: i64,
    provider: ProviderId,
) -> Result<(u32, u32)> {
    conn.query_row(
        "SELECT coalesce(sum(f.verdict != 'unverified'), 0), coalesce(sum(f.verdict = 'unverified'), 0)
         FROM findings f JOIN finding_providers p ON p.finding_id = f.id
         WHERE p.provider = ?1 AND f.last_seen >= (SELECT started_at FROM scan_jobs WHERE id = ?2)",
        params![provider.name(), job],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(|e| storage("counting a provider's findings", e))
}
