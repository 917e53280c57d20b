import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: Home } = await import("./HomePage.svelte");

describe("the Home page", () => {
  it("marks what is done and offers the first step that is not", async () => {
    fake.getEnrollment.mockResolvedValueOnce({
      photos: [{ id: 1, added_at: "2026-11-26T10:00:00Z", face: { x: 0, y: 0, width: 1, height: 1 }, score: 1, sharpness: 100 }],
      consents: [],
      max_photos: 10,
    });
    const onnavigate = vi.fn();
    const user = userEvent.setup();
    render(Home, { onnavigate });
    await waitFor(() =>
      expect(screen.getAllByTestId("home-step").map((s) => s.dataset.done)).toEqual(["true", "false", "false", "false"]),
    );
    expect(screen.getByTestId("home-next").textContent).toContain("Choose where to look");
    await user.click(screen.getByRole("button", { name: "Choose where to look" }));
    expect(onnavigate).toHaveBeenCalledWith("scan");
  });
});
