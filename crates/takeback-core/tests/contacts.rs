//! Recipient discovery against a real HTTP server on 127.0.0.1 (never a real host).
#![allow(clippy::unwrap_used)]

#[path = "support/rdap_server.rs"]
mod rdap_server;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use takeback_core::removal::contacts::{discover, ContactNote, Options, Role, Source};
use takeback_core::removal::letters::LetterKind;

fn options(server: &rdap_server::Server, hosts: &[(&str, &str)]) -> Options {
    let mut o = Options::new(format!("{}/rdap/", server.base()));
    o.host_overrides = hosts
        .iter()
        .map(|(h, ip)| (h.to_string(), ip.parse().unwrap()))
        .collect();
    o.timeout = Duration::from_secs(2);
    // Public (documentation) addresses stand in for real hosts; the site itself is only ever
    // visited on 127.0.0.1, so nothing leaves this machine.
    o.visit_site = hosts.iter().all(|(_, ip)| *ip == "127.0.0.1");
    o
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

#[tokio::test]
async fn registrar_and_network_abuse_contacts_via_bootstrap() {
    let server = rdap_server::standard();
    // victim.test has an ARIN-style IPv4 network and a RIPE-style IPv6 network.
    let o = options(
        &server,
        &[
            ("victim.test", "93.184.216.7"),
            ("victim.test", "2606:2800::5"),
        ],
    );
    let d = discover("https://victim.test/uploads/a.jpg", &o, now())
        .await
        .unwrap();
    let find = |addr: &str| {
        d.contacts
            .iter()
            .find(|c| c.address == addr)
            .unwrap_or_else(|| panic!("{addr} missing: {:#?}", d.contacts))
    };
    let registrar = find("abuse@registrar.test");
    assert_eq!(
        (registrar.role, registrar.source),
        (Role::Registrar, Source::Rdap)
    );
    assert!(registrar
        .source_url
        .as_deref()
        .unwrap()
        .ends_with("/registry/domain/victim.test"));
    let arin = find("abuse@hosting.test");
    assert_eq!((arin.role, arin.source), (Role::Abuse, Source::Rdap));
    assert!(arin.detail.contains("ABUSE1-ARIN"));
    assert_eq!(find("abuse@ripe-net.test").role, Role::Abuse);
    // Technical contacts and the redacted registrant are not offered.
    assert!(!d.contacts.iter().any(|c| c.address.contains("noc@")
        || c.address.to_lowercase().contains("redacted")
        || c.address.contains("RDDS")));
    // Search engines' forms are always listed, from the directory.
    assert!(d
        .contacts
        .iter()
        .any(|c| c.source == Source::Directory && c.address.contains("google")));
    assert_eq!(
        d.best_address(LetterKind::Abuse).unwrap().address,
        "abuse@hosting.test"
    );
}

#[tokio::test]
async fn redacted_registrar_is_rejected_with_a_note() {
    let server = rdap_server::standard();
    let o = options(&server, &[("hidden.test", "93.184.216.7")]);
    let d = discover("https://hidden.test/", &o, now()).await.unwrap();
    assert!(!d.contacts.iter().any(|c| c.role == Role::Registrar));
    assert!(
        d.notes
            .iter()
            .any(|n| n.to_string().contains("not published")),
        "{:?}",
        d.notes
    );
    // The window gets the same note as a code naming the domain.
    assert!(d.notes.contains(&ContactNote::RegistrarAbuseHidden {
        domain: "hidden.test".into()
    }));
}

#[tokio::test]
async fn local_site_is_refused_unless_allowed() {
    let server = rdap_server::standard();
    let url = format!("http://shop.test:{}/img/1.jpg", server.addr.port());
    let mut o = options(&server, &[("shop.test", "127.0.0.1")]);
    let d = discover(&url, &o, now()).await.unwrap();
    assert!(
        d.notes.iter().any(|n| n
            .to_string()
            .contains("unless the local network is allowed")),
        "{:?}",
        d.notes
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.starts_with("shop.test ")),
        "the site was contacted"
    );

    o.allow_local_network = true;
    let d = discover(&url, &o, now()).await.unwrap();
    let sec = d
        .contacts
        .iter()
        .find(|c| c.address == "security@shop.test")
        .unwrap();
    assert_eq!(
        (sec.role, sec.source),
        (Role::Operator, Source::SecurityTxt)
    );
    let page = d
        .contacts
        .iter()
        .find(|c| c.address == "legal@shop.test")
        .unwrap();
    assert_eq!(page.source, Source::Page);
    assert!(d
        .contacts
        .iter()
        .any(|c| c.role == Role::Form && c.address.ends_with("/legal/dmca")));
    // The CF-RAY header reveals Cloudflare: its abuse form is offered, from the directory.
    assert!(d
        .contacts
        .iter()
        .any(|c| c.address.contains("abuse.cloudflare.com")));
    // RFC 2606 placeholder addresses on the page are dropped.
    assert!(!d.contacts.iter().any(|c| c.address == "abuse@example.com"));
    assert_eq!(
        d.best_address(LetterKind::Takeitdown).unwrap().address,
        "legal@shop.test"
    );
}

#[tokio::test]
async fn expired_security_txt_is_ignored() {
    let server = rdap_server::standard();
    let url = format!("http://old.test:{}/", server.addr.port());
    let mut o = options(&server, &[("old.test", "127.0.0.1")]);
    o.allow_local_network = true;
    let d = discover(&url, &o, now()).await.unwrap();
    assert!(!d.contacts.iter().any(|c| c.address == "security@old.test"));
    assert!(
        d.notes
            .iter()
            .any(|n| n.to_string().contains("expired on 2021-01-01")),
        "{:?}",
        d.notes
    );
}

#[tokio::test]
async fn bootstrap_files_are_cached() {
    let server = rdap_server::standard();
    let cache = tempfile::tempdir().unwrap();
    let mut o = options(&server, &[("victim.test", "93.184.216.7")]);
    o.cache_dir = Some(cache.path().to_path_buf());
    discover("https://victim.test/", &o, now()).await.unwrap();
    discover(
        "https://victim.test/",
        &o,
        now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    let fetches = server
        .requests()
        .iter()
        .filter(|r| r.ends_with("/rdap/dns.json"))
        .count();
    assert_eq!(fetches, 1, "second lookup within a day must use the cache");
    discover(
        "https://victim.test/",
        &o,
        now() + chrono::Duration::hours(25),
    )
    .await
    .unwrap();
    let fetches = server
        .requests()
        .iter()
        .filter(|r| r.ends_with("/rdap/dns.json"))
        .count();
    assert_eq!(fetches, 2, "a day-old cache is refreshed");
}

#[tokio::test]
async fn bad_urls_are_input_errors() {
    let o = Options::new("http://127.0.0.1:9/rdap/");
    for bad in ["not a url", "ftp://x.test/", "file:///etc/passwd"] {
        let err = discover(bad, &o, now()).await.unwrap_err();
        assert_eq!(err.code(), takeback_core::ErrorCode::InvalidInput, "{bad}");
    }
}

/// Safety issue item 3: a registry's answer cannot steer the lookup onto this computer's network
/// or onto plain HTTP.
#[tokio::test]
async fn registry_answers_cannot_point_the_lookup_at_the_local_network_or_plain_http() {
    // The "registrar" the thin registry points to: a local address of another origin.
    let registrar = rdap_server::start(|addr| {
        let mut r = std::collections::HashMap::new();
        r.insert(
            format!("{} /rdap/domain/thin.test", addr.ip()),
            rdap_server::json(serde_json::json!({"objectClassName": "domain"})),
        );
        r
    });
    let registrar_base = registrar.base();
    let server = rdap_server::start(move |addr| {
        let mut r = rdap_server::standard_routes(addr);
        let ip = addr.ip();
        r.insert(
            format!("{ip} /registry/domain/thin.test"),
            rdap_server::json(serde_json::json!({
                "objectClassName": "domain", "ldhName": "thin.test",
                "links": [{"rel": "related", "type": "application/rdap+json",
                           "href": format!("{registrar_base}/rdap/domain/thin.test")}]
            })),
        );
        // A registry whose RDAP service is plain HTTP off this computer.
        r.insert(
            format!("{ip} /rdap/dns.json"),
            rdap_server::json(serde_json::json!({
                "version": "1.0",
                "services": [[["test"], [format!("http://{addr}/registry/")]],
                             [["plain"], ["http://rdap.registry.example/"]]]
            })),
        );
        r
    });
    let o = options(&server, &[("thin.test", "93.184.216.7")]);
    discover("https://thin.test/", &o, now()).await.unwrap();
    assert!(
        registrar.requests().is_empty(),
        "the related link to a local address was not followed: {:?}",
        registrar.requests()
    );

    let o = options(&server, &[("site.plain", "93.184.216.7")]);
    let d = discover("https://site.plain/", &o, now()).await.unwrap();
    assert!(
        d.notes.iter().any(|n| n.to_string().contains("https")),
        "a plain-HTTP registry is refused, and said so: {:?}",
        d.notes
    );
}
