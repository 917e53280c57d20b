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
  BrokenWhy,
  ContactNote,
  ContactText,
  DeadlineNote,
  EventReason,
  Event_Serialize as Event,
  FetchWhy,
  GateText,
  NextStepText,
  ProblemWhy,
  ProviderId,
  ProviderRun,
  ProviderWhy,
  Purpose,
  SourceProblem,
  UnverifiedWhy,
} from "../ipc";
import { m } from "../paraglide/messages";
import { providerLabel } from "../features/providers/labels";
import { longDate } from "./dates";
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

/**
 * What could not be checked while looking for contacts (the core's `ContactNote`). A date-only
 * `date` is read at noon UTC, which is the same calendar day in every time zone people live in.
 */
export const CONTACT_NOTE: Words<ContactNote> = {
  registrar_lookup_failed: () => m.contact_note_registrar_lookup_failed(),
  no_registry_service: (x) => m.contact_note_no_registry_service({ host: x.host }),
  registry_answer_invalid: (x) => m.contact_note_registry_answer_invalid({ domain: x.domain }),
  registrar_abuse_hidden: (x) => m.contact_note_registrar_abuse_hidden({ domain: x.domain }),
  registry_unreachable: () => m.contact_note_registry_unreachable(),
  registry_does_not_know: (x) => m.contact_note_registry_does_not_know({ host: x.host }),
  network_lookup_failed: () => m.contact_note_network_lookup_failed(),
  no_network_service: (x) => m.contact_note_no_network_service({ ip: x.ip }),
  network_abuse_missing: (x) => m.contact_note_network_abuse_missing({ ip: x.ip }),
  network_answer_invalid: (x) => m.contact_note_network_answer_invalid({ ip: x.ip }),
  network_does_not_know: (x) => m.contact_note_network_does_not_know({ ip: x.ip }),
  network_registry_unreachable: () => m.contact_note_network_registry_unreachable(),
  site_connection_failed: () => m.contact_note_site_connection_failed(),
  security_txt_expired: (x) => m.contact_note_security_txt_expired({ date: longDate(`${x.date}T12:00:00Z`) }),
  site_unreachable: () => m.contact_note_site_unreachable(),
  home_page_status: (x) => m.contact_note_home_page_status({ status: String(x.status) }),
  home_page_unreadable: () => m.contact_note_home_page_unreadable(),
  not_resolved: () => m.contact_note_not_resolved(),
  local_network_refused: (x) => m.contact_note_local_network_refused({ host: x.host }),
};

export const contactNote = (x: ContactNote): string => say(CONTACT_NOTE, x);

/** Why a provider did not search, or failed (the core's `ProviderWhy`). */
export const PROVIDER_WHY: Words<ProviderWhy> = {
  disabled: () => m.provider_why_disabled(),
  no_key: () => m.provider_why_no_key(),
  no_consent: () => m.provider_why_no_consent(),
  no_photo: () => m.provider_why_no_photo(),
  photo_refused: () => m.provider_why_photo_refused(),
  photo_unusable: () => m.provider_why_photo_unusable(),
  not_the_approved_image: () => m.provider_why_not_the_approved_image(),
  destination_changed: (x) => m.provider_why_destination_changed({ destination: x.destination }),
  bad_key: () => m.provider_why_bad_key(),
  no_credits: () => m.provider_why_no_credits(),
  rate_limited: () => m.provider_why_rate_limited(),
  unavailable: (x) => m.provider_why_unavailable({ status: String(x.status) }),
  rejected: (x) => m.provider_why_rejected({ status: String(x.status) }),
  search_failed: () => m.provider_why_search_failed(),
  bad_answer: () => m.provider_why_bad_answer(),
  timed_out: () => m.provider_why_timed_out(),
  unreachable: () => m.provider_why_unreachable(),
  cancelled: () => m.provider_why_cancelled(),
  other: () => m.provider_why_other(),
};

export const providerWhy = (x: ProviderWhy): string => say(PROVIDER_WHY, x);

/** "TinEye: skipped — you did not agree to send it your photo (nothing was sent)". */
export function providerRunText(run: Exclude<ProviderRun, { outcome: "ran" }>): string {
  return m.scan_provider_line({
    provider: providerLabel(run.provider).title,
    outcome: run.outcome === "skipped" ? m.scan_provider_skipped() : m.scan_provider_failed(),
    why: providerWhy(run.why),
  });
}

/**
 * A finding's or event's site in the window's language: the core names pictures found in a
 * folder "this computer" (search/findings/record.rs, `site_of`); every other site is a host name.
 */
export const siteName = (site: string): string => (site === "this computer" ? m.site_this_computer() : site);

type ReasonWords = { [C in EventReason["code"]]: (x: Extract<EventReason, { code: C }>, site: string) => string };

/** Why a monitoring event happened, with the site it is about (the core's `EventReason`). */
export const EVENT_REASON: ReasonWords = {
  new_picture: (_, site) => m.event_reason_new_picture({ site }),
  new_address: (_, site) => m.event_reason_new_address({ site }),
  back_at_same_address: (_, site) => m.event_reason_back_at_same_address({ site }),
  gone: (x, site) => m.event_reason_gone({ site, status: String(x.status) }),
  file_gone: (_, site) => m.event_reason_file_gone({ site }),
  no_image: (_, site) => m.event_reason_no_image({ site }),
  replaced: (_, site) => m.event_reason_replaced({ site }),
  image_changed: (_, site) => m.event_reason_image_changed({ site }),
  deadline_passed: (x, site) => {
    const passed = m.event_reason_deadline_passed({ recipient: x.recipient, date: longDate(`${x.due}T12:00:00Z`), site });
    return x.next ? `${passed} ${m.event_reason_deadline_next({ next: nextStepText(x.next) })}` : passed;
  },
  unreachable: (x, site) => {
    const failed = m.event_reason_unreachable({ count: x.failures, site });
    return x.why ? `${failed} ${m.event_reason_unreachable_why({ why: say(PROBLEM, x.why) })}` : failed;
  },
  monthly_limit: (x) => m.event_reason_monthly_limit({ count: x.max_per_month, provider: providerLabel(x.provider).title }),
};

/**
 * What an event says in the window's language, naming its site and reason; `null` for an event
 * recorded before the core kept them (the inbox then says it by its kind).
 */
export function eventReasonText(event: Pick<Event, "site" | "reason">): string | null {
  const reason = event.reason;
  if (!reason) return null;
  const site = siteName(event.site ?? "");
  if (!site && reason.code !== "monthly_limit") return null;
  return (EVENT_REASON[reason.code] as (x: EventReason, site: string) => string)(reason, site);
}

/** Why an address could not be fetched (the core's `FetchWhy`). */
export const FETCH_WHY: Words<FetchWhy> = {
  robots: () => m.fetch_why_robots(),
  local_network: () => m.fetch_why_local_network(),
  too_many_redirects: () => m.fetch_why_too_many_redirects(),
  too_large: () => m.fetch_why_too_large(),
  not_an_image: () => m.fetch_why_not_an_image(),
  http_status: (x) => m.fetch_why_http_status({ status: String(x.status) }),
  timeout: () => m.fetch_why_timeout(),
  unreachable: () => m.fetch_why_unreachable(),
  budget_exhausted: () => m.fetch_why_budget_exhausted(),
  rate_limited: () => m.fetch_why_rate_limited(),
  cancelled: () => m.fetch_why_cancelled(),
};

/** Why a service's result could not be checked on this computer (the core's `UnverifiedWhy`). */
export const UNVERIFIED_WHY: Words<UnverifiedWhy> = {
  not_a_url: () => m.unverified_why_not_a_url(),
  no_image_any_more: () => m.unverified_why_no_image_any_more(),
  not_fetched: (x) => say(FETCH_WHY, x.fetch),
  preview_not_base64: () => m.unverified_why_preview_not_base64(),
  preview_too_large: () => m.unverified_why_preview_too_large(),
  preview_invalid: () => m.unverified_why_preview_invalid(),
  no_image_named: () => m.unverified_why_no_image_named(),
  page_not_a_url: () => m.unverified_why_page_not_a_url(),
  page_not_fetched: (x) => m.unverified_why_page_not_fetched({ why: say(FETCH_WHY, x.fetch) }),
  page_has_no_image: () => m.unverified_why_page_has_no_image(),
  none_shows_you: (x) => {
    const none = m.unverified_why_none_shows_you({ total: x.total });
    return x.unreadable > 0 ? `${none} ${m.unverified_why_some_unreadable({ count: x.unreadable })}` : none;
  },
};

export const unverifiedWhy = (x: UnverifiedWhy): string => say(UNVERIFIED_WHY, x);

/** Why the audit log does not check out (the core's `BrokenWhy`). */
export const BROKEN_WHY: Words<BrokenWhy> = {
  renumbered: (x) => m.audit_why_renumbered({ expected: x.expected }),
  does_not_follow: () => m.audit_why_does_not_follow(),
  content_changed: () => m.audit_why_content_changed(),
  database_damaged: () => m.audit_why_database_damaged(),
};

export const brokenWhy = (x: BrokenWhy): string => say(BROKEN_WHY, x);
