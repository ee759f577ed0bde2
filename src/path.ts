/**
 * Access paths (SPEC §3): `a.b`, `a[0]`, `a[0][1].b`, and relative-reference arithmetic.
 *
 * @module
 */

import { ParseError } from "./errors.ts";

/** One step of an access path: a mapping key or a sequence index. */
export type PathSegment = string | number;

const DIGITS_REGEXP = /^[0-9]+$/;

/**
 * Splits an access path into keys and indexes (`""` is the root `[]`). Indexes are
 * non-negative integers. A key that holds `.`, `[` or `]` (or the empty key) is written quoted
 * in brackets, as a JSON string: `m["a.b"]`, `m["say \"hi\""]` (the form `formatPath` writes
 * with `quoteKeys`, as change sets and `dumpSources()` do). Every `.` separates two steps: an
 * empty key (`a..b`, `.a`, `a.`, `a.[0]`) is an error, not a path with the empty key dropped
 * (upstream reads `a..b` as `a.b`). Relative references (`${.x}`, `${..x}`) are interpolation
 * syntax, not access paths.
 *
 * @param path The access path, e.g. `servers[0].host`.
 * @returns The segments: strings for keys, numbers for indexes.
 * @throws {ParseError} "Invalid array index in path: <x>" for a bracket that does not hold a
 *   non-negative integer, "Unexpected ']' in path" for a stray `]`, "Unclosed '[' in path" for a
 *   `[` without `]`, "Empty key in path" for a `.` not between two steps; for a quoted key,
 *   "Unclosed quoted key in path", "Invalid quoted key in path" (not a JSON string) and
 *   "Expected ']' after a quoted key in path". `column` is the 1-based column of the problem.
 *
 * @example Parse keys and indexes
 * ```ts
 * import { parsePath } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parsePath("a[0][1].b"), ["a", 0, 1, "b"]);
 * assert.deepEqual(parsePath('m["a.b"].c'), ["m", "a.b", "c"]);
 * assert.deepEqual(parsePath(""), []);
 * assert.throws(() => parsePath("a[-1]"), /Invalid array index in path: -1/);
 * ```
 */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let key = "";
  let i = 0;
  // A `.` needs a step before it (a key or an index) and a key after it.
  let afterDot = false;
  const pushKey = () => {
    if (key !== "") segments.push(key);
    key = "";
  };
  const emptyKey = (column: number) =>
    new ParseError("Empty key in path", {
      column,
      path,
      help: "Separate keys with one '.', e.g. a.b or a[0].b; a path neither starts nor ends " +
        "with '.' (relative references are written ${.x} inside a value)",
    });
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      if (key === "" && (afterDot || segments.length === 0)) throw emptyKey(i + 1);
      pushKey();
      afterDot = true;
      i++;
    } else if (c === "[") {
      if (key === "" && afterDot) throw emptyKey(i + 1);
      afterDot = false;
      pushKey();
      if (path[i + 1] === '"') {
        const [quoted, end] = quotedKey(path, i + 1);
        segments.push(quoted);
        i = end;
        continue;
      }
      const close = path.indexOf("]", i + 1);
      if (close < 0) {
        throw new ParseError("Unclosed '[' in path", {
          column: i + 1,
          path,
          help: "Close the index with ']', e.g. items[0]",
        });
      }
      const raw = path.slice(i + 1, close);
      const index = Number(raw);
      if (!DIGITS_REGEXP.test(raw) || !Number.isSafeInteger(index)) {
        throw new ParseError(`Invalid array index in path: ${raw}`, {
          column: i + 2,
          path,
          help: "Indexes are non-negative integers, e.g. items[0]",
        });
      }
      segments.push(index);
      i = close + 1;
    } else if (c === "]") {
      throw new ParseError("Unexpected ']' in path", { column: i + 1, path });
    } else {
      key += c;
      afterDot = false;
      i++;
    }
  }
  if (afterDot) throw emptyKey(path.length);
  pushKey();
  return segments;
}

/**
 * Reads the quoted key that starts at `start` (its `"`) up to the `]` after it: a JSON string.
 *
 * @returns The key, and the index after the `]`.
 */
function quotedKey(path: string, start: number): [string, number] {
  let j = start + 1;
  while (j < path.length && path[j] !== '"') j += path[j] === "\\" ? 2 : 1;
  if (j >= path.length) {
    throw new ParseError("Unclosed quoted key in path", {
      column: start + 1,
      path,
      help: 'Close the key with \'"]\', e.g. m["a.b"]',
    });
  }
  let key: unknown;
  try {
    key = JSON.parse(path.slice(start, j + 1));
  } catch {
    throw new ParseError("Invalid quoted key in path", {
      column: start + 1,
      path,
      help:
        'A quoted key is a JSON string: \\" and \\\\ for a quote and a backslash, e.g. m["a\\"b"]',
    });
  }
  if (path[j + 1] !== "]") {
    throw new ParseError("Expected ']' after a quoted key in path", {
      column: j + 2,
      path,
      help: 'Write a quoted key as ["key"], e.g. m["a.b"].c',
    });
  }
  return [key as string, j + 2];
}

/** Options of {@linkcode formatPath}. */
export interface FormatPathOptions {
  /**
   * Write a key that an access path cannot hold (one with `.`, `[` or `]`, or the empty key)
   * as a quoted segment `["a.b"]` (JSON string rules), so that every key path prints
   * differently and `parsePath` reads it back. @default {false}
   */
  quoteKeys?: boolean;
}

const SPECIAL_KEY_REGEXP = /[.[\]]/;

/**
 * Writes segments back as an access path: keys joined with `.`, indexes as `[n]`.
 * The inverse of {@linkcode parsePath} for keys that contain no `.`, `[` or `]`; with
 * `quoteKeys`, for every key.
 *
 * @param segments Keys and indexes.
 * @param options `quoteKeys` to keep keys with `.`, `[` or `]` apart from nested paths.
 * @returns The access path (`""` for no segments).
 *
 * @example
 * ```ts
 * import { formatPath } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatPath(["a", "b", 0, "c"]), "a.b[0].c");
 * assert.equal(formatPath([0, 1]), "[0][1]");
 * assert.equal(formatPath(["m", "a.b"], { quoteKeys: true }), 'm["a.b"]');
 * ```
 */
export function formatPath(
  segments: readonly PathSegment[],
  options: FormatPathOptions = {},
): string {
  const quote = options.quoteKeys ?? false;
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (quote && (s === "" || SPECIAL_KEY_REGEXP.test(s))) out += `[${JSON.stringify(s)}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}

/**
 * Computes the absolute path a relative reference points to. The current path is split on
 * `.` only (so `servers[0]` is one level): one dot means a sibling of the current key, each
 * extra dot one level up, clamped at the root.
 *
 * @param current Path of the value holding the reference, e.g. `servers[0].url`.
 * @param levels Number of leading dots (at least 1).
 * @param path The path after the dots; `""` gives the parent path itself.
 * @returns The absolute access path.
 * @throws {RangeError} When `levels` is not an integer of at least 1.
 *
 * @example Siblings and uncles
 * ```ts
 * import { resolveRelativePath } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resolveRelativePath("servers[0].url", 1, "host"), "servers[0].host");
 * assert.equal(resolveRelativePath("database.connection.url", 2, "host"), "database.host");
 * assert.equal(resolveRelativePath("hosts[1]", 1, "x"), "x");
 * ```
 */
export function resolveRelativePath(current: string, levels: number, path: string): string {
  if (!Number.isInteger(levels) || levels < 1) {
    throw new RangeError(`levels must be an integer >= 1 (got ${levels})`);
  }
  const parts = current === "" ? [] : current.split(".");
  const base = parts.slice(0, Math.max(0, parts.length - levels)).join(".");
  if (path === "") return base;
  if (base === "") return path;
  return path.startsWith("[") ? base + path : `${base}.${path}`;
}
