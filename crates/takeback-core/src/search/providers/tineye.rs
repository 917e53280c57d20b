//! TinEye API (research/providers.md §1): `x-api-key` header, multipart `image_upload` to
//! `search/`, balance from `remaining_searches/`. A copy finder: it finds exact, cropped and
//! edited copies of the photo, not other photos of the face.

use reqwest::header::HeaderValue;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::error::provider_text;
use super::http::{is_rate_limited_or_overloaded, key_header, ProviderHttp, Reply};
use super::{
    check_query, ApiKey, ApprovedQuery, CandidateHit, Credits, MatchKind, ProviderConfig,
    ProviderError, ProviderId, SearchOutcome, SearchProvider,
};

const PROVIDER: ProviderId = ProviderId::TinEye;

#[derive(Debug)]
pub struct TinEye {
    http: ProviderHttp,
    key: ApiKey,
}

impl TinEye {
    pub fn new(config: ProviderConfig, key: ApiKey) -> Result<Self, ProviderError> {
        Ok(Self {
            http: ProviderHttp::new(PROVIDER, config)?,
            key,
        })
    }

    fn key_header(&self) -> Result<HeaderValue, ProviderError> {
        key_header(PROVIDER, &self.key)
    }

    /// Maps a non-success answer. TinEye reports errors both as the HTTP status and as the
    /// body's `code`, with `messages: ["TYPE", "human text"]` (pytineye checks both).
    fn error_for(&self, status: u16, reply: &Reply) -> ProviderError {
        let body = reply.json_or_null();
        let message = body["messages"]
            .as_array()
            .and_then(|messages| messages.iter().rev().find_map(Value::as_str))
            .and_then(|text| provider_text(text, self.key.expose()));
        ProviderError::from_status(PROVIDER, status, reply.retry_after, message)
    }

    /// The answer's JSON if both the HTTP status and the body's `code` say success.
    fn success_body(&self, reply: &Reply) -> Result<Value, ProviderError> {
        if reply.status != StatusCode::OK {
            return Err(self.error_for(reply.status.as_u16(), reply));
        }
        let body = reply.json(PROVIDER)?;
        match body["code"].as_u64() {
            Some(200) => Ok(body),
            Some(code) => Err(self.error_for(u16::try_from(code).unwrap_or(500), reply)),
            None => Err(ProviderError::Malformed {
                provider: PROVIDER,
                reason: "no `code` in the answer".into(),
            }),
        }
    }
}

impl SearchProvider for TinEye {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    async fn search(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> Result<SearchOutcome, ProviderError> {
        check_query(PROVIDER, query)?;
        let url = self.http.endpoint("search/")?;
        let key = self.key_header()?;
        let upload = query.upload();
        let limit = self.http.config().max_results.to_string();
        let build = || {
            // pytineye sends the file as `image.jpg`; the parameters go as form fields.
            let part = Part::bytes(upload.bytes().to_vec())
                .file_name("image.jpg")
                .mime_str(upload.media_type())
                .unwrap_or_else(|_| Part::bytes(upload.bytes().to_vec()).file_name("image.jpg"));
            let form = Form::new()
                .part("image_upload", part)
                .text("limit", limit.clone());
            self.http
                .client()
                .post(url.clone())
                .header("x-api-key", key.clone())
                .multipart(form)
        };
        let reply = self
            .http
            .exchange(build, is_rate_limited_or_overloaded, cancel)
            .await?;
        let body = self.success_body(&reply)?;
        let hits = parse_matches(&body)?;
        // The balance is free to read; a failure there does not spoil the search.
        let credits = self.credits(cancel).await.ok().flatten();
        Ok(SearchOutcome {
            hits,
            credits,
            raw: body,
        })
    }

    async fn credits(&self, cancel: &CancellationToken) -> Result<Option<Credits>, ProviderError> {
        let url = self.http.endpoint("remaining_searches/")?;
        let key = self.key_header()?;
        let build = || {
            self.http
                .client()
                .get(url.clone())
                .header("x-api-key", key.clone())
        };
        let reply = self
            .http
            .exchange(build, is_rate_limited_or_overloaded, cancel)
            .await?;
        let body = self.success_body(&reply)?;
        let results = &body["results"];
        let remaining = results["total_remaining_searches"].as_u64().or_else(|| {
            results["bundles"].as_array().map(|bundles| {
                bundles
                    .iter()
                    .filter_map(|b| b["remaining_searches"].as_u64())
                    .sum()
            })
        });
        match remaining {
            Some(remaining) => Ok(Some(Credits {
                remaining,
                unit: "searches",
            })),
            None => Err(ProviderError::Malformed {
                provider: PROVIDER,
                reason: "no remaining searches in the answer".into(),
            }),
        }
    }
}

/// `results.matches[]`, one hit per backlink: `backlinks[].url` is the image on the site,
/// `backlinks[].backlink` the page, the match's `image_url` TinEye's own copy (providers.md §7.4).
pub(super) fn parse_matches(body: &Value) -> Result<Vec<CandidateHit>, ProviderError> {
    let results = &body["results"];
    // An empty search may come back with `results: []` instead of `{matches: []}`.
    if results.as_array().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let matches = results["matches"]
        .as_array()
        .ok_or_else(|| ProviderError::Malformed {
            provider: PROVIDER,
            reason: "no `results.matches` in the answer".into(),
        })?;
    let mut hits = Vec::new();
    for found in matches {
        let score = found["score"].as_f64().map(|s| s as f32);
        let thumbnail = found["image_url"].as_str().map(str::to_owned);
        for backlink in found["backlinks"].as_array().into_iter().flatten() {
            let mut hit = CandidateHit::new(PROVIDER, MatchKind::Exact);
            hit.image_url = backlink["url"].as_str().map(str::to_owned);
            hit.page_url = backlink["backlink"].as_str().map(str::to_owned);
            hit.provider_score = score;
            hit.thumbnail_url = thumbnail.clone();
            hit.seen = backlink["crawl_date"].as_str().map(str::to_owned);
            if hit.image_url.is_some() || hit.page_url.is_some() {
                hits.push(hit);
            }
        }
    }
    Ok(hits)
}
