/**
 * Output formatting for the `holoconf` CLI: values as text, JSON or YAML (the library's own
 * export format: bytes as base64, non-finite numbers as JSON `null`), and colours.
 *
 * @module
 */

import { exportText } from "../../mod.ts";

/** Colour helpers; identity functions when colour is off. */
export interface Style {
  /** Success marks. */
  green(text: string): string;
  /** Failure marks and errors. */
  red(text: string): string;
  /** Warnings. */
  yellow(text: string): string;
  /** Secondary text. */
  dim(text: string): string;
  /** Headings. */
  bold(text: string): string;
}

/**
 * Builds the colour helpers.
 *
 * @param color Whether to emit ANSI escape codes.
 * @returns The helpers.
 *
 * @example No colour means no escape codes
 * ```ts
 * import { makeStyle } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(makeStyle(false).red("x"), "x");
 * assert.equal(makeStyle(true).red("x"), "\x1b[31mx\x1b[39m");
 * ```
 */
export function makeStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) =>
    color ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

/**
 * Block-style YAML without the final newline.
 *
 * @param value Plain data (bytes become base64).
 * @returns The YAML text.
 *
 * @example
 * ```ts
 * import { toYamlText } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toYamlText({ a: [1, 2] }), "a:\n  - 1\n  - 2");
 * ```
 */
export function toYamlText(value: unknown): string {
  return exportText(value, "yaml").replace(/\n$/, "");
}

/**
 * Two-space-indented JSON, as `dump -f json` writes it.
 *
 * @param value Plain data (bytes become base64, `Infinity` and `NaN` become `null`).
 * @returns The JSON text.
 *
 * @example
 * ```ts
 * import { toJsonText } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toJsonText({ b: new Uint8Array([104, 105]) }), '{\n  "b": "aGk="\n}');
 * ```
 */
export function toJsonText(value: unknown): string {
  return exportText(value, "json");
}

/**
 * A value as `holoconf get` prints it: text prints strings raw, bytes as base64 and anything
 * else as YAML; `json` and `yaml` format the value whatever it is.
 *
 * @param value The value.
 * @param format `text`, `json` or `yaml`.
 * @returns The text, without a final newline.
 *
 * @example
 * ```ts
 * import { formatValue } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatValue("db.internal", "text"), "db.internal");
 * assert.equal(formatValue({ port: 5432 }, "text"), "port: 5432");
 * assert.equal(formatValue({ port: 5432 }, "json"), '{\n  "port": 5432\n}');
 * ```
 */
export function formatValue(value: unknown, format: "text" | "json" | "yaml"): string {
  if (format === "json") return toJsonText(value);
  if (format === "text") {
    if (typeof value === "string") return value;
    // As the JSON export writes bytes: base64 (a JSON string, unquoted here).
    if (value instanceof Uint8Array) return JSON.parse(toJsonText(value)) as string;
  }
  return toYamlText(value);
}
