/** Numbers and lists in the window's language (Intl, with the current locale). */
import { getLocale } from "../paraglide/runtime";

/** A count with the locale's grouping: 1,980 in English, 12.345 in Spanish. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(getLocale()).format(n);
}

/** "3, 5 and 8" / "3, 5 y 8": numbers grouped, joined as the language joins a list. */
export function formatList(items: readonly (number | string)[]): string {
  const texts = items.map((x) => (typeof x === "number" ? formatCount(x) : x));
  return new Intl.ListFormat(getLocale(), { type: "conjunction" }).format(texts);
}
