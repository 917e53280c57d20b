//! Which addresses the crawler may connect to.
//!
//! A site's pages can point anywhere, including at the owner's router or at services on this
//! computer; fetching those would turn the crawler into a probe of the local network. So, unless
//! the owner allows the local network, every host name is resolved once by [`GuardedResolver`],
//! refused if any of its addresses is loopback, private, link-local or otherwise not public, and
//! the connection is made to exactly the addresses that were checked. A name that answers a
//! public address to the check and a private one to the connection (DNS rebinding) cannot slip
//! through, because there is no second lookup.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Whether `ip` is an ordinary public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = segments[6].to_be_bytes();
        let [c, d] = segments[7].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || NOT_PUBLIC_V6
            .iter()
            .any(|(net, len)| in_prefix(ip, *net, *len)))
}

/// IPv6 ranges that are not ordinary public unicast, beyond what `std` names. Those that embed
/// an IPv4 address (IPv4-compatible, 6to4, Teredo, local-use NAT64) are refused whole: the
/// embedded address may well be a private one, and no real site is reached only through them.
const NOT_PUBLIC_V6: [(Ipv6Addr, u8); 7] = [
    // IPv4-compatible (deprecated), ::a.b.c.d.
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96),
    // Discard-only, 100::/64.
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    // Teredo, 2001::/32.
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32),
    // Documentation, 2001:db8::/32.
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    // 6to4, 2002::/16.
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
    // Local-use NAT64, 64:ff9b:1::/48.
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48),
    // Deprecated site-local, fec0::/10.
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
];

fn in_prefix(ip: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(net) & mask
}

/// Refusal to connect to a host whose address is not public. Carried through `reqwest`'s error
/// chain so the crawler can tell it from other failures.
#[derive(Debug, thiserror::Error)]
#[error("`{host}` is on this computer or a private network")]
pub struct AddressRefused {
    pub host: String,
}

/// Checks the addresses a host resolved to: all must be public unless local ones are allowed.
pub fn check_addresses(
    host: &str,
    addresses: &[SocketAddr],
    allow_local_network: bool,
) -> Result<(), AddressRefused> {
    if allow_local_network || addresses.iter().all(|a| is_public(a.ip())) {
        Ok(())
    } else {
        Err(AddressRefused {
            host: host.to_owned(),
        })
    }
}

/// Checks a URL whose host is an address literal (those never reach the resolver).
pub fn check_url_host(url: &Url, allow_local_network: bool) -> Result<(), AddressRefused> {
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    check_addresses(
        url.host_str().unwrap_or_default(),
        &[SocketAddr::new(ip, 0)],
        allow_local_network,
    )
}

/// A DNS resolver for `reqwest` that refuses non-public answers (see the module comment).
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_local_network: bool,
}

/// Host names resolve to at most this many addresses for us.
const MAX_ADDRESSES: usize = 16;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_local_network = self.allow_local_network;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .take(MAX_ADDRESSES)
                .collect();
            check_addresses(&host, &addresses, allow_local_network)?;
            let addrs: Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

/// Whether `error` (or anything in its source chain) is an [`AddressRefused`].
pub fn refused_host(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<AddressRefused>() {
            return Some(refused.host.clone());
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_non_public_addresses() {
        let check = |text: &str, public: bool| {
            assert_eq!(is_public(text.parse().unwrap()), public, "{text}");
        };
        for text in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:2800:220:1::1",
            "::ffff:93.184.216.34",
            "64:ff9b::808:808",
        ] {
            check(text, true);
        }
        for text in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "fec0::1",
            // IPv4-compatible, 6to4, Teredo, local-use NAT64 and discard-only.
            "::7f00:1",
            "::a00:1",
            "::8.8.8.8",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "64:ff9b:1::a00:1",
            "100::1",
        ] {
            check(text, false);
        }
    }

    #[test]
    fn one_private_answer_refuses_the_host() {
        // A rebinding name may answer a public and a private address at once.
        let mixed: Vec<SocketAddr> = vec![
            "93.184.216.34:0".parse().unwrap(),
            "127.0.0.1:0".parse().unwrap(),
        ];
        assert!(check_addresses("rebind.example", &mixed, false).is_err());
        assert!(check_addresses("rebind.example", &mixed, true).is_ok());
        assert!(check_addresses("example.com", &mixed[..1], false).is_ok());
    }

    #[test]
    fn address_literals_are_checked() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(check_url_host(&url("http://127.0.0.1:8080/"), false).is_err());
        assert!(check_url_host(&url("http://[::1]/"), false).is_err());
        assert!(check_url_host(&url("http://127.0.0.1/"), true).is_ok());
        assert!(check_url_host(&url("http://93.184.216.34/"), false).is_ok());
        assert!(check_url_host(&url("http://example.com/"), false).is_ok());
    }

    #[tokio::test]
    async fn resolver_refuses_localhost() {
        let resolver = GuardedResolver {
            allow_local_network: false,
        };
        let error = match resolver.resolve("localhost".parse::<Name>().unwrap()).await {
            Ok(_) => panic!("localhost must be refused"),
            Err(e) => e,
        };
        assert_eq!(refused_host(error.as_ref()).as_deref(), Some("localhost"));
        let allowed = GuardedResolver {
            allow_local_network: true,
        };
        assert!(allowed
            .resolve("localhost".parse::<Name>().unwrap())
            .await
            .is_ok());
    }
}
