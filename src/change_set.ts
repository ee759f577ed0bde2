/**
 * What a refresh or a reload changed, as the `ChangeSet` that `config.refresh()` returns and
 * `config.onChange` listeners receive: the values that changed (never a sensitive one's
 * value, nor anything computed from it) and the values that could not be fetched again.
 *
 * @module
 */

import type { HoloconfError } from "./errors.ts";
import { defineOwn } from "./tree.ts";
import { cloneValue, type Resolved, type Value } from "./value.ts";

/** One value that changed. */
export interface Change {
  /**
   * Where: an access path; a key with `.`, `[` or `]` is written quoted, `["a.b"]`, as in
   * `dumpSources()` (`get()` and `refresh({ paths })` read it back).
   */
  readonly path: string;
  /** The value is sensitive before or after: `before` and `after` are then left out. */
  readonly sensitive: boolean;
  /** The value before (a copy); left out when it had none, was not resolved, or is sensitive. */
  readonly before?: unknown;
  /** The value after (a copy); left out when it has none, or is sensitive. */
  readonly after?: unknown;
}

/** A value that could not be fetched again. */
export interface RefreshFailure {
  /** Where (see {@linkcode Change.path}); `""` for the config itself (a file that no longer loads). */
  readonly path: string;
  /** Why, with nothing of a sensitive value in it. */
  readonly error: HoloconfError;
}

/**
 * What one refresh or reload did: the values that changed, and the values it could not fetch
 * again (each keeps its last value while `maxStale` allows: stale-if-error). Each listener and
 * each `refresh()` caller gets a copy of its own, frozen (the lists, their entries, `before` and
 * `after` deeply; bytes are copies): none can change what another sees. The errors are shared.
 */
export interface ChangeSet {
  /** Changed values, in the order of the config. */
  readonly changes: readonly Change[];
  /** Failed values, in the order of the config. */
  readonly failures: readonly RefreshFailure[];
}

/**
 * The change between two states of one value, if any.
 *
 * @param path Where (for the change).
 * @param before The value before; undefined when it had none or it is not known.
 * @param after The value after; undefined when it has none.
 * @returns The change, or undefined when nothing changed.
 */
export function changeOf(
  path: string,
  before: Resolved | undefined,
  after: Resolved | undefined,
): Change | undefined {
  if (before === undefined && after === undefined) return undefined;
  if (before !== undefined && after !== undefined) {
    if (before.sensitive === after.sensitive && sameValue(before.value, after.value)) {
      return undefined;
    }
  }
  const sensitive = before?.sensitive === true || after?.sensitive === true;
  if (sensitive) return { path, sensitive };
  return {
    path,
    sensitive,
    ...(before === undefined ? {} : { before: cloneValue(before.value) }),
    ...(after === undefined ? {} : { after: cloneValue(after.value) }),
  };
}

/**
 * A copy of a change set for one consumer (a listener, a `refresh()` caller), frozen: its lists,
 * their entries and the values in `before` and `after`, deeply. Bytes, which cannot be frozen,
 * are copies of their own. The errors of `failures` are the same objects (not frozen: a
 * program may still rethrow one and have context added to it).
 *
 * @param set The change set.
 * @returns The frozen copy.
 */
export function frozenCopy(set: ChangeSet): ChangeSet {
  const changes = set.changes.map((c): Change =>
    Object.freeze({
      path: c.path,
      sensitive: c.sensitive,
      ...("before" in c ? { before: frozenValue(c.before) } : {}),
      ...("after" in c ? { after: frozenValue(c.after) } : {}),
    })
  );
  const failures = set.failures.map((f) => Object.freeze({ path: f.path, error: f.error }));
  return Object.freeze({ changes: Object.freeze(changes), failures: Object.freeze(failures) });
}

/** A copy of a value, frozen deeply (bytes copied, not frozen: a typed array cannot be). */
function frozenValue(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Uint8Array) return v.slice();
  if (Array.isArray(v)) return Object.freeze(v.map(frozenValue));
  const out: { [key: string]: unknown } = {};
  for (const [k, x] of Object.entries(v)) defineOwn(out, k, frozenValue(x));
  return Object.freeze(out);
}

/** Whether two resolved values are equal: the same data (keys in any order), bytes by content. */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) {
      return false;
    }
    return a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]!));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k]!, b[k]!));
}
