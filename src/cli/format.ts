/**
 * Output formatting for the `holoconf` CLI: values as text, JSON or YAML, and colours.
 *
 * @module
 */

import { dump as dumpYaml } from "js-yaml";

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
 * Encodes bytes as base64.
 *
 * @param bytes The bytes.
 * @returns Base64 text.
 *
 * @example Encode
 * ```ts
 * import { toBase64 } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toBase64(new TextEncoder().encode("hi")), "aGk=");
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Turns a value returned by the library into plain data: bytes become base64 text, bigints
 * numbers when exact (else text).
 *
 * @param value Any value from `config.get`/`getRaw`.
 * @returns JSON/YAML-friendly data.
 *
 * @example Bytes become base64
 * ```ts
 * import { toPlain } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(toPlain({ b: new Uint8Array([104, 105]) }), { b: "aGk=" });
 * ```
 */
export function toPlain(value: unknown): unknown {
  if (value instanceof Uint8Array) return toBase64(value);
  if (typeof value === "bigint") {
    const n = Number(value);
    return BigInt(n) === value ? n : value.toString();
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: toPlain(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * Renders data as block-style YAML (no trailing newline).
 *
 * @param value Plain data.
 * @returns YAML text.
 *
 * @example A mapping
 * ```ts
 * import { toYamlText } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toYamlText({ a: 1, b: [true] }), "a: 1\nb:\n  - true");
 * ```
 */
export function toYamlText(value: unknown): string {
  return dumpYaml(toPlain(value), { lineWidth: -1, noRefs: true }).replace(/\n$/, "");
}

/**
 * Formats a value for `holoconf get`: `text` prints strings raw, numbers and booleans as
 * YAML scalars, null as `null`, bytes as base64 and mappings/lists as YAML; `json` is
 * 2-space-indented JSON; `yaml` is YAML.
 *
 * @param value The value.
 * @param format Output format.
 * @returns Text without a trailing newline.
 *
 * @example Text output
 * ```ts
 * import { formatValue } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatValue("localhost", "text"), "localhost");
 * assert.equal(formatValue(8080, "text"), "8080");
 * assert.equal(formatValue(null, "text"), "null");
 * assert.equal(formatValue({ port: 1 }, "json"), '{\n  "port": 1\n}');
 * ```
 */
export function formatValue(value: unknown, format: "text" | "json" | "yaml"): string {
  const plain = toPlain(value);
  switch (format) {
    case "json":
      return JSON.stringify(plain, jsonReplacer, 2) ?? "null";
    case "yaml":
      return toYamlText(plain);
    default:
      if (typeof plain === "string") return plain;
      return toYamlText(plain);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

/**
 * Pretty JSON with a 2-space indent.
 *
 * @param value Plain data.
 * @returns JSON text (no trailing newline).
 *
 * @example
 * ```ts
 * import { toJsonText } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toJsonText({ valid: true }), '{\n  "valid": true\n}');
 * ```
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(toPlain(value), jsonReplacer, 2) ?? "null";
}
