//! How Takeback's requests reach a site, and what they say about who is asking.
//!
//! Sites that hold the images may be run by the person who posted them. A re-check, an evidence
//! fetch or a contact look-up that announced "Takeback" would tell them the owner is looking, so
//! those single-address requests send the User-Agent of a common browser. Crawling a site is
//! different: it follows robots.txt, and robots.txt rules are addressed to a name, so the crawler
//! says honestly that it is `TakebackBot`.
//!
//! The owner may also send every request through a SOCKS5 proxy with remote name resolution
//! (`socks5h://`, as Tor offers on `127.0.0.1:9050`): then sites see the proxy's address, not the
//! owner's.

use url::Url;

/// What single-address fetches (re-checks, evidence, contact look-ups) call themselves: the
/// User-Agent of a current Firefox ESR on Linux, one of the most common on the web.
pub const GENERIC_USER_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// Why a proxy address is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyProblem {
    NotAnAddress,
    NotSocks5h,
    NoPort,
    HasCredentials,
    HasPath,
}

impl ProxyProblem {
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotAnAddress => "it is not an address such as socks5h://127.0.0.1:9050",
            Self::NotSocks5h => {
                "only socks5h:// proxies are accepted (the proxy resolves names, so nothing is looked up here)"
            }
            Self::NoPort => "it needs a port, such as :9050",
            Self::HasCredentials => "it must not carry a user name or password",
            Self::HasPath => "it must be only a host and a port",
        }
    }
}

/// Parses the `network.proxy` setting: empty means no proxy.
pub fn parse_proxy(value: &str) -> Result<Option<Url>, ProxyProblem> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let url = Url::parse(value).map_err(|_| ProxyProblem::NotAnAddress)?;
    if url.scheme() != "socks5h" {
        return Err(ProxyProblem::NotSocks5h);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ProxyProblem::NotAnAddress);
    }
    if url.port().is_none() {
        return Err(ProxyProblem::NoPort);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ProxyProblem::HasCredentials);
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(ProxyProblem::HasPath);
    }
    Ok(Some(url))
}

/// Sends `builder`'s requests through `proxy`, or straight out with no proxy at all (the
/// system's proxy variables are ignored either way: a proxy the owner did not choose here
/// would see every address Takeback visits).
pub fn route(
    builder: reqwest::ClientBuilder,
    proxy: Option<&Url>,
) -> reqwest::Result<reqwest::ClientBuilder> {
    Ok(match proxy {
        Some(url) => builder.proxy(reqwest::Proxy::all(url.as_str())?),
        None => builder.no_proxy(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_socks5h_address_is_a_proxy() {
        assert_eq!(parse_proxy("  ").unwrap(), None);
        assert_eq!(
            parse_proxy("socks5h://127.0.0.1:9050")
                .unwrap()
                .unwrap()
                .as_str(),
            "socks5h://127.0.0.1:9050"
        );
        for (value, problem) in [
            ("127.0.0.1:9050", ProxyProblem::NotAnAddress),
            ("socks5://127.0.0.1:9050", ProxyProblem::NotSocks5h),
            ("http://127.0.0.1:8080", ProxyProblem::NotSocks5h),
            ("socks5h://127.0.0.1", ProxyProblem::NoPort),
            (
                "socks5h://me:secret@127.0.0.1:9050",
                ProxyProblem::HasCredentials,
            ),
            ("socks5h://127.0.0.1:9050/path", ProxyProblem::HasPath),
            ("not an address", ProxyProblem::NotAnAddress),
        ] {
            assert_eq!(parse_proxy(value), Err(problem), "{value}");
        }
    }
}
