// The one way holoconf stops waiting for a promise when a signal aborts (the scheduler's call
// guard, the dispatcher's joined waits, the AWS transport), the one way work that several
// waiters share is aborted: only once every one of them gave up ({@linkcode SharedWork}), and
// the one rule for time limits: what a timer can keep ({@linkcode MAX_TIMER_MS}) and a caller's
// signal with a time limit ({@linkcode timeLimited}).

/** Longest delay a runtime's `setTimeout` honours: a longer one fires at once. */
export const MAX_TIMER_MS: number = 2 ** 31 - 1;

/**
 * Whether `ms` is a time limit a timer can keep: above 0 and at most {@linkcode MAX_TIMER_MS}.
 * Anything else (0, a negative delay, NaN, one past 2^31-1 ms, `Infinity`) means no limit.
 *
 * @param ms A time limit in ms.
 * @returns Whether it limits anything.
 *
 * @example
 * ```ts
 * import { isTimeLimit } from "./_abortable.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([1, 0, Infinity, 2 ** 31].map(isTimeLimit), [true, false, false, false]);
 * ```
 */
export function isTimeLimit(ms: number): boolean {
  return ms > 0 && ms <= MAX_TIMER_MS;
}

/** A caller's signal with a time limit (see {@linkcode timeLimited}). */
export interface TimeLimited {
  /** Aborts when the caller's signal does (with its reason) or when the time is up. */
  readonly signal: AbortSignal;
  /** Whether the time ran out (rather than the caller aborting). */
  readonly timedOut: boolean;
  /** Stops the timer and forgets the caller's signal (once the work is over). */
  clear(): void;
}

/** Options of {@linkcode timeLimited}. */
export interface TimeLimitedOptions {
  /** The abort reason when the time is up. */
  reason: () => unknown;
  /**
   * Waits `ms` unless its signal aborts (a clock of the caller's, fake in tests).
   * @default {setTimeout}
   */
  sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
}

/**
 * `signal` with a time limit: a signal that aborts when `signal` does, with its reason, or once
 * `ms` passed, with `options.reason()`, whichever comes first. A limit that is none (see
 * {@linkcode isTimeLimit}) adds nothing. Call `clear` when the work is over: the timer and the
 * listener go at once (a timer of its own, not `AbortSignal.timeout`, for that).
 *
 * @param signal The caller's signal.
 * @param ms The time limit in ms.
 * @param options The timeout's reason, and the clock to sleep on.
 * @returns The limited signal, whether the time ran out, and `clear`.
 *
 * @example
 * ```ts
 * import { timeLimited } from "./_abortable.ts";
 * import assert from "node:assert/strict";
 * const caller = new AbortController();
 * const clock = Promise.withResolvers<void>(); // the time is up when it resolves
 * const limited = timeLimited(caller.signal, 1000, {
 *   reason: () => "too slow",
 *   sleep: () => clock.promise,
 * });
 * clock.resolve();
 * await clock.promise;
 * assert.deepEqual([limited.signal.reason, limited.timedOut], ["too slow", true]);
 * limited.clear();
 * ```
 */
export function timeLimited(
  signal: AbortSignal,
  ms: number,
  options: TimeLimitedOptions,
): TimeLimited {
  const controller = new AbortController();
  let timedOut = false;
  let cleared = false;
  let stopTimer = () => {};
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  if (isTimeLimit(ms) && !controller.signal.aborted) {
    const fire = () => {
      if (cleared || controller.signal.aborted) return;
      timedOut = true;
      controller.abort(options.reason());
    };
    if (options.sleep) {
      const stop = new AbortController();
      options.sleep(ms, stop.signal).then(fire, () => {});
      stopTimer = () => stop.abort();
    } else {
      const timer = setTimeout(fire, ms);
      stopTimer = () => clearTimeout(timer);
    }
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      cleared = true;
      stopTimer();
      signal.removeEventListener("abort", onAbort);
    },
  };
}

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

/**
 * Work that several waiters share (a call or a value in flight that other requests joined, a
 * batch request, a credentials fetch): it runs with {@linkcode SharedWork.signal}, which aborts
 * only once every waiter gave up, so no waiter's deadline or abort ends work another still
 * waits for. A waiter without a signal never gives up: the work then runs to its end.
 *
 * A waiter that gives up while others still wait stops waiting at once (with the error it
 * chooses); the last one to give up aborts the work and follows it to its end, so that it gets
 * the work's own error: work run on this signal must settle once the signal aborts.
 *
 * @example
 * ```ts
 * import { SharedWork } from "./_abortable.ts";
 * import assert from "node:assert/strict";
 * const shared = new SharedWork();
 * const work = new Promise((_, reject) =>
 *   shared.signal.addEventListener("abort", () => reject(new Error("aborted"))));
 * const first = new AbortController();
 * const second = new AbortController();
 * const a = shared.wait(work, first.signal, () => new Error("first gave up"));
 * const b = shared.wait(work, second.signal, () => new Error("second gave up"));
 * first.abort();
 * await assert.rejects(a, /first gave up/);
 * assert.equal(shared.signal.aborted, false); // the second still waits
 * second.abort();
 * await assert.rejects(b, /aborted/); // the last one follows the work
 * shared.dispose();
 * ```
 */
export class SharedWork {
  readonly #controller = new AbortController();
  /** Signals of waiters that may still give up, with what each waiter does when it does. */
  readonly #waiters = new Map<AbortSignal, { onAbort: () => void; stops: Set<() => void> }>();
  /** A waiter without a signal joined: the work is never aborted. */
  #forever = false;
  #disposed = false;

  /** The work's signal: aborts, with the last waiter's reason, once every waiter gave up. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Counts a waiter in without waiting through this object (the caller waits for the work in
   * its own way). A signal already counted is counted once.
   *
   * @param waiter What ends the waiter's interest; `undefined`: it never gives up.
   */
  join(waiter: AbortSignal | undefined): void {
    this.#enter(waiter, undefined);
  }

  /**
   * Waits for `work` as one of its waiters.
   *
   * @param work The shared work (run with {@linkcode SharedWork.signal}).
   * @param waiter This waiter's deadline or abort signal; `undefined`: it never gives up.
   * @param stop The error of this waiter when it gives up while others still wait.
   * @returns The work's outcome, or the rejection `stop` builds.
   */
  wait<T>(
    work: Promise<T>,
    waiter: AbortSignal | undefined,
    stop: (reason: unknown) => unknown,
  ): Promise<T> {
    if (this.#disposed || waiter === undefined) {
      this.#enter(waiter, undefined);
      return work;
    }
    return new Promise<T>((resolve, reject) => {
      this.#enter(waiter, () => reject(stop(waiter.reason)));
      work.then(resolve, reject);
    });
  }

  /** Removes every listener (once the work is over). Later waiters just follow the work. */
  dispose(): void {
    this.#disposed = true;
    for (const [signal, entry] of this.#waiters) {
      signal.removeEventListener("abort", entry.onAbort);
    }
    this.#waiters.clear();
  }

  #enter(waiter: AbortSignal | undefined, stop: (() => void) | undefined): void {
    if (waiter === undefined) {
      this.#forever = true;
      return;
    }
    if (this.#disposed || this.#controller.signal.aborted) return;
    if (waiter.aborted) {
      // Gave up before joining: the work goes on if anyone else waits.
      if (this.#waiters.size === 0 && !this.#forever) this.#controller.abort(waiter.reason);
      else stop?.();
      return;
    }
    let entry = this.#waiters.get(waiter);
    if (entry === undefined) {
      const stops = new Set<() => void>();
      const onAbort = () => {
        this.#waiters.delete(waiter);
        if (this.#waiters.size === 0 && !this.#forever) {
          // The last waiter: the work ends, and its own error tells every waiter why.
          this.#controller.abort(waiter.reason);
        } else for (const s of stops) s();
      };
      entry = { onAbort, stops };
      this.#waiters.set(waiter, entry);
      waiter.addEventListener("abort", onAbort, { once: true });
    }
    if (stop) entry.stops.add(stop);
  }
}

/**
 * A {@linkcode SharedWork} joined at once by `waiters` (a batch request made for several calls):
 * its signal aborts once each of them aborted (at once if all did already). Call `dispose` when
 * the work is over.
 *
 * @param waiters The calls' signals (`undefined`: a caller that never gives up).
 * @returns The shared work.
 *
 * @example
 * ```ts
 * import { allAborted } from "./_abortable.ts";
 * import assert from "node:assert/strict";
 * const a = new AbortController();
 * const b = new AbortController();
 * const shared = allAborted([a.signal, b.signal, a.signal]);
 * a.abort();
 * assert.equal(shared.signal.aborted, false);
 * b.abort();
 * assert.equal(shared.signal.aborted, true);
 * shared.dispose();
 * ```
 */
export function allAborted(waiters: readonly (AbortSignal | undefined)[]): SharedWork {
  const shared = new SharedWork();
  // The live ones first: one that already aborted must not end the work before they join.
  for (const w of waiters) if (w === undefined || !w.aborted) shared.join(w);
  for (const w of waiters) if (w !== undefined && w.aborted) shared.join(w);
  return shared;
}
