/** The countdown arithmetic the Cases page shows: how long until a deadline, or since it passed. */

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
