// Launches the real Takeback window through tauri-driver (which starts WebKitWebDriver with
// TAURI_WEBVIEW_AUTOMATION=true) and hands back a WebdriverIO browser.
//
// Needs: an X display (run under xvfb-run), tauri-driver on PATH or in ~/.cargo/bin, WebKitWebDriver
// (Debian webkit2gtk-driver), and the app built with embedded assets
// (`cargo build -p takeback-app --features custom-protocol`).
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
export const appBinary = process.env.TAKEBACK_APP_BIN ?? join(repoRoot, "target/debug/takeback-app");
export const artifactsDir = join(here, "artifacts");

function tauriDriverPath() {
  const candidates = [process.env.TAURI_DRIVER, join(homedir(), ".cargo/bin/tauri-driver")].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return c;
  return "tauri-driver";
}

async function waitForDriver(port, deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not answer on port ${port} within ${deadlineMs} ms`);
}

/**
 * Starts the app with a fresh data directory. `env` adds environment variables; `seed(dataRoot)`
 * may write files (such as settings.toml) into the data directory before the app starts.
 * Returns { browser, dataDir, close, startedMs }.
 */
export async function launchApp({ port = 4444, env: extraEnv = {}, seed } = {}) {
  if (appRunning()) throw new Error(`${appBinary} is already running: stop it before the end-to-end tests`);
  if (!existsSync(appBinary)) {
    throw new Error(`${appBinary} is missing: build it with cargo build -p takeback-app --features custom-protocol`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), "takeback-e2e-"));
  // Everything the app or WebKit writes stays in this temporary folder.
  const env = {
    ...process.env,
    TAKEBACK_DATA_DIR: join(dataDir, "data"),
    XDG_DATA_HOME: join(dataDir, "xdg-data"),
    XDG_CACHE_HOME: join(dataDir, "xdg-cache"),
    XDG_CONFIG_HOME: join(dataDir, "xdg-config"),
    // Debug builds seal test passphrases with cheap Argon2 (release builds ignore this).
    TAKEBACK_TEST_FAST_KDF: "1",
    ...extraEnv,
  };
  if (seed) {
    mkdirSync(env.TAKEBACK_DATA_DIR, { recursive: true });
    seed(env.TAKEBACK_DATA_DIR);
  }
  // tauri-driver starts WebKitWebDriver on its "native" port (4445 by default): keep them apart.
  const nativePort = port + 100;
  const driver = spawn(tauriDriverPath(), ["--port", String(port), "--native-port", String(nativePort)], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const driverExited = new Promise((_, reject) =>
    driver.once("exit", (code) => reject(new Error(`tauri-driver exited early with ${code}`))),
  );
  await Promise.race([waitForDriver(port, 15000), driverExited]);

  const t0 = performance.now();
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryTimeout: 60000,
    capabilities: { "tauri:options": { application: appBinary } },
  });
  // A fresh data directory has no profile, so the first paint is the profile picker.
  await browser.$('[data-testid="profile-picker"], [data-testid="nav-home"]').waitForDisplayed({ timeout: 30000 });
  const startedMs = performance.now() - t0;

  async function close() {
    try {
      await browser.deleteSession();
    } catch {
      // the app may already be gone
    }
    driver.kill();
    // The app answers to a second launch through D-Bus (single instance): the next test must not
    // start while this one is still alive, or the new launch would hand over to this window.
    await waitForAppExit(10000);
    // WebKit's helper processes may still be flushing their caches for a moment.
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  return { browser, dataDir, close, startedMs, memory: () => appMemory(driver.pid) };
}

function appRunning() {
  try {
    execFileSync("pgrep", ["-f", appBinary], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function waitForAppExit(deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (appRunning()) {
    if (Date.now() > until) {
      execFileSync("pkill", ["-f", appBinary]);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Visible X windows titled exactly "Takeback" (xdotool exits 1 when there are none). */
export function visibleTakebackWindows() {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--name", "^Takeback$"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Clicks an element with a real X pointer event (xdotool). WebDriver's own click waits for the
 * page to render again, which never happens when the click hides the window (quick exit).
 */
export async function pointerClick(browser, selector) {
  const [win] = visibleTakebackWindows();
  if (!win) throw new Error("no visible Takeback window to click in");
  const rect = await browser.execute((sel) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    return r ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
  }, selector);
  if (!rect) throw new Error(`nothing matches ${selector}`);
  execFileSync("xdotool", [
    "mousemove", "--window", win, String(Math.round(rect.x)), String(Math.round(rect.y)),
    "click", "1",
  ]);
}

/**
 * Memory of the app and the WebKit processes it started, as proportional set size (PSS, in kB,
 * from /proc/<pid>/smaps_rollup): a page shared by n processes counts 1/n in each, so the sum is
 * what the app really costs, unlike RSS, which counts shared libraries once per process.
 * Only the process tree under this test's tauri-driver is counted (the app, its WebKit web and
 * network processes, any sandbox helper), never tauri-driver and WebKitWebDriver themselves, nor
 * another program's WebKit.
 * Returns { app, web, network, other, total } in kB.
 */
export function appMemory(driverPid) {
  const parents = new Map();
  const names = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces or parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(")");
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const under = (pid) => {
    // Process trees are shallow; the depth bound only guards against a malformed /proc read.
    let p = parents.get(pid);
    for (let depth = 0; depth < 64 && p !== undefined && p > 1; depth++, p = parents.get(p)) {
      if (p === driverPid) return true;
    }
    return false;
  };
  const usage = { app: 0, web: 0, network: 0, other: 0, total: 0 };
  for (const [pid, name] of names) {
    if (!under(pid) || name === "WebKitWebDriver") continue;
    let pss;
    try {
      pss = Number(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
    } catch {
      continue; // ended meanwhile
    }
    // /proc/<pid>/stat truncates names to 15 characters. The app is whatever WebKitWebDriver
    // started, whatever its file is called.
    const kind = name.startsWith("WebKitWebProces")
      ? "web"
      : name.startsWith("WebKitNetworkPr")
        ? "network"
        : names.get(parents.get(pid)) === "WebKitWebDriver"
          ? "app"
          : "other";
    usage[kind] += pss;
    usage.total += pss;
  }
  return usage;
}

/** Facts of the shared test photos (see tests/fixtures/faces/README.md). */
export const facesDir = resolve(repoRoot, "tests/fixtures/faces");

/**
 * Creates a clinic (passphrase) profile through the picker, as a user would, and waits for the
 * shell. Returns the milliseconds from the click to the open profile (Argon2id included).
 */
export async function createClinicProfile(browser, name, passphrase) {
  await browser.$('[data-testid="profile-picker"]').waitForDisplayed({ timeout: 10000 });
  await browser.$('[data-testid="new-profile-name"]').setValue(name);
  await browser.$('[data-testid="new-profile-clinic"]').click();
  await browser.$('[data-testid="new-profile-passphrase"]').setValue(passphrase);
  await browser.$('[data-testid="new-profile-passphrase-again"]').setValue(passphrase);
  const t0 = performance.now();
  await browser.$('[data-testid="create-profile"]').click();
  await browser.$('[data-testid="nav-home"]').waitForDisplayed({ timeout: 15000 });
  return performance.now() - t0;
}

/**
 * Hands files to a (visually hidden) file input, as the native file chooser would. The raw
 * WebDriver command is used: WebdriverIO's setValue waits for the 1-px input to look clickable,
 * while the WebDriver spec lets file inputs take keys without that check.
 */
export async function pickFiles(browser, testId, files) {
  const input = await browser.$(`[data-testid="${testId}"]`);
  await input.waitForExist({ timeout: 5000 });
  await browser.elementSendKeys(input.elementId, files.join("\n"));
}
