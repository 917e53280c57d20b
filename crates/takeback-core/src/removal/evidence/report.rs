//! The PDF evidence report: per finding, its addresses, first and last sighting, every capture
//! (time, HTTP status, SHA-256, how it was made), the PDQ, the re-checks, and the letters and
//! case timelines that name it; then the audit chain's length and head hash, and the software.
//!
//! Pictures come last, one page each: a blurred thumbnail (24 px, Gaussian blur) by default, the
//! captured image (at most 1024 px) when unredacted, none for a hashes-only report. They are
//! embedded as JPEG (DCTDecode) images. The whole report is typeset as PDF/A-2b by
//! [`crate::removal::typeset`], in the letters' fonts (every script a name may be written in).
//!
//! The report shows stored data, not text the owner wrote for it, so a value longer than
//! [`LINE_CHARS`] characters (a pathological address or note) is cut there, with a note in the
//! line saying how long it was; the web archive package and the vault keep it whole.

use std::io::Cursor;

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Dossier, EvidenceError, Pictures, WrittenFile};
use crate::removal::typeset::{self, Block, DocumentInfo, PageStyle, Picture};
use crate::search::findings::{self, EvidenceKind};
use crate::storage::vault::Vault;
use crate::Result;

/// The most characters of one line of the report; longer values are cut with a note.
pub const LINE_CHARS: usize = 4_000;
const STYLE: PageStyle = PageStyle {
    margin_mm: 18.0,
    font_size: 9.0,
    heading_size: 12.0,
    line_height: 1.2,
    gap: 0.5,
};
/// Pictures are 120 mm wide at most.
const PICTURE_MM: f32 = 120.0;
/// A redacted thumbnail's longer side, in pixels: enough to tell pictures apart, not to see them.
const BLURRED_PX: u32 = 24;
const FULL_PX: u32 = 1024;

/// What the report says about the export itself.
pub struct Context<'a> {
    pub pictures: Pictures,
    pub audit_entries: u64,
    pub audit_head: &'a str,
    pub generated_at: DateTime<Utc>,
    pub wacz: Option<&'a WrittenFile>,
}

fn report_error(e: impl std::fmt::Display) -> crate::Error {
    EvidenceError::Report {
        reason: e.to_string(),
    }
    .into()
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The report's lines of text, in order (what the preview shows).
pub fn outline(dossiers: &[Dossier], context: &Context<'_>) -> Vec<String> {
    let mut lines = text_lines(dossiers, context);
    if context.pictures != Pictures::None {
        for dossier in dossiers {
            lines.push(Block::Text(format!(
                "[Picture of finding {}: {}]",
                dossier.finding.id,
                if context.pictures == Pictures::Full {
                    "the captured image, unredacted"
                } else {
                    "a blurred thumbnail"
                }
            )));
        }
    }
    lines
        .into_iter()
        .filter_map(|l| match l {
            Block::Heading(s) | Block::Text(s) => Some(s),
            Block::Gap | Block::PageBreak | Block::Picture(_) => None,
        })
        .collect()
}

fn text_lines(dossiers: &[Dossier], context: &Context<'_>) -> Vec<Block> {
    let mut lines: Vec<Block> = Vec::new();
    heading(&mut lines, "Evidence report");
    text(
        &mut lines,
        format!(
            "Made by Takeback {} on {} (UTC). {} finding(s).",
            env!("CARGO_PKG_VERSION"),
            time(context.generated_at),
            dossiers.len()
        ),
    );
    text(
        &mut lines,
        format!(
            "Audit log of the profile at export: {} entries, head hash {}",
            context.audit_entries, context.audit_head
        ),
    );
    if let Some(wacz) = context.wacz {
        text(
            &mut lines,
            format!(
                "Web archive package (WACZ): {} bytes, SHA-256 {}",
                wacz.bytes, wacz.sha256
            ),
        );
    }
    text(
        &mut lines,
        match context.pictures {
            Pictures::Blurred => "Pictures: blurred thumbnails only (the exact images are in the web archive package; the SHA-256 of each identifies it).".to_owned(),
            Pictures::Full => "Pictures: the captured images, unredacted.".to_owned(),
            Pictures::None => "Pictures: none. This report identifies each image by its SHA-256 and PDQ hashes only.".to_owned(),
        },
    );
    text(&mut lines, "Times are UTC (RFC 3339). SHA-256 is of the exact bytes served; PDQ is the perceptual hash of the image (Meta's PDQ, 256 bits, hex).".to_owned());

    for dossier in dossiers {
        finding_section(&mut lines, dossier);
    }

    lines
}

/// Renders the report to PDF bytes.
pub fn render(vault: &Vault, dossiers: &[Dossier], context: &Context<'_>) -> Result<Vec<u8>> {
    let mut lines = text_lines(dossiers, context);
    if context.pictures != Pictures::None {
        for dossier in dossiers {
            if let Some(picture) = picture(vault, dossier, context.pictures)? {
                lines.push(Block::PageBreak);
                heading(
                    &mut lines,
                    &format!(
                        "Picture of finding {} ({})",
                        dossier.finding.id,
                        if context.pictures == Pictures::Full {
                            "unredacted"
                        } else {
                            "blurred"
                        }
                    ),
                );
                text(&mut lines, format!("SHA-256 {}", dossier.finding.sha256));
                lines.push(Block::Picture(picture));
            }
        }
    }
    let subject = format!(
        "Evidence report on {} finding(s), made by Takeback",
        dossiers.len()
    );
    let info = DocumentInfo {
        title: "Evidence report",
        subject: &subject,
        language: "en",
        created: context.generated_at,
    };
    Ok(typeset::render(&info, &STYLE, &lines)?)
}

fn heading(lines: &mut Vec<Block>, s: &str) {
    lines.push(Block::Gap);
    lines.push(Block::Heading(typeset::clip(s.to_owned(), LINE_CHARS)));
}

fn text(lines: &mut Vec<Block>, s: String) {
    lines.push(Block::Text(typeset::clip(s, LINE_CHARS)));
}

fn finding_section(lines: &mut Vec<Block>, d: &Dossier) {
    let f = &d.finding;
    heading(lines, &format!("Finding {}", f.id));
    text(lines, format!("Image address: {}", f.image_url));
    if let Some(page) = &f.page_url {
        text(lines, format!("Page address: {page}"));
    }
    text(lines, format!("Site: {}", f.site));
    text(
        lines,
        format!(
            "First seen: {}   Last seen: {}   Status: {}",
            time(f.first_seen),
            time(f.last_seen),
            f.status.as_str()
        ),
    );
    if let Some(removed) = d.removed_at {
        text(lines, format!("Found removed: {}", time(removed)));
    }
    text(
        lines,
        format!(
            "SHA-256 of the image as found: {}",
            if f.sha256.is_empty() { "-" } else { &f.sha256 }
        ),
    );
    text(lines, format!("PDQ: {}", f.pdq.as_deref().unwrap_or("-")));
    let seen_by: Vec<String> = f.providers.iter().map(ToString::to_string).collect();
    text(lines, format!("Found by: {}", seen_by.join(", ")));

    if d.captures.is_empty() {
        text(lines, "Captures: none kept.".to_owned());
    }
    for c in &d.captures {
        let what = match c.kind {
            EvidenceKind::Image => "image",
            EvidenceKind::Page => "page",
        };
        lines.push(Block::Gap);
        text(
            lines,
            format!("Capture of the {what}, {} UTC", time(c.captured_at)),
        );
        text(lines, format!("  Asked for: {}", c.requested_url));
        if let Some(url) = &c.final_url {
            text(lines, format!("  Served from: {url}"));
        }
        text(
            lines,
            format!(
                "  HTTP status: {}   Type: {}   Bytes: {}",
                c.http_status.map_or("-".to_owned(), |s| s.to_string()),
                c.content_type.as_deref().unwrap_or("-"),
                c.byte_len.map_or("-".to_owned(), |n| n.to_string())
            ),
        );
        if let Some(sha) = &c.sha256 {
            text(lines, format!("  SHA-256: {sha}"));
        }
        if let Some(failure) = &c.failure {
            text(lines, format!("  Not kept: {failure}"));
        }
        text(
            lines,
            format!(
                "  WARC records: {}",
                if c.warc {
                    "in the web archive package"
                } else {
                    "none (captured before Takeback kept them)"
                }
            ),
        );
        if let Some(method) = &c.capture_method {
            text(lines, format!("  Captured by: {method}"));
        }
    }

    if !d.rechecks.is_empty() {
        lines.push(Block::Gap);
        text(lines, "Removal checks:".to_owned());
        for r in &d.rechecks {
            text(
                lines,
                format!(
                    "  {} {}{}{}",
                    time(r.checked_at),
                    r.outcome.as_str().replace('_', " "),
                    r.status.map(|s| format!(", HTTP {s}")).unwrap_or_default(),
                    r.reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                ),
            );
        }
    }
    for (case, events) in &d.cases {
        lines.push(Block::Gap);
        text(
            lines,
            format!(
                "Letter (case {}): {} to {}{}, state {}",
                case.id,
                case.kind.as_str(),
                case.recipient_name,
                case.recipient_address
                    .as_deref()
                    .map(|a| format!(" <{a}>"))
                    .unwrap_or_default(),
                case.state.as_str()
            ),
        );
        text(
            lines,
            format!(
                "  Drafted {}; sent {}",
                time(case.created_at),
                case.sent_at.map_or("not yet".to_owned(), time)
            ),
        );
        for e in events {
            text(
                lines,
                format!(
                    "  {} {}{}",
                    time(e.at),
                    e.event,
                    e.note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ),
            );
        }
    }
}

/// The finding's picture as the report shows it: from its latest image capture, else its
/// thumbnail; `None` when neither exists or decodes.
fn picture(vault: &Vault, dossier: &Dossier, pictures: Pictures) -> Result<Option<Picture>> {
    let mut source = None;
    for capture in dossier.captures.iter().rev() {
        if capture.kind == EvidenceKind::Image {
            if let Some(bytes) = findings::evidence_bytes(vault, capture)? {
                source = Some(bytes);
                break;
            }
        }
    }
    if source.is_none() {
        source = findings::thumbnail(vault, dossier.finding.id)?;
    }
    let Some(bytes) = source else {
        return Ok(None);
    };
    let Ok(reader) = image::ImageReader::new(Cursor::new(bytes.as_slice())).with_guessed_format()
    else {
        return Ok(None);
    };
    let mut reader = reader;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let Ok(decoded) = reader.decode() else {
        return Ok(None);
    };
    let shown = match pictures {
        Pictures::Full if decoded.width() > FULL_PX || decoded.height() > FULL_PX => {
            decoded.thumbnail(FULL_PX, FULL_PX)
        }
        Pictures::Full => decoded,
        // Shrink first, then blur: what is left cannot be sharpened back into the picture.
        _ => decoded.thumbnail(BLURRED_PX, BLURRED_PX).blur(1.5),
    };
    let rgb = shown.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&rgb)
        .map_err(report_error)?;
    Ok(Some(Picture {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
        width_mm: PICTURE_MM,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: issue 15, item 9 (a 100 KB field made the PDF grow to about 1 GB).
    #[test]
    fn a_100_kb_value_is_cut_with_a_note_and_the_report_still_typesets() {
        let mut lines = Vec::new();
        text(
            &mut lines,
            format!("Image address: https://x.test/{}", "a".repeat(100_000)),
        );
        let Some(Block::Text(line)) = lines.first() else {
            panic!("one line of text")
        };
        assert!(line.chars().count() < typeset::MAX_PARAGRAPH_CHARS);
        assert!(line.contains("[... cut here: 100030 characters in all, the first 4000 shown]"));
        let info = DocumentInfo {
            title: "Evidence report",
            subject: "test",
            language: "en",
            created: DateTime::UNIX_EPOCH,
        };
        let started = std::time::Instant::now();
        let pdf = typeset::render(&info, &STYLE, &lines).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
