// Issue 12 in the real window: a confirmed finding (scanned on a loopback fake web) leaves as
// evidence for the police (a report previewed first, a WACZ and a PDF whose text names the
// image's SHA-256), then as a case handed to the client: the encrypted file is written, its
// ten-word passphrase shown once, the client confirms, the file imports (a wrong passphrase is
// refused, a second import duplicates nothing), and the profile is wiped.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startFakeWeb } from "./fakeweb.mjs";
import { createClinicProfile, facesDir, launchApp, pickFiles } from "./harness.mjs";

let app;
let web;
const outDir = mkdtempSync(join(tmpdir(), "takeback-handoff-"));

before(async () => {
  web = await startFakeWeb(facesDir);
  app = await launchApp({ port: 4448, env: { TAKEBACK_ALLOW_LOCAL_NETWORK: "1" } });
  await createClinicProfile(app.browser, "Handoff test", "a long enough passphrase");
});

after(async () => {
  await app?.close();
  await web?.close();
  rmSync(outDir, { recursive: true, force: true });
});

test("a finding is found and confirmed", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-profile"]').click();
  await pickFiles(browser, "enroll-files", [join(facesDir, "facerec", "obama.jpg")]);
  await browser.waitUntil(async () => (await browser.$('[data-testid="picked-photo"]').getAttribute("data-ok")) === "true", {
    timeout: 30000,
  });
  await browser.$('[data-testid="enroll-confirm"]').click();
  await browser.$('[data-testid="enroll-submit"]').click();
  await browser.$('[data-testid="reference-count"]').waitForDisplayed({ timeout: 15000 });
  await browser.$('[data-testid="nav-scan"]').click();
  await browser.$('[data-testid="site-url"]').setValue(`${web.base}/`);
  await browser.$('[data-testid="add-site"]').click();
  await browser.$('[data-testid="start-scan"]').click();
  await browser.$('[data-testid="scan-summary"]').waitForDisplayed({ timeout: 120000 });
  await browser.$('[data-testid="show-findings"]').click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="finding"]').length) === 2, { timeout: 10000 });
  await browser.execute(() => document.querySelector('[data-testid="finding"]')?.focus());
  await browser.keys(["y"]);
  await browser.$('[data-testid="finding-request-removal"]').waitForDisplayed({ timeout: 15000 });
});

test("evidence for the police: a report preview, then a WACZ and a PDF naming the image's SHA-256", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-handoff"]').click();
  await browser.$('[data-testid="evidence-preview"]').waitForDisplayed({ timeout: 10000 });
  await browser.$('[data-testid="evidence-preview"]').click();
  const preview = await browser.$('[data-testid="evidence-preview-text"]');
  await preview.waitForDisplayed({ timeout: 10000 });
  const previewText = await preview.getText();
  assert.match(previewText, /Evidence report/);
  assert.match(previewText, /\/img\/obama[23]\.jpg/);
  assert.match(previewText, /a blurred thumbnail/);
  const sha = previewText.match(/SHA-256 of the image as found: ([0-9a-f]{64})/)?.[1];
  assert.ok(sha, "the preview names the image's SHA-256");

  const wacz = join(outDir, "evidence.wacz");
  const pdf = join(outDir, "evidence.pdf");
  await browser.$('[data-testid="evidence-wacz"]').setValue(wacz);
  await browser.$('[data-testid="evidence-report"]').setValue(pdf);
  await browser.$('[data-testid="evidence-write"]').click();
  await browser.$('[data-testid="evidence-result"]').waitForDisplayed({ timeout: 30000 });
  assert.ok(existsSync(wacz), "the WACZ was written");
  const text = execFileSync("pdftotext", [pdf, "-"], { encoding: "utf8" }).split(/\s+/).join("");
  assert.ok(text.includes(sha), "the report names the SHA-256");
});

test("give the case to the client: the file, the passphrase shown once, the client confirms", async () => {
  const { browser } = app;
  const bundle = join(outDir, "case.age");
  await browser.$('[data-testid="give-path"]').setValue(bundle);
  await browser.$('[data-testid="give-write"]').click();
  await browser.$('[data-testid="give-passphrase"]').waitForDisplayed({ timeout: 60000 });
  const words = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="give-passphrase"] li'), (li) => li.textContent.trim()),
  );
  assert.equal(words.length, 10, "ten words");
  const passphrase = words.join("-");
  assert.ok(existsSync(bundle), "the encrypted file was written");
  assert.equal(await browser.$('[data-testid="give-confirmed"]').isEnabled(), false, "not before the client confirms");
  await browser.$('[data-testid="give-client-confirms"]').click();
  await browser.$('[data-testid="give-confirmed"]').click();
  await browser.$('[data-testid="give-wipe-name"]').waitForDisplayed({ timeout: 5000 });
  assert.equal(await browser.$('[data-testid="give-passphrase"]').isExisting(), false, "shown once");

  // Import it back: a wrong passphrase is refused; the right one finds everything already here.
  await browser.$('[data-testid="import-path"]').setValue(bundle);
  await browser.$('[data-testid="import-passphrase"]').setValue("not-the-passphrase");
  await browser.$('[data-testid="import-go"]').click();
  await browser.$('[data-testid="import-case"] [role="alert"]').waitForDisplayed({ timeout: 60000 });
  await browser.$('[data-testid="import-passphrase"]').setValue(passphrase);
  await browser.$('[data-testid="import-go"]').click();
  const result = await browser.$('[data-testid="import-result"]');
  await result.waitForDisplayed({ timeout: 60000 });
  // Everything in the profile went (no case was chosen): both findings, already here.
  assert.match(await result.getText(), /0 findings added \(2 were already here\)/);

  // Then the profile is wiped from this computer.
  await browser.$('[data-testid="give-wipe-name"]').setValue("Handoff test");
  // Only someone who can open the profile may wipe it.
  await browser.$('[data-testid="give-wipe-passphrase"]').setValue("a long enough passphrase");
  await browser.$('[data-testid="give-wipe"]').click();
  await browser.$('[data-testid="profile-picker"]').waitForDisplayed({ timeout: 15000 });
});
