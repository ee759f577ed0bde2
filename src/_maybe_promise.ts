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
