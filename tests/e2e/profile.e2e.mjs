// Issue 4 in the real window: create a clinic profile, enroll from files (a group photo is
// refused with its reason), check another person's photo and see it refused, see it all in the
// audit log, lock, and find the profile locked behind its passphrase.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { artifactsDir, createClinicProfile, facesDir, launchApp, pickFiles } from "./harness.mjs";

const PASSPHRASE = "river stone lantern";
const photo = (name) => join(facesDir, "facerec", name);

let app;

before(async () => {
  app = await launchApp({ port: 4446 });
});

after(async () => {
  await app?.close();
});

test("a clinic profile is created behind a passphrase", async () => {
  const ms = await createClinicProfile(app.browser, "Client 12", PASSPHRASE);
  console.log(`# create clinic profile (Argon2id 64 MiB, t=3) until the shell shows: ${ms.toFixed(0)} ms`);
  assert.equal(await app.browser.$('[data-testid="active-profile"]').getText(), "Client 12");
  assert.equal(await app.browser.getTitle(), "Takeback", "the window title never names the profile");
});

test("the vault on disk is encrypted: no file starts with the SQLite header", () => {
  const root = join(app.dataDir, "data", "profiles");
  const header = Buffer.from("SQLite format 3\0");
  let files = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        files++;
        assert.ok(!readFileSync(p).subarray(0, 16).equals(header), `${p} is plain SQLite`);
      }
    }
  };
  walk(root);
  assert.ok(files >= 2, "profile.json and vault.db exist");
});

test("enrollment from files: faces boxed, a group photo refused with its reason, two photos enrolled", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-profile"]').click();
  await browser.$('[data-testid="no-references"]').waitForDisplayed({ timeout: 5000 });
  await pickFiles(browser, "enroll-files", [photo("obama.jpg"), photo("obama2.jpg"), photo("two_people.jpg")]);
  await browser.waitUntil(async () => {
    const states = await browser.$$('[data-testid="picked-photo"]').map((li) => li.getAttribute("data-ok"));
    return states.join() === "true,true,false";
  }, { timeout: 30000, timeoutMsg: "expected two good photos and one refused" });
  const refused = await browser.$$('[data-testid="picked-photo"]')[2].getText();
  assert.match(refused, /shows 2 faces/);
  const boxes = await browser.$$('[data-testid="face-box"]').length;
  assert.equal(boxes, 4, "one box on each portrait, two on the group photo");

  await browser.$('[data-testid="enroll-confirm"]').click();
  await browser.$('[data-testid="enroll-submit"]').click();
  await browser.$('[data-testid="reference-count"]').waitForDisplayed({ timeout: 15000 });
  assert.match(await browser.$('[data-testid="reference-count"]').getText(), /^2 of at most 10/);
  const consent = await browser.$('[data-testid="consents"]').getText();
  assert.match(consent, /confirmed by the owner/);
  mkdirSync(artifactsDir, { recursive: true });
  await browser.saveScreenshot(join(artifactsDir, "enrollment.png"));
});

test("checking another person's photo is refused; the owner's other photo passes", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-scan"]').click();
  await pickFiles(browser, "gate-file", [photo("biden.jpg")]);
  const answer = await browser.$('[data-testid="gate-answer"]');
  await answer.waitForDisplayed({ timeout: 30000 });
  assert.equal(await answer.getAttribute("data-allowed"), "false");
  assert.equal(await answer.getAttribute("data-decision"), "no_match");
  assert.match(await answer.getText(), /This is not the enrolled person/);
  await browser.saveScreenshot(join(artifactsDir, "gate-refused.png"));

  await pickFiles(browser, "gate-file", [photo("obama3.jpg")]);
  await browser.waitUntil(async () => (await browser.$('[data-testid="gate-answer"]').getAttribute("data-decision")) === "match", {
    timeout: 30000,
    timeoutMsg: "the owner's own photo did not match",
  });
});

test("the audit page shows every decision and an intact chain", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-audit"]').click();
  const state = await browser.$('[data-testid="audit-state"]');
  await state.waitForDisplayed({ timeout: 5000 });
  assert.match(await state.getText(), /Intact/);
  const actions = await browser.$$('[data-testid="audit-action"]').map((td) => td.getText());
  assert.equal(actions.filter((a) => a === "Photo checked against your face").length, 2);
  assert.equal(actions.filter((a) => a === "Reference photo added").length, 2);
  assert.ok(actions.includes("Consent recorded"));
});

test("lock: the profile closes and opens again only with its passphrase", async () => {
  const { browser } = app;
  await browser.$('[data-testid="lock-now"]').click();
  await browser.$('[data-testid="profile-picker"]').waitForDisplayed({ timeout: 5000 });
  await browser.$('[data-testid="unlock-passphrase-Client 12"]').setValue("wrong passphrase");
  await browser.$('[data-testid="unlock-Client 12"]').click();
  await browser.$('[data-testid="profile-error"]').waitForDisplayed({ timeout: 10000 });
  assert.match(await browser.$('[data-testid="profile-error"]').getText(), /wrong passphrase/);

  await browser.$('[data-testid="unlock-passphrase-Client 12"]').setValue(PASSPHRASE);
  const t0 = performance.now();
  await browser.$('[data-testid="unlock-Client 12"]').click();
  await browser.$('[data-testid="nav-home"]').waitForDisplayed({ timeout: 10000 });
  console.log(`# unlock in the window (Argon2id + SQLCipher open): ${(performance.now() - t0).toFixed(0)} ms`);
  await browser.$('[data-testid="nav-profile"]').click();
  await browser.$('[data-testid="reference-count"]').waitForDisplayed({ timeout: 5000 });
  assert.match(await browser.$('[data-testid="reference-count"]').getText(), /^2 of/);
});
