import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ScanEnded_Serialize, ScanProgress_Serialize } from "../../ipc";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: ScanRunner } = await import("./ScanRunner.svelte");

const REASON = "Nothing was checked on forum.example: this computer seems to be offline. Check your connection, then scan again.";

describe("the scan runner", () => {
  it("cannot start without an enrolled face, looks disabled and says why, with a way to the Profile page", async () => {
    const onnavigate = vi.fn();
    const user = userEvent.setup();
    render(ScanRunner, { providers: [], photoId: null, enrolled: 0, sourceCount: 1, onnavigate });
    const start = screen.getByTestId("start-scan") as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    expect(start.getAttribute("aria-describedby")).toBe("scan-blocked");
    expect(screen.getByTestId("scan-blocked").textContent).toContain("No face is enrolled yet");
    await user.click(screen.getByRole("link", { name: /Enroll your face/ }));
    expect(onnavigate).toHaveBeenCalledWith("profile");
  });

  it("after a scan that reached nothing, says nothing was checked, and tells each problem once", async () => {
    let progress: ((p: ScanProgress_Serialize) => void) | undefined;
    let ended: ((e: ScanEnded_Serialize) => void) | undefined;
    fake.onScanProgress.mockImplementationOnce(async (h) => {
      progress = h;
      return () => {};
    });
    fake.onScanEnded.mockImplementationOnce(async (h) => {
      ended = h;
      return () => {};
    });
    const user = userEvent.setup();
    render(ScanRunner, { providers: [], photoId: null, enrolled: 3, sourceCount: 1 });
    await waitFor(() => expect(progress && ended).toBeTruthy());
    await user.click(screen.getByTestId("start-scan"));
    const problem = { source_id: 2, place: "forum.example", kind: "offline", why: { code: "offline" }, reason: "the core's English" } as const;
    progress?.({ job_id: 1, phase: { type: "starting" }, pages_crawled: 0, images_checked: 0, hits: 0, notice: "the core's English", problem, skipped: null });
    const skipped = { outcome: "skipped", provider: "tineye", reason: "the core's English", why: { code: "no_consent" } } as const;
    progress?.({ job_id: 1, phase: { type: "provider", provider: "tineye" }, pages_crawled: 0, images_checked: 0, hits: 0, notice: "the core's English", problem: null, skipped });
    // While it runs, the problem is listed live.
    expect(await screen.findByText(REASON)).toBeTruthy();
    ended?.({
      summary: {
        job_id: 1,
        status: "finished",
        pages_crawled: 0,
        images_checked: 0,
        hits: 0,
        sources_scanned: 0,
        source_problems: [problem],
        providers: [skipped],
        nothing_checked: true,
        new_findings: [],
      },
      error: null,
    });
    const headline = await screen.findByTestId("scan-headline");
    expect(headline.textContent).toContain("Nothing was checked.");
    expect(headline.textContent).not.toContain("Scan finished");
    expect(screen.getAllByText(REASON)).toHaveLength(1);
    expect(screen.getByTestId("scan-problems").querySelector("li")?.dataset.kind).toBe("offline");
    // A skipped service is said from its code too.
    expect(screen.getByTestId("scan-problems").querySelector('[data-outcome="skipped"]')?.textContent?.trim()).toBe(
      "TinEye: skipped — you did not agree to send it your photo (nothing was sent)",
    );
    // The window says the problem from its code, not with the core's English sentence.
    expect(document.body.textContent).not.toContain("the core's English");
  });
});
