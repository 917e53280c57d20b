import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../../paraglide/runtime";
import type { Finding_Serialize } from "../../ipc";
import { createFakeIpc, typedSettings } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: Findings } = await import("./FindingsPage.svelte");

function finding(id: number, over: Partial<Finding_Serialize> = {}): Finding_Serialize {
  return {
    id,
    image_url: `https://forum.example.net/img/${id}.jpg`,
    page_url: `https://forum.example.net/t/${id}`,
    site: "forum.example.net",
    kind: "owners_face",
    unverified_reason: null,
    unverified_why: null,
    distance: 0.35,
    likeness: "very_likely",
    pdq_distance: null,
    sha256: "ab".repeat(32),
    pdq: null,
    cluster_id: id,
    status: "new",
    providers: ["site-watch"],
    first_seen: "2026-11-26T10:00:00Z",
    last_seen: "2026-11-26T10:00:00Z",
    has_thumbnail: true,
    reappeared_from: null,
    ...over,
  };
}

describe("the Findings page", () => {
  afterEach(() => setLocale("en", { reload: false }));

  it("says why a result is unverified in the window's language; older rows keep their English, marked", async () => {
    setLocale("es", { reload: false });
    const unverified = { kind: "unverified" as const, distance: null, likeness: "possibly" as const, has_thumbnail: false };
    fake.listFindings.mockResolvedValueOnce([
      {
        site: "this computer",
        findings: [
          finding(1, { ...unverified, unverified_reason: "the site answered HTTP 403", unverified_why: { code: "not_fetched", fetch: { code: "http_status", status: 403 } } }),
          finding(2, { ...unverified, unverified_reason: "the provider named no image to check" }),
        ],
      },
    ]);
    render(Findings);
    const [coded, old] = await screen.findAllByTestId("finding-likeness");
    expect(coded?.textContent).toContain("el sitio respondió con un error (HTTP 403)");
    expect(coded?.querySelector('[lang="en"]')).toBeNull();
    expect(old?.querySelector('[lang="en"]')?.textContent).toBe("the provider named no image to check");
    // "this computer" is a site name the window says in its own language.
    expect(screen.getByRole("heading", { name: "esta computadora" })).toBeTruthy();
  });

  it("keeps pictures blurred until revealed, one at a time", async () => {
    fake.listFindings.mockResolvedValueOnce([{ site: "forum.example.net", findings: [finding(1)] }]);
    const user = userEvent.setup();
    const { container } = render(Findings);
    const img = await screen.findByAltText("Blurred picture");
    expect(img.classList.contains("blurred")).toBe(true);
    await user.click(screen.getByRole("button", { name: "Reveal" }));
    expect(screen.getByAltText("The picture that was found").classList.contains("blurred")).toBe(false);
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it("shows no pictures at all when previews are off", async () => {
    fake.settings.mockImplementationOnce(async () => ({ ...typedSettings(), previews: "off" }));
    fake.listFindings.mockResolvedValueOnce([{ site: "forum.example.net", findings: [finding(1)] }]);
    render(Findings);
    expect(await screen.findByText("Previews are off")).toBeTruthy();
    expect(fake.findingThumbnail).not.toHaveBeenCalled();
  });

  it("triages with the keyboard: y confirms and moves on, n dismisses", async () => {
    fake.listFindings.mockResolvedValueOnce([{ site: "forum.example.net", findings: [finding(1), finding(2)] }]);
    fake.confirmFinding.mockImplementationOnce(async (id: number) => finding(id, { status: "confirmed" }));
    fake.dismissFinding.mockImplementationOnce(async (id: number) => finding(id, { status: "dismissed" }));
    render(Findings);
    const cards = await screen.findAllByTestId("finding");
    cards[0]?.focus();
    await fireEvent.keyDown(cards[0] as HTMLElement, { key: "y" });
    expect(fake.confirmFinding).toHaveBeenCalledWith(1);
    await waitFor(() => expect(document.activeElement?.getAttribute("data-finding")).toBe("2"));
    await fireEvent.keyDown(document.activeElement as HTMLElement, { key: "n" });
    expect(fake.dismissFinding).toHaveBeenCalledWith(2);
    await waitFor(() =>
      expect(screen.getAllByTestId("finding").map((c) => c.dataset.status)).toEqual(["confirmed", "dismissed"]),
    );
    expect(screen.getByTestId("finding-request-removal")).toBeTruthy();
  });
});
