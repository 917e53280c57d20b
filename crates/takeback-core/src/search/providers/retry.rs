//! When to try a provider request again, and how long to wait first.
//!
//! Providers answer 429 (rate limited) and 5xx (overloaded) in normal operation; a client that
//! gives up at once fails scans for nothing, and one that retries at once makes it worse. So we
//! wait with exponential backoff plus jitter (clients started together do not retry in lockstep),
//! never less than the server's `Retry-After`, and within a bounded number of attempts and a
//! bounded total time.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// How a provider request is retried. Every field is a bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// The backoff before the first retry; it doubles on each further retry.
    pub base_delay: Duration,
    /// No single backoff is longer than this (a longer `Retry-After` still wins, within `max_total`).
    pub max_delay: Duration,
    /// A retry that would start later than this after the first attempt is not made.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_total: Duration::from_secs(90),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (for calls where a retry would cost money or repeat an upload).
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1 = the first retry), given the server's
    /// `Retry-After` and a `jitter` in `[0, 1)`.
    ///
    /// "Equal jitter": half the exponential backoff is fixed and half random, so a retry never
    /// comes back almost at once, yet concurrent clients spread out.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let backoff = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let jitter = jitter.clamp(0.0, 1.0);
        let jittered = backoff / 2 + backoff.mul_f64(jitter / 2.0);
        match retry_after {
            Some(server_wait) => server_wait.max(jittered),
            None => jittered,
        }
    }
}

/// A random number in `[0, 1)` for [`RetryPolicy::delay`]. Jitter only has to differ between
/// clients and attempts, not resist prediction, so the standard library's per-process random
/// hash keys (mixed with the time) are enough.
pub fn random_jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    // The top 53 bits make an evenly spread f64 in [0, 1).
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses a `Retry-After` header: either delay-seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`), relative to `now`. A date in the past means "now".
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_total: Duration::from_secs(10),
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = policy();
        // With jitter 0 the wait is half the backoff; with jitter ~1 it is the whole backoff.
        assert_eq!(p.delay(1, None, 0.0), Duration::from_millis(50));
        assert_eq!(p.delay(2, None, 0.0), Duration::from_millis(100));
        assert_eq!(p.delay(3, None, 0.0), Duration::from_millis(200));
        assert_eq!(p.delay(10, None, 0.0), Duration::from_millis(500));
        assert_eq!(p.delay(10, None, 1.0), Duration::from_millis(1000));
        assert_eq!(p.delay(u32::MAX, None, 1.0), Duration::from_millis(1000));
    }

    #[test]
    fn retry_after_is_a_floor() {
        let p = policy();
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3)), 0.5),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(4, Some(Duration::from_millis(1)), 0.0),
            Duration::from_millis(400)
        );
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..100 {
            let j = random_jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let check = |value: &str, expected: Option<u64>| {
            assert_eq!(
                parse_retry_after(value, now),
                expected.map(Duration::from_secs),
                "{value}"
            );
        };
        check("120", Some(120));
        check(" 0 ", Some(0));
        check("Wed, 21 Oct 2015 07:28:00 GMT", Some(60));
        check("Wed, 21 Oct 2015 07:00:00 GMT", Some(0));
        check("soon", None);
        check("-5", None);
    }
}
