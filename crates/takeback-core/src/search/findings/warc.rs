//! WARC records (ISO 28500, WARC/1.1) of an evidence capture: the request as sent and the
//! response as received (status line, headers, the exact body), dated in UTC to the
//! microsecond, each with a SHA-256 block digest and the response with its payload digest.
//!
//! Written by the spec rather than with the `warc` crate: that crate is unmaintained (it pins
//! uuid 0.8) and the records are a few header lines around a byte block. Readers (`warcio`,
//! `wacz validate`) read them back in the tests.

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};

use crate::search::crawl::fetch::Exchange;
use crate::Result;

/// A new record id, `<urn:uuid:…>` (random, version 4).
pub fn record_id() -> Result<String> {
    let mut b = crate::storage::vault::keys::random_array::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// `sha256:<hex>`, the digest form WARC readers and WACZ use.
pub fn sha256_label(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The WARC-Date form: UTC, microseconds (WARC/1.1 allows a fraction).
pub fn warc_date(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// One record: the version line, `fields` (name, value), the computed `Content-Length` and
/// `WARC-Block-Digest`, the block and the two closing line ends, appended to `out`.
pub fn write_record(out: &mut Vec<u8>, fields: &[(&str, String)], block: &[u8]) {
    let mut head = String::from("WARC/1.1\r\n");
    for (name, value) in fields {
        // A value never holds a line end (it would forge a field).
        let value: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("WARC-Block-Digest: {}\r\n", sha256_label(block)));
    head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
    out.reserve(head.len() + block.len() + 4);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
}

fn http_head(start_line: &str, headers: &HeaderMap) -> Vec<u8> {
    let mut head = Vec::with_capacity(512);
    head.extend_from_slice(start_line.as_bytes());
    head.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// The request and response records of one HTTP capture, in that order, as one byte string
/// (what the vault keeps beside the bytes).
pub fn http_capture(
    url: &url::Url,
    exchange: &Exchange,
    body: &[u8],
    captured_at: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let request_id = record_id()?;
    let response_id = record_id()?;
    let date = warc_date(captured_at);
    let target = url.as_str().to_owned();
    let mut path = url.path().to_owned();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    let version = if exchange.version.starts_with("HTTP/2") {
        // HTTP/2 has no text request line; the HTTP/1.1 form is what WARC readers parse.
        "HTTP/1.1"
    } else {
        exchange.version.as_str()
    };
    let request = http_head(&format!("GET {path} {version}"), &exchange.request_headers);
    let reason = reqwest::StatusCode::from_u16(exchange.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut response = http_head(
        &format!("{} {} {reason}", exchange.version, exchange.status),
        &exchange.response_headers,
    );
    response.extend_from_slice(body);
    let mut out = Vec::with_capacity(request.len() + response.len() + 2048);
    let mut response_fields = vec![
        ("WARC-Type", "response".to_owned()),
        ("WARC-Record-ID", response_id.clone()),
        ("WARC-Date", date.clone()),
        ("WARC-Target-URI", target.clone()),
        (
            "Content-Type",
            "application/http;msgtype=response".to_owned(),
        ),
        ("WARC-Payload-Digest", sha256_label(body)),
    ];
    if let Some(ip) = exchange.remote_ip {
        response_fields.push(("WARC-IP-Address", ip.to_string()));
    }
    write_record(&mut out, &response_fields, &response);
    write_record(
        &mut out,
        &[
            ("WARC-Type", "request".to_owned()),
            ("WARC-Record-ID", request_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", target),
            ("WARC-Concurrent-To", response_id),
            (
                "Content-Type",
                "application/http;msgtype=request".to_owned(),
            ),
        ],
        &request,
    );
    Ok(out)
}

/// A `resource` record: a file read from this computer (a folder scan's image), no HTTP.
pub fn resource(
    url: &url::Url,
    content_type: &str,
    body: &[u8],
    captured_at: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() + 1024);
    let content_type = if content_type.is_empty() {
        "application/octet-stream"
    } else {
        content_type
    };
    write_record(
        &mut out,
        &[
            ("WARC-Type", "resource".to_owned()),
            ("WARC-Record-ID", record_id()?),
            ("WARC-Date", warc_date(captured_at)),
            ("WARC-Target-URI", url.as_str().to_owned()),
            ("Content-Type", content_type.to_owned()),
        ],
        body,
    );
    Ok(out)
}

/// The records of a WARC byte string (as [`http_capture`] makes them), each whole, in order.
/// Stops at the first malformed record (an exporter then writes what came before).
pub fn split_records(warc: &[u8]) -> Vec<&[u8]> {
    let mut records = Vec::new();
    let mut at = 0;
    while at < warc.len() {
        let Some(head_len) = warc[at..].windows(4).position(|w| w == b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&warc[at..at + head_len]);
        let Some(len) = head.lines().find_map(|l| {
            l.strip_prefix("Content-Length: ")
                .and_then(|v| v.trim().parse::<usize>().ok())
        }) else {
            break;
        };
        let end = at + head_len + 4 + len + 4;
        if end > warc.len() {
            break;
        }
        records.push(&warc[at..end]);
        at = end;
    }
    records
}

/// The value of a WARC field in one record's head, if present.
pub fn field<'a>(record: &'a [u8], name: &str) -> Option<&'a str> {
    let head_len = record.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&record[..head_len]).ok()?;
    head.split("\r\n").find_map(|l| {
        l.split_once(": ")
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}
