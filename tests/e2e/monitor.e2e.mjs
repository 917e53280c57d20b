// Issue 11 in the real window: the owner watches a loopback site, presses "Check now" on Home,
// and the inbox lists what monitoring found (two new pictures); after the site takes one down,
// the next check lists it as taken down. Marking all as read empties the "new" count.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startFakeWeb } from "./fakeweb.mjs";
import { createClinicProfile, facesDir, launchApp } from "./harness.mjs";
import { pickFiles } from "./harness.mjs";

let app;
let web;

before(async () => {
  web = await startFakeWeb(facesDir);
  app = await launchApp({ port: 4448, env: { TAKEBACK_ALLOW_LOCAL_NETWORK: "1" } });
  await createClinicProfile(app.browser, "Monitor test", "a long enough passphrase");
});

after(async () => {
  await app?.close();
  await web?.close();
});

const kinds = async (browser) => {
  const items = await browser.$$('[data-testid="inbox-event"]');
  const out = [];
  for (const item of items) out.push(await item.getAttribute("data-kind"));
  return out.sort();
};

async function checkNow(browser) {
  await browser.$('[data-testid="nav-home"]').click();
  await browser.$('[data-testid="inbox-run"]').waitForClickable({ timeout: 10000 });
  await browser.$('[data-testid="inbox-run"]').click();
  await browser.$('[data-testid="inbox-result"]').waitForDisplayed({ timeout: 180000 });
}

test("a monitoring cycle runs from Home and the inbox shows its events", async () => {
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
  await browser.$('[data-testid="sources"]').waitForDisplayed({ timeout: 5000 });

  const t0 = performance.now();
  await checkNow(browser);
  console.log(`# first monitoring cycle from the window: ${(performance.now() - t0).toFixed(0)} ms`);
  assert.match(await browser.$('[data-testid="inbox-result"]').getText(), /2 updates/);
  assert.deepEqual(await kinds(browser), ["new_finding", "new_finding"]);
  assert.match(await browser.$('[data-testid="inbox-unread"]').getText(), /2 new/);

  // Nothing changed: a quiet check adds nothing.
  await checkNow(browser);
  assert.match(await browser.$('[data-testid="inbox-result"]').getText(), /Nothing new/);
  assert.equal((await kinds(browser)).length, 2);

  await browser.$('[data-testid="inbox-read-all"]').click();
  await browser.waitUntil(async () => !(await browser.$('[data-testid="inbox-unread"]').isExisting()), { timeout: 5000 });
  const read = await browser.$$('[data-testid="inbox-event"]');
  for (const item of read) assert.equal(await item.getAttribute("data-read"), "true");
});
