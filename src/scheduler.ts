/**
 * The scheduler (ADR-003): one process-wide limit on in-flight resolver calls, per-batch
 * limits, per-call timeouts and deadlines, and batching of calls for resolvers that can
 * serve several keys in one request. It knows nothing of configs or resolvers' meaning.
 *
 * @module
 */

import { abortable, allAborted, isTimeLimit } from "./_abortable.ts";
import { nextMacrotask } from "./runtime.ts";

/** Process-wide scheduler settings. */
export interface SchedulerSettings {
  /** Most resolver calls in flight at once, process-wide. @default {50} */
  maxConcurrentResolvers: number;
  /** Per-call timeout in ms when a resolver sets none. @default {30000} */
  defaultTimeout: number;
}

/**
 * A counting semaphore with a FIFO queue. `tryAcquire` is synchronous so calls that find
 * a free slot start without a microtask hop.
 */
export class Semaphore {
  #limit: number;
  #active = 0;
  #peak = 0;
  // Waiters in arrival order; an aborted waiter clears its own entry (entries are objects, so
  // compacting the queue never makes a waiter clear someone else's).
  #queue: Array<{ grant: (() => void) | undefined }> = [];
  #head = 0;
  #waiting = 0;

  /** @param limit Slots (≥ 1). */
  constructor(limit: number) {
    this.#limit = checkLimit(limit, "limit");
  }

  /** Slots in use. */
  get active(): number {
    return this.#active;
  }

  /** Highest number of slots in use since the last `resetPeak`. */
  get peak(): number {
    return this.#peak;
  }

  /** Callers waiting for a slot (aborted waiters are not counted). */
  get waiting(): number {
    return this.#waiting;
  }

  /** Current limit. */
  get limit(): number {
    return this.#limit;
  }

  /** Changes the limit; waiters start if it grew. */
  set limit(value: number) {
    this.#limit = checkLimit(value, "limit");
    this.#drain();
  }

  /** Forgets the peak. */
  resetPeak(): void {
    this.#peak = this.#active;
  }

  /** Takes a slot if one is free. @returns Whether a slot was taken. */
  tryAcquire(): boolean {
    while (this.#head < this.#queue.length && !this.#queue[this.#head]!.grant) this.#head++;
    if (this.#active < this.#limit && this.#head >= this.#queue.length) {
      this.#take();
      return true;
    }
    return false;
  }

  /**
   * Waits for a slot.
   *
   * @param signal Stops waiting (rejects with the signal's reason) when aborted.
   * @returns Resolves once the slot is held.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const entry: { grant: (() => void) | undefined } = { grant: undefined };
      const onAbort = () => {
        if (entry.grant === undefined) return;
        entry.grant = undefined;
        this.#waiting--;
        reject(signal?.reason);
      };
      entry.grant = () => {
        entry.grant = undefined;
        this.#waiting--;
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#queue.push(entry);
      this.#waiting++;
      if (signal) {
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }
    });
  }

  /** Gives a slot back. */
  release(): void {
    this.#active--;
    this.#drain();
  }

  #take(): void {
    this.#active++;
    if (this.#active > this.#peak) this.#peak = this.#active;
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#head < this.#queue.length) {
      const next = this.#queue[this.#head++]!.grant;
      if (next) {
        this.#take();
        next();
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

function checkLimit(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

interface GlobalState {
  settings: SchedulerSettings;
  limiter: Semaphore;
}

const STATE_KEY = Symbol.for("holoconf.scheduler");

function state(): GlobalState {
  const g = globalThis as unknown as Record<symbol, GlobalState | undefined>;
  let s = g[STATE_KEY];
  if (!s) {
    s = {
      settings: { maxConcurrentResolvers: 50, defaultTimeout: 30_000 },
      limiter: new Semaphore(50),
    };
    g[STATE_KEY] = s;
  }
  return s;
}

/**
 * Sets the scheduler's process-wide limits: the most resolver calls in flight at once and the
 * default per-call timeout.
 *
 * @param options New values; omitted ones stay.
 * @throws {RangeError} For a non-positive or non-integer limit, or a negative timeout.
 *
 * @example Allow 100 concurrent resolver calls with a 10 s default timeout
 * ```ts
 * import { configureScheduler, getSchedulerSettings } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const before = getSchedulerSettings();
 * configureScheduler({ maxConcurrentResolvers: 100, defaultTimeout: 10_000 });
 * assert.equal(getSchedulerSettings().maxConcurrentResolvers, 100);
 * configureScheduler(before);
 * ```
 */
export function configureScheduler(options: Partial<SchedulerSettings>): void {
  const s = state();
  if (options.maxConcurrentResolvers !== undefined) {
    s.limiter.limit = checkLimit(options.maxConcurrentResolvers, "maxConcurrentResolvers");
    s.settings.maxConcurrentResolvers = options.maxConcurrentResolvers;
  }
  if (options.defaultTimeout !== undefined) {
    if (!(options.defaultTimeout >= 0)) {
      throw new RangeError(`defaultTimeout must be >= 0 ms, got ${options.defaultTimeout}`);
    }
    s.settings.defaultTimeout = options.defaultTimeout;
  }
}

/**
 * The name SPEC §1 and upstream's `holoconf.configure(max_concurrent_resolvers=)` use for
 * {@linkcode configureScheduler}: the same function.
 *
 * @param options New values; omitted ones stay.
 * @throws {RangeError} As `configureScheduler`.
 *
 * @example
 * ```ts
 * import { configure, configureScheduler } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.equal(configure, configureScheduler);
 * ```
 */
export const configure: (options: Partial<SchedulerSettings>) => void = configureScheduler;

/**
 * The current process-wide settings.
 *
 * @returns A copy of the settings.
 *
 * @example
 * ```ts
 * import { configure, getSchedulerSettings } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const before = getSchedulerSettings();
 * configure({ defaultTimeout: 5_000 });
 * assert.deepEqual(getSchedulerSettings(), { ...before, defaultTimeout: 5_000 });
 * configure(before);
 * ```
 */
export function getSchedulerSettings(): SchedulerSettings {
  return { ...state().settings };
}

/**
 * In-flight statistics of the process-wide limiter (for tests and benchmarks).
 *
 * @returns Active calls, calls waiting for a slot, and the peak since the last reset.
 *
 * @example
 * ```ts
 * import { Config } from "@holoconf/holoconf";
 * import { schedulerStats } from "./scheduler.ts";
 * import assert from "node:assert/strict";
 * const probe = async () => schedulerStats().active; // counted while it runs
 * const config = Config.loads("a: ${probe:x}\n", { resolvers: { probe } });
 * const before = schedulerStats().active;
 * assert.equal(await config.get("a"), before + 1); // the running call held a slot
 * assert.equal(schedulerStats().active, before); // and gave it back
 * ```
 */
export function schedulerStats(): {
  active: number;
  waiting: number;
  peak: number;
  resetPeak: () => void;
} {
  const l = state().limiter;
  return { active: l.active, waiting: l.waiting, peak: l.peak, resetPeak: () => l.resetPeak() };
}

/** How a call ended for timing purposes. */
export type TimeoutKind = "call" | "deadline";

/**
 * The slot a running call holds. A call that waits for other work it started itself (a
 * resolver reading its own config) lends its slot for that time, so the work it waits for can
 * run even when every slot is taken: nested calls never deadlock on the limit.
 */
export interface SlotLease {
  /** Runs `work` with this call's slot given back meanwhile; takes a slot again after. */
  lend<T>(work: () => Promise<T>): Promise<T>;
}

/** One resolver invocation handed to the scheduler. */
export interface CallTask<T> {
  /** Does the work; receives the call's signal and its slot lease. */
  run: (signal: AbortSignal, lease: SlotLease) => T | Promise<T>;
  /** Per-call timeout in ms (0 or Infinity: none). */
  timeout: number;
  /** Batch deadline or caller signal. */
  signal?: AbortSignal | undefined;
  /** Extra limit of the current batch (`resolveAll({ maxConcurrency })`). */
  batchLimit?: Semaphore | undefined;
  /**
   * When no slot is free, run at once without one instead of queueing (synchronous access to
   * resolvers that never return a promise: they hold no slot across a tick anyway).
   */
  inlineIfFull?: boolean | undefined;
  /** Builds the error for a timeout or an aborted caller signal. */
  timeoutError: (kind: TimeoutKind, reason: unknown) => Error;
}

/**
 * Runs one call under the limits. Synchronous work that finds a free slot runs inline and
 * returns its value directly; anything asynchronous returns a promise that settles with the
 * result, or rejects with `timeoutError(...)` when the per-call timeout fires or the task's
 * signal aborts, whatever the resolver does with its signal.
 *
 * @param task The call.
 * @returns The value, or a promise of it.
 *
 * @example
 * ```ts
 * import { runCall } from "./scheduler.ts";
 * import assert from "node:assert/strict";
 * const v = runCall({ run: () => 42, timeout: 1000, timeoutError: () => new Error("t") });
 * assert.equal(v, 42);
 * ```
 */
export function runCall<T>(task: CallTask<T>): T | Promise<T> {
  if (task.signal?.aborted) {
    return Promise.reject(task.timeoutError("deadline", task.signal.reason));
  }
  const global = state().limiter;
  const batch = task.batchLimit;
  if (batch === undefined || batch.tryAcquire()) {
    if (global.tryAcquire()) return execute(task, new Slot(global, batch));
    if (batch) batch.release();
  }
  if (task.inlineIfFull) return execute(task, undefined);
  return acquireBoth(global, batch, task.signal).then(
    () => execute(task, new Slot(global, batch)),
    (e) => {
      throw task.timeoutError("deadline", e);
    },
  );
}

/**
 * Waits for a slot of the batch limit (if any), then of the global one. On failure (the
 * signal aborted) nothing is held.
 */
async function acquireBoth(
  global: Semaphore,
  batch: Semaphore | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (batch) await batch.acquire(signal);
  try {
    await global.acquire(signal);
  } catch (e) {
    batch?.release();
    throw e;
  }
}

/**
 * A held slot of the global (and batch) limiter, released once; lendable while waiting.
 * Invariant: it holds at most one pair of slots, and none once released or while lent.
 */
class Slot implements SlotLease {
  #global: Semaphore;
  #batch: Semaphore | undefined;
  #held = true;
  #done = false;
  #lending = 0;
  /** Aborted on release: a pending take-back stops waiting for a slot the call no longer needs. */
  #ended: AbortController | undefined;

  constructor(global: Semaphore, batch: Semaphore | undefined) {
    this.#global = global;
    this.#batch = batch;
  }

  release = (): void => {
    if (this.#done) return;
    this.#done = true;
    this.#ended?.abort();
    if (this.#held) this.#give();
  };

  async lend<T>(work: () => Promise<T>): Promise<T> {
    if (this.#done) return await work();
    if (this.#lending++ === 0 && this.#held) this.#give();
    try {
      return await work();
    } finally {
      if (--this.#lending === 0 && !this.#done) await this.#takeBack();
    }
  }

  async #takeBack(): Promise<void> {
    this.#ended ??= new AbortController();
    try {
      await acquireBoth(this.#global, this.#batch, this.#ended.signal);
    } catch {
      return; // the call ended meanwhile: it needs no slot any more
    }
    // Ended, lent again, or already taken back by an earlier take-back: give this one back.
    if (this.#done || this.#lending > 0 || this.#held) {
      this.#global.release();
      this.#batch?.release();
    } else this.#held = true;
  }

  #give(): void {
    this.#held = false;
    this.#global.release();
    this.#batch?.release();
  }
}

const NO_LEASE: SlotLease = { lend: (work) => work() };

/**
 * Runs the task on the slot it was granted. The slot is released on every way out: in
 * `finally` for synchronous work (a throwing `run`, a result whose `then` cannot be read), and
 * when the guarded promise settles for asynchronous work.
 */
function execute<T>(task: CallTask<T>, slot: Slot | undefined): T | Promise<T> {
  let handedOver = false;
  try {
    if (task.signal?.aborted) {
      // Granted a slot after the deadline passed: never start the work.
      return Promise.reject(task.timeoutError("deadline", task.signal.reason));
    }
    const controller = new AbortController();
    const result = task.run(controller.signal, slot ?? NO_LEASE);
    const work = adopt(result);
    if (work === undefined) return result;
    const settled = guard(task, work as Promise<T>, controller).finally(slot?.release);
    handedOver = true;
    return settled;
  } finally {
    if (!handedOver) slot?.release();
  }
}

/**
 * The call's outcome: the work's, or the timeout error once the per-call timer fires or the
 * task's signal aborts. Either aborts the call's own signal (`controller`) with that error.
 */
function guard<T>(task: CallTask<T>, work: Promise<T>, controller: AbortController): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outer = task.signal;
  const finish = () => {
    if (timer !== undefined) clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
  };
  const stop = (kind: TimeoutKind, reason: unknown) => {
    finish();
    controller.abort(task.timeoutError(kind, reason));
  };
  const onOuterAbort = () => stop("deadline", outer?.reason);
  // 0, or beyond 2^31-1 ms (timers would fire at once): no limit.
  if (isTimeLimit(task.timeout)) {
    timer = setTimeout(() => stop("call", undefined), task.timeout);
  }
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  const settled = abortable(work, controller.signal);
  settled.then(finish, finish);
  return settled;
}

/**
 * A native promise following `value` when it is a thenable, reading its `then` exactly once
 * (so a getter cannot answer differently to a second look); `undefined` for anything else.
 *
 * @param value A value returned by foreign code.
 * @returns The promise, or `undefined` when `value` is not a thenable.
 * @throws Whatever reading `then` throws (a revoked Proxy, a throwing getter).
 *
 * @example
 * ```ts
 * import { adopt } from "./scheduler.ts";
 * import assert from "node:assert/strict";
 * assert.equal(adopt(42), undefined);
 * assert.equal(await adopt({ then: (ok: (v: number) => void) => ok(7) }), 7);
 * ```
 */
export function adopt(value: unknown): Promise<unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const then = (value as { then?: unknown }).then;
  if (typeof then !== "function") return undefined;
  // Reflect.apply reads nothing from `then` itself; a throw inside it rejects the promise.
  return new Promise((resolve, reject) => Reflect.apply(then, value, [resolve, reject]));
}

/**
 * Whether a value is a thenable.
 *
 * @param value Anything.
 * @returns True for promises and thenables.
 *
 * @example
 * ```ts
 * import { isPromiseLike } from "./scheduler.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isPromiseLike(Promise.resolve(1)), true);
 * assert.equal(isPromiseLike(1), false);
 * ```
 */
export function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** One call waiting in a batch. */
interface BatchEntry<C> {
  key: string;
  call: C;
  /** What ends the call's interest (its `task.signal`). */
  signal: AbortSignal | undefined;
  timeoutError: CallTask<unknown>["timeoutError"];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Calls of one group waiting for their request. */
interface PendingGroup<C> {
  spec: BatchSpec<C>;
  entries: BatchEntry<C>[];
  /** The request keys of its calls (see `enqueue`). */
  requestKeys: Set<string>;
  /** Distinct requests among its calls: what `size` limits. */
  distinct: number;
}

/** How one call of a batch ended: its value, or its own failure. */
export type BatchOutcome = { value: unknown } | { error: unknown };

/** How a batch group runs: the group's shared settings. */
export interface BatchSpec<C> {
  /** Largest group handed to `runMany`. */
  size: number;
  /** Serves a group; returns exactly one outcome per call, in order. */
  runMany: (
    keys: string[],
    calls: C[],
    signal: AbortSignal,
    lease: SlotLease,
  ) => Promise<BatchOutcome[]>;
  /**
   * Task settings of the call (timeout, signal, batch limit, errors); a group request takes
   * them from its first call, and its signal aborts only once every call's signal did.
   */
  task: Omit<CallTask<unknown[]>, "run">;
}

/**
 * Groups calls that are pending at the same time into requests of at most `size` distinct
 * requests: calls with the same request key ask the source for the same thing and count once.
 * A full group is sent at once (a group of calls with request keys once a call that does not
 * fit arrives, so that later calls for what it asks can still join it); the rest go out on the
 * next macrotask (`nextMacrotask`: an immediate, not a timer). Each group request takes one slot
 * of the limiter. A call whose signal aborts stops waiting at once, and is left out of a request
 * not sent yet.
 */
export class Batcher<C> {
  #pending = new Map<string, PendingGroup<C>>();
  #flushQueued = false;

  /**
   * Queues one call.
   *
   * @param group Calls of different groups never share a request.
   * @param key The call's key.
   * @param call The call object handed to `runMany`.
   * @param spec How the group runs (the first call of a group decides), and this call's signal,
   *   errors and `requestKey` (calls with the same one count once towards `size`; none: the
   *   call counts alone).
   * @returns The call's value.
   */
  enqueue(
    group: string,
    key: string,
    call: C,
    spec: BatchSpec<C> & { requestKey?: string | undefined },
  ): Promise<unknown> {
    const { signal, timeoutError } = spec.task;
    const requestKey = spec.requestKey;
    const queued = new Promise((resolve, reject) => {
      let g = this.#pending.get(group);
      const known = requestKey !== undefined && g !== undefined && g.requestKeys.has(requestKey);
      if (g !== undefined && !known && g.distinct >= g.spec.size) {
        // Full: this call starts the next request.
        this.#pending.delete(group);
        this.#send(g.spec, g.entries);
        g = undefined;
      }
      if (g === undefined) {
        g = { spec, entries: [], requestKeys: new Set(), distinct: 0 };
        this.#pending.set(group, g);
      }
      g.entries.push({ key, call, signal, timeoutError, resolve, reject });
      if (!known) {
        g.distinct++;
        if (requestKey !== undefined) g.requestKeys.add(requestKey);
      }
      if (requestKey === undefined && g.distinct >= g.spec.size) {
        // No later call can share a request with these: it goes now.
        this.#pending.delete(group);
        this.#send(g.spec, g.entries);
      } else if (!this.#flushQueued) {
        this.#flushQueued = true;
        nextMacrotask(() => this.#flush());
      }
    });
    return signal === undefined
      ? queued
      : abortable(queued, signal, (reason) => timeoutError("deadline", reason));
  }

  #flush(): void {
    this.#flushQueued = false;
    const groups = [...this.#pending.values()];
    this.#pending.clear();
    for (const g of groups) this.#send(g.spec, g.entries);
  }

  #send(spec: BatchSpec<C>, queued: BatchEntry<C>[]): void {
    // A call that gave up while queued has its error already: it is not asked for.
    const entries = queued.filter((e) => !e.signal?.aborted);
    if (entries.length === 0) return;
    const signals = entries.map((e) => e.signal);
    const shared = signals.some((s) => s !== signals[0]) ? allAborted(signals) : undefined;
    const keys = entries.map((e) => e.key);
    const calls = entries.map((e) => e.call);
    // A timeout or abort of the group request fails each call with its own error (naming its
    // own path and key), not one error shared by the group.
    const timeouts = new WeakMap<Error, { kind: TimeoutKind; reason: unknown }>();
    let request: BatchOutcome[] | Promise<BatchOutcome[]>;
    try {
      request = runCall<BatchOutcome[]>({
        ...spec.task,
        signal: shared?.signal ?? signals[0],
        timeoutError: (kind, reason) => {
          const e = entries[0]!.timeoutError(kind, reason);
          timeouts.set(e, { kind, reason });
          return e;
        },
        run: (signal, lease) => spec.runMany(keys, calls, signal, lease),
      });
    } catch (e) {
      // A runMany that throws synchronously fails its group, like a rejection.
      request = Promise.reject(e);
    }
    const failAll = (err: unknown) => {
      // WeakMap lookup inspects nothing (a rejection reason may be a revoked Proxy).
      const t = timeouts.get(err as Error);
      entries.forEach((e, i) => e.reject(t && i > 0 ? e.timeoutError(t.kind, t.reason) : err));
    };
    // Every entry settles, even if `runMany` broke its contract (settling twice is a no-op).
    const done = Promise.resolve(request);
    if (shared) done.finally(() => shared.dispose()).catch(() => {});
    done.then((outcomes) => {
      entries.forEach((e, i) => {
        const o = outcomes[i]!;
        if ("error" in o) e.reject(o.error);
        else e.resolve(o.value);
      });
    }, failAll).catch(failAll);
  }
}
