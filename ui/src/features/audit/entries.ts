/** Plain words for audit entries: the action the core recorded, and its JSON detail in one line. */
import { m } from "../../paraglide/messages";

const ACTIONS: Record<string, () => string> = {
  "profile.created": m.audit_profile_created,
  "profile.passphrase_changed": m.audit_profile_passphrase_changed,
  "enrollment.consent": m.audit_enrollment_consent,
  "enrollment.added": m.audit_enrollment_added,
  "enrollment.removed": m.audit_enrollment_removed,
  "gate.decision": m.audit_gate_decision,
  "photo.registered": m.audit_photo_registered,
  "provider.consent": m.audit_provider_consent,
  "provider.search": m.audit_provider_search,
  "source.added": m.audit_source_added,
  "source.removed": m.audit_source_removed,
  "scan.started": m.audit_scan_started,
  "scan.resumed": m.audit_scan_resumed,
  "finding.confirmed": m.audit_finding_confirmed,
  "finding.dismissed": m.audit_finding_dismissed,
  "finding.evidence_captured": m.audit_finding_evidence_captured,
  "finding.rechecked": m.audit_finding_rechecked,
  "letter.drafted": m.audit_letter_drafted,
  "letter.saved": m.audit_letter_saved,
  "case.sent": m.audit_case_sent,
  "case.updated": m.audit_case_updated,
  "settings.endpoint_changed": m.audit_settings_endpoint_changed,
  "provider.standing_consent": m.audit_provider_standing_consent,
  "provider.standing_consent_revoked": m.audit_provider_standing_consent_revoked,
  "evidence.exported": m.audit_evidence_exported,
  "bundle.exported": m.audit_bundle_exported,
  "bundle.imported": m.audit_bundle_imported,
};

/** Detail keys in words; keys not listed are shown as recorded, underscores as spaces. */
const KEYS: Record<string, () => string> = {
  job: m.audit_key_job,
  case_id: m.audit_key_case_id,
  face_id: m.audit_key_face_id,
  consent_id: m.audit_key_consent_id,
  photo_count: m.audit_key_photo_count,
  findings: m.audit_key_findings,
  attested_by: m.audit_key_attested_by,
  attested_shows_me: m.audit_key_attested_shows_me,
};

/** Long values (fingerprints, lists) are cut so the Details column never runs off the page. */
const MAX_VALUE = 40;

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? m.audit_none() : v.map((x) => valueText(x)).join(", ");
  const text = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** "Photo checked against your face"; an action this window has no words for is shown as recorded. */
export const actionLabel = (action: string): string => ACTIONS[action]?.() ?? action;

/** "no match · refused · difference 0.81" for a gate decision, else "key: value · …"; raw text if not JSON. */
export function detailSummary(detail: string): string {
  try {
    const d = JSON.parse(detail) as Record<string, unknown>;
    if ("decision" in d) {
      const decision = String(d.decision).replaceAll("_", " ");
      return `${decision}${d.allowed ? m.audit_allowed() : m.audit_refused()}${typeof d.distance === "number" ? m.audit_difference({ distance: d.distance.toFixed(2) }) : ""}`;
    }
    return Object.entries(d)
      .map(([k, v]) => `${KEYS[k]?.() ?? k.replaceAll("_", " ")}: ${valueText(v)}`)
      .join(" · ");
  } catch {
    return detail;
  }
}
