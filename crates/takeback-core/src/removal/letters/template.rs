//! Loading and rendering the letter templates in `templates/letters/<locale>/`.
//!
//! The templates are compiled into the binary (a letter must render on an air-gapped clinic
//! machine with nothing but the executable), but they stay separate files so translators and
//! lawyers edit text, not Rust.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::LetterKind;
use crate::{Error, Result};

/// The locales that ship. Each has every kind, the partials and `elements.toml`.
pub const LOCALES: &[&str] = &["en"];

macro_rules! locale_files {
    ($locale:literal: $($name:literal),* $(,)?) => {
        &[$(
            (concat!($locale, "/", $name),
             include_str!(concat!("../../../templates/letters/", $locale, "/", $name))),
        )*]
    };
}

const FILES: &[(&str, &str)] = locale_files!("en":
    "_findings.txt", "_contact.txt", "_signature.txt", "dmca.txt", "takeitdown.txt", "gdpr.txt",
    "dsa.txt", "ukosa.txt", "delisting.txt", "abuse.txt", "elements.toml",
);

/// The text of a locale's file, e.g. `source("en", "elements.toml")`.
pub fn source(locale: &str, name: &str) -> Option<&'static str> {
    let key = format!("{locale}/{name}");
    FILES.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, text) in FILES {
        if name.ends_with(".txt") {
            env.add_template(name, text)
                .map_err(|e| template_error(name, e))?;
        }
    }
    Ok(env)
}

fn template_error(name: &str, e: minijinja::Error) -> Error {
    Error::LetterTemplate {
        template: name.to_owned(),
        reason: e.to_string(),
        source: Some(e.into()),
    }
}

/// Renders the kind's template for `locale` and splits off the subject line.
pub fn render<C: Serialize>(
    locale: &str,
    kind: LetterKind,
    context: &C,
) -> Result<(String, String)> {
    if !LOCALES.contains(&locale) {
        return Err(Error::InvalidLetterInput {
            reason: format!(
                "letters are not yet translated into `{locale}`; available: {}",
                LOCALES.join(", ")
            ),
            source: None,
        });
    }
    let name = format!("{locale}/{}.txt", kind.as_str());
    let env = environment()?;
    let template = env
        .get_template(&name)
        .map_err(|e| template_error(&name, e))?;
    let text = template
        .render(context)
        .map_err(|e| template_error(&name, e))?;
    let text = text.trim_start();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let subject = first
        .strip_prefix("Subject:")
        .ok_or_else(|| Error::LetterTemplate {
            template: name.clone(),
            reason: "the first line must start with `Subject:`".into(),
            source: None,
        })?
        .trim()
        .to_owned();
    Ok((subject, tidy(rest)))
}

/// Collapses runs of blank lines left by conditional blocks and trims trailing spaces.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned() + "\n"
}
