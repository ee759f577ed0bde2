// Private helpers of the schema room: JSON pointers, local `$ref` resolution, the
// structural check of a schema document, and walking a config path through a schema.
// Pure: no validator, no I/O.

import { ParseError } from "../errors.ts";

/** A JSON Schema node: an object schema or a boolean schema. */
export type SchemaNode = Record<string, unknown> | boolean;

/** One segment of a config path: a mapping key or a sequence index. */
export type PathSegment = string | number;

const MAX_SCHEMA_DEPTH = 256;
const MAX_REF_HOPS = 64;

/** True for a plain (non-array) object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Uint8Array);
}

/** `Object.hasOwn` that also narrows. */
export function hasOwn(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Escapes one JSON-pointer token (`~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Unescapes one JSON-pointer token. */
export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Splits a JSON pointer (`""` or `/a/b`) into unescaped tokens. */
export function splitPointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map(unescapePointerToken);
}

/** Reads the value at a JSON pointer; `undefined` when absent. */
export function valueAtPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of splitPointer(pointer)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (isObject(node)) {
      if (!hasOwn(node, token)) return undefined;
      node = node[token];
    } else {
      return undefined;
    }
  }
  return node;
}

/** Finds a subschema with `$anchor: name` (draft 2019-09+), depth-first. */
function findAnchor(node: unknown, name: string, depth = 0): SchemaNode | undefined {
  if (depth > MAX_SCHEMA_DEPTH) return undefined;
  if (Array.isArray(node)) {
    for (const item of node) {
      const hit = findAnchor(item, name, depth + 1);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  if (node.$anchor === name) return node;
  for (const key of Object.keys(node)) {
    if (key === "enum" || key === "const" || key === "default" || key === "examples") continue;
    const hit = findAnchor(node[key], name, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Resolves a local `$ref` (`#`, `#/json/pointer` or `#anchor`) against the root schema.
 * Returns `undefined` for references to other documents or targets that do not exist.
 */
export function resolveLocalRef(root: SchemaNode, ref: string): SchemaNode | undefined {
  if (!ref.startsWith("#")) return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (fragment === "") return root;
  if (!fragment.startsWith("/")) return findAnchor(root, fragment);
  const target = valueAtPointer(root, fragment);
  return typeof target === "boolean" || isObject(target) ? target : undefined;
}

/**
 * The schemas that apply together at one node: the node itself, the targets of its local
 * `$ref` (followed transitively) and the members of its `allOf`, in that order.
 */
export function expandNode(root: SchemaNode, node: SchemaNode): SchemaNode[] {
  const out: SchemaNode[] = [];
  const seen = new Set<SchemaNode>();
  const visit = (n: SchemaNode, hops: number): void => {
    if (hops > MAX_REF_HOPS || seen.has(n)) return;
    seen.add(n);
    out.push(n);
    if (!isObject(n)) return;
    if (typeof n.$ref === "string") {
      const target = resolveLocalRef(root, n.$ref);
      if (target !== undefined) visit(target, hops + 1);
    }
    if (Array.isArray(n.allOf)) {
      for (const member of n.allOf) {
        if (typeof member === "boolean" || isObject(member)) visit(member, hops + 1);
      }
    }
  };
  visit(node, 0);
  return out;
}

function regexMatches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, "u").test(text);
  } catch {
    return false;
  }
}

/** The schemas that apply to the child `segment` of a value matched by `candidates`. */
export function childCandidates(
  root: SchemaNode,
  candidates: SchemaNode[],
  segment: PathSegment,
): SchemaNode[] {
  const direct: SchemaNode[] = [];
  const fallback: SchemaNode[] = [];
  const objects = candidates.filter(isObject);
  const key = String(segment);
  const index = typeof segment === "number"
    ? segment
    : /^(0|[1-9]\d*)$/.test(segment)
    ? Number(segment)
    : undefined;
  for (const c of objects) {
    const props = c.properties;
    if (isObject(props) && hasOwn(props, key)) {
      const p = props[key];
      if (typeof p === "boolean" || isObject(p)) direct.push(p);
    }
  }
  if (typeof segment === "string") {
    if (direct.length > 0) return direct.flatMap((n) => expandNode(root, n));
    for (const c of objects) {
      const patterns = c.patternProperties;
      if (isObject(patterns)) {
        for (const [pattern, sub] of Object.entries(patterns)) {
          if ((typeof sub === "boolean" || isObject(sub)) && regexMatches(pattern, key)) {
            fallback.push(sub);
          }
        }
      }
    }
    if (fallback.length === 0) {
      for (const c of objects) {
        const extra = c.additionalProperties;
        if (isObject(extra)) fallback.push(extra);
      }
    }
  }
  if (index !== undefined && direct.length === 0) {
    for (const c of objects) {
      const prefix = Array.isArray(c.prefixItems) ? c.prefixItems : undefined;
      const tuple = prefix ?? (Array.isArray(c.items) ? c.items : undefined);
      let item: unknown;
      if (tuple !== undefined && index < tuple.length) {
        item = tuple[index];
      } else if (tuple !== undefined && prefix === undefined) {
        item = c.additionalItems; // draft-07 tuple form
      } else {
        item = c.items;
      }
      if (isObject(item)) fallback.push(item);
    }
  }
  return [...direct, ...fallback].flatMap((n) => expandNode(root, n));
}

/** The schemas that apply at `path` (empty when the path is not described by the schema). */
export function candidatesAt(root: SchemaNode, path: readonly PathSegment[]): SchemaNode[] {
  let current = expandNode(root, root);
  for (const segment of path) {
    current = childCandidates(root, current, segment);
    if (current.length === 0) return current;
  }
  return current;
}

/** The `type` keyword of a schema as a list (empty when absent or malformed). */
export function typesOf(node: SchemaNode): string[] {
  if (!isObject(node)) return [];
  const t = node.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return [];
}

/**
 * A display view of a schema node: `$ref` and `allOf` folded in (the node's own keywords
 * win), used by the Markdown and template generators.
 */
export function mergedView(root: SchemaNode, node: SchemaNode): Record<string, unknown> {
  const parts = expandNode(root, node).filter(isObject);
  const view: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  let hasProperties = false;
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      if (k === "properties" && isObject(v)) {
        hasProperties = true;
        for (const [pk, pv] of Object.entries(v)) {
          if (!hasOwn(properties, pk)) defineProp(properties, pk, pv);
        }
      } else if (k === "required" && Array.isArray(v)) {
        for (const r of v) if (typeof r === "string" && !required.includes(r)) required.push(r);
      } else if (k !== "$ref" && k !== "allOf" && !hasOwn(view, k)) {
        view[k] = v;
      }
    }
  }
  if (hasProperties) view.properties = properties;
  if (required.length > 0) view.required = required;
  return view;
}

function defineProp(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------
// Structural check of a schema document (a light meta-schema check done synchronously).

const VALID_TYPES = new Set(["null", "boolean", "object", "array", "number", "integer", "string"]);
const SCHEMA_KEYWORDS = [
  "additionalProperties",
  "additionalItems",
  "unevaluatedProperties",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
];
const SCHEMA_ARRAY_KEYWORDS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_MAP_KEYWORDS = [
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
];
const NUMBER_KEYWORDS = ["minimum", "maximum"];
const COUNT_KEYWORDS = [
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minContains",
  "maxContains",
];
const STRING_KEYWORDS = ["title", "description", "format", "$comment", "$anchor"];

function invalid(pointer: string, reason: string): ParseError {
  const where = pointer === "" ? "" : `${pointer}: `;
  return new ParseError(`Invalid JSON Schema: ${where}${reason}`, {
    help: "Fix the schema so that it is a valid JSON Schema (draft-07 or 2020-12)",
  });
}

function containsId(node: unknown, depth = 0): boolean {
  if (depth > MAX_SCHEMA_DEPTH) return false;
  if (Array.isArray(node)) return node.some((n) => containsId(n, depth + 1));
  if (!isObject(node)) return false;
  if (typeof node.$id === "string" || typeof node.id === "string") return true;
  for (const [k, v] of Object.entries(node)) {
    if (k === "enum" || k === "const" || k === "default" || k === "examples") continue;
    if (containsId(v, depth + 1)) return true;
  }
  return false;
}

/**
 * Checks that `schema` is a well-formed JSON Schema for the keywords holoconf knows:
 * types, numbers and counts, regex patterns, subschema positions and local `$ref` targets.
 *
 * @throws {ParseError} "Invalid JSON Schema: <pointer>: <reason>".
 */
export function checkSchema(schema: unknown): void {
  if (typeof schema !== "boolean" && !isObject(schema)) {
    throw invalid("", "a schema must be an object or a boolean");
  }
  const withIds = containsId(schema);
  const check = (node: unknown, pointer: string, depth: number): void => {
    if (depth > MAX_SCHEMA_DEPTH) throw invalid(pointer, "schema is nested too deeply");
    if (typeof node === "boolean") return;
    if (!isObject(node)) throw invalid(pointer, "a schema must be an object or a boolean");
    const at = (k: string) => `${pointer}/${escapePointerToken(k)}`;
    const t = node.type;
    if (t !== undefined) {
      const list = Array.isArray(t) ? t : [t];
      if (Array.isArray(t) && t.length === 0) throw invalid(at("type"), "type must not be empty");
      for (const x of list) {
        if (typeof x !== "string" || !VALID_TYPES.has(x)) {
          throw invalid(at("type"), `${JSON.stringify(x)} is not a valid type`);
        }
      }
    }
    for (const k of SCHEMA_KEYWORDS) {
      if (node[k] !== undefined) check(node[k], at(k), depth + 1);
    }
    if (node.items !== undefined) {
      if (Array.isArray(node.items)) {
        node.items.forEach((s, i) => check(s, `${at("items")}/${i}`, depth + 1));
      } else {
        check(node.items, at("items"), depth + 1);
      }
    }
    for (const k of SCHEMA_ARRAY_KEYWORDS) {
      const v = node[k];
      if (v === undefined) continue;
      if (!Array.isArray(v) || v.length === 0) {
        throw invalid(at(k), `${k} must be a non-empty array of schemas`);
      }
      v.forEach((s, i) => check(s, `${at(k)}/${i}`, depth + 1));
    }
    for (const k of SCHEMA_MAP_KEYWORDS) {
      const v = node[k];
      if (v === undefined) continue;
      if (!isObject(v)) throw invalid(at(k), `${k} must be an object`);
      for (const [name, sub] of Object.entries(v)) {
        if (k === "patternProperties") checkRegex(name, at(k));
        check(sub, `${at(k)}/${escapePointerToken(name)}`, depth + 1);
      }
    }
    for (const k of NUMBER_KEYWORDS) {
      if (node[k] !== undefined && typeof node[k] !== "number") {
        throw invalid(at(k), `${k} must be a number`);
      }
    }
    for (const k of ["exclusiveMinimum", "exclusiveMaximum"]) {
      const v = node[k];
      if (v !== undefined && typeof v !== "number" && typeof v !== "boolean") {
        throw invalid(at(k), `${k} must be a number`);
      }
    }
    if (node.multipleOf !== undefined) {
      const v = node.multipleOf;
      if (typeof v !== "number" || !(v > 0)) {
        throw invalid(at("multipleOf"), "multipleOf must be a number greater than 0");
      }
    }
    for (const k of COUNT_KEYWORDS) {
      const v = node[k];
      if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= 0)) {
        throw invalid(at(k), `${k} must be a non-negative integer`);
      }
    }
    for (const k of STRING_KEYWORDS) {
      if (node[k] !== undefined && typeof node[k] !== "string") {
        throw invalid(at(k), `${k} must be a string`);
      }
    }
    if (node.pattern !== undefined) {
      if (typeof node.pattern !== "string") {
        throw invalid(at("pattern"), "pattern must be a string");
      }
      checkRegex(node.pattern, at("pattern"));
    }
    if (node.required !== undefined) {
      const r = node.required;
      if (!Array.isArray(r) || r.some((x) => typeof x !== "string")) {
        throw invalid(at("required"), "required must be an array of strings");
      }
    }
    if (node.enum !== undefined && !Array.isArray(node.enum)) {
      throw invalid(at("enum"), "enum must be an array");
    }
    if (node.uniqueItems !== undefined && typeof node.uniqueItems !== "boolean") {
      throw invalid(at("uniqueItems"), "uniqueItems must be a boolean");
    }
    if (node.dependentRequired !== undefined) {
      const d = node.dependentRequired;
      if (
        !isObject(d) ||
        Object.values(d).some((v) => !Array.isArray(v) || v.some((x) => typeof x !== "string"))
      ) {
        throw invalid(at("dependentRequired"), "dependentRequired must map names to arrays");
      }
    }
    if (node.dependencies !== undefined) {
      const d = node.dependencies;
      if (!isObject(d)) throw invalid(at("dependencies"), "dependencies must be an object");
      for (const [name, v] of Object.entries(d)) {
        const p = `${at("dependencies")}/${escapePointerToken(name)}`;
        if (Array.isArray(v)) {
          if (v.some((x) => typeof x !== "string")) {
            throw invalid(p, "a dependency must be an array of strings or a schema");
          }
        } else {
          check(v, p, depth + 1);
        }
      }
    }
    if (node.$ref !== undefined) {
      const ref = node.$ref;
      if (typeof ref !== "string") throw invalid(at("$ref"), "$ref must be a string");
      if (ref.startsWith("#")) {
        if (!withIds && resolveLocalRef(schema, ref) === undefined) {
          throw invalid(at("$ref"), `$ref '${ref}' does not resolve to a schema in this document`);
        }
      } else if (!withIds) {
        throw invalid(
          at("$ref"),
          `$ref '${ref}' points outside this document (only local '#/...' references are supported)`,
        );
      }
    }
  };
  check(schema, "", 0);
}

function checkRegex(pattern: string, pointer: string): void {
  try {
    new RegExp(pattern, "u");
  } catch (e) {
    throw invalid(
      pointer,
      `invalid regular expression ${JSON.stringify(pattern)} (${(e as Error).message})`,
    );
  }
}
