//! Recipient discovery: who can remove an image at a URL, and where each contact came from.
//!
//! Sources, in the order of the escalation ladder: the platforms directory (`data/platforms.toml`),
//! the site's own pages (security.txt per RFC 9116, mailto and contact links on its home page),
//! RDAP through the IANA bootstrap files (hosting network abuse contact, registrar abuse
//! contact), and the search engines' removal forms. Placeholder and redacted addresses are
//! dropped. The site itself is contacted only when its resolved address is public, unless
//! `allow_local_network` is set; requests to it are pinned to the checked address, so DNS cannot
//! be switched to a private address between the check and the request.
//!
//! App API (the Contacts panel): `discover(url, &Options, now).await` → [`Discovery`]; show each
//! contact's `detail`, `source` and `source_url`, and the `notes` (codes; English by `Display`); `Discovery::best_address(kind)` pre-fills a letter.

pub mod bootstrap;
pub mod directory;
mod net;
mod note;
pub mod page;
pub mod placeholder;
pub mod rdap;
pub mod security_txt;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use net::is_local;
pub use note::ContactNote;

use crate::removal::letters::LetterKind;
use crate::Result;

/// What a contact is for. Serialised as in the CLI contract.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A hosting network's abuse desk.
    Abuse,
    /// The domain registrar's abuse desk.
    Registrar,
    /// The site's operator.
    Operator,
    /// A designated agent for copyright notices.
    DmcaAgent,
    /// A web form.
    Form,
}

/// Where a contact was found. Serialised as in the CLI contract.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "ContactSource")] // the name only: values are unchanged; `Source` clashes with `sources::Source` in the app's TypeScript
pub enum Source {
    #[serde(rename = "rdap")]
    Rdap,
    #[serde(rename = "security.txt")]
    SecurityTxt,
    #[serde(rename = "page")]
    Page,
    #[serde(rename = "directory")]
    Directory,
}

/// One way to reach someone who can act.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// An email address or a form's URL.
    pub address: String,
    pub role: Role,
    pub source: Source,
    /// Who this is and why it was chosen, in English words (the CLI prints them).
    pub detail: String,
    /// The same, as a code the window says in its own language.
    #[serde(default)]
    pub detail_code: ContactText,
    /// The exact document the contact was read from (RDAP answer, security.txt, page, or the
    /// directory entry's source page).
    pub source_url: Option<String>,
    /// Directory entries: when a person last checked the channel.
    pub last_verified: Option<String>,
    /// Directory entries: the platform or search engine that runs the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// Who a contact is and why it was chosen, as a stable code with its parameters (names are the
/// organisations' own and stay as they are).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ContactText {
    /// A platform's own channel, from the shipped directory, and what it is for.
    Directory {
        platform: String,
        purpose: directory::Purpose,
    },
    /// The company that hosts the site (RDAP), by name when it gives one.
    Host { name: Option<String> },
    /// The company the site's name is registered with (RDAP).
    Registrar { name: Option<String> },
    /// An email address published on the site's home page.
    PublishedEmail,
    /// The site's own contact, report or copyright page.
    OwnPage,
    /// The site's security.txt contact; `no_expiry` when the file has no expiry date.
    SecurityContact { no_expiry: bool },
    /// Only the English `detail` says it.
    #[default]
    Other,
}

impl Contact {
    pub fn is_email(&self) -> bool {
        !self.address.contains("://") && self.address.contains('@')
    }

    /// A contact meant for something else (security reports), to use only when nothing else
    /// answers.
    pub fn is_last_resort(&self) -> bool {
        self.source == Source::SecurityTxt
    }
}

/// How discovery reaches the network.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `rdap.bootstrap_base` setting, ending in `/`.
    pub bootstrap_base: String,
    /// Contact the site even when it resolves to a loopback or private address.
    pub allow_local_network: bool,
    /// Visit the site itself (security.txt, home page). Off: RDAP and the directory only, so the
    /// site's operator never sees a request from this computer.
    pub visit_site: bool,
    /// Where bootstrap files are cached (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    /// Fixed host → address answers used instead of DNS (tests, air-gapped clinics).
    pub host_overrides: Vec<(String, IpAddr)>,
    pub timeout: Duration,
    /// The owner's SOCKS5 proxy (the `network.proxy` setting), if any.
    pub proxy: Option<url::Url>,
}

impl Options {
    pub fn new(bootstrap_base: impl Into<String>) -> Self {
        Self {
            bootstrap_base: bootstrap_base.into(),
            allow_local_network: false,
            visit_site: true,
            cache_dir: None,
            host_overrides: Vec::new(),
            timeout: Duration::from_secs(15),
            proxy: None,
        }
    }

    /// The options the owner's settings give: their RDAP bootstrap and their proxy.
    pub fn from_settings(settings: &crate::base::settings::Settings) -> Self {
        Self {
            proxy: settings.proxy(),
            ..Self::new(settings.rdap_bootstrap_base.clone())
        }
    }
}

/// Everything found for a URL.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    pub url: String,
    pub host: String,
    pub addresses: Vec<IpAddr>,
    pub contacts: Vec<Contact>,
    /// What could not be checked and why: a code for the window, English words for the CLI
    /// (its `Display`).
    pub notes: Vec<ContactNote>,
}

impl Discovery {
    /// The email address a letter of `kind` goes to by default, if one was found. The same rule
    /// for the CLI and the window: by role in the order the law and practice suggest, never a
    /// web form (it is not an address) and never a security.txt contact (meant for security
    /// reports; the user may still pick it).
    pub fn best_address(&self, kind: LetterKind) -> Option<&Contact> {
        self.recommended(kind).map(|i| &self.contacts[i])
    }

    /// The index of [`Discovery::best_address`] in `contacts`.
    pub fn recommended(&self, kind: LetterKind) -> Option<usize> {
        let order: &[Role] = match kind {
            LetterKind::Abuse => &[Role::Abuse, Role::Registrar],
            LetterKind::Dmca => &[Role::DmcaAgent, Role::Operator, Role::Abuse],
            LetterKind::Delisting => &[],
            _ => &[Role::Operator, Role::DmcaAgent, Role::Abuse],
        };
        order.iter().find_map(|role| {
            self.contacts
                .iter()
                .position(|c| c.role == *role && c.is_email() && !c.is_last_resort())
        })
    }

    /// Who a letter to `contact` is addressed to: a platform or search engine of the directory by
    /// its name, the site's operator by the site, an abuse desk or registrar (or a site known
    /// only by its IP address) by the domain of its email address.
    pub fn organisation(&self, contact: &Contact) -> String {
        if let Some(platform) = &contact.platform {
            return platform.clone();
        }
        let site = self.host.trim_start_matches("www.");
        let email_domain = contact
            .is_email()
            .then(|| contact.address.rsplit_once('@').map(|(_, d)| d.to_owned()))
            .flatten();
        let named_by_address =
            matches!(contact.role, Role::Abuse | Role::Registrar) || site.parse::<IpAddr>().is_ok();
        match email_domain {
            Some(domain) if named_by_address => domain,
            _ => site.to_owned(),
        }
    }
}

/// Finds the contacts for `url`. Fails only on an unusable URL; every lookup that fails becomes
/// a note, so a partial answer still helps.
pub async fn discover(url: &str, options: &Options, now: DateTime<Utc>) -> Result<Discovery> {
    net::discover(url, options, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(address: &str, role: Role, source: Source) -> Contact {
        Contact {
            address: address.into(),
            role,
            source,
            detail: "a note for the window, never an addressee".into(),
            detail_code: ContactText::Other,
            source_url: None,
            last_verified: None,
            platform: None,
        }
    }

    fn found(host: &str, contacts: Vec<Contact>) -> Discovery {
        Discovery {
            url: format!("https://{host}/p"),
            host: host.into(),
            addresses: Vec::new(),
            contacts,
            notes: Vec::new(),
        }
    }

    #[test]
    fn the_default_recipient_is_never_a_form_or_a_last_resort() {
        let d = found(
            "forum.example",
            vec![
                contact("abuse@forum.example", Role::Operator, Source::SecurityTxt),
                contact(
                    "https://support.example/form",
                    Role::Form,
                    Source::Directory,
                ),
                contact("abuse@host.example", Role::Abuse, Source::Rdap),
            ],
        );
        assert_eq!(d.recommended(LetterKind::Takeitdown), Some(2));
        let only_last_resort = found(
            "forum.example",
            vec![contact(
                "abuse@forum.example",
                Role::Operator,
                Source::SecurityTxt,
            )],
        );
        assert_eq!(only_last_resort.recommended(LetterKind::Takeitdown), None);
        assert_eq!(d.recommended(LetterKind::Delisting), None);
    }

    #[test]
    fn letters_are_addressed_to_an_organisation() {
        let d = found("www.forum.example", Vec::new());
        let operator = contact("legal@forum.example", Role::Operator, Source::Page);
        let abuse = contact("abuse@host.example", Role::Abuse, Source::Rdap);
        assert_eq!(d.organisation(&operator), "forum.example");
        assert_eq!(d.organisation(&abuse), "host.example");
        let by_ip = found("127.0.0.1", Vec::new());
        assert_eq!(by_ip.organisation(&operator), "forum.example");
        let google = directory::search_engines().remove(0);
        assert_eq!(d.organisation(&google), "Google Search");
        assert!(!google.is_email());
    }
}
