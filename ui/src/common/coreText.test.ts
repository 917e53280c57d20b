import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "../paraglide/runtime";
import {
  ADVICE,
  CONTACT,
  DEADLINE_NOTE,
  GATE,
  NEXT_STEP,
  PROBLEM,
  PROVIDER_KEPT,
  PROVIDER_SENT,
  adviceText,
  deadlineNote,
  gateText,
  nextStepText,
  problemText,
} from "./coreText";

afterEach(() => setLocale("en", { reload: false }));

/** Every parameter any code takes, so each code can be said without knowing its shape. */
const PARAMS = {
  regime: "uk",
  intimate: true,
  status: 503,
  faces: 2,
  days: 3,
  basis: "gdpr_1m",
  platform: "Instagram",
  purpose: "ncii",
  name: "Example Hosting",
  no_expiry: true,
} as const;

const MAPS = { ADVICE, PROBLEM, GATE, DEADLINE_NOTE, NEXT_STEP, CONTACT } as const;

describe("the core's coded sentences", () => {
  it("each code has words in English and in Spanish, different from each other", () => {
    for (const [name, map] of Object.entries(MAPS)) {
      for (const [code, say] of Object.entries(map)) {
        // A contact only the core describes keeps its English words (marked lang="en").
        if (name === "CONTACT" && code === "other") continue;
        const x = { code, ...PARAMS } as never;
        setLocale("en", { reload: false });
        const en = (say as (x: never) => string)(x);
        setLocale("es", { reload: false });
        const es = (say as (x: never) => string)(x);
        for (const text of [en, es]) {
          expect(text.length, `${name}.${code}`).toBeGreaterThan(5);
          expect(text, `${name}.${code}`).not.toMatch(/undefined|\{\w+\}/);
        }
        expect(es, `${name}.${code} is not translated`).not.toBe(en);
      }
    }
    for (const map of [PROVIDER_SENT, PROVIDER_KEPT]) {
      for (const [id, say] of Object.entries(map)) {
        setLocale("en", { reload: false });
        const en = say();
        setLocale("es", { reload: false });
        expect(say(), id).not.toBe(en);
      }
    }
  });

  it("say their parameters", () => {
    setLocale("es", { reload: false });
    expect(adviceText({ code: "gdpr_fits", regime: "eu", intimate: false })).toMatch(/^Según el RGPD, /);
    expect(gateText({ code: "match", faces: 3 })).toBe("Tu cara es una de las 3 caras de esta foto; está marcada.");
    expect(gateText({ code: "match", faces: 1 })).toBe("Esta es tu cara.");
    expect(deadlineNote({ code: "paused_days", days: 1 })).toBe("Se amplió 1 día mientras el plazo estaba en pausa.");
    expect(nextStepText({ code: "regulator", basis: "gdpr_1m" })).toMatch(/artículo 77 del RGPD/);
    expect(
      problemText({ source_id: 1, place: "forum.example", kind: "site_error", why: { code: "http_error", status: 503 }, reason: "English" }),
    ).toBe("No se revisó nada en forum.example: el sitio respondió con un error (HTTP 503). Revisa la dirección o inténtalo más tarde.");
    setLocale("en", { reload: false });
    // In English the window says what the core says (the core's own sentence is the CLI's).
    expect(
      problemText({ source_id: 1, place: "forum.example", kind: "unreachable", why: { code: "unreachable" }, reason: "" }),
    ).toBe(
      "Nothing was checked on forum.example: the site could not be reached. It may be down, or the address may be mistyped: check it, or try again later.",
    );
  });
});
