/** Plain words for audit entries: the action the core recorded, and its JSON detail in one line. */

const ACTIONS: Record<string, string> = {
  "profile.created": "Profile created",
  "profile.passphrase_changed": "Passphrase changed",
  "enrollment.consent": "Consent recorded",
  "enrollment.added": "Reference photo added",
  "enrollment.removed": "Reference photo removed",
  "gate.decision": "Photo checked against your face",
  "finding.evidence_captured": "Evidence captured",
  "evidence.exported": "Evidence exported",
  "bundle.exported": "Case handed over (encrypted file written)",
  "bundle.imported": "Case imported",
};

/** "Photo checked against your face"; an action this window has no words for is shown as recorded. */
export const actionLabel = (action: string): string => ACTIONS[action] ?? action;

/** "no match · refused · difference 0.81" for a gate decision, else "key: value · …"; raw text if not JSON. */
export function detailSummary(detail: string): string {
  try {
    const d = JSON.parse(detail) as Record<string, unknown>;
    if ("decision" in d) {
      const decision = String(d.decision).replaceAll("_", " ");
      return `${decision}${d.allowed ? " · allowed" : " · refused"}${typeof d.distance === "number" ? ` · difference ${d.distance.toFixed(2)}` : ""}`;
    }
    return Object.entries(d)
      .map(([k, v]) => `${k.replaceAll("_", " ")}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(" · ");
  } catch {
    return detail;
  }
}
