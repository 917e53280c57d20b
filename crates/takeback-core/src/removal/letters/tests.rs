use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::removal::identity::Representative;

pub(crate) fn finding(n: u8) -> FindingRef {
    FindingRef {
        id: Some(format!("f{n}")),
        image_url: format!("https://images.example-host.test/uploads/2026/11/very-long-file-name-that-goes-on-and-on-{n}.jpg"),
        page_url: Some(format!("https://forum.example-host.test/thread/{n}")),
        first_seen: Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap(),
        sha256: format!("{:064x}", u128::from(n) * 0x1234_5678_9abc_def0),
        pdq: Some("f".repeat(64)),
    }
}

pub(crate) fn request(kind: LetterKind, representative: bool) -> LetterRequest {
    LetterRequest {
        kind,
        regime: Regime::Uk,
        identity: Identity {
            name: "Alex Example".into(),
            email: "alex@example.org".into(),
            postal: Some("1 High Street, London".into()),
            phone: None,
            country: Some("GB".into()),
            representative: Some(Representative {
                name: "Sam Advocate".into(),
                email: "sam@clinic.example".into(),
                organisation: Some("Example Law Clinic".into()),
                postal: None,
                phone: Some("+44 20 7946 0000".into()),
            }),
        },
        as_representative: representative,
        findings: vec![finding(1), finding(2)],
        recipient: Recipient {
            name: "Example Host Ltd".into(),
            address: Some("abuse@example-host.test".into()),
        },
        date: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        locale: "en".into(),
        work: Some("A photograph I took of myself in 2024.".into()),
        context: Some(
            "The images were posted by a former partner after the relationship ended.".into(),
        ),
        offence_country: Some("DE".into()),
    }
}

#[test]
fn every_kind_drafts_with_every_element_in_both_modes() {
    for kind in LetterKind::ALL {
        for rep in [false, true] {
            let letter = draft(&request(kind, rep)).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert!(elements::missing(&letter, &letter.text())
                .unwrap()
                .is_empty());
            assert!(
                !elements::required("en", kind).unwrap().is_empty(),
                "{kind} has elements"
            );
            if rep {
                assert!(letter.text().contains("/s/ Sam Advocate"), "{kind}");
                assert!(
                    !letter.text().contains("1 High Street"),
                    "{kind}: person's address leaked"
                );
            }
        }
    }
}

#[test]
fn representative_mode_keeps_the_persons_name_off_us_notices() {
    for kind in [
        LetterKind::Dmca,
        LetterKind::Takeitdown,
        LetterKind::Abuse,
        LetterKind::Dsa,
        LetterKind::Ukosa,
    ] {
        let letter = draft(&request(kind, true)).unwrap();
        assert!(
            !letter.text().contains("Alex Example"),
            "{kind} names the person"
        );
    }
}

#[test]
fn gdpr_variants_cite_their_law_and_regulator() {
    let mut req = request(LetterKind::Gdpr, false);
    let uk = draft(&req).unwrap();
    assert!(uk.subject.contains("UK GDPR") && uk.body.contains("ICO"));
    req.regime = Regime::Eu;
    let eu = draft(&req).unwrap();
    assert!(eu.subject.contains("(EU) 2016/679") && !eu.body.contains("ICO"));
}

#[test]
fn dmca_needs_the_work() {
    let mut req = request(LetterKind::Dmca, false);
    req.work = None;
    let err = draft(&req).unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
}

#[test]
fn bad_findings_and_missing_identity_are_refused() {
    let mut req = request(LetterKind::Abuse, false);
    req.findings[0].sha256 = "abc".into();
    assert!(draft(&req).is_err());
    let mut req = request(LetterKind::Abuse, false);
    req.findings[0].image_url = "file:///etc/passwd".into();
    assert!(draft(&req).is_err());
    let mut req = request(LetterKind::Abuse, false);
    req.identity.email = " ".into();
    assert!(matches!(draft(&req), Err(Error::IdentityMissing)));
}

#[test]
fn editing_away_an_element_is_reported() {
    let letter = draft(&request(LetterKind::Dmca, false)).unwrap();
    let body = letter.body.replace("under penalty of perjury", "honestly");
    let (_, missing) = letter.with_body(body).unwrap();
    assert_eq!(missing.len(), 1);
    assert!(missing[0].law.contains("(vi)"));
}

#[test]
fn image_attachments_are_refused_whatever_their_name() {
    let jpeg_as_pdf = eml::Attachment {
        file_name: "report.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0],
    };
    assert!(matches!(
        jpeg_as_pdf.check(),
        Err(Error::ImageAttachmentRefused { .. })
    ));
    let png = eml::Attachment {
        file_name: "x.png".into(),
        content_type: "application/octet-stream".into(),
        bytes: b"hello".to_vec(),
    };
    assert!(png.check().is_err());
    let text = eml::Attachment {
        file_name: "police-report.txt".into(),
        content_type: "text/plain".into(),
        bytes: b"Crime reference 123".to_vec(),
    };
    assert!(text.check().is_ok());
}
