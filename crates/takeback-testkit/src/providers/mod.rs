//! Mocks of the four search providers, each reproducing the documented endpoints, auth, request
//! encodings, response shapes and errors (research/providers.md §7.5). A mock answers like the
//! real service or, where the docs leave it open, the way the official clients expect.

mod facecheck;
mod serpapi;
mod tineye;
mod vision;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use facecheck::FaceCheckMock;
pub use serpapi::SerpApiMock;
pub use tineye::TinEyeMock;
pub use vision::VisionMock;

use crate::server::{RecordedRequest, RecordedUpload};

/// Uploads larger than this are refused by the mocks' body limit (no provider takes more).
pub(crate) const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Reads a request completely into a [`RecordedRequest`]: headers, query, multipart parts or
/// JSON body. A malformed multipart body is recorded as far as it could be read.
pub(crate) async fn capture(request: Request) -> RecordedRequest {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut recorded = RecordedRequest {
        method,
        path,
        query,
        headers,
        ..Default::default()
    };
    if content_type.starts_with("multipart/form-data") {
        if let Ok(mut multipart) = Multipart::from_request(request, &()).await {
            while let Ok(Some(field)) = multipart.next_field().await {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                let part_type = field.content_type().map(str::to_owned);
                let Ok(bytes) = field.bytes().await else {
                    break;
                };
                if file_name.is_some() {
                    recorded.uploads.push(RecordedUpload {
                        field: name,
                        file_name,
                        content_type: part_type,
                        bytes: bytes.to_vec(),
                    });
                } else {
                    recorded
                        .fields
                        .push((name, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
        }
    } else if let Ok(body) = Bytes::from_request(request, &()).await {
        if !body.is_empty() {
            recorded.json = serde_json::from_slice(&body).ok();
        }
    }
    recorded
}

/// A JSON answer with a status and optional `Retry-After`.
pub(crate) fn json_reply(
    status: u16,
    body: serde_json::Value,
    retry_after: Option<u32>,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    (status, headers, body.to_string()).into_response()
}

/// A 200 whose body claims to be JSON and is not.
pub(crate) fn malformed_reply() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "<html><body>502 Bad Gateway</body></html>",
    )
        .into_response()
}

/// Whether `bytes` start like a picture format the providers accept.
pub(crate) fn image_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("JPEG")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("PNG")
    } else if bytes.starts_with(b"GIF8") {
        Some("GIF")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("WEBP")
    } else if bytes.starts_with(b"BM") {
        Some("BMP")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("TIFF")
    } else {
        None
    }
}

/// Applies the fault queued for `path`, if any: a delay is waited out (then the request is
/// answered normally), a status is answered with the provider's error body.
pub(crate) async fn queued_fault(
    journal: &crate::server::Journal,
    path: &str,
    error_body: impl Fn(u16) -> serde_json::Value,
) -> Option<Response> {
    match journal.take_fault(path)? {
        crate::Fault::Delay(wait) => {
            tokio::time::sleep(wait).await;
            None
        }
        crate::Fault::MalformedJson => Some(malformed_reply()),
        crate::Fault::Status {
            status,
            retry_after,
        } => Some(json_reply(status, error_body(status), retry_after)),
    }
}

/// The router every mock uses: one handler that sees every request, uploads up to the limit.
pub(crate) fn router<S, F, Fut>(state: std::sync::Arc<S>, handler: F) -> axum::Router
where
    S: Send + Sync + 'static,
    F: Fn(std::sync::Arc<S>, RecordedRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response> + Send + 'static,
{
    axum::Router::new()
        .fallback(move |request: Request| {
            let state = state.clone();
            let handler = handler.clone();
            async move {
                let recorded = capture(request).await;
                handler(state, recorded).await
            }
        })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}
