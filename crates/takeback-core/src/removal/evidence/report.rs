//! The PDF evidence report: per finding, its addresses, first and last sighting, every capture
//! (time, HTTP status, SHA-256, how it was made), the PDQ, the re-checks, and the letters and
//! case timelines that name it; then the audit chain's length and head hash, and the software.
//!
//! Pictures come last, one page each: a blurred thumbnail (24 px, Gaussian blur) by default, the
//! captured image (at most 1024 px) when unredacted, none for a hashes-only report. They are
//! placed with lopdf after genpdf has typeset the text, as JPEG (DCTDecode) image objects.

use std::io::Cursor;

use chrono::{DateTime, SecondsFormat, Utc};
use genpdf::elements::{Break, PageBreak, Paragraph};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::style::{Style, StyledString};
use genpdf::{Document, Mm, SimplePageDecorator};
use lopdf::{dictionary, Object, ObjectId, Stream};

use super::{Dossier, EvidenceError, Pictures, WrittenFile};
use crate::removal::letters::pdf::{break_long_words, compress, BOLD, REGULAR};
use crate::search::findings::{self, EvidenceKind};
use crate::storage::vault::Vault;
use crate::Result;

const FONT_SIZE: u8 = 9;
const MARGIN_MM: f64 = 18.0;
const TEXT_WIDTH_MM: f64 = 210.0 - 2.0 * MARGIN_MM - 2.0;
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
            lines.push(Line::Text(format!(
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
            Line::Heading(s) | Line::Text(s) => Some(s),
            Line::Gap | Line::PageBreak => None,
        })
        .collect()
}

fn text_lines(dossiers: &[Dossier], context: &Context<'_>) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
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
    let mut pictures = Vec::new();
    if context.pictures != Pictures::None {
        for dossier in dossiers {
            if let Some(picture) = picture(vault, dossier, context.pictures)? {
                lines.push(Line::PageBreak);
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
                pictures.push(picture);
            }
        }
    }
    let pdf = typeset(&lines)?;
    let pdf = place_pictures(&pdf, &pictures)?;
    compress(&pdf, "Evidence report")
}

enum Line {
    Heading(String),
    Text(String),
    Gap,
    PageBreak,
}

fn heading(lines: &mut Vec<Line>, s: &str) {
    lines.push(Line::Gap);
    lines.push(Line::Heading(s.to_owned()));
}

fn text(lines: &mut Vec<Line>, s: String) {
    lines.push(Line::Text(s));
}

fn finding_section(lines: &mut Vec<Line>, d: &Dossier) {
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
        lines.push(Line::Gap);
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
        lines.push(Line::Gap);
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
        lines.push(Line::Gap);
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

fn typeset(lines: &[Line]) -> Result<Vec<u8>> {
    let regular = FontData::new(REGULAR.to_vec(), None).map_err(report_error)?;
    let bold = FontData::new(BOLD.to_vec(), None).map_err(report_error)?;
    let family = FontFamily {
        regular: regular.clone(),
        bold: bold.clone(),
        italic: regular,
        bold_italic: bold,
    };
    let mut doc = Document::new(family);
    doc.set_title("Evidence report");
    doc.set_font_size(FONT_SIZE);
    doc.set_line_spacing(1.2);
    let mut decorator = SimplePageDecorator::new();
    decorator.set_margins(MARGIN_MM);
    doc.set_page_decorator(decorator);
    let normal = Style::new().with_font_size(FONT_SIZE);
    let bold = Style::new().bold().with_font_size(FONT_SIZE + 3);
    let fits = |s: &str, style: Style| -> bool {
        let font = style.font(doc.font_cache());
        font.str_width(doc.font_cache(), s, style.font_size()) <= Mm::from(TEXT_WIDTH_MM)
    };
    let mut elements = Vec::new();
    for line in lines {
        let (s, style) = match line {
            Line::Heading(s) => (s, bold),
            Line::Text(s) => (s, normal),
            Line::Gap => {
                elements.push(None);
                continue;
            }
            Line::PageBreak => {
                elements.push(Some(Err(())));
                continue;
            }
        };
        let mut p = Paragraph::default();
        p.push(StyledString::new(
            break_long_words(s, |w| fits(w, style)),
            style,
        ));
        elements.push(Some(Ok(p)));
    }
    for element in elements {
        match element {
            None => doc.push(Break::new(0.5)),
            Some(Err(())) => doc.push(PageBreak::new()),
            Some(Ok(p)) => doc.push(p),
        }
    }
    let mut out = Vec::new();
    doc.render(&mut out).map_err(report_error)?;
    Ok(out)
}

/// A JPEG to show for a finding, with its size in pixels.
struct Picture {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
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
    }))
}

/// Draws each picture on its page: the last `pictures.len()` pages, in order.
fn place_pictures(pdf: &[u8], pictures: &[Picture]) -> Result<Vec<u8>> {
    if pictures.is_empty() {
        return Ok(pdf.to_vec());
    }
    let mut doc = lopdf::Document::load_mem(pdf).map_err(report_error)?;
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let first = pages
        .len()
        .checked_sub(pictures.len())
        .ok_or_else(|| report_error("fewer pages than pictures"))?;
    for (picture, page) in pictures.iter().zip(&pages[first..]) {
        // 120 mm wide at most, below the heading (A4 is 595 x 842 pt).
        let max_w = 120.0 * 72.0 / 25.4;
        let scale = max_w / f64::from(picture.width.max(picture.height));
        let (w, h) = (
            f64::from(picture.width) * scale,
            f64::from(picture.height) * scale,
        );
        let (x, y) = (MARGIN_MM * 72.0 / 25.4, 842.0 - 60.0 * 72.0 / 25.4 - h);
        let mut image = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => i64::from(picture.width),
                "Height" => i64::from(picture.height),
                "ColorSpace" => "DeviceRGB",
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            picture.jpeg.clone(),
        );
        image.allows_compression = false;
        let image_id = doc.add_object(image);
        let name = format!("TbPic{}", image_id.0);
        doc.add_xobject(*page, name.as_bytes(), image_id)
            .map_err(report_error)?;
        let ops = format!("q {w:.2} 0 0 {h:.2} {x:.2} {y:.2} cm /{name} Do Q");
        let content_id = doc.add_object(Stream::new(dictionary! {}, ops.into_bytes()));
        let page_dict = doc
            .get_object_mut(*page)
            .and_then(Object::as_dict_mut)
            .map_err(report_error)?;
        let contents = match page_dict.get(b"Contents") {
            Ok(Object::Reference(r)) => vec![Object::Reference(*r), content_id.into()],
            Ok(Object::Array(a)) => {
                let mut a = a.clone();
                a.push(content_id.into());
                a
            }
            _ => vec![content_id.into()],
        };
        page_dict.set("Contents", contents);
    }
    let mut out = Vec::with_capacity(pdf.len());
    doc.save_to(&mut out).map_err(report_error)?;
    Ok(out)
}
