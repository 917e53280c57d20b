//! Sitemaps (sitemaps.org protocol 0.9): on a repeat visit, a page the sitemap says was last
//! modified before we last fetched it is not asked for again (its links and images are taken
//! from the crawl memory). Where a site has no sitemap, the conditional requests still apply.
//!
//! Bounded everywhere: [`MAX_SITEMAP_BYTES`] per file, [`MAX_ENTRIES`] URLs in all,
//! [`MAX_FILES`] files and [`MAX_DEPTH`] levels of sitemap indexes. Parsed with `quick-xml`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quick_xml::events::Event;
use quick_xml::Reader;

/// The protocol's own limit per file is 50 MB uncompressed; a site we crawl is small, and a
/// sitemap larger than this is not read (the pages are then asked for conditionally).
pub const MAX_SITEMAP_BYTES: usize = 10 * 1024 * 1024;
/// The protocol's limit per file, and ours in all.
pub const MAX_ENTRIES: usize = 50_000;
/// Sitemap files read per visit (the root ones and those an index names).
pub const MAX_FILES: usize = 8;
/// An index may name sitemaps; an index named by an index is followed no further.
pub const MAX_DEPTH: u32 = 2;
/// A `lastmod` within this much before our last fetch is not trusted to mean "unchanged since"
/// (the site's clock and ours may differ).
const CLOCK_MARGIN: Duration = Duration::hours(1);

/// What one sitemap file lists.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SitemapFile {
    /// `<url>` entries: address and last modification, when given and readable.
    pub urls: Vec<(String, Option<DateTime<Utc>>)>,
    /// `<sitemap>` entries of a sitemap index.
    pub sitemaps: Vec<String>,
}

/// Parses a sitemap or sitemap index, keeping at most `max_entries` entries; `None` for a body
/// that is not well-formed XML.
pub fn parse(xml: &[u8], max_entries: usize) -> Option<SitemapFile> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut out = SitemapFile::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut loc: Option<String> = None;
    let mut lastmod: Option<DateTime<Utc>> = None;
    loop {
        if out.urls.len() + out.sitemaps.len() >= max_entries {
            break;
        }
        match reader.read_event().ok()? {
            Event::Start(e) => {
                // Nesting deeper than a sitemap has (urlset/url/loc) is not followed into.
                if path.len() >= 8 {
                    return None;
                }
                path.push(e.local_name().into_inner().to_owned());
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t),
            Event::GeneralRef(r) => {
                let c = match (r.is_char_ref(), &*r) {
                    (true, _) => r.resolve_char_ref().ok().flatten(),
                    (false, "amp") => Some('&'),
                    (false, "lt") => Some('<'),
                    (false, "gt") => Some('>'),
                    (false, "quot") => Some('"'),
                    (false, "apos") => Some('\''),
                    _ => None,
                };
                text.extend(c);
            }
            Event::End(_) => {
                let name = path.pop()?;
                let parent = path.last().map(String::as_str);
                match (name.as_str(), parent) {
                    ("loc", Some("url" | "sitemap")) => loc = Some(text.trim().to_owned()),
                    ("lastmod", Some("url")) => lastmod = parse_lastmod(text.trim()),
                    ("url", _) => {
                        if let Some(loc) = loc.take() {
                            out.urls.push((loc, lastmod.take()));
                        }
                        lastmod = None;
                    }
                    ("sitemap", _) => {
                        if let Some(loc) = loc.take() {
                            out.sitemaps.push(loc);
                        }
                    }
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Some(out)
}

/// A W3C datetime as sitemaps write it: a full RFC 3339 time, or a date alone, which is read as
/// the end of that day (so a change later that day is never taken as before our visit).
pub fn parse_lastmod(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    // `YYYY-MM-DDThh:mmTZD` (no seconds) is allowed too.
    if let Ok(time) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z") {
        return Some(time.with_timezone(&Utc));
    }
    if let Some(without_z) = text.strip_suffix('Z') {
        if let Ok(time) = chrono::NaiveDateTime::parse_from_str(without_z, "%Y-%m-%dT%H:%M") {
            return Some(time.and_utc());
        }
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Whether a page last fetched at `fetched_at` is unchanged by the sitemap's `lastmod`.
pub fn unchanged_since(lastmod: DateTime<Utc>, fetched_at: DateTime<Utc>) -> bool {
    lastmod + CLOCK_MARGIN <= fetched_at
}

/// Last modifications by page address (normalised by the caller), from every file read.
pub type LastModified = HashMap<String, DateTime<Utc>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_lastmods_are_read_and_entities_decoded() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://a.example/p?x=1&amp;y=2</loc><lastmod>2026-01-02T03:04:05+01:00</lastmod></url>
  <url><loc> https://a.example/day </loc><lastmod>2026-01-02</lastmod></url>
  <url><loc>https://a.example/none</loc></url>
  <url><loc>https://a.example/bad</loc><lastmod>yesterday</lastmod></url>
</urlset>"#;
        let file = parse(xml, 100).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            file.urls,
            vec![
                (
                    "https://a.example/p?x=1&y=2".to_owned(),
                    Some(at("2026-01-02T02:04:05Z"))
                ),
                (
                    "https://a.example/day".to_owned(),
                    Some(at("2026-01-03T00:00:00Z"))
                ),
                ("https://a.example/none".to_owned(), None),
                ("https://a.example/bad".to_owned(), None),
            ]
        );
        assert!(file.sitemaps.is_empty());
    }

    #[test]
    fn an_index_names_sitemaps_and_every_list_is_bounded() {
        let xml = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://a.example/s1.xml</loc><lastmod>2026-01-01</lastmod></sitemap>
  <sitemap><loc>https://a.example/s2.xml</loc></sitemap>
</sitemapindex>"#;
        let file = parse(xml, 100).unwrap();
        assert_eq!(
            file.sitemaps,
            vec!["https://a.example/s1.xml", "https://a.example/s2.xml"]
        );
        assert!(file.urls.is_empty());
        assert_eq!(parse(xml, 1).unwrap().sitemaps.len(), 1);

        let many: String = (0..1000)
            .map(|n| format!("<url><loc>https://a.example/{n}</loc></url>"))
            .collect();
        let big = format!("<urlset>{many}</urlset>");
        assert_eq!(parse(big.as_bytes(), 10).unwrap().urls.len(), 10);
        let deep = format!("{}x{}", "<a>".repeat(20), "</a>".repeat(20));
        assert!(parse(deep.as_bytes(), 10).is_none(), "no deep nesting");
        assert!(
            parse(b"<urlset><url></urlset>", 10).is_none(),
            "not well-formed"
        );
    }

    #[test]
    fn only_a_lastmod_clearly_before_our_fetch_counts_as_unchanged() {
        let fetched = parse_lastmod("2026-01-10T12:00:00Z").unwrap();
        assert!(unchanged_since(
            parse_lastmod("2026-01-09").unwrap(),
            fetched
        ));
        assert!(
            !unchanged_since(parse_lastmod("2026-01-10").unwrap(), fetched),
            "a date alone is the end of that day"
        );
        assert!(!unchanged_since(
            parse_lastmod("2026-01-10T11:30:00Z").unwrap(),
            fetched
        ));
        assert!(unchanged_since(
            parse_lastmod("2026-01-10T10:59Z").unwrap(),
            fetched
        ));
    }
}
