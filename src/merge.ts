/**
 * Deep merge of raw config trees (SPEC §2).
 *
 * @module
 */

import type { MapNode, TreeNode } from "./tree.ts";

/**
 * Merges `overlay` onto `base` and returns the result; neither input is changed (unchanged
 * subtrees are shared, which is safe because tree nodes are immutable).
 *
 * - Two mappings merge key by key, recursively: a key already in `base` keeps its position,
 *   new keys are appended in overlay order.
 * - An overlay value that is the scalar `null` deletes the key (a missing key stays missing).
 * - Anything else (scalars, sequences, a type mismatch) is replaced by the overlay value, which
 *   keeps its own `source`. A merged mapping keeps the `source` of the base mapping.
 * - An overlay that is an empty mapping changes nothing.
 *
 * @param base The tree loaded so far.
 * @param overlay The tree that wins.
 * @returns The merged tree.
 *
 * @example Merge two trees
 * ```ts
 * import { mergeTrees } from "./merge.ts";
 * import { fromPlain, toPlain } from "./tree.ts";
 * import assert from "node:assert/strict";
 * const merged = mergeTrees(
 *   fromPlain({ db: { host: "localhost", port: 5432, debug: true }, tags: ["a", "b"] }),
 *   fromPlain({ db: { host: "prod", debug: null }, tags: ["c"], extra: 1 }),
 * );
 * assert.deepEqual(toPlain(merged), {
 *   db: { host: "prod", port: 5432 },
 *   tags: ["c"],
 *   extra: 1,
 * });
 * ```
 */
export function mergeTrees(base: TreeNode, overlay: TreeNode): TreeNode {
  if (base.kind !== "map" || overlay.kind !== "map") return overlay;
  if (overlay.entries.size === 0) return base;
  const entries = new Map(base.entries);
  for (const [key, value] of overlay.entries) {
    if (value.kind === "scalar" && value.value === null) {
      entries.delete(key);
      continue;
    }
    const existing = entries.get(key);
    // Map.set on an existing key keeps its position; a new key is appended.
    entries.set(key, existing === undefined ? value : mergeTrees(existing, value));
  }
  const merged: MapNode = { kind: "map", entries, source: base.source };
  return merged;
}
