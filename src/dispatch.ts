/**
 * The dispatcher: the policy of a resolver call, between the engine (which decides what to
 * evaluate) and the scheduler (which runs work under the limits). For each call the engine
 * hands it, the dispatcher decides
 * - single-flight: an identical call in flight (same resolver, arguments, keywords, lifetime
 *   policy (`ttl=`...) and the resolver's own `identity`) is joined, not started again;
 * - batching: calls of a resolver with `resolveMany` are grouped by its `batchGroup` and by the
 *   request they belong to (deadline, limits, nesting, secret inputs), `batchSize` distinct
 *   requests at a time (calls with one `requestKey` count once);
 * - the timeout (the resolver's own, else the process default) and the texts of timeout and
 *   abort errors;
 * - the slot lease and signal each call runs with (handed to the engine for nested reads);
 * - trace events, the normalisation of what a resolver returns and the wrapping of what it
 *   throws.
 * - the lifetime of what a call returns (TTL bookkeeping): when it expires, how long it may be
 *   used past that (`maxStale`, stale-while-revalidate), from the call's `ttl=`, its resolver's
 *   settings and registration, or the value's own suggestion (`ResolvedValue` `ttl`);
 * - during a refresh, the results it reuses instead of calling (not expired) and the ones a
 *   failed call falls back on (stale-if-error).
 *
 * Engine notions (the wait-for graph, sensitivity read through `call.config`) stay in the engine:
 * the dispatcher calls back through {@linkcode CallHooks}.
 *
 * @module
 */

import { formatSource, type HoloconfError, NotFoundError, ResolverError } from "./errors.ts";
import { REDACTED, ResolvedValue, type ResolverCall, type ResolverObject } from "./resolver.ts";
import type { LivePolicy, RegisteredResolver } from "./registry.ts";
import {
  adopt,
  Batcher,
  type BatchOutcome,
  type CallTask,
  getSchedulerSettings,
  runCall,
  type Semaphore,
  type SlotLease,
  type TimeoutKind,
} from "./scheduler.ts";
import type { MP } from "./_maybe_promise.ts";
import { bytesToText } from "./_bytes.ts";
import { type Resolved, toValue, UnsupportedValueError } from "./value.ts";
import { errorName, redactedCause, wrapResolverError } from "./_resolver_errors.ts";
import { isTimeLimit, SharedWork } from "./_abortable.ts";

/** One resolver invocation, reported after it settles (never carries the value). */
export interface TraceEvent {
  /** Resolver name. */
  resolver: string;
  /** The key, or `[REDACTED]` when it came from a sensitive value. */
  key: string;
  /** Config path being resolved. */
  path: string;
  /** `performance.now()` at start, ms. */
  start: number;
  /** `performance.now()` at end, ms. */
  end: number;
  /** How it ended (`not_found` lets a `default=` apply). */
  outcome: "ok" | "not_found" | "error" | "timeout";
}

/** Settings of a dispatcher (one per Config). */
export interface DispatcherOptions {
  /** Trace listener: one event per settled call. */
  onTrace?: ((event: TraceEvent) => void) | undefined;
  /** Where a failing trace listener is reported (once). */
  onWarning: (message: string) => void;
  /** The clock lifetimes are measured on, in ms. */
  now: () => number;
}

/**
 * When a value expires and how long it may still be used, in ms of the Config's clock
 * (`Infinity`: never).
 */
export interface Lifetime {
  /** From then on the value is expired: the next read or refresh fetches it again. */
  readonly expiresAt: number;
  /**
   * Until then an expired value may still be used: kept when fetching it again fails
   * (stale-if-error), returned by `getSync`. `expiresAt + maxStale`.
   */
  readonly staleUntil: number;
  /**
   * Until then a read of the expired value returns it at once and refreshes it in the
   * background: `staleUntil` with stale-while-revalidate, else `expiresAt`.
   */
  readonly swrUntil: number;
}

/** The lifetime of a value built from no call with a TTL. */
export const FOREVER: Lifetime = Object.freeze({
  expiresAt: Infinity,
  staleUntil: Infinity,
  swrUntil: Infinity,
});

/**
 * The lifetime of a value built from two others: each bound the earlier of theirs.
 *
 * @param a One lifetime.
 * @param b The other.
 * @returns Their meet.
 */
export function earliest(a: Lifetime, b: Lifetime): Lifetime {
  if (b === FOREVER || a === b) return a;
  if (a === FOREVER) return b;
  return {
    expiresAt: Math.min(a.expiresAt, b.expiresAt),
    staleUntil: Math.min(a.staleUntil, b.staleUntil),
    swrUntil: Math.min(a.swrUntil, b.swrUntil),
  };
}

/**
 * Longest wait before a value kept after a failed refresh is fetched again (its TTL when
 * shorter): a failing source is not asked on every read meanwhile.
 */
export const RETRY_AFTER_FAILURE_MS = 10_000;

/** What the dispatcher tells the caller about a settled call, besides its value. */
export interface CallLife {
  /** When its value expires. */
  life: Lifetime;
  /** Its TTL in ms (`Infinity`: none). */
  ttl: number;
  /** Its single-flight identity (computed when first asked). */
  identity: () => string;
}

/** A result of an earlier generation with its lifetime. */
export interface CarriedCall<R> {
  /** What callers got. */
  result: R;
  /** Its lifetime when it settled. */
  life: Lifetime;
  /** Its TTL in ms (`Infinity`: none). */
  ttl: number;
}

/** Results of an earlier generation for a refresh or reload, by single-flight identity. */
export interface CallCarry<R> {
  /** Still fresh: an identical call gets it instead of calling the resolver. */
  reuse: ReadonlyMap<string, R>;
  /**
   * Expired (or to be fetched again): an identical call that fails falls back on it while its
   * lifetime allows (stale-if-error); a not-found answer is an answer, not a failure.
   */
  fallback: ReadonlyMap<string, CarriedCall<R>>;
}

/** The request a call belongs to: calls share a batch only within one request's limits. */
export interface CallScope {
  /** Synchronous access (`getSync`): no batching; a synchronous resolver needs no free slot. */
  sync: boolean;
  /**
   * What ends the request's interest in the call: its deadline or caller signal, or, inside
   * work other requests joined, the signal of that shared work (see `SharedWork`).
   */
  signal: AbortSignal | undefined;
  /**
   * The request's own deadline or caller signal when `signal` is narrower (inside shared
   * work): calls share a batch request only within one request.
   */
  requestSignal?: AbortSignal | undefined;
  /** The request's own concurrency limit (`resolveAll({ maxConcurrency })`). */
  batchLimit: Semaphore | undefined;
  /** The request's deadline in ms, for messages. */
  deadline?: number | undefined;
  /** When the request's deadline passes, in ms since the epoch (`ResolverCall.deadline`). */
  endsAt?: number | undefined;
  /** Whether the call is made from inside another resolver call (`call.config`). */
  nested: boolean;
}

/** A call in flight, for identical calls to join. */
export interface Flight<V, R> {
  /** What the caller that started it gave as its owner (the engine: its graph vertex). */
  owner: V;
  /** Its outcome. */
  result: Promise<R>;
  /**
   * Its waiters, when some may give up: it is aborted only once each of them did. Undefined
   * when its starter never gives up (no deadline, no signal).
   */
  shared: SharedWork | undefined;
}

/** Identical calls in flight by single-flight key: one table per tree generation. */
export type InFlightCalls<V, R> = Map<string, Flight<V, R>>;

/** What the caller (the engine) does at each step of a call. */
export interface CallHooks<V, R extends Resolved> {
  /**
   * Waits for an identical call in flight instead of starting this one.
   *
   * @param owner The owner of the call in flight.
   * @param result Its outcome.
   * @param shared Its waiters, which this one joins (`SharedWork.wait`), when some may give up.
   * @returns This call's outcome.
   */
  join(owner: V, result: Promise<R>, shared: SharedWork | undefined): MP<R>;
  /**
   * The call starts: the signal it runs with and the slot it holds (a batched call shares both
   * with its group).
   */
  start(signal: AbortSignal, lease: SlotLease): void;
  /** What callers get for the resolver's value (normalised, with its sensitivity). */
  settle(value: Resolved, life: CallLife): R;
  /** What callers get for a result of the carry's `reuse` (no call is made). */
  reuse(result: R): MP<R>;
  /**
   * What callers get when the call failed and the carry's `fallback` has its earlier result
   * (stale-if-error): `life` says when to try again.
   */
  fallBack(previous: R, error: HoloconfError, life: CallLife): R;
  /** The resolver answered not found (a `default=` may apply): the answer's lifetime. */
  notFound(life: CallLife): void;
  /** Whether the resolver read a sensitive value: its failure then hides its inputs too. */
  readSecret(): boolean;
  /**
   * The call is over: undo what `start` did. Called once for a call that was started or queued
   * (also when it never got to start), never for a joined one.
   */
  end(): void;
}

/** One call handed to {@linkcode Dispatcher.dispatch}. */
export interface CallRequest<V, R extends Resolved> {
  /** The resolver, as registered. */
  resolver: RegisteredResolver;
  /**
   * The call without its signal: the dispatcher gives the resolver (and its `identity` and
   * `batchGroup` hooks) a complete call, with a signal that is the call's own once it runs.
   */
  call: CallDraft;
  /** The request the call belongs to. */
  scope: CallScope;
  /** Identical calls in flight, where this one is found or recorded. */
  inFlight: InFlightCalls<V, R>;
  /** Recorded with the call for identical calls that join it. */
  owner: V;
  /** The lifetime the program gives the call's value (`ttl=` over settings over registration). */
  live: LivePolicy;
  /** During a refresh or reload: results to reuse or fall back on. */
  carry?: CallCarry<R> | undefined;
  /** Texts of the call's sensitive inputs (a secret the resolver reads is added to it). */
  secrets: string[];
  /** The caller's part of each step. */
  hooks: CallHooks<V, R>;
}

/** A call waiting in a batch group, with its own start hook. */
interface BatchedCall {
  call: CallDraft;
  start(signal: AbortSignal, lease: SlotLease): void;
}

let neverAborted: AbortSignal | undefined;

/** A signal that never aborts, made on first use (nothing runs at module load). */
function neverAbortedSignal(): AbortSignal {
  return neverAborted ??= new AbortController().signal;
}

/**
 * A call as the engine hands it over: without its signal, and with its settings as a function
 * (read only when the resolver reads `call.settings`, so a settings error fails that call).
 */
export type CallDraft = Omit<ResolverCall, "signal" | "settings"> & {
  /** The resolver's effective settings (see `ResolverCall.settings`). */
  settingsOf(): Readonly<Record<string, unknown>>;
};

/** A complete call: the draft's fields, a signal, and `settings` read on use. */
class DispatchedCall implements ResolverCall {
  readonly args: ResolverCall["args"];
  readonly kwargs: ResolverCall["kwargs"];
  readonly kwargsAll: ResolverCall["kwargsAll"];
  readonly signal: AbortSignal;
  readonly deadline: number | undefined;
  readonly path: string;
  readonly config: ResolverCall["config"];
  readonly resolver: string;
  readonly source: ResolverCall["source"];
  readonly sensitiveInput: boolean;
  readonly context: ResolverCall["context"];
  readonly #settingsOf: CallDraft["settingsOf"];

  constructor(draft: CallDraft, signal: AbortSignal, deadline?: number) {
    this.args = draft.args;
    this.kwargs = draft.kwargs;
    this.kwargsAll = draft.kwargsAll;
    this.signal = signal;
    this.deadline = deadline;
    this.path = draft.path;
    this.config = draft.config;
    this.resolver = draft.resolver;
    this.source = draft.source;
    this.sensitiveInput = draft.sensitiveInput;
    this.context = draft.context;
    this.#settingsOf = draft.settingsOf;
  }

  get settings(): Readonly<Record<string, unknown>> {
    return this.#settingsOf();
  }
}

/**
 * Runs resolver calls for one engine: single-flight, batching, timeouts, leases, trace events
 * (see the module notes). Its state (pending batch groups, object ids for keys) is its own.
 */
export class Dispatcher {
  #options: DispatcherOptions;
  #batcher = new Batcher<BatchedCall>();
  #ids = new WeakMap<object, number>();
  #nextId = 1;
  #traceWarned = false;

  /** @param options Trace listener and warning sink. */
  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /**
   * Runs one call: joins an identical call in flight, or starts it (alone or in a batch) under
   * the limits, and reports it to the trace listener when it settles.
   *
   * @param request The call, its request and the caller's hooks.
   * @returns What `hooks.settle` made of the value (or what `hooks.join` returned), now when
   *   the resolver answered synchronously, else a promise.
   * @throws {HoloconfError} What the resolver's failure becomes (see `wrapResolverError`), a
   *   timeout or abort (`RESOLVER_TIMEOUT`, `RESOLVER_ABORTED`), or a bad value
   *   (`RESOLVER_BAD_VALUE`).
   */
  dispatch<V, R extends Resolved>(request: CallRequest<V, R>): MP<R> {
    const { resolver: reg, call: draft, scope, hooks } = request;
    const name = reg.name;
    const key = keyOf(draft.args);
    const obj = typeof reg.resolver === "function" ? undefined : reg.resolver;
    const view = new DispatchedCall(draft, neverAbortedSignal());
    const carry = request.carry;
    // Single-flight: an identical call in flight is shared. Synchronous resolvers finish before
    // anyone could share them, so they skip building the key (unless a refresh may reuse it).
    const joinable = !obj?.synchronous || carry !== undefined;
    // The key is made before the call when something needs it then: a refresh's results, calls
    // in flight to join, or the resolver's own `identity` hook (called before the resolver, as
    // ever). Otherwise it is made when the call goes asynchronous (others may join it from then
    // on), or never: a call that answers at once is joined by nobody.
    let identity = joinable &&
        (carry !== undefined || request.inFlight.size > 0 || obj?.identity !== undefined)
      ? this.#identity(name, obj, key, view, request.live)
      : undefined;
    if (identity !== undefined && carry !== undefined) {
      const reused = carry.reuse.get(identity);
      if (reused !== undefined) return hooks.reuse(reused);
    }
    const flight = identity === undefined ? undefined : request.inFlight.get(identity);
    // A call every waiter gave up is ending: a new caller starts it again.
    if (flight && !flight.shared?.signal.aborted) {
      return hooks.join(flight.owner, flight.result, flight.shared);
    }
    // Kept by the call's record for as long as its value is memoized: it holds only what the
    // key is made of, not the call's state. Made once the key is known, if it is.
    let identityOf: (() => string) | undefined;
    const lifeOf = (raw: unknown): CallLife =>
      lifetime(
        request.live,
        raw instanceof ResolvedValue ? raw.ttl : undefined,
        this.#options,
        identityOf ??= this.#identityOf(name, obj, key, view, request.live, identity),
      );

    const timeout = reg.timeout ?? getSchedulerSettings().defaultTimeout;
    const shownKey = draft.sensitiveInput ? REDACTED : key;
    const about = { name, path: draft.path, source: draft.source, shownKey };
    const timeoutError = (kind: TimeoutKind, reason: unknown): Error =>
      kind === "call" ? callTimedOut(about, timeout) : requestEnded(about, reason, scope.deadline);
    const emit = this.#tracer(name, shownKey, draft.path);
    const finish = (raw: unknown): R => {
      let r: R;
      try {
        r = hooks.settle(normalizeResult(raw, reg.sensitive, name), lifeOf(raw));
      } catch (e) {
        return fail(e);
      }
      emit?.("ok");
      return r;
    };
    const wrap = (e: unknown) =>
      wrapResolverError(e, {
        name,
        key,
        path: draft.path,
        source: draft.source,
        sensitive: draft.sensitiveInput || hooks.readSecret(),
        secrets: request.secrets,
      });
    const fail = (e: unknown): R => {
      const err = wrap(e);
      emit?.(
        err.code === "RESOLVER_TIMEOUT"
          ? "timeout"
          : err instanceof NotFoundError
          ? "not_found"
          : "error",
      );
      if (err instanceof NotFoundError) {
        hooks.notFound(lifeOf(undefined));
        throw err;
      }
      // Stale-if-error: a refreshed call that fails keeps its earlier result while allowed.
      const previous = identity === undefined ? undefined : carry?.fallback.get(identity);
      const now = previous === undefined ? 0 : this.#options.now();
      if (previous !== undefined && now < previous.life.staleUntil) {
        identityOf ??= this.#identityOf(name, obj, key, view, request.live, identity);
        const life = { life: retryLife(previous, now), ttl: previous.ttl, identity: identityOf };
        return hooks.fallBack(previous.result, err, life);
      }
      throw err;
    };

    // A call others may join runs on its waiters' shared signal: the deadline or abort of the
    // request that started it ends it only if nobody else waits for it by then.
    const shared = joinable && scope.signal !== undefined && !scope.signal.aborted
      ? new SharedWork()
      : undefined;
    const signal = shared?.signal ?? scope.signal;
    // Nested calls take slots like any other: the caller lends its own while it waits.
    const inlineIfFull = scope.sync && obj?.synchronous === true;
    let raw: unknown;
    try {
      // `batchSize` is set (at registration) for objects with `resolveMany` only.
      raw = obj !== undefined && reg.batchSize !== undefined && !scope.sync
        ? this.#batched(request, obj, key, view, {
          size: reg.batchSize,
          limits: { timeout, signal, batchLimit: scope.batchLimit, inlineIfFull, timeoutError },
        })
        : runCall<unknown>({
          timeout,
          signal,
          batchLimit: scope.batchLimit,
          inlineIfFull,
          timeoutError,
          run: (signal, lease) => {
            hooks.start(signal, lease);
            const call = new DispatchedCall(draft, signal, deadlineOf(timeout, scope));
            return settledOrPending(resolveOne(reg, key, call), name);
          },
        });
    } catch (e) {
      hooks.end();
      return fail(e);
    }
    if (raw instanceof Returned) {
      hooks.end();
      return finish(raw.value);
    }
    // Others may join the call from now on: it needs its key.
    if (joinable) identity ??= this.#identity(name, obj, key, view, request.live);
    const result = (raw as Promise<unknown>).then(finish, fail);
    const settled = () => {
      hooks.end();
      shared?.dispose();
      if (identity !== undefined && request.inFlight.get(identity)?.result === result) {
        request.inFlight.delete(identity);
      }
    };
    if (identity !== undefined) {
      request.inFlight.set(identity, { owner: request.owner, result, shared });
    }
    result.then(settled, settled);
    // The starter is one waiter: when it gives up while others still wait, it stops waiting.
    return shared
      ? shared.wait(result, scope.signal, (reason) => wrap(timeoutError("deadline", reason)))
      : result;
  }

  /**
   * Queues a call in its batch group: the group's request hands every call of it to
   * `resolveMany`, each with the request's signal, after telling each caller its signal and
   * lease.
   */
  #batched<V, R extends Resolved>(
    request: CallRequest<V, R>,
    obj: ResolverObject,
    key: string,
    view: ResolverCall,
    group: { size: number; limits: Omit<CallTask<unknown>, "run"> },
  ): Promise<unknown> {
    const { call, hooks, resolver } = request;
    const batched: BatchedCall = { call, start: (signal, lease) => hooks.start(signal, lease) };
    return this.#batcher.enqueue(this.#group(obj, key, view, request.scope), key, batched, {
      size: group.size,
      requestKey: obj.requestKey?.(key, view),
      runMany: (keys, calls, signal, lease) =>
        serveMany(
          resolver.name,
          obj,
          keys,
          calls.map((c) => {
            c.start(signal, lease);
            return new DispatchedCall(
              c.call,
              signal,
              deadlineOf(group.limits.timeout, request.scope),
            );
          }),
        ),
      task: group.limits,
    });
  }

  /** The single-flight key of a call, computed when first asked unless `known`. */
  #identityOf(
    name: string,
    obj: ResolverObject | undefined,
    key: string,
    view: DispatchedCall,
    live: LivePolicy,
    known: string | undefined,
  ): () => string {
    if (known !== undefined) return constant(known);
    // Only the resolver's own `identity` hook needs the whole call.
    if (obj?.identity) return this.#hookedIdentityOf(name, obj, key, view, live);
    return this.#plainIdentityOf(name, view.args, view.kwargsAll, live);
  }

  // Each closure in a function of its own: a closure keeps every variable its function's
  // closures capture, and these are kept as long as the call's value.

  #hookedIdentityOf(
    name: string,
    obj: ResolverObject,
    key: string,
    view: DispatchedCall,
    live: LivePolicy,
  ): () => string {
    let known: string | undefined;
    return () => known ??= this.#identity(name, obj, key, view, live);
  }

  #plainIdentityOf(
    name: string,
    args: ResolverCall["args"],
    kwargsAll: ResolverCall["kwargsAll"],
    live: LivePolicy,
  ): () => string {
    let known: string | undefined;
    return () => known ??= this.#plainKey(name, args, kwargsAll, live) + "\u0000";
  }

  /**
   * The single-flight key: name, arguments (bytes by identity), keywords, lifetime policy,
   * resolver identity. The policy is part of it: `${src:k}` and `${src:k,ttl=10}` are two calls,
   * else the first in the tree would give both its lifetime (a refresh reusing the one without
   * TTL for the other, which would never be fetched again).
   */
  #identity(
    name: string,
    obj: ResolverObject | undefined,
    key: string,
    call: ResolverCall,
    live: LivePolicy,
  ): string {
    return this.#plainKey(name, call.args, call.kwargsAll, live) + "\u0000" +
      (obj?.identity ? obj.identity(key, call) : "");
  }

  /** The single-flight key without the resolver's identity. */
  #plainKey(
    name: string,
    args: ResolverCall["args"],
    kwargsAll: ResolverCall["kwargsAll"],
    live: LivePolicy,
  ): string {
    return name + "\u0000" + JSON.stringify([
      // Bytes by identity: memoized values hand the same Uint8Array to every consumer.
      args.map((a) => typeof a === "string" ? a : { bytes: this.#idOf(a) }),
      kwargsAll,
      [String(live.ttl), String(live.maxStale), String(live.staleWhileRevalidate)],
    ]);
  }

  /**
   * The batch group of a call. Calls share a request only when they share the resolver's group,
   * deadline, limits and nesting, and a call whose arguments came from a secret only shares one
   * with such calls: a failed request can name every key it carried, so an ordinary call's
   * error could show a secret key.
   */
  #group(obj: ResolverObject, key: string, call: ResolverCall, scope: CallScope): string {
    return call.resolver + "\u0000" + (obj.batchGroup ? obj.batchGroup(key, call) : "") +
      "\u0000" + this.#idOf(scope.requestSignal ?? scope.signal) + "/" +
      this.#idOf(scope.batchLimit) + "/" +
      (scope.nested ? "n" : "") + (call.sensitiveInput ? "/s" : "");
  }

  /** A number for an object, stable for this dispatcher (0 for none). */
  #idOf(o: object | undefined): number {
    if (o === undefined) return 0;
    let id = this.#ids.get(o);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(o, id);
    }
    return id;
  }

  /** Reports a call's outcome to the trace listener, if any (its failures are its own). */
  #tracer(
    resolver: string,
    key: string,
    path: string,
  ): ((outcome: TraceEvent["outcome"]) => void) | undefined {
    const trace = this.#options.onTrace;
    if (!trace) return undefined;
    const start = performance.now();
    return (outcome) => {
      try {
        trace({ resolver, key, path, start, end: performance.now(), outcome });
      } catch {
        // A listener's failure is its own: the call's outcome stays what it was.
        this.#traceFailed();
      }
    };
  }

  /** Reports once per dispatcher that the `onTrace` listener threw (its errors are dropped). */
  #traceFailed(): void {
    if (this.#traceWarned) return;
    this.#traceWarned = true;
    try {
      this.#options.onWarning("The onTrace listener threw; its errors are ignored");
    } catch {
      // A warning listener that throws is ignored as well.
    }
  }
}

/** A function that returns `value`. */
function constant<T>(value: T): () => T {
  return () => value;
}

/**
 * When a call starting now is aborted at the latest: its timeout from now (none for a limit that
 * is none, see `isTimeLimit`), or the request's deadline if sooner.
 */
function deadlineOf(timeout: number, scope: CallScope): number | undefined {
  const own = isTimeLimit(timeout) ? Date.now() + timeout : undefined;
  if (own === undefined) return scope.endsAt;
  return scope.endsAt === undefined ? own : Math.min(own, scope.endsAt);
}

/**
 * The lifetime of a value settled now: the program's `ttl` (else the resolver's suggestion)
 * and the policy's `maxStale` and stale-while-revalidate. The clock is read only for a value
 * that has a TTL (Node's first `performance.now()` loads its perf_hooks module, ≈ 1 ms of a
 * cold start).
 */
function lifetime(
  policy: LivePolicy,
  suggested: number | undefined,
  clock: { now(): number },
  identity: () => string,
): CallLife {
  const ttl = policy.ttl ?? suggested;
  if (ttl === undefined) return { life: FOREVER, ttl: Infinity, identity };
  const expiresAt = clock.now() + ttl;
  const staleUntil = expiresAt + (policy.maxStale ?? Infinity);
  return {
    life: { expiresAt, staleUntil, swrUntil: policy.staleWhileRevalidate ? staleUntil : expiresAt },
    ttl,
    identity,
  };
}

/**
 * The lifetime of an earlier result kept after its refresh failed at `now`: tried again after
 * its TTL or {@linkcode RETRY_AFTER_FAILURE_MS}, whichever is shorter, never past the time it
 * may be used; a value without TTL stays as it was.
 *
 * @param previous The earlier result's lifetime and TTL.
 * @param now The time of the failure.
 * @returns Its lifetime from now on.
 */
export function retryLife(previous: CarriedCall<unknown>, now: number): Lifetime {
  const { life, ttl } = previous;
  if (ttl === Infinity) return life;
  const expiresAt = Math.min(now + Math.min(ttl, RETRY_AFTER_FAILURE_MS), life.staleUntil);
  const swr = life.swrUntil === life.staleUntil;
  return { expiresAt, staleUntil: life.staleUntil, swrUntil: swr ? life.staleUntil : expiresAt };
}

/** Calls a resolver, function or object, for one call. */
function resolveOne(reg: RegisteredResolver, key: string, call: ResolverCall): unknown {
  const r = reg.resolver;
  return typeof r === "function" ? r(key, call) : r.resolve(key, call);
}

/** A call's first argument as text: the key a resolver receives. */
function keyOf(args: readonly (string | Uint8Array)[]): string {
  const first = args[0];
  return first === undefined ? "" : typeof first === "string" ? first : bytesToText(first);
}

/** What timeout and abort messages say about a call. */
interface CallAbout {
  name: string;
  path: string;
  source: ResolverCall["source"];
  /** The key, or `[REDACTED]`. */
  shownKey: string;
}

/** The per-call timeout fired. */
function callTimedOut(about: CallAbout, timeout: number): ResolverError {
  const { name } = about;
  return new ResolverError(`Resolver '${name}' timed out after ${timeout} ms`, {
    code: "RESOLVER_TIMEOUT",
    path: about.path,
    resolver: name,
    ...(about.source ? { source: formatSource(about.source) } : {}),
    detail: `Key: ${about.shownKey}`,
    help: `Raise the limit with registerResolver("${name}", r, { timeout }) or ` +
      "configure({ defaultTimeout })",
  });
}

/** The request's deadline passed or its caller aborted, while the call waited or ran. */
function requestEnded(
  about: CallAbout,
  reason: unknown,
  deadline: number | undefined,
): ResolverError {
  const { name } = about;
  const isTimeout = isTimeoutReason(reason);
  return new ResolverError(
    isTimeout
      ? `Resolver '${name}' timed out: resolveAll deadline${
        deadline === undefined ? "" : ` of ${deadline} ms`
      } exceeded`
      : `Resolver '${name}' cancelled: aborted by caller`,
    {
      code: isTimeout ? "RESOLVER_TIMEOUT" : "RESOLVER_ABORTED",
      path: about.path,
      resolver: name,
      ...(about.source ? { source: formatSource(about.source) } : {}),
      detail: `Key: ${about.shownKey}`,
      ...(reason === undefined ? {} : { cause: reason }),
    },
  );
}

/**
 * The error of a request that stops waiting for work another request started (a value or a call
 * in flight): its deadline passed or its caller aborted. The work itself goes on.
 *
 * @param path What was waited for.
 * @param reason The request signal's reason.
 * @param deadline The request's deadline in ms, for the message.
 * @returns The error.
 */
export function stoppedWaiting(
  path: string,
  reason: unknown,
  deadline: number | undefined,
): ResolverError {
  const isTimeout = isTimeoutReason(reason);
  return new ResolverError(
    isTimeout
      ? `Timed out waiting for '${path}': resolveAll deadline${
        deadline === undefined ? "" : ` of ${deadline} ms`
      } exceeded`
      : `Stopped waiting for '${path}': aborted by caller`,
    { code: isTimeout ? "RESOLVER_TIMEOUT" : "RESOLVER_ABORTED", path, cause: reason },
  );
}

function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof Error && reason.name === "TimeoutError";
}

/**
 * Serves a batch group with `resolveMany`: exactly one outcome per call, whatever the resolver
 * returned. An `Error` entry fails its call alone; a short or unreadable list fails the calls it
 * gives no answer for.
 */
async function serveMany(
  name: string,
  obj: ResolverObject,
  keys: string[],
  calls: ResolverCall[],
): Promise<BatchOutcome[]> {
  const results: unknown = await obj.resolveMany!(keys, calls);
  let given = 0;
  try {
    if (Array.isArray(results)) given = Math.min(results.length, keys.length);
  } catch {
    // An unreadable list (a revoked proxy) answers nothing.
  }
  return keys.map((_, i): BatchOutcome => {
    if (i >= given) {
      return {
        error: new ResolverError(
          `Resolver '${name}' returned ${given} results for ${keys.length} calls`,
          {
            code: "RESOLVER_BAD_VALUE",
            resolver: name,
            help: "resolveMany returns a list with one value or Error per call, in order",
          },
        ),
      };
    }
    try {
      const r = (results as unknown[])[i];
      return r instanceof Error ? { error: r } : { value: r };
    } catch (e) {
      return {
        error: new ResolverError(`Resolver '${name}' returned a result that cannot be read`, {
          code: "RESOLVER_BAD_VALUE",
          resolver: name,
          cause: e,
        }),
      };
    }
  });
}

/** A resolver's synchronous result, boxed so that nothing inspects the raw value twice. */
class Returned {
  constructor(readonly value: unknown) {}
}

/**
 * A resolver's result as a native promise (a thenable, its `then` read once) or a box for a
 * value returned synchronously: foreign values are never asked whether they are thenables
 * again, so a `then` getter that throws or answers differently cannot hold a slot or a caller.
 */
function settledOrPending(raw: unknown, name: string): Promise<unknown> | Returned {
  let pending: Promise<unknown> | undefined;
  try {
    pending = adopt(raw);
  } catch (e) {
    throw new ResolverError(`Resolver '${name}' returned a value whose 'then' cannot be read`, {
      code: "RESOLVER_BAD_VALUE",
      resolver: name,
      cause: redactedCause(e),
    });
  }
  return pending ?? new Returned(raw);
}

/** A resolver's value as a holoconf value with its sensitivity. */
function normalizeResult(raw: unknown, registeredSensitive: boolean, name: string): Resolved {
  try {
    // Sensitivity is collected by the same walk that unwraps ResolvedValues (Maps included).
    const found = { sensitive: registeredSensitive };
    const value = toValue(raw, 0, found);
    return { value, sensitive: found.sensitive };
  } catch (e) {
    // Only holoconf's own refusal is quoted: what a getter or a Proxy trap of the value threw
    // may quote a secret in a form no redaction recognises (encoded, transformed).
    throw new ResolverError(`Resolver '${name}' returned an unsupported value`, {
      code: "RESOLVER_BAD_VALUE",
      resolver: name,
      detail: e instanceof UnsupportedValueError
        ? e.message
        : `Reading it threw ${errorName(e)} (its message is not shown: it may quote the value)`,
    });
  }
}
