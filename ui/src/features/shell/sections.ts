/** The sections of the window, in navigation order. */
export type SectionId =
  | "home"
  | "profile"
  | "scan"
  | "findings"
  | "cases"
  | "handoff"
  | "providers"
  | "audit"
  | "settings";

export interface Section {
  id: SectionId;
  label: string;
  /** One line under the label: what the section is for, in plain words. */
  blurb: string;
}

export const SECTIONS: readonly Section[] = [
  { id: "home", label: "Home", blurb: "Where things stand and what to do next" },
  { id: "profile", label: "Profile & enrollment", blurb: "Your face, your details, your lock" },
  { id: "scan", label: "Scan", blurb: "Look for your photos" },
  { id: "findings", label: "Findings", blurb: "Review what was found" },
  { id: "cases", label: "Cases & letters", blurb: "Request removal and track it" },
  { id: "handoff", label: "Evidence & hand-over", blurb: "For police or a lawyer; the case for the client" },
  { id: "providers", label: "Providers", blurb: "Search services and what they receive" },
  { id: "audit", label: "Audit", blurb: "A record of everything done" },
  { id: "settings", label: "Settings", blurb: "Theme, lock, previews, advanced" },
];

export function sectionById(id: SectionId): Section {
  const found = SECTIONS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown section ${id}`);
  return found;
}
