//! Deadline arithmetic as tables, and the case store on an in-memory database.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::deadline::{add_months, compute, reminder, LegalClock, Pause, Reminder};
use super::escalation::{next_step, Rung};
use super::{store, CaseState, NewCase};
use crate::removal::law::calendar::{Calendar, HolidayRules};
use crate::removal::law::Basis;
use crate::removal::letters::{self, LetterKind};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn local(zone: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

fn clock(basis: Basis, received_at: DateTime<Utc>) -> LegalClock {
    LegalClock {
        basis,
        received_at,
        extension_notified_at: None,
        pauses: vec![],
    }
}

#[test]
fn month_arithmetic() {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    for (from, months, to) in [
        (d(2026, 1, 31), 1, d(2026, 2, 28)),
        (d(2028, 1, 31), 1, d(2028, 2, 29)), // leap year
        (d(2026, 3, 31), 1, d(2026, 4, 30)),
        (d(2026, 9, 3), 1, d(2026, 10, 3)), // the ICO's own example
        (d(2026, 11, 30), 3, d(2027, 2, 28)),
        (d(2026, 12, 15), 1, d(2027, 1, 15)), // year end
    ] {
        assert_eq!(add_months(from, months), to, "{from} + {months} months");
    }
}

/// (basis, received at, expected due, in the basis's own zone).
#[test]
fn deadlines_table() {
    let london = chrono_tz::Europe::London;
    let brussels = chrono_tz::Europe::Brussels;
    let new_york = chrono_tz::America::New_York;
    let cases: &[(&str, Basis, DateTime<Utc>, Tz, &str)] = &[
        // 48-hour clocks are real hours: across the US DST change (8 March 2026) the local time
        // moves by an hour, the UTC time does not.
        (
            "tida plain",
            Basis::Tida48h,
            utc(2026, 11, 26, 15, 0),
            new_york,
            "2026-11-28 10:00:00 EST",
        ),
        (
            "tida across DST start",
            Basis::Tida48h,
            utc(2026, 3, 7, 12, 0),
            new_york,
            "2026-03-09 08:00:00 EDT",
        ),
        (
            "osa across UK DST end",
            Basis::UkOsa48h,
            utc(2026, 10, 24, 12, 0),
            london,
            "2026-10-26 12:00:00 GMT",
        ),
        // 31 January + one month = 28 February 2026, a Saturday → Monday 2 March.
        (
            "gdpr month end on weekend",
            Basis::Gdpr1m,
            utc(2026, 1, 31, 10, 0),
            brussels,
            "2026-03-02 23:59:59 CET",
        ),
        // Leap year: 29 February 2028 is a Tuesday.
        (
            "gdpr leap year",
            Basis::Gdpr1m,
            utc(2028, 1, 31, 10, 0),
            brussels,
            "2028-02-29 23:59:59 CET",
        ),
        // Received late evening UTC = next day in Brussels: the local date counts.
        (
            "gdpr local date",
            Basis::Gdpr1m,
            utc(2026, 6, 14, 23, 30),
            brussels,
            "2026-07-15 23:59:59 CEST",
        ),
        // UK: 6 March + 1 month = 6 April 2026, Easter Monday → Tuesday 7 April (BST).
        (
            "uk gdpr bank holiday",
            Basis::UkGdpr1m,
            utc(2026, 3, 6, 9, 0),
            london,
            "2026-04-07 23:59:59 BST",
        ),
        // UK: 27 March (GMT) → 27 April (BST): the end of day follows the summer offset.
        (
            "uk gdpr across DST",
            Basis::UkGdpr1m,
            utc(2026, 3, 27, 9, 0),
            london,
            "2026-04-27 23:59:59 BST",
        ),
        // UK: 26 November + 1 month = Saturday 26 December 2026 (Boxing Day) → substitute Mon 28 is a
        // bank holiday too → Tuesday 29 December.
        (
            "uk gdpr christmas",
            Basis::UkGdpr1m,
            utc(2026, 11, 26, 9, 0),
            london,
            "2026-12-29 23:59:59 GMT",
        ),
        // DMCA follow-up: 3 US business days; Thanksgiving (26 Nov 2026) and the weekend skipped.
        (
            "dmca follow-up over thanksgiving",
            Basis::DmcaNone,
            utc(2026, 11, 25, 15, 0),
            new_york,
            "2026-12-01 23:59:59 EST",
        ),
        (
            "dsa follow-up",
            Basis::DsaNone,
            utc(2026, 11, 26, 10, 0),
            brussels,
            "2026-12-03 23:59:59 CET",
        ),
        // Counter-notice received Friday 3 July 2026 (observed Independence Day): 14 business days
        // counted from Monday 6 July → Thursday 23 July.
        (
            "counter-notice latest",
            Basis::CounterNotice,
            utc(2026, 7, 3, 14, 0),
            new_york,
            "2026-07-23 23:59:59 EDT",
        ),
    ];
    for (name, basis, received, zone, expected) in cases {
        let d = compute(&clock(*basis, *received), *received);
        assert_eq!(local(*zone, d.due), *expected, "{name}");
    }
}

#[test]
fn counter_notice_earliest_restoration() {
    let d = compute(
        &clock(Basis::CounterNotice, utc(2026, 7, 3, 14, 0)),
        utc(2026, 7, 3, 14, 0),
    );
    let earliest = d.earliest.unwrap();
    assert_eq!(
        local(chrono_tz::America::New_York, earliest),
        "2026-07-17 00:00:00 EDT"
    );
    assert!(d.legal);
}

#[test]
fn gdpr_extension_only_if_notified_in_time() {
    let received = utc(2026, 1, 15, 10, 0);
    let mut c = clock(Basis::Gdpr1m, received);
    c.extension_notified_at = Some(utc(2026, 2, 10, 10, 0));
    let d = compute(&c, received);
    assert!(d.extended);
    // 15 January + 3 months = 15 April 2026, a Wednesday.
    assert_eq!(
        local(chrono_tz::Europe::Brussels, d.due),
        "2026-04-15 23:59:59 CEST"
    );
    c.extension_notified_at = Some(utc(2026, 2, 20, 10, 0));
    let late = compute(&c, received);
    assert!(!late.extended);
    assert!(late.notes.iter().any(|n| n.contains("does not apply")));
    assert!(late
        .note_codes
        .contains(&crate::removal::cases::deadline::DeadlineNote::ExtensionTooLate));
    assert_eq!(late.notes.len(), late.note_codes.len());
}

#[test]
fn pauses_add_their_days() {
    let received = utc(2026, 9, 3, 10, 0);
    let mut c = clock(Basis::UkGdpr1m, received);
    // Paused 5 days and 2 hours → 6 started days: 3 October + 6 = Friday 9 October.
    c.pauses = vec![Pause {
        from: utc(2026, 9, 10, 10, 0),
        to: Some(utc(2026, 9, 15, 12, 0)),
    }];
    let d = compute(&c, received);
    assert_eq!(
        local(chrono_tz::Europe::London, d.due),
        "2026-10-09 23:59:59 BST"
    );
    // An open pause runs until `now` and suppresses reminders.
    c.pauses = vec![Pause {
        from: utc(2026, 9, 10, 10, 0),
        to: None,
    }];
    let now = utc(2026, 9, 12, 10, 0);
    let open = compute(&c, now);
    assert!(open.paused);
    assert_eq!(reminder(&open, now), None);
}

#[test]
fn reminders() {
    let received = utc(2026, 11, 26, 12, 0);
    let d = compute(&clock(Basis::Tida48h, received), received);
    assert_eq!(reminder(&d, received + Duration::hours(1)), None);
    assert!(matches!(
        reminder(&d, received + Duration::hours(40)),
        Some(Reminder::DueSoon { .. })
    ));
    assert!(matches!(
        reminder(&d, received + Duration::hours(49)),
        Some(Reminder::Passed { .. })
    ));
    let g = compute(&clock(Basis::Gdpr1m, received), received);
    assert!(matches!(
        reminder(&g, received + Duration::days(25)),
        Some(Reminder::DueSoon { .. })
    ));
    let f = compute(&clock(Basis::DsaNone, received), received);
    assert!(matches!(
        reminder(&f, received + Duration::days(8)),
        Some(Reminder::FollowUp { .. })
    ));
}

#[test]
fn working_days_skip_weekends_and_holidays() {
    let cal = Calendar::new(HolidayRules::UsFederal);
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // Friday 22 May 2026 + 1 working day: Memorial Day Monday 25 May is skipped.
    assert_eq!(cal.add_working_days(d(2026, 5, 22), 1), d(2026, 5, 26));
    let eu = Calendar::new(HolidayRules::WeekendsOnly).with_extra([d(2026, 5, 1)]);
    assert_eq!(eu.roll_forward(d(2026, 5, 1)), d(2026, 5, 4));
}

#[test]
fn ladder_goes_site_host_registrar_search_regulator() {
    let mut rung = Rung::Site;
    let mut seen = vec![rung];
    while let Some(step) = next_step(rung, Basis::Tida48h) {
        rung = step.rung;
        seen.push(rung);
        if rung == Rung::Regulator {
            assert!(step.advice.contains("TakeItDown.ftc.gov"));
        }
    }
    assert_eq!(
        seen,
        vec![
            Rung::Site,
            Rung::Host,
            Rung::Registrar,
            Rung::SearchDelisting,
            Rung::Regulator
        ]
    );
}

#[test]
fn case_store_lifecycle() {
    let conn = vault_schema();
    let letter = letters::draft(&letters::tests::request(LetterKind::Takeitdown, true)).unwrap();
    let t0 = utc(2026, 11, 26, 12, 0);
    let id = store::open_case(&conn, &letter, &NewCase::for_letter(&letter), t0).unwrap();
    let c = store::get(&conn, id, t0).unwrap();
    assert_eq!(
        (c.state, c.basis, c.deadline.is_none()),
        (CaseState::Draft, Basis::Tida48h, true)
    );
    assert!(
        store::transition(&conn, id, CaseState::Removed, t0, None).is_err(),
        "draft cannot be removed"
    );
    store::mark_sent(&conn, id, t0).unwrap();
    let later = t0 + Duration::hours(50);
    let c = store::get(&conn, id, later).unwrap();
    assert!(matches!(c.reminder, Some(Reminder::Passed { .. })));
    assert_eq!(c.next_step.as_ref().unwrap().rung, Rung::Host);
    store::transition(&conn, id, CaseState::Ignored, later, Some("no answer")).unwrap();
    store::transition(&conn, id, CaseState::Escalated, later, None).unwrap();
    let list = store::list(&conn, later).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].state, CaseState::Escalated);
    let events: Vec<_> = store::events(&conn, id)
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(events, vec!["drafted", "sent", "ignored", "escalated"]);
    assert!(store::letter_text(&conn, id)
        .unwrap()
        .contains("TAKE IT DOWN"));
    assert!(matches!(
        store::get(&conn, 99, t0),
        Err(crate::Error::CaseNotFound { id: 99 })
    ));
}

#[test]
fn case_store_pauses_and_extension() {
    let conn = vault_schema();
    let mut req = letters::tests::request(LetterKind::Gdpr, false);
    req.regime = letters::Regime::Uk;
    let letter = letters::draft(&req).unwrap();
    let t0 = utc(2026, 9, 3, 10, 0);
    let id = store::open_case(&conn, &letter, &NewCase::for_letter(&letter), t0).unwrap();
    store::mark_sent(&conn, id, t0).unwrap();
    store::pause(&conn, id, utc(2026, 9, 10, 10, 0), Some("asked for ID")).unwrap();
    store::resume(&conn, id, utc(2026, 9, 15, 12, 0)).unwrap();
    let c = store::get(&conn, id, t0).unwrap();
    assert_eq!(
        local(chrono_tz::Europe::London, c.deadline.unwrap().due),
        "2026-10-09 23:59:59 BST"
    );
    store::record_extension(&conn, id, utc(2026, 9, 20, 10, 0)).unwrap();
    assert!(
        store::get(&conn, id, t0)
            .unwrap()
            .deadline
            .unwrap()
            .extended
    );
}

#[test]
fn counter_notice_turns_a_dmca_case_into_the_restoration_clock() {
    let conn = vault_schema();
    let letter = letters::draft(&letters::tests::request(LetterKind::Dmca, false)).unwrap();
    let t0 = utc(2026, 6, 29, 12, 0);
    let id = store::open_case(&conn, &letter, &NewCase::for_letter(&letter), t0).unwrap();
    store::mark_sent(&conn, id, t0).unwrap();
    store::transition(&conn, id, CaseState::Removed, t0, None).unwrap();
    store::record_counter_notice(&conn, id, utc(2026, 7, 3, 14, 0)).unwrap();
    let c = store::get(&conn, id, utc(2026, 7, 15, 12, 0)).unwrap();
    let d = c.deadline.unwrap();
    assert_eq!(d.basis, Basis::CounterNotice);
    assert_eq!(
        local(chrono_tz::America::New_York, d.due),
        "2026-07-23 23:59:59 EDT"
    );
    // Three days before the earliest restoration (17 July) the user is reminded, though the
    // case itself is closed as removed.
    assert!(matches!(c.reminder, Some(Reminder::DueSoon { .. })));
    let abuse = letters::draft(&letters::tests::request(LetterKind::Abuse, false)).unwrap();
    let other = store::open_case(&conn, &abuse, &NewCase::for_letter(&abuse), t0).unwrap();
    assert!(store::record_counter_notice(&conn, other, t0).is_err());
}

/// An in-memory database with the vault's whole schema.
fn vault_schema() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    crate::storage::vault::migrations::apply(
        &mut conn,
        crate::storage::vault::migrations::MIGRATIONS,
    )
    .unwrap();
    conn
}
