import { vi } from "vitest";
import type {
  Advice_Serialize,
  AppInfo,
  AuditView_Serialize,
  CaseView_Serialize,
  CaseEvent_Serialize,
  ContactsFound_Serialize,
  EnrollmentView_Serialize,
  GateAnswer_Serialize,
  Identity_Deserialize,
  Ipc,
  LetterKind,
  LetterPreview_Serialize,
  Overview,
  PhotoCheck_Serialize,
  ProfileSummary,
  SavedLetter_Serialize,
  ScanEnded_Serialize,
  ScanProgress_Serialize,
  Entry,
  Settings,
  SiteLimits_Deserialize,
} from "../ipc";
import { openProfile } from "./profiles";

/** The typed settings as the Rust core gives them by default (`Settings::default`). */
export function typedSettings(): Settings {
  return {
    theme: "system",
    language: "system",
    auto_lock_minutes: 10,
    previews: "blurred",
    quick_exit_double_escape: true,
    rdap_bootstrap_base: "https://data.iana.org/rdap/",
    network_proxy: "",
    monitor_in_window: true,
    monitor_when_closed: false,
    start_at_login: false,
    notifications_enabled: true,
    notifications_detail: false,
    notifications_quiet_from: 22,
    notifications_quiet_to: 7,
  };
}

/** Settings as the Rust core lists them by default (kept small; shapes follow bindings.ts). */
export function defaultSettings(): Entry[] {
  return [
    {
      key: "theme",
      label: "Theme",
      advanced: false,
      value: "system",
      default: "system",
      is_default: true,
      help: "Colour theme of the window.",
      input: { type: "choice", options: ["system", "light", "dark"] },
    },
    {
      key: "language",
      label: "Language",
      advanced: false,
      value: "system",
      default: "system",
      is_default: true,
      help: "Language of the window.",
      input: { type: "choice", options: ["system", "en", "es"] },
    },
    {
      key: "auto_lock_minutes",
      label: "Lock after this many idle minutes",
      advanced: false,
      value: "10",
      default: "10",
      is_default: true,
      help: "Lock every open profile after this many minutes without use.",
      input: { type: "integer", min: 1, max: 1440 },
    },
    {
      key: "quick_exit.double_escape",
      label: "Esc pressed twice hides Takeback",
      advanced: false,
      value: "true",
      default: "true",
      is_default: true,
      help: "Pressing Esc twice hides the window.",
      input: { type: "bool" },
    },
    {
      key: "rdap.bootstrap_base",
      label: "RDAP bootstrap address",
      advanced: true,
      value: "https://data.iana.org/rdap/",
      default: "https://data.iana.org/rdap/",
      is_default: true,
      help: "Where the bootstrap files are read from.",
      input: { type: "url" },
    },
  ];
}

export const appInfo: AppInfo = {
  version: "0.1.0",
  data_dir: "/tmp/takeback-test",
  dev_build: true,
  limits: { max_photo_bytes: 64 * 1024 * 1024, min_passphrase_chars: 12 },
};

/** A stand-in for the IPC facade with the same method names, as vi.fn()s. */
export function createFakeIpc() {
  return {
    appInfo: vi.fn(async () => appInfo),
    quickExit: vi.fn(async () => null),
    copyPrivateText: vi.fn(async (_text: string) => null),
    overview: vi.fn(
      async (): Promise<Overview> => ({
        enrolled: 0,
        sources: 0,
        to_review: 0,
        confirmed: 0,
        drafts: 0,
        open_cases: 0,
        overdue: 0,
      }),
    ),
    listSettings: vi.fn(async () => defaultSettings()),
    settings: vi.fn(async () => typedSettings()),
    setSetting: vi.fn(async (_key: string, value: string) => value),
    onWindowReopened: vi.fn(async (_handler: () => void) => () => {}),
    onProfilesLocked: vi.fn(async (_handler: (e: { ids: string[]; minutes: number }) => void) => () => {}),
    listProfiles: vi.fn(async (): Promise<ProfileSummary[]> => [openProfile()]),
    createProfile: vi.fn(async (name: string, _lock: unknown) => openProfile({ name })),
    unlockProfile: vi.fn(async (name: string, _passphrase: string | null) => openProfile({ name })),
    lockProfile: vi.fn(async (_id: string) => true),
    lockAllProfiles: vi.fn(async () => 1),
    keepAlive: vi.fn(async () => null),
    changePassphrase: vi.fn(async (_n: string, _o: string, _p: string) => null),
    rekeyProfile: vi.fn(async (_n: string, _p: string | null, _q: string | null) => null as never),
    deleteProfile: vi.fn(async (_n: string, _c: string, _p: string | null) => null),
    checkEnrollmentPhoto: vi.fn(
      async (_b64: string): Promise<PhotoCheck_Serialize> => ({
        token: "t1",
        problem: null,
        faces: [{ x: 10, y: 10, width: 50, height: 50 }],
        width: 100,
        height: 100,
      }),
    ),
    discardEnrollmentPhoto: vi.fn(async (_t: string) => null),
    enrollPhotos: vi.fn(async (tokens: string[], _a: string | null) => ({ added: tokens.length, total: tokens.length })),
    getEnrollment: vi.fn(async (): Promise<EnrollmentView_Serialize> => ({ photos: [], consents: [], max_photos: 10 })),
    referencePhotoPreview: vi.fn(async (_id: number) => ({ data_url: "data:image/jpeg;base64,", face: null, width: 1, height: 1 })),
    removeReferencePhoto: vi.fn(async (_id: number) => null),
    checkPhoto: vi.fn(
      async (_b64: string, _attest: boolean): Promise<GateAnswer_Serialize> => ({
        allowed: false,
        decision: "no_match",
        distance: 0.8,
        threshold: 0.5,
        decisive: { x: 10, y: 10, width: 50, height: 50 },
        faces: [{ x: 10, y: 10, width: 50, height: 50 }],
        owner_faces: [false],
        width: 100,
        height: 100,
        message: "This face is not the enrolled person's.",
        says: { code: "no_match", faces: 1 },
        audit_seq: 3,
      }),
    ),
    getIdentity: vi.fn(async (): ReturnType<Ipc["getIdentity"]> => null),
    setIdentity: vi.fn(
      async (identity: Identity_Deserialize): ReturnType<Ipc["setIdentity"]> => ({
        name: identity.name,
        email: identity.email,
        postal: identity.postal ?? null,
        phone: identity.phone ?? null,
        country: identity.country ?? null,
        representative: null,
      }),
    ),
    openUrl: vi.fn(async (_url: string) => {}),
    chooseSavePath: vi.fn(async (defaultPath: string, _label: string, _ext: string): Promise<string | null> => defaultPath),
    findContacts: vi.fn(
      async (_url: string, _visit: boolean, _kind: LetterKind): Promise<ContactsFound_Serialize> => ({
        host: "example.net",
        contacts: [],
        notes: [],
        recommended: null,
        organisations: [],
      }),
    ),
    adviseLetters: vi.fn(
      async (_facts: unknown): Promise<Advice_Serialize> => ({ routes: [], excluded: [], warnings: [], warning_codes: [], minor: null }),
    ),
    draftLetter: vi.fn(
      async (_input: unknown): Promise<LetterPreview_Serialize> => ({
        subject: "Removal request",
        body: "Dear team,\n\nPlease remove the image.",
        recipient_name: "Abuse team",
        recipient_address: null,
        signer: "Sam",
        missing: [],
      }),
    ),
    suggestLetterPath: vi.fn(async (kind: string, format: string) => `/home/sam/Documents/Takeback letters/${kind}.${format}`),
    saveLetter: vi.fn(
      async (_i: unknown, _f: string, path: string, _o: boolean, caseId: number | null): Promise<SavedLetter_Serialize> => ({
        case_id: caseId ?? 1,
        path,
        bytes: 2048,
        to: null,
        subject: "Removal request",
      }),
    ),
    listCases: vi.fn(async (): Promise<CaseView_Serialize[]> => []),
    caseTimeline: vi.fn(async (_id: number): Promise<CaseEvent_Serialize[]> => []),
    caseLetterText: vi.fn(async (_id: number) => "Subject: Removal request"),
    markCaseSent: vi.fn(async (_id: number): Promise<CaseView_Serialize> => {
      throw new Error("not set up");
    }),
    setCaseState: vi.fn(async (_id: number, _next: string, _note: string | null): Promise<CaseView_Serialize> => {
      throw new Error("not set up");
    }),
    listSources: vi.fn(async (): ReturnType<Ipc["listSources"]> => []),
    addSiteSource: vi.fn(
      async (url: string, limits: SiteLimits_Deserialize): ReturnType<Ipc["addSiteSource"]> => ({
        id: 1,
        added_at: "2026-11-26T10:00:00Z",
        kind: "site",
        url,
        max_depth: limits.max_depth ?? 2,
        max_pages: limits.max_pages ?? 200,
        interval_ms: 500,
        every: "1d",
      }),
    ),
    addFolderSource: vi.fn(
      async (path: string): ReturnType<Ipc["addFolderSource"]> => ({
        id: 2,
        added_at: "2026-11-26T10:00:00Z",
        kind: "folder",
        path,
        every: "1d",
      }),
    ),
    removeSource: vi.fn(async (_id: number): ReturnType<Ipc["removeSource"]> => {
      throw new Error("not set up");
    }),
    listProviders: vi.fn(async (): ReturnType<Ipc["listProviders"]> => []),
    configureProvider: vi.fn(async (_p: string, _u: string | null, _e: boolean | null) => null),
    setProviderKey: vi.fn(async (_p: string, _k: string) => null),
    deleteProviderKey: vi.fn(async (_p: string) => null),
    registerPhoto: vi.fn(
      async (_b64: string, attest: boolean): ReturnType<Ipc["registerPhoto"]> => ({
        id: 1,
        sha256: "cd".repeat(32),
        pdq: null,
        attested_no_face: attest,
        created: true,
      }),
    ),
    listRegisteredPhotos: vi.fn(async (): ReturnType<Ipc["listRegisteredPhotos"]> => []),
    providerPreview: vi.fn(async (_id: number, _p: string): ReturnType<Ipc["providerPreview"]> => {
      throw new Error("not set up");
    }),
    consentToProvider: vi.fn(async (_id: number, _p: string) => null),
    consentedProviders: vi.fn(async (): ReturnType<Ipc["consentedProviders"]> => []),
    scanHistory: vi.fn(async (): ReturnType<Ipc["scanHistory"]> => ({ jobs: [], resumable: null, running: false })),
    startScan: vi.fn(async (_s: number[], _p: string[], _photo: number | null) => null),
    resumeScan: vi.fn(async (_id: number) => null),
    cancelScan: vi.fn(async () => true),
    listFindings: vi.fn(async (_status: string | null): ReturnType<Ipc["listFindings"]> => []),
    findingThumbnail: vi.fn(async (_id: number): ReturnType<Ipc["findingThumbnail"]> => "data:image/jpeg;base64,AAAA"),
    confirmFinding: vi.fn(async (_id: number): ReturnType<Ipc["confirmFinding"]> => {
      throw new Error("not set up");
    }),
    dismissFinding: vi.fn(async (_id: number): ReturnType<Ipc["dismissFinding"]> => {
      throw new Error("not set up");
    }),
    recheckFindings: vi.fn(async (): ReturnType<Ipc["recheckFindings"]> => []),
    findingHistory: vi.fn(async (_id: number): ReturnType<Ipc["findingHistory"]> => []),
    runMonitoring: vi.fn(
      async (_force: boolean): ReturnType<Ipc["runMonitoring"]> => ({
        ran: true,
        skipped_reason: null,
        cycle: null,
        resumed: false,
        sources_visited: [],
        source_problems: [],
        findings_rechecked: 0,
        providers_queried: [],
        cases_checked: 0,
        events: [],
      }),
    ),
    monitorStatus: vi.fn(
      async (): ReturnType<Ipc["monitorStatus"]> => ({
        running: false,
        background: "window_only_passphrase",
        last_cycle: null,
        next_due: null,
        sources: [],
        recheck: { every: "1d", findings: 0, next_due: null, due_now: 0 },
        removed_watch: { every: "7d", findings: 0, next_due: null, due_now: 0 },
        removed_watch_days: 90,
        cases: [],
        providers: [],
        unread_events: 0,
      }),
    ),
    listEvents: vi.fn(async (_unreadOnly: boolean): ReturnType<Ipc["listEvents"]> => []),
    markEventsRead: vi.fn(async (_id: number | null): ReturnType<Ipc["markEventsRead"]> => 0),
    suggestEvidencePaths: vi.fn(async () => ({
      wacz: "/home/sam/Documents/Takeback evidence/evidence.wacz",
      report: "/home/sam/Documents/Takeback evidence/evidence.pdf",
    })),
    previewEvidenceReport: vi.fn(async (_ids: number[] | null, _p: string): Promise<string[]> => ["Evidence report"]),
    exportEvidence: vi.fn(async (): ReturnType<Ipc["exportEvidence"]> => {
      throw new Error("not set up");
    }),
    suggestBundlePath: vi.fn(async () => "/home/sam/Documents/Takeback hand-off/case.age"),
    giveCaseToClient: vi.fn(async (): ReturnType<Ipc["giveCaseToClient"]> => {
      throw new Error("not set up");
    }),
    importCase: vi.fn(async (): ReturnType<Ipc["importCase"]> => {
      throw new Error("not set up");
    }),
    onScanProgress: vi.fn(async (_h: (p: ScanProgress_Serialize) => void) => () => {}),
    onScanEnded: vi.fn(async (_h: (e: ScanEnded_Serialize) => void) => () => {}),
    onMonitoringFinished: vi.fn(async (_h: (events: number) => void) => () => {}),
    getAuditLog: vi.fn(
      async (_limit: number): Promise<AuditView_Serialize> => ({
        intact: true,
        anchor: { state: "unanchored" },
        total: 0,
        first_broken: null,
        broken_reason: null,
        broken_why: null,
        head: "0".repeat(64),
        entries: [],
      }),
    ),
  };
}
