/**
 * Recognises "Esc pressed twice" within a short window, the keyboard quick exit.
 * Time is passed in so the rule can be tested without waiting.
 */
export const DOUBLE_ESCAPE_MS = 800;

export function createDoubleEscape(onTrigger: () => void, windowMs = DOUBLE_ESCAPE_MS) {
  let last = -Infinity;
  return (key: string, now: number): boolean => {
    if (key !== "Escape") {
      last = -Infinity;
      return false;
    }
    if (now - last <= windowMs) {
      last = -Infinity;
      onTrigger();
      return true;
    }
    last = now;
    return false;
  };
}
