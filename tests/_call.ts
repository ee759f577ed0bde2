// The one builder of complete ResolverCall objects for tests and benchmarks that call a resolver
// directly (without a Config): harmless defaults, every field overridable.

import type { ConfigHandle, ResolverCall, ResolverContext } from "../src/resolver.ts";
import type { SourceLocation } from "../src/errors.ts";

/**
 * The context a call gets unless overridden: no base directory or file roots, warnings
 * dropped. Frozen: tests override through `makeResolverCall({ context })`, never by mutating
 * this object.
 */
export const DEFAULT_CONTEXT: ResolverContext = Object.freeze({
  baseDir: undefined,
  fileRoots: [],
  onWarning: () => {},
});

/** A Config handle for calls whose resolver must not read other values: both methods throw. */
const UNUSED_CONFIG: ConfigHandle = {
  get: () => Promise.reject(new Error("not used")),
  getSync: () => {
    throw new Error("not used");
  },
};

/** Options of {@linkcode makeResolverCall}; every field may be left out (or `undefined`). */
export interface ResolverCallOptions {
  /** Name the resolver is called by. @default {"test"} */
  resolver?: string | undefined;
  /** Positional arguments. @default {[]} */
  args?: (string | Uint8Array)[] | undefined;
  /**
   * Keyword arguments: a record (one value per name), or ordered `[name, value]` pairs where
   * repeats are kept in `kwargsAll` and the last one wins in `kwargs`.
   */
  kwargs?: Record<string, string> | readonly (readonly [string, string])[] | undefined;
  /** Whether an argument came from a sensitive value. @default {false} */
  sensitiveInput?: boolean | undefined;
  /** Abort signal. @default a signal that never aborts */
  signal?: AbortSignal | undefined;
  /** Config path being resolved. @default {"value"} */
  path?: string | undefined;
  /** The Config handle. @default one whose `get`/`getSync` throw "not used" */
  config?: ConfigHandle | undefined;
  /** Where the interpolation was written. @default {undefined} */
  source?: SourceLocation | undefined;
  /** Context fields that differ from {@linkcode DEFAULT_CONTEXT}. */
  context?: Partial<ResolverContext> | undefined;
  /** The resolver's settings (`call.settings`). @default {{}} (none: http disabled) */
  settings?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Builds a complete ResolverCall as the engine would pass it, from harmless defaults.
 *
 * @param options What differs from the defaults.
 * @returns A fresh call (its own context and kwargs objects).
 *
 * @example Repeated keyword arguments
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeResolverCall } from "./_call.ts";
 * const call = makeResolverCall({ args: ["k"], kwargs: [["h", "a"], ["h", "b"]] });
 * assert.deepEqual(call.kwargs, { h: "b" });
 * assert.deepEqual(call.kwargsAll, [["h", "a"], ["h", "b"]]);
 * assert.deepEqual(call.settings, {});
 * ```
 */
export function makeResolverCall(options: ResolverCallOptions = {}): ResolverCall {
  const given = options.kwargs ?? {};
  let kwargs: Record<string, string>;
  let kwargsAll: [string, string][];
  if (isPairs(given)) {
    kwargsAll = given.map(([k, v]) => [k, v]);
    kwargs = {};
    for (const [k, v] of kwargsAll) kwargs[k] = v;
  } else {
    kwargs = { ...given };
    kwargsAll = Object.entries(kwargs);
  }
  return {
    args: options.args ?? [],
    kwargs,
    kwargsAll,
    signal: options.signal ?? new AbortController().signal,
    path: options.path ?? "value",
    config: options.config ?? UNUSED_CONFIG,
    resolver: options.resolver ?? "test",
    source: options.source,
    sensitiveInput: options.sensitiveInput ?? false,
    context: { ...DEFAULT_CONTEXT, ...options.context },
    settings: options.settings ?? {},
  };
}

function isPairs(
  kwargs: Record<string, string> | readonly (readonly [string, string])[],
): kwargs is readonly (readonly [string, string])[] {
  return Array.isArray(kwargs);
}
