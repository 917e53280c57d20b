import { afterEach, describe, expect, it } from "vitest";
import type { HistoryEntry_Serialize as HistoryEntry } from "../../ipc";
import { setLocale } from "../../paraglide/runtime";
import { historyText } from "./history";

afterEach(() => setLocale("en", { reload: false }));

const entry = (what: string, case_id: number | null = null): HistoryEntry => ({
  at: "2026-03-02T09:00:00Z",
  what,
  text: "the core's English sentence",
  case_id,
});

describe("a finding's history", () => {
  it("is told from the catalogue, never with the core's English sentence", () => {
    setLocale("es", { reload: false });
    expect(historyText(entry("seen"))).toBe("Encontrada.");
    expect(historyText(entry("confirmed"))).toBe("Confirmaste que eres tú.");
    expect(historyText(entry("case_sent", 4))).toBe("Se envió la carta (caso 4).");
    expect(historyText(entry("case_removed", 4))).toContain("Caso 4:");
    expect(historyText(entry("reappeared"))).toBe("Una imagen volvió a aparecer");
    for (const what of ["seen", "dismissed", "case_drafted", "case_refused", "removed", "changed"]) {
      expect(historyText(entry(what, 1))).not.toContain("English");
    }
  });
});
