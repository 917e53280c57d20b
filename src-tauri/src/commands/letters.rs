//! The letter editor: the advisor's choice of routes, a live draft of the letter as the user
//! edits it, and saving it as PDF, text or an email draft (which files a case). Every rule is in
//! `takeback_core::removal::request`, shared with the CLI's `takeback letter`.

use chrono::Utc;
use takeback_core::removal::letters::advisor::{self, Advice, Facts};
use takeback_core::removal::letters::LetterKind;
use takeback_core::removal::request::{
    self, LetterFormat, LetterOrder, LetterPreview, SaveTo, SavedLetter,
};
use tauri::State;

use super::blocking;
use crate::error::IpcResult;
use crate::state::AppState;

/// Which routes fit the facts, why, and the warnings to show before choosing.
#[tauri::command]
#[specta::specta]
pub fn advise_letters(facts: Facts) -> Advice {
    advisor::advise(&facts)
}

/// Drafts the letter (or re-checks the user's edit of its body).
#[tauri::command]
#[specta::specta]
pub fn draft_letter(state: State<'_, AppState>, order: LetterOrder) -> IpcResult<LetterPreview> {
    let today = Utc::now().date_naive();
    Ok(state
        .session
        .with_vault(|v| request::preview(v.conn(), &order, today))?)
}

/// Where a letter is suggested to go: `Documents/Takeback letters/<kind>-<date>.<ext>`.
#[tauri::command]
#[specta::specta]
pub fn suggest_letter_path(kind: LetterKind, format: LetterFormat) -> String {
    request::suggested_path(kind, format, Utc::now())
        .display()
        .to_string()
}

/// Writes the reviewed letter where `to` says and files its case, unless `to.case_id` names the
/// case of an earlier save. An existing file is replaced only when `to.overwrite` is true.
#[tauri::command]
#[specta::specta]
pub async fn save_letter(
    state: State<'_, AppState>,
    order: LetterOrder,
    to: SaveTo,
) -> IpcResult<SavedLetter> {
    blocking(&state.session, move |s| {
        request::save(&s.vault_handle()?, &order, &to, Utc::now())
    })
    .await
}
