/** Plain words for the kinds of letter the core can write. */
import type { Contact_Serialize, LetterKind } from "../../ipc";

export const KIND_LABELS: Record<LetterKind, string> = {
  dmca: "Copyright notice (DMCA)",
  takeitdown: "TAKE IT DOWN Act request (US, 48 hours)",
  gdpr: "Data-protection erasure request (GDPR)",
  dsa: "Illegal content notice (EU Digital Services Act)",
  ukosa: "Intimate image report (UK Online Safety Act, 48 hours)",
  delisting: "Search-engine delisting request",
  abuse: "Abuse report to the host",
};

/** Who a contact is, in plain words. */
export const ROLE_LABELS: Record<Contact_Serialize["role"], string> = {
  abuse: "the company hosting the site",
  registrar: "the company the site's name is registered with",
  operator: "the people who run the site",
  "dmca-agent": "their copyright agent",
  form: "web form",
};

/** Where a contact was found, in plain words. */
export const SOURCE_LABELS: Record<Contact_Serialize["source"], string> = {
  rdap: "the public registry of who runs each domain and network",
  "security.txt": "the site's contact file for security problems",
  page: "the site's own pages",
  directory: "Takeback's list of platforms' removal channels",
};
