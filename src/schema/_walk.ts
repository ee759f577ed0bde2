// Private helpers of the schema room: JSON pointers, local `$ref` resolution, the
// structural check of a schema document, and walking a config path through a schema.
// Pure: no validator, no I/O.

import { ParseError } from "../errors.ts";
import type { PathSegment } from "../path.ts";
import { defineOwn } from "../tree.ts";

export type { PathSegment } from "../path.ts";

/** A JSON Schema node: an object schema or a boolean schema. */
export type SchemaNode = Record<string, unknown> | boolean;

const MAX_SCHEMA_DEPTH = 256;
const MAX_REF_HOPS = 64;
const MAX_CACHED_REGEXPS = 1024;

/**
 * True for a plain object: its prototype is `Object.prototype` or `null` (not an array,
 * bytes, a date, a map or a class instance).
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `Object.hasOwn` that also narrows. */
export function hasOwn(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Escapes one JSON-pointer token (`~` → `~0`, `/` → `~1`).
 *
 * @param token A mapping key or a sequence index as text.
 * @returns The token as it appears in a JSON pointer.
 *
 * @example Build a JSON pointer from config path segments
 * ```ts
 * import { escapePointerToken } from "./_walk.ts";
 * import assert from "node:assert/strict";
 * const pointer = ["a/b", "c~d", 0].map((s) => "/" + escapePointerToken(String(s))).join("");
 * assert.equal(pointer, "/a~1b/c~0d/0");
 * ```
 */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * The JSON pointer of config path segments.
 *
 * @param segs Keys and indexes, e.g. `["servers", 0, "a/b"]`.
 * @returns The pointer, e.g. `/servers/0/a~1b` (`""` for the root).
 *
 * @example
 * ```ts
 * import { pointerOf } from "./_walk.ts";
 * import assert from "node:assert/strict";
 * assert.equal(pointerOf(["servers", 0, "a/b"]), "/servers/0/a~1b");
 * ```
 */
export function pointerOf(segs: readonly (string | number)[]): string {
  return segs.map((x) => "/" + escapePointerToken(String(x))).join("");
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
    } else if (isPlainObject(node)) {
      if (!hasOwn(node, token)) return undefined;
      node = node[token];
    } else {
      return undefined;
    }
  }
  return node;
}

/**
 * The config path segments a JSON pointer into `root` stands for: a token is an index where
 * the value it steps into is an array, a mapping key otherwise.
 *
 * @param root The value the pointer points into.
 * @param pointer A JSON pointer, e.g. `/servers/0/port`.
 * @returns The segments, e.g. `["servers", 0, "port"]`.
 *
 * @example Tokens become indexes only inside arrays
 * ```ts
 * import { segmentsAt } from "./_walk.ts";
 * import assert from "node:assert/strict";
 * const root = { servers: [{ port: 1 }], map: { "0": 1 } };
 * assert.deepEqual(segmentsAt(root, "/servers/0/port"), ["servers", 0, "port"]);
 * assert.deepEqual(segmentsAt(root, "/map/0"), ["map", "0"]);
 * ```
 */
export function segmentsAt(root: unknown, pointer: string): PathSegment[] {
  const segs: PathSegment[] = [];
  let node = root;
  for (const token of splitPointer(pointer)) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(token)) {
      segs.push(Number(token));
      node = node[Number(token)];
    } else {
      segs.push(token);
      node = isPlainObject(node) && hasOwn(node, token) ? node[token] : undefined;
    }
  }
  return segs;
}

/** Lookup caches of a schema document that is never modified (see `indexSchema`). */
interface SchemaIndex {
  /** `$anchor` name → subschema (the first one in document order); built on first need. */
  anchors: Map<string, SchemaNode> | undefined;
  /** `patternProperties` pattern → compiled RegExp (`null`: not a valid pattern). */
  regexps: Map<string, RegExp | null>;
}

const indexes = new WeakMap<object, SchemaIndex>();

/**
 * Declares that `root` (a schema document owned by the caller) is never modified from now
 * on, so `#anchor` lookups and `patternProperties` RegExps may be cached for it. Documents
 * not declared so are walked on every lookup, as callers may change them in between.
 */
export function indexSchema(root: unknown): void {
  if (typeof root === "object" && root !== null && !indexes.has(root)) {
    indexes.set(root, { anchors: undefined, regexps: new Map() });
  }
}

function indexOf(root: unknown): SchemaIndex | undefined {
  return typeof root === "object" && root !== null ? indexes.get(root) : undefined;
}

/**
 * Calls `visit` on every object under `node` that may be a subschema, depth-first in
 * document order (values of `enum`, `const`, `default` and `examples` are data, not
 * schemas); `visit` returns true to stop the walk, and then so does this function.
 */
function someSubschema(
  node: unknown,
  visit: (n: Record<string, unknown>) => boolean,
  depth: number,
): boolean {
  if (depth > MAX_SCHEMA_DEPTH) return false;
  if (Array.isArray(node)) {
    for (const item of node) if (someSubschema(item, visit, depth + 1)) return true;
    return false;
  }
  if (!isPlainObject(node)) return false;
  if (visit(node)) return true;
  for (const key of Object.keys(node)) {
    if (key === "enum" || key === "const" || key === "default" || key === "examples") continue;
    if (someSubschema(node[key], visit, depth + 1)) return true;
  }
  return false;
}

/** Finds a subschema with `$anchor: name` (draft 2019-09+), the first in document order. */
function findAnchor(root: SchemaNode, name: string): SchemaNode | undefined {
  const index = indexOf(root);
  if (index === undefined) {
    let hit: SchemaNode | undefined;
    someSubschema(root, (n) => {
      if (n.$anchor !== name) return false;
      hit = n;
      return true;
    }, 0);
    return hit;
  }
  if (index.anchors === undefined) {
    const anchors = new Map<string, SchemaNode>();
    someSubschema(root, (n) => {
      if (typeof n.$anchor === "string" && !anchors.has(n.$anchor)) anchors.set(n.$anchor, n);
      return false;
    }, 0);
    index.anchors = anchors;
  }
  return index.anchors.get(name);
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
  return typeof target === "boolean" || isPlainObject(target) ? target : undefined;
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
    if (!isPlainObject(n)) return;
    if (typeof n.$ref === "string") {
      const target = resolveLocalRef(root, n.$ref);
      if (target !== undefined) visit(target, hops + 1);
    }
    if (Array.isArray(n.allOf)) {
      for (const member of n.allOf) {
        if (typeof member === "boolean" || isPlainObject(member)) visit(member, hops + 1);
      }
    }
  };
  visit(node, 0);
  return out;
}

/**
 * Whether `text` matches a `patternProperties` pattern. The compiled RegExp is kept for an
 * indexed root; reusing it is safe as it has no `g`/`y` flag (`test()` keeps no state).
 */
function regexMatches(root: SchemaNode, pattern: string, text: string): boolean {
  const cache = indexOf(root)?.regexps;
  let re = cache?.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, "u");
    } catch {
      re = null;
    }
    if (cache !== undefined) {
      if (cache.size >= MAX_CACHED_REGEXPS) cache.clear();
      cache.set(pattern, re);
    }
  }
  return re !== null && re.test(text);
}

/** The schemas that apply to the child `segment` of a value matched by `candidates`. */
export function childCandidates(
  root: SchemaNode,
  candidates: SchemaNode[],
  segment: PathSegment,
): SchemaNode[] {
  const direct: SchemaNode[] = [];
  const fallback: SchemaNode[] = [];
  const objects = candidates.filter(isPlainObject);
  const key = String(segment);
  const index = typeof segment === "number"
    ? segment
    : /^(0|[1-9]\d*)$/.test(segment)
    ? Number(segment)
    : undefined;
  for (const c of objects) {
    const props = c.properties;
    if (isPlainObject(props) && hasOwn(props, key)) {
      const p = props[key];
      if (typeof p === "boolean" || isPlainObject(p)) direct.push(p);
    }
  }
  if (typeof segment === "string") {
    if (direct.length > 0) return direct.flatMap((n) => expandNode(root, n));
    for (const c of objects) {
      const patterns = c.patternProperties;
      if (isPlainObject(patterns)) {
        for (const [pattern, sub] of Object.entries(patterns)) {
          if (
            (typeof sub === "boolean" || isPlainObject(sub)) && regexMatches(root, pattern, key)
          ) {
            fallback.push(sub);
          }
        }
      }
    }
    if (fallback.length === 0) {
      for (const c of objects) {
        const extra = c.additionalProperties;
        if (isPlainObject(extra)) fallback.push(extra);
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
      if (isPlainObject(item)) fallback.push(item);
    }
  }
  return [...direct, ...fallback].flatMap((n) => expandNode(root, n));
}

/** The `type` keyword of a schema as a list (empty when absent or malformed). */
export function typesOf(node: SchemaNode): string[] {
  if (!isPlainObject(node)) return [];
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
  const parts = expandNode(root, node).filter(isPlainObject);
  const view: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  let hasProperties = false;
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      if (k === "properties" && isPlainObject(v)) {
        hasProperties = true;
        for (const [pk, pv] of Object.entries(v)) {
          if (!hasOwn(properties, pk)) defineOwn(properties, pk, pv);
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

/** Text on one line: line breaks and the blanks around them become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
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

function containsId(schema: unknown): boolean {
  return someSubschema(schema, (n) => typeof n.$id === "string" || typeof n.id === "string", 0);
}

/**
 * Checks that `schema` is a well-formed JSON Schema for the keywords holoconf knows:
 * types, numbers and counts, regex patterns, subschema positions and local `$ref` targets.
 *
 * @throws {ParseError} "Invalid JSON Schema: <pointer>: <reason>".
 */
export function checkSchema(schema: unknown): void {
  if (typeof schema !== "boolean" && !isPlainObject(schema)) {
    throw invalid("", "a schema must be an object or a boolean");
  }
  const withIds = containsId(schema);
  const check = (node: unknown, pointer: string, depth: number): void => {
    if (depth > MAX_SCHEMA_DEPTH) throw invalid(pointer, "schema is nested too deeply");
    if (typeof node === "boolean") return;
    if (!isPlainObject(node)) throw invalid(pointer, "a schema must be an object or a boolean");
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
      if (!isPlainObject(v)) throw invalid(at(k), `${k} must be an object`);
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
        !isPlainObject(d) ||
        Object.values(d).some((v) => !Array.isArray(v) || v.some((x) => typeof x !== "string"))
      ) {
        throw invalid(at("dependentRequired"), "dependentRequired must map names to arrays");
      }
    }
    if (node.dependencies !== undefined) {
      const d = node.dependencies;
      if (!isPlainObject(d)) throw invalid(at("dependencies"), "dependencies must be an object");
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
