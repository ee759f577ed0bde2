// Helpers shared by the file and transformation resolvers (private).

import { REDACTED, type ResolverCall } from "../src/resolver.ts";
import { redactedCause } from "../src/_resolver_errors.ts";

/** How many characters of an input a parse error may show. */
export const PREVIEW_LENGTH = 50;

/**
 * A boolean keyword argument: absent → `fallback`; present → `true` only for `true` in any case.
 */
export function boolKwarg(call: ResolverCall, name: string, fallback: boolean): boolean {
  const raw = call.kwargs[name];
  if (raw === undefined) return fallback;
  return raw.trim().toLowerCase() === "true";
}

/** Replaces line breaks, tabs and other control characters so a snippet stays on one line. */
export function escapeControls(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * The `Input preview: ...` detail line of a parse error, or no line at all when the input came
 * from a sensitive value.
 */
export function previewDetail(text: string, call: Pick<ResolverCall, "sensitiveInput">): string[] {
  if (call.sensitiveInput) return [];
  const chars = Array.from(text);
  const head = chars.slice(0, PREVIEW_LENGTH).join("");
  return [`Input preview: ${escapeControls(head)}...`];
}

/** `text` for a message, or `[REDACTED]` when an input of the call was sensitive. */
export function shown(text: string, call: ResolverCall): string {
  return call.sensitiveInput ? REDACTED : text;
}

/** Names and stand-ins of thrown values that never carry their text: the engine's helpers. */
export { errorMessage, errorName, redactedCause } from "../src/_resolver_errors.ts";

/** The error itself as a `cause`, or its `redactedCause` when an input was sensitive. */
export function causeFor(err: unknown, call: ResolverCall): unknown {
  return call.sensitiveInput ? redactedCause(err) : err;
}

/** Sets an own data property (`__proto__` stays data): the tree module's helper. */
export { defineOwn as setDataProperty } from "../src/tree.ts";
