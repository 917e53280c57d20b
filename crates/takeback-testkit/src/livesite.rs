//! A small site whose contents the test changes between monitoring cycles: pages and images
//! put, replaced, deleted (404), or made to fail (any status). It answers conditional requests
//! (`If-None-Match`, `If-Modified-Since`) with 304 when nothing changed, and counts the body
//! bytes it sends, so tests can measure what a repeat visit costs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::server::{Journal, LoopbackServer};
use crate::RecordedRequest;

/// What a path answers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resource {
    Body {
        content_type: String,
        bytes: Vec<u8>,
        /// Changes whenever the body does: the ETag and Last-Modified derive from it.
        version: u64,
    },
    Status(u16),
}

#[derive(Debug, Default)]
struct State {
    routes: HashMap<String, Resource>,
    next_version: u64,
    body_bytes_sent: u64,
}

/// The site. Dropping it stops the server.
#[derive(Debug)]
pub struct LiveSite {
    server: LoopbackServer,
    state: Arc<Mutex<State>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// A fixed date plus `version` seconds: Last-Modified moves forward with every change.
fn http_date(version: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    // 2026-01-01 00:00:00 UTC is a Thursday; stay within January so the date is simple.
    let seconds = version % (28 * 86_400);
    let day = seconds / 86_400;
    let rest = seconds % 86_400;
    format!(
        "{}, {:02} Jan 2026 {:02}:{:02}:{:02} GMT",
        DAYS[(day % 7) as usize],
        day + 1,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

impl LiveSite {
    pub fn start() -> Self {
        let journal = Arc::new(Journal::default());
        let state = Arc::new(Mutex::new(State {
            next_version: 1,
            ..State::default()
        }));
        let router = {
            let state = state.clone();
            let journal = journal.clone();
            axum::Router::new().fallback(move |request: Request| {
                let state = state.clone();
                let journal = journal.clone();
                async move { serve(&state, &journal, &request) }
            })
        };
        let site = Self {
            server: LoopbackServer::start(router, journal),
            state,
        };
        site.put_page("/robots.txt", "User-agent: *\nAllow: /\n");
        site
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn root(&self) -> String {
        format!("{}/", self.server.origin())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.origin(), path)
    }

    fn put(&self, path: &str, content_type: &str, bytes: Vec<u8>) {
        let mut state = lock(&self.state);
        let version = state.next_version;
        state.next_version += 1;
        state.routes.insert(
            path.to_owned(),
            Resource::Body {
                content_type: content_type.to_owned(),
                bytes,
                version,
            },
        );
    }

    /// Serves an HTML page (or `robots.txt`, a sitemap: the type follows the extension).
    pub fn put_page(&self, path: &str, text: &str) {
        let content_type = if path.ends_with(".txt") {
            "text/plain"
        } else if path.ends_with(".xml") {
            "application/xml"
        } else {
            "text/html; charset=utf-8"
        };
        self.put(path, content_type, text.as_bytes().to_vec());
    }

    /// Serves `html_body` wrapped in a minimal document.
    pub fn put_html(&self, path: &str, html_body: &str) {
        self.put_page(
            path,
            &format!("<!doctype html><html><head><title>Live site</title></head><body>{html_body}</body></html>"),
        );
    }

    /// Serves image bytes (JPEG or PNG, sniffed from the first bytes).
    pub fn put_image(&self, path: &str, bytes: Vec<u8>) {
        let content_type = if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
            "image/png"
        } else {
            "image/jpeg"
        };
        self.put(path, content_type, bytes);
    }

    /// A gallery of `pages` pages linked from `/`, page N (`/gallery/N.html`) showing one image
    /// at its own address (`/gallery/N.jpg`), the photos taken in turn from `photos`.
    pub fn put_gallery(&self, pages: u32, photos: &[Vec<u8>]) {
        let links: String = (1..=pages)
            .map(|n| format!("<a href=\"/gallery/{n}.html\">page {n}</a> "))
            .collect();
        self.put_html("/", &links);
        for n in 1..=pages {
            self.put_html(
                &format!("/gallery/{n}.html"),
                &format!("<h1>Photo {n}</h1><img src=\"/gallery/{n}.jpg\" alt=\"photo {n}\">"),
            );
            let photo = &photos[(n as usize - 1) % photos.len().max(1)];
            self.put_image(&format!("/gallery/{n}.jpg"), photo.clone());
        }
    }

    /// The path answers 404 from now on.
    pub fn delete(&self, path: &str) {
        lock(&self.state).routes.remove(path);
    }

    /// The path answers `status` (with an empty body) from now on.
    pub fn fail(&self, path: &str, status: u16) {
        lock(&self.state)
            .routes
            .insert(path.to_owned(), Resource::Status(status));
    }

    /// Body bytes sent so far (headers not counted; a 304 sends none).
    pub fn body_bytes_sent(&self) -> u64 {
        lock(&self.state).body_bytes_sent
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// How many times `path` was requested.
    pub fn hits(&self, path: &str) -> usize {
        self.server.requests_to(path).len()
    }
}

fn serve(state: &Mutex<State>, journal: &Journal, request: &Request) -> Response {
    let path = request.uri().path().to_owned();
    let header_text = |name: header::HeaderName| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    journal.record(RecordedRequest {
        method: request.method().to_string(),
        path: path.clone(),
        query: request.uri().query().unwrap_or_default().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        ..Default::default()
    });
    let mut state = lock(state);
    let resource = state.routes.get(&path).cloned();
    match resource {
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
        Some(Resource::Status(status)) => StatusCode::from_u16(status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        Some(Resource::Body {
            content_type,
            bytes,
            version,
        }) => {
            let etag = format!("\"v{version}\"");
            let modified = http_date(version);
            let unchanged = match header_text(header::IF_NONE_MATCH) {
                Some(tags) => tags.split(',').any(|t| t.trim() == etag),
                None => {
                    header_text(header::IF_MODIFIED_SINCE).is_some_and(|since| since == modified)
                }
            };
            let mut response = if unchanged {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                state.body_bytes_sent += bytes.len() as u64;
                ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
            };
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&etag) {
                headers.insert(header::ETAG, v);
            }
            if let Ok(v) = HeaderValue::from_str(&modified) {
                headers.insert(header::LAST_MODIFIED, v);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_move_forward_with_versions() {
        assert_eq!(http_date(0), "Thu, 01 Jan 2026 00:00:00 GMT");
        assert_eq!(http_date(86_400 + 61), "Fri, 02 Jan 2026 00:01:01 GMT");
    }
}
