/**
 * Text export: block-style YAML and 2-space JSON, bytes as base64 (SPEC §10). Redaction
 * happens before (the engine replaces sensitive values); this module only formats.
 *
 * @module
 */

import { dump, SCALAR_STYLE, type ScalarStyleRule } from "js-yaml";
import { encodeBase64 } from "./_bytes.ts";
import { defineOwn } from "./tree.ts";

/**
 * Strings (values and keys) longer than this are laid out by this module instead of js-yaml:
 * js-yaml's checks of which scalar styles a string allows are regular expressions that
 * overflow V8's regexp stack on strings of about 2 MiB ("Maximum call stack size exceeded").
 * Below this size its output is used as it is.
 */
const LARGE_STRING_CHARS = 64 * 1024;

/**
 * Formats plain data as YAML or JSON.
 *
 * Strings of any length dump and parse back to the same value: one over 64 Ki characters is
 * written as a literal block (`|`) when it has line breaks and only printable characters, plain
 * when it is one run of letters, digits and `_./+=-` starting with a letter, and double-quoted
 * otherwise (a key over 64 Ki characters is always an explicit, double-quoted key).
 *
 * @param data Plain data (objects, arrays, scalars, `Uint8Array`).
 * @param format `yaml` or `json`.
 * @returns The text (YAML ends with a newline; JSON does not).
 *
 * @example
 * ```ts
 * import { exportText } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.equal(exportText({ a: [1, 2] }, "yaml"), "a:\n  - 1\n  - 2\n");
 * assert.equal(exportText({ b: new Uint8Array([1]) }, "json"), '{\n  "b": "AQ=="\n}');
 * ```
 */
export function exportText(data: unknown, format: "yaml" | "json"): string {
  const plain = bytesAsBase64(data);
  if (format === "json") return JSON.stringify(plain, jsonReplacer, 2);
  if (isEmptyObject(plain)) return "{}\n";
  return dumpYaml(plain);
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

function bytesAsBase64(v: unknown): unknown {
  if (v instanceof Uint8Array) return encodeBase64(v);
  if (Array.isArray(v)) return v.map(bytesAsBase64);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      defineOwn(out, k, bytesAsBase64((v as Record<string, unknown>)[k]));
    }
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Large strings

/** A large string taken out of the data, and whether it was a mapping key. */
interface LargeString {
  text: string;
  isKey: boolean;
}

/**
 * Dumps with js-yaml after replacing each large string by a short placeholder, then puts the
 * strings, laid out here, where their placeholders are. The placeholders carry a random tag
 * and are checked to occur exactly once each, so no text of the data can be taken for one.
 */
function dumpYaml(plain: unknown): string {
  for (;;) {
    const tag = randomTag();
    const large: LargeString[] = [];
    const data = withPlaceholders(plain, tag, large);
    const text = dump(data, { lineWidth: -1, noRefs: true });
    if (large.length === 0) return text;
    const placeholder = new RegExp(`holoconf-${tag}-(\\d+)-end`, "g");
    if (text.split(`holoconf-${tag}-`).length - 1 !== large.length) continue; // tag in the data
    return text.replace(placeholder, (_match, index: string, offset: number) => {
      const entry = large[Number(index)] as LargeString;
      const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
      return entry.isKey
        ? `? ${doubleQuoted(entry.text)}\n${" ".repeat(offset - lineStart)}`
        : largeValue(entry.text, ownerIndent(text.slice(lineStart, offset)) + 2);
    });
  }
}

function randomTag(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A copy of `v` whose large strings (keys too) are placeholders, collected in `large`. */
function withPlaceholders(v: unknown, tag: string, large: LargeString[]): unknown {
  const placeholder = (text: string, isKey: boolean): string => {
    large.push({ text, isKey });
    return `holoconf-${tag}-${large.length - 1}-end`;
  };
  if (typeof v === "string") return v.length > LARGE_STRING_CHARS ? placeholder(v, false) : v;
  if (Array.isArray(v)) return v.map((item) => withPlaceholders(item, tag, large));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const key = k.length > LARGE_STRING_CHARS ? placeholder(k, true) : k;
      defineOwn(out, key, withPlaceholders((v as Record<string, unknown>)[k], tag, large));
    }
    return out;
  }
  return v;
}

/**
 * Indentation of the mapping or sequence that holds a value, from the text before the value
 * on its line: `  key: ` → 2, `  - ` → 2 (the dash), `  - key: ` → 4, `: ` after an explicit
 * key → its indentation; nothing before it (the document is the value) → 0.
 */
function ownerIndent(before: string): number {
  if (before === "") return 0;
  let at = before.length - before.trimStart().length;
  let dash = -1;
  while (before.startsWith("- ", at)) {
    dash = at;
    at += 2;
  }
  return at === before.length ? dash : at;
}

/** A large value: literal block, plain or double-quoted (see {@linkcode exportText}). */
function largeValue(text: string, indent: number): string {
  if (PLAIN_SAFE_REGEXP.test(text) && !NOT_PLAIN_SAFE_REGEXP.test(text)) return text;
  if (!text.includes("\n") || NOT_BLOCK_SAFE_REGEXP.test(text) || /^\n* /.test(text)) {
    return doubleQuoted(text);
  }
  const chomping = !text.endsWith("\n") ? "-" : text === "\n" || text.endsWith("\n\n") ? "+" : "";
  const pad = " ".repeat(indent);
  const body = text.split("\n").map((line) => (line === "" ? "" : pad + line)).join("\n");
  return `|${chomping}\n${body.endsWith("\n") ? body.slice(0, -1) : body}`;
}

/** First character of a large plain scalar: a letter (so never a number, bool or null). */
const PLAIN_SAFE_REGEXP = /^[A-Za-z]/;
/** Any character outside the conservative plain set. */
const NOT_PLAIN_SAFE_REGEXP = /[^A-Za-z0-9_./+=-]/;
/**
 * Any character a literal block cannot hold as it is: controls other than tab and line feed,
 * DEL to NBSP, line and paragraph separators, BOM and non-characters, lone surrogates.
 */
const NOT_BLOCK_SAFE_REGEXP =
  /[^\t\n\x20-\x7E\u00A1-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Size of the pieces js-yaml escapes one at a time, far below what its checks can take. */
const ESCAPE_CHUNK_CHARS = 16 * 1024;

const DOUBLE_QUOTED_ONLY: ScalarStyleRule[] = [(layout) => {
  layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
}];

/**
 * A double-quoted scalar on one line. js-yaml escapes each character on its own, so the text
 * is escaped piece by piece (never splitting a surrogate pair) and the pieces joined.
 */
function doubleQuoted(text: string): string {
  let out = "";
  for (let start = 0; start < text.length;) {
    let end = Math.min(text.length, start + ESCAPE_CHUNK_CHARS);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const piece = dump(text.slice(start, end), {
      lineWidth: -1,
      scalarStyleRules: DOUBLE_QUOTED_ONLY,
    });
    out += piece.slice(1, piece.lastIndexOf('"'));
    start = end;
  }
  return `"${out}"`;
}
