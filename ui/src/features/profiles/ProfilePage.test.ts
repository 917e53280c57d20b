import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";
import { openProfile } from "../../test/profiles";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: Profile } = await import("./ProfilePage.svelte");

const photo = (name: string) => new File([new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3])], name, { type: "image/jpeg" });

describe("enrollment on the Profile page", () => {
  it("checks each picked photo, names the problem of a bad one, and enrolls the good ones with the advocate's name", async () => {
    fake.checkEnrollmentPhoto
      .mockResolvedValueOnce({ token: "good", problem: null, faces: [{ x: 1, y: 2, width: 30, height: 40 }], width: 100, height: 100 })
      .mockResolvedValueOnce({
        token: null,
        problem: "It shows 2 faces; use a photo with only your face in it",
        faces: [
          { x: 1, y: 2, width: 30, height: 40 },
          { x: 50, y: 2, width: 30, height: 40 },
        ],
        width: 100,
        height: 100,
      });
    const user = userEvent.setup();
    const { container } = render(Profile, { profile: openProfile({ kind: "clinic" }), onclosed: vi.fn() });
    await screen.findByTestId("no-references");
    await user.upload(screen.getByTestId("enroll-files"), [photo("a.jpg"), photo("group.jpg")]);
    expect(await screen.findByText(/It shows 2 faces/)).toBeTruthy();
    expect(fake.checkEnrollmentPhoto).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId("picked-photo").map((li) => li.dataset.ok)).toEqual(["true", "false"]);
    expect(screen.getAllByTestId("face-box")).toHaveLength(3);
    expect(screen.getAllByTestId("picked-name").map((p) => p.textContent)).toEqual(["a.jpg", "group.jpg"]);

    const submit = screen.getByTestId("enroll-submit") as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    expect(screen.getByTestId("enroll-why").textContent).toContain("Tick the statement");
    await user.click(screen.getByTestId("attest-advocate"));
    expect(screen.getByRole("heading", { name: "Add photos of your client's face" })).toBeTruthy();
    await user.click(screen.getByTestId("enroll-confirm"));
    expect(submit.disabled).toBe(true); // the advocate must give a name
    await user.type(screen.getByTestId("advocate-name"), "Dana Advocate");
    expect(submit.disabled).toBe(false);
    await user.click(submit);
    expect(fake.enrollPhotos).toHaveBeenCalledWith(["good"], "Dana Advocate");
    await waitFor(() => expect(fake.getEnrollment).toHaveBeenCalledTimes(2));
    // Nothing is left over: the refused photo goes with the enrolled one.
    expect(screen.queryAllByTestId("picked-photo")).toHaveLength(0);

    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it("deletes only after the profile's name is typed", async () => {
    const onclosed = vi.fn();
    const user = userEvent.setup();
    render(Profile, { profile: openProfile({ name: "Client 3", kind: "clinic" }), onclosed });
    const button = screen.getByRole("button", { name: "Delete for good" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await user.type(screen.getByTestId("delete-name"), "client 3");
    expect(button.disabled).toBe(false);
    await user.type(screen.getByTestId("delete-passphrase"), "the client's passphrase");
    await user.click(button);
    expect(fake.deleteProfile).toHaveBeenCalledWith("Client 3", "client 3", "the client's passphrase");
    expect(onclosed).toHaveBeenCalled();
  });
});
