/**
 * The `csv` transformation resolver: `${csv:<text>,header=true,delim=,,trim=false}`.
 *
 * @module
 */

import { ParseError, ResolverError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { boolKwarg, setDataProperty } from "./_args.ts";

type CsvParse = (input: string, options: Record<string, unknown>) => string[][];

let csvParse: CsvParse | undefined;

async function loadCsvParse(): Promise<CsvParse> {
  if (csvParse === undefined) {
    let mod: { parse: unknown };
    try {
      mod = await import("csv-parse/sync");
    } catch (err) {
      // An optional peer dependency of the npm package: absent unless the user installed it.
      throw new ResolverError(
        "The csv resolver needs the npm package csv-parse, which could not be loaded",
        {
          help: "Install it: npm install csv-parse",
          cause: err,
        },
      );
    }
    csvParse = mod.parse as unknown as CsvParse;
  }
  return csvParse;
}

/** Our own text for a csv-parse failure: its messages may quote the input. */
function csvProblem(error: { code?: unknown; message?: unknown }, call: ResolverCall): string {
  switch (error.code) {
    case "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH": {
      const m = /expect (\d+), got (\d+)/.exec(String(error.message));
      return m
        ? `found record with ${m[2]} fields, but the previous record has ${m[1]} fields`
        : "found a record with a different number of fields";
    }
    case "CSV_QUOTE_NOT_CLOSED":
      return "quoted field is not closed";
    case "CSV_INVALID_CLOSING_QUOTE":
      return "unexpected character after a closing quote";
    default:
      return call.sensitiveInput || typeof error.message !== "string"
        ? "malformed CSV"
        : error.message;
  }
}

/**
 * The `csv` resolver: parses RFC 4180 CSV (quoted fields, `""` escapes, CRLF or LF line ends;
 * a final line break does not start a record; blank lines are skipped; empty input is `[]`).
 * All values are strings.
 *
 * Keyword arguments:
 * - `header` (default `true`): the first record names the columns and each following record
 *   becomes an object keyed by them; `false`: an array of arrays;
 * - `delim`: one character (default `,`); empty → ParseError "CSV delimiter cannot be empty";
 * - `trim` (default `false`): trim header names and fields.
 *
 * A record with a different number of fields is a ParseError "CSV parse error at line N: ...".
 * Messages never quote the input. The result is synchronous once the CSV parser has been
 * loaded (it is imported on first use, so the very first call returns a promise).
 *
 * @example Rows keyed by the header
 * ```ts
 * import { csvResolver } from "./csv.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const text = "name,age\nAlice,30\n";
 * const call = { args: [text], kwargs: {}, sensitiveInput: false } as unknown as ResolverCall;
 * assert.deepEqual(await csvResolver.resolve(text, call), [{ name: "Alice", age: "30" }]);
 * ```
 *
 * @example Without a header
 * ```ts
 * import { csvResolver } from "./csv.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ["a|b"], kwargs: { header: "false", delim: "|" }, sensitiveInput: false } as unknown as ResolverCall;
 * assert.deepEqual(await csvResolver.resolve("a|b", call), [["a", "b"]]);
 * ```
 */
export const csvResolver: ResolverObject = {
  params: { keywords: ["header", "delim", "trim"] },
  resolve(key: string, call: ResolverCall): unknown[] | Promise<unknown[]> {
    const header = boolKwarg(call, "header", true);
    const trim = boolKwarg(call, "trim", false);
    const delim = call.kwargs["delim"] ?? ",";
    if (delim === "") {
      throw new ParseError("CSV delimiter cannot be empty", {
        help: "Give one delimiter character, e.g. delim=; (the default is a comma)",
      });
    }
    if (Array.from(delim).length !== 1) {
      throw new ParseError(
        `CSV delimiter must be a single character (got ${Array.from(delim).length})`,
        { help: "Give one delimiter character, e.g. delim=|" },
      );
    }
    if (delim === '"' || delim === "\n" || delim === "\r") {
      throw new ParseError("CSV delimiter cannot be a quote or a line break");
    }
    const options = { header, trim, delim };
    if (csvParse !== undefined) return parseCsv(csvParse, key, options, call);
    return loadCsvParse().then((parse) => parseCsv(parse, key, options, call));
  },
};

/** Runs the parser and shapes the result. */
function parseCsv(
  parse: CsvParse,
  key: string,
  { header, trim, delim }: { header: boolean; trim: boolean; delim: string },
  call: ResolverCall,
): unknown[] {
  let records: string[][];
  try {
    records = parse(key, {
      delimiter: delim,
      record_delimiter: ["\r\n", "\n", "\r"],
      skip_empty_lines: true,
      relax_quotes: true,
      relax_column_count: false,
      bom: true,
      trim,
    });
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown; lines?: unknown };
    const line = typeof err.lines === "number" ? err.lines : undefined;
    const where = line === undefined ? "" : ` at line ${line}`;
    throw new ParseError(`CSV parse error${where}: ${csvProblem(err, call)}`, {
      ...(line === undefined ? {} : { line }),
      help: "Every record must have the same number of fields; quote fields that contain " +
        "the delimiter, quotes or line breaks",
    });
  }
  if (trim) records = records.map((r) => r.map((f) => f.trim()));
  if (!header) return records;
  const [names, ...rows] = records;
  if (names === undefined) return [];
  return rows.map((row) => {
    const obj: Record<string, unknown> = {};
    names.forEach((name, i) => setDataProperty(obj, name, row[i] ?? ""));
    return obj;
  });
}
