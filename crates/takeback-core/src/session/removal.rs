//! Requesting removal from the window: who to write to for a finding's address.

use serde::Serialize;

use super::Session;
use crate::removal::contacts::{self, Contact, ContactNote, Options};
use crate::removal::letters::LetterKind;
use crate::Result;

/// Who can remove an image at an address, where each contact came from, and which one a letter
/// of the asked kind goes to by default.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ContactsFound {
    pub host: String,
    pub contacts: Vec<Contact>,
    /// What could not be checked and why, as codes the window says in its own language.
    pub notes: Vec<ContactNote>,
    /// The index in `contacts` of the default recipient (the same rule as the CLI's).
    pub recommended: Option<u32>,
    /// Who the letter is addressed to, for each contact (same order as `contacts`).
    pub organisations: Vec<String>,
}

impl Session {
    /// The discovery options of this session: the RDAP bootstrap setting, the cache folder and
    /// the network policy.
    pub fn contact_options(&self, visit_site: bool) -> Result<Options> {
        let mut options = Options::from_settings(&*self.settings()?);
        options.visit_site = visit_site;
        options.cache_dir = Some(self.data_dir().root().join("cache").join("rdap"));
        options.allow_local_network = self.network().allow_local_network;
        Ok(options)
    }

    /// Finds who can remove the image at `url`. `visit_site` off: RDAP and the directory only,
    /// so the site's operator sees no request from this computer.
    pub async fn find_contacts(
        &self,
        url: &str,
        visit_site: bool,
        kind: LetterKind,
    ) -> Result<ContactsFound> {
        let options = self.contact_options(visit_site)?;
        let found = contacts::discover(url, &options, chrono::Utc::now()).await?;
        Ok(ContactsFound {
            recommended: found.recommended(kind).and_then(|i| u32::try_from(i).ok()),
            organisations: found
                .contacts
                .iter()
                .map(|c| found.organisation(c))
                .collect(),
            host: found.host,
            contacts: found.contacts,
            notes: found.notes,
        })
    }
}
