import type { Pictures } from "../../ipc";
import { m } from "../../paraglide/messages";
import { getLocale } from "../../paraglide/runtime";

/** The steps of "Give this case to the client", in order. */
export type GiveStep = "choose" | "passphrase" | "wipe" | "done";

/** What the report shows instead of, or as, the pictures, in plain words (read when shown). */
export const PICTURE_CHOICES: readonly { value: Pictures; label: () => string; hint: () => string }[] = [
  { value: "blurred", label: m.evidence_blurred, hint: m.evidence_blurred_hint },
  { value: "none", label: m.evidence_no_pictures, hint: m.evidence_no_pictures_hint },
  { value: "full", label: m.evidence_full, hint: m.evidence_full_hint },
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

/** "1.2 MB" style sizes in the window's language (the IPC types 64-bit sizes as possibly null). */
export function size(bytes: number | null): string {
  if (bytes === null) return m.size_unknown();
  const one = (n: number) => new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(n);
  if (bytes < 1024) return m.size_bytes({ count: bytes });
  if (bytes < 1024 * 1024) return m.size_kb({ size: one(bytes / 1024) });
  return m.size_mb({ size: one(bytes / (1024 * 1024)) });
}
