import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";
import { openProfile } from "../../test/profiles";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: GiveToClient } = await import("./GiveToClient.svelte");

const WORDS = "abandon-ability-able-about-above-absent-absorb-abstract-absurd-abuse";

describe("Give this case to the client", () => {
  it("shows the passphrase once, waits for the client, then offers the wipe", async () => {
    const user = userEvent.setup();
    const profile = openProfile({ name: "Client A", kind: "clinic" });
    const onclosed = vi.fn();
    fake.giveCaseToClient.mockResolvedValueOnce({
      summary: {
        path: "/home/sam/Documents/Takeback hand-off/case.age",
        bytes: 2048,
        findings: 2,
        cases: 1,
        evidence: 4,
        blobs: 6,
        include_face: false,
        locked_with: "passphrase",
      },
      passphrase: WORDS,
    });
    render(GiveToClient, { profile, onclosed });
    await user.click(await screen.findByTestId("give-write"));
    expect(fake.giveCaseToClient).toHaveBeenCalledWith("/home/sam/Documents/Takeback hand-off/case.age", [], false);

    const words = (await screen.findByTestId("give-passphrase")).querySelectorAll("li");
    expect([...words].map((w) => w.textContent)).toEqual(WORDS.split("-"));
    const next = screen.getByTestId("give-confirmed");
    expect((next as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByTestId("give-client-confirms"));
    await user.click(next);

    expect(screen.queryByTestId("give-passphrase")).toBeNull();
    expect(document.body.textContent).not.toContain("abandon");
    const wipe = screen.getByTestId("give-wipe") as HTMLButtonElement;
    expect(wipe.disabled).toBe(true);
    await user.type(screen.getByTestId("give-wipe-name"), "client a");
    expect(wipe.disabled).toBe(false);
    await user.type(screen.getByTestId("give-wipe-passphrase"), "the client's passphrase");
    await user.click(wipe);
    expect(fake.deleteProfile).toHaveBeenCalledWith("Client A", "client a", "the client's passphrase");
    expect(onclosed).toHaveBeenCalledTimes(1);
  });
});
