//! Google Cloud Vision `images:annotate` mock (providers.md §2, §7.5).

use std::sync::{Arc, Mutex};

use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Value};

use super::{image_format, json_reply, queued_fault, router};
use crate::server::{Journal, LoopbackServer, RecordedRequest};

/// Google Cloud Vision on loopback: `POST /v1/images:annotate`.
#[derive(Debug)]
pub struct VisionMock {
    server: LoopbackServer,
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    journal: Arc<Journal>,
    key: String,
    detection: Mutex<Value>,
}

impl VisionMock {
    /// Accepts `key` as `X-Goog-Api-Key`, `?key=` or a Bearer token; answers every image with
    /// [`VisionMock::example_detection`].
    pub fn start(key: &str) -> Self {
        let journal = Arc::new(Journal::default());
        let state = Arc::new(State {
            journal: journal.clone(),
            key: key.to_owned(),
            detection: Mutex::new(Self::example_detection()),
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

    /// The `webDetection` the next answers carry.
    pub fn set_detection(&self, detection: Value) {
        *self
            .state
            .detection
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = detection;
    }

    /// The documentation's example `webDetection`.
    pub fn example_detection() -> Value {
        json!({
            "webEntities": [{"entityId": "/m/0abc", "score": 0.62, "description": "Portrait"}],
            "fullMatchingImages": [{"url": "https://cdn.example.com/me.jpg"}],
            "partialMatchingImages": [{"url": "https://other.example.org/crop.jpg"}],
            "pagesWithMatchingImages": [{"url": "https://example.com/about", "pageTitle": "About <b>me</b>",
                                         "fullMatchingImages": [{"url": "https://cdn.example.com/me.jpg"}]}],
            "visuallySimilarImages": [{"url": "https://x.example.net/similar.jpg"}],
            "bestGuessLabels": [{"label": "portrait", "languageCode": "en"}]
        })
    }
}

/// Google's error envelope.
fn envelope(code: u16, message: &str, status: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status}})
}

fn fault_envelope(code: u16) -> Value {
    match code {
        429 => envelope(
            code,
            "Quota exceeded for quota metric 'Requests' of service 'vision.googleapis.com'.",
            "RESOURCE_EXHAUSTED",
        ),
        403 => envelope(
            code,
            "This API method requires billing to be enabled.",
            "PERMISSION_DENIED",
        ),
        400 => envelope(
            code,
            "Request contains an invalid argument.",
            "INVALID_ARGUMENT",
        ),
        503 => envelope(code, "The service is currently unavailable.", "UNAVAILABLE"),
        _ => envelope(code, "Internal error encountered.", "INTERNAL"),
    }
}

async fn handle(state: Arc<State>, request: RecordedRequest) -> Response {
    state.journal.record(request.clone());
    if let Some(reply) = queued_fault(&state.journal, &request.path, fault_envelope).await {
        return reply;
    }
    if (request.method.as_str(), request.path.as_str()) != ("POST", "/v1/images:annotate") {
        return json_reply(
            404,
            envelope(404, "Requested entity was not found.", "NOT_FOUND"),
            None,
        );
    }
    let bearer = request
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let given = request
        .header("x-goog-api-key")
        .map(str::to_owned)
        .or_else(|| request.query_param("key"))
        .or(bearer);
    match given {
        None => {
            return json_reply(
                403,
                envelope(
                    403,
                    "The request is missing a valid API key.",
                    "PERMISSION_DENIED",
                ),
                None,
            )
        }
        Some(key) if key != state.key => {
            return json_reply(
                400,
                envelope(
                    400,
                    "API key not valid. Please pass a valid API key.",
                    "INVALID_ARGUMENT",
                ),
                None,
            )
        }
        Some(_) => {}
    }
    let Some(requests) = request.json.as_ref().and_then(|b| b["requests"].as_array()) else {
        return json_reply(
            400,
            envelope(400, "Invalid JSON payload received.", "INVALID_ARGUMENT"),
            None,
        );
    };
    if requests.is_empty() || requests.len() > 16 {
        return json_reply(
            400,
            envelope(400, "At most 16 images per request.", "INVALID_ARGUMENT"),
            None,
        );
    }
    let detection = state
        .detection
        .lock()
        .map(|d| d.clone())
        .unwrap_or(Value::Null);
    // One response per request, in order; a bad image is a per-image error under HTTP 200.
    let responses: Vec<Value> = requests
        .iter()
        .map(|one| {
            let wants_web = one["features"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["type"] == "WEB_DETECTION"));
            let content = one["image"]["content"].as_str();
            let decoded =
                content.and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok());
            match decoded {
                Some(bytes) if image_format(&bytes).is_some() => {
                    if wants_web {
                        json!({"webDetection": detection})
                    } else {
                        json!({})
                    }
                }
                _ => json!({"error": {"code": 3, "message": "Bad image data."}}),
            }
        })
        .collect();
    json_reply(200, json!({"responses": responses}), None)
}
