//! SerpApi's Google Lens engine (research/providers.md §4): the photo is uploaded as multipart
//! `image` (+ `api_key`) to `image`, which returns an `image_id` valid for 10 minutes; then
//! `search.json?engine=google_lens&image_id=…&type=exact_matches` finds copies. The key travels
//! as the `api_key` parameter, as the API requires, so URLs are never logged or shown. The
//! balance is `account.json`'s `total_searches_left`.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::error::provider_text;
use super::http::{ProviderHttp, Reply};
use super::{
    check_query, ApiKey, ApprovedQuery, CandidateHit, Credits, MatchKind, ProviderConfig,
    ProviderError, ProviderId, SearchOutcome, SearchProvider,
};

const PROVIDER: ProviderId = ProviderId::SerpApiLens;

#[derive(Debug)]
pub struct SerpApiLens {
    http: ProviderHttp,
    key: ApiKey,
}

impl SerpApiLens {
    pub fn new(config: ProviderConfig, key: ApiKey) -> Result<Self, ProviderError> {
        Ok(Self {
            http: ProviderHttp::new(PROVIDER, config)?,
            key,
        })
    }

    fn message(&self, reply: &Reply) -> Option<String> {
        reply.json_or_null()["error"]
            .as_str()
            .and_then(|text| provider_text(text, self.key.expose()))
    }

    /// SerpApi errors are `{"error": "<text>"}` with 400/401/403/429/5xx. A 429 means either
    /// the hourly limit (wait) or an empty account (buy searches): only the text tells.
    fn error_for(&self, reply: &Reply) -> ProviderError {
        let message = self.message(reply);
        let status = reply.status.as_u16();
        match status {
            401 | 403 => ProviderError::BadKey {
                provider: PROVIDER,
                message,
            },
            429 if out_of_searches(message.as_deref()) => {
                ProviderError::CreditsExhausted { provider: PROVIDER }
            }
            429 => ProviderError::RateLimited {
                provider: PROVIDER,
                retry_after: reply.retry_after,
            },
            500..=599 => ProviderError::Unavailable {
                provider: PROVIDER,
                status,
            },
            _ => ProviderError::Rejected {
                provider: PROVIDER,
                status,
                message,
            },
        }
    }

    fn retryable(reply: &Reply) -> bool {
        let out_of = || out_of_searches(reply.json_or_null()["error"].as_str());
        (reply.status == StatusCode::TOO_MANY_REQUESTS && !out_of())
            || reply.status.is_server_error()
    }

    async fn upload(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> Result<String, ProviderError> {
        let url = self.http.endpoint("image")?;
        let upload = query.upload();
        let build = || {
            let part = Part::bytes(upload.bytes().to_vec())
                .file_name("image.jpg")
                .mime_str(upload.media_type())
                .unwrap_or_else(|_| Part::bytes(upload.bytes().to_vec()).file_name("image.jpg"));
            let form = Form::new()
                .part("image", part)
                .text("api_key", self.key.expose().clone());
            self.http.client().post(url.clone()).multipart(form)
        };
        let reply = self.http.exchange(build, Self::retryable, cancel).await?;
        if !reply.status.is_success() {
            return Err(self.error_for(&reply));
        }
        let body = reply.json(PROVIDER)?;
        body["image_id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| match body["error"].as_str() {
                Some(text) => ProviderError::Rejected {
                    provider: PROVIDER,
                    status: reply.status.as_u16(),
                    message: provider_text(text, self.key.expose()),
                },
                None => ProviderError::Malformed {
                    provider: PROVIDER,
                    reason: "no `image_id` in the upload answer".into(),
                },
            })
    }
}

fn out_of_searches(message: Option<&str>) -> bool {
    message.is_some_and(|m| m.to_ascii_lowercase().contains("run out of searches"))
}

impl SearchProvider for SerpApiLens {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    async fn search(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> Result<SearchOutcome, ProviderError> {
        check_query(PROVIDER, query)?;
        let image_id = self.upload(query, cancel).await?;
        let url = self.http.endpoint("search.json")?;
        let build = || {
            self.http.client().get(url.clone()).query(&[
                ("engine", "google_lens"),
                ("image_id", image_id.as_str()),
                ("type", "exact_matches"),
                ("api_key", self.key.expose().as_str()),
            ])
        };
        let reply = self.http.exchange(build, Self::retryable, cancel).await?;
        if !reply.status.is_success() {
            return Err(self.error_for(&reply));
        }
        let body = reply.json(PROVIDER)?;
        let status = body["search_metadata"]["status"]
            .as_str()
            .unwrap_or_default();
        let hits = match status {
            "Success" => parse_exact_matches(&body),
            "Error" => {
                return Err(ProviderError::SearchFailed {
                    provider: PROVIDER,
                    message: self.message(&reply),
                })
            }
            _ => {
                return Err(ProviderError::Malformed {
                    provider: PROVIDER,
                    reason: "the search is not marked finished (`search_metadata.status`)".into(),
                })
            }
        };
        let credits = self.credits(cancel).await.ok().flatten();
        Ok(SearchOutcome {
            hits,
            credits,
            raw: body,
        })
    }

    async fn credits(&self, cancel: &CancellationToken) -> Result<Option<Credits>, ProviderError> {
        let url = self.http.endpoint("account.json")?;
        let build = || {
            self.http
                .client()
                .get(url.clone())
                .query(&[("api_key", self.key.expose().as_str())])
        };
        let reply = self.http.exchange(build, Self::retryable, cancel).await?;
        if !reply.status.is_success() {
            return Err(self.error_for(&reply));
        }
        let body = reply.json(PROVIDER)?;
        let remaining = body["total_searches_left"]
            .as_u64()
            .or_else(|| body["plan_searches_left"].as_u64())
            .ok_or_else(|| ProviderError::Malformed {
                provider: PROVIDER,
                reason: "no `total_searches_left` in the account answer".into(),
            })?;
        Ok(Some(Credits {
            remaining,
            unit: "searches",
        }))
    }
}

/// `exact_matches[]`: `link` is the page, `thumbnail` a SerpApi-hosted copy; exact matches carry
/// no original image URL, so the page is fetched and searched for the image when re-checked.
/// An empty result is still a `Success` (often with an "no results" `error` text).
pub(super) fn parse_exact_matches(body: &Value) -> Vec<CandidateHit> {
    body["exact_matches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|found| {
            let page = found["link"].as_str()?;
            let mut hit = CandidateHit::new(PROVIDER, MatchKind::Exact);
            hit.page_url = Some(page.to_owned());
            hit.page_title = found["title"].as_str().map(str::to_owned);
            hit.thumbnail_url = found["thumbnail"].as_str().map(str::to_owned);
            hit.image_url = found["image"].as_str().map(str::to_owned);
            hit.seen = found["date"].as_str().map(str::to_owned);
            Some(hit)
        })
        .collect()
}
