// Issue 18 in the real window (WebKitGTK): the window in Spanish, in English and in the
// pseudo-locales, checked where jsdom cannot look.
// - The language comes from Takeback's settings (seeded "es" here), never webview storage, and
//   switching it in Settings changes the whole window at once.
// - axe-core runs inside the real webview (injected through WebDriver) on every page and on the
//   dialogs reachable without a scan, in Spanish and in English: no serious or critical
//   violation, colour contrast included (jsdom cannot compute it).
// - The pseudo-locale en-XA (about 40 % longer, accented) and the right-to-left ar-XB must fit at
//   1280×800 and at 800 px wide: no element's text is clipped or overflows its box, and the page
//   never scrolls sideways.
// Needs the window built with VITE_TAKEBACK_PSEUDO=1 (pseudo-locales exist in test builds only):
//   VITE_TAKEBACK_PSEUDO=1 npm --prefix ui run build && cargo build -p takeback-app --features custom-protocol
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createClinicProfile, launchApp } from "./harness.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PAGES = ["home", "profile", "scan", "findings", "cases", "handoff", "providers", "audit", "settings"];

let app;

before(async () => {
  app = await launchApp({
    port: 4456,
    seed: (data) => writeFileSync(join(data, "settings.toml"), `language = "es"\n`),
  });
});

after(async () => {
  await app?.close();
});

/** Runs axe-core in the window on the whole document; returns the serious and critical violations. */
async function axeViolations(browser) {
  const injected = await browser.execute(() => typeof window.axe === "object");
  if (!injected) await browser.execute(axeSource);
  const result = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } })
      .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5), help: v.help }))))
      .catch((e) => done([{ id: "axe-error", impact: "critical", nodes: [], help: String(e) }]));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function assertAccessible(browser, where) {
  const bad = await axeViolations(browser);
  assert.deepEqual(bad, [], `${where}: ${JSON.stringify(bad, null, 1)}`);
}

/**
 * Clipped or overflowing content: a child box or a run of text that sticks out of its parent while
 * the parent is not a scroll container, text cut by a parent that hides its overflow, and a page
 * that scrolls sideways. Measured with layout boxes, not scrollWidth, because WebKit counts a
 * closed <select>'s longest option in its ancestors' scrollWidth although nothing shows outside.
 * Popovers (absolutely positioned) and visually hidden text are left out by design.
 */
function overflowing(browser) {
  return browser.execute(() => {
    const found = [];
    const skip = new Set(["SELECT", "OPTION", "INPUT", "TEXTAREA", "SCRIPT", "STYLE", "svg", "path", "IMG"]);
    const name = (el) => `${el.tagName.toLowerCase()}${el.dataset?.testid ? `[${el.dataset.testid}]` : el.classList?.[0] ? `.${el.classList[0]}` : ""}`;
    for (const el of document.querySelectorAll("body *")) {
      if (skip.has(el.tagName) || el.closest(".visually-hidden, select")) continue;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const scrolls = ["auto", "scroll"].includes(style.overflowX);
      if (["hidden", "clip"].includes(style.overflowX) && el.scrollWidth - el.clientWidth > 1) {
        found.push(`${name(el)} clips its text: ${el.textContent.trim().slice(0, 50)}`);
      }
      if (scrolls) continue;
      for (const child of el.childNodes) {
        let r;
        if (child.nodeType === Node.TEXT_NODE) {
          if (!child.textContent.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(child);
          r = range.getBoundingClientRect();
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          const cs = getComputedStyle(child);
          if (["absolute", "fixed"].includes(cs.position) || cs.display === "none" || child.classList.contains("visually-hidden")) continue;
          r = child.getBoundingClientRect();
        } else continue;
        if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
          found.push(`${name(el)} overflows by ${Math.round(Math.max(r.right - box.right, box.left - r.left))} px: ${child.textContent.trim().slice(0, 50)}`);
          break;
        }
      }
    }
    const doc = document.documentElement;
    if (doc.scrollWidth - doc.clientWidth > 0) found.push(`the page scrolls sideways by ${doc.scrollWidth - doc.clientWidth} px`);
    return found;
  });
}

async function openPage(browser, id) {
  await browser.$(`[data-testid="nav-${id}"]`).click();
  await browser.$(`[data-testid="page-${id}"]`).waitForDisplayed({ timeout: 5000 });
  // Pages load their data on mount; give them a moment to settle before measuring.
  await browser.pause(400);
}

test("the first screen follows the language setting, and is accessible in Spanish", async () => {
  const { browser } = app;
  await browser.$('[data-testid="profile-picker"]').waitForDisplayed({ timeout: 10000 });
  assert.equal(await browser.execute(() => document.documentElement.lang), "es");
  assert.equal(await browser.$("h1").getText(), "Te damos la bienvenida a Takeback");
  assert.equal((await browser.$('[data-testid="quick-exit"]').getText()).split("\n")[0].trim().startsWith("Salida rápida"), true);
  await assertAccessible(browser, "profile picker (es)");
  // Nothing of the choice is in the webview's storage: it is incognito, the setting is the core's.
  assert.equal(await browser.execute(() => localStorage.length + sessionStorage.length), 0);
});

test("the first screen has its own language switch, which sets the core's setting", async () => {
  const { browser } = app;
  const { dataDir } = app;
  await browser.$('[data-testid="picker-language"]').selectByAttribute("value", "en");
  await browser.waitUntil(async () => (await browser.$("h1").getText()) === "Welcome to Takeback", {
    timeout: 5000,
    timeoutMsg: "the first screen did not switch to English",
  });
  assert.equal(await browser.execute(() => document.documentElement.lang), "en");
  assert.match(readFileSync(join(dataDir, "data", "settings.toml"), "utf8"), /language = "en"/);
  await assertAccessible(browser, "profile picker (en)");
  await browser.$('[data-testid="picker-language"]').selectByAttribute("value", "es");
  await browser.waitUntil(async () => (await browser.$("h1").getText()) === "Te damos la bienvenida a Takeback", {
    timeout: 5000,
    timeoutMsg: "the first screen did not switch back to Spanish",
  });
  assert.match(readFileSync(join(dataDir, "data", "settings.toml"), "utf8"), /language = "es"/);
});

test("every page is in Spanish and has no serious or critical axe violation", async () => {
  const { browser } = app;
  await createClinicProfile(browser, "Alcance", "una frase de acceso larga");
  const labels = await browser.$$('nav [data-testid^="nav-"] .label').map((l) => l.getText());
  assert.deepEqual(labels, ["Inicio", "Perfil y fotos de tu cara", "Buscar", "Hallazgos", "Casos y cartas", "Pruebas y entrega", "Servicios de búsqueda", "Registro", "Ajustes"]);
  for (const id of PAGES) {
    await openPage(browser, id);
    const text = await browser.$(`[data-testid="page-${id}"]`).getText();
    assert.ok(text.length > 0);
    await assertAccessible(browser, `${id} (es)`);
  }
});

test("the findings' reveal-all warning is accessible too", async () => {
  const { browser } = app;
  await openPage(browser, "findings");
  await assertAccessible(browser, "findings (es)");
});

test("switching the language in Settings changes the whole window, and English is accessible", async () => {
  const { browser } = app;
  await openPage(browser, "settings");
  await browser.$("#setting-language").selectByAttribute("value", "en");
  await browser.waitUntil(async () => (await browser.$('[data-testid="nav-home"] .label').getText()) === "Home", {
    timeout: 5000,
    timeoutMsg: "the navigation did not switch to English",
  });
  assert.equal(await browser.execute(() => document.documentElement.lang), "en");
  for (const id of PAGES) {
    await openPage(browser, id);
    await assertAccessible(browser, `${id} (en)`);
  }
});

for (const [locale, dir] of [["en-XA", "ltr"], ["ar-XB", "rtl"]]) {
  test(`in the pseudo-locale ${locale} nothing is clipped or overflows, at 1280×800 and at 800 px`, async () => {
    const { browser } = app;
    const switched = await browser.execute((l) => window.__takebackLanguage?.(l) ?? null, locale);
    assert.equal(switched, locale, "the window was not built with VITE_TAKEBACK_PSEUDO=1");
    assert.equal(await browser.execute(() => document.documentElement.dir), dir);
    for (const [width, height] of [[1280, 800], [800, 800]]) {
      await browser.setWindowSize(width, height);
      await browser.waitUntil(async () => (await browser.execute(() => window.innerWidth)) <= width, { timeout: 5000 });
      for (const id of PAGES) {
        await openPage(browser, id);
        const bad = await overflowing(browser);
        assert.deepEqual(bad, [], `${locale}, ${id} at ${width} px`);
      }
    }
    await browser.setWindowSize(1280, 800);
  });
}
