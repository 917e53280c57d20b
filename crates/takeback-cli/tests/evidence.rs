//! `takeback evidence export` through the binary, against a real HTTP server on loopback, read
//! back with the reference tools: the WACZ passes `wacz validate`, its WARC records read back
//! with `warcio` (digests checked, the exact image bytes), and the report's text, extracted
//! with `pdftotext`, names every address, time and SHA-256, while `pdfimages` shows that a
//! redacted report holds only tiny blurred thumbnails and a hashes-only one no image at all.
//!
//! Needs poppler-utils and the test virtualenv (`scripts/setup.sh --test`).
#![allow(clippy::unwrap_used)]

mod common;
use common::{draft_takeitdown_letter, json};

#[allow(dead_code)]
#[path = "../../takeback-core/tests/search/stub_site.rs"]
mod stub_site;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use chrono::Utc;
use stub_site::{Reply, StubSite};
use takeback_core::base::paths::DataDir;
use takeback_core::search::findings::{self, Evidence, Sighting};
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles, Unlock};

const PASS: &str = "correct horse battery staple";
const PAGE: &str = "<html><body><h1>PAGE-MARKER</h1><img src=\"/img/a.jpg\"></body></html>";

fn takeback(data: &Path) -> Command {
    let mut cmd = common::takeback(data);
    cmd.env("TAKEBACK_PASSPHRASE", PASS);
    cmd
}

fn photo(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/faces/facerec")
            .join(name),
    )
    .unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    takeback_core::storage::audit::digest(bytes)
}

/// A clinic profile with one finding per (image, page), confirmed through the binary.
fn setup(site: &StubSite, findings_at: &[(&str, &str)]) -> (tempfile::TempDir, Vec<i64>) {
    let tmp = tempfile::tempdir().unwrap();
    let profiles = Profiles::new(&DataDir::at(tmp.path()));
    let pass = Secret::new(PASS.to_owned());
    profiles
        .create_clinic("default", &pass, KdfParams::INSECURE_FOR_TESTS, Utc::now())
        .unwrap();
    let vault = profiles
        .unlock("default", Unlock::Passphrase(&pass), Utc::now())
        .unwrap();
    let photo = photo("obama.jpg");
    let check = takeback_core::face::matching::ImageCheck {
        verdict: takeback_core::face::matching::Verdict::OwnersFace,
        faces_found: 1,
        face_distance: Some(0.3),
        pdq: None,
        pdq_distance: None,
        nearest_face: None,
    };
    let tx = vault.conn().unchecked_transaction().unwrap();
    let ids: Vec<i64> = findings_at
        .iter()
        .map(|(image, page)| {
            findings::record(
                &vault,
                &tx,
                &Sighting {
                    image_url: &site.url(image),
                    page_url: Some(&site.url(page)),
                    seen_by: findings::SeenBy::Provider(
                        takeback_core::search::providers::ProviderId::TinEye,
                    ),
                    provider_score: None,
                    // Checked on this computer, as a scan records a hit.
                    evidence: Evidence::Checked {
                        check: &check,
                        bytes: &photo,
                    },
                },
                None,
                Utc::now(),
            )
            .unwrap()
            .finding_id
        })
        .collect();
    tx.commit().unwrap();
    drop(vault);
    for id in &ids {
        takeback(tmp.path())
            .args([
                "finding",
                "confirm",
                &id.to_string(),
                "--allow-local-network",
            ])
            .assert()
            .success();
    }
    (tmp, ids)
}

fn run(program: &Path, args: &[&str]) -> String {
    let out = Process::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} cannot run ({e}); run scripts/setup.sh --test",
                program.display()
            )
        });
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn poppler(tool: &str, args: &[&str]) -> String {
    run(Path::new(tool), args)
}

/// The images `pdfimages -list` reports: (width, height).
fn pdf_images(pdf: &Path) -> Vec<(u32, u32)> {
    poppler("pdfimages", &["-list", pdf.to_str().unwrap()])
        .lines()
        .skip(2)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[3].parse().unwrap(), cols[4].parse().unwrap())
        })
        .collect()
}

/// Reads the WACZ's WARC with warcio, checking every digest, and prints one JSON line per
/// record: type, target, date, payload SHA-256 and length.
const WARCIO_READ: &str = r#"
import hashlib, json, sys, zipfile, io
from warcio.archiveiterator import ArchiveIterator
with zipfile.ZipFile(sys.argv[1]) as z:
    data = z.read("archive/data.warc.gz")
for r in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
    payload = r.content_stream().read()
    print(json.dumps({
        "type": r.rec_type,
        "uri": r.rec_headers.get_header("WARC-Target-URI"),
        "date": r.rec_headers.get_header("WARC-Date"),
        "status": r.http_headers.get_statuscode() if r.http_headers else None,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "len": len(payload),
    }))
"#;

#[test]
fn the_package_validates_as_wacz_its_warc_reads_back_and_the_report_names_every_hash() {
    let site = StubSite::start();
    let (a, b) = (photo("obama.jpg"), photo("biden.jpg"));
    site.set(
        "/img/a.jpg",
        Reply::Body {
            content_type: "image/jpeg",
            body: a.clone(),
        },
    );
    site.set(
        "/img/b.jpg",
        Reply::Body {
            content_type: "image/jpeg",
            body: b.clone(),
        },
    );
    let page = Reply::Body {
        content_type: "text/html; charset=utf-8",
        body: PAGE.as_bytes().to_vec(),
    };
    site.set("/post.html", page.clone());
    site.set("/other.html", page);
    let (tmp, ids) = setup(
        &site,
        &[("/img/a.jpg", "/post.html"), ("/img/b.jpg", "/other.html")],
    );
    let data = tmp.path();
    let out = tmp.path().join("out");
    let wacz = out.join("evidence.wacz");
    let report = out.join("report.pdf");

    // A letter (a case) about the first finding, and a re-check of both, for the report.
    let drafted = draft_takeitdown_letter(takeback, data, ("US", ids[0], "legal@badsite.test"));
    let case_id = drafted["case_id"].as_i64().unwrap();
    json(takeback(data).args(["recheck", "--allow-local-network"]));

    let summary = json(takeback(data).args([
        "evidence",
        "export",
        "--all-confirmed",
        "--out",
        wacz.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]));
    assert_eq!(summary["findings"], serde_json::json!(ids));
    assert_eq!(summary["captures"], 4, "an image and a page per finding");
    assert_eq!(summary["pictures"], "blurred");
    assert_eq!(
        summary["wacz"]["sha256"],
        sha256(&std::fs::read(&wacz).unwrap())
    );

    // The reference validator accepts the package.
    let validated = run(
        &common::venv_tool("wacz"),
        &["validate", "-f", wacz.to_str().unwrap()],
    );
    assert!(validated.contains("Validation succeeded"), "{validated}");

    // warcio reads every record back, digests checked, with the exact bytes.
    let python = common::venv_tool("python");
    let script = tmp.path().join("read.py");
    std::fs::write(&script, WARCIO_READ).unwrap();
    let records: Vec<serde_json::Value> =
        run(&python, &[script.to_str().unwrap(), wacz.to_str().unwrap()])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "warcinfo", "response", "request", "response", "request", "response", "request",
            "response", "request"
        ]
    );
    let responses: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["type"] == "response").collect();
    for (url, bytes) in [("/img/a.jpg", &a), ("/img/b.jpg", &b)] {
        let r = responses
            .iter()
            .find(|r| r["uri"] == site.url(url))
            .unwrap();
        assert_eq!(r["sha256"], sha256(bytes), "the exact image bytes");
        assert_eq!(r["status"], "200");
    }
    assert!(responses
        .iter()
        .any(|r| r["uri"] == site.url("/post.html") && r["sha256"] == sha256(PAGE.as_bytes())));

    // The report names every address, capture time and SHA-256.
    let text = poppler(
        "pdftotext",
        &["-enc", "UTF-8", report.to_str().unwrap(), "-"],
    );
    let compact: String = text.split_whitespace().collect();
    for id in &ids {
        let captures = json(takeback(data).args(["finding", "evidence", &id.to_string()]));
        for c in captures.as_array().unwrap() {
            for key in ["requested_url", "final_url", "sha256"] {
                let value = c[key].as_str().unwrap();
                assert!(
                    compact.contains(value),
                    "{key} {value} missing from:\n{text}"
                );
            }
            let at = chrono::DateTime::parse_from_rfc3339(c["captured_at"].as_str().unwrap())
                .unwrap()
                .to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            assert!(compact.contains(&at), "capture time {at} missing");
        }
    }
    assert!(compact.contains(&sha256(&a)) && compact.contains(&sha256(&b)));
    assert!(text.contains("Audit log of the profile at export"));
    assert!(text.contains("HTTP status: 200"));
    assert!(
        text.contains(&format!("Letter (case {case_id}): takeitdown")),
        "the letter and its case"
    );
    assert!(text.contains("Removal checks:") && text.contains("still up"));
    assert!(text.contains("draft"), "the case timeline");

    // --case: only the findings its letter names.
    let only = tmp.path().join("case.pdf");
    let by_case = json(takeback(data).args([
        "evidence",
        "export",
        "--case",
        &case_id.to_string(),
        "--hashes-only",
        "--report",
        only.to_str().unwrap(),
    ]));
    assert_eq!(by_case["findings"], serde_json::json!([ids[0]]));
    // Redacted: the only images are the blurred thumbnails, 24 px at most.
    let images = pdf_images(&report);
    assert_eq!(images.len(), 2, "one thumbnail per finding");
    assert!(
        images.iter().all(|(w, h)| *w <= 24 && *h <= 24),
        "{images:?}"
    );

    // Audited, with the files' digests.
    let audit = json(takeback(data).args(["audit"]));
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "evidence.exported")
        .expect("an audit entry for the export");
    assert_eq!(entry["detail"]["wacz_sha256"], summary["wacz"]["sha256"]);

    // An existing file is never replaced silently.
    let again = takeback(data)
        .args([
            "evidence",
            "export",
            "--all-confirmed",
            "--out",
            wacz.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn hashes_only_has_no_image_and_unredacted_has_the_full_picture() {
    let site = StubSite::start();
    let a = photo("obama.jpg");
    site.set(
        "/img/a.jpg",
        Reply::Body {
            content_type: "image/jpeg",
            body: a.clone(),
        },
    );
    site.set(
        "/post.html",
        Reply::Body {
            content_type: "text/html",
            body: PAGE.as_bytes().to_vec(),
        },
    );
    let (tmp, ids) = setup(&site, &[("/img/a.jpg", "/post.html")]);
    let data = tmp.path();
    let id = ids[0].to_string();

    let hashes = tmp.path().join("hashes.pdf");
    let summary = json(takeback(data).args([
        "evidence",
        "export",
        &id,
        "--hashes-only",
        "--report",
        hashes.to_str().unwrap(),
    ]));
    assert_eq!(summary["pictures"], "none");
    assert_eq!(summary["wacz"], serde_json::Value::Null);
    assert!(pdf_images(&hashes).is_empty(), "no image anywhere");
    let text = poppler("pdftotext", &[hashes.to_str().unwrap(), "-"]);
    assert!(text
        .split_whitespace()
        .collect::<String>()
        .contains(&sha256(&a)));

    let full = tmp.path().join("full.pdf");
    json(takeback(data).args([
        "evidence",
        "export",
        &id,
        "--out",
        tmp.path().join("p.wacz").to_str().unwrap(),
        "--report",
        full.to_str().unwrap(),
        "--unredacted",
    ]));
    let image = image::load_from_memory(&a).unwrap();
    let images = pdf_images(&full);
    assert_eq!(images.len(), 1);
    let (w, h) = images[0];
    assert_eq!(
        w.max(h),
        image.width().max(image.height()).min(1024),
        "the captured picture itself, at most 1024 px"
    );

    // A finding not confirmed cannot leave.
    let refused = takeback(data)
        .args([
            "evidence",
            "export",
            "999",
            "--out",
            tmp.path().join("x.wacz").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(!tmp.path().join("x.wacz").exists(), "nothing written");
}
