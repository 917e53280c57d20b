/**
 * The Settings page's words for each setting. The core names and explains every setting in
 * English (for `takeback config`); the window shows its own catalogue's words, and the core's
 * only for a setting newer than this window.
 */
import { m } from "../../paraglide/messages";
import type { Entry } from "../../ipc";

interface Text {
  label: () => string;
  help: () => string;
}

const TEXT: Record<string, Text> = {
  theme: { label: m.setting_theme, help: m.setting_theme_help },
  language: { label: m.setting_language, help: m.setting_language_help },
  auto_lock_minutes: { label: m.setting_auto_lock, help: m.setting_auto_lock_help },
  previews: { label: m.setting_previews, help: m.setting_previews_help },
  "quick_exit.double_escape": { label: m.setting_double_escape, help: m.setting_double_escape_help },
  "rdap.bootstrap_base": { label: m.setting_rdap, help: m.setting_rdap_help },
  "network.proxy": { label: m.setting_proxy, help: m.setting_proxy_help },
  "monitor.when_closed": { label: m.setting_when_closed, help: m.setting_when_closed_help },
  "app.start_at_login": { label: m.setting_start_at_login, help: m.setting_start_at_login_help },
};

/** Provider settings are `provider.<name>.enabled` / `.base_url`; their names are brand names. */
const PROVIDER_NAMES: Record<string, string> = {
  tineye: "TinEye",
  "google-vision": "Google Cloud Vision",
  "serpapi-lens": "SerpApi Google Lens",
  facecheck: "FaceCheck.ID",
};

function providerText(key: string): Text | undefined {
  const match = /^provider\.([\w-]+)\.(enabled|base_url)$/.exec(key);
  const name = match?.[1] && PROVIDER_NAMES[match[1]];
  if (!match || !name) return undefined;
  return match[2] === "enabled"
    ? { label: () => m.setting_provider_enabled({ name }), help: () => m.setting_provider_enabled_help({ name }) }
    : { label: () => m.setting_provider_url({ name }), help: () => m.setting_provider_url_help({ name }) };
}

export function settingLabel(entry: Entry): string {
  return (TEXT[entry.key] ?? providerText(entry.key))?.label() ?? entry.label;
}

export function settingHelp(entry: Entry): string {
  return (TEXT[entry.key] ?? providerText(entry.key))?.help() ?? entry.help;
}

/** The stored values of choices, in words (the core keeps short codes; the CLI uses them). */
export function choiceWords(key: string, value: string): string {
  const words: Record<string, Record<string, () => string>> = {
    theme: { system: m.choice_theme_system, light: m.choice_theme_light, dark: m.choice_theme_dark },
    // Each language is named in itself, so a person who cannot read the current one finds theirs.
    language: { system: m.choice_language_system, en: () => "English", es: () => "Español" },
    previews: { blurred: m.choice_previews_blurred, off: m.choice_previews_off },
  };
  return words[key]?.[value]?.() ?? value;
}
