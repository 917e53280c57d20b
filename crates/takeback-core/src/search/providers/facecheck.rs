//! FaceCheck.ID (research/providers.md §3): a face finder. The raw token goes in `Authorization`
//! (no `Bearer`); the face crop is uploaded as multipart `images` to `api/upload_pic`, the search
//! is started and polled with `api/search` until it has an `output`, and the upload is deleted
//! with `api/delete_pic` whatever happened. `api/info` gives the balance; it is read before
//! uploading, so a face is never sent to an account that cannot search.

use std::time::Instant;

use reqwest::header::HeaderValue;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::error::provider_text;
use super::http::{is_rate_limited_or_overloaded, key_header, ProviderHttp, Reply};
use super::retry::RetryPolicy;
use super::{
    check_query, ApiKey, ApprovedQuery, CandidateHit, Credits, MatchKind, ProviderConfig,
    ProviderError, ProviderId, SearchOutcome, SearchProvider,
};

const PROVIDER: ProviderId = ProviderId::FaceCheck;

#[derive(Debug)]
pub struct FaceCheck {
    http: ProviderHttp,
    /// For `delete_pic` after a cancelled search: same bounds, but no retries and no token.
    cleanup: ProviderHttp,
    key: ApiKey,
}

/// The uploaded query image, to delete afterwards.
struct Upload {
    id_search: String,
    id_pics: Vec<String>,
}

impl FaceCheck {
    pub fn new(config: ProviderConfig, key: ApiKey) -> Result<Self, ProviderError> {
        let mut cleanup_config = config.clone();
        cleanup_config.retry = RetryPolicy::never();
        Ok(Self {
            http: ProviderHttp::new(PROVIDER, config)?,
            cleanup: ProviderHttp::new(PROVIDER, cleanup_config)?,
            key,
        })
    }

    fn token(&self) -> Result<HeaderValue, ProviderError> {
        key_header(PROVIDER, &self.key)
    }

    /// The body of a successful answer. FaceCheck reports most errors with HTTP 200 and
    /// `error`/`code` strings; the codes are not documented, so the text decides.
    fn checked_body(&self, reply: &Reply) -> Result<Value, ProviderError> {
        let status = reply.status.as_u16();
        if reply.status != StatusCode::OK {
            let message = reply.json_or_null()["error"]
                .as_str()
                .and_then(|text| provider_text(text, self.key.expose()));
            return Err(ProviderError::from_status(
                PROVIDER,
                status,
                reply.retry_after,
                message,
            ));
        }
        let body = reply.json(PROVIDER)?;
        let Some(error) = body["error"].as_str().filter(|e| !e.is_empty()) else {
            return Ok(body);
        };
        let code = body["code"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let text = format!("{} {}", error.to_ascii_lowercase(), code);
        let message = provider_text(error, self.key.expose());
        Err(
            if text.contains("token") || text.contains("auth") || text.contains("api key") {
                ProviderError::BadKey {
                    provider: PROVIDER,
                    message,
                }
            } else if text.contains("credit") {
                ProviderError::CreditsExhausted { provider: PROVIDER }
            } else {
                ProviderError::SearchFailed {
                    provider: PROVIDER,
                    message,
                }
            },
        )
    }

    async fn info(&self, cancel: &CancellationToken) -> Result<Value, ProviderError> {
        let url = self.http.endpoint("api/info")?;
        let token = self.token()?;
        let build = || {
            self.http
                .client()
                .post(url.clone())
                .header("Authorization", token.clone())
                .header("accept", "application/json")
        };
        let reply = self
            .http
            .exchange(build, is_rate_limited_or_overloaded, cancel)
            .await?;
        self.checked_body(&reply)
    }

    async fn upload(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> Result<Upload, ProviderError> {
        let url = self.http.endpoint("api/upload_pic")?;
        let token = self.token()?;
        let upload = query.upload();
        let build = || {
            let part = Part::bytes(upload.bytes().to_vec())
                .file_name("face.jpg")
                .mime_str(upload.media_type())
                .unwrap_or_else(|_| Part::bytes(upload.bytes().to_vec()).file_name("face.jpg"));
            let form = Form::new().part("images", part).text("id_search", "");
            self.http
                .client()
                .post(url.clone())
                .header("Authorization", token.clone())
                .header("accept", "application/json")
                .multipart(form)
        };
        // An upload is not retried: a retry after a lost answer would leave a second copy of
        // the face on the server that we could not delete.
        let reply = self.http.exchange(build, |_| false, cancel).await?;
        let body = self.checked_body(&reply)?;
        let id_search = body["id_search"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ProviderError::Malformed {
                provider: PROVIDER,
                reason: "no `id_search` in the upload answer".into(),
            })?
            .to_owned();
        let id_pics = body["input"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|input| input["id_pic"].as_str().map(str::to_owned))
            .collect();
        Ok(Upload { id_search, id_pics })
    }

    /// Polls `api/search` until the result is there, within `max_search_time`.
    async fn poll(
        &self,
        id_search: &str,
        cancel: &CancellationToken,
    ) -> Result<Value, ProviderError> {
        let url = self.http.endpoint("api/search")?;
        let token = self.token()?;
        let config = self.http.config();
        let request_body = json!({
            "id_search": id_search,
            "with_progress": true,
            "status_only": false,
            "demo": config.testing_mode,
        });
        let build = || {
            self.http
                .client()
                .post(url.clone())
                .header("Authorization", token.clone())
                .header("accept", "application/json")
                .json(&request_body)
        };
        let started = Instant::now();
        loop {
            let reply = self
                .http
                .exchange(build, is_rate_limited_or_overloaded, cancel)
                .await?;
            let body = self.checked_body(&reply)?;
            if body["output"].is_object() {
                return Ok(body);
            }
            let progress = body["progress"].as_i64().unwrap_or(0);
            tracing::debug!(provider = %PROVIDER, progress, "face search in progress");
            if started.elapsed() + config.poll_interval > config.max_search_time {
                return Err(ProviderError::SearchTimedOut {
                    provider: PROVIDER,
                    after: config.max_search_time,
                });
            }
            tokio::select! {
                () = cancel.cancelled() => return Err(ProviderError::Cancelled { provider: PROVIDER }),
                () = tokio::time::sleep(config.poll_interval) => {}
            }
        }
    }

    /// Deletes the uploaded face. Runs even after a cancel (so it takes no token), bounded by
    /// the request timeout; a failure is logged, not raised: the server deletes it within 24 h.
    async fn delete(&self, upload: &Upload) {
        let Ok(url) = self.cleanup.endpoint("api/delete_pic") else {
            return;
        };
        let Ok(token) = self.token() else {
            return;
        };
        let never_cancelled = CancellationToken::new();
        for id_pic in &upload.id_pics {
            let build = || {
                self.cleanup
                    .client()
                    .post(url.clone())
                    .header("Authorization", token.clone())
                    .header("accept", "application/json")
                    .query(&[
                        ("id_search", upload.id_search.as_str()),
                        ("id_pic", id_pic.as_str()),
                    ])
            };
            let deleted = self
                .cleanup
                .exchange(build, |_| false, &never_cancelled)
                .await
                .and_then(|reply| self.checked_body(&reply));
            if let Err(error) = deleted {
                tracing::warn!(provider = %PROVIDER, %error, "could not delete the uploaded face; the provider deletes it within 24 hours");
            }
        }
    }
}

impl SearchProvider for FaceCheck {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    async fn search(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> Result<SearchOutcome, ProviderError> {
        check_query(PROVIDER, query)?;
        let info = self.info(cancel).await?;
        if info["is_online"].as_bool() == Some(false) {
            return Err(ProviderError::Unavailable {
                provider: PROVIDER,
                status: 503,
            });
        }
        let testing = self.http.config().testing_mode;
        if !testing && info["has_credits_to_search"].as_bool() == Some(false) {
            return Err(ProviderError::CreditsExhausted { provider: PROVIDER });
        }
        let upload = self.upload(query, cancel).await?;
        let polled = self.poll(&upload.id_search, cancel).await;
        self.delete(&upload).await;
        let body = polled?;
        let hits = parse_items(&body["output"]);
        let credits = if cancel.is_cancelled() {
            None
        } else {
            self.credits(cancel).await.ok().flatten()
        };
        Ok(SearchOutcome {
            hits,
            credits,
            raw: body,
        })
    }

    async fn credits(&self, cancel: &CancellationToken) -> Result<Option<Credits>, ProviderError> {
        let info = self.info(cancel).await?;
        let remaining =
            info["remaining_credits"]
                .as_u64()
                .ok_or_else(|| ProviderError::Malformed {
                    provider: PROVIDER,
                    reason: "no `remaining_credits` in the info answer".into(),
                })?;
        Ok(Some(Credits {
            remaining,
            unit: "credits",
        }))
    }
}

/// `output.items[]`: `url` is the page where the face was seen, `base64` a small face thumbnail
/// (a `data:` URI), `score` 0–100.
pub(super) fn parse_items(output: &Value) -> Vec<CandidateHit> {
    output["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let page = item["url"].as_str()?;
            let mut hit = CandidateHit::new(PROVIDER, MatchKind::Face);
            hit.page_url = Some(page.to_owned());
            hit.provider_score = item["score"].as_f64().map(|s| s as f32);
            hit.thumbnail_url = item["base64"].as_str().map(str::to_owned);
            Some(hit)
        })
        .collect()
}
