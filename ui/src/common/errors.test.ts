import { describe, expect, it } from "vitest";
import { IpcFailure, type ErrorCode } from "../ipc";
import { CODE_TEXT, describeError, errorText } from "./errors";

const failure = (code: ErrorCode, message: string) => new IpcFailure({ code, message });

describe("describeError", () => {
  it("gives every code its own sentence and a next step", () => {
    const codes = Object.keys(CODE_TEXT) as ErrorCode[];
    expect(codes.sort()).toEqual(["corrupt", "external", "internal", "invalid_input", "io", "locked", "not_found", "refused"]);
    const sentences = new Set(codes.map((c) => describeError(failure(c, "x")).message));
    expect(sentences.size).toBe(codes.length);
    for (const code of codes) {
      const d = describeError(failure(code, "x"));
      expect(d.code).toBe(code);
      expect(d.message).toMatch(/^[A-Z].*\.$/);
      expect(d.nextStep).toMatch(/^[A-Z].*\.$/);
    }
  });

  it("keeps the core's words where they say what exactly was wrong", () => {
    const d = describeError(failure("locked", "wrong passphrase for this profile; try again (passphrases are case-sensitive)"));
    expect(d.message).toBe(
      "This profile is locked: wrong passphrase for this profile; try again (passphrases are case-sensitive).",
    );
    expect(d.nextStep).toContain("capital letters count");
    expect(d.technical).toBeNull();
    expect(describeError(failure("refused", "this face looks under 18")).message).toBe(
      "Takeback stopped this to keep you safe: this face looks under 18.",
    );
  });

  it("folds technical words away for file, stored-data and internal failures", () => {
    const d = describeError(failure("io", "writing `/home/sam/letter.pdf` failed: Permission denied (os error 13)"));
    expect(d.message).toBe("Takeback could not read or write a file on this computer.");
    expect(d.message).not.toContain("os error");
    expect(d.technical).toBe("writing `/home/sam/letter.pdf` failed: Permission denied (os error 13)");
    expect(describeError(failure("internal", "the letter template `dmca` is broken")).nextStep).toContain("report");
  });

  it("lets the page name the action that failed", () => {
    expect(describeError(failure("invalid_input", "`0` is not a valid value"), "The setting was not saved").message).toBe(
      "The setting was not saved: `0` is not a valid value.",
    );
    expect(describeError(failure("corrupt", "vault damaged"), "The findings could not be read").message).toBe(
      "The findings could not be read.",
    );
  });

  it("shows the core's message only for a code this window does not know", () => {
    const d = describeError({ code: "rate_limited", message: "slow down for a minute" });
    expect(d.code).toBe("rate_limited");
    expect(d.message).toBe("Slow down for a minute.");
    expect(d.nextStep).toBe("Nothing was lost or sent. Please try again.");
  });

  it("reads the {code, message} a scan event carries like a failed command", () => {
    expect(describeError({ code: "external", message: "TinEye did not answer" }).message).toBe(
      "Something outside Takeback did not work: TinEye did not answer.",
    );
  });

  it("shows the window's own messages as written, and something calm for anything else", () => {
    expect(describeError("The two passphrases are not the same.")).toEqual({
      code: null,
      message: "The two passphrases are not the same.",
      nextStep: null,
      technical: null,
    });
    expect(describeError(new Error("a.jpg is larger than 64 MB; use a smaller copy"), "The photo could not be checked").message).toBe(
      "The photo could not be checked: a.jpg is larger than 64 MB; use a smaller copy.",
    );
    expect(describeError(undefined)).toEqual({
      code: null,
      message: "Something went wrong.",
      nextStep: "Nothing was lost or sent. Please try again.",
      technical: null,
    });
    expect(errorText(failure("not_found", "there is no case 4"))).toBe(
      "Takeback could not find that: there is no case 4. It may have been removed already. Open the list again to see what is there now.",
    );
  });
});
