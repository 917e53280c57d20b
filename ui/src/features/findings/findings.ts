/** Plain words for findings: how alike, and how they were found. */
import type { Finding_Serialize, FindingStatus } from "../../ipc";
import { m } from "../../paraglide/messages";
import { getLocale } from "../../paraglide/runtime";

const LIKENESS: Record<Finding_Serialize["likeness"], () => string> = {
  very_likely: m.likeness_very_likely,
  likely: m.likeness_likely,
  possibly: m.likeness_possibly,
};

/** Similarity in words (UX: "very likely you", "possibly you"); the core decides the band. */
export function likeness(f: Finding_Serialize): string {
  if (f.kind === "copy_of_registered_photo") return m.likeness_copy();
  if (f.kind === "unverified") return m.likeness_unverified();
  return LIKENESS[f.likeness]();
}

const SOURCES: Record<string, () => string> = {
  "site-watch": m.found_by_site_watch,
  "folder-scan": m.found_by_folder_scan,
};

/** "Found by a site you watch and TinEye" (the list joined by the language's own rules). */
export function foundBy(f: Finding_Serialize): string {
  const names = f.providers.map((p) => SOURCES[p]?.() ?? p);
  if (names.length === 0) return m.found_by({ names: m.found_by_scan() });
  return m.found_by({ names: new Intl.ListFormat(getLocale(), { type: "conjunction" }).format(names) });
}

const STATUS: Record<FindingStatus, () => string> = {
  new: m.status_new,
  confirmed: m.status_confirmed,
  dismissed: m.status_dismissed,
  removed: m.status_removed,
};

/** A finding's status in words. */
export const statusWords = (status: FindingStatus): string => STATUS[status]();
