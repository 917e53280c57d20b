// Issues 5 and 6 in the real window: watch a site on a loopback fake web, scan with visible
// progress, triage the findings (the owner's photos found, the other person's not), confirm one,
// then request its removal: advisor, recipient found in the site's security.txt, a reviewed letter
// saved as a PDF (checked with poppler's pdftotext), and a case with its countdown.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startFakeWeb } from "./fakeweb.mjs";
import { createClinicProfile, facesDir, launchApp, pickFiles } from "./harness.mjs";

let app;
let web;
const outDir = mkdtempSync(join(tmpdir(), "takeback-letters-"));

before(async () => {
  web = await startFakeWeb(facesDir);
  app = await launchApp({
    port: 4447,
    env: { TAKEBACK_ALLOW_LOCAL_NETWORK: "1" },
    seed: (data) => writeFileSync(join(data, "settings.toml"), `"rdap.bootstrap_base" = "${web.base}/rdap/"\n`),
  });
  await createClinicProfile(app.browser, "Search test", "a long enough passphrase");
});

after(async () => {
  await app?.close();
  await web?.close();
  rmSync(outDir, { recursive: true, force: true });
});

test("enroll the owner and give the details letters are signed with", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-profile"]').click();
  await pickFiles(browser, "enroll-files", [join(facesDir, "facerec", "obama.jpg")]);
  await browser.waitUntil(async () => (await browser.$('[data-testid="picked-photo"]').getAttribute("data-ok")) === "true", {
    timeout: 30000,
  });
  await browser.$('[data-testid="enroll-confirm"]').click();
  await browser.$('[data-testid="enroll-submit"]').click();
  await browser.$('[data-testid="reference-count"]').waitForDisplayed({ timeout: 15000 });
  await browser.$('[data-testid="identity-name"]').setValue("Alex Example");
  await browser.$('[data-testid="identity-email"]').setValue("alex@example.org");
  await browser.$('[data-testid="identity-country"]').setValue("US");
  await browser.$('[data-testid="identity-save"]').click();
  await browser.$('[data-testid="identity-message"]').waitForDisplayed({ timeout: 5000 });
  assert.match(await browser.$('[data-testid="identity-message"]').getText(), /Saved/);
});

test("watch a site and scan it with visible progress", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-scan"]').click();
  await browser.$('[data-testid="site-url"]').setValue(`${web.base}/`);
  await browser.$('[data-testid="add-site"]').click();
  await browser.$('[data-testid="sources"]').waitForDisplayed({ timeout: 5000 });
  assert.match(await browser.$('[data-testid="sources"]').getText(), /127\.0\.0\.1/);

  const t0 = performance.now();
  await browser.$('[data-testid="start-scan"]').click();
  // Progress is visible while it runs: numbers of images checked.
  await browser.$('[data-testid="scan-counts"]').waitForDisplayed({ timeout: 30000 });
  assert.match(await browser.$('[data-testid="scan-counts"]').getText(), /Checked \d+ images? on \d+ pages?/);
  const summary = await browser.$('[data-testid="scan-summary"]');
  await summary.waitForDisplayed({ timeout: 120000 });
  console.log(`# scan of the fake web (2 pages, 4 photos) in the window: ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(await summary.getAttribute("data-status"), "finished");
  assert.match(await summary.getText(), /2 new possible matches/);
  assert.ok(web.requests.includes("/robots.txt"), "robots.txt was read");
});

test("findings: the owner's photos, not the other person's; confirm one with the keyboard", async () => {
  const { browser } = app;
  await browser.$('[data-testid="show-findings"]').click();
  await browser.$('[data-testid="page-findings"]').waitForDisplayed({ timeout: 5000 });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="finding"]').length) === 2, { timeout: 10000 });
  const text = await browser.$('[data-testid="page-findings"]').getText();
  assert.match(text, /obama2\.jpg/);
  assert.match(text, /obama3\.jpg/);
  assert.doesNotMatch(text, /biden/, "the other person's photos are not findings");
  // Thumbnails are blurred until revealed.
  assert.equal(await browser.$('[data-testid="finding"] img').getAttribute("class").then((c) => c.includes("blurred")), true);
  await browser.execute(() => document.querySelector('[data-testid="finding"]')?.focus());
  await browser.keys(["y"]);
  await browser.$('[data-testid="finding-request-removal"]').waitForDisplayed({ timeout: 5000 });
});

test("request removal: advisor, recipient from security.txt, reviewed letter saved as PDF, case counting down", async () => {
  const { browser } = app;
  await browser.$('[data-testid="finding-request-removal"]').click();
  await browser.$('[data-testid="request-removal"]').waitForDisplayed({ timeout: 5000 });
  await browser.$('[data-testid="rr-region"]').selectByAttribute("value", "us");
  await browser.$('[data-testid="rr-suggest"]').click();
  await browser.$('[data-testid="rr-route-takeitdown"]').waitForExist({ timeout: 5000 });
  await browser.$('[data-testid="rr-route-takeitdown"]').click();
  await browser.$('[data-testid="rr-lookup"]').click();
  await browser.$('[data-testid="rr-contacts"]').waitForDisplayed({ timeout: 30000 });
  assert.match(await browser.$('[data-testid="rr-contacts"]').getText(), /abuse@fakeweb\.example.*security problems/s);
  // A security.txt contact is meant for security reports: never chosen by default, but the
  // person may pick it, and the letter is then addressed to the site, not to a UI note.
  assert.equal(await browser.$('[data-testid="rr-to"]').getValue(), "");
  await browser.$("//label[contains(., 'abuse@fakeweb.example')]/input").click();
  assert.equal(await browser.$('[data-testid="rr-to"]').getValue(), "abuse@fakeweb.example");
  await browser.$('[data-testid="rr-draft"]').click();
  await browser.$('[data-testid="rr-complete"]').waitForDisplayed({ timeout: 10000 });
  const preview = await browser.$('[data-testid="rr-preview"]').getText();
  assert.match(preview, /\/img\/obama[23]\.jpg/, "the preview cites the image's address");
  assert.match(preview, /To: fakeweb\.example <abuse@fakeweb\.example>/, "addressed to the site");

  const pdf = join(outDir, "takedown.pdf");
  await browser.$('[data-testid="rr-format-pdf"]').click();
  await browser.$('[data-testid="rr-path"]').setValue(pdf);
  await browser.$('[data-testid="rr-save"]').click();
  await browser.$('[data-testid="rr-saved"]').waitForDisplayed({ timeout: 20000 });
  assert.ok(existsSync(pdf), "the PDF was written");
  const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
  assert.match(text, /TAKE IT DOWN/i);
  assert.match(text, /\/img\/obama[23]\.jpg/);
  assert.match(text, /Alex Example/);
  assert.match(text, /[0-9a-f]{64}/, "the image is identified by its SHA-256");

  // The window saved it through the CLI's core path: one `letter.drafted` entry with the case,
  // the kind, the format and the finding's id (crates/takeback-cli/tests/letters.rs checks the
  // same shape from `takeback letter`).
  const drafted = await browser.execute(async () => {
    const log = await window.__TAURI_INTERNALS__.invoke("get_audit_log", { limit: 100 });
    return log.entries.filter((e) => e.action === "letter.drafted");
  });
  assert.equal(drafted.length, 1, "one audit entry for one saved letter");
  const detail = JSON.parse(drafted[0].detail);
  assert.equal(detail.kind, "takeitdown");
  assert.equal(detail.format, "pdf");
  assert.equal(detail.findings.length, 1);
  assert.equal(typeof detail.case_id, "number");

  await browser.$('[data-testid="rr-sent"]').click();
  await browser.$('[data-testid="rr-sent-done"]').waitForDisplayed({ timeout: 5000 });
  await browser.$('[data-testid="nav-cases"]').click();
  const countdown = await browser.$('[data-testid="case-countdown"]');
  await countdown.waitForDisplayed({ timeout: 5000 });
  assert.match(await countdown.getText(), /Legal deadline.*(1 day 23 hours|2 days) left/);
  assert.equal(await browser.$('[data-testid="case"]').getAttribute("data-state"), "sent");
});

test("evidence was kept on confirm, and a re-check notices when the picture is taken down", async () => {
  const { browser } = app;
  const confirmedImage = web.requests.filter((p) => /^\/img\/obama[23]\.jpg$/.test(p));
  assert.ok(confirmedImage.length >= 2, "the confirmed image was fetched again for the evidence");
  await browser.$('[data-testid="nav-findings"]').click();
  await browser.$('[data-testid="filter-confirmed"]').click();
  await browser.$('[data-testid="recheck"]').click();
  await browser.$('[data-testid="recheck-summary"]').waitForDisplayed({ timeout: 30000 });
  assert.match(await browser.$('[data-testid="recheck-summary"]').getText(), /Checked 1: 0 gone, 1 still online/);

  const url = await browser.$('[data-testid="finding"]').getText();
  const path = url.match(/\/img\/obama[23]\.jpg/)[0];
  web.takeDown(path);
  await browser.$('[data-testid="recheck"]').click();
  await browser.waitUntil(async () => /1 gone/.test(await browser.$('[data-testid="recheck-summary"]').getText()), {
    timeout: 30000,
    timeoutMsg: "the re-check did not notice the takedown",
  });
  await browser.$('[data-testid="filter-removed"]').click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="finding"]').length) === 1, { timeout: 5000 });
  assert.equal(await browser.$('[data-testid="finding"]').getAttribute("data-status"), "removed");
});

test("a search service against its loopback API: key to the keyring, exact preview, consent, results re-checked here", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-providers"]').click();
  const card = await browser.$('[data-testid="provider-tineye"]');
  await card.waitForDisplayed({ timeout: 5000 });
  await card.$("summary").click();
  await browser.$('[data-testid="provider-url-tineye"]').setValue(`${web.base}/tineye/rest/`);
  await browser.$('[data-testid="provider-save-url-tineye"]').click();
  await browser.$('[data-testid="provider-feedback-tineye"]').waitForDisplayed({ timeout: 5000 });
  await browser.$('[data-testid="provider-key-tineye"]').setValue(web.tineyeKey);
  await browser.$('[data-testid="provider-save-key-tineye"]').click();
  await browser.$('[data-testid="provider-has-key-tineye"]').waitForDisplayed({ timeout: 10000 });
  if (!(await browser.$('[data-testid="provider-enabled-tineye"]').isSelected())) {
    await browser.$('[data-testid="provider-enabled-tineye"]').click();
  }
  await browser.waitUntil(() => browser.$('[data-testid="provider-enabled-tineye"]').isSelected(), { timeout: 5000 });

  await browser.$('[data-testid="nav-scan"]').click();
  await pickFiles(browser, "gate-file", [join(facesDir, "facerec", "obama.jpg")]);
  await browser.$('[data-testid="gate-search"]').waitForDisplayed({ timeout: 30000 });
  await browser.$('[data-testid="gate-search"]').click();
  await browser.$('[data-testid="gate-kept"]').waitForDisplayed({ timeout: 30000, timeoutMsg: "the photo was not kept" });
  assert.equal(web.uploads.length, 0, "nothing is sent before consent");
  await browser.$('[data-testid="preview-tineye"]').click();
  const approve = await browser.$('[data-testid="approve-tineye"]');
  await approve.waitForDisplayed({ timeout: 30000 });
  assert.match(await browser.$('[data-testid="consent-tineye"]').getText(), /location and camera details removed/);
  await approve.click();
  await browser.$('[data-testid="consent-tineye"]').$("span=Approved for this session").waitForDisplayed({ timeout: 10000 });

  await browser.$('[data-testid="start-scan"]').click();
  const summary = await browser.$('[data-testid="scan-summary"]');
  await browser.waitUntil(async () => (await summary.isDisplayed()) && /TinEye/.test(await summary.getText()), {
    timeout: 120000,
    timeoutMsg: "the scan with TinEye did not finish",
  });
  assert.match(await summary.getText(), /TinEye: 1 result, 1 confirmed on this computer/);
  assert.equal(web.uploads.length, 1, "exactly one search was sent");
  assert.ok(!web.uploads[0].includes("Exif"), "the upload carries no EXIF");
  assert.ok(web.requests.includes("/img/obama-720p.jpg"), "the hit was fetched and checked on this computer");
});

test("a finding marked \"not me\" is refused in a letter, as from the CLI", async () => {
  const { browser } = app;
  // Last in this file: dismissing an image of the owner's face teaches the "not me" memory.
  const answer = await browser.execute(async () => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    const sites = await invoke("list_findings", { status: "new" });
    const finding = sites.flatMap((s) => s.findings)[0];
    if (!finding) return { missing: true };
    await invoke("dismiss_finding", { id: finding.id });
    const order = {
      finding_ids: [finding.id],
      kind: "abuse",
      regime: null,
      as_representative: false,
      recipient: { name: "", address: null },
      work: null,
      context: null,
      offence_country: null,
      body: null,
    };
    try {
      await invoke("draft_letter", { order });
      return { refused: null };
    } catch (e) {
      return { refused: e };
    }
  });
  assert.ok(!answer.missing, "a new finding to dismiss");
  assert.equal(answer.refused?.code, "refused");
  assert.match(answer.refused?.message ?? "", /not me/);
});
