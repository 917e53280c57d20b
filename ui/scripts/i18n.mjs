#!/usr/bin/env node
/**
 * The message catalogue's guard and its pseudo-locales, run before every check, test and build.
 *
 * 1. Every translated locale (messages/<locale>.json, written by people) has exactly the keys of
 *    the English source, and each message uses the same {placeholders}: a missing or extra key, or
 *    a dropped placeholder, fails with its name.
 * 2. The pseudo-locales are generated from English, so they never drift: `en-XA` is about 40 %
 *    longer and accented (catches clipped text and hard-coded strings), `ar-XB` is right-to-left
 *    (catches physical left/right in the CSS). They are gitignored and only selectable in
 *    development and test builds (see src/common/locale.svelte.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ui = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(ui, "messages");
const settings = JSON.parse(readFileSync(join(ui, "project.inlang", "settings.json"), "utf8"));
const PSEUDO = ["en-XA", "ar-XB"];
const SOURCE = settings.baseLocale;
const translated = settings.locales.filter((l) => l !== SOURCE && !PSEUDO.includes(l));

const read = (locale) => JSON.parse(readFileSync(join(dir, `${locale}.json`), "utf8"));
const keys = (catalogue) => Object.keys(catalogue).filter((k) => k !== "$schema");

/** Every string inside a message (a plain one, or the texts of its variants). */
function texts(message) {
  if (typeof message === "string") return [message];
  if (Array.isArray(message)) return message.flatMap((m) => Object.values(m.match ?? {}).flatMap(texts));
  return [];
}
const placeholders = (message) =>
  [...new Set(texts(message).flatMap((t) => [...t.matchAll(/\{(\w+)\}/g)].map((x) => x[1])))].sort().join(",");

const source = read(SOURCE);
const problems = [];
for (const locale of translated) {
  const other = read(locale);
  for (const k of keys(source)) {
    if (!(k in other)) problems.push(`${locale}: missing key "${k}"`);
    else if (placeholders(source[k]) !== placeholders(other[k]))
      problems.push(`${locale}: "${k}" uses {${placeholders(other[k])}}, English uses {${placeholders(source[k])}}`);
    else if (texts(other[k]).some((t) => t.trim() === "")) problems.push(`${locale}: "${k}" is empty`);
  }
  for (const k of keys(other)) if (!(k in source)) problems.push(`${locale}: extra key "${k}" (not in ${SOURCE}.json)`);
}
if (problems.length) {
  console.error(`Message catalogue check failed (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}

const ACCENTS = { a: "á", e: "é", i: "î", o: "ö", u: "ü", c: "ç", n: "ñ", s: "š", y: "ý", z: "ž",
  A: "Å", E: "É", I: "Î", O: "Ö", U: "Û", C: "Ç", N: "Ñ", S: "Š", Y: "Ý", Z: "Ž" };
/** Accents letters outside {placeholders} and pads the text to about 140 % of its length. */
function longer(text) {
  const accented = text.split(/(\{\w+\})/).map((part) => (part.startsWith("{") ? part : part.replace(/[a-zA-Z]/g, (ch) => ACCENTS[ch] ?? ch))).join("");
  const pad = Math.ceil(text.replace(/\{\w+\}/g, "").length * 0.4);
  const filler = "ŵîðé ţéxţ ".repeat(Math.ceil(pad / 10) + 1).slice(0, Math.max(pad - 2, 0)).trimEnd();
  return text.trim() === "" ? text : `⟦${accented}${filler ? ` ${filler}` : ""}⟧`;
}
/** Right-to-left: the text is wrapped in an isolate so it reads as RTL content in an RTL page. */
const rtl = (text) => (text.trim() === "" ? text : `\u2067${text}\u2069`);

function transform(message, fn) {
  if (typeof message === "string") return fn(message);
  return message.map((m) => ({ ...m, match: Object.fromEntries(Object.entries(m.match).map(([k, v]) => [k, fn(v)])) }));
}
for (const [locale, fn] of [["en-XA", longer], ["ar-XB", rtl]]) {
  const out = { $schema: source.$schema };
  for (const k of keys(source)) out[k] = transform(source[k], fn);
  writeFileSync(join(dir, `${locale}.json`), `${JSON.stringify(out, null, 2)}\n`);
}
console.log(`Messages: ${keys(source).length} keys; ${translated.join(", ")} complete; pseudo-locales ${PSEUDO.join(", ")} generated.`);
