/**
 * The `split` transformation resolver: `${split:<text>,delim=,,trim=true,skip_empty=false,limit=N}`.
 *
 * @module
 */

import { ParseError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { boolKwarg, intKwarg } from "./_args.ts";

/** Splits at most `limit` times (all when undefined): `limit + 1` parts at most. */
function splitLimited(text: string, delim: string, limit: number | undefined): string[] {
  if (limit === undefined) return text.split(delim);
  const parts: string[] = [];
  let start = 0;
  while (parts.length < limit) {
    const at = text.indexOf(delim, start);
    if (at < 0) break;
    parts.push(text.slice(start, at));
    start = at + delim.length;
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * The `split` resolver: splits its text argument into a list of strings.
 *
 * Keyword arguments:
 * - `delim`: the separator (default `,`; may be several characters; empty is a ParseError);
 * - `trim`: trim each part (default `true`; only `true` in any case means true);
 * - `skip_empty`: drop empty parts, after trimming (default `false`);
 * - `limit`: split at most N times, so at most N + 1 parts, the rest unsplit in the last part.
 *
 * Booleans are `true` or `false` (any case) and `limit` a non-negative integer; another value
 * is a ParseError (`INVALID_KEYWORD_VALUE`), as are more than one positional argument and an
 * unknown keyword (`${split:a,b}` is two arguments: quote text holding commas, `${split:'a,b'}`).
 *
 * `""` gives `[""]` unless `skip_empty=true`.
 *
 * @example Split a comma separated list
 * ```ts
 * import { splitResolver } from "./split.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ["a, b ,c"], kwargs: {} } as unknown as ResolverCall;
 * assert.deepEqual(splitResolver.resolve("a, b ,c", call), ["a", "b", "c"]);
 * ```
 *
 * @example Limit the number of splits
 * ```ts
 * import { splitResolver } from "./split.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ["a:b:c"], kwargs: { delim: ":", limit: "1" } } as unknown as ResolverCall;
 * assert.deepEqual(splitResolver.resolve("a:b:c", call), ["a", "b:c"]);
 * ```
 */
export const splitResolver: ResolverObject = {
  synchronous: true,
  params: { keywords: ["delim", "trim", "skip_empty", "limit"] },
  resolve(key: string, call: ResolverCall): string[] {
    const delim = call.kwargs["delim"] ?? ",";
    if (delim === "") {
      throw new ParseError("split delimiter cannot be empty", {
        help: "Give a non-empty delimiter, e.g. delim=; (the default is a comma)",
      });
    }
    const trim = boolKwarg(call, "trim", true);
    const skipEmpty = boolKwarg(call, "skip_empty", false);
    let parts = splitLimited(key, delim, intKwarg(call, "limit"));
    if (trim) parts = parts.map((p) => p.trim());
    if (skipEmpty) parts = parts.filter((p) => p !== "");
    return parts;
  },
};
