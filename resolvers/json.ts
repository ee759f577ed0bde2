/**
 * The `json` transformation resolver: `${json:<text>}` parses strict JSON of any root type.
 *
 * @module
 */

import { ParseError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { previewDetail } from "./_args.ts";
import { locateJsonError } from "../src/_json_error.ts";
import { offsetToPosition } from "../src/_position.ts";

const MAX_JSON_DEPTH = 1000;

/** Offset of the bracket that opens level `max + 1` of a valid JSON text, if any. */
function depthLimitOffset(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

/**
 * Parses strict JSON (RFC 8259) of any root type, as `${json:...}` does.
 *
 * @param text The JSON text.
 * @param call The resolver call, or `{ sensitiveInput: true }` for text that may be a secret:
 *   `sensitiveInput` leaves the input preview out of errors (the reasons never quote it).
 * @returns The parsed value; object keys such as `__proto__` are own data properties.
 * @throws {ParseError} "Invalid JSON at line L, column C: <reason>".
 *
 * @example
 * ```ts
 * import { parseJsonValue } from "./json.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseJsonValue('{"a": [1]}', { sensitiveInput: true }), { a: [1] });
 * assert.throws(() => parseJsonValue("[1,", { sensitiveInput: true }), /line 1, column 4/);
 * ```
 */
export function parseJsonValue(text: string, call: Pick<ResolverCall, "sensitiveInput">): unknown {
  const tooDeep = depthLimitOffset(text, MAX_JSON_DEPTH);
  if (tooDeep !== undefined) {
    const { line, column } = offsetToPosition(text, tooDeep);
    throw new ParseError(
      `Invalid JSON at line ${line}, column ${column}: ` +
        `nesting exceeded the depth limit (${MAX_JSON_DEPTH})`,
      {
        line,
        column,
        help: `Nest arrays and objects at most ${MAX_JSON_DEPTH} levels deep`,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    const { offset, reason } = locateJsonError(text);
    const { line, column } = offsetToPosition(text, offset);
    throw new ParseError(`Invalid JSON at line ${line}, column ${column}: ${reason}`, {
      line,
      column,
      detail: previewDetail(text, call),
      help: "Check that the value is valid JSON",
    });
  }
}

/**
 * The `json` resolver: `${json:<text>}` parses its argument as strict JSON. Any root type is
 * accepted (object, array, string, number, boolean, null); object key order is kept.
 *
 * Errors are `ParseError`s "Invalid JSON at line L, column C: <reason>" with an
 * `Input preview:` line of the first 50 characters, left out when the input came from a
 * sensitive value.
 *
 * @example Parse a JSON object
 * ```ts
 * import { jsonResolver } from "./json.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ['{"port": 8080}'], kwargs: {}, sensitiveInput: false } as unknown as ResolverCall;
 * assert.deepEqual(await jsonResolver.resolve('{"port": 8080}', call), { port: 8080 });
 * ```
 *
 * @example Invalid JSON is a ParseError with line and column
 * ```ts
 * import { jsonResolver } from "./json.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ["[1,]"], kwargs: {}, sensitiveInput: false } as unknown as ResolverCall;
 * assert.throws(() => jsonResolver.resolve("[1,]", call), /Invalid JSON at line 1, column 4/);
 * ```
 */
export const jsonResolver: ResolverObject = {
  synchronous: true,
  params: { positional: 1, keywords: [] },
  resolve(key: string, call: ResolverCall): unknown {
    return parseJsonValue(key, call);
  },
};
