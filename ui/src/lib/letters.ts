/** Plain words for letters and cases, and the countdown arithmetic the Cases page shows. */
import type { CaseState, LetterKind } from "../ipc";

export const KIND_LABELS: Record<LetterKind, string> = {
  dmca: "Copyright notice (DMCA)",
  takeitdown: "TAKE IT DOWN Act request (US, 48 hours)",
  gdpr: "Data-protection erasure request (GDPR)",
  dsa: "Illegal content notice (EU Digital Services Act)",
  ukosa: "Intimate image report (UK Online Safety Act, 48 hours)",
  delisting: "Search-engine delisting request",
  abuse: "Abuse report to the host",
};

export const STATE_LABELS: Record<CaseState, string> = {
  draft: "Draft — not sent yet",
  sent: "Sent — waiting for an answer",
  acknowledged: "Acknowledged",
  removed: "Removed",
  partly_removed: "Partly removed",
  refused: "Refused",
  ignored: "No answer",
  escalated: "Escalated",
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function span(ms: number): string {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / 60_000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (days > 0) return hours > 0 ? `${plural(days, "day")} ${plural(hours, "hour")}` : plural(days, "day");
  if (hours > 0) return plural(hours, "hour");
  return plural(Math.max(minutes, 1), "minute");
}

/** "2 days 3 hours left", or "overdue by 5 hours" once `due` has passed. */
export function countdown(dueIso: string, nowMs: number): { text: string; overdue: boolean } {
  const left = Date.parse(dueIso) - nowMs;
  return left >= 0 ? { text: `${span(left)} left`, overdue: false } : { text: `overdue by ${span(-left)}`, overdue: true };
}
