//! The letter editor's core calls: compose from the profile's identity (with and without the
//! user's edit) and file the case with its audit entry.
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use takeback_core::cases::{store, CaseState};
use takeback_core::identity::{store as identity_store, Identity};
use takeback_core::letters::compose::{compose, file, ComposeInput};
use takeback_core::letters::{FindingRef, LetterKind, Recipient, Regime};
use takeback_core::paths::DataDir;
use takeback_core::secrets::Secret;
use takeback_core::vault::{KdfParams, Profiles};
use takeback_core::{audit, Error};

fn input(kind: LetterKind) -> ComposeInput {
    ComposeInput {
        kind,
        regime: None,
        as_representative: false,
        findings: vec![FindingRef {
            id: Some("7".into()),
            image_url: "https://images.example.net/u/123.jpg".into(),
            page_url: Some("https://forum.example.net/t/55".into()),
            first_seen: Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap(),
            sha256: "ab".repeat(32),
            pdq: None,
        }],
        recipient: Recipient {
            name: String::new(),
            address: Some("abuse@example.net".into()),
        },
        work: None,
        context: None,
        offence_country: None,
        body: None,
    }
}

#[test]
fn compose_edit_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Profiles::new(&DataDir::at(dir.path()))
        .create_clinic(
            "C",
            &Secret::new("a long passphrase".to_owned()),
            KdfParams::INSECURE_FOR_TESTS,
            Utc::now(),
        )
        .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();

    // No identity yet: the error says what to do.
    assert!(matches!(
        compose(vault.conn(), &input(LetterKind::Gdpr), today),
        Err(Error::IdentityMissing)
    ));
    identity_store::save(
        vault.conn(),
        &Identity {
            name: "Alex Doe".into(),
            email: "alex@example.org".into(),
            country: Some("de".into()),
            ..Identity::default()
        }
        .normalised(),
    )
    .unwrap();

    // The regime follows the person's country (DE: EU GDPR).
    let (letter, missing) = compose(vault.conn(), &input(LetterKind::Gdpr), today).unwrap();
    assert!(missing.is_empty());
    assert_eq!(letter.regime, Regime::Eu);
    assert!(letter.body.contains("https://images.example.net/u/123.jpg"));

    // An edit that deletes the image's address is allowed but reported.
    let mut edited = input(LetterKind::Gdpr);
    edited.body = Some(
        letter
            .body
            .replace("https://images.example.net/u/123.jpg", "[link]"),
    );
    let (_, missing) = compose(vault.conn(), &edited, today).unwrap();
    assert!(!missing.is_empty(), "removing the URL must be flagged");

    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    let id = file(vault.conn(), &letter, now).unwrap();
    let case = store::get(vault.conn(), id, now).unwrap();
    assert_eq!(case.state, CaseState::Draft);
    assert_eq!(case.recipient_address.as_deref(), Some("abuse@example.net"));
    let last = audit::list(vault.conn()).unwrap().pop().unwrap();
    assert_eq!(last.action, "letter.drafted");
    assert_eq!(
        last.subject.unwrap(),
        audit::digest(letter.text().as_bytes())
    );
    assert!(audit::verify(vault.conn()).unwrap().ok);
}
