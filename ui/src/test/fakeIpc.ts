import { vi } from "vitest";
import type { AppInfo, Setting } from "../ipc";

/** Settings as the Rust core lists them by default (kept small; shapes follow bindings.ts). */
export function defaultSettings(): Setting[] {
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

export const appInfo: AppInfo = { version: "0.1.0", data_dir: "/tmp/takeback-test", dev_build: true };

/** A stand-in for the IPC facade with the same method names, as vi.fn()s. */
export function createFakeIpc() {
  return {
    appInfo: vi.fn(async () => appInfo),
    quickExit: vi.fn(async () => null),
    listSettings: vi.fn(async () => defaultSettings()),
    setSetting: vi.fn(async (_key: string, value: string) => value),
    onWindowReopened: vi.fn(async (_handler: () => void) => () => {}),
  };
}
