// Issue 18: the first-time journey in Spanish, in the real window, from the first run to a saved
// letter, with axe-core (injected through WebDriver) run at every step and dialog: no serious or
// critical violation, contrast included. The letter itself stays in English (its legal language);
// the editor explains that in Spanish and summarises what the letter says.
// It saves Spanish screenshots of Home, Findings and the letter editor in artifacts/; with
// TAKEBACK_REVIEW_SCREENSHOTS=1 in docs/review/ instead (a plain run must not rewrite tracked files).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startFakeWeb } from "./fakeweb.mjs";
import { artifactsDir, createClinicProfile, facesDir, launchApp, pickFiles, repoRoot, visibleTakebackWindows } from "./harness.mjs";

const reviewDir = process.env.TAKEBACK_REVIEW_SCREENSHOTS === "1" ? join(repoRoot, "docs", "review") : artifactsDir;
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const photo = (name) => join(facesDir, "facerec", name);

let app;
let web;

before(async () => {
  web = await startFakeWeb(facesDir);
  app = await launchApp({
    port: 4458,
    env: { TAKEBACK_ALLOW_LOCAL_NETWORK: "1" },
    seed: (data) =>
      writeFileSync(join(data, "settings.toml"), `language = "es"\n"rdap.bootstrap_base" = "${web.base}/rdap/"\n`),
  });
});

after(async () => {
  await app?.close();
  await web?.close();
});

async function screenshot(name) {
  mkdirSync(reviewDir, { recursive: true });
  // WebKitWebDriver's own screenshot command hangs on some of these pages (it waits for a paint
  // that never comes), so the window is captured from the X display instead (ImageMagick).
  const [win] = visibleTakebackWindows();
  assert.ok(win, "no visible Takeback window to capture");
  await app.browser.pause(300);
  execFileSync("import", ["-window", win, join(reviewDir, name)]);
}

/** The texts marked English inside `selector`: the core's sentences the window could not say itself. */
function englishInside(selector) {
  return app.browser.execute(
    (sel) => [...document.querySelectorAll(`${sel} [lang="en"]`)].map((el) => `${el.dataset.testid ?? el.tagName}: ${el.textContent.trim().slice(0, 60)}`),
    selector,
  );
}

async function assertAccessible(where) {
  const { browser } = app;
  if (!(await browser.execute(() => typeof window.axe === "object"))) await browser.execute(axeSource);
  const violations = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }))))
      .catch((e) => done([{ id: "axe-error", impact: "critical", nodes: [String(e)] }]));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `${where}: ${JSON.stringify(bad)}`);
}

test("first run in Spanish: the welcome, a profile, Home", async () => {
  const { browser } = app;
  await browser.$('[data-testid="profile-picker"]').waitForDisplayed({ timeout: 10000 });
  assert.equal(await browser.$("h1").getText(), "Te damos la bienvenida a Takeback");
  await assertAccessible("bienvenida");
  await createClinicProfile(browser, "Viaje", "una frase de acceso larga");
  assert.equal(await browser.$("h1").getText(), "Inicio");
  assert.match(await browser.$('[data-testid="home-next"]').getText(), /Siguiente paso/);
  await assertAccessible("inicio");
});

test("enrollment and the details for letters, in Spanish", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-profile"]').click();
  await pickFiles(browser, "enroll-files", [photo("obama.jpg"), photo("obama2.jpg")]);
  await browser.waitUntil(
    async () => (await browser.$$('[data-testid="picked-photo"]').map((li) => li.getAttribute("data-ok"))).join() === "true,true",
    { timeout: 30000, timeoutMsg: "expected two good photos" },
  );
  assert.match(await browser.$('[data-testid="enroll-why"]').getText(), /Marca la declaración/);
  await assertAccessible("perfil, fotos elegidas");
  await browser.$('[data-testid="enroll-confirm"]').click();
  assert.equal((await browser.$('[data-testid="enroll-submit"]').getText()).trim(), "Registrar 2 fotos");
  await browser.$('[data-testid="enroll-submit"]').click();
  await browser.$('[data-testid="reference-count"]').waitForDisplayed({ timeout: 15000 });
  await browser.$('[data-testid="identity-name"]').setValue("Alex Example");
  await browser.$('[data-testid="identity-email"]').setValue("alex@example.org");
  await browser.$('[data-testid="identity-country"]').setValue("US");
  await browser.$('[data-testid="identity-save"]').click();
  await browser.$('[data-testid="identity-message"]').waitForDisplayed({ timeout: 5000 });
  assert.match(await browser.$('[data-testid="identity-message"]').getText(), /Las cartas se firmarán/);
  await assertAccessible("perfil");
});

test("a scan of a (loopback) site finds the owner, and Findings is in Spanish", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-scan"]').click();
  await browser.$('[data-testid="site-url"]').setValue(`${web.base}/`);
  await browser.$('[data-testid="add-site"]').click();
  await browser.waitUntil(async () => /127\.0\.0\.1/.test(await browser.$('[data-testid="sources"]').getText()), { timeout: 5000 });
  await browser.$('[data-testid="start-scan"]').click();
  const summary = await browser.$('[data-testid="scan-summary"]');
  await browser.waitUntil(async () => /posibles? coincidencias?/.test(await summary.getText().catch(() => "")), {
    timeout: 120000,
    timeoutMsg: "the scan of the fake web did not finish",
  });
  assert.match(await browser.$('[data-testid="scan-headline"]').getText(), /Búsqueda terminada/);
  await assertAccessible("buscar, terminada");
  await browser.$('[data-testid="show-findings"]').click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="finding"]').length) >= 1, { timeout: 10000 });
  assert.match(await browser.$('[data-testid="finding"]').getText(), /Soy yo/);
  await assertAccessible("hallazgos");
  await screenshot("es-findings.png");
  await browser.execute(() => document.querySelector('[data-testid="finding"]')?.focus());
  await browser.keys(["y"]);
  await browser.$('[data-testid="finding-request-removal"]').waitForDisplayed({ timeout: 5000 });
});

test("the advisor and the letter editor: the letter stays in English, explained in Spanish", async () => {
  const { browser } = app;
  await browser.$('[data-testid="finding-request-removal"]').click();
  await browser.$('[data-testid="request-removal"]').waitForDisplayed({ timeout: 5000 });
  await assertAccessible("solicitud de retirada");
  await browser.$('[data-testid="rr-region"]').selectByAttribute("value", "us");
  await browser.$('[data-testid="rr-suggest"]').click();
  await browser.$('[data-testid="rr-recommended"]').waitForDisplayed({ timeout: 5000 });
  assert.match(await browser.$('[data-testid="rr-recommended"]').getText(), /Recomendado/);
  // The advisor's reasons and cautions are the core's coded sentences, said in Spanish.
  assert.match(await browser.$('[data-testid="rr-recommended"]').getText(), /La ley TAKE IT DOWN obliga a las plataformas de EE\. UU\./);
  await browser.$('[data-testid="rr-things"] summary').click();
  assert.match(await browser.$('[data-testid="rr-things"]').getText(), /Nunca envíes la imagen/);
  assert.deepEqual(await englishInside("main"), [], "the advice holds no English sentence");
  await assertAccessible("consejo");
  await browser.$('[data-testid="rr-lookup"]').click();
  await browser.$('[data-testid="rr-contacts"]').waitForDisplayed({ timeout: 30000 });
  // Who each contact is and what could not be looked up are the core's codes, said in Spanish.
  assert.deepEqual(await englishInside("main"), [], "the contacts and their notes hold no English sentence");
  await browser.$("//ul[@data-testid='rr-contacts']//label[contains(., 'abuse@fakeweb.example')]/input").click();
  await browser.$('[data-testid="rr-draft"]').click();
  await browser.$('[data-testid="rr-complete"]').waitForDisplayed({ timeout: 10000 });
  assert.equal((await browser.$('[data-testid="rr-recipient"]').getText()).trim(), "Se envía a: fakeweb.example <abuse@fakeweb.example>");
  const note = await browser.$('[data-testid="rr-english-note"]').getText();
  assert.match(note, /Esta carta está en inglés a propósito/);
  // The letter is English, and marked so for screen readers.
  assert.match(await browser.$('[data-testid="rr-preview"]').getText(), /^To: fakeweb\.example/m);
  assert.equal(await browser.$('[data-testid="rr-preview"]').getAttribute("lang"), "en");
  await assertAccessible("editor de la carta");
  await browser.execute(() => {
    document.querySelector('[data-testid="rr-english-note"]')?.scrollIntoView({ block: "start" });
    // Show the step's heading above the note too.
    document.querySelector("main")?.scrollBy(0, -110);
    window.scrollBy(0, -110);
  });
  await screenshot("es-letter-editor.png");

  await browser.$('[data-testid="rr-path"]').setValue(join(app.dataDir, "carta.eml"));
  await browser.$('[data-testid="rr-save"]').click();
  await browser.$('[data-testid="rr-saved"]').waitForDisplayed({ timeout: 10000 });
  assert.match(await browser.$('[data-testid="rr-saved"]').getText(), /^Guardado en /);
  assert.match(readFileSync(join(app.dataDir, "carta.eml"), "utf8"), /^Subject: /m, "the saved letter is the English one");
  await browser.$('[data-testid="rr-sent"]').click();
  await browser.$('[data-testid="rr-sent-done"]').waitForDisplayed({ timeout: 5000 });
  await assertAccessible("carta guardada");
});

test("Home after the journey, in Spanish", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-home"]').click();
  await browser.$('[data-testid="page-home"]').waitForDisplayed({ timeout: 5000 });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="home-step"][data-done="true"]').length) >= 2, { timeout: 5000 });
  assert.match(await browser.$('[data-testid="page-home"]').getText(), /Dónde estás/);
  await assertAccessible("inicio, al final");
  await screenshot("es-home.png");
});

test("a scan that cannot reach a site says why in Spanish, with no English sentence", async () => {
  const { browser } = app;
  await browser.$('[data-testid="nav-scan"]').click();
  // Port 9 on this computer: nothing listens, so the connection is refused at once.
  await browser.$('[data-testid="site-url"]').setValue("http://127.0.0.1:9/");
  await browser.$('[data-testid="add-site"]').click();
  await browser.waitUntil(async () => /127\.0\.0\.1:9/.test(await browser.$('[data-testid="sources"]').getText()), { timeout: 5000 });
  await browser.$('[data-testid="start-scan"]').click();
  const problem = await browser.$('[data-testid="scan-problems"] li[data-kind="unreachable"]');
  await problem.waitForDisplayed({ timeout: 120000, timeoutMsg: "the scan did not report the unreachable site" });
  assert.match(await problem.getText(), /^No se revisó nada en 127\.0\.0\.1:9: no se pudo llegar al sitio\./);
  assert.deepEqual(await englishInside("main"), [], "the scan page holds no English sentence");
  await assertAccessible("buscar, un sitio sin respuesta");
});
