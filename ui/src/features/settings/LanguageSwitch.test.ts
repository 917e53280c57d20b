import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: LanguageSwitch } = await import("./LanguageSwitch.svelte");

describe("the first screen's language switch", () => {
  it("names each language in itself and sets the core's language setting", async () => {
    const onlanguagechange = vi.fn();
    const user = userEvent.setup();
    render(LanguageSwitch, { onlanguagechange });
    const select = (await screen.findByTestId("picker-language")) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(["Same as the computer", "English", "Español"]);
    expect(screen.getByLabelText("Language (Idioma)")).toBe(select);
    await user.selectOptions(select, "es");
    expect(fake.setSetting).toHaveBeenCalledWith("language", "es");
    await waitFor(() => expect(onlanguagechange).toHaveBeenCalledWith("es"));
  });
});
