/**
 * Text export: block-style YAML and 2-space JSON, bytes as base64 (SPEC §10). Redaction
 * happens before (the engine replaces sensitive values); this module only formats.
 *
 * @module
 */

import { dump } from "js-yaml";
import { encodeBase64 } from "./_bytes.ts";
import { defineOwn } from "./tree.ts";

/**
 * Formats plain data as YAML or JSON.
 *
 * @param data Plain data (objects, arrays, scalars, `Uint8Array`).
 * @param format `yaml` or `json`.
 * @returns The text (YAML ends with a newline; JSON does not).
 *
 * @example
 * ```ts
 * import { exportText } from "./export.ts";
 * import assert from "node:assert/strict";
 * assert.equal(exportText({ a: [1, 2] }, "yaml"), "a:\n  - 1\n  - 2\n");
 * assert.equal(exportText({ b: new Uint8Array([1]) }, "json"), '{\n  "b": "AQ=="\n}');
 * ```
 */
export function exportText(data: unknown, format: "yaml" | "json"): string {
  const plain = bytesAsBase64(data);
  if (format === "json") return JSON.stringify(plain, jsonReplacer, 2);
  if (isEmptyObject(plain)) return "{}\n";
  return dump(plain, { lineWidth: -1, noRefs: true });
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
