import { describe, expect, it } from "vitest";
import { countdown } from "./countdown";

describe("countdown", () => {
  const now = Date.parse("2026-11-26T12:00:00Z");
  it("counts days and hours to a 48-hour deadline", () => {
    expect(countdown("2026-11-28T12:00:00Z", now)).toEqual({ text: "2 days left", overdue: false });
    expect(countdown("2026-11-27T15:30:00Z", now)).toEqual({ text: "1 day 3 hours left", overdue: false });
  });
  it("says how long a deadline is overdue", () => {
    expect(countdown("2026-11-26T07:00:00Z", now)).toEqual({ text: "overdue by 5 hours", overdue: true });
  });
  it("never shows zero minutes", () => {
    expect(countdown("2026-11-26T12:00:10Z", now).text).toBe("1 minute left");
  });
});
