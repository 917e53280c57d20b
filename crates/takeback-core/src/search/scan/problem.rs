//! Why a source could not be scanned, told so the owner can act: which site or folder, what kind
//! of failure (this computer offline, the site unreachable, the site asking robots to stay
//! away, …) and one sentence that says nothing was checked there and what to do next.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::search::crawl::{CrawlError, SkipReason};

/// What kind of failure kept a source from being scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// This computer has no route to the internet.
    Offline,
    /// The site's name did not resolve or its server did not answer.
    Unreachable,
    /// The site answered too slowly.
    TimedOut,
    /// The site's robots.txt asks automated visitors to stay away, and Takeback respects it.
    RefusedByRobots,
    /// The site answered with an HTTP error or a page that is not a web page.
    SiteError,
    /// The address is on this computer or a private network, which is not looked through.
    LocalNetwork,
    /// The address itself cannot be used.
    BadAddress,
    /// A folder that is missing or cannot be read.
    Folder,
}

/// Why nothing was checked at a source, as a stable code with its parameters: the window says it
/// in its own language from this; [`SourceProblem::reason`] is the same sentence in English
/// (the CLI prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ProblemWhy {
    Offline,
    Unreachable,
    TimedOut,
    RefusedByRobots,
    /// The site answered with an HTTP error status.
    HttpError {
        status: u16,
    },
    /// The site's first page is not a web page Takeback can read.
    NotAWebPage,
    LocalNetwork,
    BadAddress,
    FolderMissing,
    FolderNotAllowed,
    /// The folder could not be read for another reason (the English sentence names it).
    FolderUnreadable,
}

impl ProblemWhy {
    /// The sentence after "Nothing was checked on/in <place>: ".
    fn english(self) -> String {
        match self {
            ProblemWhy::Offline => {
                "this computer seems to be offline. Check your connection, then scan again.".to_owned()
            }
            ProblemWhy::Unreachable => "the site could not be reached. It may be down, or the address may be mistyped: check it, or try again later.".to_owned(),
            ProblemWhy::TimedOut => {
                "the site took too long to answer. Try again later.".to_owned()
            }
            ProblemWhy::RefusedByRobots => "the site asks automated visitors to stay away (in its robots.txt file), and Takeback respects that. A search service, or looking at the pages yourself, can still find your photos there.".to_owned(),
            ProblemWhy::HttpError { status } => format!(
                "the site answered with an error (HTTP {status}). Check the address, or try again later."
            ),
            ProblemWhy::NotAWebPage => "the site's first page is not a web page Takeback can read. Check the address.".to_owned(),
            ProblemWhy::LocalNetwork => "the address is on this computer or a private network, which Takeback does not look through unless the local network is allowed.".to_owned(),
            ProblemWhy::BadAddress => {
                "the address cannot be used. Remove this site and add it again.".to_owned()
            }
            ProblemWhy::FolderMissing => {
                "the folder is not there any more. Was it moved, or is its drive unplugged?".to_owned()
            }
            ProblemWhy::FolderNotAllowed => "Takeback is not allowed to open this folder.".to_owned(),
            ProblemWhy::FolderUnreadable => "the folder cannot be read.".to_owned(),
        }
    }
}

/// Why a folder could not be walked.
#[derive(Debug)]
pub(crate) struct FolderProblem {
    pub why: ProblemWhy,
    /// The operating system's words, kept in the English sentence only.
    pub detail: Option<String>,
}

/// A source that could not be scanned: nothing was checked there.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SourceProblem {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub source_id: i64,
    /// The site's name (`forum.example`) or the folder's path, as the owner knows it.
    pub place: String,
    pub kind: ProblemKind,
    /// Why, as a code the window translates.
    pub why: ProblemWhy,
    /// One plain sentence in English: where nothing was checked, why, and what to do next.
    pub reason: String,
}

impl SourceProblem {
    /// A site whose crawl could not start. `online` tells whether this computer has a route to
    /// the internet (see [`has_internet_route`]); it is asked only when the site was unreachable.
    pub(crate) fn site(
        source_id: i64,
        url: &str,
        error: &CrawlError,
        online: impl FnOnce() -> bool,
    ) -> Self {
        let place = site_name(url);
        let kind = match error {
            CrawlError::InvalidStartUrl { .. } => ProblemKind::BadAddress,
            CrawlError::LocalNetworkRefused { .. } => ProblemKind::LocalNetwork,
            CrawlError::ClientSetup { .. } => ProblemKind::Unreachable,
            CrawlError::StartPageFailed { reason } => match reason {
                SkipReason::Robots => ProblemKind::RefusedByRobots,
                SkipReason::LocalNetwork => ProblemKind::LocalNetwork,
                SkipReason::Timeout => ProblemKind::TimedOut,
                SkipReason::HttpStatus(_)
                | SkipReason::NotHtml
                | SkipReason::TooLarge
                | SkipReason::TooManyRedirects
                | SkipReason::RateLimited
                | SkipReason::OffSite => ProblemKind::SiteError,
                SkipReason::Network
                | SkipReason::Unsupported
                | SkipReason::NotAnImage
                | SkipReason::BudgetExhausted
                | SkipReason::Cancelled => ProblemKind::Unreachable,
            },
        };
        // A site on this computer does not need the internet: its failure is its own.
        let kind = if kind == ProblemKind::Unreachable && !is_local_name(&place) && !online() {
            ProblemKind::Offline
        } else {
            kind
        };
        let why = match (kind, error) {
            (
                ProblemKind::SiteError,
                CrawlError::StartPageFailed {
                    reason: SkipReason::HttpStatus(status),
                },
            ) => ProblemWhy::HttpError { status: *status },
            (ProblemKind::SiteError, _) => ProblemWhy::NotAWebPage,
            (ProblemKind::Offline, _) => ProblemWhy::Offline,
            (ProblemKind::Unreachable, _) => ProblemWhy::Unreachable,
            (ProblemKind::TimedOut, _) => ProblemWhy::TimedOut,
            (ProblemKind::RefusedByRobots, _) => ProblemWhy::RefusedByRobots,
            (ProblemKind::LocalNetwork, _) => ProblemWhy::LocalNetwork,
            (ProblemKind::BadAddress | ProblemKind::Folder, _) => ProblemWhy::BadAddress,
        };
        Self {
            source_id,
            reason: format!("Nothing was checked on {place}: {}", why.english()),
            place,
            kind,
            why,
        }
    }

    /// A folder that could not be walked.
    pub(crate) fn folder(source_id: i64, dir: &Path, problem: &FolderProblem) -> Self {
        let place = dir.display().to_string();
        let english = match &problem.detail {
            Some(detail) => format!("the folder cannot be read ({detail})."),
            None => problem.why.english(),
        };
        Self {
            source_id,
            reason: format!("Nothing was checked in {place}: {english}"),
            place,
            kind: ProblemKind::Folder,
            why: problem.why,
        }
    }
}

/// The name a person knows a site by: its host (without `www.`) and a port other than the
/// scheme's default.
pub fn site_name(url: &str) -> String {
    let Ok(parsed) = Url::parse(url) else {
        return url.chars().take(100).collect();
    };
    let host = parsed.host_str().unwrap_or(url).trim_start_matches("www.");
    match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn is_local_name(place: &str) -> bool {
    let host = place.rsplit_once(':').map_or(place, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| !crate::search::crawl::address::is_public(ip))
}

/// Whether this computer has a route to the internet. Connecting a UDP socket only asks the
/// operating system for a route: no packet is sent, so nothing leaves the machine.
pub fn has_internet_route() -> bool {
    // Documentation-free, globally routed anycast addresses; any answer from the routing table
    // will do, the address is never contacted.
    let probes = [
        SocketAddr::new(IpAddr::V4(Ipv4Addr::new(1, 1, 1, 1)), 53),
        SocketAddr::new(
            IpAddr::V6(Ipv6Addr::new(0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111)),
            53,
        ),
    ];
    probes.iter().any(|probe| {
        let any: SocketAddr = if probe.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        UdpSocket::bind(any).and_then(|s| s.connect(probe)).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start_failed(reason: SkipReason) -> CrawlError {
        CrawlError::StartPageFailed { reason }
    }

    #[test]
    fn each_failure_names_the_site_and_says_nothing_was_checked() {
        let url = "https://www.forum.example/gallery";
        let cases = [
            (
                SkipReason::Network,
                true,
                ProblemKind::Unreachable,
                "could not be reached",
            ),
            (SkipReason::Network, false, ProblemKind::Offline, "offline"),
            (SkipReason::Timeout, true, ProblemKind::TimedOut, "too long"),
            (
                SkipReason::Robots,
                false,
                ProblemKind::RefusedByRobots,
                "robots.txt",
            ),
            (
                SkipReason::HttpStatus(503),
                true,
                ProblemKind::SiteError,
                "HTTP 503",
            ),
        ];
        let http = SourceProblem::site(2, url, &start_failed(SkipReason::HttpStatus(503)), || true);
        assert_eq!(http.why, ProblemWhy::HttpError { status: 503 });
        for (reason, online, kind, words) in cases {
            let p = SourceProblem::site(2, url, &start_failed(reason), || online);
            assert_eq!(p.kind, kind, "{reason:?}");
            assert_eq!(p.place, "forum.example");
            assert!(
                p.reason
                    .starts_with("Nothing was checked on forum.example: "),
                "{}",
                p.reason
            );
            assert!(p.reason.contains(words), "{}", p.reason);
            // The code says the same thing, for the window to say it in its own language.
            assert_eq!(
                format!("Nothing was checked on forum.example: {}", p.why.english()),
                p.reason
            );
            // No internal names reach the owner.
            for internal in ["Robots", "source 2", "Network", "`"] {
                assert!(!p.reason.contains(internal), "{}", p.reason);
            }
        }
    }

    #[test]
    fn a_site_on_this_computer_is_never_blamed_on_being_offline() {
        let p = SourceProblem::site(
            1,
            "http://127.0.0.1:8080/",
            &start_failed(SkipReason::Network),
            || false,
        );
        assert_eq!(p.kind, ProblemKind::Unreachable);
        assert_eq!(p.place, "127.0.0.1:8080");
        assert!(p
            .reason
            .starts_with("Nothing was checked on 127.0.0.1:8080: "));
    }

    #[test]
    fn the_route_probe_answers_without_sending() {
        // Whatever the machine, the probe returns (it never blocks on the network).
        let started = std::time::Instant::now();
        let _ = has_internet_route();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
