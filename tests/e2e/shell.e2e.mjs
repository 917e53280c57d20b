// The window shell, end to end: launch, visit every section, screenshot, quick exit hides it.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  artifactsDir,
  createClinicProfile,
  launchApp,
  pointerClick,
  visibleTakebackWindows,
} from "./harness.mjs";

const EXPECTED_SECTIONS = ["home", "profile", "scan", "findings", "cases", "handoff", "providers", "audit", "settings"];

let app;

before(async () => {
  app = await launchApp();
  console.log(`# cold start to first paint: ${app.startedMs.toFixed(0)} ms`);
  await createClinicProfile(app.browser, "Shell test", "a long enough passphrase");
});

after(async () => {
  await app?.close();
});

test("the window is shown and titled without any profile name", async () => {
  assert.equal(await app.browser.getTitle(), "Takeback");
  assert.equal(visibleTakebackWindows().length, 1, "exactly one visible Takeback window");
});

test("every section of the product can be visited", async () => {
  const { browser } = app;
  const navButtons = await browser.$$('[data-testid^="nav-"]');
  const ids = [];
  for (const b of navButtons) ids.push((await b.getAttribute("data-testid")).slice(4));
  assert.deepEqual(ids, EXPECTED_SECTIONS);
  for (const id of ids) {
    await browser.$(`[data-testid="nav-${id}"]`).click();
    const page = browser.$(`[data-testid="page-${id}"]`);
    await page.waitForDisplayed({ timeout: 5000 });
    const heading = await page.$("h1").getText();
    const label = await browser.$(`[data-testid="nav-${id}"] .label`).getText();
    assert.equal(heading, label, `heading of ${id}`);
  }
});

test("settings are read from and written to the real core", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-settings"]').click();
  const version = await browser.$('[data-testid="app-version"]');
  await version.waitForDisplayed({ timeout: 5000 });
  assert.match(await version.getText(), /^\d+\.\d+\.\d+/);
  // The data folder is the one this run chose (TAKEBACK_DATA_DIR), shown so a user can find it.
  assert.equal(await browser.$('[data-testid="data-folder"]').getText(), join(app.dataDir, "data"));
  const theme = await browser.$("#setting-theme");
  await theme.selectByAttribute("value", "dark");
  await browser.$("p=Saved").waitForDisplayed({ timeout: 5000 });
  assert.equal(await browser.execute(() => document.documentElement.dataset.theme), "dark");
  await theme.selectByAttribute("value", "system");
  await browser.$('[data-testid="nav-home"]').click();
});

test("a screenshot of the main window is saved", async () => {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, "main-window.png");
  await app.browser.saveScreenshot(file);
  console.log(`# screenshot: ${file}`);
});

// Idle memory as proportional set size (PSS), counting shared pages once. A debug build measured
// 256-260 MiB here, the installed release build 239-251 (scripts/test-packages.sh runs this test
// against it with a 275 MiB bound); the goal is 250 MiB. The bound leaves about 20 % for noise.
const IDLE_PSS_BOUND_MIB = Number(process.env.TAKEBACK_IDLE_PSS_BOUND_MIB ?? 320);
const IDLE_SETTLE_MS = 5000;

test(`idle memory (PSS of the app and its WebKit processes) stays under ${IDLE_PSS_BOUND_MIB} MiB`, async () => {
  await app.browser.$('[data-testid="nav-home"]').click();
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const mib = (kb) => (kb / 1024).toFixed(0);
  const m = app.memory();
  console.log(
    `# idle memory, PSS, ${IDLE_SETTLE_MS / 1000} s after the last click: ${mib(m.total)} MiB ` +
      `(app ${mib(m.app)}, WebKit web ${mib(m.web)}, network ${mib(m.network)}, other ${mib(m.other)})`,
  );
  assert.ok(m.app > 0 && m.web > 0, `the app and its web process were found: ${JSON.stringify(m)}`);
  assert.ok(m.total / 1024 <= IDLE_PSS_BOUND_MIB, `idle PSS ${mib(m.total)} MiB exceeds ${IDLE_PSS_BOUND_MIB} MiB`);
});

test("quick exit hides the window at once and clears the screen", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-findings"]').click();
  const t0 = performance.now();
  await pointerClick(browser, '[data-testid="quick-exit"]');
  let windows = visibleTakebackWindows();
  while (windows.length > 0 && performance.now() - t0 < 3000) {
    await new Promise((r) => setTimeout(r, 50));
    windows = visibleTakebackWindows();
  }
  assert.deepEqual(windows, [], "no visible Takeback window after quick exit");
  console.log(`# quick exit hid the window in ${(performance.now() - t0).toFixed(0)} ms`);
  const locked = await browser.$('[data-testid="locked"]').isExisting();
  assert.ok(locked, "the lock screen replaced the page");
  assert.equal(await browser.$('[data-testid="page-findings"]').isExisting(), false);
  // The profile was locked too: continuing asks for its passphrase, not the previous page.
  await browser.execute(() => (document.querySelector('[data-testid="locked"] button'))?.click());
  await browser.$('[data-testid="profile-picker"]').waitForExist({ timeout: 5000 });
  assert.ok(await browser.$('[data-testid="unlock-passphrase-Shell test"]').isExisting(), "the profile asks for its passphrase again");
});
