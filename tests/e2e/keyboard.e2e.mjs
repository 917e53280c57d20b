// Keyboard only: reach a section with Tab and Enter, then leave with Esc pressed twice.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createClinicProfile, launchApp, visibleTakebackWindows } from "./harness.mjs";

let app;

before(async () => {
  app = await launchApp({ port: 4445 });
  await createClinicProfile(app.browser, "Keyboard test", "a long enough passphrase");
});

after(async () => {
  await app?.close();
});

test("sections are reachable with the keyboard alone", async () => {
  const { browser } = app;
  // Tab until the Scan entry of the navigation has focus, then activate it with Enter.
  let focused = "";
  for (let i = 0; i < 20 && focused !== "nav-scan"; i++) {
    await browser.keys(["Tab"]);
    focused = await browser.execute(() => document.activeElement?.getAttribute("data-testid") ?? "");
  }
  assert.equal(focused, "nav-scan", "Tab reaches the Scan section");
  await browser.keys(["Enter"]);
  await browser.$('[data-testid="page-scan"]').waitForDisplayed({ timeout: 5000 });
  const active = await browser.execute(() => document.activeElement?.tagName);
  assert.equal(active, "H1", "focus moves to the new page's heading");
});

test("Esc pressed twice hides the window", async () => {
  const { browser } = app;
  assert.equal(visibleTakebackWindows().length, 1);
  await browser.keys(["Escape"]);
  await browser.keys(["Escape"]);
  const t0 = performance.now();
  while (visibleTakebackWindows().length > 0 && performance.now() - t0 < 3000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(visibleTakebackWindows(), []);
  assert.ok(await browser.$('[data-testid="locked"]').isExisting());
});
