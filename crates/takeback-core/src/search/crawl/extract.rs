//! Links and images in a page: `img` (`src`, `srcset`, lazy-loading `data-src`), `picture`/
//! `source` `srcset`, `og:image` and `twitter:image`, `link rel=image_src`, and anchors to image
//! files. Parsed with html5ever (through `scraper`), which recovers from broken HTML the way
//! browsers do.

use std::collections::HashSet;

use scraper::{Html, Selector};
use url::Url;

/// What a page points to, resolved to absolute http(s) URLs, in page order, without repeats.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// Other pages (anchors that are not image files).
    pub pages: Vec<Url>,
    pub images: Vec<Url>,
}

/// File extensions that mark an anchor as a link to an image.
const IMAGE_EXTENSIONS: [&str; 10] = [
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif", ".jfif",
];

/// Extracts links and images from `html`, found at `page_url`; at most `max_each` of each.
pub fn extract_links(html: &str, page_url: &Url, max_each: usize) -> PageLinks {
    let document = Html::parse_document(html);
    let base = select(&document, "base[href]")
        .first()
        .and_then(|e| e.value().attr("href"))
        .and_then(|href| page_url.join(href).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut images = Collector::new(max_each);
    let mut pages = Collector::new(max_each);

    for element in select(&document, "img") {
        let value = element.value();
        for attr in ["src", "data-src"] {
            if let Some(src) = value.attr(attr) {
                images.add(&base, src);
            }
        }
        for attr in ["srcset", "data-srcset"] {
            if let Some(srcset) = value.attr(attr) {
                for candidate in srcset_urls(srcset) {
                    images.add(&base, candidate);
                }
            }
        }
    }
    for element in select(&document, "picture source[srcset], source[srcset]") {
        if let Some(srcset) = element.value().attr("srcset") {
            for candidate in srcset_urls(srcset) {
                images.add(&base, candidate);
            }
        }
    }
    for element in select(
        &document,
        "meta[property='og:image'], meta[property='og:image:url'], meta[property='og:image:secure_url'], meta[name='twitter:image'], meta[property='twitter:image']",
    ) {
        if let Some(content) = element.value().attr("content") {
            images.add(&base, content);
        }
    }
    for element in select(&document, "link[rel~='image_src'][href]") {
        if let Some(href) = element.value().attr("href") {
            images.add(&base, href);
        }
    }
    for element in select(&document, "a[href], area[href]") {
        let Some(href) = element.value().attr("href") else {
            continue;
        };
        let Ok(url) = base.join(href.trim()) else {
            continue;
        };
        let path = url.path().to_ascii_lowercase();
        if IMAGE_EXTENSIONS.iter().any(|ext| path.ends_with(ext)) {
            images.add_url(url);
        } else {
            pages.add_url(url);
        }
    }
    PageLinks {
        pages: pages.urls,
        images: images.urls,
    }
}

fn select<'a>(document: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    match Selector::parse(selector) {
        Ok(selector) => document.select(&selector).collect(),
        Err(_) => Vec::new(),
    }
}

/// The URLs of a `srcset` (`a.jpg 1x, b.jpg 2x` or `a.jpg 480w, …`).
fn srcset_urls(srcset: &str) -> impl Iterator<Item = &str> {
    srcset
        .split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
}

struct Collector {
    urls: Vec<Url>,
    seen: HashSet<String>,
    max: usize,
}

impl Collector {
    fn new(max: usize) -> Self {
        Self {
            urls: Vec::new(),
            seen: HashSet::new(),
            max,
        }
    }

    fn add(&mut self, base: &Url, reference: &str) {
        let reference = reference.trim();
        if reference.is_empty() || reference.starts_with("data:") {
            return;
        }
        if let Ok(url) = base.join(reference) {
            self.add_url(url);
        }
    }

    fn add_url(&mut self, mut url: Url) {
        if self.urls.len() >= self.max || !matches!(url.scheme(), "http" | "https") {
            return;
        }
        url.set_fragment(None);
        if self.seen.insert(url.as_str().to_owned()) {
            self.urls.push(url);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(html: &str, pages: &[&str], images: &[&str]) {
        let page = Url::parse("https://example.com/blog/post.html").unwrap();
        let links = extract_links(html, &page, 100);
        let as_text = |urls: &[Url]| urls.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        assert_eq!(as_text(&links.pages), pages, "pages of {html}");
        assert_eq!(as_text(&links.images), images, "images of {html}");
    }

    #[test]
    fn finds_every_kind_of_image() {
        check(
            r#"<html><head>
                 <meta property="og:image" content="/og.jpg">
                 <meta name="twitter:image" content="https://cdn.example.net/tw.png">
               </head><body>
                 <img src="a.jpg" srcset="a-480.jpg 480w, a-960.jpg 960w">
                 <img data-src="lazy.webp">
                 <picture><source srcset="p.avif 1x, p@2x.avif 2x"><img src="p.jpg"></picture>
                 <a href="full/size.JPEG">full size</a>
                 <img src="data:image/png;base64,AAAA">
                 <img src="a.jpg#again">
               </body></html>"#,
            &[],
            &[
                "https://example.com/blog/a.jpg",
                "https://example.com/blog/a-480.jpg",
                "https://example.com/blog/a-960.jpg",
                "https://example.com/blog/lazy.webp",
                "https://example.com/blog/p.jpg",
                "https://example.com/blog/p.avif",
                "https://example.com/blog/p@2x.avif",
                "https://example.com/og.jpg",
                "https://cdn.example.net/tw.png",
                "https://example.com/blog/full/size.JPEG",
            ],
        );
    }

    #[test]
    fn finds_pages_and_honours_base() {
        check(
            r#"<base href="https://example.com/root/"><a href="next.html#top">n</a>
               <a href="mailto:x@example.com">m</a><a href="javascript:void(0)">j</a>
               <a href="//other.example.org/x">o</a>"#,
            &[
                "https://example.com/root/next.html",
                "https://other.example.org/x",
            ],
            &[],
        );
    }

    #[test]
    fn survives_broken_html() {
        check(
            "<html><body><div><p><img src=broken.png <a href=next.html>next</a><img src='ok.gif'",
            &[],
            &["https://example.com/blog/broken.png"],
        );
        check("\u{0}\u{feff}<<<>>>&&&;", &[], &[]);
    }

    #[test]
    fn counts_are_bounded() {
        let html: String = (0..50)
            .map(|i| format!("<img src='{i}.jpg'><a href='{i}.html'>x</a>"))
            .collect();
        let page = Url::parse("https://example.com/").unwrap();
        let links = extract_links(&html, &page, 10);
        assert_eq!((links.pages.len(), links.images.len()), (10, 10));
    }
}
