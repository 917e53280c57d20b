import type { Pictures } from "../../ipc";

/** The steps of "Give this case to the client", in order. */
export type GiveStep = "choose" | "passphrase" | "wipe" | "done";

/** What the report shows instead of, or as, the pictures, in plain words. */
export const PICTURE_CHOICES: readonly { value: Pictures; label: string; hint: string }[] = [
  {
    value: "blurred",
    label: "Blurred thumbnails",
    hint: "Recommended. The report shows small blurred thumbnails; the exact images are only in the archive file.",
  },
  {
    value: "none",
    label: "No pictures at all (hashes only)",
    hint: "For hash-based reporting: the report identifies each image by its fingerprints, and no archive is written.",
  },
  {
    value: "full",
    label: "The full pictures",
    hint: "Only if the person receiving it must see them. Anyone who opens the report will see the images.",
  },
];

/** The ids ticked in a set of checkboxes, in ascending order. */
export function ticked(selected: Record<number, boolean>): number[] {
  return Object.entries(selected)
    .filter(([, on]) => on)
    .map(([id]) => Number(id))
    .sort((a, b) => a - b);
}

/** Splits a generated passphrase into its words, to show them large and numbered. */
export function passphraseWords(passphrase: string): string[] {
  return passphrase.split("-").filter((w) => w.length > 0);
}

/** "1.2 MB" style sizes (the IPC types 64-bit sizes as possibly null). */
export function size(bytes: number | null): string {
  if (bytes === null) return "size unknown";
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
