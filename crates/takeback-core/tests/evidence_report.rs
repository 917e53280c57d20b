//! Letters saved as PDF and the evidence report that lists them, through the core's own paths
//! (`request::save`, `evidence::export`), read back with poppler's `pdftotext`: a name in any
//! script reaches the text layer of both (issue 15, item 4).
//!
//! Needs poppler-utils (`pdftotext`) on PATH.
#![allow(clippy::unwrap_used)]

#[path = "support/scripts.rs"]
mod scripts;

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use scripts::{has_name, NAMES};
use takeback_core::base::paths::DataDir;
use takeback_core::face::matching::{ImageCheck, Verdict};
use takeback_core::removal::evidence::{self, ExportRequest, Selection};
use takeback_core::removal::identity::{store as identity_store, Identity};
use takeback_core::removal::letters::{LetterKind, Recipient};
use takeback_core::removal::request::{save, LetterFormat, LetterOrder, SaveTo};
use takeback_core::search::findings::{self, Evidence, Sighting};
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles, Vault};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is needed for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A confirmed finding, recorded as a scan does after checking it on this computer.
fn confirmed_finding(vault: &Vault) -> i64 {
    let check = ImageCheck {
        verdict: Verdict::OwnersFace,
        faces_found: 1,
        face_distance: Some(0.3),
        pdq: None,
        pdq_distance: None,
        nearest_face: None,
    };
    let tx = vault.conn().unchecked_transaction().unwrap();
    let id = findings::record(
        vault,
        &tx,
        &Sighting {
            image_url: "https://images.example.net/u/123.jpg",
            page_url: Some("https://forum.example.net/t/55"),
            seen_by: findings::SeenBy::Provider(
                takeback_core::search::providers::ProviderId::TinEye,
            ),
            provider_score: None,
            evidence: Evidence::Checked {
                check: &check,
                bytes: b"the image bytes",
            },
        },
        None,
        now(),
    )
    .unwrap()
    .finding_id;
    tx.commit().unwrap();
    findings::confirm(vault, id, now()).unwrap();
    id
}

// See: issue 15, item 4 (Arabic, Hebrew, Chinese and Devanagari names came out as boxes).
#[test]
fn names_in_every_script_are_in_saved_letters_and_the_evidence_report() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Profiles::new(&DataDir::at(dir.path()))
        .create_clinic(
            "C",
            &Secret::new("a long passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            Utc::now(),
        )
        .unwrap();
    let id = confirmed_finding(&vault);
    let mut failed = Vec::new();
    for (script, name) in NAMES {
        // The person signs in their script and writes to a recipient named in it.
        identity_store::save_normalised(
            vault.conn(),
            Identity {
                name: name.into(),
                email: "person@example.org".into(),
                country: Some("de".into()),
                ..Identity::default()
            },
        )
        .unwrap();
        let order = LetterOrder {
            finding_ids: vec![id],
            kind: LetterKind::Abuse,
            regime: None,
            as_representative: false,
            recipient: Recipient {
                name: format!("{name} Hosting"),
                address: Some("abuse@example.net".into()),
            },
            work: None,
            context: None,
            offence_country: None,
            body: None,
        };
        let to = SaveTo {
            format: LetterFormat::Pdf,
            path: dir.path().join(format!("{script}.pdf")),
            overwrite: false,
            case_id: None,
            attachments: Vec::new(),
        };
        let saved = save(&vault, &order, &to, now()).unwrap();
        let text = pdftotext(Path::new(&saved.path));
        if !has_name(&text, name) {
            failed.push(format!("letter, {script}: {name}\n---\n{text}"));
        }
    }

    let report = dir.path().join("report.pdf");
    evidence::export(
        &vault,
        &ExportRequest {
            selection: Selection::Findings(vec![id]),
            wacz: None,
            report: Some(report.clone()),
            unredacted: false,
            hashes_only: true,
            overwrite: false,
        },
        now(),
    )
    .unwrap();
    // The report lists each letter (case) with its recipient.
    let text = pdftotext(&report);
    for (script, name) in NAMES {
        if !has_name(&text, name) {
            failed.push(format!("report, {script}: {name}"));
        }
    }
    assert!(
        failed.is_empty(),
        "names missing:\n{}\n---\nreport:\n{text}",
        failed.join("\n")
    );
}
