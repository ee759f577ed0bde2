/**
 * `.env` files (`LoadOptions.envFiles`, the CLI's `--env-file`): parsed with the `parse` of the
 * npm package `dotenv`, imported on first use (its import costs ≈ 30 ms of start-up under Deno,
 * so configs without `.env` files never pay it).
 *
 * Why `dotenv`: the parsers built into the runtimes (`util.parseEnv`) disagree with each other on
 * the same text (Node 20 cuts `"a \"b\""` at the escaped quote and glues a line without `=` to
 * the next key; Deno reads an unterminated quote to the end of the file), so the npm build and
 * Deno would read one file differently. `dotenv`'s parser is plain JavaScript, the same on every
 * runtime: `KEY=value`, `export KEY=value`, blank lines and `#` comments (also after an unquoted
 * value), single, double and backtick quotes (a quoted value may span lines; `\n` and `\r` are
 * escapes in double quotes only), surrounding blanks trimmed, the last of a repeated key wins.
 * It never fails: a line it cannot read is skipped, so no error can quote a value.
 *
 * @module
 */

import { HoloconfError } from "./errors.ts";

type DotenvParse = (text: string) => Record<string, string>;

let parser: DotenvParse | undefined;
let loading: Promise<DotenvParse> | undefined;

/**
 * Loads the `.env` parser (once per process; a failed load is tried again next time).
 *
 * @returns When {@linkcode parseDotenv} can run.
 * @throws {HoloconfError} When the `dotenv` package cannot be imported.
 *
 * @example
 * ```ts
 * import { dotenvReady, loadDotenv } from "./dotenv.ts";
 * import assert from "node:assert/strict";
 * await loadDotenv();
 * assert.equal(dotenvReady(), true);
 * ```
 */
export async function loadDotenv(): Promise<void> {
  if (parser !== undefined) return;
  loading ??= import("dotenv").then((m) => {
    const parse = (m as { parse?: unknown; default?: { parse?: unknown } }).parse ??
      (m as { default?: { parse?: unknown } }).default?.parse;
    if (typeof parse !== "function") throw new TypeError("dotenv has no parse()");
    return parse as DotenvParse;
  });
  try {
    parser = await loading;
  } catch (cause) {
    loading = undefined;
    throw new HoloconfError("The .env parser (npm package dotenv) could not be loaded", {
      cause,
      help: "Install the dotenv package next to holoconf",
    });
  }
}

/**
 * Whether {@linkcode loadDotenv} has finished: `.env` text can then be parsed synchronously.
 *
 * @returns True once loaded.
 */
export function dotenvReady(): boolean {
  return parser !== undefined;
}

/**
 * Parses the text of a `.env` file (after {@linkcode loadDotenv}).
 *
 * @param text The file's content.
 * @returns The variables, in file order (the last of a repeated name wins).
 * @throws {Error} When the parser is not loaded yet (a bug of the caller).
 *
 * @example Quotes, `export`, comments and a value over two lines
 * ```ts
 * import { loadDotenv, parseDotenv } from "./dotenv.ts";
 * import assert from "node:assert/strict";
 * await loadDotenv();
 * const vars = parseDotenv('export A=1 # one\nB="x\ny"\nC=\'${HOME}\'\n');
 * assert.deepEqual([...vars], [["A", "1"], ["B", "x\ny"], ["C", "${HOME}"]]);
 * ```
 */
export function parseDotenv(text: string): Map<string, string> {
  if (parser === undefined) throw new Error("parseDotenv() called before loadDotenv()");
  return new Map(Object.entries(parser(text)));
}
