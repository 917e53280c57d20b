import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "../paraglide/runtime";
import {
  ADVICE,
  CONTACT,
  CONTACT_NOTE,
  DEADLINE_NOTE,
  EVENT_REASON,
  FETCH_WHY,
  GATE,
  NEXT_STEP,
  PROBLEM,
  PROVIDER_KEPT,
  PROVIDER_SENT,
  PROVIDER_WHY,
  UNVERIFIED_WHY,
  adviceText,
  contactNote,
  eventReasonText,
  providerRunText,
  siteName,
  unverifiedWhy,
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
  host: "forum.example",
  domain: "forum.example",
  ip: "192.0.2.7",
  date: "2025-01-31",
  destination: "https://api.tineye.com",
  fetch: { code: "http_status", status: 403 },
  total: 4,
  unreadable: 1,
  failures: 3,
  why: { code: "offline" },
  recipient: "Example Hosting",
  due: "2026-03-02",
  next: { code: "write_to_host" },
  provider: "tineye",
  max_per_month: 10,
} as const;

const MAPS = {
  ADVICE,
  PROBLEM,
  GATE,
  DEADLINE_NOTE,
  NEXT_STEP,
  CONTACT,
  CONTACT_NOTE,
  PROVIDER_WHY,
  FETCH_WHY,
  UNVERIFIED_WHY,
  // Said with the event's site.
  EVENT_REASON: Object.fromEntries(Object.entries(EVENT_REASON).map(([code, say]) => [code, (x: never) => say(x, "forum.example")])),
} as const;

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

  it("say contact notes, skipped services, unverified results and monitoring events", () => {
    setLocale("es", { reload: false });
    expect(contactNote({ code: "registrar_abuse_hidden", domain: "forum.example" })).toBe(
      "La empresa con la que está registrado forum.example no publica su dirección para denunciar abusos (o la oculta).",
    );
    expect(contactNote({ code: "site_unreachable" })).toBe("No se pudo contactar con el sitio.");
    expect(providerRunText({ outcome: "skipped", provider: "tineye", reason: "English for the CLI", why: { code: "no_consent" } })).toBe(
      "TinEye: omitido — no diste permiso para enviarle tu foto (no se envió nada)",
    );
    expect(unverifiedWhy({ code: "none_shows_you", total: 5, unreadable: 2 })).toBe(
      "ninguna de las 5 imágenes de su página te muestra a ti (2 de ellas no se pudieron abrir)",
    );
    expect(unverifiedWhy({ code: "page_not_fetched", fetch: { code: "timeout" } })).toBe("no se pudo abrir su página: el sitio no respondió a tiempo");
    expect(eventReasonText({ site: "this computer", reason: { code: "file_gone" } })).toBe(
      "La imagen de esta computadora ya no está: el archivo ya no existe.",
    );
    expect(
      eventReasonText({ site: null, reason: { code: "monthly_limit", provider: "facecheck", max_per_month: 1 } }),
    ).toBe("FaceCheck.ID se usó una vez este mes, lo máximo que permitiste. No se vuelve a usar hasta el mes que viene.");
    // An event recorded before the core kept a reason is said by its kind (null here).
    expect(eventReasonText({ site: "forum.example", reason: null })).toBeNull();
    expect(siteName("forum.example")).toBe("forum.example");
    setLocale("en", { reload: false });
    expect(siteName("this computer")).toBe("this computer");
    expect(
      eventReasonText({ site: "forum.example", reason: { code: "deadline_passed", recipient: "Example Hosting", due: "2026-03-02", next: { code: "write_to_host" } } }),
    ).toMatch(/^The deadline of your letter to Example Hosting passed on .*2026 and the picture on forum\.example is still online\. Next: /);
  });
});
