//! The letter as a PDF: typeset with line wrapping and page breaks (genpdf), in DejaVu Serif,
//! which is embedded so the letter looks the same on every machine and printer.
//!
//! The font ships in `crates/takeback-core/fonts/` with its licence (Bitstream Vera / public
//! domain changes, from Debian's `fonts-dejavu-core`).

use genpdf::elements::{Break, Paragraph};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::style::{Style, StyledString};
use genpdf::{Document, Mm, SimplePageDecorator};

use super::Letter;
use crate::{Error, Result};

pub(crate) const REGULAR: &[u8] = include_bytes!("../../../fonts/DejaVuSerif.ttf");
pub(crate) const BOLD: &[u8] = include_bytes!("../../../fonts/DejaVuSerif-Bold.ttf");
const FONT_SIZE: u8 = 10;
const MARGIN_MM: f64 = 22.0;
/// A4 text width: 210 mm minus both margins, with a little slack for rounding.
const TEXT_WIDTH_MM: f64 = 210.0 - 2.0 * MARGIN_MM - 2.0;

fn pdf_error(e: impl Into<crate::base::error::BoxError>) -> Error {
    Error::LetterOutput {
        format: "PDF",
        source: e.into(),
    }
}

/// Renders the letter to PDF bytes.
pub fn render(letter: &Letter) -> Result<Vec<u8>> {
    let regular = FontData::new(REGULAR.to_vec(), None).map_err(pdf_error)?;
    let bold = FontData::new(BOLD.to_vec(), None).map_err(pdf_error)?;
    let family = FontFamily {
        regular: regular.clone(),
        bold: bold.clone(),
        italic: regular,
        bold_italic: bold,
    };
    let mut doc = Document::new(family);
    doc.set_title(letter.subject.clone());
    doc.set_font_size(FONT_SIZE);
    doc.set_line_spacing(1.25);
    let mut decorator = SimplePageDecorator::new();
    decorator.set_margins(MARGIN_MM);
    doc.set_page_decorator(decorator);

    let fits = |s: &str, style: Style| -> bool {
        let font = style.font(doc.font_cache());
        font.str_width(doc.font_cache(), s, style.font_size()) <= Mm::from(TEXT_WIDTH_MM)
    };
    let normal = Style::new().with_font_size(FONT_SIZE);
    let heading = Style::new().bold().with_font_size(FONT_SIZE + 2);

    let mut blocks: Vec<(String, Style)> = vec![(letter.subject.clone(), heading)];
    blocks.push((String::new(), normal));
    blocks.extend(letter.body.lines().map(|l| (l.to_owned(), normal)));

    let mut paragraphs = Vec::new();
    for (line, style) in blocks {
        if line.trim().is_empty() {
            paragraphs.push(None);
            continue;
        }
        let fitted = break_long_words(&line, |w| fits(w, style));
        let mut p = Paragraph::default();
        p.push(StyledString::new(fitted, style));
        paragraphs.push(Some(p));
    }
    for p in paragraphs {
        match p {
            Some(p) => doc.push(p),
            None => doc.push(Break::new(0.6)),
        }
    }
    let mut out = Vec::new();
    doc.render(&mut out).map_err(pdf_error)?;
    compress(&out, &letter.subject)
}

/// Re-writes the PDF smaller. genpdf (printpdf 0.3) embeds each of the family's four faces
/// separately (our italic faces are copies of the upright ones) and leaves fonts and their
/// Unicode maps uncompressed, which makes a two-page letter about 2.4 MB. Identical streams are
/// merged and every stream is Flate-compressed.
///
/// The title is written again as UTF-16 with a byte-order mark: printpdf stores it as UTF-8
/// bytes in a PDF string, which readers decode as PDFDocEncoding ("§" shows as "Â§").
pub(crate) fn compress(pdf: &[u8], title: &str) -> Result<Vec<u8>> {
    use std::collections::HashMap;

    use lopdf::{Object, ObjectId, StringFormat};

    let mut doc = lopdf::Document::load_mem(pdf).map_err(pdf_error)?;
    if let Ok(info) = doc.trailer.get(b"Info").and_then(Object::as_reference) {
        if let Ok(Object::Dictionary(dict)) = doc.get_object_mut(info) {
            let utf16: Vec<u8> = [0xFE, 0xFF]
                .into_iter()
                .chain(title.encode_utf16().flat_map(u16::to_be_bytes))
                .collect();
            dict.set("Title", Object::String(utf16, StringFormat::Hexadecimal));
        }
    }
    let mut first_seen: HashMap<(String, Vec<u8>), ObjectId> = HashMap::new();
    let mut duplicate_of: HashMap<ObjectId, ObjectId> = HashMap::new();
    for (id, object) in &doc.objects {
        if let Object::Stream(stream) = object {
            let key = (format!("{:?}", stream.dict), stream.content.clone());
            match first_seen.get(&key) {
                Some(original) => {
                    duplicate_of.insert(*id, *original);
                }
                None => {
                    first_seen.insert(key, *id);
                }
            }
        }
    }
    doc.traverse_objects(|object| {
        if let Object::Reference(id) = object {
            if let Some(original) = duplicate_of.get(id) {
                *id = *original;
            }
        }
    });
    doc.prune_objects();
    doc.compress();
    let mut out = Vec::with_capacity(pdf.len() / 4);
    doc.save_to(&mut out).map_err(pdf_error)?;
    Ok(out)
}

/// genpdf drops the rest of a paragraph when one word is wider than the line, which would silently
/// cut a long URL out of a legal notice. Long words are split into pieces that fit, separated by
/// spaces so the typesetter can wrap between them.
pub(crate) fn break_long_words(line: &str, fits: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(line.len());
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if fits(word) {
            out.push_str(word);
            continue;
        }
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if !fits(&piece) {
                piece.pop();
                out.push_str(&piece);
                out.push(' ');
                piece.clear();
                piece.push(c);
            }
        }
        out.push_str(&piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::break_long_words;

    #[test]
    fn the_title_survives_characters_outside_ascii() {
        let mut letter = crate::removal::letters::draft(&crate::removal::letters::tests::request(
            crate::removal::letters::LetterKind::Takeitdown,
            false,
        ))
        .unwrap();
        letter.subject = "Notice under 47 U.S.C. § 223a — café".into();
        let bytes = super::render(&letter).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let info = doc
            .trailer
            .get(b"Info")
            .and_then(lopdf::Object::as_reference)
            .unwrap();
        let title = doc
            .get_object(info)
            .and_then(lopdf::Object::as_dict)
            .and_then(|d| d.get(b"Title"))
            .and_then(lopdf::Object::as_str)
            .unwrap();
        assert_eq!(&title[..2], &[0xFE, 0xFF]);
        let units: Vec<u16> = title[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(
            String::from_utf16(&units).unwrap(),
            "Notice under 47 U.S.C. § 223a — café"
        );
    }

    #[test]
    fn long_words_are_split_to_fit() {
        let out = break_long_words("see abcdefghij end", |w| w.len() <= 4);
        assert_eq!(out, "see abcd efgh ij end");
    }
}
