// Helpers shared by the file and transformation resolvers (private).

import type { ResolverCall } from "../src/resolver.ts";

/** Placeholder used in messages instead of text that came from a sensitive input. */
export const REDACTED = "[REDACTED]";

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
export function previewDetail(text: string, call: ResolverCall): string[] {
  if (call.sensitiveInput) return [];
  const chars = Array.from(text);
  const head = chars.slice(0, PREVIEW_LENGTH).join("");
  return [`Input preview: ${escapeControls(head)}...`];
}

/** `text` for a message, or `[REDACTED]` when an input of the call was sensitive. */
export function shown(text: string, call: ResolverCall): string {
  return call.sensitiveInput ? REDACTED : text;
}

/** Sets an own data property (`__proto__` stays data): the tree module's helper. */
export { defineOwn as setDataProperty } from "../src/tree.ts";

/** 1-based line and column (in UTF-16 code units) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
