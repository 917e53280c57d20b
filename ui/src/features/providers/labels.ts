/** What each search service does and costs, in plain words (the core says what it receives). */
export interface ProviderLabel {
  title: string;
  does: string;
  price: string;
}

const LABELS: Record<string, ProviderLabel> = {
  tineye: { title: "TinEye", does: "Finds copies of a photo across the web.", price: "Paid per search (bundles)." },
  "google-vision": {
    title: "Google Cloud Vision (web detection)",
    does: "Finds pages that show the same or a similar photo.",
    price: "Free for the first 1,000 searches a month, then paid.",
  },
  "serpapi-lens": {
    title: "Google Lens through SerpApi",
    does: "Finds exact copies of a photo that Google Lens knows.",
    price: "Monthly plans with a number of searches.",
  },
  facecheck: { title: "FaceCheck.ID", does: "Finds other photos of the same face.", price: "Paid credits per search." },
};

/** A service this window has no words for yet is shown by its name. */
export const providerLabel = (name: string): ProviderLabel => LABELS[name] ?? { title: name, does: "", price: "" };
