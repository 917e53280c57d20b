import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));

const { default: Settings } = await import("./SettingsPage.svelte");
const { IpcFailure } = await import("../../ipc");

describe("Settings page", () => {
  it("shows every setting from the core with the right control", async () => {
    render(Settings);
    const theme = (await screen.findByLabelText("Theme")) as HTMLSelectElement;
    expect(theme.value).toBe("system");
    // The stored code stays the value; the person reads words.
    expect(theme.selectedOptions[0]?.textContent).toBe("Same as the computer");
    expect((screen.getByLabelText("Lock after this many idle minutes") as HTMLInputElement).type).toBe("number");
    expect((screen.getByLabelText("Esc pressed twice hides Takeback") as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText("Advanced endpoints")).toBeTruthy();
    expect(screen.getByTestId("app-version").textContent).toContain("development build");
  });

  it("saves a change through the core and reports the theme", async () => {
    const user = userEvent.setup();
    const onthemechange = vi.fn();
    render(Settings, { onthemechange });
    const theme = (await screen.findByLabelText("Theme")) as HTMLSelectElement;
    await user.selectOptions(theme, "dark");
    await waitFor(() => expect(fake.setSetting).toHaveBeenCalledWith("theme", "dark"));
    expect(await screen.findByText("Saved")).toBeTruthy();
    expect(onthemechange).toHaveBeenCalledWith("dark");
  });

  it("shows the core's message when a value is refused", async () => {
    fake.setSetting.mockRejectedValueOnce(
      new IpcFailure({ code: "invalid_input", message: "`0` is not a valid value: a whole number from 1 to 1440" }),
    );
    render(Settings);
    const minutes = (await screen.findByLabelText("Lock after this many idle minutes")) as HTMLInputElement;
    await fireEvent.change(minutes, { target: { value: "0" } });
    expect(fake.setSetting).toHaveBeenCalledWith("auto_lock_minutes", "0");
    expect((await screen.findByRole("alert")).textContent).toContain("a whole number from 1 to 1440");
  });

  it("marks the refused control, links it to the reason and moves the focus to the reason", async () => {
    fake.setSetting.mockRejectedValueOnce(
      new IpcFailure({ code: "invalid_input", message: "`0` is not a valid value: a whole number from 1 to 1440" }),
    );
    render(Settings);
    const minutes = (await screen.findByLabelText("Lock after this many idle minutes")) as HTMLInputElement;
    await fireEvent.change(minutes, { target: { value: "0" } });
    const alert = await screen.findByRole("alert");
    expect(minutes.getAttribute("aria-invalid")).toBe("true");
    expect(minutes.getAttribute("aria-describedby")?.split(" ")).toContain(alert.id);
    expect(document.activeElement).toBe(alert);
    expect(alert.textContent).toContain("This setting was not saved");
  });

  it("says so plainly when settings cannot be loaded", async () => {
    fake.listSettings.mockRejectedValueOnce(new Error("the settings file is damaged"));
    render(Settings);
    expect((await screen.findByRole("alert")).textContent).toContain("the settings file is damaged");
  });
});
