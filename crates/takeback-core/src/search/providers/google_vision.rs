//! Google Cloud Vision `WEB_DETECTION` (research/providers.md §2): `POST v1/images:annotate` with
//! the image as base64 `content` in the JSON body and the key in the `X-Goog-Api-Key` header (so
//! it never lands in a URL). A copy finder; pay-per-use, so there is no balance to read.

use std::collections::HashSet;

use base64::Engine as _;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::error::provider_text;
use super::http::{is_rate_limited_or_overloaded, key_header, ProviderHttp, Reply};
use super::{
    check_query, ApiKey, ApprovedQuery, CandidateHit, Credits, MatchKind, ProviderConfig,
    ProviderError, ProviderId, SearchOutcome, SearchProvider,
};

const PROVIDER: ProviderId = ProviderId::GoogleVision;

#[derive(Debug)]
pub struct GoogleVision {
    http: ProviderHttp,
    key: ApiKey,
}

impl GoogleVision {
    pub fn new(config: ProviderConfig, key: ApiKey) -> Result<Self, ProviderError> {
        Ok(Self {
            http: ProviderHttp::new(PROVIDER, config)?,
            key,
        })
    }

    /// Maps Google's error envelope `{"error":{"code","message","status"}}`.
    fn error_for(&self, reply: &Reply) -> ProviderError {
        let body = reply.json_or_null();
        let error = &body["error"];
        let message = error["message"]
            .as_str()
            .and_then(|text| provider_text(text, self.key.expose()));
        let google_status = error["status"].as_str().unwrap_or_default();
        let status = reply.status.as_u16();
        // A wrong key comes back as 400 INVALID_ARGUMENT "API key not valid" (and a disabled
        // API or billing as 403 PERMISSION_DENIED): both are the key's problem to fix.
        let key_problem = status == 401
            || status == 403
            || google_status == "PERMISSION_DENIED"
            || google_status == "UNAUTHENTICATED"
            || message.as_deref().is_some_and(|m| m.contains("API key"));
        if key_problem {
            return ProviderError::BadKey {
                provider: PROVIDER,
                message,
            };
        }
        match status {
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
}

impl SearchProvider for GoogleVision {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    async fn search(
        &self,
        query: &ApprovedQuery,
        cancel: &CancellationToken,
    ) -> Result<SearchOutcome, ProviderError> {
        check_query(PROVIDER, query)?;
        let url = self.http.endpoint("v1/images:annotate")?;
        let key = key_header(PROVIDER, &self.key)?;
        let content = base64::engine::general_purpose::STANDARD.encode(query.upload().bytes());
        let request_body = json!({
            "requests": [{
                "image": {"content": content},
                "features": [{"type": "WEB_DETECTION", "maxResults": self.http.config().max_results}],
            }]
        });
        let build = || {
            self.http
                .client()
                .post(url.clone())
                .header("X-Goog-Api-Key", key.clone())
                .json(&request_body)
        };
        let reply = self
            .http
            .exchange(build, is_rate_limited_or_overloaded, cancel)
            .await?;
        if !reply.status.is_success() {
            return Err(self.error_for(&reply));
        }
        let body = reply.json(PROVIDER)?;
        let response = body["responses"]
            .as_array()
            .and_then(|responses| responses.first())
            .ok_or_else(|| ProviderError::Malformed {
                provider: PROVIDER,
                reason: "no `responses[0]` in the answer".into(),
            })?;
        // A per-image error arrives with HTTP 200 (e.g. code 3 "Bad image data.").
        if let Some(message) = response["error"]["message"].as_str() {
            if response.get("webDetection").is_none() {
                return Err(ProviderError::SearchFailed {
                    provider: PROVIDER,
                    message: provider_text(message, self.key.expose()),
                });
            }
        }
        let hits = parse_web_detection(&response["webDetection"]);
        Ok(SearchOutcome {
            hits,
            credits: None,
            raw: body,
        })
    }

    async fn credits(&self, _cancel: &CancellationToken) -> Result<Option<Credits>, ProviderError> {
        Ok(None)
    }
}

/// Hits from `webDetection`: pages with their matching images first (they give both URLs), then
/// the full and partial matches no page named. `visuallySimilarImages` are other pictures, not
/// copies, so they are left out; `x-raw-image://` URLs cannot be fetched and are dropped.
pub(super) fn parse_web_detection(detection: &Value) -> Vec<CandidateHit> {
    let mut hits = Vec::new();
    let mut seen_images = HashSet::new();
    let fetchable = |url: &str| url.starts_with("http://") || url.starts_with("https://");
    for page in detection["pagesWithMatchingImages"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let Some(page_url) = page["url"].as_str().filter(|u| fetchable(u)) else {
            continue;
        };
        let title = page["pageTitle"].as_str().map(strip_markup);
        let mut page_had_image = false;
        for (field, kind) in [
            ("fullMatchingImages", MatchKind::Exact),
            ("partialMatchingImages", MatchKind::Partial),
        ] {
            for image in page[field].as_array().into_iter().flatten() {
                let Some(image_url) = image["url"].as_str().filter(|u| fetchable(u)) else {
                    continue;
                };
                seen_images.insert(image_url.to_owned());
                let mut hit = CandidateHit::new(PROVIDER, kind);
                hit.image_url = Some(image_url.to_owned());
                hit.page_url = Some(page_url.to_owned());
                hit.page_title = title.clone();
                hits.push(hit);
                page_had_image = true;
            }
        }
        if !page_had_image {
            let mut hit = CandidateHit::new(PROVIDER, MatchKind::Exact);
            hit.page_url = Some(page_url.to_owned());
            hit.page_title = title;
            hits.push(hit);
        }
    }
    for (field, kind) in [
        ("fullMatchingImages", MatchKind::Exact),
        ("partialMatchingImages", MatchKind::Partial),
    ] {
        for image in detection[field].as_array().into_iter().flatten() {
            let Some(image_url) = image["url"].as_str().filter(|u| fetchable(u)) else {
                continue;
            };
            if seen_images.insert(image_url.to_owned()) {
                let mut hit = CandidateHit::new(PROVIDER, kind);
                hit.image_url = Some(image_url.to_owned());
                hits.push(hit);
            }
        }
    }
    hits
}

/// `pageTitle` "may contain HTML markups": keep the text only.
fn strip_markup(title: &str) -> String {
    let mut text = String::with_capacity(title.len());
    let mut in_tag = false;
    for c in title.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_maps_to_hits() {
        let detection = json!({
            "webEntities":[{"entityId":"/m/0abc","score":0.62,"description":"Portrait"}],
            "fullMatchingImages":[{"url":"https://cdn.example.com/me.jpg"}, {"url":"x-raw-image:///abc"}],
            "partialMatchingImages":[{"url":"https://other.example.org/crop.jpg"}],
            "pagesWithMatchingImages":[{"url":"https://example.com/about","pageTitle":"About <b>me</b>",
                                        "fullMatchingImages":[{"url":"https://cdn.example.com/me.jpg"}]}],
            "visuallySimilarImages":[{"url":"https://x.example.net/similar.jpg"}]
        });
        let hits = parse_web_detection(&detection);
        assert_eq!(hits.len(), 2, "{hits:#?}");
        assert_eq!(
            hits[0].page_url.as_deref(),
            Some("https://example.com/about")
        );
        assert_eq!(
            hits[0].image_url.as_deref(),
            Some("https://cdn.example.com/me.jpg")
        );
        assert_eq!(hits[0].page_title.as_deref(), Some("About me"));
        assert_eq!(hits[0].match_kind, MatchKind::Exact);
        assert_eq!(
            hits[1].image_url.as_deref(),
            Some("https://other.example.org/crop.jpg")
        );
        assert_eq!(hits[1].page_url, None);
        assert_eq!(hits[1].match_kind, MatchKind::Partial);
    }
}
