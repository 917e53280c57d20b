/** A line of a finding's history in the window's language, from what the core says happened. */
import type { EventKind, HistoryEntry_Serialize as HistoryEntry } from "../../ipc";
import { eventLabel } from "../cases/labels";
import { eventTitle } from "../home/inbox";
import { m } from "../../paraglide/messages";

const EVENT_KINDS: readonly string[] = [
  "new_finding",
  "reappeared",
  "removed",
  "changed",
  "still_up_after_deadline",
  "source_unreachable",
  "budget_reached",
] satisfies EventKind[];

/**
 * The core's `what` names the step (`seen`, `confirmed`, `dismissed`, `case_<event>` or an event
 * kind); its `text` is the CLI's English sentence and is not shown.
 */
export function historyText(entry: HistoryEntry): string {
  const caseId = entry.case_id ?? 0;
  switch (entry.what) {
    case "seen":
      return m.history_seen();
    case "confirmed":
      return m.history_confirmed();
    case "dismissed":
      return m.history_dismissed();
    case "case_drafted":
      return m.history_case_drafted({ case: caseId });
    case "case_sent":
      return m.history_case_sent({ case: caseId });
  }
  if (entry.what.startsWith("case_")) {
    return m.history_case_other({ case: caseId, what: eventLabel(entry.what.slice("case_".length)) });
  }
  if (EVENT_KINDS.includes(entry.what)) return eventTitle(entry.what as EventKind);
  return entry.what;
}
