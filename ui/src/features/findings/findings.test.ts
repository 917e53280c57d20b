import { describe, expect, it } from "vitest";
import type { Finding_Serialize } from "../../ipc";
import { foundBy, likeness } from "./findings";

const base: Finding_Serialize = {
  id: 1,
  image_url: "https://x.example/a.jpg",
  page_url: null,
  site: "x.example",
  kind: "owners_face",
  unverified_reason: null,
  unverified_why: null,
  distance: 0.3,
  likeness: "very_likely",
  pdq_distance: null,
  sha256: "00",
  pdq: null,
  cluster_id: 1,
  status: "new",
  providers: ["site-watch"],
  first_seen: "2026-11-26T10:00:00Z",
  last_seen: "2026-11-26T10:00:00Z",
  has_thumbnail: true,
  reappeared_from: null,
};

describe("findings in words", () => {
  it("puts the core's likeness band into words, with copies and unverified named as such", () => {
    expect(likeness(base)).toBe("Very likely you");
    expect(likeness({ ...base, likeness: "likely" })).toBe("Likely you");
    expect(likeness({ ...base, likeness: "possibly" })).toBe("Possibly you");
    expect(likeness({ ...base, kind: "copy_of_registered_photo", distance: null })).toBe("A copy of one of your photos");
    expect(likeness({ ...base, kind: "unverified" })).toBe("Could not be checked on this computer");
  });
  it("names who found it", () => {
    expect(foundBy(base)).toBe("Found by a site you watch");
    expect(foundBy({ ...base, providers: ["site-watch", "tineye", "facecheck"] })).toBe(
      "Found by a site you watch, tineye, and facecheck",
    );
  });
});
