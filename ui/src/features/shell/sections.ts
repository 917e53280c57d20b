/** The sections of the window, in navigation order. */
import { m } from "../../paraglide/messages";

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
  /** Read at render time, in the current language. */
  label: () => string;
  /** One line under the label: what the section is for, in plain words. */
  blurb: () => string;
}

export const SECTIONS: readonly Section[] = [
  { id: "home", label: m.section_home, blurb: m.section_home_blurb },
  { id: "profile", label: m.section_profile, blurb: m.section_profile_blurb },
  { id: "scan", label: m.section_scan, blurb: m.section_scan_blurb },
  { id: "findings", label: m.section_findings, blurb: m.section_findings_blurb },
  { id: "cases", label: m.section_cases, blurb: m.section_cases_blurb },
  { id: "handoff", label: m.section_handoff, blurb: m.section_handoff_blurb },
  { id: "providers", label: m.section_providers, blurb: m.section_providers_blurb },
  { id: "audit", label: m.section_audit, blurb: m.section_audit_blurb },
  { id: "settings", label: m.section_settings, blurb: m.section_settings_blurb },
];

export function sectionById(id: SectionId): Section {
  const found = SECTIONS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown section ${id}`);
  return found;
}
