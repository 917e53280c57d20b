import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";
import type { Finding_Serialize } from "../../ipc";
import { createFakeIpc } from "../../test/fakeIpc";

const fake = createFakeIpc();
vi.mock(import("../../ipc"), async (importOriginal) => ({ ...(await importOriginal()), ipc: fake }));
const { default: RequestRemoval } = await import("./RequestRemoval.svelte");

const finding: Finding_Serialize = {
  id: 9,
  image_url: "https://img.example.net/a.jpg",
  page_url: "https://forum.example.net/t/1",
  site: "forum.example.net",
  kind: "owners_face",
  unverified_reason: null,
  unverified_why: null,
  distance: 0.3,
  likeness: "very_likely",
  pdq_distance: null,
  sha256: "ab".repeat(32),
  pdq: null,
  cluster_id: 9,
  status: "confirmed",
  providers: ["site-watch"],
  first_seen: "2026-11-20T09:30:00Z",
  last_seen: "2026-11-20T09:30:00Z",
  has_thumbnail: true,
  reappeared_from: null,
};

describe("request removal", () => {
  it("goes from facts to routes, recipient, an edited letter with its check, a saved PDF and a case", async () => {
    fake.adviseLetters.mockResolvedValueOnce({
      routes: [
        { kind: "takeitdown", regime: null, basis: "tida_48h", reason: "core English", reason_code: { code: "tida_fits" }, warnings: [], warning_codes: [] },
        {
          kind: "dmca",
          regime: null,
          basis: "dmca_none",
          reason: "core English",
          reason_code: { code: "dmca_fits" },
          warnings: ["core English"],
          warning_codes: [{ code: "counter_notice" }],
        },
      ],
      excluded: [{ kind: "ukosa", reason: "core English", reason_code: { code: "gdpr_needs_link" } }],
      warnings: [],
      warning_codes: [],
      minor: null,
    });
    fake.findContacts.mockResolvedValueOnce({
      host: "forum.example.net",
      contacts: [
        {
          address: "abuse@host.example",
          role: "abuse",
          source: "rdap",
          detail: "core English",
          detail_code: { code: "host", name: "Host Example Ltd" },
          source_url: null,
          last_verified: null,
        },
      ],
      notes: [{ code: "registry_does_not_know", host: "forum.example.net" }],
      recommended: 0,
      organisations: ["host.example"],
    });
    fake.draftLetter
      .mockResolvedValueOnce({
        subject: "Removal request",
        body: "Dear team,\n\nRemove https://img.example.net/a.jpg within 48 hours.",
        recipient_name: "Hosting network abuse desk",
        recipient_address: "abuse@host.example",
        signer: "Sam",
        missing: [],
      })
      .mockResolvedValueOnce({
        subject: "Removal request",
        body: "Dear team,\n\nRemove it.",
        recipient_name: "Hosting network abuse desk",
        recipient_address: "abuse@host.example",
        signer: "Sam",
        missing: [{ law: "47 U.S.C. § 223a", element: "the image's location" }],
      });
    const onfiled = vi.fn();
    const user = userEvent.setup();
    const { container } = render(RequestRemoval, { findings: [finding], oncancel: vi.fn(), onfiled });

    await user.click(screen.getByTestId("rr-photographer-myself"));
    await user.click(screen.getByTestId("rr-suggest"));
    expect(fake.adviseLetters).toHaveBeenCalledWith(expect.objectContaining({ photographer: "myself", intimate: true }));
    // One recommended route with its reason; the others below; cautions in a calm list, not in red.
    const advice = await screen.findByTestId("rr-advice");
    expect(screen.getAllByTestId("rr-recommended")).toHaveLength(1);
    expect(screen.getByTestId("rr-recommended").textContent).toContain("within 48 hours");
    expect(screen.getByTestId("rr-recommended").textContent).not.toContain("Copyright");
    expect(advice.querySelectorAll(".warning, .alert")).toHaveLength(0);
    await user.click(screen.getByTestId("rr-route-dmca"));
    expect(screen.getByTestId("rr-things").textContent).toContain("The uploader can answer with a counter-notice.");
    // Every sentence is the window's own: the core's English text is for the CLI.
    expect(advice.textContent).not.toContain("core English");
    await user.click(screen.getByTestId("rr-route-takeitdown"));

    await user.click(screen.getByTestId("rr-lookup"));
    expect(fake.findContacts).toHaveBeenCalledWith("https://forum.example.net/t/1", true, "takeitdown");
    await waitFor(() => expect((screen.getByTestId("rr-to") as HTMLInputElement).value).toBe("abuse@host.example"));
    // What could not be looked up is the core's code, said by the window.
    expect(screen.getByTestId("rr-note").textContent).toBe("The registry has no record of forum.example.net.");
    expect(screen.getByTestId("rr-note").getAttribute("lang")).toBeNull();

    await user.click(screen.getByTestId("rr-draft"));
    expect(await screen.findByTestId("rr-complete")).toBeTruthy();
    expect(screen.getByTestId("rr-preview").textContent).toContain("https://img.example.net/a.jpg");

    // Deleting the address is allowed, but flagged, and saving waits until it is back.
    // The letter is shown once; its text becomes editable in place.
    expect(screen.queryByTestId("rr-body")).toBeNull();
    await user.click(screen.getByTestId("rr-edit"));
    const bodyBox = screen.getByTestId("rr-body") as HTMLTextAreaElement;
    await user.clear(bodyBox);
    await user.type(bodyBox, "Dear team, remove it.");
    expect((await screen.findByTestId("rr-missing", {}, { timeout: 2000 })).textContent).toContain("the image's location");
    expect((screen.getByTestId("rr-save") as HTMLButtonElement).disabled).toBe(true);

    fake.draftLetter.mockResolvedValueOnce({
      subject: "Removal request",
      body: "ok",
      recipient_name: "x",
      recipient_address: null,
      signer: "Sam",
      missing: [],
    });
    await user.type(bodyBox, " https://img.example.net/a.jpg");
    await screen.findByTestId("rr-complete", {}, { timeout: 2000 });
    await user.click(screen.getByTestId("rr-save"));
    expect(fake.saveLetter).toHaveBeenCalledWith(
      expect.objectContaining({
        finding_ids: [9],
        kind: "takeitdown",
        recipient: { name: "host.example", address: "abuse@host.example" },
      }),
      "eml",
      "/home/sam/Documents/Takeback letters/takeitdown.eml",
      false,
      null,
    );
    expect(onfiled).toHaveBeenCalledWith(1);
    expect(await screen.findByTestId("rr-saved")).toBeTruthy();
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join()}`)).toEqual([]);
  });

  it("keeps a web form apart from email: open the form and copy the text, never an email address", async () => {
    fake.adviseLetters.mockResolvedValueOnce({
      routes: [
        {
          kind: "delisting",
          regime: "eu",
          basis: "gdpr_1m",
          reason: "Search engines can hide the page.",
          reason_code: { code: "delisting_fits" },
          warnings: [],
          warning_codes: [],
        },
      ],
      excluded: [],
      warnings: ["Never send the image itself."],
      warning_codes: [{ code: "never_send_image" }],
      minor: null,
    });
    fake.findContacts.mockResolvedValueOnce({
      host: "forum.example.net",
      contacts: [
        {
          address: "https://support.google.com/websearch/answer/6302812",
          role: "form",
          source: "directory",
          detail: "Google Search, for intimate images shared without consent",
          detail_code: { code: "directory", platform: "Google Search", purpose: "ncii" },
          source_url: "https://support.google.com/websearch/answer/6302812",
          last_verified: "2026-11-26",
        },
        {
          address: "abuse@forum.example.net",
          role: "operator",
          source: "security.txt",
          detail: "the site's contact for security problems",
          detail_code: { code: "security_contact", no_expiry: false },
          source_url: null,
          last_verified: null,
        },
      ],
      notes: [],
      recommended: null,
      organisations: ["Google Search", "forum.example.net"],
    });
    const user = userEvent.setup();
    render(RequestRemoval, { findings: [finding], oncancel: vi.fn() });
    await user.click(screen.getByTestId("rr-suggest"));
    await screen.findByTestId("rr-recommended");
    await user.click(screen.getByTestId("rr-lookup"));
    // Nothing is picked by default: the form is not an address, the security contact is a last resort.
    const forms = await screen.findByTestId("rr-forms");
    expect((screen.getByTestId("rr-to") as HTMLInputElement).value).toBe("");
    expect(screen.getByTestId("rr-contacts").textContent).not.toMatch(/operator|ncii|security\.txt|rdap/);
    await user.click(forms.querySelector("input") as HTMLInputElement);
    expect(screen.queryByTestId("rr-to")).toBeNull();
    expect(screen.getByTestId("rr-form-chosen").textContent).toContain("Google Search");

    await user.click(screen.getByTestId("rr-draft"));
    expect(fake.draftLetter).toHaveBeenLastCalledWith(
      expect.objectContaining({ recipient: { name: "Google Search", address: null } }),
    );
    await user.click(await screen.findByTestId("rr-open-form"));
    expect(fake.openUrl).toHaveBeenCalledWith("https://support.google.com/websearch/answer/6302812");
    expect(screen.getByTestId("rr-copy-form")).toBeTruthy();
    // The email draft is not offered for a form.
    expect(screen.queryByText(/Email draft/)).toBeNull();
  });
});
