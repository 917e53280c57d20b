import { ipc, type Limits } from "../ipc";

let limits: Promise<Limits> | null = null;

/**
 * The bounds the core enforces (largest photo, shortest passphrase), asked once. The window uses
 * them to say so before it asks; the core still refuses whatever passes them.
 */
export function coreLimits(): Promise<Limits> {
  limits ??= ipc.appInfo().then((info) => info.limits);
  return limits;
}
