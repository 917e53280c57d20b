//! Working days: weekends and public holidays per jurisdiction.
//!
//! Holidays are computed from their rules (fixed dates with substitute days, "n-th weekday of the
//! month", Easter), so the calendar never runs out of years. One-off holidays (a coronation, a
//! state funeral) are added with [`Calendar::with_extra`].

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Whose public holidays count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayRules {
    /// US federal holidays (5 U.S.C. § 6103), used for DMCA business days.
    UsFederal,
    /// England and Wales bank holidays, used by the ICO's next-working-day rule.
    EnglandWales,
    /// Weekends only; add the Member State's holidays with `with_extra`.
    WeekendsOnly,
}

/// A working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    rules: HolidayRules,
    extra: Vec<NaiveDate>,
}

impl Calendar {
    pub fn new(rules: HolidayRules) -> Self {
        Self {
            rules,
            extra: Vec::new(),
        }
    }

    /// Adds one-off holidays.
    pub fn with_extra(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.extra.extend(dates);
        self
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.extra.contains(&date)
            || match self.rules {
                HolidayRules::UsFederal => us_federal(date.year()).contains(&date),
                HolidayRules::EnglandWales => england_wales(date.year()).contains(&date),
                HolidayRules::WeekendsOnly => false,
            }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(date)
    }

    /// `date` itself if it is a working day, otherwise the next one.
    pub fn roll_forward(&self, mut date: NaiveDate) -> NaiveDate {
        while !self.is_working_day(date) {
            date += Duration::days(1);
        }
        date
    }

    /// The `n`-th working day after `date` (`date` itself does not count).
    pub fn add_working_days(&self, mut date: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            date += Duration::days(1);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn nth_weekday(y: i32, m: u32, weekday: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, weekday, n).unwrap_or(NaiveDate::MIN)
}

fn last_weekday(y: i32, m: u32, weekday: Weekday) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, weekday, 5)
        .unwrap_or_else(|| nth_weekday(y, m, weekday, 4))
}

/// US rule: a holiday on Saturday is observed on Friday, on Sunday on Monday.
fn us_observed(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Duration::days(1),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

fn us_federal(y: i32) -> Vec<NaiveDate> {
    let mut days = vec![
        us_observed(ymd(y, 1, 1)),
        nth_weekday(y, 1, Weekday::Mon, 3),
        nth_weekday(y, 2, Weekday::Mon, 3),
        last_weekday(y, 5, Weekday::Mon),
        us_observed(ymd(y, 7, 4)),
        nth_weekday(y, 9, Weekday::Mon, 1),
        nth_weekday(y, 10, Weekday::Mon, 2),
        us_observed(ymd(y, 11, 11)),
        nth_weekday(y, 11, Weekday::Thu, 4),
        us_observed(ymd(y, 12, 25)),
    ];
    if y >= 2021 {
        days.push(us_observed(ymd(y, 6, 19)));
    }
    // New Year's Day of next year observed on 31 December of this one.
    days.push(us_observed(ymd(y + 1, 1, 1)));
    days
}

/// Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(y: i32) -> NaiveDate {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(y, month as u32, day as u32)
}

/// UK rule: a bank holiday on a weekend moves to the next weekday not already a holiday.
fn england_wales(y: i32) -> Vec<NaiveDate> {
    let easter = easter_sunday(y);
    let mut days = vec![
        easter - Duration::days(2),
        easter + Duration::days(1),
        nth_weekday(y, 5, Weekday::Mon, 1),
        last_weekday(y, 5, Weekday::Mon),
        last_weekday(y, 8, Weekday::Mon),
    ];
    for fixed in [ymd(y, 1, 1), ymd(y, 12, 25), ymd(y, 12, 26)] {
        let mut d = fixed;
        while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || days.contains(&d) {
            d += Duration::days(1);
        }
        days.push(d);
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_dates() {
        for (y, m, d) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter_sunday(y), ymd(y, m, d), "{y}");
        }
    }

    #[test]
    fn uk_substitute_days() {
        let cal = Calendar::new(HolidayRules::EnglandWales);
        // Christmas 2027 is a Saturday: substitutes are Mon 27 and Tue 28 December.
        assert!(cal.is_holiday(ymd(2027, 12, 27)) && cal.is_holiday(ymd(2027, 12, 28)));
        assert!(cal.is_holiday(ymd(2026, 4, 3)) && cal.is_holiday(ymd(2026, 4, 6)));
    }

    #[test]
    fn us_observed_days() {
        let cal = Calendar::new(HolidayRules::UsFederal);
        // 4 July 2026 is a Saturday: observed Friday 3 July.
        assert!(cal.is_holiday(ymd(2026, 7, 3)));
        assert!(cal.is_holiday(ymd(2026, 11, 26))); // Thanksgiving.
        assert!(cal.is_holiday(ymd(2026, 6, 19)));
    }
}
