import { getLocale } from "../paraglide/runtime";

/**
 * Dates in the window language's long form (Intl, with the current locale): dates in the locale's long form ("7 December 2026", "December 7, 2026"): a short numeric date
 * such as 12/7/2026 reads as July in one country and December in another.
 */
export function longDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(getLocale(), { dateStyle: "long" });
}

/** {@link longDate} with the time of day ("7 December 2026 at 14:05"). */
export function longDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(getLocale(), { dateStyle: "long", timeStyle: "short" });
}
