/**
 * A commented YAML configuration skeleton generated from a JSON Schema.
 *
 * @module
 */

import { expandNode, isPlainObject, mergedView, oneLine, type SchemaNode } from "./_walk.ts";

const MAX_TEMPLATE_DEPTH = 32;
const SAFE_PLAIN_REGEXP = /^[A-Za-z_/][A-Za-z0-9_\-./ ]*$/;
const RESERVED_PLAIN_REGEXP = /^(?:true|false|null|yes|no|on|off)$/i;

/**
 * Renders a JSON Schema as a commented YAML template. The header is
 * `# Generated from: <title>` (or `# Configuration template generated from schema`) and
 * `# Required fields marked with # REQUIRED`, then a blank line. Objects are nested with a
 * 2-space indent, under a comment line (`# REQUIRED - <description>` when required). Scalars
 * get their default, else the first enum value, else `""`, `0`, `0.0`, `false`, `[]` or
 * `null` by type, with an inline comment `# REQUIRED - <description> (default: X)` or
 * `# default: X`. Strings are quoted when YAML would misread them. The result parses as YAML.
 *
 * @param schema The schema document (an object or a boolean).
 * @returns YAML text ending with a newline.
 *
 * @example A template for two settings
 * ```ts
 * import { schemaToTemplate } from "./template.ts";
 * import assert from "node:assert/strict";
 * const yaml = schemaToTemplate({
 *   type: "object",
 *   required: ["host"],
 *   properties: {
 *     host: { type: "string", description: "Server host" },
 *     port: { type: "integer", default: 8080 },
 *   },
 * });
 * assert.ok(yaml.includes('host: ""  # REQUIRED - Server host'));
 * assert.ok(yaml.includes("port: 8080  # default: 8080"));
 * ```
 */
export function schemaToTemplate(schema: Record<string, unknown> | boolean): string {
  const root = mergedView(schema, schema);
  const out: string[] = [
    typeof root.title === "string" && root.title.trim() !== ""
      ? `# Generated from: ${oneLine(root.title)}`
      : "# Configuration template generated from schema",
    "# Required fields marked with # REQUIRED",
    "",
  ];
  emitObject(schema, root, "", new Set(expandNode(schema, schema)), out, 0);
  return out.join("\n") + "\n";
}

function emitObject(
  schema: SchemaNode,
  view: Record<string, unknown>,
  indent: string,
  stack: Set<SchemaNode>,
  out: string[],
  depth: number,
): void {
  if (!isPlainObject(view.properties)) return;
  const required = Array.isArray(view.required) ? view.required : [];
  for (const [name, sub] of Object.entries(view.properties)) {
    if (typeof sub !== "boolean" && !isPlainObject(sub)) continue;
    const parts = expandNode(schema, sub);
    const v = mergedView(schema, sub);
    const isRequired = required.includes(name);
    const desc = typeof v.description === "string" && v.description.trim() !== ""
      ? oneLine(v.description)
      : undefined;
    const key = yamlString(name);
    const nested = isPlainObject(v.properties) && Object.keys(v.properties).length > 0 &&
      depth < MAX_TEMPLATE_DEPTH && !parts.some((p) => stack.has(p));
    if (nested) {
      const above = isRequired ? (desc === undefined ? "REQUIRED" : `REQUIRED - ${desc}`) : desc;
      if (above !== undefined) out.push(`${indent}# ${above}`);
      out.push(`${indent}${key}:`);
      for (const p of parts) stack.add(p);
      emitObject(schema, v, `${indent}  `, stack, out, depth + 1);
      for (const p of parts) stack.delete(p);
      continue;
    }
    const defaultText = v.default === undefined ? undefined : JSON.stringify(v.default);
    let comment: string | undefined;
    if (isRequired) {
      comment = desc === undefined ? "REQUIRED" : `REQUIRED - ${desc}`;
      if (defaultText !== undefined) comment += ` (default: ${defaultText})`;
    } else if (desc !== undefined) {
      comment = defaultText === undefined ? desc : `${desc} (default: ${defaultText})`;
    } else if (defaultText !== undefined) {
      comment = `default: ${defaultText}`;
    }
    const line = `${indent}${key}: ${placeholder(schema, v)}`;
    out.push(comment === undefined ? line : `${line}  # ${comment}`);
  }
}

function placeholder(schema: SchemaNode, view: Record<string, unknown>): string {
  if (view.default !== undefined) return yamlValue(view.default);
  if (Array.isArray(view.enum) && view.enum.length > 0) return yamlValue(view.enum[0]);
  if (view.const !== undefined) return yamlValue(view.const);
  switch (firstType(schema, view)) {
    case "string":
      return '""';
    case "integer":
      return "0";
    case "number":
      return "0.0";
    case "boolean":
      return "false";
    case "array":
      return "[]";
    case "object":
      return "{}";
    default:
      return "null";
  }
}

function firstType(schema: SchemaNode, view: Record<string, unknown>): string | undefined {
  const t = view.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.find((x) => x !== "null") ?? t[0];
  for (const k of ["anyOf", "oneOf"]) {
    const branches = view[k];
    if (!Array.isArray(branches)) continue;
    for (const b of branches) {
      if (typeof b !== "boolean" && !isPlainObject(b)) continue;
      const inner = firstType(schema, mergedView(schema, b));
      if (inner !== undefined && inner !== "null") return inner;
    }
  }
  if (isPlainObject(view.properties)) return "object";
  if (view.items !== undefined || view.prefixItems !== undefined) return "array";
  return undefined;
}

/** A value as YAML text on one line: plain or quoted strings, flow collections. */
function yamlValue(value: unknown): string {
  if (typeof value === "string") return yamlString(value);
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return ".nan";
    if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
    return String(value);
  }
  if (typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** A string as a YAML scalar: plain when YAML reads it back as the same string, else quoted. */
function yamlString(text: string): string {
  if (
    text !== "" && SAFE_PLAIN_REGEXP.test(text) && !text.endsWith(" ") &&
    !RESERVED_PLAIN_REGEXP.test(text)
  ) {
    return text;
  }
  return JSON.stringify(text);
}
