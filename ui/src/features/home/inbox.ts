/** Plain words for the monitoring inbox. */
import type { EventKind, MonitorStatus_Serialize as MonitorStatus } from "../../ipc";

const TITLES: Record<EventKind, string> = {
  new_finding: "New picture found",
  reappeared: "A picture came back",
  removed: "Taken down",
  changed: "A picture changed",
  still_up_after_deadline: "Still online after the deadline",
  source_unreachable: "A site or folder could not be checked",
  budget_reached: "Monthly search limit reached",
};

export function eventTitle(kind: EventKind): string {
  return TITLES[kind];
}

/** When monitoring runs next, in words. */
export function nextRunText(status: MonitorStatus, now: Date = new Date()): string {
  if (status.running) return "Monitoring is running now.";
  const watched = status.sources.length + status.recheck.findings + status.removed_watch.findings;
  if (watched === 0 && status.cases.length === 0 && status.providers.length === 0) {
    return "Nothing to watch yet: add a site or folder, or confirm a finding.";
  }
  if (!status.next_due) return "Nothing is due.";
  const due = new Date(status.next_due);
  if (due.getTime() <= now.getTime()) return "Some checks are due now.";
  return `Next check due ${due.toLocaleString()}.`;
}

/** Who keeps watching when nobody presses "Check now", in words. */
export function backgroundText(status: MonitorStatus): string {
  switch (status.background) {
    case "timer":
      return "Takeback also checks in the background when this window is closed.";
    case "window_only_passphrase":
      return "This profile is locked with a passphrase, so it is only checked while it is unlocked here.";
    case "window_only":
      return "Checks run while this profile is unlocked here.";
  }
}
