/**
 * The raw config tree: YAML/JSON values with the place each one came from.
 * Nodes are immutable once loaded; merging builds new container nodes.
 *
 * @module
 */

import type { SourceLocation } from "./errors.ts";

/** A scalar: null, boolean, number or string (bytes only come from resolvers). */
export interface ScalarNode {
  /** Discriminant. */
  kind: "scalar";
  /** The value. */
  value: null | boolean | number | string;
  /** Where it was written, when it came from a file or string. */
  source?: SourceLocation | undefined;
}

/** A mapping with string keys, in document order. */
export interface MapNode {
  /** Discriminant. */
  kind: "map";
  /** Entries in order. `Map` keeps `__proto__` and friends as plain keys. */
  entries: Map<string, TreeNode>;
  /** Where the mapping started. */
  source?: SourceLocation | undefined;
}

/** A sequence. */
export interface SeqNode {
  /** Discriminant. */
  kind: "seq";
  /** Items in order. */
  items: TreeNode[];
  /** Where the sequence started. */
  source?: SourceLocation | undefined;
}

/** Any node of the raw tree. */
export type TreeNode = ScalarNode | MapNode | SeqNode;

/**
 * Builds a tree from a plain JavaScript value (as `Config.fromObject` does).
 * Objects become mappings, arrays sequences; `undefined` becomes null. Other values
 * (bigint, Date, bytes...) are rejected with a `TypeError`.
 *
 * @param value A JSON-like value.
 * @returns The tree, without sources.
 *
 * @example
 * ```ts
 * import { fromPlain } from "./tree.ts";
 * import assert from "node:assert/strict";
 * const t = fromPlain({ a: [1, "x"] });
 * assert.equal(t.kind, "map");
 * ```
 */
export function fromPlain(value: unknown): TreeNode {
  return fromPlainAt(value, 0);
}

// The YAML and JSON parsers' limit; deeper recursion would overflow the stack before a larger one.
const MAX_PLAIN_DEPTH = 1_000;

function fromPlainAt(value: unknown, depth: number): TreeNode {
  if (depth > MAX_PLAIN_DEPTH) throw new RangeError("Value nested too deeply");
  if (value === null || value === undefined) return { kind: "scalar", value: null };
  switch (typeof value) {
    case "boolean":
    case "number":
    case "string":
      return { kind: "scalar", value };
    case "object": {
      if (Array.isArray(value)) {
        return { kind: "seq", items: value.map((v) => fromPlainAt(v, depth + 1)) };
      }
      const entries = new Map<string, TreeNode>();
      const src = value instanceof Map ? value.entries() : Object.entries(value);
      for (const [k, v] of src) entries.set(String(k), fromPlainAt(v, depth + 1));
      return { kind: "map", entries };
    }
    default:
      throw new TypeError(`Unsupported value of type ${typeof value} in config`);
  }
}

/**
 * Converts a tree back to plain JavaScript values (raw: interpolations kept as strings).
 * Mappings become objects with a null prototype-safe layout (`__proto__` is defined as an
 * own property).
 *
 * @param node The tree.
 * @returns Plain value.
 *
 * @example
 * ```ts
 * import { fromPlain, toPlain } from "./tree.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(toPlain(fromPlain({ a: [1, "${x}"] })), { a: [1, "${x}"] });
 * ```
 */
export function toPlain(node: TreeNode): unknown {
  switch (node.kind) {
    case "scalar":
      return node.value;
    case "seq":
      return node.items.map(toPlain);
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) defineOwn(out, k, toPlain(v));
      return out;
    }
  }
}

/**
 * Sets `obj[key] = value` as an own enumerable property, safe for `__proto__`.
 *
 * @param obj Target object.
 * @param key Property name.
 * @param value Value.
 */
export function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}
