//! The letter as a PDF/A-2b file: the subject as a heading, then the body, one paragraph per
//! line, wrapped and paginated on A4 by [`crate::removal::typeset`] (fonts for Latin, Greek,
//! Cyrillic, Vietnamese, Arabic, Hebrew, Devanagari and CJK, embedded, right-to-left runs
//! shaped as such).
//!
//! A letter says what its writer wrote, so nothing is cut: a subject or a line longer than
//! [`MAX_PARAGRAPH_CHARS`] characters, or a letter longer than [`MAX_LETTER_CHARS`], is refused
//! with an error that names it, before any layout.

use chrono::{NaiveTime, TimeZone, Utc};

use super::Letter;
use crate::removal::typeset::{self, Block, DocumentInfo, PageStyle, TypesetError};
use crate::Result;

pub use crate::removal::typeset::MAX_PARAGRAPH_CHARS;

/// The most characters a letter (subject and body) may have: about 300 pages.
pub const MAX_LETTER_CHARS: usize = 1_000_000;

const STYLE: PageStyle = PageStyle {
    margin_mm: 22.0,
    font_size: 10.0,
    heading_size: 12.0,
    line_height: 1.25,
    gap: 0.6,
};

/// Renders the letter to PDF bytes.
pub fn render(letter: &Letter) -> Result<Vec<u8>> {
    check_bounds(letter)?;
    let mut blocks = vec![Block::Heading(letter.subject.clone()), Block::Gap];
    for line in letter.body.lines() {
        blocks.push(if line.trim().is_empty() {
            Block::Gap
        } else {
            Block::Text(line.to_owned())
        });
    }
    let subject = format!(
        "Removal request ({}) to {}",
        letter.kind, letter.recipient.name
    );
    let info = DocumentInfo {
        title: &letter.subject,
        subject: &subject,
        language: &letter.locale,
        created: Utc.from_utc_datetime(&letter.date.and_time(NaiveTime::MIN)),
    };
    Ok(typeset::render(&info, &STYLE, &blocks)?)
}

/// Refuses a letter with a field too long to typeset, naming the field.
fn check_bounds(letter: &Letter) -> std::result::Result<(), TypesetError> {
    let total = letter.subject.len() + letter.body.len();
    // Bytes bound characters from above, so only a letter near the limit is counted.
    if total > MAX_LETTER_CHARS {
        let chars = letter.subject.chars().count() + letter.body.chars().count();
        if chars > MAX_LETTER_CHARS {
            return Err(TypesetError::LetterTooLong {
                chars,
                limit: MAX_LETTER_CHARS,
            });
        }
    }
    typeset::check_length(|| "the subject".to_owned(), &letter.subject)?;
    for (index, line) in letter.body.lines().enumerate() {
        typeset::check_length(|| format!("line {} of the letter", index + 1), line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::removal::letters::{draft, tests::request, LetterKind};
    use crate::removal::typeset::TypesetError;
    use crate::ErrorCode;

    fn letter() -> crate::removal::letters::Letter {
        draft(&request(LetterKind::Takeitdown, false)).unwrap()
    }

    fn refusal(letter: &crate::removal::letters::Letter) -> TypesetError {
        let err = super::render(letter).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
        match err.downcast_ref::<TypesetError>() {
            Some(TypesetError::FieldTooLong {
                field,
                chars,
                limit,
            }) => TypesetError::FieldTooLong {
                field: field.clone(),
                chars: *chars,
                limit: *limit,
            },
            Some(TypesetError::LetterTooLong { chars, limit }) => TypesetError::LetterTooLong {
                chars: *chars,
                limit: *limit,
            },
            _ => panic!("not a length refusal: {err}"),
        }
    }

    #[test]
    fn a_line_over_the_bound_is_refused_with_its_number() {
        let mut letter = letter();
        letter.body = format!("Dear Sir,\n\n{}\n", "word ".repeat(20_000));
        match refusal(&letter) {
            TypesetError::FieldTooLong { field, chars, .. } => {
                assert_eq!(field, "line 3 of the letter");
                assert_eq!(chars, 100_000);
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_letter_over_the_bound_is_refused() {
        let mut letter = letter();
        letter.body = "a short line of the letter\n".repeat(40_000);
        assert!(matches!(
            refusal(&letter),
            TypesetError::LetterTooLong { .. }
        ));
    }
}
