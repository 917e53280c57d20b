//! The WACZ package (Web Archive Collection Zipped, 1.2): one ZIP holding
//! `archive/data.warc.gz` (the captures' WARC records, each its own gzip member, as web archive
//! tools expect), `indexes/index.cdx` (a CDXJ line per response, with its offset and length in
//! the WARC), `pages/pages.jsonl` (one page per finding), `datapackage.json` (the SHA-256 and
//! size of every file) and `datapackage-digest.json` (the SHA-256 of `datapackage.json`).
//!
//! Streamed: records go into the ZIP one at a time, hashed on the way, so memory holds one
//! capture at most. Every entry is stored, not deflated (the WARC is gzip already; WACZ readers
//! seek into it). `wacz_version` 1.1.1 is written beside the 1.2 `profile` so that the
//! reference validator (`wacz validate`, which knows only 1.1.1) checks the package too.

use std::io::{Seek, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::json;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::EvidenceError;
use crate::search::findings::warc;
use crate::Result;

const WARC_NAME: &str = "data.warc.gz";

/// One file listed in `datapackage.json`.
struct Resource {
    name: String,
    path: String,
    hash: String,
    bytes: u64,
}

/// A page of `pages/pages.jsonl`.
#[derive(Debug)]
pub struct Page {
    pub url: String,
    pub ts: DateTime<Utc>,
    pub title: String,
}

/// Writes a WACZ into `out`: [`WaczWriter::begin`], then [`WaczWriter::add_capture`] for each
/// capture's WARC records, then [`WaczWriter::finish`].
pub struct WaczWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    warc_hash: Sha256,
    warc_len: u64,
    cdxj: Vec<String>,
    resources: Vec<Resource>,
}

impl<W: Write + Seek> std::fmt::Debug for WaczWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaczWriter")
            .field("warc_len", &self.warc_len)
            .finish_non_exhaustive()
    }
}

fn zip_error(e: impl std::fmt::Display) -> crate::Error {
    EvidenceError::Package {
        reason: e.to_string(),
    }
    .into()
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true)
}

impl<W: Write + Seek> WaczWriter<W> {
    /// Opens the WARC entry and writes its `warcinfo` record (software, format, how captured).
    pub fn begin(out: W, info: &str, now: DateTime<Utc>) -> Result<Self> {
        let mut zip = ZipWriter::new(out);
        zip.start_file(format!("archive/{WARC_NAME}"), stored())
            .map_err(zip_error)?;
        let mut writer = Self {
            zip,
            warc_hash: Sha256::new(),
            warc_len: 0,
            cdxj: Vec::new(),
            resources: Vec::new(),
        };
        let mut record = Vec::new();
        warc::write_record(
            &mut record,
            &[
                ("WARC-Type", "warcinfo".to_owned()),
                ("WARC-Record-ID", warc::record_id()?),
                ("WARC-Date", warc::warc_date(now)),
                ("WARC-Filename", WARC_NAME.to_owned()),
                ("Content-Type", "application/warc-fields".to_owned()),
            ],
            info.as_bytes(),
        );
        writer.write_member(&record)?;
        Ok(writer)
    }

    /// Writes one gzip member; returns its offset and length in the WARC file.
    fn write_member(&mut self, record: &[u8]) -> Result<(u64, u64)> {
        let mut gz = GzEncoder::new(Vec::with_capacity(record.len() / 2), Compression::default());
        gz.write_all(record).map_err(zip_error)?;
        let member = gz.finish().map_err(zip_error)?;
        self.zip.write_all(&member).map_err(zip_error)?;
        self.warc_hash.update(&member);
        let offset = self.warc_len;
        self.warc_len += member.len() as u64;
        Ok((offset, member.len() as u64))
    }

    /// Adds the WARC records of one capture, as the vault keeps them, each as its own gzip
    /// member, and indexes its response or resource record.
    pub fn add_capture(&mut self, records: &[u8], mime: &str) -> Result<()> {
        for record in warc::split_records(records) {
            let (offset, length) = self.write_member(record)?;
            let kind = warc::field(record, "WARC-Type").unwrap_or_default();
            if kind != "response" && kind != "resource" {
                continue;
            }
            let (Some(url), Some(date)) = (
                warc::field(record, "WARC-Target-URI"),
                warc::field(record, "WARC-Date"),
            ) else {
                continue;
            };
            let status = if kind == "response" {
                http_status(record).unwrap_or(200)
            } else {
                200
            };
            let digest = warc::field(record, "WARC-Payload-Digest")
                .or_else(|| warc::field(record, "WARC-Block-Digest"))
                .unwrap_or_default();
            let line = json!({
                "url": url,
                "mime": mime,
                "status": status.to_string(),
                "digest": digest,
                "length": length.to_string(),
                "offset": offset.to_string(),
                "filename": WARC_NAME,
            });
            self.cdxj
                .push(format!("{} {} {line}", surt(url), cdx_timestamp(date)));
        }
        Ok(())
    }

    fn add_file(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.zip.start_file(path, stored()).map_err(zip_error)?;
        self.zip.write_all(bytes).map_err(zip_error)?;
        self.resources.push(Resource {
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
            path: path.to_owned(),
            hash: format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
            bytes: bytes.len() as u64,
        });
        Ok(())
    }

    /// Writes the index, the pages and the package descriptors, and closes the ZIP.
    pub fn finish(mut self, pages: &[Page], title: &str, now: DateTime<Utc>) -> Result<W> {
        let warc_hash = std::mem::take(&mut self.warc_hash);
        self.resources.push(Resource {
            name: WARC_NAME.to_owned(),
            path: format!("archive/{WARC_NAME}"),
            hash: format!("sha256:{}", hex::encode(warc_hash.finalize())),
            bytes: self.warc_len,
        });
        let mut cdxj = std::mem::take(&mut self.cdxj);
        cdxj.sort();
        let mut index = cdxj.join("\n");
        index.push('\n');
        self.add_file("indexes/index.cdx", index.as_bytes())?;

        let mut lines = vec![
            json!({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}).to_string(),
        ];
        for (i, page) in pages.iter().enumerate() {
            lines.push(
                json!({
                    "id": format!("page-{}", i + 1),
                    "url": page.url,
                    "ts": page.ts.to_rfc3339_opts(SecondsFormat::Secs, true),
                    "title": page.title,
                })
                .to_string(),
            );
        }
        let mut jsonl = lines.join("\n");
        jsonl.push('\n');
        self.add_file("pages/pages.jsonl", jsonl.as_bytes())?;

        let created = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        let package = json!({
            "profile": "data-package",
            "wacz_version": "1.1.1",
            "title": title,
            "created": created,
            "modified": created,
            "software": concat!("Takeback ", env!("CARGO_PKG_VERSION")),
            "resources": self.resources.iter().map(|r| json!({
                "name": r.name,
                "path": r.path,
                "hash": r.hash,
                "bytes": r.bytes,
            })).collect::<Vec<_>>(),
        });
        let package = serde_json::to_vec_pretty(&package).map_err(zip_error)?;
        self.zip
            .start_file("datapackage.json", stored())
            .map_err(zip_error)?;
        self.zip.write_all(&package).map_err(zip_error)?;
        let digest = json!({
            "path": "datapackage.json",
            "hash": format!("sha256:{}", hex::encode(Sha256::digest(&package))),
        });
        self.zip
            .start_file("datapackage-digest.json", stored())
            .map_err(zip_error)?;
        self.zip
            .write_all(
                serde_json::to_vec_pretty(&digest)
                    .map_err(zip_error)?
                    .as_slice(),
            )
            .map_err(zip_error)?;
        self.zip.finish().map_err(zip_error)
    }
}

/// The HTTP status in a response record's block.
fn http_status(record: &[u8]) -> Option<u16> {
    let head_len = record.windows(4).position(|w| w == b"\r\n\r\n")?;
    let block = &record[head_len + 4..];
    let line_end = block.windows(2).position(|w| w == b"\r\n")?;
    std::str::from_utf8(&block[..line_end])
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

/// `2026-11-26T10:00:00.000000Z` → `20261126100000`.
fn cdx_timestamp(warc_date: &str) -> String {
    warc_date
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect()
}

/// The SURT form CDXJ indexes sort by: `https://www.Example.com/a?b` → `com,example)/a?b`.
pub(crate) fn surt(address: &str) -> String {
    let Ok(url) = url::Url::parse(address) else {
        return address.to_ascii_lowercase();
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        host.to_owned()
    } else {
        host.split('.').rev().collect::<Vec<_>>().join(",")
    };
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let mut path = url.path().to_ascii_lowercase();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(&query.to_ascii_lowercase());
    }
    format!("{host}{port}){path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surt_reverses_the_host_and_keeps_the_path() {
        assert_eq!(
            surt("https://www.Example.com/A/b.jpg?x=1"),
            "com,example)/a/b.jpg?x=1"
        );
        assert_eq!(surt("http://127.0.0.1:8080/p"), "127.0.0.1:8080)/p");
        assert_eq!(
            cdx_timestamp("2026-11-26T10:00:00.000000Z"),
            "20261126100000"
        );
    }
}
