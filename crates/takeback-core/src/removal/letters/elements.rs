//! The elements each law requires in a letter, and the check that a rendered letter has them all.
//!
//! The list lives in `templates/letters/<locale>/elements.toml` beside the templates, so a
//! translation carries its own proof phrases. [`missing`] is run on every drafted letter, and by
//! the tests on the text extracted from the PDF and on the parsed `.eml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{template, Letter, LetterKind};
use crate::{Error, Result};

/// One required element of a letter kind.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// The provision that requires it.
    pub law: String,
    /// What the element is, in words.
    pub element: String,
    /// Phrases (with placeholders) that must all appear.
    pub phrases: Vec<String>,
}

/// The required elements of `kind` in `locale`.
pub fn required(locale: &str, kind: LetterKind) -> Result<Vec<Element>> {
    let text = template::source(locale, "elements.toml").ok_or_else(|| Error::LetterTemplate {
        template: format!("{locale}/elements.toml"),
        reason: "missing".into(),
        source: None,
    })?;
    let mut table: BTreeMap<String, Vec<Element>> =
        toml::from_str(text).map_err(|e| Error::LetterTemplate {
            template: format!("{locale}/elements.toml"),
            reason: e.to_string(),
            source: Some(e.into()),
        })?;
    Ok(table.remove(kind.as_str()).unwrap_or_default())
}

/// The elements of the letter's kind that `text` lacks (an empty list means complete). `text` is
/// whatever a reader will see: the letter body, the PDF's extracted text, or the parsed email.
pub fn missing(letter: &Letter, text: &str) -> Result<Vec<Element>> {
    let haystack = squash(text);
    let mut missing = Vec::new();
    for element in required(&letter.locale, letter.kind)? {
        let present = element
            .phrases
            .iter()
            .flat_map(|p| expand(p, letter))
            .all(|needle| haystack.contains(&squash(&needle)));
        if !present {
            missing.push(element);
        }
    }
    Ok(missing)
}

/// Replaces the placeholders; `{urls}` and `{hashes}` expand to one needle per value.
fn expand(phrase: &str, letter: &Letter) -> Vec<String> {
    let one = |p: &str| {
        p.replace("{signer}", &letter.signer.name)
            .replace("{email}", &letter.signer.email)
            .replace("{person}", &letter.person)
    };
    if phrase == "{urls}" {
        letter
            .findings
            .iter()
            .flat_map(|f| std::iter::once(f.image_url.clone()).chain(f.page_url.clone()))
            .collect()
    } else if phrase == "{hashes}" {
        letter.findings.iter().map(|f| f.sha256.clone()).collect()
    } else {
        vec![one(phrase)]
    }
}

/// Removes all whitespace: PDF text extraction breaks lines (and long URLs) where the typesetter
/// wrapped them, which must not count as a missing element.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
