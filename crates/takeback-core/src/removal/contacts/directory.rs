//! The shipped directory of platforms' removal channels and search engines' forms
//! (`data/platforms.toml`), each with its source page and last-verified date.

use serde::{Deserialize, Serialize};

use super::{Contact, ContactText, Role, Source};

const PLATFORMS_TOML: &str = include_str!("../../../data/platforms.toml");

#[derive(Debug, Deserialize)]
struct Directory {
    #[serde(default)]
    platform: Vec<Platform>,
    #[serde(default)]
    search_engine: Vec<Platform>,
}

#[derive(Debug, Deserialize)]
struct Platform {
    name: String,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    cdn_headers: Vec<String>,
    channel: Vec<Channel>,
}

/// What a platform's channel is for (the directory's codes).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Ncii,
    Privacy,
    Copyright,
    Takeitdown,
    Legal,
    Gdpr,
    Delisting,
    Abuse,
}

#[derive(Debug, Deserialize)]
struct Channel {
    address: String,
    role: Role,
    purpose: Purpose,
    note: Option<String>,
    source_url: String,
    last_verified: String,
}

fn load() -> Directory {
    // The file is compiled in and checked by a test, so a parse failure cannot reach users.
    toml::from_str(PLATFORMS_TOML).unwrap_or(Directory {
        platform: Vec::new(),
        search_engine: Vec::new(),
    })
}

/// What a channel is for, in the words a person would use (the directory's codes are for
/// maintainers).
fn purpose_in_words(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Ncii => "for intimate images shared without consent",
        Purpose::Privacy => "for privacy complaints",
        Purpose::Copyright => "for copyright notices",
        Purpose::Takeitdown => "for TAKE IT DOWN Act requests",
        Purpose::Legal => "for legal requests",
        Purpose::Gdpr => "for data-protection (GDPR) requests",
        Purpose::Delisting => "to remove results from its search",
        Purpose::Abuse => "for abuse reports",
    }
}

fn contacts_of(p: &Platform) -> impl Iterator<Item = Contact> + '_ {
    p.channel.iter().map(move |c| Contact {
        address: c.address.clone(),
        role: c.role,
        source: Source::Directory,
        detail: match &c.note {
            Some(note) => format!("{}, {} ({note})", p.name, purpose_in_words(c.purpose)),
            None => format!("{}, {}", p.name, purpose_in_words(c.purpose)),
        },
        detail_code: ContactText::Directory {
            platform: p.name.clone(),
            purpose: c.purpose,
        },
        source_url: Some(c.source_url.clone()),
        last_verified: Some(c.last_verified.clone()),
        platform: Some(p.name.clone()),
    })
}

/// The channels of the platform that runs `host` (`www.instagram.com` matches `instagram.com`).
pub fn for_host(host: &str) -> Vec<Contact> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let dir = load();
    dir.platform
        .iter()
        .filter(|p| {
            p.domains
                .iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        })
        .flat_map(contacts_of)
        .collect()
}

/// The channels of a CDN recognised by one of the response's header names.
pub fn for_cdn_headers<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Contact> {
    let names: Vec<String> = names.into_iter().map(str::to_ascii_lowercase).collect();
    let dir = load();
    dir.platform
        .iter()
        .filter(|p| p.cdn_headers.iter().any(|h| names.contains(h)))
        .flat_map(contacts_of)
        .collect()
}

/// Every search engine's removal forms.
pub fn search_engines() -> Vec<Contact> {
    load().search_engine.iter().flat_map(contacts_of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_parses_and_every_channel_has_a_source_and_date() {
        let dir: Directory = toml::from_str(PLATFORMS_TOML).unwrap();
        assert!(dir.platform.len() >= 5 && dir.search_engine.len() >= 2);
        for p in dir.platform.iter().chain(&dir.search_engine) {
            for c in &p.channel {
                assert!(c.source_url.starts_with("https://"), "{}", c.address);
                assert!(chrono::NaiveDate::parse_from_str(&c.last_verified, "%Y-%m-%d").is_ok());
            }
        }
    }

    #[test]
    fn details_speak_plainly_and_search_engines_cite_their_own_pages() {
        for c in search_engines().iter().chain(&for_host("instagram.com")) {
            for code in ["ncii", "rtbf", "gdpr —", "delisting", " — "] {
                assert!(!c.detail.contains(code), "{}", c.detail);
            }
            // The window says the same from the code: the platform's name and the purpose.
            let ContactText::Directory { platform, purpose } = &c.detail_code else {
                panic!("a directory contact without its code: {:?}", c.detail_code);
            };
            let words = format!("{platform}, {}", purpose_in_words(*purpose));
            assert!(c.detail.starts_with(&words), "{}", c.detail);
        }
        for c in search_engines() {
            let source = url::Url::parse(c.source_url.as_deref().unwrap()).unwrap();
            let host = source.host_str().unwrap();
            assert!(
                ["google.com", "microsoft.com"]
                    .iter()
                    .any(|own| host == *own || host.ends_with(&format!(".{own}"))),
                "{} cites {host}",
                c.address
            );
        }
    }

    #[test]
    fn hosts_match_their_platform() {
        assert!(for_host("www.instagram.com")
            .iter()
            .any(|c| c.address == "ip@fb.com"));
        assert!(for_host("notinstagram.com").is_empty());
        assert!(!for_cdn_headers(["CF-RAY"]).is_empty());
        assert!(search_engines().iter().any(|c| c.address.contains("rtbf")));
    }
}
