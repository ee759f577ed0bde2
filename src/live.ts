/**
 * Live config: what keeps a Config's values current once resolved. One refresh or file reload
 * at a time (concurrent `refresh()` calls share one, or the next one; a reload waits for the
 * refresh running, and the other way round), reads that meet an expired value (they wait for the
 * refresh, or, with stale-while-revalidate and for `getSync`, return the last value and start
 * it), change events, and the automatic refresh that follows the values' expiries. What a
 * refresh does to the values is the engine's (`Engine.refresh`), what a reload does the
 * Config's; file watching is `_file_watch.ts`.
 *
 * @module
 */

import { ResolverError } from "./errors.ts";
import { asyncRequired, type Engine } from "./engine.ts";
import { type ChangeSet, frozenCopy } from "./change_set.ts";
import type { Resolved } from "./value.ts";
import { abortable } from "./_abortable.ts";
import { backgroundTimer } from "./runtime.ts";

/** Options of `config.refresh()`. */
export interface RefreshOptions {
  /** Fetch every value again, expired or not. @default {false} */
  force?: boolean;
  /**
   * Only the values these access paths are built from (the whole config by default). Every
   * value built from a call fetched again is recomputed, wherever it is.
   */
  paths?: string[];
  /**
   * Deadline of the refresh's calls, in ms: a call still running then fails (its value keeps
   * its last value: stale-if-error). Joining a refresh already running, it bounds the wait.
   */
  timeout?: number;
  /**
   * Aborts the refresh's calls (their values keep their last values), or, joining a refresh
   * already running, stops waiting for it.
   */
  signal?: AbortSignal;
}

/** Options of `config.startAutoRefresh()`. */
export interface AutoRefreshOptions {
  /**
   * Refresh every `interval` ms (what expired by then) instead of at each expiry.
   * @default {undefined} (at the earliest expiry of the values read so far)
   */
  interval?: number;
}

/** A running automatic refresh or file watch. */
export interface LiveHandle {
  /** Stops it (no timer or watcher is left); calling it again does nothing. */
  stop(): void;
}

/** A listener of `config.onChange()`. */
export type ChangeListener = (changes: ChangeSet) => void | Promise<void>;

/** Settings of a {@linkcode Live}. */
export interface LiveOptions {
  /** The clock, in ms. */
  now: () => number;
  /** Where a throwing listener or a failed background refresh is reported. */
  onWarning: (message: string) => void;
}

/** What a refresh fetches: `force` and `paths` (undefined: all). */
interface Scope {
  force: boolean;
  paths: Set<string> | undefined;
}

/** A refresh running or waiting for the running one to end. */
interface Job {
  scope: Scope;
  options: RefreshOptions;
  promise: Promise<ChangeSet>;
}

/** A refresh or a reload waiting for its turn. */
type Waiting =
  & ({ kind: "refresh" } & Job | { kind: "reload"; promise: Promise<void> })
  & { start: () => void };

function emptyChangeSet(): ChangeSet {
  return { changes: [], failures: [] };
}

/** Whether a refresh of scope `a` does everything one of scope `b` asks. */
function covers(a: Scope, b: Scope): boolean {
  if (b.force && !a.force) return false;
  if (a.paths === undefined) return true;
  return b.paths !== undefined && [...b.paths].every((p) => a.paths!.has(p));
}

/**
 * The live side of one Config (see the module notes). Not part of the public API: the Config
 * offers `refresh`, `onChange` and `startAutoRefresh`.
 */
export class Live {
  #engine: Engine;
  #options: LiveOptions;
  #listeners = new Set<ChangeListener>();
  #warned = new WeakSet<ChangeListener>();
  /** The refresh running, or `"reload"` while a reload runs. */
  #running: Job | "reload" | undefined;
  /** What runs next, in order: at most one refresh and one reload. */
  #queue: Waiting[] = [];
  #expiryWatchers = new Set<(expiresAt: number) => void>();

  /**
   * @param engine The Config's engine.
   * @param options Clock and warning sink.
   */
  constructor(engine: Engine, options: LiveOptions) {
    this.#engine = engine;
    this.#options = options;
  }

  /**
   * Refreshes (see `Config.refresh`): starts a refresh, or shares the one running when it does
   * what this one asks, else the one that runs after it.
   *
   * @param options What to refresh, deadline, signal.
   * @returns What changed and what failed: a frozen copy of its own (see `frozenCopy`).
   * @throws {RangeError} For a `timeout` that is not > 0.
   * @throws {ResolverError} `RESOLVER_ABORTED` or `RESOLVER_TIMEOUT` when, joining a refresh,
   *   the signal aborts or the timeout passes first.
   */
  refresh(options: RefreshOptions = {}): Promise<ChangeSet> {
    if (options.timeout !== undefined && !(options.timeout > 0)) {
      return Promise.reject(new RangeError(`timeout must be > 0 ms, got ${options.timeout}`));
    }
    const scope: Scope = {
      force: options.force ?? false,
      paths: options.paths === undefined ? undefined : new Set(options.paths),
    };
    const running = this.#running;
    if (running === undefined) return this.#start(scope, options).promise.then(frozenCopy);
    const job = running !== "reload" && covers(running.scope, scope)
      ? running
      : this.#queueRefresh(scope, options);
    return this.#wait(job.promise, options).then(frozenCopy);
  }

  /**
   * Runs a reload of the Config's files (`run`, which applies and reports what it did, and never
   * rejects) when no refresh or other reload runs: refreshes and reloads never overlap, so
   * neither replaces the values the other computed from an older state. A refresh asked while
   * it runs runs after it; a reload asked while one waits shares that one (it reads the files
   * when it starts).
   *
   * @param run The reload.
   * @returns When it ran.
   */
  reload(run: () => Promise<void>): Promise<void> {
    if (this.#running === undefined) return this.#startReload(run);
    const queued = this.#queue.find((w) => w.kind === "reload");
    if (queued !== undefined) return queued.promise as Promise<void>;
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.#queue.push({
      kind: "reload",
      promise,
      start: () => void this.#startReload(run).then(settle.resolve, settle.reject),
    });
    return promise;
  }

  async #startReload(run: () => Promise<void>): Promise<void> {
    this.#running = "reload";
    try {
      await run();
    } finally {
      this.#next();
    }
  }

  /** The running job ended: starts the next one, if any. */
  #next(): void {
    this.#running = undefined;
    this.#queue.shift()?.start();
  }

  /** Waits for a refresh this call did not start, within its own timeout and signal. */
  #wait(promise: Promise<ChangeSet>, options: RefreshOptions): Promise<ChangeSet> {
    const signals: AbortSignal[] = [];
    if (options.signal) signals.push(options.signal);
    if (options.timeout !== undefined) signals.push(AbortSignal.timeout(options.timeout));
    if (signals.length === 0) return promise;
    const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
    return abortable(promise, signal, (reason) => {
      const timedOut = reason instanceof Error && reason.name === "TimeoutError";
      return new ResolverError(
        timedOut
          ? `Timed out waiting for the refresh after ${options.timeout} ms`
          : "Stopped waiting for the refresh: aborted by caller",
        { code: timedOut ? "RESOLVER_TIMEOUT" : "RESOLVER_ABORTED", cause: reason },
      );
    });
  }

  #start(scope: Scope, options: RefreshOptions): Job {
    const job: Job = { scope, options, promise: undefined as unknown as Promise<ChangeSet> };
    this.#running = job;
    job.promise = (async () => {
      let set: ChangeSet | undefined;
      try {
        set = await this.#engine.refresh({
          force: scope.force,
          paths: scope.paths === undefined ? undefined : [...scope.paths],
          timeout: options.timeout,
          signal: options.signal,
        });
      } finally {
        this.#next();
      }
      if (set === undefined) return emptyChangeSet();
      this.emit(set);
      return set;
    })();
    return job;
  }

  /** The refresh that runs after the running job, widened to do what this call asks too. */
  #queueRefresh(scope: Scope, options: RefreshOptions): Job {
    const queued = this.#queue.find((w) => w.kind === "refresh");
    if (queued !== undefined) {
      queued.scope.force ||= scope.force;
      if (queued.scope.paths !== undefined) {
        if (scope.paths === undefined) queued.scope.paths = undefined;
        else for (const p of scope.paths) queued.scope.paths.add(p);
      }
      return queued;
    }
    let settle!: { resolve: (s: ChangeSet) => void; reject: (e: unknown) => void };
    const promise = new Promise<ChangeSet>((resolve, reject) => (settle = { resolve, reject }));
    const job = {
      kind: "refresh" as const,
      scope: { force: scope.force, paths: scope.paths && new Set(scope.paths) },
      // Its calls are not stopped by this caller's signal: it only stops this caller's wait.
      options: options.timeout === undefined ? {} : { timeout: options.timeout },
      promise,
      start: () =>
        void this.#start(job.scope, job.options).promise.then(settle.resolve, settle.reject),
    };
    this.#queue.push(job);
    return job;
  }

  /**
   * Adds a change listener (see `Config.onChange`).
   *
   * @param listener Called with each non-empty change set.
   * @returns Removes it.
   */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Tells every listener what a refresh or reload did, when it did anything: each gets a frozen
   * copy of its own. A listener that throws (or rejects) is reported once through `onWarning`;
   * the others still run.
   *
   * @param set The change set.
   */
  emit(set: ChangeSet): void {
    if (set.changes.length === 0 && set.failures.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        const r = listener(frozenCopy(set));
        if (r !== undefined && typeof (r as Promise<void>).then === "function") {
          (r as Promise<void>).then(undefined, () => this.#listenerFailed(listener));
        }
      } catch {
        this.#listenerFailed(listener);
      }
    }
  }

  #listenerFailed(listener: ChangeListener): void {
    if (this.#warned.has(listener)) return;
    this.#warned.add(listener);
    this.#warn("An onChange listener threw; its errors are ignored");
  }

  #warn(message: string): void {
    try {
      this.#options.onWarning(message);
    } catch {
      // A warning listener that throws is ignored as well.
    }
  }

  /** Starts a refresh (or joins the running one) without waiting; its failure is reported. */
  #background(): void {
    this.refresh().catch((e: unknown) => {
      this.#warn(`A background refresh failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /**
   * Reads a path for `get`: an expired value is fetched again (the read waits for the refresh,
   * shared by every read meanwhile), or, while stale-while-revalidate allows, returned at once
   * while the refresh runs.
   *
   * @param path Access path.
   * @returns The value.
   */
  async get(path: string): Promise<Resolved> {
    const first = await this.#engine.read(path, false);
    if (first.life.expiresAt === Infinity) return first.resolved; // no TTL: no clock read
    const now = this.#options.now();
    if (first.life.expiresAt > now) return first.resolved;
    if (now < first.life.swrUntil) {
      this.#background();
      return first.resolved;
    }
    await this.refresh();
    return (await this.#engine.read(path, false)).resolved;
  }

  /**
   * Reads a path for `getSync`: an expired value is returned as it is (while it may still be
   * used) and its refresh started.
   *
   * @param path Access path.
   * @returns The value.
   * @throws {ResolverError} `ASYNC_RESOLUTION_REQUIRED` when it needs an asynchronous call, or
   *   expired past the time it may be used (its refresh is started).
   */
  getSync(path: string): Resolved {
    const { resolved, life } = this.#engine.read(path, true) as Awaited<
      ReturnType<Engine["read"]>
    >;
    if (life.expiresAt === Infinity) return resolved; // no TTL: no clock read
    const now = this.#options.now();
    if (life.expiresAt > now) return resolved;
    this.#background();
    if (now < life.staleUntil) return resolved;
    throw asyncRequired(path);
  }

  /**
   * Before a read of the whole config (`resolveAll`, exports, validation): waits for the
   * refresh of what expired, or starts it while stale-while-revalidate allows.
   */
  async whole(): Promise<void> {
    const life = this.#engine.life;
    if (life.expiresAt === Infinity) return; // no TTL: no clock read
    const now = this.#options.now();
    if (life.expiresAt > now) return;
    if (now < life.swrUntil) {
      this.#background();
      return;
    }
    await this.refresh();
  }

  /**
   * Told by the engine that the earliest expiry moved (see `EngineOptions.onExpiry`).
   *
   * @param expiresAt The new earliest expiry.
   */
  expiryChanged(expiresAt: number): void {
    for (const watcher of [...this.#expiryWatchers]) watcher(expiresAt);
  }

  /**
   * Refreshes by itself (see `Config.startAutoRefresh`): at the earliest expiry, or every
   * `interval` ms. Its timers never keep the process alive.
   *
   * @param options `interval`.
   * @returns Stops it.
   * @throws {RangeError} For an `interval` that is not > 0.
   */
  startAutoRefresh(options: AutoRefreshOptions = {}): LiveHandle {
    const interval = options.interval;
    if (interval !== undefined && !(interval > 0 && interval < Infinity)) {
      throw new RangeError(`interval must be a number of ms > 0, got ${interval}`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let armedAt = Infinity;
    let stopped = false;
    let running = false;
    const arm = () => {
      if (stopped || running) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const now = this.#options.now();
      armedAt = interval === undefined ? this.#engine.life.expiresAt : now + interval;
      if (armedAt === Infinity) return; // woken by the next value with a TTL
      // Capped by backgroundTimer: a later expiry is reached by arming again when it fires.
      timer = backgroundTimer(run, Math.max(1, Math.ceil(armedAt - now)));
    };
    const run = async () => {
      timer = undefined;
      running = true;
      try {
        await this.refresh();
      } catch (e) {
        this.#warn(`An automatic refresh failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        running = false;
      }
      arm();
    };
    const onExpiry = (expiresAt: number) => {
      if (interval === undefined && expiresAt < armedAt) arm();
    };
    this.#expiryWatchers.add(onExpiry);
    arm();
    return {
      stop: () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        this.#expiryWatchers.delete(onExpiry);
      },
    };
  }
}
