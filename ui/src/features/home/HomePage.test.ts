import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: Home } = await import("./HomePage.svelte");

describe("the Home page", () => {
  it("marks what is done and offers the first step that is not", async () => {
    fake.overview.mockResolvedValueOnce({
      enrolled: 1,
      sources: 0,
      to_review: 0,
      confirmed: 0,
      drafts: 0,
      open_cases: 0,
      overdue: 0,
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

  it("with a case open and nothing left to review, the next step follows the case, not a new request", async () => {
    fake.overview.mockResolvedValueOnce({
      enrolled: 3,
      sources: 1,
      to_review: 0,
      confirmed: 1,
      drafts: 0,
      open_cases: 1,
      overdue: 0,
    });
    render(Home, { onnavigate: vi.fn() });
    const next = await screen.findByTestId("home-next");
    expect(next.textContent).toContain("Follow your cases");
    expect(next.textContent).not.toContain("Request removal");
    // The box says what the step is about; the title appears once, on its button.
    expect(next.textContent?.match(/Follow your cases/g)).toHaveLength(1);
  });
});
