//! A4 documents as PDF/A-2b: the letters and the evidence report are typeset here.
//!
//! A document is a list of [`Block`]s (headings, paragraphs, gaps, page breaks, pictures). Each
//! paragraph is laid out by parley (linebender): HarfRust shaping, the Unicode bidirectional
//! algorithm (Arabic and Hebrew run right to left), UAX #14 line breaking within the text width
//! (a word wider than the line, such as a long address, breaks anywhere rather than being cut),
//! and per-cluster font fallback through the font stack below. krilla (the PDF writer behind
//! Typst) embeds a subset of each font with a Unicode map, so the text can be searched and
//! copied, and writes the PDF/A-2b parts: XMP metadata (which it escapes itself), the sRGB output
//! intent, embedded fonts only, no `.notdef` glyph.
//!
//! Parley was chosen over cosmic-text (maintained too, but built around an editor buffer and
//! system font discovery) and over krilla's own `draw_text` (one font, one direction, no line
//! breaking, so fallback and bidi would be ours to write): it is the layout engine krilla's own
//! example feeds glyphs from, and it does bidi, fallback and line breaking in one place. Fonts are
//! registered from memory only, never from the system, so a letter looks the same on every
//! machine.
//!
//! Fonts (in `crates/takeback-core/fonts/`, each with its licence): DejaVu Serif (Latin, Greek,
//! Cyrillic, Vietnamese), Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif Devanagari (regular
//! and bold each), and Droid Sans Fallback for Chinese, Japanese and Korean (regular only: CJK
//! in a heading shows in the regular weight). A character no font has is written as its code
//! point, `[U+0E01]`, never dropped and never drawn as an empty box.
//!
//! Bounds: a paragraph (one heading or line of text) may have at most [`MAX_PARAGRAPH_CHARS`]
//! characters; a longer one is refused with [`TypesetError::FieldTooLong`] before any layout.
//! Layout is linear in the text's length, and only one page of laid-out text is held at a time.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use parley::fontique::{Blob, Collection, CollectionOptions, SourceCache};
use parley::{
    Alignment, AlignmentOptions, FontContext, FontFamily, FontFamilyName, FontWeight, Layout,
    LayoutContext, LineHeight, OverflowWrap, PositionedLayoutItem, StyleProperty,
};

use crate::ErrorCode;

/// The most characters one paragraph may have. About three pages of a letter; the body of a
/// letter is many paragraphs, each bounded on its own.
pub const MAX_PARAGRAPH_CHARS: usize = 10_000;

const DEJAVU_SERIF: &[u8] = include_bytes!("../../fonts/DejaVuSerif.ttf");
const DEJAVU_SERIF_BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSerif-Bold.ttf");
const NOTO_SERIF_HEBREW: &[u8] = include_bytes!("../../fonts/NotoSerifHebrew-Regular.ttf");
const NOTO_SERIF_HEBREW_BOLD: &[u8] = include_bytes!("../../fonts/NotoSerifHebrew-Bold.ttf");
const NOTO_NASKH_ARABIC: &[u8] = include_bytes!("../../fonts/NotoNaskhArabic-Regular.ttf");
const NOTO_NASKH_ARABIC_BOLD: &[u8] = include_bytes!("../../fonts/NotoNaskhArabic-Bold.ttf");
const NOTO_SERIF_DEVANAGARI: &[u8] = include_bytes!("../../fonts/NotoSerifDevanagari-Regular.ttf");
const NOTO_SERIF_DEVANAGARI_BOLD: &[u8] =
    include_bytes!("../../fonts/NotoSerifDevanagari-Bold.ttf");
const DROID_SANS_FALLBACK: &[u8] = include_bytes!("../../fonts/DroidSansFallbackFull.ttf");

/// Every face, in fallback order: the first family that has a character draws it.
const FACES: [&[u8]; 9] = [
    DEJAVU_SERIF,
    DEJAVU_SERIF_BOLD,
    NOTO_SERIF_HEBREW,
    NOTO_SERIF_HEBREW_BOLD,
    NOTO_NASKH_ARABIC,
    NOTO_NASKH_ARABIC_BOLD,
    NOTO_SERIF_DEVANAGARI,
    NOTO_SERIF_DEVANAGARI_BOLD,
    DROID_SANS_FALLBACK,
];

/// A4 in points.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// What can go wrong typesetting a document.
#[derive(Debug, thiserror::Error)]
pub enum TypesetError {
    #[error("{field} is {chars} characters long; a PDF paragraph can have at most {limit}: shorten it or split it into shorter paragraphs (blank lines)")]
    FieldTooLong {
        field: String,
        chars: usize,
        limit: usize,
    },
    #[error("the letter is {chars} characters long; a PDF letter can have at most {limit}: name fewer findings or send several letters")]
    LetterTooLong { chars: usize, limit: usize },
    #[error("writing the PDF failed ({reason}); please report this")]
    Pdf { reason: String },
}

impl TypesetError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TypesetError::FieldTooLong { .. } | TypesetError::LetterTooLong { .. } => {
                ErrorCode::InvalidInput
            }
            TypesetError::Pdf { .. } => ErrorCode::Internal,
        }
    }
}

crate::layer_error!(TypesetError);

/// One piece of a document, in reading order.
#[derive(Debug, Clone)]
pub enum Block {
    /// A bold line, a little larger than the text.
    Heading(String),
    /// A paragraph, wrapped to the text width.
    Text(String),
    /// Vertical space, a fraction of a line.
    Gap,
    /// The next block starts a new page.
    PageBreak,
    /// A JPEG picture, as wide as `width_mm` at most.
    Picture(Picture),
}

/// A JPEG with its size in pixels.
#[derive(Debug, Clone)]
pub struct Picture {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub width_mm: f32,
}

/// The page and type sizes of a kind of document.
#[derive(Debug, Clone, Copy)]
pub struct PageStyle {
    pub margin_mm: f32,
    pub font_size: f32,
    pub heading_size: f32,
    /// Line height as a multiple of the font size.
    pub line_height: f32,
    /// A [`Block::Gap`] as a multiple of the line height.
    pub gap: f32,
}

/// What the PDF says about itself (its Info dictionary and XMP metadata).
#[derive(Debug, Clone)]
pub struct DocumentInfo<'a> {
    pub title: &'a str,
    /// The PDF's subject (`dc:description` in XMP).
    pub subject: &'a str,
    /// BCP 47, e.g. `en`.
    pub language: &'a str,
    pub created: DateTime<Utc>,
}

/// Refuses `text` if it is longer than [`MAX_PARAGRAPH_CHARS`], naming it as `field`.
pub fn check_length(field: impl FnOnce() -> String, text: &str) -> Result<(), TypesetError> {
    // Counting stops at the bound, so a huge field costs no more than a bounded one.
    if text.chars().nth(MAX_PARAGRAPH_CHARS).is_some() {
        return Err(TypesetError::FieldTooLong {
            field: field(),
            chars: text.chars().count(),
            limit: MAX_PARAGRAPH_CHARS,
        });
    }
    Ok(())
}

/// Shortens `text` to at most `limit` characters, saying so in the text itself, for documents
/// that report stored data rather than what the user wrote (the evidence report).
pub fn clip(text: String, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text,
        Some((cut, _)) => format!(
            "{} [... cut here: {} characters in all, the first {limit} shown]",
            &text[..cut],
            text.chars().count()
        ),
    }
}

/// Typesets `blocks` on A4 pages as PDF/A-2b.
pub fn render(
    info: &DocumentInfo<'_>,
    style: &PageStyle,
    blocks: &[Block],
) -> Result<Vec<u8>, TypesetError> {
    for (index, block) in blocks.iter().enumerate() {
        if let Block::Heading(text) | Block::Text(text) = block {
            check_length(|| format!("paragraph {}", index + 1), text)?;
        }
    }
    let mut fonts = Fonts::new();
    let mut layout_cx: LayoutContext<()> = LayoutContext::new();
    let margin = style.margin_mm * POINTS_PER_MM;
    let width = PAGE_WIDTH - 2.0 * margin;
    let bottom = PAGE_HEIGHT - margin;
    let line_height = style.font_size * style.line_height;

    let mut document = Document::new_with(settings()?);
    document.set_metadata(metadata(info));
    let mut page = PagePlan::default();
    let mut y = margin;
    for block in blocks {
        match block {
            Block::Gap => y += line_height * style.gap,
            Block::PageBreak => {
                page.flush(&mut document, &mut fonts)?;
                y = margin;
            }
            Block::Heading(text) | Block::Text(text) => {
                let (size, bold) = match block {
                    Block::Heading(_) => (style.heading_size, true),
                    _ => (style.font_size, false),
                };
                if text.trim().is_empty() {
                    y += line_height;
                    continue;
                }
                let paragraph = Rc::new(fonts.layout(
                    &mut layout_cx,
                    text,
                    size,
                    bold,
                    style.line_height,
                    width,
                ));
                for (line_index, line) in paragraph.layout.lines().enumerate() {
                    let metrics = line.metrics();
                    let height = metrics.line_height;
                    if y + height > bottom && !page.is_empty() {
                        page.flush(&mut document, &mut fonts)?;
                        y = margin;
                    }
                    let baseline = y + (metrics.baseline - metrics.block_min_coord);
                    page.items.push(Item::Line {
                        paragraph: Rc::clone(&paragraph),
                        line_index,
                        origin: Point::from_xy(margin, baseline),
                    });
                    y += height;
                }
            }
            Block::Picture(picture) => {
                let scale = (picture.width_mm * POINTS_PER_MM).min(width)
                    / picture.width.max(picture.height).max(1) as f32;
                let (w, h) = (picture.width as f32 * scale, picture.height as f32 * scale);
                if y + h > bottom && !page.is_empty() {
                    page.flush(&mut document, &mut fonts)?;
                    y = margin;
                }
                let image = Image::from_jpeg(picture.jpeg.clone().into(), false)
                    .map_err(|reason| TypesetError::Pdf { reason })?;
                let size = Size::from_wh(w.max(1.0), h.max(1.0)).ok_or(TypesetError::Pdf {
                    reason: "a picture has no size".into(),
                })?;
                page.items.push(Item::Picture {
                    image,
                    size,
                    origin: Point::from_xy(margin, y + line_height * 0.5),
                });
                y += h + line_height;
            }
        }
    }
    page.flush(&mut document, &mut fonts)?;
    document.finish().map_err(|e| TypesetError::Pdf {
        reason: format!("{e:?}"),
    })
}

fn settings() -> Result<SerializeSettings, TypesetError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| TypesetError::Pdf {
            reason: format!("{e:?}"),
        })?;
    Ok(SerializeSettings {
        configuration,
        // Structure tags (PDF/A-2a, PDF/UA) are not written: the documents are one column of
        // paragraphs, read in the order they are drawn.
        enable_tagging: false,
        ..SerializeSettings::default()
    })
}

fn metadata(info: &DocumentInfo<'_>) -> Metadata {
    let t = info.created;
    let created = krilla::metadata::DateTime::new(u16::try_from(t.year()).unwrap_or(0))
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    Metadata::new()
        .title(info.title.to_owned())
        .description(info.subject.to_owned())
        .language(info.language.to_owned())
        .creator(format!("Takeback {}", env!("CARGO_PKG_VERSION")))
        .creation_date(created)
}

/// The faces, registered with parley, and the krilla font for each face parley picks.
struct Fonts {
    font_cx: FontContext,
    stack: Vec<FontFamilyName<'static>>,
    krilla: HashMap<(u64, u32), Font>,
}

/// A laid-out paragraph with the text its glyphs point into.
struct Paragraph {
    text: String,
    layout: Layout<()>,
}

impl Fonts {
    fn new() -> Self {
        let mut collection = Collection::new(CollectionOptions {
            shared: false,
            system_fonts: false,
        });
        let mut stack: Vec<FontFamilyName<'static>> = Vec::new();
        for face in FACES {
            let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(face);
            for (family, _) in collection.register_fonts(Blob::new(data), None) {
                if let Some(name) = collection.family_name(family) {
                    let name = FontFamilyName::Named(Cow::Owned(name.to_owned()));
                    if !stack.contains(&name) {
                        stack.push(name);
                    }
                }
            }
        }
        Self {
            font_cx: FontContext {
                collection,
                source_cache: SourceCache::default(),
            },
            stack,
            krilla: HashMap::new(),
        }
    }

    fn layout(
        &mut self,
        layout_cx: &mut LayoutContext<()>,
        text: &str,
        size: f32,
        bold: bool,
        line_height: f32,
        width: f32,
    ) -> Paragraph {
        // Tabs and other control characters have no glyph in any font.
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let layout = self.shape(layout_cx, &text, size, bold, line_height, width);
        let missing = missing_characters(&layout);
        if missing.is_empty() {
            return Paragraph { text, layout };
        }
        // Characters no font has are written as their code points, then laid out again; the
        // replacement is ASCII, which the first font has, so a second pass is the last.
        let mut is_missing = vec![false; text.len()];
        for range in missing {
            is_missing[range].fill(true);
        }
        let mut shown = String::with_capacity(text.len() * 2);
        for (at, c) in text.char_indices() {
            if !is_missing[at] {
                shown.push(c);
            } else if c.is_whitespace() {
                shown.push(' ');
            } else {
                shown.push_str(&format!("[U+{:04X}]", u32::from(c)));
            }
        }
        let layout = self.shape(layout_cx, &shown, size, bold, line_height, width);
        Paragraph {
            text: shown,
            layout,
        }
    }

    fn shape(
        &mut self,
        layout_cx: &mut LayoutContext<()>,
        text: &str,
        size: f32,
        bold: bool,
        line_height: f32,
        width: f32,
    ) -> Layout<()> {
        let mut builder = layout_cx.ranged_builder(&mut self.font_cx, text, 1.0, false);
        builder.push_default(StyleProperty::FontFamily(FontFamily::List(Cow::Borrowed(
            &self.stack,
        ))));
        builder.push_default(StyleProperty::FontSize(size));
        builder.push_default(StyleProperty::FontWeight(if bold {
            FontWeight::BOLD
        } else {
            FontWeight::NORMAL
        }));
        builder.push_default(StyleProperty::LineHeight(LineHeight::FontSizeRelative(
            line_height,
        )));
        builder.push_default(StyleProperty::OverflowWrap(OverflowWrap::Anywhere));
        builder.set_line_break_override(Some(&no_break_after_hyphen));
        let mut layout = builder.build(text);
        layout.break_all_lines(Some(width));
        layout.align(Alignment::Start, AlignmentOptions::default());
        layout
    }

    fn krilla_font(&mut self, font: &parley::FontData) -> Result<Font, TypesetError> {
        let key = (font.data.id(), font.index);
        if let Some(found) = self.krilla.get(&key) {
            return Ok(found.clone());
        }
        let (data, _) = font.data.clone().into_raw_parts();
        let made = Font::new(krilla::Data::from(data), font.index).ok_or(TypesetError::Pdf {
            reason: "a shipped font cannot be read".into(),
        })?;
        self.krilla.insert(key, made.clone());
        Ok(made)
    }
}

/// UAX #14 lets a line break after a hyphen, but text extractors (pdftotext, screen readers)
/// join a line that ends in `-` to the next without it, which turns a quoted address
/// (`a-rather-long-name`) into a different one. Hyphens followed by a letter never end a line;
/// a run too long for the line still breaks, elsewhere in it.
fn no_break_after_hyphen(context: parley::LineBreakContext) -> Option<bool> {
    (context.before == '-' && !context.after.is_whitespace()).then_some(false)
}

/// The text ranges of clusters that were shaped with no glyph (`.notdef`, glyph 0).
fn missing_characters(layout: &Layout<()>) -> Vec<std::ops::Range<usize>> {
    let mut missing = Vec::new();
    for line in layout.lines() {
        for run in line.runs() {
            for cluster in run.clusters() {
                if cluster.glyphs().any(|g| g.id == 0) {
                    missing.push(cluster.text_range());
                }
            }
        }
    }
    missing
}

/// What one page shows, gathered before the page is drawn.
#[derive(Default)]
struct PagePlan {
    items: Vec<Item>,
}

enum Item {
    Line {
        paragraph: Rc<Paragraph>,
        line_index: usize,
        origin: Point,
    },
    Picture {
        image: Image,
        size: Size,
        origin: Point,
    },
}

impl PagePlan {
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Draws the gathered items on a new page. A plan with nothing in it makes no page.
    fn flush(&mut self, document: &mut Document, fonts: &mut Fonts) -> Result<(), TypesetError> {
        if self.items.is_empty() {
            return Ok(());
        }
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(TypesetError::Pdf {
            reason: "the page size is invalid".into(),
        })?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut result = Ok(());
        for item in self.items.drain(..) {
            match item {
                Item::Line {
                    paragraph,
                    line_index,
                    origin,
                } => {
                    if let Err(e) = draw_line(&mut surface, fonts, &paragraph, line_index, origin) {
                        result = Err(e);
                        break;
                    }
                }
                Item::Picture {
                    image,
                    size,
                    origin,
                } => {
                    surface.push_transform(&Transform::from_translate(origin.x, origin.y));
                    surface.draw_image(image, size);
                    surface.pop();
                }
            }
        }
        surface.finish();
        page.finish();
        result
    }
}

/// Draws one line of a paragraph with its baseline at `origin`.
fn draw_line(
    surface: &mut Surface<'_>,
    fonts: &mut Fonts,
    paragraph: &Paragraph,
    line_index: usize,
    origin: Point,
) -> Result<(), TypesetError> {
    let Some(line) = paragraph.layout.get(line_index) else {
        return Ok(());
    };
    for item in line.items() {
        let PositionedLayoutItem::GlyphRun(glyph_run) = item else {
            continue;
        };
        let run = glyph_run.run();
        let size = run.font_size();
        let font = fonts.krilla_font(run.font())?;
        let mut glyphs = Vec::new();
        for cluster in run.visual_clusters() {
            // A shaped cluster (a ligature, a conjunct) spanning several graphemes draws all its
            // glyphs with its first grapheme; its text is all of theirs, so that copying and
            // searching the PDF gives back every character.
            if cluster.is_ligature_continuation() {
                continue;
            }
            let mut range = cluster.text_range();
            let mut next = cluster.next_logical();
            while let Some(following) = next {
                if !following.is_ligature_continuation() {
                    break;
                }
                let more = following.text_range();
                range = range.start.min(more.start)..range.end.max(more.end);
                next = following.next_logical();
            }
            for glyph in cluster.glyphs() {
                glyphs.push(KrillaGlyph::new(
                    GlyphId::new(glyph.id),
                    glyph.advance / size,
                    glyph.x / size,
                    glyph.y / size,
                    0.0,
                    range.clone(),
                    None,
                ));
            }
        }
        if glyphs.is_empty() {
            continue;
        }
        surface.draw_glyphs(
            Point::from_xy(origin.x + glyph_run.offset(), origin.y),
            &glyphs,
            font,
            &paragraph.text,
            size,
            false,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_field_is_refused_before_layout_and_named() {
        let err = check_length(|| "the subject".into(), &"x".repeat(100_000)).unwrap_err();
        assert!(matches!(
            err,
            TypesetError::FieldTooLong { ref field, chars: 100_000, limit: MAX_PARAGRAPH_CHARS }
                if field == "the subject"
        ));
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(check_length(|| unreachable!(), &"x".repeat(MAX_PARAGRAPH_CHARS)).is_ok());
    }

    #[test]
    fn clipping_says_what_was_cut() {
        assert_eq!(clip("short".into(), 10), "short");
        let clipped = clip("é".repeat(50), 10);
        assert!(clipped.starts_with(&"é".repeat(10)));
        assert!(clipped.contains("50 characters in all, the first 10 shown"));
    }
}
