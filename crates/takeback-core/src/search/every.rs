//! How often something is revisited: `30m`, `12h`, `1d`, `7d`, from 15 minutes to 30 days
//! (PRODUCT.md §4, `source add-site --every`). Written back in the largest unit that divides it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::search::error::SearchError;

/// An interval in whole minutes, within [`Every::MIN`] and [`Every::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Every {
    minutes: u32,
}

const UNITS: [(char, u32); 4] = [('w', 7 * 24 * 60), ('d', 24 * 60), ('h', 60), ('m', 1)];

impl Every {
    pub const MIN: Every = Every { minutes: 15 };
    pub const MAX: Every = Every {
        minutes: 30 * 24 * 60,
    };
    /// Sites and folders are revisited daily unless the owner says otherwise.
    pub const DEFAULT_SOURCE: Every = Every { minutes: 24 * 60 };
    pub const DAILY: Every = Every { minutes: 24 * 60 };
    pub const WEEKLY: Every = Every {
        minutes: 7 * 24 * 60,
    };

    /// `minutes`, refused outside 15 minutes to 30 days.
    pub fn from_minutes(minutes: u32) -> Result<Every, SearchError> {
        if (Self::MIN.minutes..=Self::MAX.minutes).contains(&minutes) {
            Ok(Every { minutes })
        } else {
            Err(SearchError::IntervalOutOfRange {
                text: Every { minutes }.to_string(),
            })
        }
    }

    /// From seconds as stored in the vault (rounded down to whole minutes; out of range is
    /// clamped, since the vault only holds values checked on the way in).
    pub fn from_secs_stored(secs: i64) -> Every {
        let minutes = (secs / 60).clamp(Self::MIN.minutes.into(), Self::MAX.minutes.into());
        Every {
            minutes: minutes as u32,
        }
    }

    pub fn minutes(self) -> u32 {
        self.minutes
    }

    pub fn secs(self) -> i64 {
        i64::from(self.minutes) * 60
    }

    pub fn duration(self) -> chrono::Duration {
        chrono::Duration::minutes(self.minutes.into())
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Weeks are accepted on input but written as days, like the contract's examples (`7d`).
        let (unit, size) = UNITS[1..]
            .iter()
            .copied()
            .find(|(_, size)| self.minutes.is_multiple_of(*size))
            .unwrap_or(('m', 1));
        write!(f, "{}{unit}", self.minutes / size)
    }
}

impl FromStr for Every {
    type Err = SearchError;

    fn from_str(text: &str) -> Result<Every, SearchError> {
        let invalid = || SearchError::InvalidInterval {
            text: text.chars().take(32).collect(),
        };
        let trimmed = text.trim().to_ascii_lowercase();
        let unit = trimmed.chars().last().ok_or_else(invalid)?;
        let (_, size) = UNITS
            .iter()
            .copied()
            .find(|(u, _)| *u == unit)
            .ok_or_else(invalid)?;
        let number: u32 = trimmed[..trimmed.len() - 1]
            .parse()
            .map_err(|_| invalid())?;
        let minutes = number
            .checked_mul(size)
            .ok_or_else(|| SearchError::IntervalOutOfRange {
                text: trimmed.clone(),
            })?;
        Every::from_minutes(minutes)
    }
}

impl Serialize for Every {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Every {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Every, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for Every {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_within_bounds_and_print_in_the_largest_unit() {
        for (text, minutes, shown) in [
            ("15m", 15, "15m"),
            ("30m", 30, "30m"),
            ("90m", 90, "90m"),
            ("120m", 120, "2h"),
            ("12h", 720, "12h"),
            ("1d", 1440, "1d"),
            (" 7D ", 10_080, "7d"),
            ("1w", 10_080, "7d"),
            ("30d", 43_200, "30d"),
        ] {
            let every: Every = text.parse().unwrap();
            assert_eq!(every.minutes(), minutes, "{text}");
            assert_eq!(every.to_string(), shown, "{text}");
        }
        for bad in ["14m", "31d", "5w", "0h"] {
            assert!(
                matches!(
                    bad.parse::<Every>(),
                    Err(SearchError::IntervalOutOfRange { .. })
                ),
                "{bad}"
            );
        }
        for bad in ["", "d", "1x", "1.5h", "-1d", "99999999999d"] {
            assert!(bad.parse::<Every>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&Every::DEFAULT_SOURCE).unwrap();
        assert_eq!(json, "\"1d\"");
        assert_eq!(
            serde_json::from_str::<Every>("\"12h\"").unwrap().minutes(),
            720
        );
    }
}
