/** Plain words for the kinds of letter the core can write. */
import type { LetterKind } from "../../ipc";

export const KIND_LABELS: Record<LetterKind, string> = {
  dmca: "Copyright notice (DMCA)",
  takeitdown: "TAKE IT DOWN Act request (US, 48 hours)",
  gdpr: "Data-protection erasure request (GDPR)",
  dsa: "Illegal content notice (EU Digital Services Act)",
  ukosa: "Intimate image report (UK Online Safety Act, 48 hours)",
  delisting: "Search-engine delisting request",
  abuse: "Abuse report to the host",
};
