import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "../paraglide/runtime";
import { m } from "../paraglide/messages";
import { formatCount, formatList } from "./intl";

afterEach(() => setLocale("en", { reload: false }));

describe("counts in the window's language", () => {
  it("group thousands as the language does", () => {
    expect(formatCount(1980)).toBe("1,980");
    expect(formatCount(999)).toBe("999");
    setLocale("es", { reload: false });
    // Spanish groups from five digits (CLDR minimum grouping digits 2): 1980, but 12.345.
    expect(formatCount(1980)).toBe("1980");
    expect(formatCount(12345)).toBe("12.345");
  });

  it("are grouped inside plural messages too", () => {
    expect(m.count_findings({ count: 1 })).toBe("1 finding");
    expect(m.count_findings({ count: 12345 })).toBe("12,345 findings");
    expect(m.home_enroll_done({ count: 1500 })).toContain("1,500");
    setLocale("es", { reload: false });
    expect(m.count_findings({ count: 12345 })).toBe("12.345 hallazgos");
  });

  it("join lists as the language does", () => {
    expect(formatList([3, 5, 1200])).toBe("3, 5, and 1,200");
    setLocale("es", { reload: false });
    expect(formatList([3, 5, 8])).toBe("3, 5 y 8");
  });
});
