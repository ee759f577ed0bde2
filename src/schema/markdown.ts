/**
 * Reference documentation (Markdown) generated from a JSON Schema.
 *
 * @module
 */

import { expandNode, isPlainObject, mergedView, oneLine, type SchemaNode } from "./_walk.ts";

const MAX_DOC_DEPTH = 32;

/**
 * Renders a JSON Schema as Markdown reference documentation: a `# <title>` heading (or
 * `# Configuration Reference`), the description, a table of the top-level keys
 * (`| Key | Type | Required | Default | Description |`), then one section per nested object,
 * named by its dotted path (`## database (required)`, `### database.pool`). The type column
 * shows enums (`enum: "a", "b"`) and constraints (`integer (min: 1, max: 65535)`); defaults are
 * JSON, or `-` when there is none. Local `$ref`s and `allOf` are folded in.
 *
 * @param schema The schema document (an object or a boolean).
 * @returns Markdown text ending with a newline.
 *
 * @example Document a small schema
 * ```ts
 * import { schemaToMarkdown } from "./markdown.ts";
 * import assert from "node:assert/strict";
 * const md = schemaToMarkdown({
 *   title: "App",
 *   type: "object",
 *   required: ["port"],
 *   properties: { port: { type: "integer", maximum: 65535, default: 8080, description: "Port" } },
 * });
 * assert.ok(md.startsWith("# App\n"));
 * assert.ok(md.includes("| port | integer (max: 65535) | yes | 8080 | Port |"));
 * ```
 */
export function schemaToMarkdown(schema: Record<string, unknown> | boolean): string {
  const root = mergedView(schema, schema);
  const title = typeof root.title === "string" ? oneLine(root.title) : "Configuration Reference";
  const out: string[] = [`# ${title}`, ""];
  if (typeof root.description === "string" && root.description.trim() !== "") {
    out.push(root.description.trim(), "");
  }
  const stack = new Set<SchemaNode>(expandNode(schema, schema));
  if (isPlainObject(root.properties)) {
    out.push(...table(schema, root), "");
    sections(schema, root, "", 1, stack, out);
  }
  while (out.length > 1 && out[out.length - 1] === "") out.pop();
  return out.join("\n") + "\n";
}

function sections(
  schema: SchemaNode,
  parent: Record<string, unknown>,
  prefix: string,
  depth: number,
  stack: Set<SchemaNode>,
  out: string[],
): void {
  if (depth > MAX_DOC_DEPTH || !isPlainObject(parent.properties)) return;
  const required = requiredOf(parent);
  for (const [name, sub] of Object.entries(parent.properties)) {
    if (typeof sub !== "boolean" && !isPlainObject(sub)) continue;
    const parts = expandNode(schema, sub);
    if (parts.some((p) => stack.has(p))) continue; // recursive schema: documented once
    const view = mergedView(schema, sub);
    if (!isPlainObject(view.properties) || Object.keys(view.properties).length === 0) continue;
    const dotted = prefix === "" ? name : `${prefix}.${name}`;
    const marker = required.includes(name) ? " (required)" : "";
    out.push(`${"#".repeat(Math.min(depth + 1, 6))} ${oneLine(dotted)}${marker}`, "");
    if (typeof view.description === "string" && view.description.trim() !== "") {
      out.push(view.description.trim(), "");
    }
    out.push(...table(schema, view), "");
    for (const p of parts) stack.add(p);
    sections(schema, view, dotted, depth + 1, stack, out);
    for (const p of parts) stack.delete(p);
  }
}

function requiredOf(view: Record<string, unknown>): string[] {
  return Array.isArray(view.required)
    ? view.required.filter((r): r is string => typeof r === "string")
    : [];
}

function table(schema: SchemaNode, view: Record<string, unknown>): string[] {
  const rows = [
    "| Key | Type | Required | Default | Description |",
    "|-----|------|----------|---------|-------------|",
  ];
  const required = requiredOf(view);
  const props = isPlainObject(view.properties) ? view.properties : {};
  for (const [name, sub] of Object.entries(props)) {
    const v = typeof sub === "boolean" || isPlainObject(sub) ? mergedView(schema, sub) : {};
    const def = v.default === undefined ? "-" : JSON.stringify(v.default);
    const desc = typeof v.description === "string" && v.description.trim() !== ""
      ? v.description
      : "-";
    rows.push(
      `| ${cell(name)} | ${cell(typeText(schema, v))} | ${
        required.includes(name) ? "yes" : "no"
      } | ${cell(def)} | ${cell(desc)} |`,
    );
  }
  return rows;
}

/** The Type column: enum values, or the type with its constraints. */
function typeText(schema: SchemaNode, view: Record<string, unknown>): string {
  if (Array.isArray(view.enum)) {
    return `enum: ${view.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (view.const !== undefined) return `const: ${JSON.stringify(view.const)}`;
  let base = baseType(schema, view);
  if (base === "array") {
    const items = view.items;
    if (typeof items === "boolean" || isPlainObject(items)) {
      const inner = baseType(schema, mergedView(schema, items));
      if (inner !== "any") base = `array of ${inner}`;
    }
  }
  const constraints: string[] = [];
  const add = (label: string, key: string) => {
    const v = view[key];
    if (typeof v === "number" || typeof v === "string") constraints.push(`${label}: ${v}`);
  };
  add("min", "minimum");
  add("max", "maximum");
  add("exclusiveMin", "exclusiveMinimum");
  add("exclusiveMax", "exclusiveMaximum");
  add("pattern", "pattern");
  add("minLength", "minLength");
  add("maxLength", "maxLength");
  add("minItems", "minItems");
  add("maxItems", "maxItems");
  add("format", "format");
  return constraints.length === 0 ? base : `${base} (${constraints.join(", ")})`;
}

function baseType(schema: SchemaNode, view: Record<string, unknown>): string {
  const t = view.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t) && t.length > 0) return t.join(" | ");
  for (const k of ["anyOf", "oneOf"]) {
    const branches = view[k];
    if (Array.isArray(branches)) {
      const names = branches
        .filter((b): b is SchemaNode => typeof b === "boolean" || isPlainObject(b))
        .map((b) => baseType(schema, mergedView(schema, b)));
      if (names.length > 0 && !names.includes("any")) return [...new Set(names)].join(" | ");
    }
  }
  if (isPlainObject(view.properties)) return "object";
  if (view.items !== undefined || view.prefixItems !== undefined) return "array";
  return "any";
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}
