// Issue 11 in the real window: with "Keep watching when the window is closed" on, closing the
// window leaves Takeback in the tray (still running, its profile still unlocked), the tray's menu
// brings it back, and the tray's "Quick exit" hides it, locks every profile and takes the tray
// entry away. Xvfb has no desktop panel, so tray_host.py plays one: it owns
// org.kde.StatusNotifierWatcher on the test's session bus, records the AppIndicator that
// registers, and reads and clicks its menu over com.canonical.dbusmenu as a panel would.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { appBinary, createClinicProfile, launchApp, visibleTakebackWindows } from "./harness.mjs";

const script = join(dirname(fileURLToPath(import.meta.url)), "tray_host.py");
const MENU = ["Open Takeback", "Check now", "Quick exit", "Quit"];
let app;
let host;
let stateDir;
let stateFile;

const python = (...args) => execFileSync("/usr/bin/python3", [script, ...args], { encoding: "utf8", timeout: 20000 });
const trayItems = () => JSON.parse(python("show", stateFile)).items;
const latestItem = () => trayItems().at(-1);

function appAlive() {
  try {
    execFileSync("pgrep", ["-f", appBinary], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function until(what, check, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what} did not happen within ${timeout} ms (last: ${JSON.stringify(last)})`);
}

/** Closes the window the way a window manager's close button does (WM_DELETE_WINDOW). */
async function closeWindow() {
  const windows = visibleTakebackWindows();
  assert.ok(windows.length > 0, "a visible window to close");
  for (const id of windows) python("close-window", id);
  await until("the window hiding", () => visibleTakebackWindows().length === 0);
}

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "takeback-tray-"));
  stateFile = join(stateDir, "items.jsonl");
  host = spawn("/usr/bin/python3", [script, "watch", stateFile], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    host.stdout.once("data", resolve);
    host.once("exit", (code) => reject(new Error(`tray_host.py exited with ${code}`)));
  });
  app = await launchApp({
    port: 4474,
    seed: (root) => writeFileSync(join(root, "settings.toml"), '"monitor.when_closed" = true\n'),
  });
  await createClinicProfile(app.browser, "Tray test", "a long enough passphrase");
});

after(async () => {
  await app?.close();
  host?.kill();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test("closing the window leaves a tray entry whose menu brings Takeback back, still unlocked", async () => {
  const item = await until("the tray entry registering", () => {
    const last = trayItems().at(-1);
    return last?.menu?.length ? last : null;
  });
  assert.equal(item.alive, true);
  assert.equal(item.status, "Active");
  assert.deepEqual(item.menu, MENU);

  await closeWindow();
  // Give a wrongly quitting app the time to go.
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(appAlive(), "the app keeps running after its window closed");
  const after = latestItem();
  assert.equal(after.alive, true);
  assert.equal(after.status, "Active");
  assert.deepEqual(after.menu, MENU);

  python("click", stateFile, "Open Takeback");
  await until("the window showing again", () => visibleTakebackWindows().length > 0);
  await app.browser.$('[data-testid="nav-home"]').waitForDisplayed({ timeout: 10000 });
});

test("the tray's quick exit hides the window, locks the profile and takes the tray entry away", async () => {
  await closeWindow();
  python("click", stateFile, "Quick exit");
  await until("the tray entry going away", () => {
    const last = latestItem();
    return !last.alive || last.status === "Passive" ? last : null;
  });
  assert.equal(visibleTakebackWindows().length, 0, "the window stays hidden");
  assert.ok(appAlive(), "quick exit hides; the process stays for the next launch, as before");
  // The profile is locked: the (hidden) window has dropped it and shows nothing of it.
  await until("the window clearing the profile", async () => !(await app.browser.$('[data-testid="nav-home"]').isExisting()));
});
