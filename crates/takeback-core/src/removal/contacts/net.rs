//! The network side of discovery: resolving the host, the local-network guard, RDAP and site
//! requests. Kept apart from the parsers so they stay pure and testable without sockets.

use std::net::{IpAddr, SocketAddr};

use chrono::{DateTime, Utc};
use reqwest::{redirect, Client};
use url::Url;

use super::bootstrap::{Bootstrap, Cache};
use super::rdap::{self, Subject};
use super::security_txt::{self, Validity};
use super::{directory, page, Contact, ContactNote, Discovery, Options};
use crate::{Error, Result};

/// Largest body read from any server; bootstrap files are ~100 KB, pages rarely more.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Whether an address is on this machine or a private network (never contacted by default).
pub fn is_local(ip: IpAddr) -> bool {
    // One address policy for every fetch: the crawler's (IPv4-compatible, 6to4, Teredo, NAT64
    // and the rest are not public either).
    !crate::search::crawl::address::is_public(ip)
}

/// A look-up visits the site that may be the poster's own: it says what a browser says.
fn user_agent() -> &'static str {
    crate::base::network::GENERIC_USER_AGENT
}

fn network_error(
    what: impl Into<String>,
    e: impl Into<crate::base::error::BoxError> + std::fmt::Display,
) -> Error {
    Error::Network {
        what: what.into(),
        reason: e.to_string(),
        source: Some(e.into()),
    }
}

async fn read_capped(mut resp: reqwest::Response) -> std::result::Result<String, String> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            return Err("the answer is too large".into());
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// GET returning `Ok(None)` on 404/410 and other client errors (nothing there).
async fn get_text(
    client: &Client,
    url: &str,
    accept: &str,
) -> std::result::Result<Option<String>, String> {
    let resp = client
        .get(url)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = resp.status();
    if status.is_client_error() || status.is_redirection() {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(format!("the server answered {status}"));
    }
    read_capped(resp).await.map(Some)
}

/// GETs an RDAP or bootstrap `url` under the rules for a lookup that anyone on the path, or a
/// registrar, could otherwise steer: https only (plain http only to this computer, for a local
/// mirror), no address on this computer or a private network unless allowed (the client's
/// resolver refuses such answers; an address literal is checked here), no redirects, no proxy.
async fn rdap_get(
    client: &Client,
    options: &Options,
    url: &str,
    accept: &str,
) -> std::result::Result<Option<String>, String> {
    let parsed = crate::base::endpoint::parse(url)
        .map_err(|problem| format!("the registry's address is refused: {}", problem.describe()))?;
    // The owner's own bootstrap address (a local mirror in an air-gapped clinic) is trusted as
    // set; an address a registry hands back is held to the local-network rule.
    let owners_choice =
        Url::parse(&options.bootstrap_base).is_ok_and(|base| base.origin() == parsed.origin());
    if !owners_choice {
        crate::search::crawl::address::check_url_host(&parsed, options.allow_local_network)
            .map_err(|refused| refused.to_string())?;
    }
    get_text(client, parsed.as_str(), accept).await
}

/// The client for RDAP requests (see [`rdap_get`]).
fn rdap_client(options: &Options) -> Result<Client> {
    let builder = Client::builder()
        .user_agent(user_agent())
        .timeout(options.timeout)
        .redirect(redirect::Policy::none())
        .dns_resolver(std::sync::Arc::new(
            crate::search::crawl::address::GuardedResolver {
                allow_local_network: options.allow_local_network,
            },
        ));
    // No system proxy (it would resolve names itself, past the address check); the owner's own
    // socks5h proxy resolves them, and addresses written as numbers are still checked.
    crate::base::network::route(builder, options.proxy.as_ref())
        .and_then(reqwest::ClientBuilder::build)
        .map_err(|e| network_error("preparing RDAP requests", e))
}

async fn resolve(host: &str, port: u16, options: &Options) -> std::io::Result<Vec<IpAddr>> {
    if let Ok(ip) = host
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
    {
        return Ok(vec![ip]);
    }
    let fixed: Vec<IpAddr> = options
        .host_overrides
        .iter()
        .filter(|(h, _)| h.eq_ignore_ascii_case(host))
        .map(|(_, ip)| *ip)
        .collect();
    if !fixed.is_empty() {
        return Ok(fixed);
    }
    let mut out: Vec<IpAddr> = tokio::net::lookup_host((host, port))
        .await?
        .map(|a| a.ip())
        .collect();
    out.dedup();
    Ok(out)
}

async fn bootstrap(
    client: &Client,
    options: &Options,
    cache: &Cache,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Bootstrap> {
    if let Some(text) = cache.get(&options.bootstrap_base, name, now) {
        if let Ok(b) = Bootstrap::parse(&text) {
            return Ok(b);
        }
    }
    let url = format!("{}{name}", options.bootstrap_base);
    let text = rdap_get(client, options, &url, "application/json")
        .await
        .map_err(|e| network_error(format!("reading the RDAP bootstrap file {url}"), e))?
        .ok_or_else(|| {
            network_error(
                format!("reading the RDAP bootstrap file {url}"),
                "not found",
            )
        })?;
    let parsed = Bootstrap::parse(&text)?;
    cache.put(&options.bootstrap_base, name, &text, now);
    Ok(parsed)
}

/// Registered-name candidates for a host: its last two labels, or three under a country's
/// common second level (`example.co.uk`), then the other length as a fallback. Registries answer
/// only for registered names, not for `www.` hosts.
fn domain_candidates(host: &str) -> Vec<String> {
    const SECOND_LEVELS: &[&str] = &[
        "co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "gv",
    ];
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    let n = labels.len();
    if n < 2 {
        return vec![host.to_owned()];
    }
    let last = |k: usize| labels[n - k..].join(".");
    let cc_sld = n >= 3 && labels[n - 1].len() == 2 && SECOND_LEVELS.contains(&labels[n - 2]);
    match (n >= 3, cc_sld) {
        (true, true) => vec![last(3), last(2)],
        (true, false) => vec![last(2), last(3)],
        _ => vec![last(2)],
    }
}

async fn rdap_domain(
    client: &Client,
    options: &Options,
    cache: &Cache,
    host: &str,
    now: DateTime<Utc>,
    discovery: &mut Discovery,
) {
    let dns = match bootstrap(client, options, cache, "dns.json", now).await {
        Ok(b) => b,
        Err(e) => {
            return discovery.notes.push(ContactNote::RegistrarLookupFailed {
                error: e.to_string(),
            })
        }
    };
    let Some(base) = dns.for_domain(host) else {
        return discovery.notes.push(ContactNote::NoRegistryService {
            host: host.to_owned(),
        });
    };
    for domain in domain_candidates(host) {
        let url = format!("{base}domain/{domain}");
        match rdap_get(client, options, &url, "application/rdap+json").await {
            Ok(Some(text)) => {
                let Ok(answer) = serde_json::from_str::<serde_json::Value>(&text) else {
                    discovery
                        .notes
                        .push(ContactNote::RegistryAnswerInvalid { domain });
                    return;
                };
                let mut found = rdap::abuse_contacts(&answer, Subject::Domain, &url);
                if found.is_empty() {
                    // Thin registries (.com, .net) point to the registrar's own RDAP server.
                    if let Some(related) = rdap::related_link(&answer) {
                        if let Ok(Some(t)) =
                            rdap_get(client, options, &related, "application/rdap+json").await
                        {
                            if let Ok(a) = serde_json::from_str::<serde_json::Value>(&t) {
                                found = rdap::abuse_contacts(&a, Subject::Domain, &related);
                            }
                        }
                    }
                }
                if found.is_empty() {
                    discovery
                        .notes
                        .push(ContactNote::RegistrarAbuseHidden { domain });
                }
                discovery.contacts.extend(found);
                return;
            }
            Ok(None) => continue,
            Err(e) => {
                discovery.notes.push(ContactNote::RegistryUnreachable {
                    error: e.to_string(),
                });
                return;
            }
        }
    }
    discovery.notes.push(ContactNote::RegistryDoesNotKnow {
        host: host.to_owned(),
    });
}

async fn rdap_ip(
    client: &Client,
    options: &Options,
    cache: &Cache,
    ip: IpAddr,
    now: DateTime<Utc>,
    discovery: &mut Discovery,
) {
    let file = if ip.is_ipv4() {
        "ipv4.json"
    } else {
        "ipv6.json"
    };
    let table = match bootstrap(client, options, cache, file, now).await {
        Ok(b) => b,
        Err(e) => {
            return discovery.notes.push(ContactNote::NetworkLookupFailed {
                error: e.to_string(),
            })
        }
    };
    let Some(base) = table.for_ip(ip) else {
        return discovery
            .notes
            .push(ContactNote::NoNetworkService { ip: ip.to_string() });
    };
    let url = format!("{base}ip/{ip}");
    match rdap_get(client, options, &url, "application/rdap+json").await {
        Ok(Some(text)) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(answer) => {
                let found = rdap::abuse_contacts(&answer, Subject::Network, &url);
                if found.is_empty() {
                    discovery
                        .notes
                        .push(ContactNote::NetworkAbuseMissing { ip: ip.to_string() });
                }
                discovery.contacts.extend(found);
            }
            Err(_) => discovery
                .notes
                .push(ContactNote::NetworkAnswerInvalid { ip: ip.to_string() }),
        },
        Ok(None) => discovery
            .notes
            .push(ContactNote::NetworkDoesNotKnow { ip: ip.to_string() }),
        Err(e) => discovery
            .notes
            .push(ContactNote::NetworkRegistryUnreachable {
                error: e.to_string(),
            }),
    }
}

async fn site(
    origin: &Url,
    host: &str,
    addr: SocketAddr,
    options: &Options,
    now: DateTime<Utc>,
    discovery: &mut Discovery,
) {
    let allowed_host = host.to_owned();
    let policy = redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 3 || attempt.url().host_str() != Some(allowed_host.as_str())
        {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    let builder = Client::builder()
        .user_agent(user_agent())
        .timeout(options.timeout)
        .redirect(policy);
    // Pinned to the checked address, with no system proxy that would connect elsewhere; through
    // the owner's proxy, the proxy connects (the site sees the proxy, not this computer).
    let builder = match &options.proxy {
        Some(_) => builder,
        None => builder.resolve(host, addr),
    };
    let client = match crate::base::network::route(builder, options.proxy.as_ref())
        .and_then(reqwest::ClientBuilder::build)
    {
        Ok(c) => c,
        Err(e) => {
            return discovery.notes.push(ContactNote::SiteConnectionFailed {
                error: e.to_string(),
            })
        }
    };
    for path in ["/.well-known/security.txt", "/security.txt"] {
        let Ok(url) = origin.join(path) else { continue };
        match get_text(&client, url.as_str(), "text/plain").await {
            Ok(Some(text)) => {
                let parsed = security_txt::parse(&text);
                match parsed.validity(now) {
                    Validity::Expired(t) => discovery.notes.push(ContactNote::SecurityTxtExpired {
                        date: t.format("%Y-%m-%d").to_string(),
                    }),
                    validity => {
                        let detail = if validity == Validity::NoExpiry {
                            "the site's contact for security problems (its file has no expiry date, so it may be out of date); use it only if nothing else answers"
                        } else {
                            "the site's contact for security problems; use it only if nothing else answers"
                        };
                        for address in parsed.contacts {
                            if address.starts_with("tel:")
                                || super::placeholder::is_placeholder(&address)
                            {
                                continue;
                            }
                            let role = if address.contains("://") {
                                super::Role::Form
                            } else {
                                super::Role::Operator
                            };
                            discovery.contacts.push(Contact {
                                address,
                                role,
                                source: super::Source::SecurityTxt,
                                detail: detail.into(),
                                detail_code: super::ContactText::SecurityContact {
                                    no_expiry: validity == Validity::NoExpiry,
                                },
                                source_url: Some(url.to_string()),
                                last_verified: None,
                                platform: None,
                            });
                        }
                    }
                }
                break;
            }
            Ok(None) => continue,
            Err(e) => {
                discovery.notes.push(ContactNote::SiteUnreachable {
                    error: e.to_string(),
                });
                return;
            }
        }
    }
    let Ok(home) = origin.join("/") else { return };
    match client.get(home.as_str()).send().await {
        Ok(resp) if resp.status().is_success() => {
            let header_names: Vec<String> = resp
                .headers()
                .keys()
                .map(|k| k.as_str().to_owned())
                .collect();
            discovery.contacts.extend(directory::for_cdn_headers(
                header_names.iter().map(String::as_str),
            ));
            if let Ok(html) = read_capped(resp).await {
                discovery.contacts.extend(page::contacts(&html, &home));
            }
        }
        Ok(resp) => discovery.notes.push(ContactNote::HomePageStatus {
            status: resp.status().as_u16(),
        }),
        Err(e) => discovery.notes.push(ContactNote::HomePageUnreadable {
            error: e.without_url().to_string(),
        }),
    }
}

pub async fn discover(url: &str, options: &Options, now: DateTime<Utc>) -> Result<Discovery> {
    let invalid = |reason: &str| Error::InvalidContactUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
        source: None,
    };
    let parsed = Url::parse(url.trim()).map_err(|e| Error::InvalidContactUrl {
        url: url.to_owned(),
        reason: e.to_string(),
        source: Some(e.into()),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(
            "only http:// and https:// addresses can be looked up",
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| invalid("it has no host name"))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let mut discovery = Discovery {
        url: parsed.to_string(),
        host: host.clone(),
        addresses: Vec::new(),
        contacts: directory::for_host(&host),
        notes: Vec::new(),
    };
    let rdap_client = rdap_client(options)?;
    let cache = Cache {
        dir: options.cache_dir.clone(),
        max_age: chrono::Duration::hours(24),
    };

    match resolve(&host, port, options).await {
        Ok(ips) => discovery.addresses = ips,
        Err(e) => discovery.notes.push(ContactNote::NotResolved {
            error: e.to_string(),
        }),
    }
    if host.parse::<IpAddr>().is_err() {
        rdap_domain(&rdap_client, options, &cache, &host, now, &mut discovery).await;
    }
    for ip in discovery.addresses.clone().into_iter().take(2) {
        if is_local(ip) {
            continue;
        }
        rdap_ip(&rdap_client, options, &cache, ip, now, &mut discovery).await;
    }

    let target = discovery
        .addresses
        .first()
        .copied()
        .filter(|_| options.visit_site);
    match target {
        Some(ip) if is_local(ip) && !options.allow_local_network => {
            discovery
                .notes
                .push(ContactNote::LocalNetworkRefused { host: host.clone() });
        }
        Some(ip) => {
            let origin = parsed.clone();
            site(
                &origin,
                &host,
                SocketAddr::new(ip, port),
                options,
                now,
                &mut discovery,
            )
            .await;
        }
        None => {}
    }
    discovery.contacts.extend(directory::search_engines());

    let mut seen = std::collections::HashSet::new();
    discovery
        .contacts
        .retain(|c| seen.insert((c.address.to_ascii_lowercase(), c.role)));
    Ok(discovery)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(is_local(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "2001:4860:4860::8888", "100.128.0.1"] {
            assert!(!is_local(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn candidates() {
        assert_eq!(
            domain_candidates("www.shop.example.co.uk"),
            vec!["example.co.uk", "co.uk"]
        );
        assert_eq!(
            domain_candidates("www.example.com"),
            vec!["example.com", "www.example.com"]
        );
        assert_eq!(domain_candidates("example.com"), vec!["example.com"]);
    }
}
