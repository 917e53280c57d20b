import { afterEach, describe, expect, it } from "vitest";
import { resolveLanguage } from "./locale.svelte";
import { describeError } from "./errors";
import { setLocale } from "../paraglide/runtime";
import { m } from "../paraglide/messages";

afterEach(() => setLocale("en", { reload: false }));

describe("resolveLanguage", () => {
  it("follows an explicit choice", () => {
    expect(resolveLanguage("es", ["en-US"])).toBe("es");
    expect(resolveLanguage("en", ["es-MX"])).toBe("en");
  });
  it("takes the first supported OS language for 'system'", () => {
    expect(resolveLanguage("system", ["es-MX", "en-US"])).toBe("es");
    expect(resolveLanguage("system", ["fr-FR", "es-ES"])).toBe("es");
    expect(resolveLanguage("system", ["de-DE"])).toBe("en");
    expect(resolveLanguage("system", [])).toBe("en");
  });
  it("allows the pseudo-locales in tests", () => {
    expect(resolveLanguage("en-XA", [])).toBe("en-XA");
    expect(resolveLanguage("ar-XB", [])).toBe("ar-XB");
  });
});

describe("messages in Spanish", () => {
  it("choose the plural form with Intl's rules", () => {
    setLocale("es", { reload: false });
    expect(m.locked_after({ minutes: 1 })).toBe("Se bloqueó tras 1 minuto sin uso.");
    expect(m.locked_after({ minutes: 10 })).toBe("Se bloqueó tras 10 minutos sin uso.");
  });

  it("never show the core's English words inline: they are folded away for a report", () => {
    const error = { code: "locked", message: "wrong passphrase" };
    expect(describeError(error).message).toBe("This profile is locked: wrong passphrase.");
    setLocale("es", { reload: false });
    const d = describeError(error);
    expect(d.message).toBe("Este perfil está bloqueado.");
    expect(d.nextStep).toMatch(/^Revisa la frase de acceso/);
    expect(d.technical).toBe("wrong passphrase");
  });
});
