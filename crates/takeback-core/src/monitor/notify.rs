//! What a desktop notification says after a monitoring cycle, and whether to show one at all.
//! Neutral by default ("Takeback has 2 updates": lock screens and shared desks show it), with
//! kinds but never an image, address or site name when the owner allows detail, and nothing
//! during quiet hours. Showing it is the caller's (best-effort) job; the inbox is the record.

use serde::Serialize;

use super::events::{Event, EventKind};
use crate::base::settings::Settings;

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notification {
    pub title: String,
    pub body: String,
}

/// Whether `local_hour` (0-23) is within the quiet hours (which may wrap past midnight).
pub fn is_quiet(settings: &Settings, local_hour: u32) -> bool {
    let (from, to) = (
        settings.notifications_quiet_from,
        settings.notifications_quiet_to,
    );
    match from.cmp(&to) {
        std::cmp::Ordering::Equal => false,
        std::cmp::Ordering::Less => (from..to).contains(&local_hour),
        std::cmp::Ordering::Greater => local_hour >= from || local_hour < to,
    }
}

/// The notification for `events` (those a cycle just recorded), or `None`: nothing new,
/// notifications off, or quiet hours at `local_hour`.
pub fn for_events(events: &[Event], settings: &Settings, local_hour: u32) -> Option<Notification> {
    if events.is_empty() || !settings.notifications_enabled || is_quiet(settings, local_hour) {
        return None;
    }
    let n = events.len();
    let neutral = format!(
        "Takeback has {n} {}",
        if n == 1 { "update" } else { "updates" }
    );
    let body = if settings.notifications_detail {
        let parts: Vec<String> = EventKind::ALL
            .iter()
            .filter_map(|kind| {
                let count = events.iter().filter(|e| e.kind == *kind).count();
                (count > 0).then(|| format!("{count} {}", words(*kind, count)))
            })
            .collect();
        format!("{neutral}: {}.", parts.join(", "))
    } else {
        neutral
    };
    Some(Notification {
        title: "Takeback".into(),
        body,
    })
}

fn words(kind: EventKind, count: usize) -> &'static str {
    let one = count == 1;
    match kind {
        EventKind::NewFinding if one => "new picture found",
        EventKind::NewFinding => "new pictures found",
        EventKind::Reappeared if one => "picture came back",
        EventKind::Reappeared => "pictures came back",
        EventKind::Removed => "taken down",
        EventKind::Changed => "changed",
        EventKind::StillUpAfterDeadline => "still up after the deadline",
        EventKind::SourceUnreachable if one => "source could not be checked",
        EventKind::SourceUnreachable => "sources could not be checked",
        EventKind::BudgetReached => "monthly search limit reached",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind) -> Event {
        Event {
            id: 1,
            at: chrono::Utc::now(),
            kind,
            finding_id: Some(1),
            case_id: None,
            source_id: None,
            text: "A new picture that may show you was found on secret.example.".into(),
            read: false,
            site: Some("secret.example".into()),
            reason: Some(super::super::events::EventReason::NewPicture),
        }
    }

    #[test]
    fn notifications_are_neutral_by_default_and_respect_quiet_hours() {
        let mut settings = Settings::default();
        let two = [event(EventKind::NewFinding), event(EventKind::Removed)];
        let n = for_events(&two, &settings, 12).unwrap();
        assert_eq!(n.body, "Takeback has 2 updates");
        assert!(for_events(&[], &settings, 12).is_none());
        // Default quiet hours: 22:00 to 07:00.
        assert!(for_events(&two, &settings, 23).is_none());
        assert!(for_events(&two, &settings, 3).is_none());
        assert!(for_events(&two, &settings, 7).is_some());
        settings.set("notifications.detail", "true").unwrap();
        let n = for_events(&two, &settings, 12).unwrap();
        assert_eq!(
            n.body,
            "Takeback has 2 updates: 1 new picture found, 1 taken down."
        );
        assert!(!n.body.contains("secret.example"), "never a site name");
        settings.set("notifications.quiet_from", "9").unwrap();
        settings.set("notifications.quiet_to", "17").unwrap();
        assert!(for_events(&two, &settings, 12).is_none());
        assert!(for_events(&two, &settings, 18).is_some());
        settings.set("notifications.quiet_to", "9").unwrap();
        assert!(!is_quiet(&settings, 12), "same hour: no quiet hours");
        settings.set("notifications.enabled", "false").unwrap();
        assert!(for_events(&two, &settings, 12).is_none());
    }
}
