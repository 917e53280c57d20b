//! robots.txt rules per host (RFC 9309), parsed by `texting_robots`.

use std::time::Duration;

use texting_robots::Robot;

/// The product token sites name in robots.txt to address us.
pub const ROBOTS_AGENT: &str = "TakebackBot";

/// The longest crawl delay we honour; a site asking for more is crawled that slowly anyway.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(10);

/// What one host's robots.txt allows.
#[derive(Debug)]
pub enum RobotsRules {
    /// No usable robots.txt (4xx): everything is allowed.
    AllowAll,
    /// The server failed or could not be reached: RFC 9309 says to assume nothing is allowed.
    DisallowAll,
    Parsed(ParsedRules),
}

pub struct ParsedRules {
    robot: Robot,
}

impl std::fmt::Debug for ParsedRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedRules")
            .field("delay", &self.robot.delay)
            .finish_non_exhaustive()
    }
}

impl RobotsRules {
    /// Rules from a fetched robots.txt body; an unparseable file allows everything, as
    /// crawlers customarily treat it.
    pub fn from_body(body: &[u8]) -> Self {
        match Robot::new(ROBOTS_AGENT, body) {
            Ok(robot) => RobotsRules::Parsed(ParsedRules { robot }),
            Err(_) => RobotsRules::AllowAll,
        }
    }

    pub fn allows(&self, url: &str) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::DisallowAll => false,
            RobotsRules::Parsed(rules) => rules.robot.allowed(url),
        }
    }

    /// The sitemaps the file names (`Sitemap:` lines), as written.
    pub fn sitemaps(&self) -> &[String] {
        match self {
            RobotsRules::Parsed(rules) => &rules.robot.sitemaps,
            _ => &[],
        }
    }

    /// The site's `Crawl-delay`, bounded.
    pub fn crawl_delay(&self) -> Option<Duration> {
        let RobotsRules::Parsed(rules) = self else {
            return None;
        };
        let seconds = rules.robot.delay?;
        if !seconds.is_finite() || seconds <= 0.0 {
            return None;
        }
        // Bounded before the conversion: a finite but huge delay (`1e30`) would overflow it.
        Some(Duration::from_secs_f32(
            seconds.min(MAX_CRAWL_DELAY.as_secs_f32()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_applied_to_our_agent() {
        let rules = RobotsRules::from_body(
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: TakebackBot\nDisallow: /no-takeback/\nCrawl-delay: 60\n",
        );
        assert!(rules.allows("http://a.example/ok.html"));
        assert!(!rules.allows("http://a.example/no-takeback/x.html"));
        // Our own group replaces the `*` group.
        assert!(rules.allows("http://a.example/private/x.html"));
        assert_eq!(rules.crawl_delay(), Some(MAX_CRAWL_DELAY));

        let star = RobotsRules::from_body(b"User-agent: *\nDisallow: /private/\n");
        assert!(!star.allows("http://a.example/private/x.html"));
        assert_eq!(star.crawl_delay(), None);
        assert!(!RobotsRules::DisallowAll.allows("http://a.example/"));
        assert!(RobotsRules::AllowAll.allows("http://a.example/"));
    }

    /// Found by the property tests (issue 15): `Crawl-delay: 1e30` is finite, and converting it
    /// to a `Duration` panicked, taking the crawl down with it.
    #[test]
    fn a_huge_crawl_delay_is_bounded_not_a_panic() {
        let rules = RobotsRules::from_body(b"User-agent: *\nCrawl-delay: 1e30\n");
        assert_eq!(rules.crawl_delay(), Some(MAX_CRAWL_DELAY));
    }
}
