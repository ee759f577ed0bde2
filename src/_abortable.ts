// The one way holoconf stops waiting for a promise when a signal aborts: the scheduler's call
// guard, the dispatcher's joined waits and the AWS transport all use it.

/**
 * `promise`, or a rejection as soon as `signal` aborts: with `signal.reason`, or with what
 * `reason` makes of it. The work behind `promise` is not stopped (abort it through the same
 * signal); the abort listener is removed once either happens, and a later rejection of `promise`
 * is handled.
 *
 * @param promise What to wait for.
 * @param signal Stops the wait.
 * @param reason Builds the rejection from the signal's reason.
 * @returns The promise's value.
 *
 * @example
 * ```ts
 * import { abortable } from "./_abortable.ts";
 * import assert from "node:assert/strict";
 * const controller = new AbortController();
 * const waiting = abortable(new Promise(() => {}), controller.signal, () => new Error("gave up"));
 * controller.abort();
 * await assert.rejects(waiting, /gave up/);
 * assert.equal(await abortable(Promise.resolve(7), new AbortController().signal), 7);
 * ```
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  reason: (signalReason: unknown) => unknown = (r) => r,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason(signal.reason));
    const done = () => signal.removeEventListener("abort", onAbort);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then((value) => {
      done();
      resolve(value);
    }, (error) => {
      done();
      reject(error);
    });
  });
}
