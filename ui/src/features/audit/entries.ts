/** Plain words for audit entries: the action the core recorded, and its JSON detail in one line. */

const ACTIONS: Record<string, string> = {
  "profile.created": "Profile created",
  "profile.passphrase_changed": "Passphrase changed",
  "enrollment.consent": "Consent recorded",
  "enrollment.added": "Reference photo added",
  "enrollment.removed": "Reference photo removed",
  "gate.decision": "Photo checked against your face",
  "photo.registered": "Photo kept to search with",
  "provider.consent": "Search service approved",
  "provider.search": "Photo sent to a search service",
  "source.added": "Site or folder added",
  "source.removed": "Site or folder removed",
  "scan.started": "Scan started",
  "scan.resumed": "Scan resumed",
  "finding.confirmed": "Finding confirmed as you",
  "finding.dismissed": "Finding marked not you",
  "finding.evidence_captured": "Evidence kept",
  "finding.rechecked": "Finding checked again",
  "letter.drafted": "Letter saved, case opened",
  "letter.saved": "Letter saved again",
  "case.sent": "Marked as sent",
  "case.updated": "Case updated",
  "settings.endpoint_changed": "Address of a service changed",
  "provider.standing_consent": "Monitoring allowed to search a service",
  "provider.standing_consent_revoked": "Monitoring no longer searches a service",
  "evidence.exported": "Evidence exported",
  "bundle.exported": "Case handed over (encrypted file written)",
  "bundle.imported": "Case imported",
};

/** Detail keys in words; keys not listed are shown as recorded, underscores as spaces. */
const KEYS: Record<string, string> = {
  job: "scan",
  case_id: "case",
  face_id: "reference photo",
  consent_id: "consent",
  photo_count: "photos",
  findings: "findings",
  attested_by: "confirmed by",
  attested_shows_me: "you confirmed it shows you",
};

/** Long values (fingerprints, lists) are cut so the Details column never runs off the page. */
const MAX_VALUE = 40;

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "none" : v.map((x) => valueText(x)).join(", ");
  const text = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

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
      .map(([k, v]) => `${KEYS[k] ?? k.replaceAll("_", " ")}: ${valueText(v)}`)
      .join(" · ");
  } catch {
    return detail;
  }
}
