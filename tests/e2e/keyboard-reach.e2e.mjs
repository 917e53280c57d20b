// Issue 18, keyboard only, in the real window: every tab stop shows where the focus is, nothing
// traps it (Tab comes back round), a profile is created with the keyboard alone, and the lock
// explanation takes the focus when it opens and gives it back to its button when it closes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchApp } from "./harness.mjs";

let app;

before(async () => {
  app = await launchApp({ port: 4460 });
});

after(async () => {
  await app?.close();
});

const focusedId = (browser) =>
  browser.execute(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "";
    return el.getAttribute("data-testid") || el.id || `${el.tagName.toLowerCase()}:${(el.textContent ?? "").trim().slice(0, 30)}`;
  });

/** Whether the focused element is visibly marked: an outline or a focus shadow. */
const focusVisible = (browser) =>
  browser.execute(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    const s = getComputedStyle(el);
    return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
  });

/** Tabs through the page until the first stop comes round again; returns the stops in order. */
async function tabRound(browser, limit = 60) {
  const stops = [];
  for (let i = 0; i < limit; i++) {
    await browser.keys(["Tab"]);
    const id = await focusedId(browser);
    assert.notEqual(id, "", "the focus left the page's controls (lost to the body)");
    assert.ok(await focusVisible(browser), `no visible focus on ${id}`);
    if (stops.length > 0 && id === stops[0]) return stops;
    stops.push(id);
  }
  assert.fail(`Tab did not come back round within ${limit} stops: ${stops.join(", ")}`);
}

test("on the first screen every tab stop shows its focus, and Tab comes back round", async () => {
  const { browser } = app;
  await browser.$('[data-testid="profile-picker"]').waitForDisplayed({ timeout: 10000 });
  const stops = await tabRound(browser);
  assert.ok(stops.includes("new-profile-name") && stops.includes("create-profile") && stops.includes("quick-exit"), stops.join(", "));
});

test("a profile is created with the keyboard alone", async () => {
  const { browser } = app;
  for (let i = 0; i < 30 && (await focusedId(browser)) !== "new-profile-name"; i++) await browser.keys(["Tab"]);
  assert.equal(await focusedId(browser), "new-profile-name");
  await browser.keys([..."Teclado"]);
  // "Only me" is chosen already; Tab on to the button and press it.
  for (let i = 0; i < 10 && (await focusedId(browser)) !== "create-profile"; i++) await browser.keys(["Tab"]);
  assert.equal(await focusedId(browser), "create-profile");
  await browser.keys(["Enter"]);
  await browser.$('[data-testid="nav-home"]').waitForDisplayed({ timeout: 15000 });
});

test("in the open profile every tab stop shows its focus, and Tab comes back round", async () => {
  const { browser } = app;
  const stops = await tabRound(browser, 80);
  for (const id of ["switch-profile", "lock-now", "quick-exit", "nav-home", "nav-settings"]) assert.ok(stops.includes(id), `${id} in ${stops.join(", ")}`);
});

test("the lock explanation takes the focus, and gives it back to its button when it closes", async () => {
  const { browser } = app;
  for (let i = 0; i < 40 && (await focusedId(browser)) !== "lock-now"; i++) await browser.keys(["Tab"]);
  assert.equal(await focusedId(browser), "lock-now");
  await browser.keys(["Enter"]);
  await browser.$('[data-testid="lock-explain"]').waitForDisplayed({ timeout: 5000 });
  assert.equal(await focusedId(browser), "lock-explain", "the focus moves into the explanation");
  // Tab reaches its buttons (no trap: Esc or Cancel leaves).
  for (let i = 0; i < 5 && (await focusedId(browser)) !== "lock-cancel"; i++) await browser.keys(["Tab"]);
  assert.equal(await focusedId(browser), "lock-cancel");
  await browser.keys(["Enter"]);
  await browser.waitUntil(async () => (await focusedId(browser)) === "lock-now", { timeout: 3000, timeoutMsg: "focus did not return to Lock" });
  // Esc closes it too, and the focus returns the same way.
  await browser.keys(["Enter"]);
  await browser.$('[data-testid="lock-explain"]').waitForDisplayed({ timeout: 5000 });
  await browser.keys(["Escape"]);
  await browser.waitUntil(async () => (await focusedId(browser)) === "lock-now", { timeout: 3000, timeoutMsg: "Esc did not return the focus to Lock" });
  assert.equal(await browser.$('[data-testid="lock-explain"]').isExisting(), false);
});
