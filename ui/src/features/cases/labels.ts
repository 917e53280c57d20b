/** Plain words for the states of a case and the events on its timeline, in the window's language. */
import type { CaseState } from "../../ipc";
import { m } from "../../paraglide/messages";

/** Read when used (getters), so they follow a change of language. */
export const STATE_LABELS: Record<CaseState, string> = {
  get draft() { return m.state_draft(); },
  get sent() { return m.state_sent(); },
  get acknowledged() { return m.state_acknowledged(); },
  get removed() { return m.state_removed(); },
  get partly_removed() { return m.state_partly_removed(); },
  get refused() { return m.state_refused(); },
  get ignored() { return m.state_ignored(); },
  get escalated() { return m.state_escalated(); },
  get reopened() { return m.state_reopened(); },
};

const EVENT_LABELS: Record<string, () => string> = {
  drafted: m.event_drafted,
  sent: m.event_sent,
  received: m.event_received,
  extended: m.event_extended,
  counter_notice: m.event_counter_notice,
  paused: m.event_paused,
  resumed: m.event_resumed,
};

/** A timeline event in words: its own label, else the state it moved to, else its raw name. */
export const eventLabel = (event: string): string =>
  EVENT_LABELS[event]?.() ?? (STATE_LABELS as Record<string, string>)[event] ?? event;
