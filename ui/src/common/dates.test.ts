import { describe, expect, it } from "vitest";
import { longDate, longDateTime } from "./dates";

describe("dates", () => {
  it("spells the month, so 12/7 cannot be read as July", () => {
    const text = longDate("2026-12-07T12:00:00Z");
    expect(text).toMatch(/December/);
    expect(text).toMatch(/2026/);
    expect(text).not.toMatch(/12\/7/);
    expect(longDateTime("2026-12-07T12:00:00Z")).toMatch(/December/);
  });

  it("shows what it cannot read as it is", () => {
    expect(longDate("not a date")).toBe("not a date");
  });
});
