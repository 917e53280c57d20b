import { cleanup } from "@testing-library/svelte";
import { afterEach, vi } from "vitest";

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

// jsdom has no object URLs; previews only need a string.
if (!URL.createObjectURL) {
  let n = 0;
  URL.createObjectURL = () => `blob:test-${n++}`;
  URL.revokeObjectURL = () => {};
}
