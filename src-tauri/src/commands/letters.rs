//! The letter editor: the advisor's choice of routes, a live draft of the letter as the user
//! edits it, and saving it as PDF, text or an email draft (which files a case).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use takeback_core::letters::advisor::{self, Advice, Facts};
use takeback_core::letters::compose::{self, ComposeInput};
use takeback_core::letters::{eml, pdf, LetterKind};
use takeback_core::ErrorCode;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Which routes fit the facts, why, and the warnings to show before choosing.
#[tauri::command]
#[specta::specta]
pub fn advise_letters(facts: Facts) -> Advice {
    advisor::advise(&facts)
}

/// A required element the user's edit removed.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct MissingElement {
    pub law: String,
    pub element: String,
}

/// The letter as it stands, for the live preview.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LetterPreview {
    pub subject: String,
    pub body: String,
    pub recipient_name: String,
    pub recipient_address: Option<String>,
    pub signer: String,
    /// Empty when every element the law requires is present.
    pub missing: Vec<MissingElement>,
}

/// Drafts the letter (or re-checks the user's edit of its body).
#[tauri::command]
#[specta::specta]
pub fn draft_letter(state: State<'_, AppState>, input: ComposeInput) -> IpcResult<LetterPreview> {
    let (letter, missing) = state
        .with_vault(|vault| compose::compose(vault.conn(), &input, Utc::now().date_naive()))?;
    Ok(LetterPreview {
        subject: letter.subject,
        body: letter.body,
        recipient_name: letter.recipient.name,
        recipient_address: letter.recipient.address,
        signer: letter.signer.name,
        missing: missing
            .into_iter()
            .map(|m| MissingElement {
                law: m.law,
                element: m.element,
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum LetterFormat {
    Pdf,
    Txt,
    Eml,
}

impl LetterFormat {
    fn extension(self) -> &'static str {
        match self {
            LetterFormat::Pdf => "pdf",
            LetterFormat::Txt => "txt",
            LetterFormat::Eml => "eml",
        }
    }
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SavedLetter {
    /// The case this letter belongs to (filed on the first save).
    pub case_id: i32,
    pub path: String,
    pub bytes: u32,
}

/// Where a letter is suggested to go: `Documents/Takeback letters/<kind>-<date>.<ext>`.
#[tauri::command]
#[specta::specta]
pub fn suggest_letter_path(kind: LetterKind, format: LetterFormat) -> String {
    let base = directories::UserDirs::new()
        .and_then(|d| d.document_dir().map(Path::to_path_buf))
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir);
    base.join("Takeback letters")
        .join(format!(
            "{}-{}.{}",
            kind.as_str(),
            Utc::now().format("%Y-%m-%d"),
            format.extension()
        ))
        .display()
        .to_string()
}

/// Writes the reviewed letter to `path` and files its case (state `draft`) unless `case_id`
/// names the case of an earlier save. The path must be absolute and end in the format's
/// extension; an existing file is replaced only when `overwrite` is true.
#[tauri::command]
#[specta::specta]
pub async fn save_letter(
    state: State<'_, AppState>,
    input: ComposeInput,
    format: LetterFormat,
    path: String,
    overwrite: bool,
    case_id: Option<i32>,
) -> IpcResult<SavedLetter> {
    let path = checked_path(&path, format, overwrite)?;
    let (letter, missing) = state
        .with_vault(|vault| compose::compose(vault.conn(), &input, Utc::now().date_naive()))?;
    if let Some(first) = missing.first() {
        return Err(invalid(format!(
            "the edited letter no longer contains {} ({}); put it back before saving",
            first.element, first.law
        )));
    }
    let bytes = super::profiles::blocking({
        let letter = letter.clone();
        move || match format {
            LetterFormat::Pdf => pdf::render(&letter),
            LetterFormat::Txt => Ok(letter.text().into_bytes()),
            LetterFormat::Eml => eml::render(&letter, &[], Utc::now()),
        }
    })
    .await?;
    write_new(&path, &bytes)?;
    let case_id = match case_id {
        Some(id) => id,
        None => {
            let id = state.with_vault(|vault| compose::file(vault.conn(), &letter, Utc::now()))?;
            i32::try_from(id).unwrap_or(i32::MAX)
        }
    };
    Ok(SavedLetter {
        case_id,
        path: path.display().to_string(),
        bytes: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
    })
}

fn invalid(message: String) -> IpcError {
    IpcError {
        code: ErrorCode::InvalidInput,
        message,
    }
}

fn checked_path(raw: &str, format: LetterFormat, overwrite: bool) -> IpcResult<PathBuf> {
    let path = PathBuf::from(raw.trim());
    if !path.is_absolute() {
        return Err(invalid(format!(
            "`{raw}` is not a full path; choose where to save with the Browse button"
        )));
    }
    let ext_ok = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(format.extension()));
    if !ext_ok {
        return Err(invalid(format!(
            "a {} letter must be saved as a .{} file",
            format.extension().to_uppercase(),
            format.extension()
        )));
    }
    if path.exists() && !overwrite {
        return Err(IpcError {
            code: ErrorCode::InvalidInput,
            message: format!(
                "`{}` already exists; choose another name or confirm replacing it",
                path.display()
            ),
        });
    }
    Ok(path)
}

/// Writes through a temporary file in the same folder, so a crash never leaves half a letter.
fn write_new(path: &Path, bytes: &[u8]) -> IpcResult<()> {
    let io = |action: &'static str, p: &Path, e: std::io::Error| {
        IpcError::from(takeback_core::Error::io(action, p, e))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("creating", dir, e))?;
    let tmp = dir.join(format!(
        ".{}.partial",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("letter")
    ));
    let mut file = std::fs::File::create(&tmp).map_err(|e| io("writing", &tmp, e))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| io("writing", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("saving", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_paths_must_be_absolute_match_the_format_and_not_clobber() {
        assert!(checked_path("letter.pdf", LetterFormat::Pdf, false).is_err());
        let err = checked_path("/tmp/x.txt", LetterFormat::Pdf, false).unwrap_err();
        assert!(err.message.contains(".pdf"), "{}", err.message);
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("a.pdf");
        std::fs::write(&existing, b"x").unwrap();
        let raw = existing.display().to_string();
        assert!(checked_path(&raw, LetterFormat::Pdf, false)
            .unwrap_err()
            .message
            .contains("already exists"));
        assert_eq!(
            checked_path(&raw, LetterFormat::Pdf, true).unwrap(),
            existing
        );
    }

    #[test]
    fn writing_replaces_atomically_and_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("l.txt");
        write_new(&path, b"one").unwrap();
        write_new(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
