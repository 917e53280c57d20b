//! `takeback contacts` as a user runs it, against a real HTTP server on 127.0.0.1.
#![allow(clippy::unwrap_used)]

mod common;
use common::takeback;

#[path = "../../takeback-core/tests/support/rdap_server.rs"]
mod rdap_server;

fn server() -> rdap_server::Server {
    rdap_server::start(|addr| {
        let mut routes = rdap_server::standard_routes(addr);
        routes.insert(
            "127.0.0.1 /.well-known/security.txt".into(),
            rdap_server::text(
                "Contact: mailto:security@local-site.test\nExpires: 2099-01-01T00:00:00Z\n",
            ),
        );
        routes.insert("127.0.0.1 /".into(), rdap_server::Reply {
            status: 200, content_type: "text/html",
            body: r#"<a href="/report-content">Report</a> <a href="mailto:dmca@local-site.test">DMCA</a>"#.into(),
            headers: vec![],
        });
        routes
    })
}

#[test]
fn contacts_json_follows_the_contract_and_the_local_gate() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    // Another address is a changed destination: refused with no profile to record it in, then
    // made with one unlocked (and audited there).
    let set_bootstrap = || {
        let mut cmd = takeback(tmp.path());
        cmd.env("TAKEBACK_PASSPHRASE", "contacts test passphrase")
            .args([
                "config",
                "set",
                "rdap.bootstrap_base",
                &format!("{}/rdap/", server.base()),
            ]);
        cmd
    };
    set_bootstrap()
        .assert()
        .code(3)
        .stderr(predicates::str::contains("unlock a profile first"));
    takeback(tmp.path())
        .env("TAKEBACK_PASSPHRASE", "contacts test passphrase")
        .args(["profile", "create", "default", "--passphrase"])
        .assert()
        .success();
    set_bootstrap().assert().success();
    let url = format!("{}/uploads/1.jpg", server.base());

    // Without the flag the site (on loopback) is not contacted; directory forms still come back.
    let out = takeback(tmp.path())
        .args(["--json", "contacts", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unless the local network is allowed"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["source"] == "directory"));
    assert!(!server.requests().iter().any(|r| r.contains("security.txt")));

    let out = takeback(tmp.path())
        .args(["--json", "contacts", &url, "--allow-local-network"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let contacts = v.as_array().unwrap();
    for c in contacts {
        assert!(c["address"].is_string());
        assert!(
            ["abuse", "registrar", "operator", "dmca-agent", "form"]
                .contains(&c["role"].as_str().unwrap()),
            "{c}"
        );
        assert!(
            ["rdap", "security.txt", "page", "directory"].contains(&c["source"].as_str().unwrap()),
            "{c}"
        );
    }
    let find = |addr: &str| {
        contacts
            .iter()
            .find(|c| c["address"] == addr)
            .unwrap_or_else(|| panic!("{addr}: {v:#}"))
    };
    assert_eq!(find("security@local-site.test")["source"], "security.txt");
    assert_eq!(find("dmca@local-site.test")["role"], "dmca-agent");
    assert_eq!(
        find(&format!("{}/report-content", server.base()))["role"],
        "form"
    );
}

#[test]
fn contacts_rejects_bad_urls_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    takeback(tmp.path())
        .args(["contacts", "ftp://nowhere.test/x"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("http"));
}

#[test]
fn advise_explains_routes_and_gates_minors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = takeback(tmp.path())
        .args([
            "--json",
            "advise",
            "--taken-by",
            "someone-else",
            "--country",
            "GB",
            "--site",
            "us",
            "--intimate",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = v["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["takeitdown", "ukosa", "gdpr", "abuse", "delisting"]
    );
    assert!(v["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "dmca"));
    takeback(tmp.path())
        .args(["advise", "--minor", "--intimate"])
        .assert()
        .code(3)
        .stdout(predicates::str::contains("takeitdown.ncmec.org"));
}
