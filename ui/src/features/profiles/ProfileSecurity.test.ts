import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";
import { openProfile } from "../../test/profiles";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: ProfileSecurity } = await import("./ProfileSecurity.svelte");

describe("profile security", () => {
  it("re-keys when a passphrase that may have leaked is changed, unless told it did not", async () => {
    const user = userEvent.setup();
    render(ProfileSecurity, { profile: openProfile({ name: "Client 12", kind: "clinic" }), onclosed: vi.fn() });
    const change = async () => {
      await user.type(screen.getByLabelText("Current passphrase", { selector: "#old-pass" }), "old words here");
      await user.type(screen.getByLabelText(/^New passphrase \(/), "lantern orbit cactus meadow");
      await user.type(screen.getByLabelText("New passphrase again"), "lantern orbit cactus meadow");
      await user.click(screen.getAllByRole("button", { name: "Change passphrase" })[0]!);
    };
    await change();
    expect(fake.rekeyProfile).toHaveBeenCalledWith("Client 12", "old words here", "lantern orbit cactus meadow");
    expect(fake.changePassphrase).not.toHaveBeenCalled();

    await user.click(screen.getByTestId("passphrase-leaked"));
    await change();
    expect(fake.changePassphrase).toHaveBeenCalledWith("Client 12", "old words here", "lantern orbit cactus meadow");
  });

  it("encrypts a profile again under a new key after a suspected compromise", async () => {
    const user = userEvent.setup();
    render(ProfileSecurity, { profile: openProfile({ name: "Client 7", kind: "clinic" }), onclosed: vi.fn() });
    await user.type(screen.getByTestId("rekey-passphrase"), "violet harbour engine pebble");
    await user.click(screen.getByTestId("rekey"));
    expect(fake.rekeyProfile).toHaveBeenCalledWith("Client 7", "violet harbour engine pebble", null);
    expect(await screen.findByText(/encrypted under a new key/)).toBeTruthy();
  });
});
