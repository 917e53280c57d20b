//! Recipient discovery for the letter editor: who can remove an image at a URL, where each
//! contact came from, and which one the letter goes to by default.

use takeback_core::removal::letters::LetterKind;
use takeback_core::session::ContactsFound;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// `visit_site` off: RDAP and the directory only, so the site's operator sees no request.
#[tauri::command]
#[specta::specta]
pub async fn find_contacts(
    state: State<'_, AppState>,
    url: String,
    visit_site: bool,
    kind: LetterKind,
) -> IpcResult<ContactsFound> {
    Ok(state.session.find_contacts(&url, visit_site, kind).await?)
}
