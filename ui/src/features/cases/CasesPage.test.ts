import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";
import type { CaseView_Serialize } from "../../ipc";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: Cases } = await import("./CasesPage.svelte");

function aCase(over: Partial<CaseView_Serialize> = {}): CaseView_Serialize {
  return {
    id: 4,
    kind: "takeitdown",
    regime: "eu",
    basis: "tida_48h",
    rung: "site",
    state: "draft",
    recipient_name: "Example Forum abuse team",
    recipient_address: "abuse@example.net",
    subject: "TAKE IT DOWN Act removal request",
    findings: [],
    created_at: "2026-11-26T10:00:00Z",
    sent_at: null,
    received_at: null,
    closed_at: null,
    deadline: null,
    reminder: null,
    next_step: null,
    allowed_next: ["sent"],
    ...over,
  };
}

describe("the Cases page", () => {
  it("teaches where cases come from when there are none", async () => {
    render(Cases);
    expect((await screen.findByTestId("no-cases")).textContent).toContain("Request removal");
  });

  it("marks a draft as sent, then shows the countdown to the 48-hour deadline", async () => {
    const due = new Date(Date.now() + 47 * 3_600_000).toISOString();
    fake.listCases.mockResolvedValueOnce([aCase()]);
    fake.markCaseSent.mockResolvedValueOnce(
      aCase({
        state: "sent",
        sent_at: new Date().toISOString(),
        allowed_next: ["acknowledged", "removed", "partly_removed", "refused", "ignored", "escalated"],
        deadline: { basis: "tida_48h", due, legal: true, earliest: null, extended: false, paused: false, remind_at: null, notes: [], note_codes: [{ code: "hours48" }] },
      }),
    );
    const user = userEvent.setup();
    const { container } = render(Cases);
    await user.click(await screen.findByTestId("case-mark-sent"));
    expect(fake.markCaseSent).toHaveBeenCalledWith(4);
    const countdown = await screen.findByTestId("case-countdown");
    expect(countdown.textContent).toMatch(/Legal deadline.*(1 day 22 hours|1 day 23 hours) left/);
    expect(screen.getByTestId("case").dataset.state).toBe("sent");
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it("records an outcome with a note and shows the next rung when it was refused", async () => {
    fake.listCases.mockResolvedValueOnce([aCase({ state: "sent", allowed_next: ["acknowledged", "refused"] })]);
    fake.setCaseState.mockResolvedValueOnce(
      aCase({
        state: "refused",
        allowed_next: ["removed", "escalated"],
        next_step: { rung: "host", kind: "abuse", advice: "core English", advice_code: { code: "write_to_host" } },
      }),
    );
    const user = userEvent.setup();
    render(Cases);
    await user.selectOptions(await screen.findByTestId("case-outcome"), "refused");
    await user.type(screen.getByPlaceholderText("Note (optional)"), "they said no");
    await user.click(screen.getByTestId("case-record"));
    expect(fake.setCaseState).toHaveBeenCalledWith(4, "refused", "they said no");
    await waitFor(() => expect(screen.getByTestId("case-next-step").textContent).toContain("Hosts can remove the files"));
  });
});
