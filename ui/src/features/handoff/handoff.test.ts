import { describe, expect, it } from "vitest";
import { passphraseWords, size, ticked } from "./handoff";

describe("handoff helpers", () => {
  it("lists the ticked ids in order", () => {
    expect(ticked({ 3: true, 1: true, 2: false })).toEqual([1, 3]);
    expect(ticked({})).toEqual([]);
  });

  it("splits a generated passphrase into words", () => {
    expect(passphraseWords("abandon-ability-able")).toEqual(["abandon", "ability", "able"]);
  });

  it("says sizes in plain units", () => {
    expect(size(512)).toBe("512 bytes");
    expect(size(2048)).toBe("2.0 KB");
    expect(size(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(size(null)).toBe("size unknown");
  });
});
