// Helpers shared by the file and transformation resolvers (private).

import { ParseError } from "../src/errors.ts";
import { REDACTED, type ResolverCall } from "../src/resolver.ts";
import { redactedCause } from "../src/_resolver_errors.ts";
import { coerceString } from "../src/schema/coerce.ts";
import { closestName } from "../src/_did_you_mean.ts";

/** How many characters of an input a parse error may show. */
export const PREVIEW_LENGTH = 50;

// Typed keyword arguments. A blank value counts as absent (`limit=${env:UNSET_OR_EMPTY}`);
// anything else that is not of the keyword's type is a ParseError `INVALID_KEYWORD_VALUE`
// naming the keyword and the accepted form, never silently ignored.

/** The keyword's value, trimmed; undefined when absent or blank. */
function given(call: ResolverCall, name: string): string | undefined {
  const raw = call.kwargs[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
}

/** The error for a keyword value of the wrong form (the value is shown unless sensitive). */
function invalidKeyword(
  call: ResolverCall,
  name: string,
  value: string,
  accepted: { expected: string; suggestion?: string | undefined },
): ParseError {
  const chars = Array.from(value);
  const short = chars.length > PREVIEW_LENGTH
    ? `${chars.slice(0, PREVIEW_LENGTH).join("")}...`
    : value;
  const did = accepted.suggestion === undefined ? "" : `Did you mean ${accepted.suggestion}? `;
  return new ParseError(
    `Invalid value for keyword '${name}' of resolver '${call.resolver}': ` +
      (call.sensitiveInput ? REDACTED : escapeControls(short)),
    { code: "INVALID_KEYWORD_VALUE", help: `${did}${name}= takes ${accepted.expected}` },
  );
}

/**
 * A boolean keyword argument: absent or blank → `fallback`; `true` or `false` in any case
 * (the rule of schema coercion); anything else throws.
 *
 * @throws {ParseError} `INVALID_KEYWORD_VALUE` for another value (`trim=yes`).
 */
export function boolKwarg(call: ResolverCall, name: string, fallback: boolean): boolean {
  const raw = given(call, name);
  if (raw === undefined) return fallback;
  const r = coerceString(raw, "boolean");
  if (r.ok) return r.value === true;
  throw invalidKeyword(call, name, raw, { expected: "true or false, e.g. " + `${name}=true` });
}

/**
 * A non-negative integer keyword argument (digits only): absent or blank → undefined.
 *
 * @throws {ParseError} `INVALID_KEYWORD_VALUE` for another value (`limit=x`, `limit=-1`).
 */
export function intKwarg(call: ResolverCall, name: string): number | undefined {
  const raw = given(call, name);
  if (raw === undefined) return undefined;
  const r = coerceString(raw, "integer");
  if (r.ok && typeof r.value === "number" && r.value >= 0) return r.value;
  throw invalidKeyword(call, name, raw, {
    expected: `a non-negative integer, e.g. ${name}=2`,
  });
}

/**
 * A keyword argument with a fixed set of values, compared case-insensitively: absent or blank
 * → `fallback`.
 *
 * @throws {ParseError} `INVALID_KEYWORD_VALUE` for another value, suggesting the closest one.
 */
export function enumKwarg<T extends string>(
  call: ResolverCall,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const raw = given(call, name);
  if (raw === undefined) return fallback;
  const found = values.find((v) => v === raw.toLowerCase());
  if (found !== undefined) return found;
  const near = closestName(raw, values);
  throw invalidKeyword(call, name, raw, {
    expected: `one of ${values.join(", ")}`,
    suggestion: near === undefined || call.sensitiveInput ? undefined : `'${near}'`,
  });
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
