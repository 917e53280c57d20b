import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { IpcFailure } = await import("../../ipc");
const { default: SourcesPanel } = await import("./SourcesPanel.svelte");

describe("sources", () => {
  it("shows a refused site beside the site form, in plain words, and moves the focus there", async () => {
    fake.addSiteSource.mockRejectedValueOnce(
      new IpcFailure({ code: "invalid_input", message: "`ftp://x` is not a web address (use http or https)" }),
    );
    const onchange = vi.fn();
    const user = userEvent.setup();
    const { container } = render(SourcesPanel, { sources: [], onchange });
    await user.type(screen.getByTestId("site-url"), "ftp://x");
    await user.click(screen.getByTestId("add-site"));

    const error = await screen.findByTestId("sources-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.dataset.code).toBe("invalid_input");
    expect(error.textContent).toContain("The site was not added: `ftp://x` is not a web address (use http or https).");
    expect(error.textContent).toContain("Change it and try again.");
    expect(document.activeElement).toBe(error);
    // At the site form, before the folder form.
    const siteForm = screen.getByTestId("site-url").closest("form") as HTMLFormElement;
    expect(siteForm.nextElementSibling).toBe(error);
    expect(onchange).not.toHaveBeenCalled();
    expect((screen.getByTestId("site-url") as HTMLInputElement).value).toBe("ftp://x");

    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it("moves a folder's error to the folder form, and clears it once a folder is added", async () => {
    fake.addFolderSource.mockRejectedValueOnce(new IpcFailure({ code: "not_found", message: "there is no folder `/nope`" }));
    const onchange = vi.fn();
    const user = userEvent.setup();
    render(SourcesPanel, { sources: [], onchange });
    await user.type(screen.getByTestId("folder-path"), "/nope");
    await user.click(screen.getByTestId("add-folder"));
    const error = await screen.findByTestId("sources-error");
    expect((screen.getByTestId("folder-path").closest("form") as HTMLFormElement).nextElementSibling).toBe(error);

    await user.clear(screen.getByTestId("folder-path"));
    await user.type(screen.getByTestId("folder-path"), "/home/sam/Pictures");
    await user.click(screen.getByTestId("add-folder"));
    expect(fake.addFolderSource).toHaveBeenLastCalledWith("/home/sam/Pictures");
    expect(onchange).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("sources-error")).toBeNull();
  });
});
