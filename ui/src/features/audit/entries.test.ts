import { describe, expect, it } from "vitest";
import { actionLabel, detailSummary } from "./entries";

describe("audit entries in words", () => {
  it("names known actions and shows unknown ones as recorded", () => {
    expect(actionLabel("enrollment.consent")).toBe("Consent recorded");
    expect(actionLabel("case.sent")).toBe("Marked as sent");
    expect(actionLabel("scan.started")).toBe("Scan started");
    expect(actionLabel("something.new")).toBe("something.new");
  });

  it("summarises a gate decision, other details as key: value, and keeps text that is not JSON", () => {
    expect(detailSummary('{"decision":"attested_no_face","allowed":true}')).toBe("attested no face · allowed");
    expect(detailSummary('{"photo_count":3,"method":"app-file"}')).toBe("photos: 3 · method: app-file");
    expect(detailSummary('{"job":4,"sources":1,"providers":[]}')).toBe("scan: 4 · sources: 1 · providers: none");
    expect(detailSummary(`{"sha":"${"a".repeat(64)}"}`).length).toBeLessThan(50);
    expect(detailSummary("not json")).toBe("not json");
  });
});
