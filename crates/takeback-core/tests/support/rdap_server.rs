//! A real HTTP/1.1 server on 127.0.0.1 for tests: answers by `Host` header and path from a fixed
//! table, with real-shaped RDAP answers (a registrar's domain answer, ARIN- and RIPE-style
//! network answers, a redacted answer), the IANA bootstrap files pointing back at itself, and
//! sites with security.txt files and home pages. Shared by the core and CLI tests via `#[path]`.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub headers: Vec<(&'static str, &'static str)>,
}

pub struct Server {
    pub addr: SocketAddr,
    /// Every request as `host path`.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// Starts the server; `routes` maps `"host path"` (host without port) to a reply.
pub fn start(routes: impl FnOnce(SocketAddr) -> HashMap<String, Reply>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let routes = routes(addr);
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            if reader.read_line(&mut first).is_err() {
                continue;
            }
            let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let mut host = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("host") {
                        host = v
                            .trim()
                            .rsplit_once(':')
                            .map(|(h, _)| h.to_owned())
                            .unwrap_or_else(|| v.trim().to_owned());
                    }
                }
            }
            let key = format!("{host} {path}");
            log2.lock().unwrap().push(key.clone());
            let reply = routes.get(&key).cloned().unwrap_or(Reply {
                status: 404,
                content_type: "text/plain",
                body: "not found".into(),
                headers: vec![],
            });
            let mut head = format!(
                "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reply.status,
                reply.content_type,
                reply.body.len()
            );
            for (k, v) in &reply.headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(reply.body.as_bytes());
        }
    });
    Server { addr, log }
}

pub fn json(body: serde_json::Value) -> Reply {
    Reply {
        status: 200,
        content_type: "application/rdap+json",
        body: body.to_string(),
        headers: vec![],
    }
}

pub fn text(body: &str) -> Reply {
    Reply {
        status: 200,
        content_type: "text/plain",
        body: body.into(),
        headers: vec![],
    }
}

/// The standard world: bootstrap files under `/rdap/`, a `.test` registry, ARIN for
/// 93.184.216.0/24 (public: documentation ranges count as private), RIPE for 2606:2800::/32, and sites `shop.test` (valid security.txt, Cloudflare
/// header, DMCA page link), `old.test` (expired security.txt), `hidden.test` (redacted registrar).
pub fn standard() -> Server {
    start(standard_routes)
}

/// The routes of [`standard`], to extend with a test's own.
pub fn standard_routes(addr: SocketAddr) -> HashMap<String, Reply> {
    {
        let base = format!("http://{addr}");
        let mut r = HashMap::new();
        let ip = "127.0.0.1";
        r.insert(format!("{ip} /rdap/dns.json"), json(serde_json::json!({
            "version": "1.0", "publication": "2026-11-01T00:00:00Z",
            "services": [[["test"], [format!("{base}/registry/")]], [["com"], ["https://rdap.verisign.com/com/v1/"]]]
        })));
        r.insert(
            format!("{ip} /rdap/ipv4.json"),
            json(serde_json::json!({
                "version": "1.0", "services": [[["93.184.216.0/24"], [format!("{base}/arin/")]]]
            })),
        );
        r.insert(
            format!("{ip} /rdap/ipv6.json"),
            json(serde_json::json!({
                "version": "1.0", "services": [[["2606:2800::/32"], [format!("{base}/ripe")]]]
            })),
        );
        // A registrar's domain answer (ICANN RDAP Response Profile shape, registrant redacted).
        let registrar_answer = |domain: &str, abuse: &str| {
            serde_json::json!({
                "objectClassName": "domain", "ldhName": domain,
                "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0"],
                "entities": [
                    {"objectClassName": "entity", "roles": ["registrant"],
                     "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "REDACTED FOR PRIVACY"],
                                              ["email", {}, "text", "Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant"]]]},
                    {"objectClassName": "entity", "handle": "1234", "roles": ["registrar"],
                     "publicIds": [{"type": "IANA Registrar ID", "identifier": "1234"}],
                     "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Registrar, Inc."]]],
                     "entities": [{"objectClassName": "entity", "roles": ["abuse"],
                       "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Abuse Contact"],
                                                ["tel", {"type": "voice"}, "uri", "tel:+1.4805058800"],
                                                ["email", {}, "text", abuse]]]}]}
                ]
            })
        };
        r.insert(
            format!("{ip} /registry/domain/shop.test"),
            json(registrar_answer("shop.test", "abuse@registrar.test")),
        );
        r.insert(
            format!("{ip} /registry/domain/victim.test"),
            json(registrar_answer("victim.test", "abuse@registrar.test")),
        );
        r.insert(
            format!("{ip} /registry/domain/old.test"),
            json(registrar_answer("old.test", "abuse@registrar.test")),
        );
        // A fully redacted answer: the registrar's abuse address withheld too.
        r.insert(
            format!("{ip} /registry/domain/hidden.test"),
            json(registrar_answer("hidden.test", "REDACTED FOR PRIVACY")),
        );
        // ARIN style: abuse POC nested under the registrant org.
        r.insert(format!("{ip} /arin/ip/93.184.216.7"), json(serde_json::json!({
            "rdapConformance": ["nro_rdap_profile_0", "rdap_level_0", "cidr0", "arin_originas0"],
            "objectClassName": "ip network", "handle": "NET-93-184-216-0-1",
            "startAddress": "93.184.216.0", "endAddress": "93.184.216.255", "ipVersion": "v4", "name": "EXAMPLE-HOSTING",
            "entities": [{"objectClassName": "entity", "handle": "EXH", "roles": ["registrant"],
                "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Hosting LLC"], ["kind", {}, "text", "org"]]],
                "entities": [
                    {"objectClassName": "entity", "handle": "ABUSE1-ARIN", "roles": ["abuse"],
                     "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Abuse"], ["kind", {}, "text", "group"],
                                              ["email", {}, "text", "abuse@hosting.test"], ["tel", {"type": ["work", "voice"]}, "text", "+1-650-253-0000"]]],
                     "status": ["validated"]},
                    {"objectClassName": "entity", "handle": "NOC1-ARIN", "roles": ["technical", "administrative"],
                     "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["email", {}, "text", "noc@hosting.test"]]]}
                ]}],
            "cidr0_cidrs": [{"v4prefix": "93.184.216.0", "length": 24}]
        })));
        // RIPE style: abuse contact as a top-level entity.
        r.insert(format!("{ip} /ripe/ip/2606:2800::5"), json(serde_json::json!({
            "objectClassName": "ip network", "handle": "2606:2800::/32", "ipVersion": "v6",
            "entities": [
                {"objectClassName": "entity", "handle": "ORG-EX1-RIPE", "roles": ["registrant"],
                 "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Networks BV"]]]},
                {"objectClassName": "entity", "handle": "AR1-RIPE", "roles": ["abuse"],
                 "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Abuse-C Role"], ["kind", {}, "text", "group"],
                                          ["email", {}, "text", "abuse@ripe-net.test"]]]}
            ]
        })));
        r.insert("shop.test /.well-known/security.txt".into(), text(
            "# Our security contacts\nContact: mailto:security@shop.test\nContact: https://shop.test/security\nExpires: 2030-01-01T00:00:00.000Z\nPreferred-Languages: en\n"));
        r.insert("shop.test /".into(), Reply {
            status: 200, content_type: "text/html",
            body: r#"<html><body><a href="/about">About</a> <a href="/legal/dmca">Copyright / DMCA</a>
                     <a href="mailto:legal@shop.test">Legal</a> <a href="mailto:abuse@example.com">x</a></body></html>"#.into(),
            headers: vec![("CF-RAY", "8a1b2c3d4e5f-LHR")],
        });
        r.insert(
            "old.test /.well-known/security.txt".into(),
            text("Contact: mailto:security@old.test\nExpires: 2021-01-01T00:00:00.000Z\n"),
        );
        r.insert(
            "old.test /".into(),
            Reply {
                status: 200,
                content_type: "text/html",
                body: "<p>nothing</p>".into(),
                headers: vec![],
            },
        );
        r
    }
}
