/**
 * Errors in plain words. Every failure the window shows goes through {@link describeError}, which
 * branches on the core's stable `ErrorCode` (see crates/takeback-core/src/error.rs): each code has
 * a calm sentence saying what kind of thing happened and what to do next.
 *
 * A code covers many causes (`locked` is a wrong passphrase as well as a key gone from the
 * keyring), so the core's own words follow the sentence where they name what exactly was wrong
 * (the person's input, a safety rule, an outside service). Where they are technical (files, stored
 * data, bugs) they are kept apart, for a report, so the screen stays calm.
 */
import type { ErrorCode, IpcError } from "../ipc";

export interface ErrorDescription {
  /** The core's stable code; null for the window's own messages and for unexpected throws. */
  code: ErrorCode | null;
  /** What happened, as one sentence ending in a full stop. */
  message: string;
  /** What the person can do now; null when the message already says it. */
  nextStep: string | null;
  /** The core's technical words, for a report; shown folded away. */
  technical: string | null;
}

interface CodeText {
  /** What kind of thing happened, without a full stop (the core's words may follow a colon). */
  summary: string;
  nextStep: string;
  /** Whether the core's words are shown with the sentence or folded away as technical detail. */
  specifics: "inline" | "technical";
}

/** One entry per code: the type makes a new code in bindings.ts fail `npm run check` until it has words. */
export const CODE_TEXT: Record<ErrorCode, CodeText> = {
  invalid_input: {
    summary: "Takeback could not use what was entered",
    nextStep: "Change it and try again.",
    specifics: "inline",
  },
  not_found: {
    summary: "Takeback could not find that",
    nextStep: "It may have been removed already. Open the list again to see what is there now.",
    specifics: "inline",
  },
  io: {
    summary: "Takeback could not read or write a file on this computer",
    nextStep: "Check that the folder exists, that you may write to it and that the disk has space, then try again.",
    specifics: "technical",
  },
  corrupt: {
    summary: "Some saved information could not be read back",
    nextStep:
      "Nothing was sent anywhere. Please do not delete anything yet: ask the person who helps you, or report it with the details below.",
    specifics: "technical",
  },
  locked: {
    summary: "This profile is locked",
    nextStep: "Check the passphrase (capital letters count) and try again, or open the profile again from the start.",
    specifics: "inline",
  },
  refused: {
    summary: "Takeback stopped this to keep you safe",
    nextStep: "This is a safety rule, not a mistake on your part.",
    specifics: "inline",
  },
  external: {
    summary: "Something outside Takeback did not work",
    nextStep: "Everything on this computer is safe. Try again in a moment.",
    specifics: "inline",
  },
  internal: {
    summary: "Something went wrong inside Takeback",
    nextStep: "Nothing was lost or sent. Try again; if it happens again, please report it with the details below.",
    specifics: "technical",
  },
};

const GENERIC_NEXT_STEP = "Nothing was lost or sent. Please try again.";

/** Ends a sentence with a full stop unless it already ends with punctuation. */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && typeof (e as IpcError).code === "string" && typeof (e as IpcError).message === "string";
}

/**
 * Plain words for anything a `catch` received: an {@link IpcFailure} (or the `{code, message}` a
 * scan event carries), one of the window's own `Error`s or message strings, or anything else.
 *
 * `what` names the action that failed ("The letter was not saved"); it replaces the code's general
 * sentence, which keeps the context a page knows.
 */
export function describeError(error: unknown, what?: string): ErrorDescription {
  if (isIpcError(error)) {
    const text = CODE_TEXT[error.code] as CodeText | undefined;
    const core = error.message.trim();
    if (!text) {
      // A code newer than this window: the core's words are the best there is.
      const message = what ? `${what}: ${core}` : core.charAt(0).toUpperCase() + core.slice(1);
      return { code: error.code, message: sentence(message), nextStep: GENERIC_NEXT_STEP, technical: null };
    }
    const lead = what ?? text.summary;
    if (text.specifics === "inline" && core) {
      return { code: error.code, message: sentence(`${lead}: ${core}`), nextStep: text.nextStep, technical: null };
    }
    return { code: error.code, message: sentence(lead), nextStep: text.nextStep, technical: core || null };
  }
  // The window's own messages are already written for people.
  if (typeof error === "string") return { code: null, message: sentence(error), nextStep: null, technical: null };
  if (error instanceof Error && error.message) {
    return { code: null, message: sentence(what ? `${what}: ${error.message}` : error.message), nextStep: null, technical: null };
  }
  return { code: null, message: sentence(what ?? "Something went wrong"), nextStep: GENERIC_NEXT_STEP, technical: null };
}

/** The whole description as one line, for places with room for text only (a photo's caption). */
export function errorText(error: unknown, what?: string): string {
  const d = describeError(error, what);
  return d.nextStep ? `${d.message} ${d.nextStep}` : d.message;
}
