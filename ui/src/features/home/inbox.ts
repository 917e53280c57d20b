/** Plain words for the monitoring inbox, from the message catalogue. */
import type { EventKind, Event_Serialize as Event, MonitorStatus_Serialize as MonitorStatus } from "../../ipc";
import { eventReasonText } from "../../common/coreText";
import { longDateTime } from "../../common/dates";
import { m } from "../../paraglide/messages";

/** Read when used, so they follow a change of language. */
export const EVENT_TITLES: Record<EventKind, () => string> = {
  new_finding: m.event_title_new_finding,
  reappeared: m.event_title_reappeared,
  removed: m.event_title_removed,
  changed: m.event_title_changed,
  still_up_after_deadline: m.event_title_still_up_after_deadline,
  source_unreachable: m.event_title_source_unreachable,
  budget_reached: m.event_title_budget_reached,
};

export function eventTitle(kind: EventKind): string {
  return EVENT_TITLES[kind]();
}

/** When monitoring runs next, in words. */
export function nextRunText(status: MonitorStatus, now: Date = new Date()): string {
  if (status.running) return m.inbox_status_running();
  const watched = status.sources.length + status.recheck.findings + status.removed_watch.findings;
  if (watched === 0 && status.cases.length === 0 && status.providers.length === 0) {
    return m.inbox_status_nothing_watched();
  }
  if (!status.next_due) return m.inbox_status_nothing_due();
  const due = new Date(status.next_due);
  if (due.getTime() <= now.getTime()) return m.inbox_status_due_now();
  return m.inbox_status_next({ when: longDateTime(status.next_due) });
}

/** Who keeps watching when nobody presses "Check now", in words. */
export function backgroundText(status: MonitorStatus): string {
  switch (status.background) {
    case "timer":
      return m.inbox_background_timer();
    case "window_only_passphrase":
      return m.inbox_background_passphrase();
    case "window_only":
      return m.inbox_background_window();
  }
}


const EVENT_BODIES: Record<EventKind, () => string> = {
  new_finding: m.event_body_new_finding,
  reappeared: m.event_body_reappeared,
  removed: m.event_body_removed,
  changed: m.event_body_changed,
  still_up_after_deadline: m.event_body_still_up_after_deadline,
  source_unreachable: m.event_body_source_unreachable,
  budget_reached: m.event_body_budget_reached,
};

/**
 * What an event means, in the window's language. The core's own sentence (`event.text`) is
 * English for the CLI; the window says it from its catalogue: by its site and reason code, or,
 * for an event recorded before the core kept them, by its kind.
 */
export function eventBody(event: Pick<Event, "kind" | "site" | "reason">): string {
  return eventReasonText(event) ?? EVENT_BODIES[event.kind]();
}
