// `T | Promise<T>` helpers: evaluation stays synchronous until something is asynchronous, so
// one code path serves getSync, get and resolveAll.

import { isPromiseLike } from "./scheduler.ts";

/** A value now or later. */
export type MP<T> = T | Promise<T>;

export function then<T, U>(v: MP<T>, f: (t: T) => MP<U>): MP<U> {
  return isPromiseLike(v) ? v.then(f) : f(v);
}

export function all<T>(vs: MP<T>[]): MP<T[]> {
  for (const v of vs) if (isPromiseLike(v)) return Promise.all(vs);
  return vs as T[];
}

export function attempt<T>(f: () => MP<T>, onError: (e: unknown) => MP<T>): MP<T> {
  let r: MP<T>;
  try {
    r = f();
  } catch (e) {
    return onError(e);
  }
  return isPromiseLike(r) ? r.catch(onError) : r;
}

/**
 * `all(items.map(f))`, safe when `f` throws part-way: promises already started are given a
 * handler before the error propagates, so their later rejection is never unhandled.
 */
export function allOf<T, U>(items: readonly T[], f: (item: T, index: number) => MP<U>): MP<U[]> {
  const out: MP<U>[] = [];
  try {
    for (let i = 0; i < items.length; i++) out.push(f(items[i]!, i));
  } catch (e) {
    for (const p of out) if (isPromiseLike(p)) p.catch(() => {});
    throw e;
  }
  return all(out);
}
