// Test helper: a fake clock for timeouts. `installFakeClock()` replaces globalThis.setTimeout,
// clearTimeout and AbortSignal.timeout until `restore()` (or the end of a `using` block); fake
// time then moves only when the test calls `advance(ms)`, so a 20 ms timeout fires exactly when
// the test says, however slow the machine. Delays the runtime runs "at once" (0, negative, NaN,
// above 2^31-1 ms) still go to the real timer: they are a macrotask turn, not time, and `tick()`
// relies on them (as does a test that an overflowing delay is not used). The batcher's flush
// takes an immediate (`nextMacrotask`), which the fake clock leaves alone.

import { MAX_TIMER_MS } from "../src/_abortable.ts";

/** The runtime's own timer functions, captured when this module loads. */
export const REAL_TIMERS: {
  readonly setTimeout: typeof globalThis.setTimeout;
  readonly clearTimeout: typeof globalThis.clearTimeout;
  readonly abortSignalTimeout: typeof AbortSignal.timeout;
} = Object.freeze({
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  abortSignalTimeout: AbortSignal.timeout,
});

/** A handle shaped like Node's `Timeout` (some libraries call `unref()` on handles). */
class FakeTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

interface FakeTimer {
  due: number;
  seq: number;
  fire: () => void;
}

/** A clock installed over the global timers; see {@linkcode installFakeClock}. */
export interface FakeClock extends Disposable {
  /** Fake milliseconds since the clock was installed. */
  readonly now: number;
  /** Remaining delays (ms from now) of the fake timers not yet fired, soonest first. */
  pending(): number[];
  /**
   * Moves fake time forward by `ms`, firing every timer that falls due (timers armed meanwhile
   * included) in due order, with a real macrotask turn after each so promise reactions run.
   */
  advance(ms: number): Promise<void>;
  /** Puts the real timers back; pending fake timers never fire. */
  restore(): void;
}

let installed = false;

/**
 * Replaces the global timers with a fake clock that moves only on `advance()`.
 *
 * @returns The clock; `using clock = installFakeClock()` restores the real timers at scope end.
 * @throws {Error} If a fake clock is already installed.
 */
export function installFakeClock(): FakeClock {
  if (installed) throw new Error("a fake clock is already installed");
  installed = true;
  const timers = new Map<number, FakeTimer>();
  let now = 0;
  let seq = 0;
  let nextId = -1;

  const fakeSetTimeout = (
    handler: (...args: unknown[]) => void,
    delay?: number,
    ...args: unknown[]
  ): unknown => {
    const ms = Number(delay);
    if (!(ms >= 1 && ms <= MAX_TIMER_MS)) {
      return REAL_TIMERS.setTimeout(() => handler(...args), delay);
    }
    const id = nextId--;
    timers.set(id, { due: now + ms, seq: seq++, fire: () => handler(...args) });
    return new FakeTimeout(id);
  };
  const fakeClearTimeout = (handle?: unknown): void => {
    const id = handle instanceof FakeTimeout ? handle.id : handle;
    if (typeof id === "number" && timers.delete(id)) return;
    if (handle instanceof FakeTimeout) return;
    REAL_TIMERS.clearTimeout(handle as number);
  };
  const fakeAbortSignalTimeout = (ms: number): AbortSignal => {
    const controller = new AbortController();
    fakeSetTimeout(() => {
      controller.abort(
        new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      );
    }, ms);
    return controller.signal;
  };

  globalThis.setTimeout = fakeSetTimeout as typeof globalThis.setTimeout;
  globalThis.clearTimeout = fakeClearTimeout as typeof globalThis.clearTimeout;
  AbortSignal.timeout = fakeAbortSignalTimeout;

  const restore = () => {
    if (globalThis.setTimeout !== (fakeSetTimeout as unknown)) return; // already restored
    globalThis.setTimeout = REAL_TIMERS.setTimeout;
    globalThis.clearTimeout = REAL_TIMERS.clearTimeout;
    AbortSignal.timeout = REAL_TIMERS.abortSignalTimeout;
    timers.clear();
    installed = false;
  };

  return {
    get now() {
      return now;
    },
    pending: () => [...timers.values()].map((t) => t.due - now).sort((a, b) => a - b),
    async advance(ms: number) {
      if (!(ms >= 0)) throw new RangeError(`advance() takes ms >= 0, got ${ms}`);
      const target = now + ms;
      for (;;) {
        let next: [number, FakeTimer] | undefined;
        for (const entry of timers) {
          const t = entry[1];
          if (t.due > target) continue;
          if (!next || t.due < next[1].due || (t.due === next[1].due && t.seq < next[1].seq)) {
            next = entry;
          }
        }
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].due;
        next[1].fire();
        await new Promise((r) => REAL_TIMERS.setTimeout(r, 0));
      }
      now = target;
    },
    restore,
    [Symbol.dispose]: restore,
  };
}

/** The delays of the `setTimeout` calls made while {@linkcode recordTimeouts} was installed. */
export interface TimeoutRecord extends Disposable {
  /** The delay each call asked for, in order. */
  readonly delays: unknown[];
}

/**
 * Records every `setTimeout` call (each still goes to the timer installed before) until disposed:
 * `using timeouts = recordTimeouts()` in a block around the code under test.
 *
 * @returns The record; disposing it puts the previous `setTimeout` back.
 */
export function recordTimeouts(): TimeoutRecord {
  const previous = globalThis.setTimeout;
  const delays: unknown[] = [];
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    delays.push(args[1]);
    return previous(...args);
  }) as typeof setTimeout;
  return {
    delays,
    [Symbol.dispose]: () => {
      globalThis.setTimeout = previous;
    },
  };
}
