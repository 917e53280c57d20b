import { render, screen } from "@testing-library/svelte";
import axe from "axe-core";
import { describe, expect, it } from "vitest";
import { IpcFailure } from "../ipc";
import ErrorMessage from "./ErrorMessage.svelte";

describe("the error message", () => {
  it("says what happened and what to do next, takes the focus and passes axe", async () => {
    const { container } = render(ErrorMessage, {
      error: new IpcFailure({ code: "locked", message: "wrong passphrase for this profile" }),
      testid: "profile-error",
    });
    const alert = screen.getByRole("alert");
    expect(alert.dataset.testid).toBe("profile-error");
    expect(alert.dataset.code).toBe("locked");
    expect(alert.textContent).toContain("This profile is locked: wrong passphrase for this profile.");
    expect(alert.textContent).toContain("Check the passphrase");
    expect(document.activeElement).toBe(alert);
    expect(screen.queryByText("Details for a report")).toBeNull();
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it("folds technical details away and leaves the focus alone when asked", () => {
    const field = document.createElement("input");
    document.body.append(field);
    field.focus();
    render(ErrorMessage, {
      error: new IpcFailure({ code: "internal", message: "the face engine failed (tensor shape)" }),
      focus: false,
    });
    expect(document.activeElement).toBe(field);
    expect(screen.getByRole("alert").querySelector(".what")?.textContent).toBe("Something went wrong inside Takeback.");
    expect(screen.getByText("Details for a report")).toBeTruthy();
    expect(screen.getByText("the face engine failed (tensor shape)").closest("details")).not.toBeNull();
    field.remove();
  });

  it("moves the focus again when a new error replaces the old one", async () => {
    const { rerender } = render(ErrorMessage, { error: "Type the passphrase of Sam to open it." });
    const alert = screen.getByRole("alert");
    const other = document.createElement("button");
    document.body.append(other);
    other.focus();
    await rerender({ error: new IpcFailure({ code: "locked", message: "wrong passphrase" }) });
    expect(document.activeElement).toBe(alert);
    expect(alert.textContent).toContain("wrong passphrase");
    other.remove();
  });
});
