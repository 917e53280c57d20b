/**
 * The only door between the window and Rust. Components import from here, never from
 * `@tauri-apps/*` (a lint rule enforces it), so tests can replace this one module.
 *
 * `bindings.ts` is generated from the Rust commands; this facade turns their `Result` values into
 * plain promises that reject with an {@link IpcFailure} carrying the stable error code.
 */
import {
  commands,
  events,
  type CaseState,
  type LetterOrder_Deserialize,
  type Facts_Deserialize,
  type FindingStatus,
  type ProviderId,
  type ScanEnded_Serialize,
  type ScanProgress_Serialize,
  type SiteLimits_Deserialize,
  type Identity_Deserialize,
  type IpcError,
  type LetterFormat,
  type LetterKind,
  type NewProfileLock,
  type Pictures,
  type ProfilesLocked,
} from "./bindings";
import { openUrl as openInBrowser } from "@tauri-apps/plugin-opener";
import { save as saveDialog } from "@tauri-apps/plugin-dialog";

type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

/**
 * Every type the core sends or accepts, under the name tauri-specta generated for it, so nothing
 * here has to follow a change on the Rust side. Where serde reads and writes a type differently,
 * `X_Serialize` is what the core sends and `X_Deserialize` what it accepts.
 */
export type * from "./bindings";

/** A failed command: `code` is stable (switch on it), `message` is written for people. */
export class IpcFailure extends Error {
  readonly code: IpcError["code"];

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.code = error.code;
  }
}

function unwrap<T>(result: Result<T, IpcError>): T {
  if (result.status === "ok") return result.data;
  throw new IpcFailure(result.error);
}

export const ipc = {
  /** Opens an https page (a removal form, a help service) in the person's own browser. */
  openUrl: (url: string) => openInBrowser(url),
  /** The system's Save dialog; resolves to the chosen path, or null when cancelled. */
  chooseSavePath: (defaultPath: string, label: string, extension: string) =>
    saveDialog({ defaultPath, filters: [{ name: label, extensions: [extension] }] }),
  appInfo: () => commands.getAppInfo(),
  quickExit: async () => unwrap(await commands.quickExit()),
  copyPrivateText: async (text: string) => unwrap(await commands.copyPrivateText(text)),
  overview: async () => unwrap(await commands.getOverview()),
  listSettings: async () => unwrap(await commands.listSettings()),
  settings: async () => unwrap(await commands.getSettings()),
  setSetting: async (key: string, value: string) => unwrap(await commands.setSetting(key, value)),

  listProfiles: async () => unwrap(await commands.listProfiles()),
  createProfile: async (name: string, lock: NewProfileLock) => unwrap(await commands.createProfile(name, lock)),
  /** `passphrase` is null for a personal profile (its key is in the system keyring). */
  unlockProfile: async (name: string, passphrase: string | null) =>
    unwrap(await commands.unlockProfile(name, passphrase)),
  lockProfile: async (id: string) => unwrap(await commands.lockProfile(id)),
  lockAllProfiles: async () => unwrap(await commands.lockAllProfiles()),
  keepAlive: async () => unwrap(await commands.keepAlive()),
  changePassphrase: async (name: string, oldPassphrase: string, newPassphrase: string) =>
    unwrap(await commands.changePassphrase(name, oldPassphrase, newPassphrase)),
  rekeyProfile: async (name: string, passphrase: string | null, newPassphrase: string | null) =>
    unwrap(await commands.rekeyProfile(name, passphrase, newPassphrase)),
  deleteProfile: async (name: string, confirmName: string, passphrase: string | null) =>
    unwrap(await commands.deleteProfile(name, confirmName, passphrase)),

  checkEnrollmentPhoto: async (imageBase64: string) => unwrap(await commands.checkEnrollmentPhoto(imageBase64)),
  discardEnrollmentPhoto: async (token: string) => unwrap(await commands.discardEnrollmentPhoto(token)),
  /** `advocateName` is null when the owner attests for themselves. */
  enrollPhotos: async (tokens: string[], advocateName: string | null) =>
    unwrap(await commands.enrollPhotos(tokens, advocateName)),
  getEnrollment: async () => unwrap(await commands.getEnrollment()),
  referencePhotoPreview: async (id: number) => unwrap(await commands.referencePhotoPreview(id)),
  removeReferencePhoto: async (id: number) => unwrap(await commands.removeReferencePhoto(id)),

  checkPhoto: async (imageBase64: string, attestShowsMe: boolean) =>
    unwrap(await commands.checkPhoto(imageBase64, attestShowsMe)),
  getAuditLog: async (limit: number) => unwrap(await commands.getAuditLog(limit)),

  getIdentity: async () => unwrap(await commands.getIdentity()),
  setIdentity: async (identity: Identity_Deserialize) => unwrap(await commands.setIdentity(identity)),
  findContacts: async (url: string, visitSite: boolean, kind: LetterKind) =>
    unwrap(await commands.findContacts(url, visitSite, kind)),
  adviseLetters: (facts: Facts_Deserialize) => commands.adviseLetters(facts),
  draftLetter: async (order: LetterOrder_Deserialize) => unwrap(await commands.draftLetter(order)),
  suggestLetterPath: (kind: LetterKind, format: LetterFormat) => commands.suggestLetterPath(kind, format),
  saveLetter: async (
    order: LetterOrder_Deserialize,
    format: LetterFormat,
    path: string,
    overwrite: boolean,
    caseId: number | null,
  ) => unwrap(await commands.saveLetter(order, { format, path, overwrite, case_id: caseId, attachments: [] })),
  listCases: async () => unwrap(await commands.listCases()),
  caseTimeline: async (id: number) => unwrap(await commands.caseTimeline(id)),
  caseLetterText: async (id: number) => unwrap(await commands.caseLetterText(id)),
  markCaseSent: async (id: number) => unwrap(await commands.markCaseSent(id)),
  setCaseState: async (id: number, next: CaseState, note: string | null) =>
    unwrap(await commands.setCaseState(id, next, note)),

  listSources: async () => unwrap(await commands.listSources()),
  addSiteSource: async (url: string, limits: SiteLimits_Deserialize) => unwrap(await commands.addSiteSource(url, limits)),
  addFolderSource: async (path: string) => unwrap(await commands.addFolderSource(path)),
  removeSource: async (id: number) => unwrap(await commands.removeSource(id)),

  listProviders: async () => unwrap(await commands.listProviders()),
  configureProvider: async (provider: ProviderId, baseUrl: string | null, enabled: boolean | null) =>
    unwrap(await commands.configureProvider(provider, baseUrl, enabled)),
  setProviderKey: async (provider: ProviderId, key: string) => unwrap(await commands.setProviderKey(provider, key)),
  deleteProviderKey: async (provider: ProviderId) => unwrap(await commands.deleteProviderKey(provider)),

  registerPhoto: async (imageBase64: string, attestShowsMe: boolean) =>
    unwrap(await commands.registerPhoto(imageBase64, attestShowsMe)),
  listRegisteredPhotos: async () => unwrap(await commands.listRegisteredPhotos()),
  providerPreview: async (photoId: number, provider: ProviderId) =>
    unwrap(await commands.providerPreview(photoId, provider)),
  consentToProvider: async (photoId: number, provider: ProviderId) =>
    unwrap(await commands.consentToProvider(photoId, provider)),
  consentedProviders: async () => unwrap(await commands.consentedProviders()),
  scanHistory: async () => unwrap(await commands.scanHistory()),
  startScan: async (sources: number[], providers: ProviderId[], photoId: number | null) =>
    unwrap(await commands.startScan({ sources, providers, photo_id: photoId })),
  resumeScan: async (jobId: number) => unwrap(await commands.resumeScan(jobId)),
  cancelScan: async () => unwrap(await commands.cancelScan()),

  listFindings: async (status: FindingStatus | null) => unwrap(await commands.listFindings(status)),
  findingThumbnail: async (id: number) => unwrap(await commands.findingThumbnail(id)),
  confirmFinding: async (id: number) => unwrap(await commands.confirmFinding(id)),
  dismissFinding: async (id: number) => unwrap(await commands.dismissFinding(id)),
  recheckFindings: async () => unwrap(await commands.recheckFindings()),
  findingHistory: async (id: number) => unwrap(await commands.findingHistory(id)),

  /** One monitoring cycle now (`force`: everything, due or not). */
  runMonitoring: async (force: boolean) => unwrap(await commands.runMonitoring(force)),
  monitorStatus: async () => unwrap(await commands.monitorStatus()),
  listEvents: async (unreadOnly: boolean) => unwrap(await commands.listEvents(unreadOnly)),
  /** Marks event `id` read, or every event when `id` is null. */
  markEventsRead: async (id: number | null) => unwrap(await commands.markEventsRead(id)),

  /** `findingIds` null = every confirmed finding. */
  suggestEvidencePaths: () => commands.suggestEvidencePaths(),
  previewEvidenceReport: async (findingIds: number[] | null, pictures: Pictures) =>
    unwrap(await commands.previewEvidenceReport(findingIds, pictures)),
  exportEvidence: async (findingIds: number[] | null, wacz: string | null, report: string | null, pictures: Pictures) =>
    unwrap(await commands.exportEvidence(findingIds, wacz, report, pictures)),
  suggestBundlePath: () => commands.suggestBundlePath(),
  giveCaseToClient: async (path: string, caseIds: number[], includeFace: boolean) =>
    unwrap(await commands.giveCaseToClient(path, caseIds, includeFace)),
  importCase: async (path: string, passphrase: string) => unwrap(await commands.importCase(path, passphrase)),

  /** Calls `handler` for each step of a running scan. Returns an unsubscribe. */
  onScanProgress: (handler: (progress: ScanProgress_Serialize) => void) =>
    events.scanProgressed.listen((e) => handler(e.payload.progress as ScanProgress_Serialize)),
  /** Calls `handler` when a scan ends. Returns an unsubscribe. */
  onScanEnded: (handler: (ended: ScanEnded_Serialize) => void) =>
    events.scanEnded.listen((e) => handler(e.payload as ScanEnded_Serialize)),

  /** Calls `handler` when a monitoring cycle the window ran on its own finished. Returns an unsubscribe. */
  onMonitoringFinished: (handler: (events: number) => void) =>
    events.monitoringFinished.listen((e) => handler(e.payload.events)),

  /** Calls `handler` when the window is shown again after a quick exit. Returns an unsubscribe. */
  onWindowReopened: (handler: () => void) => events.windowReopened.listen(() => handler()),
  /** Calls `handler` when profiles were locked for inactivity. Returns an unsubscribe. */
  onProfilesLocked: (handler: (event: ProfilesLocked) => void) =>
    events.profilesLocked.listen((e) => handler(e.payload)),
};

export type Ipc = typeof ipc;
