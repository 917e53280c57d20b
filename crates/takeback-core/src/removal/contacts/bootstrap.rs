//! The IANA RDAP bootstrap registries (RFC 9224): `dns.json`, `ipv4.json`, `ipv6.json`, read from
//! the `rdap.bootstrap_base` setting and cached on disk for a day.
//!
//! Format: `{"services": [[["com","net"], ["https://rdap.verisign.com/com/v1/"]], …]}`. Domains
//! match the longest label suffix; addresses the longest CIDR prefix.

use std::net::IpAddr;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Error, Result};

/// One bootstrap file, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bootstrap {
    services: Vec<(Vec<String>, Vec<String>)>,
}

impl Bootstrap {
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |reason: String| Error::Network {
            what: "reading the RDAP bootstrap file".into(),
            reason,
            source: None,
        };
        let v: Value = serde_json::from_str(text).map_err(|e| Error::Network {
            what: "reading the RDAP bootstrap file".into(),
            reason: e.to_string(),
            source: Some(e.into()),
        })?;
        let services = v
            .get("services")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("it has no `services` list".into()))?;
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        };
        Ok(Self {
            services: services
                .iter()
                .map(|s| (strings(s.get(0)), strings(s.get(1))))
                .filter(|(k, u)| !k.is_empty() && !u.is_empty())
                .collect(),
        })
    }

    /// The RDAP base URL for a domain name (longest matching label suffix), ending in `/`.
    pub fn for_domain(&self, domain: &str) -> Option<String> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        self.services
            .iter()
            .flat_map(|(keys, urls)| keys.iter().map(move |k| (k.to_ascii_lowercase(), urls)))
            .filter(|(k, _)| domain == *k || domain.ends_with(&format!(".{k}")))
            .max_by_key(|(k, _)| k.len())
            .and_then(|(_, urls)| pick(urls))
    }

    /// The RDAP base URL for an address (longest matching prefix), ending in `/`.
    pub fn for_ip(&self, ip: IpAddr) -> Option<String> {
        self.services
            .iter()
            .flat_map(|(keys, urls)| {
                keys.iter()
                    .filter_map(|k| k.parse::<IpNet>().ok())
                    .map(move |net| (net, urls))
            })
            .filter(|(net, _)| net.contains(&ip))
            .max_by_key(|(net, _)| net.prefix_len())
            .and_then(|(_, urls)| pick(urls))
    }
}

/// Prefers an https server; appends the `/` RFC 9224 promises but some registries omit.
fn pick(urls: &[String]) -> Option<String> {
    let url = urls
        .iter()
        .find(|u| u.starts_with("https://"))
        .or_else(|| urls.first())?;
    Some(if url.ends_with('/') {
        url.clone()
    } else {
        format!("{url}/")
    })
}

#[derive(Debug, Serialize, Deserialize)]
struct CachedFile {
    base: String,
    fetched_at: DateTime<Utc>,
    body: String,
}

/// The on-disk cache of bootstrap files. Public registry data only: nothing about the user.
#[derive(Debug, Clone)]
pub struct Cache {
    pub dir: Option<PathBuf>,
    pub max_age: Duration,
}

impl Cache {
    /// A fresh cached copy of `name` fetched from `base`, if any.
    pub fn get(&self, base: &str, name: &str, now: DateTime<Utc>) -> Option<String> {
        let path = self.dir.as_ref()?.join(name);
        let text = std::fs::read_to_string(path).ok()?;
        let cached: CachedFile = serde_json::from_str(&text).ok()?;
        (cached.base == base && now - cached.fetched_at < self.max_age && cached.fetched_at <= now)
            .then_some(cached.body)
    }

    /// Stores a copy; failures only cost a refetch next time, so they are ignored.
    pub fn put(&self, base: &str, name: &str, body: &str, now: DateTime<Utc>) {
        let Some(dir) = &self.dir else { return };
        let cached = CachedFile {
            base: base.to_owned(),
            fetched_at: now,
            body: body.to_owned(),
        };
        if std::fs::create_dir_all(dir).is_ok() {
            if let Ok(text) = serde_json::to_string(&cached) {
                let _ = crate::base::settings::write_atomically(&dir.join(name), text.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_matches_win() {
        let dns = Bootstrap::parse(
            r#"{"services":[[["uk"],["https://a.test/uk"]],[["co.uk"],["https://b.test/couk/"]],[["com","net"],["http://c.test/","https://c.test/"]]]}"#,
        )
        .unwrap();
        assert_eq!(
            dns.for_domain("shop.example.co.uk").unwrap(),
            "https://b.test/couk/"
        );
        assert_eq!(dns.for_domain("gov.uk").unwrap(), "https://a.test/uk/");
        assert_eq!(dns.for_domain("x.com").unwrap(), "https://c.test/");
        assert_eq!(dns.for_domain("x.org"), None);
        let ip = Bootstrap::parse(
            r#"{"services":[[["8.0.0.0/8"],["https://arin.test/"]],[["8.8.0.0/16"],["https://ripe.test/"]]]}"#,
        )
        .unwrap();
        assert_eq!(
            ip.for_ip("8.8.8.8".parse().unwrap()).unwrap(),
            "https://ripe.test/"
        );
        assert_eq!(
            ip.for_ip("8.1.1.1".parse().unwrap()).unwrap(),
            "https://arin.test/"
        );
    }
}
