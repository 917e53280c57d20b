import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../../paraglide/runtime";
import type { Event_Serialize as Event } from "../../ipc";
import { createFakeIpc } from "../../test/fakeIpc";
import { backgroundText, nextRunText } from "./inbox";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: Inbox } = await import("./Inbox.svelte");

const event = (id: number, kind: Event["kind"], read = false): Event => ({
  id,
  at: "2026-03-02T09:00:00Z",
  kind,
  finding_id: 3,
  case_id: null,
  source_id: 1,
  text: `event ${id}`,
  read,
  site: null,
  reason: null,
});

afterEach(() => setLocale("en", { reload: false }));

describe("the monitoring inbox", () => {
  it("lists what monitoring found, newest first, and marks it read", async () => {
    fake.listEvents.mockResolvedValueOnce([event(2, "reappeared"), event(1, "removed", true)]);
    const user = userEvent.setup();
    const { container } = render(Inbox, { onopenfindings: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId("inbox-event")).toHaveLength(2));
    expect(screen.getAllByTestId("inbox-event").map((e) => e.dataset.kind)).toEqual(["reappeared", "removed"]);
    expect(screen.getByTestId("inbox-unread").textContent).toContain("1 new");
    expect(screen.getByText("A picture came back")).toBeTruthy();
    // The core's English sentence is for the CLI; the window words each kind from its catalogue.
    expect(container.textContent).not.toContain("event 2");
    expect(screen.getByText("A picture you already know is online again. If a letter asked for its removal, that case is open again.")).toBeTruthy();
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations).toEqual([]);
    await user.click(screen.getByTestId("inbox-read-all"));
    expect(fake.markEventsRead).toHaveBeenCalledWith(null);
  });

  it("names the site and the reason in the window's language", async () => {
    setLocale("es", { reload: false });
    fake.listEvents.mockResolvedValueOnce([
      { ...event(3, "removed"), site: "forum.example", reason: { code: "gone", status: 410 } },
      { ...event(2, "source_unreachable"), site: "blog.example", reason: { code: "unreachable", failures: 3, why: { code: "timed_out" } } },
      // Recorded before the core kept a site and reason: said by its kind.
      event(1, "new_finding", true),
    ]);
    const { container } = render(Inbox, {});
    await waitFor(() => expect(screen.getAllByTestId("inbox-event-body")).toHaveLength(3));
    const bodies = screen.getAllByTestId("inbox-event-body").map((b) => b.textContent);
    expect(bodies[0]).toBe("La imagen de forum.example ya no está: el sitio responde que ya no existe (HTTP 410).");
    expect(bodies[1]).toMatch(/^No se pudo revisar blog\.example 3 veces seguidas\. .* La última vez: el sitio tardó/);
    expect(bodies[2]).toBe("Se encontró una imagen que podría mostrarte. Espera tu revisión en Hallazgos.");
    expect(container.querySelector('[lang="en"]')).toBeNull();
  });

  it("runs a cycle now and says what it found", async () => {
    fake.runMonitoring.mockResolvedValueOnce({
      ...(await fake.runMonitoring(true)),
      events: [event(5, "new_finding")],
    });
    fake.runMonitoring.mockClear();
    const user = userEvent.setup();
    render(Inbox, {});
    await user.click(screen.getByTestId("inbox-run"));
    expect(fake.runMonitoring).toHaveBeenCalledWith(true);
    await waitFor(() => expect(screen.getByTestId("inbox-result").textContent).toContain("1 update"));
  });

  it("says when the next check is due", () => {
    const base = {
      running: false,
      background: "window_only" as const,
      last_cycle: null,
      next_due: null,
      sources: [],
      recheck: { every: "1d", findings: 0, next_due: null, due_now: 0 },
      removed_watch: { every: "7d", findings: 0, next_due: null, due_now: 0 },
      removed_watch_days: 90,
      cases: [],
      providers: [],
      unread_events: 0,
    };
    expect(nextRunText(base)).toContain("Nothing to watch yet");
    const watched = {
      ...base,
      sources: [{ source_id: 1, every: "1d", last_visit: null, next_due: null, failures: 0 }],
    };
    expect(nextRunText({ ...watched, next_due: "2026-01-01T00:00:00Z" }, new Date("2026-02-01"))).toBe(
      "Some checks are due now.",
    );
    expect(nextRunText({ ...watched, next_due: "2026-03-01T00:00:00Z" }, new Date("2026-02-01"))).toContain(
      "Next check due",
    );
    expect(nextRunText({ ...watched, running: true })).toBe("Monitoring is running now.");
    expect(backgroundText({ ...base, background: "window_only_passphrase" })).toContain("only checked while it is unlocked");
    expect(backgroundText({ ...base, background: "timer" })).toContain("when this window is closed");
  });
});
