//! TinEye API mock (providers.md §1, §7.5).

use std::sync::{Arc, Mutex};

use axum::response::Response;
use serde_json::{json, Value};

use super::{image_format, json_reply, queued_fault, router};
use crate::server::{Journal, LoopbackServer, RecordedRequest};

/// A TinEye API on loopback: `/rest/search/`, `/rest/remaining_searches/`, `/rest/image_count/`.
#[derive(Debug)]
pub struct TinEyeMock {
    server: LoopbackServer,
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    journal: Arc<Journal>,
    key: String,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    remaining: u64,
    matches: Vec<Value>,
}

impl TinEyeMock {
    /// Accepts `key` in `x-api-key`; has 100 searches and answers with [`TinEyeMock::example_matches`].
    pub fn start(key: &str) -> Self {
        let journal = Arc::new(Journal::default());
        let state = Arc::new(State {
            journal: journal.clone(),
            key: key.to_owned(),
            inner: Mutex::new(Inner {
                remaining: 100,
                matches: Self::example_matches(),
            }),
        });
        let server = LoopbackServer::start(router(state.clone(), handle), journal);
        Self { server, state }
    }

    /// The base URL to configure: `http://127.0.0.1:PORT/rest/`.
    pub fn base_url(&self) -> String {
        format!("{}/rest/", self.server.origin())
    }

    pub fn server(&self) -> &LoopbackServer {
        &self.server
    }

    pub fn set_remaining_searches(&self, remaining: u64) {
        self.inner().remaining = remaining;
    }

    pub fn remaining_searches(&self) -> u64 {
        self.inner().remaining
    }

    /// The `results.matches` the next searches return.
    pub fn set_matches(&self, matches: Vec<Value>) {
        self.inner().matches = matches;
    }

    /// The documentation's example match (one backlink).
    pub fn example_matches() -> Vec<Value> {
        vec![json!({
            "domain": "example.com", "top_level_domain": "example.com", "score": 71.3,
            "width": 531, "height": 451, "size": 239481, "format": "JPEG", "filesize": 239481,
            "image_url": "http://img.tineye.com/result/0123abcd",
            "overlay": "overlay/5ad1/0123abcd?m21=1", "query_hash": "5ad1", "tags": [],
            "backlinks": [{"url": "https://cdn.example.com/a.jpg", "backlink": "https://example.com/post/1", "crawl_date": "2015-03-18"}]
        })]
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.state.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn stats() -> Value {
    json!({"timestamp": "1488909217.20", "query_time": "0.05"})
}

/// TinEye's error shape: `code` equal to the HTTP status, `messages: ["TYPE", "text"]`.
fn error(status: u16, text: &str) -> Response {
    json_reply(
        status,
        json!({"stats": stats(), "code": status, "messages": ["API_ERROR", text], "results": []}),
        None,
    )
}

fn error_text(status: u16) -> &'static str {
    match status {
        401 => "Please provide a valid API key.",
        402 => "You have no more searches available. Please purchase another bundle.",
        429 => "Too many requests.",
        400 => "The image is too small or too simple.",
        _ => "Internal server error.",
    }
}

async fn handle(state: Arc<State>, request: RecordedRequest) -> Response {
    state.journal.record(request.clone());
    let path = request.path.as_str();
    let fault = queued_fault(
        &state.journal,
        path,
        |status| json!({"stats": stats(), "code": status, "messages": ["API_ERROR", error_text(status)], "results": []}),
    );
    if let Some(reply) = fault.await {
        return reply;
    }
    // The removed HMAC scheme put the keys in the query; the API now refuses it outright.
    if ["api_key", "public_key", "api_sig"]
        .iter()
        .any(|k| request.query_param(k).is_some())
    {
        return error(401, "The authentication method that you are using has been removed. Please update to use the new X-API-KEY header method.");
    }
    if request.header("x-api-key") != Some(state.key.as_str()) {
        return error(401, error_text(401));
    }
    match (request.method.as_str(), path) {
        ("POST", "/rest/search/") => search(&state, &request),
        ("GET", "/rest/search/") => {
            if request.query_param("image_url").is_some() {
                error(
                    400,
                    "Invalid or missing URL. The image URL is not publicly accessible.",
                )
            } else {
                error(400, "Please supply an image or a URL for searching.")
            }
        }
        ("GET", "/rest/remaining_searches/") => {
            let remaining = state.inner.lock().map(|i| i.remaining).unwrap_or(0);
            json_reply(
                200,
                json!({"stats": stats(), "code": 200, "messages": [], "results": {
                    "bundles": [{"remaining_searches": remaining, "start_date": "2025-01-01 00:00:00 UTC", "expire_date": "2027-01-01 00:00:00 UTC"}],
                    "total_remaining_searches": remaining}}),
                None,
            )
        }
        ("GET", "/rest/image_count/") => json_reply(
            200,
            json!({"stats": stats(), "code": 200, "messages": [], "results": 67_000_000_000u64}),
            None,
        ),
        _ => error(404, "Not found."),
    }
}

fn search(state: &State, request: &RecordedRequest) -> Response {
    let Some(upload) = request.uploads.iter().find(|u| u.field == "image_upload") else {
        return error(400, "Please supply an image or a URL for searching.");
    };
    if image_format(&upload.bytes).is_none() {
        return error(400, "Couldn't identify/download image file.");
    }
    // Parameters arrive as form fields (pytineye, PHP) or in the query (Node): accept both.
    let param = |name: &str| {
        request
            .field(name)
            .map(str::to_owned)
            .or_else(|| request.query_param(name))
    };
    let limit = param("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(100);
    let offset = param("offset")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    if inner.remaining == 0 {
        return error(402, error_text(402));
    }
    inner.remaining -= 1;
    let total = inner.matches.len();
    let matches: Vec<Value> = inner
        .matches
        .iter()
        .skip(offset)
        .take(limit)
        .cloned()
        .collect();
    let backlinks: usize = matches
        .iter()
        .map(|m| m["backlinks"].as_array().map_or(0, Vec::len))
        .sum();
    json_reply(
        200,
        json!({
            "stats": {"timestamp": "1488909217.20", "query_time": "4.74", "total_backlinks": backlinks.to_string(),
                      "total_collection": "0", "total_results": total.to_string(), "total_stock": "0",
                      "total_filtered_results": total.to_string()},
            "code": 200, "messages": [],
            "results": {"matches": matches}
        }),
        None,
    )
}
