/** The countdown arithmetic the Cases page shows: how long until a deadline, or since it passed. */
import { m } from "../../paraglide/messages";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function span(ms: number): string {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / 60_000);
  if (days > 0) return hours > 0 ? `${m.unit_day({ count: days })} ${m.unit_hour({ count: hours })}` : m.unit_day({ count: days });
  if (hours > 0) return m.unit_hour({ count: hours });
  return m.unit_minute({ count: Math.max(minutes, 1) });
}

/** "2 days 3 hours left", or "overdue by 5 hours" once `due` has passed. */
export function countdown(dueIso: string, nowMs: number): { text: string; overdue: boolean } {
  const left = Date.parse(dueIso) - nowMs;
  return left >= 0
    ? { text: m.countdown_left({ span: span(left) }), overdue: false }
    : { text: m.countdown_overdue({ span: span(-left) }), overdue: true };
}
