import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: GateCheck } = await import("./GateCheck.svelte");

const photo = new File([new Uint8Array([1, 2, 3])], "x.jpg", { type: "image/jpeg" });

describe("check a photo", () => {
  it("says plainly when the photo is someone else", async () => {
    const user = userEvent.setup();
    render(GateCheck);
    await user.upload(screen.getByTestId("gate-file"), photo);
    const answer = await screen.findByTestId("gate-answer");
    expect(answer.dataset.allowed).toBe("false");
    expect(answer.textContent).toContain("This is not the enrolled person.");
    expect(answer.textContent).toContain("0.80");
    expect(fake.checkPhoto).toHaveBeenCalledWith(expect.any(String), false);
  });

  it("offers the attestation only when no face was found, and sends it", async () => {
    fake.checkPhoto
      .mockResolvedValueOnce({
        allowed: false,
        decision: "no_face",
        distance: null,
        threshold: 0.5,
        decisive: null,
        faces: [],
        owner_faces: [],
        width: 10,
        height: 10,
        message: "No face was found.",
        says: { code: "no_face_can_attest" },
        audit_seq: 1,
      })
      .mockResolvedValueOnce({
        allowed: true,
        decision: "attested_no_face",
        distance: null,
        threshold: 0.5,
        decisive: null,
        faces: [],
        owner_faces: [],
        width: 10,
        height: 10,
        message: "Allowed: you confirmed it shows you.",
        says: { code: "attested_no_face" },
        audit_seq: 2,
      });
    const user = userEvent.setup();
    render(GateCheck);
    await user.upload(screen.getByTestId("gate-file"), photo);
    await user.click(await screen.findByTestId("gate-attest"));
    await waitFor(() => expect(fake.checkPhoto).toHaveBeenLastCalledWith(expect.any(String), true));
    await waitFor(() => expect(screen.getByTestId("gate-answer").dataset.decision).toBe("attested_no_face"));
    expect(screen.queryByTestId("gate-attest")).toBeNull();
  });

  it("marks the owner's face in a group photo, blurs the photo, and offers to search with it", async () => {
    fake.checkPhoto.mockResolvedValueOnce({
      allowed: true,
      decision: "match",
      distance: 0.3,
      threshold: 0.5,
      decisive: { x: 60, y: 10, width: 20, height: 20 },
      faces: [
        { x: 0, y: 0, width: 50, height: 50 },
        { x: 60, y: 10, width: 20, height: 20 },
      ],
      owner_faces: [false, true],
      width: 100,
      height: 100,
      message: "your face is one of the 2 faces in this photo, outlined",
      says: { code: "match", faces: 2 },
      audit_seq: 4,
    });
    const onsearch = vi.fn(async (_f: File, _a: boolean) => {});
    const user = userEvent.setup();
    render(GateCheck, { onsearch });
    await user.upload(screen.getByTestId("gate-file"), photo);
    const answer = await screen.findByTestId("gate-answer");
    expect(answer.dataset.allowed).toBe("true");
    expect(answer.querySelector("img")?.classList.contains("blurred")).toBe(true);
    const boxes = screen.getAllByTestId("face-box");
    expect(boxes.map((b) => b.dataset.owner)).toEqual(["false", "true"]);
    expect(screen.getByTestId("gate-group").textContent).toContain("2 faces");
    await user.click(screen.getByTestId("gate-reveal"));
    expect(answer.querySelector("img")?.classList.contains("blurred")).toBe(false);
    await user.click(screen.getByTestId("gate-search"));
    expect(onsearch).toHaveBeenCalledWith(photo, false);
    expect(await screen.findByTestId("gate-kept")).toBeTruthy();
  });
});
