/**
 * The value model of resolution: what resolvers may return, normalised to plain data plus
 * bytes, and how values print inside concatenations (SPEC §3, §5.7).
 *
 * @module
 */

import { defineOwn } from "./tree.ts";
import { bytesToText } from "./_bytes.ts";
import { ResolvedValue } from "./resolver.ts";
import type { PathSegment } from "./path.ts";

/** A resolved value: JSON-like data plus bytes. */
export type Value = null | boolean | number | string | Uint8Array | Value[] | {
  [key: string]: Value;
};

/** A value and whether it is sensitive. */
export interface Resolved {
  /** The value. */
  value: Value;
  /** Must be redacted in dumps. */
  sensitive: boolean;
  /** Texts of sensitive pieces inside a partly sensitive value (kept out of messages). */
  secrets?: string[];
}

/**
 * Text of a value inside a concatenation (SPEC §3): numbers in shortest form, booleans,
 * `null`, lists `[a, b]`, maps `{k: v}`, bytes `<bytes: N bytes>`.
 *
 * @param v A resolved value.
 * @returns Its text.
 */
export function stringify(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf";
    case "boolean":
      return v ? "true" : "false";
  }
  if (v instanceof Uint8Array) return `<bytes: ${v.length} bytes>`;
  if (Array.isArray(v)) return `[${v.map(stringify).join(", ")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${stringify(x)}`).join(", ")}}`;
}

/**
 * The texts a sensitive value must keep out of messages: its own text when it is a scalar or
 * bytes, and the texts of the sensitive pieces it was built from (a mapping's sensitive leaves,
 * a concatenation's secrets). Nothing for a value that is not sensitive.
 *
 * @param r A resolved value.
 * @returns Texts to redact.
 */
export function secretTexts(r: Resolved): string[] {
  if (!r.sensitive) return [];
  const v = r.value;
  const own = v instanceof Uint8Array
    ? [bytesToText(v)]
    : v !== null && typeof v === "object"
    ? []
    : [stringify(v)];
  return r.secrets ? [...own, ...r.secrets] : own;
}

/**
 * A deep copy of a resolved value (callers may mutate what they get).
 *
 * @param v A value.
 * @returns The copy.
 */
export function cloneValue(v: Value): Value {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Uint8Array) return v.slice();
  if (Array.isArray(v)) return v.map(cloneValue);
  const out: { [key: string]: Value } = {};
  for (const k of Object.keys(v)) defineOwn(out, k, cloneValue(v[k]!));
  return out;
}

/**
 * A value {@linkcode toValue} refuses, in holoconf's words: its message never quotes the value
 * (unlike an error the value's own code throws, a getter's or a Proxy trap's).
 */
export class UnsupportedValueError extends TypeError {}

export function toValue(x: unknown, depth = 0, found?: { sensitive: boolean }): Value {
  // As for parsed YAML and JSON; a larger limit would be reached only after a stack overflow.
  if (depth > 1_000) throw new UnsupportedValueError("Resolved value nested too deeply");
  if (x === undefined || x === null) return null;
  switch (typeof x) {
    case "string":
    case "boolean":
      return x;
    case "number":
      return x;
    case "bigint":
      if (x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER)) {
        return Number(x);
      }
      // The number itself is left out: it may be a secret (a sensitive resolver's result).
      throw new UnsupportedValueError(
        `A ${x < 0n ? "negative " : ""}integer of ${String(x).replace("-", "").length} digits ` +
          "does not fit a safe JavaScript number",
      );
    case "object":
      break;
    default:
      throw new UnsupportedValueError(`Unsupported value of type ${typeof x}`);
  }
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (x instanceof ResolvedValue) {
    if (x.sensitive && found) found.sensitive = true;
    return toValue(x.value, depth + 1, found);
  }
  if (Array.isArray(x)) return x.map((e) => toValue(e, depth + 1, found));
  if (x instanceof Date) return x.toISOString();
  if (x instanceof Map) {
    const out: { [key: string]: Value } = {};
    for (const [k, v] of x) defineOwn(out, String(k), toValue(v, depth + 1, found));
    return out;
  }
  const out: { [key: string]: Value } = {};
  for (const k of Object.keys(x)) {
    defineOwn(out, k, toValue((x as Record<string, unknown>)[k], depth + 1, found));
  }
  return out;
}

export function navigateValue(v: Value, segs: PathSegment[]): Value | undefined {
  let cur: Value | undefined = v;
  for (const s of segs) {
    if (cur === null || cur === undefined) return undefined;
    if (typeof s === "number") {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[s];
    } else {
      if (typeof cur !== "object" || Array.isArray(cur) || cur instanceof Uint8Array) {
        return undefined;
      }
      if (!Object.prototype.hasOwnProperty.call(cur, s)) return undefined;
      cur = (cur as Record<string, Value>)[s];
    }
  }
  return cur;
}
