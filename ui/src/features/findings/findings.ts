/** Plain words for findings: how alike, and how they were found. */
import type { Finding_Serialize } from "../../ipc";

/** Similarity in words (UX: "very likely you", "possibly you"), from the gate's distance scale. */
export function likeness(f: Finding_Serialize): string {
  if (f.kind === "copy_of_registered_photo") return "A copy of one of your photos";
  if (f.kind === "unverified") return "Could not be checked on this computer";
  const d = f.distance;
  if (d === null) return "Possibly you";
  if (d <= 0.4) return "Very likely you";
  if (d <= 0.5) return "Likely you";
  return "Possibly you";
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
