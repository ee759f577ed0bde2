/**
 * One load per key: concurrent callers share the promise, a success is kept, a failure is
 * forgotten so that a later call tries again (the caches of SDK providers and shared-config
 * regions of the light AWS transport).
 *
 * @module
 */

/**
 * The cached load of `key`, started with `load` when there is none.
 *
 * @param cache Promises by key.
 * @param key The key.
 * @param load Starts the load.
 * @returns The shared promise.
 *
 * @example
 * ```ts
 * import { loadOnce } from "./_once.ts";
 * import assert from "node:assert/strict";
 * const cache = new Map<string, Promise<number>>();
 * let loads = 0;
 * const load = () => Promise.resolve(++loads);
 * assert.equal(await loadOnce(cache, "a", load), 1);
 * assert.equal(await loadOnce(cache, "a", load), 1);
 * await assert.rejects(loadOnce(cache, "b", () => Promise.reject(new Error("down"))));
 * assert.equal(cache.has("b"), false);
 * ```
 */
export function loadOnce<K, V>(
  cache: Map<K, Promise<V>>,
  key: K,
  load: () => Promise<V>,
): Promise<V> {
  let loading = cache.get(key);
  if (loading === undefined) {
    const started = load();
    loading = started;
    cache.set(key, started);
    started.catch(() => {
      if (cache.get(key) === started) cache.delete(key);
    });
  }
  return loading;
}
