//! From findings to a letter on disk and a tracked case, as a user runs it: identity in the
//! vault, every kind in every format, the case's deadline after `case sent`, the recipient found
//! through a loopback RDAP server, and the image-attachment refusal.
//!
//! Needs poppler-utils (`pdftotext`) on PATH.
#![allow(clippy::unwrap_used)]

mod common;
use common::json;

#[path = "../../takeback-core/tests/support/rdap_server.rs"]
mod rdap_server;

use std::path::Path;

use assert_cmd::Command;
use takeback_core::paths::DataDir;
use takeback_core::secrets::Secret;
use takeback_core::vault::{KdfParams, Profiles};

const PASS: &str = "correct horse battery staple";

fn takeback(data: &Path) -> Command {
    let mut cmd = common::takeback(data);
    cmd.env("TAKEBACK_PASSPHRASE", PASS);
    cmd
}

/// A clinic profile (passphrase, no keyring needed) with an identity and a findings file.
fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::at(tmp.path());
    Profiles::new(&data)
        .create_clinic(
            "default",
            &Secret::new(PASS.to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            chrono::Utc::now(),
        )
        .unwrap();
    takeback(tmp.path())
        .args([
            "identity",
            "set",
            "--name",
            "Alex Example",
            "--email",
            "alex@mailbox.test",
            "--country",
            "GB",
            "--representative",
            "Sam Advocate",
            "--representative-email",
            "sam@clinic.test",
        ])
        .assert()
        .success();
    let findings = tmp.path().join("findings.json");
    std::fs::write(&findings, serde_json::json!([
        {"id": "1", "image_url": "https://cdn.badsite.test/i/1.jpg", "page_url": "https://badsite.test/p/1",
         "first_seen": "2026-11-20T09:30:00Z", "sha256": "a".repeat(64), "pdq": null},
        {"id": "2", "image_url": "https://cdn.badsite.test/i/2.jpg", "page_url": null,
         "first_seen": "2026-11-21T10:00:00Z", "sha256": "b".repeat(64), "pdq": "c".repeat(64)}
    ]).to_string()).unwrap();
    (tmp, findings)
}

#[test]
fn identity_round_trips_through_the_vault() {
    let (tmp, _) = setup();
    let v = json(takeback(tmp.path()).args(["identity", "show"]));
    assert_eq!(v["name"], "Alex Example");
    assert_eq!(v["representative"]["email"], "sam@clinic.test");
}

#[test]
fn every_kind_in_every_format_opens_a_draft_case() {
    let (tmp, findings) = setup();
    let kinds = [
        "dmca",
        "takeitdown",
        "gdpr",
        "dsa",
        "ukosa",
        "delisting",
        "abuse",
    ];
    let mut n_cases = 0;
    for kind in kinds {
        for format in ["pdf", "txt", "eml"] {
            let out = tmp.path().join(format!("{kind}.{format}"));
            let v = json(takeback(tmp.path()).args([
                "letter",
                "1",
                "2",
                "--kind",
                kind,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
                "--findings",
                findings.to_str().unwrap(),
                "--to",
                "legal@badsite.test",
                "--work",
                "A photograph I took of myself.",
                "--as-representative",
            ]));
            n_cases += 1;
            assert_eq!(v["state"], "draft");
            assert_eq!(v["to"], "legal@badsite.test");
            let text = match format {
                "eml" => {
                    let bytes = std::fs::read(&out).unwrap();
                    let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
                    assert_eq!(
                        message.to().unwrap().first().unwrap().address().unwrap(),
                        "legal@badsite.test"
                    );
                    message.body_text(0).unwrap().into_owned()
                }
                "pdf" => {
                    let o = std::process::Command::new("pdftotext")
                        .arg(&out)
                        .arg("-")
                        .output()
                        .expect("pdftotext (poppler-utils) is needed for this test");
                    String::from_utf8(o.stdout).unwrap()
                }
                _ => std::fs::read_to_string(&out).unwrap(),
            };
            let flat: String = text.split_whitespace().collect();
            for needle in [
                "https://badsite.test/p/1",
                "https://cdn.badsite.test/i/2.jpg",
                &"b".repeat(64),
                "/s/SamAdvocate",
            ] {
                assert!(flat.contains(needle), "{kind}.{format} lacks {needle}");
            }
            // Representative mode: the person's own address stays out of the letter.
            assert!(!text.contains("alex@mailbox.test"), "{kind}.{format}");
        }
    }
    let cases = json(takeback(tmp.path()).args(["case", "list"]));
    assert_eq!(cases.as_array().unwrap().len(), n_cases);
    assert!(cases
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["state"] == "draft" && c["deadline"].is_null()));
}

#[test]
fn case_sent_starts_the_clock_and_close_records_the_outcome() {
    let (tmp, findings) = setup();
    let out = tmp.path().join("t.txt");
    let v = json(takeback(tmp.path()).args([
        "letter",
        "1",
        "--kind",
        "takeitdown",
        "--format",
        "txt",
        "--out",
        out.to_str().unwrap(),
        "--findings",
        findings.to_str().unwrap(),
        "--to",
        "legal@badsite.test",
    ]));
    let id = v["case_id"].as_i64().unwrap().to_string();
    let c = json(takeback(tmp.path()).args(["case", "sent", &id, "--at", "2025-06-02T10:00"]));
    assert_eq!(c["state"], "sent");
    assert_eq!(c["deadline"]["due"], "2025-06-04T10:00:00Z");
    assert_eq!(c["deadline"]["basis"], "tida_48h");
    // Long past the 48 hours: the next rung is suggested.
    let list = json(takeback(tmp.path()).args(["case", "list"]));
    assert_eq!(list[0]["reminder"]["kind"], "passed");
    assert_eq!(list[0]["next_step"]["rung"], "host");
    let c = json(takeback(tmp.path()).args(["case", "close", &id, "--outcome", "removed"]));
    assert_eq!(c["state"], "removed");
    takeback(tmp.path())
        .args(["case", "close", &id, "--outcome", "refused"])
        .assert()
        .code(1);
    takeback(tmp.path())
        .args(["case", "show", "999"])
        .assert()
        .code(1);
}

#[test]
fn recipient_defaults_to_the_best_contact_found() {
    let (tmp, _) = setup();
    let server = rdap_server::start(|addr| {
        let mut r = rdap_server::standard_routes(addr);
        r.insert(
            "127.0.0.1 /".into(),
            rdap_server::Reply {
                status: 200,
                content_type: "text/html",
                body: r#"<a href="mailto:takedown@local-site.test">Report content</a>"#.into(),
                headers: vec![],
            },
        );
        r
    });
    takeback(tmp.path())
        .args([
            "config",
            "set",
            "rdap.bootstrap_base",
            &format!("{}/rdap/", server.base()),
        ])
        .assert()
        .success();
    let out = tmp.path().join("t.eml");
    let v = json(takeback(tmp.path()).args([
        "letter",
        "--kind",
        "takeitdown",
        "--format",
        "eml",
        "--out",
        out.to_str().unwrap(),
        "--image-url",
        &format!("{}/i/1.jpg", server.base()),
        "--first-seen",
        "2026-11-20",
        "--sha256",
        &"d".repeat(64),
        "--allow-local-network",
    ]));
    assert_eq!(v["to"], "takedown@local-site.test");
    let eml = std::fs::read_to_string(&out).unwrap();
    assert!(eml.contains("takedown@local-site.test"));
}

#[test]
fn image_attachments_are_refused_with_exit_3() {
    let (tmp, findings) = setup();
    let img = tmp.path().join("screenshot.png");
    std::fs::write(&img, b"\x89PNG\r\n\x1a\n").unwrap();
    takeback(tmp.path())
        .args([
            "letter",
            "1",
            "--kind",
            "abuse",
            "--format",
            "eml",
            "--out",
            tmp.path().join("x.eml").to_str().unwrap(),
            "--findings",
            findings.to_str().unwrap(),
            "--to",
            "abuse@host.test",
            "--attach",
            img.to_str().unwrap(),
        ])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("never carry images"));
}

#[test]
fn letters_need_an_identity_and_a_known_kind() {
    let tmp = tempfile::tempdir().unwrap();
    Profiles::new(&DataDir::at(tmp.path()))
        .create_clinic(
            "default",
            &Secret::new(PASS.to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            chrono::Utc::now(),
        )
        .unwrap();
    let out = tmp.path().join("x.txt");
    takeback(tmp.path())
        .args([
            "letter",
            "--kind",
            "abuse",
            "--format",
            "txt",
            "--out",
            out.to_str().unwrap(),
            "--image-url",
            "https://x.test/1.jpg",
            "--first-seen",
            "2026-11-20",
            "--sha256",
            &"a".repeat(64),
            "--to",
            "a@b.test",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("identity set"));
    takeback(tmp.path())
        .args([
            "letter",
            "--kind",
            "nonsense",
            "--format",
            "txt",
            "--out",
            out.to_str().unwrap(),
            "--image-url",
            "https://x.test/1.jpg",
            "--first-seen",
            "2026-11-20",
            "--sha256",
            &"a".repeat(64),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not a letter kind"));
}
