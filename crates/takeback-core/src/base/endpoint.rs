//! The one rule for where the app may send anything it configures (a search provider's API, the
//! RDAP bootstrap): `https://`, or plain `http://` only to this computer (loopback), where a
//! local test server or an air-gapped mirror has no certificate and nothing crosses a network.
//! Anyone on the path could read or change plain HTTP, and a consented photo or an API key must
//! never travel that way.

use std::net::IpAddr;

use url::Url;

/// Why an endpoint is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointProblem {
    NotAbsolute,
    NotHttps,
    HasCredentials,
    HasQuery,
}

impl EndpointProblem {
    pub fn describe(self) -> &'static str {
        match self {
            EndpointProblem::NotAbsolute => "it is not a full https:// address",
            EndpointProblem::NotHttps => {
                "only https:// is allowed (plain http:// only to this computer)"
            }
            EndpointProblem::HasCredentials => "it must not carry a user name or password",
            EndpointProblem::HasQuery => "it must not carry a query or fragment",
        }
    }
}

/// True for `localhost` and loopback IP addresses (127.0.0.0/8, ::1).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Parses a configured endpoint and checks it against the rule above.
pub fn parse(value: &str) -> Result<Url, EndpointProblem> {
    let url = Url::parse(value.trim()).map_err(|_| EndpointProblem::NotAbsolute)?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(EndpointProblem::NotAbsolute);
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        _ => return Err(EndpointProblem::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointProblem::HasCredentials);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointProblem::HasQuery);
    }
    Ok(url)
}

/// The origin (`https://host:port`) of an endpoint: what a consent names, so that a changed
/// endpoint is a different destination.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://api.tineye.com/rest/",
            "http://127.0.0.1:9/x",
            "http://127.8.0.1/",
            "http://[::1]:8080/",
            "http://localhost:3000",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for (bad, problem) in [
            ("http://api.tineye.com/rest/", EndpointProblem::NotHttps),
            ("http://192.168.1.5/", EndpointProblem::NotHttps),
            ("http://10.0.0.1/", EndpointProblem::NotHttps),
            ("http://localhost.evil.example/", EndpointProblem::NotHttps),
            ("ftp://127.0.0.1/", EndpointProblem::NotHttps),
            ("https://", EndpointProblem::NotAbsolute),
            ("api.tineye.com", EndpointProblem::NotAbsolute),
            (
                "https://user:pw@api.example/",
                EndpointProblem::HasCredentials,
            ),
            ("https://api.example/?k=1", EndpointProblem::HasQuery),
        ] {
            assert_eq!(parse(bad).unwrap_err(), problem, "{bad}");
        }
    }

    #[test]
    fn origin_names_scheme_host_and_port() {
        let url = parse("https://api.example:8443/rest/").unwrap();
        assert_eq!(origin(&url), "https://api.example:8443");
        let url = parse("http://127.0.0.1:9/x").unwrap();
        assert_eq!(origin(&url), "http://127.0.0.1:9");
    }
}
