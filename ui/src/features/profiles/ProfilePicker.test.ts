import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";
import { openProfile } from "../../test/profiles";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { IpcFailure } = await import("../../ipc");
const { default: Profiles } = await import("./ProfilePicker.svelte");

describe("the profile picker", () => {
  it("welcomes a first-time user and creates a clinic profile behind a passphrase", async () => {
    fake.listProfiles.mockResolvedValueOnce([]);
    const onopen = vi.fn();
    const user = userEvent.setup();
    const { container } = render(Profiles, { onopen });
    expect(await screen.findByRole("heading", { name: "Welcome to Takeback" })).toBeTruthy();
    await user.type(screen.getByTestId("new-profile-name"), "Client 12");
    await user.click(screen.getByTestId("new-profile-clinic"));
    await user.type(screen.getByTestId("new-profile-passphrase"), "correct horse");
    await user.type(screen.getByTestId("new-profile-passphrase-again"), "correct horsE");
    await user.click(screen.getByTestId("create-profile"));
    expect(screen.getByTestId("profile-error").textContent).toContain("not the same");
    expect(fake.createProfile).not.toHaveBeenCalled();

    await user.clear(screen.getByTestId("new-profile-passphrase-again"));
    await user.type(screen.getByTestId("new-profile-passphrase-again"), "correct horse");
    await user.click(screen.getByTestId("create-profile"));
    expect(fake.createProfile).toHaveBeenCalledWith("Client 12", { kind: "passphrase", passphrase: "correct horse" });
    expect(onopen).toHaveBeenCalledWith(expect.objectContaining({ name: "Client 12" }));

    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it("refuses a short passphrase before asking the core", async () => {
    fake.listProfiles.mockResolvedValueOnce([]);
    const user = userEvent.setup();
    render(Profiles, { onopen: vi.fn() });
    await user.type(await screen.findByTestId("new-profile-name"), "C");
    await user.click(screen.getByTestId("new-profile-clinic"));
    await user.type(screen.getByTestId("new-profile-passphrase"), "short");
    await user.type(screen.getByTestId("new-profile-passphrase-again"), "short");
    await user.click(screen.getByTestId("create-profile"));
    expect(screen.getByTestId("profile-error").textContent).toContain("at least 12");
    expect(fake.createProfile).not.toHaveBeenCalled();
  });

  it("unlocks a clinic profile with its passphrase and shows the core's error when it is wrong", async () => {
    fake.listProfiles.mockResolvedValueOnce([openProfile({ name: "Client 7", kind: "clinic", unlocked: false, active: false })]);
    fake.unlockProfile.mockRejectedValueOnce(
      new IpcFailure({ code: "locked", message: "wrong passphrase for this profile; try again" }),
    );
    const onopen = vi.fn();
    const user = userEvent.setup();
    render(Profiles, { onopen });
    await user.type(await screen.findByTestId("unlock-passphrase-Client 7"), "nope nope");
    await user.click(screen.getByTestId("unlock-Client 7"));
    expect((await screen.findByTestId("profile-error")).textContent).toContain("wrong passphrase");
    expect(onopen).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("unlock-Client 7"));
    expect(fake.unlockProfile).toHaveBeenLastCalledWith("Client 7", "nope nope");
    expect(onopen).toHaveBeenCalled();
  });

  it("points to a passphrase profile when the keyring is missing", async () => {
    fake.listProfiles.mockResolvedValueOnce([]);
    fake.createProfile.mockRejectedValueOnce(
      new IpcFailure({ code: "external", message: "no usable OS keyring (no bus); create the profile with a passphrase" }),
    );
    const user = userEvent.setup();
    render(Profiles, { onopen: vi.fn() });
    await user.type(await screen.findByTestId("new-profile-name"), "Me");
    await user.click(screen.getByTestId("create-profile"));
    expect((await screen.findByTestId("profile-error")).textContent).toContain("passphrase");
  });
});
