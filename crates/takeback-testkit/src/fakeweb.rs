//! A fake web site for the crawler, built from the shared face photos, with hostile corners.
//!
//! Layout (every page links the next level; `robots.txt` disallows `/private/`):
//! * `/` — links to every person page, the group page, the photo index, the deep chain, the
//!   hostile pages, a private page and an off-site link;
//! * `/people/<name>.html` — one person (`faceapi/<name>/`): `img src` + `srcset`, `picture/source`,
//!   `og:image`, and a linked image file;
//! * `/group.html` — the group photos (`faceapi/bbt*.jpg`);
//! * `/photos.html` — `facerec/` photos as links to image files;
//! * `/deep/N.html` — a chain ten pages deep, one photo each (depth limits);
//! * `/hostile/…` — a huge page, an endless redirect chain, a slow page, broken HTML, an HTML file
//!   served as a JPEG, a PNG labelled as text, an endless image, an off-site redirect;
//! * `/img/<path under testdata/faces>` — the photos themselves;
//! * `/gallery/index.html` — not linked from `/`: a large site for benchmarks, `GALLERY_PAGES`
//!   pages of `GALLERY_IMAGES_PER_PAGE` photos each, every one under its own URL.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::server::{Journal, LoopbackServer};

/// The people of `faceapi/`, each with five photos.
pub const PEOPLE: [&str; 8] = [
    "amy",
    "bernadette",
    "howard",
    "leonard",
    "penny",
    "raj",
    "sheldon",
    "stuart",
];

/// Pages under `/gallery/`.
pub const GALLERY_PAGES: u32 = 100;
/// Photos on each gallery page (every one a distinct URL): 2,000 in all.
pub const GALLERY_IMAGES_PER_PAGE: u32 = 20;

/// How long `/hostile/slow.html` waits before answering.
pub const SLOW_PAGE_DELAY: Duration = Duration::from_secs(20);
/// How much `/hostile/huge.html` and `/hostile/huge.jpg` send before ending (far above any limit).
pub const HUGE_BODY_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug)]
pub struct FakeWeb {
    server: LoopbackServer,
}

struct Site {
    faces: PathBuf,
    journal: Arc<Journal>,
}

impl FakeWeb {
    /// Serves the site from the face photos in `faces_dir` (`tests/fixtures/faces`).
    pub fn start(faces_dir: &Path) -> Self {
        let journal = Arc::new(Journal::default());
        let site = Arc::new(Site {
            faces: faces_dir.to_owned(),
            journal: journal.clone(),
        });
        let router = axum::Router::new().fallback(move |request: Request| {
            let site = site.clone();
            async move { serve(&site, request).await }
        });
        Self {
            server: LoopbackServer::start(router, journal),
        }
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn root(&self) -> String {
        format!("{}/", self.server.origin())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.origin(), path)
    }

    pub fn server(&self) -> &LoopbackServer {
        &self.server
    }

    /// How many times `path` was requested.
    pub fn hits(&self, path: &str) -> usize {
        self.server.requests_to(path).len()
    }

    /// The image paths (under `/img/`) of every photo the site shows on normal pages.
    pub fn image_paths() -> Vec<String> {
        let mut paths = Vec::new();
        for person in PEOPLE {
            for i in 1..=5 {
                paths.push(format!("/img/faceapi/{person}/{person}{i}.png"));
            }
        }
        for i in 1..=5 {
            paths.push(format!("/img/faceapi/bbt{i}.jpg"));
        }
        for photo in FACEREC_PHOTOS {
            paths.push(format!("/img/facerec/{photo}"));
        }
        paths
    }
}

const FACEREC_PHOTOS: [&str; 6] = [
    "obama.jpg",
    "obama2.jpg",
    "biden.jpg",
    "biden2.jpg",
    "two_people.jpg",
    "obama_and_biden.jpg",
];

fn html(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!doctype html><html><head><title>Fake web</title></head><body>{body}</body></html>"
        ),
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_owned())]).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// A body of `total` bytes made of `chunk`, produced as it is sent (never held in memory).
fn endless(content_type: &'static str, chunk: &'static [u8], total: usize) -> Response {
    let count = total / chunk.len();
    let stream = futures_util::stream::iter(
        (0..count).map(move |_| Ok::<_, Infallible>(Bytes::from_static(chunk))),
    );
    (
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn serve(site: &Site, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    site.journal.record(crate::RecordedRequest {
        method: request.method().to_string(),
        path: path.clone(),
        ..Default::default()
    });
    match path.as_str() {
        "/robots.txt" => "User-agent: *\nDisallow: /private/\n".into_response(),
        "/" => {
            let mut body = String::from("<h1>Fake web</h1><ul>");
            for person in PEOPLE {
                body.push_str(&format!("<li><a href=\"/people/{person}.html\">{person}</a></li>"));
            }
            body.push_str(concat!(
                "<li><a href=\"/group.html\">group</a></li>",
                "<li><a href=\"/photos.html\">photos</a></li>",
                "<li><a href=\"/deep/1.html\">deep</a></li>",
                "<li><a href=\"/hostile/index.html\">hostile</a></li>",
                "<li><a href=\"/private/hidden.html\">private</a></li>",
                "<li><a href=\"http://elsewhere.invalid/page.html\">elsewhere</a></li>",
                "</ul>"
            ));
            html(body)
        }
        "/group.html" => html(
            (1..=5)
                .map(|i| format!("<img src=\"/img/faceapi/bbt{i}.jpg\" alt=\"group {i}\">"))
                .collect(),
        ),
        "/photos.html" => html(
            FACEREC_PHOTOS
                .iter()
                .map(|photo| format!("<a href=\"/img/facerec/{photo}\">{photo}</a> "))
                .collect(),
        ),
        "/private/hidden.html" => html("<img src=\"/img/faceapi/happy.jpg\">".into()),
        "/hostile/index.html" => html(
            [
                "<a href=\"/hostile/huge.html\">huge</a>",
                "<a href=\"/hostile/redirect/0\">loop</a>",
                "<a href=\"/hostile/slow.html\">slow</a>",
                "<a href=\"/hostile/broken.html\">broken</a>",
                "<a href=\"/hostile/offsite\">offsite</a>",
                "<img src=\"/hostile/not-an-image.jpg\">",
                "<img src=\"/hostile/mislabelled.png\">",
                "<img src=\"/hostile/huge.jpg\">",
                "<img src=\"/hostile/missing.jpg\">",
            ]
            .concat(),
        ),
        "/hostile/huge.html" => endless("text/html", &[b'<'; 64 * 1024], HUGE_BODY_BYTES),
        "/hostile/huge.jpg" => endless("image/jpeg", &[0xFF; 64 * 1024], HUGE_BODY_BYTES),
        "/hostile/slow.html" => {
            tokio::time::sleep(SLOW_PAGE_DELAY).await;
            html("<img src=\"/img/faceapi/sad.jpg\">".into())
        }
        "/hostile/broken.html" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><div><p><img src=/img/faceapi/angry.jpg <a href=/deep/1.html>x</a><table><img src='/img/faceapi/fearful.jpg'><td></div>\u{0}<!-- unterminated",
        )
            .into_response(),
        "/hostile/not-an-image.jpg" => (
            [(header::CONTENT_TYPE, "image/jpeg")],
            "<html><body>Gotcha: this is not a JPEG</body></html>",
        )
            .into_response(),
        "/hostile/mislabelled.png" => match tokio::fs::read(site.faces.join("faceapi/amy/amy1.png")).await {
            Ok(bytes) => ([(header::CONTENT_TYPE, "text/plain")], bytes).into_response(),
            Err(_) => not_found(),
        },
        "/hostile/offsite" => redirect("http://elsewhere.invalid/landing.html"),
        _ => serve_dynamic(site, &path).await,
    }
}

async fn serve_dynamic(site: &Site, path: &str) -> Response {
    if path == "/gallery/index.html" {
        return html(
            (1..=GALLERY_PAGES)
                .map(|n| format!("<a href=\"/gallery/{n}.html\">page {n}</a> "))
                .collect(),
        );
    }
    if let Some(n) = path
        .strip_prefix("/gallery/")
        .and_then(|p| p.strip_suffix(".html"))
    {
        let n: u32 = n.parse().unwrap_or(0);
        if !(1..=GALLERY_PAGES).contains(&n) {
            return not_found();
        }
        return html(
            (0..GALLERY_IMAGES_PER_PAGE)
                .map(|i| {
                    let person = PEOPLE[((n + i) as usize) % PEOPLE.len()];
                    let k = i % 5 + 1;
                    format!("<img src=\"/img/faceapi/{person}/{person}{k}.png?copy={n}-{i}\">")
                })
                .collect(),
        );
    }
    if let Some(n) = path.strip_prefix("/hostile/redirect/") {
        let next = n.parse::<u64>().unwrap_or(0).saturating_add(1);
        return redirect(&format!("/hostile/redirect/{next}"));
    }
    if let Some(person) = path
        .strip_prefix("/people/")
        .and_then(|p| p.strip_suffix(".html"))
    {
        if !PEOPLE.contains(&person) {
            return not_found();
        }
        let img = |i: u32| format!("/img/faceapi/{person}/{person}{i}.png");
        return html(format!(
            "<head><meta property=\"og:image\" content=\"{og}\"></head>\
             <img src=\"{a}\" srcset=\"{a} 1x, {b} 2x\">\
             <picture><source srcset=\"{c}\"><img src=\"{a}\"></picture>\
             <a href=\"{d}\">full size</a> <a href=\"/\">home</a>",
            og = img(5),
            a = img(1),
            b = img(2),
            c = img(3),
            d = img(4),
        ));
    }
    if let Some(n) = path
        .strip_prefix("/deep/")
        .and_then(|p| p.strip_suffix(".html"))
    {
        let n: u32 = n.parse().unwrap_or(0);
        if !(1..=10).contains(&n) {
            return not_found();
        }
        let photo = FACEREC_PHOTOS[(n as usize) % FACEREC_PHOTOS.len()];
        return html(format!(
            "<img src=\"/img/facerec/{photo}?deep={n}\"><a href=\"/deep/{}.html\">deeper</a>",
            n + 1
        ));
    }
    if let Some(relative) = path.strip_prefix("/img/") {
        if relative
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            return not_found();
        }
        let content_type = match relative.rsplit('.').next() {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            _ => "application/octet-stream",
        };
        return match tokio::fs::read(site.faces.join(relative)).await {
            Ok(bytes) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
            Err(_) => not_found(),
        };
    }
    not_found()
}
