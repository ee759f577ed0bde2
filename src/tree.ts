/**
 * The raw config tree: YAML/JSON values with the place each one came from.
 * Nodes are immutable once loaded; merging builds new container nodes.
 *
 * @module
 */

import {
  type ErrorCode,
  formatSource,
  HoloconfError,
  ParseError,
  type SourceLocation,
} from "./errors.ts";
import { formatPath, type PathSegment } from "./path.ts";

/** A scalar: null, boolean, number or string (bytes only come from resolvers). */
export interface ScalarNode {
  /** Discriminant. */
  kind: "scalar";
  /** The value. */
  value: null | boolean | number | string;
  /** Where it was written, when it came from a file or string. */
  source?: SourceLocation | undefined;
  /**
   * Sensitive as given (an override from the environment, or one replacing a placeholder):
   * redacted like a resolved secret.
   */
  sensitive?: true | undefined;
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
 * The mandatory-value marker (OmegaConf's): a string value that is exactly `???`, quoted or
 * not, in any layer, means "must be supplied by a later layer". A value produced by resolution
 * is data: `${env:X}` whose value is `???` is that text.
 */
export const MANDATORY = "???";

/**
 * Whether a node is the mandatory-value marker {@linkcode MANDATORY}.
 *
 * @param node A node of the raw tree.
 * @returns True for the string scalar `???`.
 *
 * @example
 * ```ts
 * import { fromPlain, isMandatory } from "./tree.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isMandatory(fromPlain("???")), true);
 * assert.equal(isMandatory(fromPlain("??")), false);
 * ```
 */
export function isMandatory(node: TreeNode): boolean {
  return node.kind === "scalar" && node.value === MANDATORY;
}

/**
 * The error for reading a value still marked `???`: `MISSING_MANDATORY_VALUE`, with the path
 * and the place that declared it.
 *
 * @param path The config path.
 * @param source Where the marker was written.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { missingMandatory } from "./tree.ts";
 * import assert from "node:assert/strict";
 * const e = missingMandatory("db.password", { file: "app.yaml", line: 3, column: 13 });
 * assert.equal(e.code, "MISSING_MANDATORY_VALUE");
 * assert.equal(e.source, "app.yaml:3:13");
 * ```
 */
export function missingMandatory(path: string, source: SourceLocation | undefined): HoloconfError {
  return new HoloconfError("Missing mandatory value", {
    code: "MISSING_MANDATORY_VALUE",
    path,
    ...(source === undefined ? {} : { source: formatSource(source) }),
    help: `The value ??? must be supplied by a later layer: another file, an environment ` +
      `override, or --set ${path || "<path>"}=...`,
  });
}

/**
 * Builds a tree from a plain JavaScript value (as `Config.fromObject` does).
 * Objects become mappings, arrays sequences; `undefined` becomes null. An object used at
 * several places is copied to each of them. Other values (bigint, Date, bytes...) are
 * rejected with a `TypeError`.
 *
 * @param value A JSON-like value.
 * @returns The tree, without sources.
 * @throws {ParseError} Code `MAX_NESTING_EXCEEDED` for more than 1,000 levels, `CYCLIC_VALUE`
 *   for an object that contains itself, `EXPANSION_LIMIT_EXCEEDED` when objects used at several
 *   places would be copied to more than 10,000 nodes (like YAML alias expansion); `path` says
 *   where.
 * @throws {TypeError} For a value that is not JSON-like.
 *
 * @example
 * ```ts
 * import { fromPlain } from "./tree.ts";
 * import assert from "node:assert/strict";
 * const t = fromPlain({ a: [1, "x"] });
 * assert.equal(t.kind, "map");
 * const loop: Record<string, unknown> = {};
 * loop.self = loop;
 * assert.throws(() => fromPlain(loop), { code: "CYCLIC_VALUE", path: "self" });
 * ```
 */
export function fromPlain(value: unknown): TreeNode {
  return new PlainReader().read(value);
}

// The YAML and JSON parsers' limits: nesting, and nodes produced by repeating shared values
// (YAML aliases expand the same way); deeper recursion would overflow the stack.
const MAX_PLAIN_DEPTH = 1_000;
const MAX_REPEATED_NODES = 10_000;

/** One walk over a plain value: the objects on the current path and those already copied. */
class PlainReader {
  #path: PathSegment[] = [];
  #open = new Set<object>();
  #seen = new WeakSet<object>();
  /** How many repeated objects the walk is inside; nodes built there count as expansion. */
  #repeating = 0;
  #repeatedNodes = 0;

  read(value: unknown): TreeNode {
    if (value === null || value === undefined) return { kind: "scalar", value: null };
    switch (typeof value) {
      case "boolean":
      case "number":
      case "string":
        this.#count();
        return { kind: "scalar", value };
      case "object":
        return this.#container(value);
      default:
        throw new TypeError(`Unsupported value of type ${typeof value} in config`);
    }
  }

  #container(value: object): TreeNode {
    if (this.#open.has(value)) {
      throw this.#error("Config object contains a cycle", "CYCLIC_VALUE");
    }
    if (this.#path.length > MAX_PLAIN_DEPTH) {
      throw this.#error(
        `Value nested too deeply (more than ${MAX_PLAIN_DEPTH} levels)`,
        "MAX_NESTING_EXCEEDED",
      );
    }
    const repeated = this.#seen.has(value);
    this.#seen.add(value);
    this.#open.add(value);
    if (repeated) this.#repeating++;
    try {
      this.#count();
      if (Array.isArray(value)) {
        return { kind: "seq", items: value.map((v, i) => this.#at(i, v)) };
      }
      const entries = new Map<string, TreeNode>();
      const src = value instanceof Map ? value.entries() : Object.entries(value);
      for (const [k, v] of src) {
        const key = String(k);
        entries.set(key, this.#at(key, v));
      }
      return { kind: "map", entries };
    } finally {
      this.#open.delete(value);
      if (repeated) this.#repeating--;
    }
  }

  #at(seg: PathSegment, value: unknown): TreeNode {
    this.#path.push(seg);
    const node = this.read(value);
    this.#path.pop();
    return node;
  }

  #count(): void {
    if (this.#repeating > 0 && ++this.#repeatedNodes > MAX_REPEATED_NODES) {
      throw this.#error(
        `Config object repeats shared values too often (more than ${MAX_REPEATED_NODES} ` +
          "copied nodes)",
        "EXPANSION_LIMIT_EXCEEDED",
      );
    }
  }

  #error(headline: string, code: ErrorCode): ParseError {
    return new ParseError(headline, {
      code,
      path: formatPath(this.#path, { quoteKeys: true }),
      help: "Config.fromObject takes a tree of plain objects, arrays and scalars",
    });
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
