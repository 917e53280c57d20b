// Issue 18: an AT-SPI smoke test. What a screen reader (Orca) reads comes from the accessibility
// tree that WebKitGTK publishes on the AT-SPI bus, not from the DOM: this asks that bus
// (python3-pyatspi, installed by scripts/setup.sh --test) whether the window's main controls have
// accessible names, on the first screen and in the open profile.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { createClinicProfile, launchApp } from "./harness.mjs";

const script = join(dirname(fileURLToPath(import.meta.url)), "atspi_names.py");
let app;

before(async () => {
  app = await launchApp({ port: 4462 });
});

after(async () => {
  await app?.close();
});

/** The window's controls as AT-SPI lists them; retried while WebKit builds its tree. */
async function accessibleControls(mustInclude) {
  let last;
  for (let i = 0; i < 20; i++) {
    last = JSON.parse(execFileSync("/usr/bin/python3", [script, "takeback"], { encoding: "utf8", timeout: 30000 }));
    if (last.found && last.controls.some(([, name]) => name === mustInclude)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`AT-SPI never listed "${mustInclude}": ${JSON.stringify(last).slice(0, 6000)}`);
}

test("the first screen's controls have accessible names on the AT-SPI bus", async () => {
  await app.browser.$('[data-testid="profile-picker"]').waitForDisplayed({ timeout: 10000 });
  const tree = await accessibleControls("Create profile");
  assert.deepEqual(tree.nameless, [], `nameless controls: ${JSON.stringify(tree.controls)}`);
  const names = tree.controls.map(([, n]) => n);
  assert.ok(names.some((n) => n.startsWith("Quick exit")), names.join(" | "));
  assert.ok(tree.controls.some(([role, n]) => role === "entry" && n === "Name"), "the name field is labelled");
});

test("in the open profile, the navigation and the shell's buttons have accessible names", async () => {
  await createClinicProfile(app.browser, "Lector", "a long enough passphrase");
  // AT-SPI lists only what is on screen: bring the top bar into view (Home is taller than the
  // window since it shows the monitoring inbox).
  await app.browser.execute(() => {
    for (const el of [document.scrollingElement, ...document.querySelectorAll("main, .shell")]) el?.scrollTo?.(0, 0);
  });
  const tree = await accessibleControls("Switch profile");
  assert.deepEqual(tree.nameless, [], `nameless controls: ${JSON.stringify(tree.controls)}`);
  const names = tree.controls.map(([, n]) => n);
  for (const label of ["Home", "Scan", "Findings", "Settings", "Lock"]) {
    assert.ok(names.some((n) => n.startsWith(label)), `${label} in ${names.join(" | ")}`);
  }
});
