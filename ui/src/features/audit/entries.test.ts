import { describe, expect, it } from "vitest";
import { actionLabel, detailSummary } from "./entries";

describe("audit entries in words", () => {
  it("names known actions and shows unknown ones as recorded", () => {
    expect(actionLabel("enrollment.consent")).toBe("Consent recorded");
    expect(actionLabel("letter.saved")).toBe("letter.saved");
  });

  it("summarises a gate decision, other details as key: value, and keeps text that is not JSON", () => {
    expect(detailSummary('{"decision":"attested_no_face","allowed":true}')).toBe("attested no face · allowed");
    expect(detailSummary('{"photo_count":3,"method":"app-file"}')).toBe("photo count: 3 · method: app-file");
    expect(detailSummary("not json")).toBe("not json");
  });
});
