import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SECTIONS } from "./features/shell/sections";
import { createFakeIpc, typedSettings } from "./test/fakeIpc";
import { openProfile } from "./test/profiles";

const fake = createFakeIpc();
vi.mock(import("./ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));

const { default: App } = await import("./App.svelte");

async function expectNoAxeViolations(container: Element) {
  const result = await axe.run(container, {
    // jsdom has no layout, so colour contrast cannot be computed here (checked in the e2e screenshot).
    rules: { "color-contrast": { enabled: false } },
  });
  const summary = result.violations.map((v) => `${v.id}: ${v.help}`);
  expect(summary).toEqual([]);
}

/** Renders the window with a profile already open (as after unlocking) and waits for the shell. */
async function renderOpen() {
  const result = render(App);
  await screen.findByTestId("nav-home");
  return result;
}

describe("the window shell", () => {
  beforeEach(() => {
    delete document.documentElement.dataset.theme;
    vi.clearAllMocks();
  });

  it("offers every section of the product and shows each as a page with its heading", async () => {
    const user = userEvent.setup();
    await renderOpen();
    const nav = screen.getByRole("navigation", { name: "Sections" });
    for (const section of SECTIONS) {
      const button = nav.querySelector(`[data-testid="nav-${section.id}"]`);
      expect(button, section.id).not.toBeNull();
      await user.click(button as HTMLElement);
      expect(screen.getByRole("heading", { level: 1 }).textContent).toBe(section.label());
      expect(button?.getAttribute("aria-current")).toBe("page");
      expect(document.activeElement?.tagName).toBe("H1");
    }
  });

  it("has no accessibility violations on any page", async () => {
    const user = userEvent.setup();
    const { container } = await renderOpen();
    for (const section of SECTIONS) {
      await user.click(screen.getByTestId(`nav-${section.id}`));
      await waitFor(() => expect(screen.getByTestId(`page-${section.id}`)).toBeTruthy());
      await expectNoAxeViolations(container);
    }
    // Nine pages through axe in jsdom: 5 s is not enough on a loaded machine.
  }, 30000);

  it("quick exit button clears the screen before hiding the window", async () => {
    const user = userEvent.setup();
    let domWhenHidden = "";
    fake.quickExit.mockImplementationOnce(async () => {
      domWhenHidden = document.body.textContent ?? "";
      return null;
    });
    await renderOpen();
    await user.click(screen.getByTestId("nav-settings"));
    await user.click(screen.getByTestId("quick-exit"));
    expect(fake.quickExit).toHaveBeenCalledTimes(1);
    expect(domWhenHidden).not.toContain("Settings");
    expect(screen.queryByRole("navigation")).toBeNull();
    expect(screen.getByTestId("locked")).toBeTruthy();
  });

  it("Esc pressed twice is a quick exit; once is not", async () => {
    await renderOpen();
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(fake.quickExit).not.toHaveBeenCalled();
    await fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(fake.quickExit).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId("locked")).toBeTruthy();
  });

  it("after a quick exit, continuing asks to unlock, then returns to Home, not to the previous page", async () => {
    const user = userEvent.setup();
    await renderOpen();
    await user.click(screen.getByTestId("nav-findings"));
    // The core locked every profile on quick exit.
    fake.listProfiles.mockResolvedValue([openProfile({ unlocked: false, active: false })]);
    await user.click(screen.getByTestId("quick-exit"));
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByTestId("profile-picker")).toBeTruthy();
    expect(screen.queryByTestId("page-findings")).toBeNull();
    await user.click(await screen.findByTestId("unlock-Sam"));
    expect(fake.unlockProfile).toHaveBeenCalledWith("Sam", null);
    await screen.findByTestId("nav-home");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Home");
    fake.listProfiles.mockResolvedValue([openProfile()]);
  });

  it("auto-lock clears the open profile and says why", async () => {
    let handler: ((e: { ids: string[]; minutes: number }) => void) | undefined;
    fake.onProfilesLocked.mockImplementationOnce(async (h) => {
      handler = h;
      return () => {};
    });
    const user = userEvent.setup();
    await renderOpen();
    await user.click(screen.getByTestId("nav-audit"));
    fake.listProfiles.mockResolvedValue([openProfile({ unlocked: false, active: false })]);
    handler?.({ ids: ["p1"], minutes: 10 });
    expect((await screen.findByTestId("lock-notice")).textContent).toContain("Locked after 10 minutes without use.");
    expect(screen.queryByTestId("page-audit")).toBeNull();
    fake.listProfiles.mockResolvedValue([openProfile()]);
  });

  it("Lock in the top bar locks the profile in the core and shows the picker", async () => {
    const user = userEvent.setup();
    await renderOpen();
    fake.listProfiles.mockResolvedValue([openProfile({ unlocked: false, active: false })]);
    await user.click(screen.getByTestId("lock-now"));
    // An "Only me" profile reopens with one click: that is said before it locks.
    expect(fake.lockProfile).not.toHaveBeenCalled();
    expect((await screen.findByTestId("lock-explain")).textContent).toContain("one click");
    await user.click(screen.getByTestId("lock-confirm"));
    expect(fake.lockProfile).toHaveBeenCalledWith("p1");
    expect(await screen.findByTestId("profile-picker")).toBeTruthy();
    fake.listProfiles.mockResolvedValue([openProfile()]);
  });

  it("Lock on a passphrase profile locks at once", async () => {
    fake.listProfiles.mockResolvedValue([openProfile({ kind: "clinic" })]);
    const user = userEvent.setup();
    await renderOpen();
    await user.click(screen.getByTestId("lock-now"));
    expect(screen.queryByTestId("lock-explain")).toBeNull();
    expect(fake.lockProfile).toHaveBeenCalledWith("p1");
    fake.listProfiles.mockResolvedValue([openProfile()]);
  });

  it("applies the saved theme", async () => {
    fake.settings.mockImplementationOnce(async () => ({ ...typedSettings(), theme: "dark" }));
    await renderOpen();
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
  });
});
