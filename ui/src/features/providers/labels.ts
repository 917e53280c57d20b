/** What each search service does and costs, in plain words (the core says what it receives). */
import { m } from "../../paraglide/messages";

export interface ProviderLabel {
  title: string;
  does: string;
  price: string;
}

const LABELS: Record<string, () => ProviderLabel> = {
  tineye: () => ({ title: "TinEye", does: m.prov_tineye_does(), price: m.prov_tineye_price() }),
  "google-vision": () => ({ title: m.prov_gv_title(), does: m.prov_gv_does(), price: m.prov_gv_price() }),
  "serpapi-lens": () => ({ title: m.prov_lens_title(), does: m.prov_lens_does(), price: m.prov_lens_price() }),
  facecheck: () => ({ title: "FaceCheck.ID", does: m.prov_fc_does(), price: m.prov_fc_price() }),
};

/** A service this window has no words for yet is shown by its name. */
export const providerLabel = (name: string): ProviderLabel => LABELS[name]?.() ?? { title: name, does: "", price: "" };
