/**
 * The window's language: the `language` setting of the core ("system", "en", "es"), resolved
 * against the operating system's languages when it says "system". Never kept in webview storage
 * (the webview is incognito): the choice lives in Takeback's settings file.
 *
 * Messages come from the compiled catalogue (`m.key()` from src/paraglide/messages), which reads
 * the current locale at call time; `language.current` is reactive so the shell can re-render
 * every page when it changes.
 */
import { getTextDirection, setLocale, type Locale } from "../paraglide/runtime";

/** The languages a person can choose; the pseudo-locales are for layout tests only. */
export const LANGUAGES = ["en", "es"] as const;
const PSEUDO: readonly Locale[] = ["en-XA", "ar-XB"];

/** Pseudo-locales exist in development and test builds only (`VITE_TAKEBACK_PSEUDO=1`). */
export const pseudoLocalesEnabled: boolean =
  import.meta.env.DEV || import.meta.env.MODE === "test" || import.meta.env.VITE_TAKEBACK_PSEUDO === "1";

export const language = $state<{ current: Locale }>({ current: "en" });

/** The locale for a `language` setting, given the OS's preferred languages (BCP 47 tags). */
export function resolveLanguage(setting: string, preferred: readonly string[]): Locale {
  if ((LANGUAGES as readonly string[]).includes(setting)) return setting as Locale;
  if (pseudoLocalesEnabled && (PSEUDO as readonly string[]).includes(setting)) return setting as Locale;
  for (const tag of preferred) {
    const base = tag.split("-")[0]?.toLowerCase() ?? "";
    if ((LANGUAGES as readonly string[]).includes(base)) return base as Locale;
  }
  return "en";
}

/** Switches the window to the language a setting names; returns the locale now shown. */
export function applyLanguage(setting: string): Locale {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  const locale = resolveLanguage(setting, preferred);
  setLocale(locale, { reload: false });
  document.documentElement.lang = locale;
  document.documentElement.dir = getTextDirection(locale);
  language.current = locale;
  return locale;
}

if (pseudoLocalesEnabled && typeof window !== "undefined") {
  // End-to-end tests switch to a pseudo-locale through WebDriver; the setting cannot name one.
  (window as unknown as { __takebackLanguage?: (s: string) => Locale }).__takebackLanguage = applyLanguage;
}
