/**
 * The only door between the window and Rust. Components import from here, never from
 * `@tauri-apps/*` (a lint rule enforces it), so tests can replace this one module.
 *
 * `bindings.ts` is generated from the Rust commands; this facade turns their `Result` values into
 * plain promises that reject with an {@link IpcFailure} carrying the stable error code.
 */
import { commands, events, type IpcError } from "./bindings";

type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export type { AppInfo, Entry as Setting, ErrorCode, Input as SettingInput, IpcError } from "./bindings";

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
  appInfo: () => commands.getAppInfo(),
  quickExit: async () => unwrap(await commands.quickExit()),
  listSettings: async () => unwrap(await commands.listSettings()),
  setSetting: async (key: string, value: string) => unwrap(await commands.setSetting(key, value)),
  /** Calls `handler` when the window is shown again after a quick exit. Returns an unsubscribe. */
  onWindowReopened: (handler: () => void) => events.windowReopened.listen(() => handler()),
};

export type Ipc = typeof ipc;
