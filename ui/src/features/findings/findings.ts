/** Plain words for findings: how alike, and how they were found. */
import type { Finding_Serialize } from "../../ipc";

const LIKENESS: Record<Finding_Serialize["likeness"], string> = {
  very_likely: "Very likely you",
  likely: "Likely you",
  possibly: "Possibly you",
};

/** Similarity in words (UX: "very likely you", "possibly you"); the core decides the band. */
export function likeness(f: Finding_Serialize): string {
  if (f.kind === "copy_of_registered_photo") return "A copy of one of your photos";
  if (f.kind === "unverified") return "Could not be checked on this computer";
  return LIKENESS[f.likeness];
}

const SOURCES: Record<string, string> = {
  "site-watch": "a site you watch",
  "folder-scan": "a folder on this computer",
};

/** "Found by a site you watch and TinEye". */
export function foundBy(f: Finding_Serialize): string {
  const names = f.providers.map((p) => SOURCES[p] ?? p);
  if (names.length <= 1) return `Found by ${names[0] ?? "a scan"}`;
  return `Found by ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
