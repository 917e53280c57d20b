//! Requesting removal, the one core path of the CLI's `letter` and the window's editor: compose
//! from the profile's identity and stored findings (with and without the user's edit), refuse
//! findings a letter must not name, then save: file written whole, case and one audit entry.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use takeback_core::base::files::FileError;
use takeback_core::base::paths::DataDir;
use takeback_core::face::matching::{ImageCheck, Verdict};
use takeback_core::removal::cases::{store, CaseState};
use takeback_core::removal::identity::{store as identity_store, Identity};
use takeback_core::removal::letters::{LetterKind, Recipient, Regime};
use takeback_core::removal::request::{
    compose, save, LetterFormat, LetterOrder, RequestError, SaveTo,
};
use takeback_core::search::findings::{self, Evidence, Sighting};
use takeback_core::storage::secrets::Secret;
use takeback_core::storage::vault::{KdfParams, Profiles, Vault};
use takeback_core::{storage::audit, Error};

const IMAGE: &str = "https://images.example.net/u/123.jpg";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

/// A finding recorded as a scan does after checking `bytes` on this computer (or not).
fn record(vault: &Vault, image_url: &str, checked: bool) -> i64 {
    let check = ImageCheck {
        verdict: Verdict::OwnersFace,
        faces_found: 1,
        face_distance: Some(0.3),
        pdq: None,
        pdq_distance: None,
        nearest_face: None,
    };
    let bytes = b"the image bytes".to_vec();
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
    let tx = vault.conn().unchecked_transaction().unwrap();
    let id = findings::record(
        vault,
        &tx,
        &Sighting {
            image_url,
            page_url: Some("https://forum.example.net/t/55"),
            seen_by: takeback_core::search::findings::SeenBy::Provider(
                takeback_core::search::providers::ProviderId::TinEye,
            ),
            provider_score: None,
            evidence,
        },
        None,
        now(),
    )
    .unwrap()
    .finding_id;
    tx.commit().unwrap();
    id
}

fn order(kind: LetterKind, finding_ids: Vec<i64>) -> LetterOrder {
    LetterOrder {
        finding_ids,
        kind,
        regime: None,
        as_representative: false,
        recipient: Recipient {
            name: "example.net".into(),
            address: Some("abuse@example.net".into()),
        },
        work: None,
        context: None,
        offence_country: None,
        body: None,
    }
}

fn profile() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let vault = Profiles::new(&DataDir::at(dir.path()))
        .create_clinic(
            "C",
            &Secret::new("a long passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            Utc::now(),
        )
        .unwrap();
    (dir, vault)
}

fn set_identity(vault: &Vault) {
    identity_store::save_normalised(
        vault.conn(),
        Identity {
            name: "Alex Doe".into(),
            email: "alex@example.org".into(),
            country: Some("de".into()),
            ..Identity::default()
        },
    )
    .unwrap();
}

fn save_to(dir: &std::path::Path, name: &str) -> SaveTo {
    SaveTo {
        format: LetterFormat::Txt,
        path: dir.join(name),
        overwrite: false,
        case_id: None,
        attachments: Vec::new(),
    }
}

#[test]
fn compose_reads_the_identity_and_the_stored_finding_and_flags_a_removed_element() {
    let (_dir, vault) = profile();
    let id = record(&vault, IMAGE, true);
    findings::confirm(&vault, id, now()).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();

    // No identity yet: the error says what to do.
    assert!(matches!(
        compose(vault.conn(), &order(LetterKind::Gdpr, vec![id]), today),
        Err(Error::IdentityMissing)
    ));
    set_identity(&vault);

    // The regime follows the person's country (DE: EU GDPR); the finding comes from the vault.
    let (letter, missing) =
        compose(vault.conn(), &order(LetterKind::Gdpr, vec![id]), today).unwrap();
    assert!(missing.is_empty());
    assert_eq!(letter.regime, Regime::Eu);
    assert!(letter.body.contains(IMAGE));
    assert!(letter.body.contains(&audit::digest(b"the image bytes")));

    // An edit that deletes the image's address is allowed in the preview but reported.
    let mut edited = order(LetterKind::Gdpr, vec![id]);
    edited.body = Some(letter.body.replace(IMAGE, "[link]"));
    let (_, missing) = compose(vault.conn(), &edited, today).unwrap();
    assert!(!missing.is_empty(), "removing the URL must be flagged");
}

#[test]
fn dismissed_unverified_or_no_findings_are_refused() {
    let (_dir, vault) = profile();
    set_identity(&vault);
    let dismissed = record(&vault, IMAGE, true);
    findings::dismiss(&vault, dismissed, now()).unwrap();
    let unverified = record(&vault, "https://images.example.net/u/9.jpg", false);
    let today = now().date_naive();
    for (ids, expected) in [
        (
            vec![dismissed],
            RequestError::DismissedFinding { id: dismissed },
        ),
        (
            vec![unverified],
            RequestError::UnverifiedFinding { id: unverified },
        ),
        (vec![], RequestError::NoFindings),
    ] {
        let err = compose(vault.conn(), &order(LetterKind::Abuse, ids), today).unwrap_err();
        assert_eq!(err.downcast_ref::<RequestError>(), Some(&expected), "{err}");
    }
}

#[test]
fn save_writes_the_file_whole_files_the_case_and_audits_once() {
    let (dir, vault) = profile();
    set_identity(&vault);
    let id = record(&vault, IMAGE, true);
    findings::confirm(&vault, id, now()).unwrap();
    let out = dir.path().join("letters");
    let entries_before = audit::list(vault.conn()).unwrap().len();

    let saved = save(
        &vault,
        &order(LetterKind::Abuse, vec![id]),
        &save_to(&out, "a.txt"),
        now(),
    )
    .unwrap();
    let text = std::fs::read_to_string(&saved.path).unwrap();
    assert!(text.contains(IMAGE));
    assert_eq!(saved.bytes, text.len() as u64);
    let case = store::get(vault.conn(), saved.case_id, now()).unwrap();
    assert_eq!(case.state, CaseState::Draft);
    assert_eq!(case.recipient_address.as_deref(), Some("abuse@example.net"));

    let log = audit::list(vault.conn()).unwrap();
    assert_eq!(log.len(), entries_before + 1, "one entry per save");
    let last = log.last().unwrap();
    assert_eq!(last.action, "letter.drafted");
    assert_eq!(last.actor, "owner");
    assert_eq!(
        last.subject.as_deref(),
        Some(audit::digest(text.as_bytes()).as_str())
    );
    assert_eq!(last.detail["case_id"], saved.case_id);
    assert_eq!(last.detail["findings"], serde_json::json!([id]));
    assert_eq!(last.detail["format"], "txt");
    assert!(audit::verify(vault.conn()).unwrap().ok);

    // The same letter again, as PDF, for its case: no second case.
    let mut again = save_to(&out, "a.pdf");
    again.format = LetterFormat::Pdf;
    again.case_id = Some(saved.case_id);
    let pdf = save(&vault, &order(LetterKind::Abuse, vec![id]), &again, now()).unwrap();
    assert_eq!(pdf.case_id, saved.case_id);
    assert_eq!(store::list(vault.conn(), now()).unwrap().len(), 1);
    assert_eq!(
        audit::list(vault.conn()).unwrap().last().unwrap().action,
        "letter.saved"
    );
}

#[test]
fn save_refuses_before_writing_anything() {
    let (dir, vault) = profile();
    set_identity(&vault);
    let id = record(&vault, IMAGE, true);
    let existing = dir.path().join("mine.txt");
    std::fs::write(&existing, "my notes").unwrap();
    let refused = |order: LetterOrder, to: SaveTo| save(&vault, &order, &to, now()).unwrap_err();

    let err = refused(
        order(LetterKind::Abuse, vec![id]),
        save_to(dir.path(), "mine.txt"),
    );
    assert!(
        matches!(err.downcast_ref(), Some(FileError::Exists { .. })),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "my notes");

    let mut relative = save_to(dir.path(), "x.txt");
    relative.path = "x.txt".into();
    let err = refused(order(LetterKind::Abuse, vec![id]), relative);
    assert!(matches!(
        err.downcast_ref(),
        Some(RequestError::NotAbsolute { .. })
    ));

    let mut wrong = save_to(dir.path(), "x.pdf");
    wrong.format = LetterFormat::Txt;
    let err = refused(order(LetterKind::Abuse, vec![id]), wrong);
    assert!(matches!(
        err.downcast_ref(),
        Some(RequestError::WrongExtension { .. })
    ));

    for (address, form) in [
        ("https://support.example/form", true),
        ("not an email", false),
        ("", false),
    ] {
        let mut o = order(LetterKind::Abuse, vec![id]);
        o.recipient.address = Some(address.into());
        let err = refused(o, save_to(dir.path(), "y.txt"));
        let e = err.downcast_ref::<RequestError>();
        assert!(
            if form {
                matches!(e, Some(RequestError::FormNotEmail { .. }))
            } else {
                matches!(e, Some(RequestError::NotAnEmail { .. }))
            },
            "{address}: {err}"
        );
    }

    let mut edited = order(LetterKind::Abuse, vec![id]);
    edited.body = Some("Please remove it.".into());
    let err = refused(edited, save_to(dir.path(), "z.txt"));
    assert!(matches!(
        err.downcast_ref(),
        Some(RequestError::Incomplete { .. })
    ));

    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "profiles" && !n.starts_with("settings"))
        .collect();
    assert_eq!(names, ["mine.txt"], "nothing else was written");
    assert!(
        store::list(vault.conn(), now()).unwrap().is_empty(),
        "no case"
    );
}
