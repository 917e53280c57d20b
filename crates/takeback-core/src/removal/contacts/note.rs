//! What could not be checked while looking for contacts, as a stable code with its parameters.
//! The window says each in its own language from the code; [`ContactNote`]'s `Display` is the
//! English sentence the CLI prints (with the technical cause, which the window does not show).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One note of a [`super::Discovery`]. `error` fields hold the network library's English words:
/// kept for the CLI's sentence only, never sent to the window.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ContactNote {
    /// The RDAP bootstrap file for domains could not be read.
    RegistrarLookupFailed {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// The domain's registry publishes no RDAP service.
    NoRegistryService { host: String },
    /// The registry answered something that is not RDAP.
    RegistryAnswerInvalid { domain: String },
    /// The registrar publishes no abuse address for the domain (or redacts it).
    RegistrarAbuseHidden { domain: String },
    /// The domain registry did not answer.
    RegistryUnreachable {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// The registry has no record of the host's domain.
    RegistryDoesNotKnow { host: String },
    /// The RDAP bootstrap file for addresses could not be read.
    NetworkLookupFailed {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// No RDAP service covers the address.
    NoNetworkService { ip: String },
    /// The network that holds the address publishes no abuse address.
    NetworkAbuseMissing { ip: String },
    /// The network registry answered something that is not RDAP.
    NetworkAnswerInvalid { ip: String },
    /// The network registry has no record of the address.
    NetworkDoesNotKnow { ip: String },
    /// The network registry did not answer.
    NetworkRegistryUnreachable {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// A connection to the site could not be set up on this computer.
    SiteConnectionFailed {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// The site's security.txt has expired (`date`: YYYY-MM-DD), so its contacts were not used.
    SecurityTxtExpired { date: String },
    /// The site did not answer.
    SiteUnreachable {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// The site's home page answered with an HTTP error status.
    HomePageStatus { status: u16 },
    /// The site's home page could not be read.
    HomePageUnreadable {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// The site's name did not resolve.
    NotResolved {
        #[serde(skip)]
        #[cfg_attr(feature = "specta", specta(skip))]
        error: String,
    },
    /// The site is on this computer or a private network, which is not contacted unless allowed.
    LocalNetworkRefused { host: String },
}

impl fmt::Display for ContactNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContactNote::RegistrarLookupFailed { error } => {
                write!(f, "Could not look up the domain's registrar: {error}.")
            }
            ContactNote::NoRegistryService { host } => write!(
                f,
                "The domain's registry publishes no RDAP service; check its registry's website for the registrar of {host}."
            ),
            ContactNote::RegistryAnswerInvalid { domain } => {
                write!(f, "The registry's answer for {domain} was not valid RDAP.")
            }
            ContactNote::RegistrarAbuseHidden { domain } => write!(
                f,
                "The registrar's abuse address for {domain} is not published (or is redacted)."
            ),
            ContactNote::RegistryUnreachable { error } => {
                write!(f, "The domain registry could not be reached ({error}).")
            }
            ContactNote::RegistryDoesNotKnow { host } => {
                write!(f, "The registry does not know {host}.")
            }
            ContactNote::NetworkLookupFailed { error } => {
                write!(f, "Could not look up the hosting network: {error}.")
            }
            ContactNote::NoNetworkService { ip } => write!(f, "No RDAP service covers {ip}."),
            ContactNote::NetworkAbuseMissing { ip } => {
                write!(f, "The network of {ip} publishes no abuse address.")
            }
            ContactNote::NetworkAnswerInvalid { ip } => write!(
                f,
                "The network registry's answer for {ip} was not valid RDAP."
            ),
            ContactNote::NetworkDoesNotKnow { ip } => {
                write!(f, "The network registry does not know {ip}.")
            }
            ContactNote::NetworkRegistryUnreachable { error } => {
                write!(f, "The network registry could not be reached ({error}).")
            }
            ContactNote::SiteConnectionFailed { error } => write!(
                f,
                "Could not prepare a connection to the site ({error})."
            ),
            ContactNote::SecurityTxtExpired { date } => write!(
                f,
                "The site's security.txt expired on {date}, so its contacts were not used."
            ),
            ContactNote::SiteUnreachable { error } => {
                write!(f, "The site could not be reached ({error}).")
            }
            ContactNote::HomePageStatus { status } => {
                let status = reqwest::StatusCode::from_u16(*status)
                    .map_or_else(|_| status.to_string(), |s| s.to_string());
                write!(f, "The site's home page answered {status}.")
            }
            ContactNote::HomePageUnreadable { error } => {
                write!(f, "The site's home page could not be read ({error}).")
            }
            ContactNote::NotResolved { error } => {
                write!(f, "The host name could not be resolved ({error}).")
            }
            ContactNote::LocalNetworkRefused { host } => write!(
                f,
                "{}",
                crate::Error::LocalNetworkRefused { host: host.clone() }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ContactNote;

    #[test]
    fn the_cli_prints_the_same_english_sentences() {
        let cases = [
            (
                ContactNote::RegistryUnreachable {
                    error: "connection refused".into(),
                },
                "The domain registry could not be reached (connection refused).",
            ),
            (
                ContactNote::RegistrarAbuseHidden {
                    domain: "forum.example".into(),
                },
                "The registrar's abuse address for forum.example is not published (or is redacted).",
            ),
            (
                ContactNote::HomePageStatus { status: 404 },
                "The site's home page answered 404 Not Found.",
            ),
            (
                ContactNote::SecurityTxtExpired {
                    date: "2025-01-31".into(),
                },
                "The site's security.txt expired on 2025-01-31, so its contacts were not used.",
            ),
            (
                ContactNote::NoNetworkService {
                    ip: "192.0.2.7".into(),
                },
                "No RDAP service covers 192.0.2.7.",
            ),
        ];
        for (note, english) in cases {
            assert_eq!(note.to_string(), english);
        }
        let refused = ContactNote::LocalNetworkRefused {
            host: "127.0.0.1".into(),
        }
        .to_string();
        assert!(refused.contains("127.0.0.1"), "{refused}");
    }

    #[test]
    fn the_window_gets_the_code_and_parameters_but_not_the_technical_words() {
        let json = serde_json::to_value(ContactNote::SiteUnreachable {
            error: "tcp connect error: Connection refused (os error 111)".into(),
        })
        .unwrap();
        assert_eq!(json, serde_json::json!({ "code": "site_unreachable" }));
        let json = serde_json::to_value(ContactNote::RegistryDoesNotKnow {
            host: "forum.example".into(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "code": "registry_does_not_know", "host": "forum.example" })
        );
    }
}
