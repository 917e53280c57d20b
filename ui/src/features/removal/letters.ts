/**
 * Plain words for the kinds of letter the core can write, read in the window's language when
 * used (getters). The letters themselves stay in English, their legal language: `KIND_SUMMARIES`
 * says in the window's language what each kind says.
 */
import type { Contact_Serialize, LetterKind } from "../../ipc";
import { m } from "../../paraglide/messages";

export const KIND_LABELS: Record<LetterKind, string> = {
  get dmca() { return m.kind_dmca(); },
  get takeitdown() { return m.kind_takeitdown(); },
  get gdpr() { return m.kind_gdpr(); },
  get dsa() { return m.kind_dsa(); },
  get ukosa() { return m.kind_ukosa(); },
  get delisting() { return m.kind_delisting(); },
  get abuse() { return m.kind_abuse(); },
};

/** What a letter of each kind says, in one or two sentences. */
export const KIND_SUMMARIES: Record<LetterKind, string> = {
  get dmca() { return m.summary_dmca(); },
  get takeitdown() { return m.summary_takeitdown(); },
  get gdpr() { return m.summary_gdpr(); },
  get dsa() { return m.summary_dsa(); },
  get ukosa() { return m.summary_ukosa(); },
  get delisting() { return m.summary_delisting(); },
  get abuse() { return m.summary_abuse(); },
};

/** Who a contact is, in plain words. */
export const ROLE_LABELS: Record<Contact_Serialize["role"], string> = {
  get abuse() { return m.role_abuse(); },
  get registrar() { return m.role_registrar(); },
  get operator() { return m.role_operator(); },
  get "dmca-agent"() { return m.role_dmca_agent(); },
  get form() { return m.role_form(); },
};

/** Where a contact was found, in plain words. */
export const SOURCE_LABELS: Record<Contact_Serialize["source"], string> = {
  get rdap() { return m.source_rdap(); },
  get "security.txt"() { return m.source_security_txt(); },
  get page() { return m.source_page(); },
  get directory() { return m.source_directory(); },
};
