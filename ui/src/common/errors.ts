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
import { m } from "../paraglide/messages";
import { getLocale } from "../paraglide/runtime";

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
  summary: () => string;
  nextStep: () => string;
  /** Whether the core's words are shown with the sentence or folded away as technical detail. */
  specifics: "inline" | "technical";
}

/** One entry per code: the type makes a new code in bindings.ts fail `npm run check` until it has words. */
export const CODE_TEXT: Record<ErrorCode, CodeText> = {
  invalid_input: {
    summary: m.err_invalid_input,
    nextStep: m.err_invalid_input_next,
    specifics: "inline",
  },
  not_found: {
    summary: m.err_not_found,
    nextStep: m.err_not_found_next,
    specifics: "inline",
  },
  io: {
    summary: m.err_io,
    nextStep: m.err_io_next,
    specifics: "technical",
  },
  corrupt: {
    summary: m.err_corrupt,
    nextStep: m.err_corrupt_next,
    specifics: "technical",
  },
  locked: {
    summary: m.err_locked,
    nextStep: m.err_locked_next,
    specifics: "inline",
  },
  refused: {
    summary: m.err_refused,
    nextStep: m.err_refused_next,
    specifics: "inline",
  },
  external: {
    summary: m.err_external,
    nextStep: m.err_external_next,
    specifics: "inline",
  },
  internal: {
    summary: m.err_internal,
    nextStep: m.err_internal_next,
    specifics: "technical",
  },
};

/**
 * The core writes in English. In another language its words would break the page's language, so
 * they are folded away with the technical details, for a report; the code's sentence says enough.
 */
const coreWordsInline = () => getLocale() === "en";

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
      return { code: error.code, message: sentence(message), nextStep: m.err_generic_next(), technical: null };
    }
    const lead = what ?? text.summary();
    if (text.specifics === "inline" && core && coreWordsInline()) {
      return { code: error.code, message: sentence(`${lead}: ${core}`), nextStep: text.nextStep(), technical: null };
    }
    return { code: error.code, message: sentence(lead), nextStep: text.nextStep(), technical: core || null };
  }
  // The window's own messages are already written for people.
  if (typeof error === "string") return { code: null, message: sentence(error), nextStep: null, technical: null };
  if (error instanceof Error && error.message) {
    return { code: null, message: sentence(what ? `${what}: ${error.message}` : error.message), nextStep: null, technical: null };
  }
  return { code: null, message: sentence(what ?? m.err_generic()), nextStep: m.err_generic_next(), technical: null };
}

/** The whole description as one line, for places with room for text only (a photo's caption). */
export function errorText(error: unknown, what?: string): string {
  const d = describeError(error, what);
  return d.nextStep ? `${d.message} ${d.nextStep}` : d.message;
}
