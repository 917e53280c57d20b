import type { ProfileSummary } from "../ipc";

/** An open personal profile, as the core lists it. */
export function openProfile(over: Partial<ProfileSummary> = {}): ProfileSummary {
  return {
    id: "p1",
    name: "Sam",
    kind: "personal",
    created_at: "2026-11-26T10:00:00Z",
    unlocked: true,
    active: true,
    ...over,
  };
}
