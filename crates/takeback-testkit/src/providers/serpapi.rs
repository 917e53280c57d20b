//! SerpApi mock: the Image API upload and the Google Lens engine (providers.md §4, §7.5).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::response::Response;
use serde_json::{json, Value};

use super::{image_format, json_reply, queued_fault, router};
use crate::server::{Journal, LoopbackServer, RecordedRequest};

/// SerpApi's documented upload limit.
pub const MAX_UPLOAD_BYTES: usize = 500 * 1024;

/// SerpApi on loopback: `POST /image`, `GET /search(.json)`, `GET /account(.json)`.
#[derive(Debug)]
pub struct SerpApiMock {
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
    searches_left: u64,
    next_image: u64,
    /// Uploaded image ids; `false` once expired (the real ones last 10 minutes).
    images: HashMap<String, bool>,
    exact_matches: Vec<Value>,
}

impl SerpApiMock {
    /// Accepts `key` as `api_key`; 100 searches; exact matches from [`SerpApiMock::example_exact_matches`].
    pub fn start(key: &str) -> Self {
        let journal = Arc::new(Journal::default());
        let state = Arc::new(State {
            journal: journal.clone(),
            key: key.to_owned(),
            inner: Mutex::new(Inner {
                searches_left: 100,
                next_image: 1,
                images: HashMap::new(),
                exact_matches: Self::example_exact_matches(),
            }),
        });
        let server = LoopbackServer::start(router(state.clone(), handle), journal);
        Self { server, state }
    }

    /// The base URL to configure: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.server.origin()
    }

    pub fn server(&self) -> &LoopbackServer {
        &self.server
    }

    pub fn set_searches_left(&self, left: u64) {
        self.inner().searches_left = left;
    }

    pub fn set_exact_matches(&self, matches: Vec<Value>) {
        self.inner().exact_matches = matches;
    }

    /// Lets every uploaded `image_id` expire, as they do after 10 minutes.
    pub fn expire_uploads(&self) {
        for alive in self.inner().images.values_mut() {
            *alive = false;
        }
    }

    /// The documentation's example exact match.
    pub fn example_exact_matches() -> Vec<Value> {
        vec![json!({
            "position": 1, "title": "Jane Doe – About", "source": "Example",
            "source_icon": "https://serpapi.com/searches/abc/icon.png",
            "link": "https://example.com/about",
            "thumbnail": "https://serpapi.com/searches/abc/thumb.jpeg",
            "date": "2 years ago", "actual_image_width": 800, "actual_image_height": 450
        })]
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.state.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn error(status: u16, text: &str) -> Response {
    json_reply(status, json!({"error": text}), None)
}

const INVALID_KEY: &str =
    "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key";

fn fault_text(status: u16) -> Value {
    let text = match status {
        401 => INVALID_KEY,
        429 => "Your searches for the past hour have exceeded your hourly throughput limit.",
        503 => "We couldn't get valid results for this search. Please try again later.",
        _ => "Internal server error.",
    };
    if status == 503 {
        json!({"search_metadata": {"status": "Error"}, "error": text})
    } else {
        json!({"error": text})
    }
}

async fn handle(state: Arc<State>, request: RecordedRequest) -> Response {
    state.journal.record(request.clone());
    if let Some(reply) = queued_fault(&state.journal, &request.path, fault_text).await {
        return reply;
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/image") => upload(&state, &request),
        ("GET", "/search" | "/search.json") => search(&state, &request),
        ("GET", "/account" | "/account.json") => {
            if request.query_param("api_key").as_deref() != Some(state.key.as_str()) {
                return error(401, INVALID_KEY);
            }
            let left = state.inner.lock().map(|i| i.searches_left).unwrap_or(0);
            json_reply(
                200,
                json!({"account_id": "mock", "plan_id": "developer", "searches_per_month": 5000,
                       "plan_searches_left": left, "extra_credits": 0, "total_searches_left": left,
                       "this_month_usage": 0, "last_hour_searches": 0, "account_rate_limit_per_hour": 1000}),
                None,
            )
        }
        _ => error(404, "Not found."),
    }
}

fn upload(state: &State, request: &RecordedRequest) -> Response {
    if request.field("api_key") != Some(state.key.as_str()) {
        return error(401, INVALID_KEY);
    }
    let Some(image) = request.uploads.iter().find(|u| u.field == "image") else {
        return error(400, "Missing `image` file.");
    };
    if image.bytes.len() > MAX_UPLOAD_BYTES {
        return error(400, "Image file is too large. The maximum size is 500KB.");
    }
    if !matches!(image_format(&image.bytes), Some("JPEG" | "PNG" | "WEBP")) {
        return error(400, "Unsupported image format. Use JPG, JPEG, PNG or WebP.");
    }
    let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    let id = format!("mockimg{:04}", inner.next_image);
    inner.next_image += 1;
    inner.images.insert(id.clone(), true);
    json_reply(
        200,
        json!({"message": "Image uploaded successfully.", "image_id": id}),
        None,
    )
}

fn search(state: &State, request: &RecordedRequest) -> Response {
    if request.query_param("api_key").as_deref() != Some(state.key.as_str()) {
        return error(401, INVALID_KEY);
    }
    if request.query_param("engine").as_deref() != Some("google_lens") {
        return error(400, "Unsupported `engine` parameter.");
    }
    let search_type = request.query_param("type").unwrap_or_else(|| "all".into());
    if ![
        "all",
        "visual_matches",
        "exact_matches",
        "products",
        "about_this_image",
    ]
    .contains(&search_type.as_str())
    {
        return error(400, "Unsupported `type` parameter.");
    }
    let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    match (request.query_param("image_id"), request.query_param("url")) {
        (Some(id), _) => match inner.images.get(&id) {
            Some(true) => {}
            Some(false) => {
                return error(400, "The `image_id` has expired. Upload the image again.")
            }
            None => return error(400, "Invalid `image_id` parameter."),
        },
        (None, Some(url)) if url.starts_with("http") => {}
        _ => return error(400, "Missing query `url` or `image_id` parameter."),
    }
    if inner.searches_left == 0 {
        return error(429, "Your account has run out of searches.");
    }
    inner.searches_left -= 1;
    let metadata = json!({"id": "677dmock", "status": "Success",
        "json_endpoint": "https://serpapi.com/searches/mock/677dmock.json",
        "google_lens_url": "https://lens.google.com/uploadbyurl?url=mock"});
    let parameters = json!({"engine": "google_lens", "type": search_type});
    let mut body = json!({"search_metadata": metadata, "search_parameters": parameters});
    let matches = inner.exact_matches.clone();
    let (field, results) = if search_type == "exact_matches" {
        ("exact_matches", matches)
    } else {
        ("visual_matches", matches)
    };
    if results.is_empty() {
        body["error"] = json!("Google Lens hasn't returned any results for this query.");
    } else {
        body[field] = Value::Array(results);
    }
    json_reply(200, body, None)
}
