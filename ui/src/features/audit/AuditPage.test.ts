import { render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: Audit } = await import("./AuditPage.svelte");

const entry = (seq: number, action: string, detail = "{}") => ({
  seq,
  at: "2026-11-26T10:00:00Z",
  actor: "owner",
  action,
  subject: null,
  detail,
  hash: "ab".repeat(32),
});

describe("the audit page", () => {
  it("shows the entries newest first in plain words and says the log is intact", async () => {
    fake.getAuditLog.mockResolvedValueOnce({
      intact: true,
      anchor: { state: "holds", anchored: 2 },
      total: 2,
      first_broken: null,
      broken_reason: null,
      broken_why: null,
      head: "ab".repeat(32),
      entries: [entry(2, "gate.decision", '{"decision":"no_match","allowed":false,"distance":0.81}'), entry(1, "profile.created")],
    });
    render(Audit);
    expect((await screen.findByTestId("audit-state")).textContent).toContain("Intact");
    const actions = screen.getAllByTestId("audit-action").map((td) => td.textContent);
    expect(actions).toEqual(["Photo checked against your face", "Profile created"]);
    expect(screen.getByText(/no match · refused · difference 0.81/)).toBeTruthy();
  });

  it("names the first altered entry", async () => {
    fake.getAuditLog.mockResolvedValueOnce({
      intact: false,
      anchor: { state: "holds", anchored: 3 },
      total: 3,
      first_broken: 2,
      broken_reason: "the core's English",
      broken_why: { code: "content_changed" },
      head: "cd".repeat(32),
      entries: [entry(3, "gate.decision"), entry(2, "enrollment.added"), entry(1, "profile.created")],
    });
    render(Audit);
    const state = await screen.findByTestId("audit-state");
    expect(state.textContent).toContain("Changed");
    expect(state.textContent).toContain("entry 2");
    // Why, from the core's code: not the core's English.
    expect(state.textContent).toContain("its content was changed after it was written");
    expect(state.textContent).not.toContain("the core's English");
  });

  it("says so when the log is shorter than the fingerprint the keyring kept", async () => {
    fake.getAuditLog.mockResolvedValueOnce({
      intact: false,
      anchor: { state: "behind", anchored: 5, entries: 3 },
      total: 3,
      first_broken: null,
      broken_reason: null,
      broken_why: null,
      head: "cd".repeat(32),
      entries: [entry(3, "gate.decision"), entry(2, "enrollment.added"), entry(1, "profile.created")],
    });
    render(Audit);
    const state = await screen.findByTestId("audit-state");
    expect(state.textContent).toContain("Changed");
    expect(state.textContent).toContain("it had 5");
  });
});
