/**
 * The window's words for the sentences the core writes. The core sends each one as a stable code
 * with its parameters beside its English text (which the CLI prints); the window says it from its
 * own catalogue, so a Spanish page holds no English sentence. Every map is a `Record` over the
 * code type generated from Rust: a new code without words here fails the type check, and
 * `coreText.test.ts` checks each has words in every language.
 */
import type {
  AdviceText,
  Basis,
  ContactText,
  DeadlineNote,
  GateText,
  NextStepText,
  ProblemWhy,
  ProviderId,
  Purpose,
  SourceProblem,
} from "../ipc";
import { m } from "../paraglide/messages";
import { formatCount } from "./intl";

type Words<T extends { code: string }> = { [C in T["code"]]: (x: Extract<T, { code: C }>) => string };

const law = (regime: "eu" | "uk") => (regime === "uk" ? m.advice_law_uk() : m.advice_law_eu());

export const ADVICE: Words<AdviceText> = {
  save_evidence: () => m.advice_text_save_evidence(),
  never_send_image: () => m.advice_text_never_send_image(),
  send_once: () => m.advice_text_send_once(),
  minor_specialists: () => m.advice_text_minor_specialists(),
  tida_fits: () => m.advice_text_tida_fits(),
  tida_intimate_only: () => m.advice_text_tida_intimate_only(),
  tida_not_us: () => m.advice_text_tida_not_us(),
  tida_scope: () => m.advice_text_tida_scope(),
  osa_fits: () => m.advice_text_osa_fits(),
  osa_commencement: () => m.advice_text_osa_commencement(),
  gdpr_fits: (x) =>
    x.intimate ? m.advice_text_gdpr_fits_intimate({ law: law(x.regime) }) : m.advice_text_gdpr_fits_personal({ law: law(x.regime) }),
  gdpr_proof: () => m.advice_text_gdpr_proof(),
  gdpr_needs_link: () => m.advice_text_gdpr_needs_link(),
  dsa_fits: () => m.advice_text_dsa_fits(),
  dsa_follow_up: () => m.advice_text_dsa_follow_up(),
  dmca_fits: () => m.advice_text_dmca_fits(),
  dmca_someone_else: () => m.advice_text_dmca_someone_else(),
  dmca_unknown: () => m.advice_text_dmca_unknown(),
  perjury: () => m.advice_text_perjury(),
  lumen: () => m.advice_text_lumen(),
  counter_notice: () => m.advice_text_counter_notice(),
  representative: () => m.advice_text_representative(),
  abuse_fits: () => m.advice_text_abuse_fits(),
  cdn_forwards: () => m.advice_text_cdn_forwards(),
  delisting_fits: () => m.advice_text_delisting_fits(),
  delisting_hides_only: () => m.advice_text_delisting_hides_only(),
  delisting_no_right: () => m.advice_text_delisting_no_right(),
};

export const PROBLEM: Words<ProblemWhy> = {
  offline: () => m.problem_why_offline(),
  unreachable: () => m.problem_why_unreachable(),
  timed_out: () => m.problem_why_timed_out(),
  refused_by_robots: () => m.problem_why_refused_by_robots(),
  http_error: (x) => m.problem_why_http_error({ status: String(x.status) }),
  not_a_web_page: () => m.problem_why_not_a_web_page(),
  local_network: () => m.problem_why_local_network(),
  bad_address: () => m.problem_why_bad_address(),
  folder_missing: () => m.problem_why_folder_missing(),
  folder_not_allowed: () => m.problem_why_folder_not_allowed(),
  folder_unreadable: () => m.problem_why_folder_unreadable(),
};

export const GATE: Words<GateText> = {
  not_enrolled: () => m.gate_says_not_enrolled(),
  minor: () => m.gate_says_minor(),
  attested_no_face: () => m.gate_says_attested_no_face(),
  no_face_can_attest: () => m.gate_says_no_face_can_attest(),
  no_face: () => m.gate_says_no_face(),
  match: (x) => (x.faces > 1 ? m.gate_says_match_group({ count: formatCount(x.faces) }) : m.gate_says_match()),
  no_match: (x) => (x.faces > 1 ? m.gate_says_no_match_group({ count: formatCount(x.faces) }) : m.gate_says_no_match()),
};

export const DEADLINE_NOTE: Words<DeadlineNote> = {
  hours48: () => m.deadline_note_hours48(),
  one_month: () => m.deadline_note_one_month(),
  paused_days: (x) => m.deadline_note_paused_days({ days: x.days }),
  extended_two_months: () => m.deadline_note_extended_two_months(),
  extension_too_late: () => m.deadline_note_extension_too_late(),
  counter_notice: () => m.deadline_note_counter_notice(),
  no_deadline_three_days: () => m.deadline_note_no_deadline_three_days(),
  no_deadline_seven_days: () => m.deadline_note_no_deadline_seven_days(),
};

const REGULATOR: Record<Basis, () => string> = {
  tida_48h: m.next_step_regulator_tida,
  uk_osa_48h: m.next_step_regulator_uk,
  uk_gdpr_1m: m.next_step_regulator_uk,
  gdpr_1m: m.next_step_regulator_gdpr,
  dsa_none: m.next_step_regulator_dsa,
  counter_notice_10_14bd: m.next_step_regulator_counter_notice,
  dmca_none: m.next_step_regulator_other,
  abuse_none: m.next_step_regulator_other,
  policy_none: m.next_step_regulator_other,
};

export const NEXT_STEP: Words<NextStepText> = {
  write_to_host: () => m.next_step_write_to_host(),
  write_to_registrar: () => m.next_step_write_to_registrar(),
  ask_delisting: () => m.next_step_ask_delisting(),
  regulator: (x) => REGULATOR[x.basis](),
};

/** What each search service receives, and what it says it keeps (the core's disclosures). */
export const PROVIDER_SENT: Record<ProviderId, () => string> = {
  tineye: m.provider_sent_tineye,
  "google-vision": m.provider_sent_google_vision,
  "serpapi-lens": m.provider_sent_serpapi_lens,
  facecheck: m.provider_sent_facecheck,
};

export const PROVIDER_KEPT: Record<ProviderId, () => string> = {
  tineye: m.provider_kept_tineye,
  "google-vision": m.provider_kept_google_vision,
  "serpapi-lens": m.provider_kept_serpapi_lens,
  facecheck: m.provider_kept_facecheck,
};

function say<T extends { code: string }>(words: Words<T>, x: T): string {
  return (words[x.code as T["code"]] as (x: T) => string)(x);
}

export const adviceText = (x: AdviceText): string => say(ADVICE, x);
export const gateText = (x: GateText): string => say(GATE, x);
export const deadlineNote = (x: DeadlineNote): string => say(DEADLINE_NOTE, x);
export const nextStepText = (x: NextStepText): string => say(NEXT_STEP, x);

/** "Nothing was checked on forum.example: the site could not be reached…" */
export function problemText(problem: SourceProblem): string {
  const where = problem.kind === "folder" ? m.problem_nothing_in({ place: problem.place }) : m.problem_nothing_on({ place: problem.place });
  return `${where} ${say(PROBLEM, problem.why)}`;
}

const PURPOSE: Record<Purpose, () => string> = {
  ncii: m.contact_purpose_ncii,
  privacy: m.contact_purpose_privacy,
  copyright: m.contact_purpose_copyright,
  takeitdown: m.contact_purpose_takeitdown,
  legal: m.contact_purpose_legal,
  gdpr: m.contact_purpose_gdpr,
  delisting: m.contact_purpose_delisting,
  abuse: m.contact_purpose_abuse,
};

/** Who a contact is, or null when only the core's English says it (`other`). */
export const CONTACT: Words<ContactText> = {
  directory: (x) => m.contact_directory({ platform: x.platform, purpose: PURPOSE[x.purpose]() }),
  host: (x) => (x.name ? m.contact_host_named({ name: x.name }) : m.contact_host()),
  registrar: (x) => (x.name ? m.contact_registrar_named({ name: x.name }) : m.contact_registrar()),
  published_email: () => m.contact_published_email(),
  own_page: () => m.contact_own_page(),
  security_contact: (x) => (x.no_expiry ? m.contact_security_no_expiry() : m.contact_security()),
  other: () => "",
};

/** A contact's description in the window's language; `null` for one only the core describes. */
export function contactText(x: ContactText): string | null {
  return x.code === "other" ? null : say(CONTACT, x);
}
