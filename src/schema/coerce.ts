/**
 * Schema-driven coercion of resolved strings (ADR-012, SPEC §8) and the value descriptions
 * used in `TypeCoercionError` `Got:` lines.
 *
 * @module
 */

import { TypeCoercionError } from "../errors.ts";
import { REDACTED } from "../resolver.ts";

/** The types a resolved string may be coerced to. */
export type CoercionType = "integer" | "number" | "boolean";

/** The outcome of {@linkcode coerceString}. */
export type CoercionResult = { ok: true; value: number | boolean } | { ok: false };

/**
 * What a resolved string must look like to be coerced to each type, as said in messages.
 *
 * @example Name a boolean's accepted forms
 * ```ts
 * import { ACCEPTED_FORMS } from "./coerce.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ACCEPTED_FORMS.boolean, "true or false, in any case");
 * ```
 */
export const ACCEPTED_FORMS: Readonly<Record<CoercionType, string>> = {
  integer: "digits with an optional sign, e.g. 8080",
  number: "a decimal number such as 1.5, -2 or 1e3",
  boolean: "true or false, in any case",
};

const INTEGER_REGEXP = /^[+-]?[0-9]+$/;
/** A decimal number as text: `1`, `-1.5`, `.5`, `1.`, `1e3` (no blanks, no `inf`/`nan`). */
export const NUMBER_REGEXP = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * Converts a resolved string to the type a schema asks for, strictly:
 *
 * - `integer`: optional sign and ASCII digits only (no whitespace, decimals, underscores or
 *   exponent), and the result must be a safe integer;
 * - `number`: a decimal or exponent literal with an optional sign (`1.5`, `-2`, `.5`, `1e3`);
 *   no whitespace, hex, `inf` or `NaN`, and the result must be finite;
 * - `boolean`: only `true` or `false`, in any case (`"1"`, `"yes"` are rejected).
 *
 * @param value The string to convert.
 * @param type The target type.
 * @returns `{ ok: true, value }` on success, `{ ok: false }` otherwise.
 *
 * @example Coerce environment strings
 * ```ts
 * import { coerceString } from "./coerce.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(coerceString("8080", "integer"), { ok: true, value: 8080 });
 * assert.deepEqual(coerceString("1e3", "number"), { ok: true, value: 1000 });
 * assert.deepEqual(coerceString("TRUE", "boolean"), { ok: true, value: true });
 * assert.deepEqual(coerceString("1.5", "integer"), { ok: false });
 * assert.deepEqual(coerceString("yes", "boolean"), { ok: false });
 * ```
 */
export function coerceString(value: string, type: CoercionType): CoercionResult {
  switch (type) {
    case "integer": {
      if (!INTEGER_REGEXP.test(value)) return { ok: false };
      const n = Number(value);
      if (!Number.isSafeInteger(n)) return { ok: false };
      return { ok: true, value: n === 0 ? 0 : n };
    }
    case "number": {
      if (!NUMBER_REGEXP.test(value)) return { ok: false };
      const n = Number(value);
      if (!Number.isFinite(n)) return { ok: false };
      return { ok: true, value: n === 0 ? 0 : n };
    }
    case "boolean": {
      const lower = value.toLowerCase();
      if (lower === "true") return { ok: true, value: true };
      if (lower === "false") return { ok: true, value: false };
      return { ok: false };
    }
  }
}

/**
 * Describes a value for an error's `Got:` line: `string ("abc")`, `integer (5)`,
 * `float (1.5)`, `boolean`, `null`, `sequence`, `mapping` or `bytes`. A sensitive value is
 * never shown: `string ([REDACTED])`, `integer ([REDACTED])`.
 *
 * @param value The value.
 * @param sensitive Whether the value is sensitive.
 * @returns The description.
 *
 * @example Describe values, with and without redaction
 * ```ts
 * import { describeValue } from "./coerce.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeValue("abc", false), 'string ("abc")');
 * assert.equal(describeValue("hunter2", true), "string ([REDACTED])");
 * assert.equal(describeValue(5, false), "integer (5)");
 * assert.equal(describeValue([1], false), "sequence");
 * ```
 */
export function describeValue(value: unknown, sensitive: boolean): string {
  const shown = (text: string) => (sensitive ? REDACTED : text);
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return `string (${shown(JSON.stringify(value))})`;
    case "number":
      return Number.isInteger(value)
        ? `integer (${shown(String(value))})`
        : `float (${shown(String(value))})`;
    case "bigint":
      return `integer (${shown(String(value))})`;
    case "boolean":
      return "boolean";
    case "object":
      if (value instanceof Uint8Array) return "bytes";
      if (Array.isArray(value)) return "sequence";
      return "mapping";
    default:
      return typeof value;
  }
}

/**
 * The validation message for a resolved value that cannot be coerced: the type, its accepted
 * forms and a description of the value that never shows a sensitive one.
 *
 * @param expected The schema's type.
 * @param r The value and whether it is sensitive.
 * @returns E.g. `must be boolean (true or false, in any case), got string ("yes")`.
 *
 * @example
 * ```ts
 * import { coercionMessage } from "./coerce.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   coercionMessage("boolean", { value: "yes", sensitive: false }),
 *   'must be boolean (true or false, in any case), got string ("yes")',
 * );
 * ```
 */
export function coercionMessage(
  expected: CoercionType,
  r: { value: unknown; sensitive: boolean },
): string {
  return `must be ${expected} (${ACCEPTED_FORMS[expected]}), got ${
    describeValue(r.value, r.sensitive)
  }`;
}

/**
 * The error for a value that is not of the type asked for (`getInt`, schema coercion...): its
 * `Got:` line describes the value without showing a sensitive one; for `integer`, `number`
 * and `boolean` its help names the accepted forms.
 *
 * @param path The config path.
 * @param expected The type asked for, e.g. `integer`.
 * @param r The value and whether it is sensitive.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { coercionError } from "./coerce.ts";
 * import assert from "node:assert/strict";
 * const e = coercionError("port", "integer", { value: "hunter2", sensitive: true });
 * assert.ok(!e.message.includes("hunter2"));
 * const b = coercionError("debug", "boolean", { value: "yes", sensitive: false });
 * assert.equal(b.help, "Write boolean values as true or false, in any case");
 * ```
 */
export function coercionError(
  path: string,
  expected: string,
  r: { value: unknown; sensitive: boolean },
): TypeCoercionError {
  const forms = Object.hasOwn(ACCEPTED_FORMS, expected)
    ? ACCEPTED_FORMS[expected as CoercionType]
    : undefined;
  return new TypeCoercionError(
    { path, expected, got: describeValue(r.value, r.sensitive) },
    forms === undefined ? {} : { help: `Write ${expected} values as ${forms}` },
  );
}
