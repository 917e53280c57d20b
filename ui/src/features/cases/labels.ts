/** Plain words for the states of a case and the events on its timeline. */
import type { CaseState } from "../../ipc";

export const STATE_LABELS: Record<CaseState, string> = {
  draft: "Draft — not sent yet",
  sent: "Sent — waiting for an answer",
  acknowledged: "Acknowledged",
  removed: "Removed",
  partly_removed: "Partly removed",
  refused: "Refused",
  ignored: "No answer",
  escalated: "Escalated",
  reopened: "Back online — reopened",
};

const EVENT_LABELS: Record<string, string> = {
  drafted: "Letter drafted",
  sent: "Marked as sent",
  received: "Recipient confirmed receipt",
  extended: "Recipient extended the time limit",
  counter_notice: "Counter-notice received",
  paused: "Clock paused",
  resumed: "Clock resumed",
};

/** A timeline event in words: its own label, else the state it moved to, else its raw name. */
export const eventLabel = (event: string): string =>
  EVENT_LABELS[event] ?? STATE_LABELS[event as CaseState] ?? event;
