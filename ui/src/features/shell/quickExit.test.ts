import { describe, expect, it, vi } from "vitest";
import { createDoubleEscape, DOUBLE_ESCAPE_MS } from "./quickExit";

describe("double escape", () => {
  it("fires on two Escapes within the window", () => {
    const fire = vi.fn();
    const press = createDoubleEscape(fire);
    expect(press("Escape", 1000)).toBe(false);
    expect(press("Escape", 1000 + DOUBLE_ESCAPE_MS - 1)).toBe(true);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it("does not fire when the presses are too far apart", () => {
    const fire = vi.fn();
    const press = createDoubleEscape(fire);
    press("Escape", 0);
    press("Escape", DOUBLE_ESCAPE_MS + 1);
    expect(fire).not.toHaveBeenCalled();
  });

  it("another key in between cancels the first Escape", () => {
    const fire = vi.fn();
    const press = createDoubleEscape(fire);
    press("Escape", 0);
    press("a", 10);
    press("Escape", 20);
    expect(fire).not.toHaveBeenCalled();
  });

  it("a third Escape starts a new pair rather than firing again", () => {
    const fire = vi.fn();
    const press = createDoubleEscape(fire);
    press("Escape", 0);
    press("Escape", 10);
    press("Escape", 20);
    expect(fire).toHaveBeenCalledTimes(1);
  });
});
