//! The contacts panel: who can remove an image at a URL, and where each contact came from.

use serde::Serialize;
use takeback_core::contacts::{self, Contact, Options};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ContactsFound {
    pub host: String,
    pub contacts: Vec<Contact>,
    /// What could not be checked and why, in plain words.
    pub notes: Vec<String>,
}

/// Looks up the recipients for `url`: RDAP (registrar and network abuse desks), the site's
/// security.txt and contact page (only when `visit_site`), and the platform directory.
#[tauri::command]
#[specta::specta]
pub async fn find_contacts(
    state: State<'_, AppState>,
    url: String,
    visit_site: bool,
) -> IpcResult<ContactsFound> {
    let mut options = Options::new(state.settings()?.rdap_bootstrap_base());
    options.visit_site = visit_site;
    options.cache_dir = Some(state.data_dir.root().join("cache").join("rdap"));
    options.allow_local_network = state.allow_local_network;
    let found = contacts::discover(&url, &options, chrono::Utc::now()).await?;
    Ok(ContactsFound {
        host: found.host,
        contacts: found.contacts,
        notes: found.notes,
    })
}
