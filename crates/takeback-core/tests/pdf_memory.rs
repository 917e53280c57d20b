//! A 100 KB field costs a PDF bounded time and memory (issue 15, item 9: the old typesetter grew
//! roughly quadratically, about 1 GB for a 100 KB field). One test in its own binary, so that the
//! process's peak memory (`VmHWM`) is this test's alone.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use takeback_core::removal::identity::Identity;
use takeback_core::removal::letters::{
    self, pdf, FindingRef, Letter, LetterKind, LetterRequest, Recipient, Regime,
};
use takeback_core::ErrorCode;

/// The process's peak resident memory so far, in KiB (Linux).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn letter() -> Letter {
    letters::draft(&LetterRequest {
        kind: LetterKind::Abuse,
        regime: Regime::Eu,
        identity: Identity {
            name: "Alex Example".into(),
            email: "alex@example.org".into(),
            country: Some("DE".into()),
            ..Identity::default()
        },
        as_representative: false,
        findings: vec![FindingRef {
            id: Some("1".into()),
            image_url: "https://images.example.net/u/1.jpg".into(),
            page_url: None,
            first_seen: Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap(),
            sha256: "a".repeat(64),
            pdq: None,
        }],
        recipient: Recipient {
            name: "Example Host".into(),
            address: Some("abuse@example.net".into()),
        },
        date: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        locale: "en".into(),
        work: None,
        context: None,
        offence_country: None,
    })
    .unwrap()
}

// See: issue 15, item 9.
#[test]
fn a_100_kb_field_is_refused_or_typeset_within_time_and_memory_bounds() {
    // Fonts and the layout engine's tables are loaded once; what follows is measured from here.
    pdf::render(&letter()).unwrap();
    let before = peak_kib();

    // One 100 KB paragraph: refused, naming the line, before any layout.
    let mut long_line = letter();
    long_line.body = format!("{}\n{}", long_line.body, "evidence ".repeat(12_000));
    let started = Instant::now();
    let err = pdf::render(&long_line).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    assert!(err.to_string().contains("characters long"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused at once"
    );

    // 100 KB in paragraphs within the bound (a 10,000-character one among them), with no space
    // to break at in some: typeset whole, in bounded time and memory.
    let mut long_body = letter();
    let mut body = long_body.body.clone();
    body.push_str(&format!("\n{}\n", "x".repeat(pdf::MAX_PARAGRAPH_CHARS)));
    for n in 0..90 {
        body.push_str(&format!("{n:04} {}\n", "word ".repeat(200)));
    }
    body.push_str("THE-LAST-LINE\n");
    long_body.body = body;
    assert!(long_body.body.len() > 100_000);
    let started = Instant::now();
    let bytes = pdf::render(&long_body).unwrap();
    let took = started.elapsed();
    let grew_mib = (peak_kib() - before) / 1024;
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(grew_mib < 200, "peak memory grew {grew_mib} MiB");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is needed for this test")
        .stdout;
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("THE-LAST-LINE"), "nothing is cut");
    println!(
        "100 KB body: {} bytes of PDF in {took:?}, peak memory +{grew_mib} MiB",
        bytes.len()
    );
}
