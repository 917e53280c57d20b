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
use predicates::prelude::*;
use takeback_core::base::paths::DataDir;
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles};

const PASS: &str = "correct horse battery staple";

fn takeback(data: &Path) -> Command {
    let mut cmd = common::takeback(data);
    cmd.env("TAKEBACK_PASSPHRASE", PASS);
    cmd
}

/// Findings as a scan would have recorded them, in the vault of profile `default`.
struct Seeded {
    /// Confirmed: the owner's face, seen at a page and at an image address alone.
    confirmed: [i64; 2],
    dismissed: i64,
    unverified: i64,
    /// SHA-256 of the image the confirmed findings were checked on.
    sha256: String,
}

fn face_photo() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/faces/facerec/obama.jpg"),
    )
    .unwrap()
}

/// Records findings directly through the core, as `scan` does after checking an image on this
/// computer (the scan itself is tested in `scan.rs`).
fn seed(data: &Path, image_host: &str) -> Seeded {
    use takeback_core::face::matching::{ImageCheck, Verdict};
    use takeback_core::search::findings::{self, Evidence, Sighting};
    let vault = Profiles::new(&DataDir::at(data))
        .unlock(
            "default",
            takeback_core::storage::vault::Unlock::Passphrase(&Secret::new(PASS.to_owned())),
            chrono::Utc::now(),
        )
        .unwrap();
    let bytes = face_photo();
    let check = ImageCheck {
        verdict: Verdict::OwnersFace,
        faces_found: 1,
        face_distance: Some(0.3),
        pdq: None,
        pdq_distance: None,
        nearest_face: None,
    };
    let record = |image_url: &str, page_url: Option<&str>, checked: bool| {
        let tx = vault.conn().unchecked_transaction().unwrap();
        let evidence = if checked {
            Evidence::Checked {
                check: &check,
                bytes: &bytes,
            }
        } else {
            Evidence::Unverified {
                why: takeback_core::search::findings::UnverifiedWhy::NoImageNamed,
            }
        };
        let id = findings::record(
            &vault,
            &tx,
            &Sighting {
                image_url,
                page_url,
                seen_by: takeback_core::search::findings::SeenBy::SiteWatch,
                provider_score: None,
                evidence,
            },
            None,
            chrono::Utc::now(),
        )
        .unwrap()
        .finding_id;
        tx.commit().unwrap();
        id
    };
    let first = record(
        &format!("{image_host}/i/1.jpg"),
        Some("https://badsite.test/p/1"),
        true,
    );
    let second = record(&format!("{image_host}/i/2.jpg"), None, true);
    let dismissed = record(&format!("{image_host}/i/3.jpg"), None, true);
    let unverified = record(&format!("{image_host}/i/4.jpg"), None, false);
    for id in [first, second] {
        findings::confirm(&vault, id, chrono::Utc::now()).unwrap();
    }
    findings::dismiss(&vault, dismissed, chrono::Utc::now()).unwrap();
    Seeded {
        confirmed: [first, second],
        dismissed,
        unverified,
        sha256: takeback_core::storage::audit::digest(&bytes),
    }
}

/// A clinic profile (passphrase, no keyring needed) with an identity and seeded findings.
fn setup() -> (tempfile::TempDir, Seeded) {
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
    let seeded = seed(tmp.path(), "https://cdn.badsite.test");
    (tmp, seeded)
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
    let (tmp, seeded) = setup();
    let [first, second] = seeded.confirmed.map(|id| id.to_string());
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
                &first,
                &second,
                "--kind",
                kind,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
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
                &seeded.sha256,
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
    let (tmp, seeded) = setup();
    let out = tmp.path().join("t.txt");
    let v = json(takeback(tmp.path()).args([
        "letter",
        &seeded.confirmed[0].to_string(),
        "--kind",
        "takeitdown",
        "--format",
        "txt",
        "--out",
        out.to_str().unwrap(),
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
    let on_server = seed(tmp.path(), &server.base());
    let out = tmp.path().join("t.eml");
    let v = json(takeback(tmp.path()).args([
        "letter",
        &on_server.confirmed[1].to_string(),
        "--kind",
        "takeitdown",
        "--format",
        "eml",
        "--out",
        out.to_str().unwrap(),
        "--allow-local-network",
    ]));
    assert_eq!(v["to"], "takedown@local-site.test");
    let eml = std::fs::read_to_string(&out).unwrap();
    assert!(eml.contains("takedown@local-site.test"));
}

#[test]
fn image_attachments_are_refused_with_exit_3() {
    let (tmp, seeded) = setup();
    let img = tmp.path().join("screenshot.png");
    std::fs::write(&img, b"\x89PNG\r\n\x1a\n").unwrap();
    takeback(tmp.path())
        .args([
            "letter",
            &seeded.confirmed[0].to_string(),
            "--kind",
            "abuse",
            "--format",
            "eml",
            "--out",
            tmp.path().join("x.eml").to_str().unwrap(),
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
    let seeded = seed(tmp.path(), "https://x.test");
    let out = tmp.path().join("x.txt");
    let id = seeded.confirmed[0].to_string();
    takeback(tmp.path())
        .args(["letter", &id, "--kind", "abuse", "--format", "txt"])
        .args(["--out", out.to_str().unwrap(), "--to", "a@b.test"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("identity set"));
    takeback(tmp.path())
        .args(["letter", &id, "--kind", "nonsense", "--format", "txt"])
        .args(["--out", out.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not a letter kind"));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_letter_names_only_findings_checked_on_this_computer_and_not_dismissed() {
    let (tmp, seeded) = setup();
    let out = tmp.path().join("x.txt");
    for (id, says) in [
        (seeded.dismissed, "not me"),
        (seeded.unverified, "never checked on this computer"),
    ] {
        takeback(tmp.path())
            .args([
                "letter",
                &id.to_string(),
                "--kind",
                "abuse",
                "--format",
                "txt",
            ])
            .args(["--out", out.to_str().unwrap(), "--to", "abuse@host.test"])
            .assert()
            .code(3)
            .stderr(predicates::str::contains(says));
    }
    assert!(!out.exists(), "nothing written");
    let cases = json(takeback(tmp.path()).args(["case", "list"]));
    assert!(cases.as_array().unwrap().is_empty(), "no case filed");
}

#[test]
fn a_saved_letter_is_never_written_over_without_force_and_is_audited_once() {
    let (tmp, seeded) = setup();
    let out = tmp.path().join("l.txt");
    std::fs::write(&out, "my own notes").unwrap();
    let id = seeded.confirmed[0].to_string();
    let letter = |to: &str, extra: &[&str]| {
        let mut cmd = takeback(tmp.path());
        cmd.args(["letter", &id, "--kind", "abuse", "--format", "txt"])
            .args(["--out", out.to_str().unwrap(), "--to", to])
            .args(extra);
        cmd
    };
    letter("abuse@host.test", &[]).assert().code(1).stderr(
        predicate::str::contains("already exists").and(predicate::str::contains("--force")),
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my own notes");
    letter("not an email", &["--force"]).assert().code(1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my own notes");
    letter("abuse@host.test", &["--force"]).assert().success();
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("Alex Example"));
    let audit = json(takeback(tmp.path()).args(["audit"]));
    let drafted: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "letter.drafted")
        .collect();
    assert_eq!(drafted.len(), 1, "{drafted:?}");
    let detail = &drafted[0]["detail"];
    assert_eq!(detail["kind"], "abuse");
    assert_eq!(detail["format"], "txt");
    assert_eq!(detail["findings"], serde_json::json!([seeded.confirmed[0]]));
    assert_eq!(drafted[0]["actor"], "owner");
}

/// Issue 15 item 7: a finding confirmed without a capture (by an earlier version killed during
/// `finding confirm`) says that its evidence is pending and what finishes it; an unreviewed one
/// says that confirming captures it.
#[test]
fn finding_show_says_whether_the_evidence_is_kept_or_pending() {
    let (tmp, seeded) = setup();
    takeback(tmp.path())
        .args(["finding", "show", &seeded.confirmed[0].to_string()])
        .assert()
        .success()
        .stdout(predicates::str::contains("Evidence: pending"))
        .stdout(predicates::str::contains("takeback recheck"));
    takeback(tmp.path())
        .args(["finding", "show", &seeded.unverified.to_string()])
        .assert()
        .success()
        .stdout(predicates::str::contains("Evidence: none kept"));
    let shown =
        json(takeback(tmp.path()).args(["finding", "show", &seeded.confirmed[0].to_string()]));
    assert_eq!(shown["status"], "confirmed");
    assert_eq!(shown["evidence"], serde_json::json!([]), "{shown}");
}
