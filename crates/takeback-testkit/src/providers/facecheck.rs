//! FaceCheck.ID API mock (providers.md §3, §7.5).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::response::Response;
use serde_json::{json, Value};

use super::{image_format, json_reply, queued_fault, router};
use crate::server::{Journal, LoopbackServer, RecordedRequest};

/// FaceCheck.ID on loopback: `POST /api/info`, `/api/upload_pic`, `/api/search`, `/api/delete_pic`.
#[derive(Debug)]
pub struct FaceCheckMock {
    server: LoopbackServer,
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    journal: Arc<Journal>,
    token: String,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    credits: u64,
    online: bool,
    /// Progress added by each poll (the real search takes seconds to minutes).
    progress_step: i64,
    items: Vec<Value>,
    next_search: u64,
    searches: HashMap<String, Search>,
}

#[derive(Debug)]
struct Search {
    /// Uploaded pictures not yet deleted.
    pics: Vec<String>,
    /// `None` until a search is submitted.
    progress: Option<i64>,
    demo: bool,
    charged: bool,
}

/// `SearchData` allows exactly these fields (`additionalProperties: false`).
const SEARCH_FIELDS: [&str; 5] = [
    "id_search",
    "with_progress",
    "status_only",
    "demo",
    "id_captcha",
];

impl FaceCheckMock {
    /// Accepts the raw token `token` in `Authorization`; 10 credits; each poll adds 40 %.
    pub fn start(token: &str) -> Self {
        let journal = Arc::new(Journal::default());
        let state = Arc::new(State {
            journal: journal.clone(),
            token: token.to_owned(),
            inner: Mutex::new(Inner {
                credits: 10,
                online: true,
                progress_step: 40,
                items: Self::example_items(),
                next_search: 1,
                searches: HashMap::new(),
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

    pub fn set_credits(&self, credits: u64) {
        self.inner().credits = credits;
    }

    pub fn credits(&self) -> u64 {
        self.inner().credits
    }

    /// How much each poll advances a search (100 = done on the first poll, 0 = never done).
    pub fn set_progress_step(&self, step: i64) {
        self.inner().progress_step = step;
    }

    pub fn set_items(&self, items: Vec<Value>) {
        self.inner().items = items;
    }

    /// Pictures uploaded and not deleted, over all searches.
    pub fn pictures_held(&self) -> usize {
        self.inner().searches.values().map(|s| s.pics.len()).sum()
    }

    pub fn example_items() -> Vec<Value> {
        vec![
            json!({"guid": "0f1e", "score": 91, "group": 1, "index": 0, "indexDB": 123,
                    "url": "https://example.com/profile/jane", "base64": "data:image/webp;base64,UklGRg=="}),
        ]
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.state.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// FaceCheck reports errors as HTTP 200 with `error` and `code` strings.
fn error(text: &str, code: &str) -> Response {
    json_reply(
        200,
        json!({"error": text, "code": code, "id_search": null, "input": null, "message": null, "output": null, "progress": null}),
        None,
    )
}

async fn handle(state: Arc<State>, request: RecordedRequest) -> Response {
    state.journal.record(request.clone());
    let fault = queued_fault(
        &state.journal,
        &request.path,
        |status| json!({"error": format!("HTTP {status}"), "code": format!("HTTP_{status}")}),
    );
    if let Some(reply) = fault.await {
        return reply;
    }
    if request.method != "POST" {
        return json_reply(
            405,
            json!({"error": "Method not allowed", "code": "METHOD"}),
            None,
        );
    }
    // The raw token, no `Bearer ` prefix (the official sample: "Just the token, no prefix!").
    if request.header("authorization") != Some(state.token.as_str()) {
        return error("Invalid or missing API token.", "INVALID_TOKEN");
    }
    let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    match request.path.as_str() {
        "/api/info" => json_reply(
            200,
            json!({"faces": 1_000_000_000u64, "is_online": inner.online,
                   "remaining_credits": inner.credits, "has_credits_to_search": inner.credits > 0}),
            None,
        ),
        "/api/upload_pic" => upload(&mut inner, &request),
        "/api/search" => search(&mut inner, &request),
        "/api/delete_pic" => {
            let (Some(id_search), Some(id_pic)) = (
                request.query_param("id_search"),
                request.query_param("id_pic"),
            ) else {
                return error("Missing id_search or id_pic.", "BAD_REQUEST");
            };
            let Some(search) = inner.searches.get_mut(&id_search) else {
                return error("Unknown id_search.", "NOT_FOUND");
            };
            let before = search.pics.len();
            search.pics.retain(|p| *p != id_pic);
            if search.pics.len() == before {
                return error("Unknown id_pic.", "NOT_FOUND");
            }
            json_reply(
                200,
                json!({"error": null, "code": null, "message": "Image deleted.", "id_search": id_search}),
                None,
            )
        }
        _ => json_reply(
            404,
            json!({"error": "Not found", "code": "NOT_FOUND"}),
            None,
        ),
    }
}

fn upload(inner: &mut Inner, request: &RecordedRequest) -> Response {
    let images: Vec<_> = request
        .uploads
        .iter()
        .filter(|u| u.field == "images")
        .collect();
    if images.is_empty() || images.len() > 3 {
        return error("Upload 1 to 3 images in the `images` field.", "BAD_IMAGES");
    }
    if images.iter().any(|u| image_format(&u.bytes).is_none()) {
        return error("Not a valid image file.", "BAD_IMAGE");
    }
    if request.field("id_search").is_none() {
        return error("Missing id_search field.", "BAD_REQUEST");
    }
    let id_search = format!("mock-{:04}", inner.next_search);
    inner.next_search += 1;
    let pics: Vec<String> = (1..=images.len()).map(|i| format!("pic{i}")).collect();
    let input: Vec<Value> = pics
        .iter()
        .map(|id| json!({"id_pic": id, "base64": "data:image/webp;base64,UklGRg==", "svg_anim": null, "url_source": null}))
        .collect();
    inner.searches.insert(
        id_search.clone(),
        Search {
            pics,
            progress: None,
            demo: false,
            charged: false,
        },
    );
    json_reply(
        200,
        json!({"error": null, "code": null, "message": "Image uploaded.", "id_search": id_search,
               "progress": null, "output": null, "input": input}),
        None,
    )
}

fn search(inner: &mut Inner, request: &RecordedRequest) -> Response {
    let Some(body) = request.json.as_ref().and_then(Value::as_object) else {
        return error("Send SearchData as JSON.", "BAD_REQUEST");
    };
    if let Some(extra) = body.keys().find(|k| !SEARCH_FIELDS.contains(&k.as_str())) {
        return error(&format!("Unknown field `{extra}`."), "BAD_REQUEST");
    }
    let Some(id_search) = body
        .get("id_search")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return error("Missing id_search.", "BAD_REQUEST");
    };
    let with_progress = body
        .get("with_progress")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let status_only = body
        .get("status_only")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let demo = body.get("demo").and_then(Value::as_bool).unwrap_or(false);
    let step = inner.progress_step;
    let credits = inner.credits;
    let Some(search) = inner.searches.get_mut(&id_search) else {
        return error("Unknown id_search.", "NOT_FOUND");
    };
    match search.progress {
        None if status_only => {
            return error("No search submitted for this id_search.", "NOT_STARTED")
        }
        None => {
            if !demo && credits == 0 {
                return error("Not enough credits to search.", "NO_CREDITS");
            }
            search.demo = demo;
            search.progress = Some(0);
        }
        Some(_) => {}
    }
    let progress = if with_progress {
        (search.progress.unwrap_or(0) + step).min(100)
    } else {
        100
    };
    search.progress = Some(progress);
    if progress < 100 {
        return json_reply(
            200,
            json!({"error": null, "code": null, "message": "Searching…", "progress": progress,
                   "output": null, "id_search": id_search, "input": null}),
            None,
        );
    }
    let was_demo = search.demo;
    // Charged once, when the result is first delivered; demo searches are free.
    let charge = !was_demo && !search.charged;
    search.charged = true;
    if charge {
        inner.credits = inner.credits.saturating_sub(1);
    }
    let items = inner.items.clone();
    let max_score = items
        .iter()
        .filter_map(|i| i["score"].as_i64())
        .max()
        .unwrap_or(0);
    json_reply(
        200,
        json!({"error": null, "code": null, "message": "Search finished.", "progress": 100,
               "id_search": id_search, "input": null,
               "output": {"items": items, "max_score": max_score, "demo": was_demo,
                          "searchedFaces": if was_demo { 100_000 } else { 1_000_000_000u64 },
                          "tookSeconds": 1.5, "tookSecondsDownload": 0.1, "tookSecondsQueue": 0.0,
                          "face_per_sec": 1_000_000, "freeRam": 0, "images_in_bundle": 1, "performance": null}}),
        None,
    )
}
