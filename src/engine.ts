/**
 * The resolution engine: lazy, memoized per node, cycle-safe evaluation of interpolations
 * (SPEC §3–§6). It names no resolver: every `${name:...}` goes through the registries; only
 * references (`${path}`, `${ref:path}`, `${.rel}`) are its own. It decides which nodes a request
 * needs and waits for them (the wait-for graph sees cycles, also through calls joined in
 * flight); how a resolver call runs (single-flight, batching, timeouts, leases, trace) is the
 * dispatcher's (`dispatch.ts`).
 *
 * Evaluation is written once for both synchronous and asynchronous access: functions return
 * `T | Promise<T>` and only become asynchronous when a resolver does, so `getSync`, lazy
 * `get` and `resolveAll` share one code path and one memo.
 *
 * @module
 */

import type { ArgValue, Call, Interpolation, Part, Template } from "./interpolation/ast.ts";
import { isWholeInterpolation, needsInterpolation, parseTemplate } from "./interpolation/parser.ts";
import { formatPath, parsePath, type PathSegment, resolveRelativePath } from "./path.ts";
import {
  CircularReferenceError,
  formatSource,
  HoloconfError,
  NotFoundError,
  ParseError,
  PathNotFoundError,
  ResolveAllError,
  type ResolveFailure,
  ResolverError,
  type SourceLocation,
} from "./errors.ts";
import {
  defineOwn,
  isMandatory,
  type MapNode,
  missingMandatory,
  toPlain,
  type TreeNode,
} from "./tree.ts";
import { type ConfigHandle, REDACTED, type ResolverContext } from "./resolver.ts";
import { globalRegistry, type RegisteredResolver, type ResolverRegistry } from "./registry.ts";
import { isPromiseLike, Semaphore, type SlotLease } from "./scheduler.ts";
import {
  type CallCarry,
  type CallHooks,
  type CallLife,
  type CallScope,
  type CarriedCall,
  Dispatcher,
  earliest,
  FOREVER,
  type InFlightCalls,
  type Lifetime,
  retryLife,
  stoppedWaiting,
  type TraceEvent,
} from "./dispatch.ts";
import {
  allCalls,
  builtFromFresh,
  type CallRecord,
  callsUnder,
  type Invalidated,
  invalidated,
  linkCall,
  linkNode,
  type Links,
  newLinks,
  NOTHING,
} from "./_dependencies.ts";
import { type Change, changeOf, type ChangeSet, type RefreshFailure } from "./change_set.ts";
import type { LivePolicy } from "./registry.ts";
import { abortable, SharedWork } from "./_abortable.ts";
import { bytesToText } from "./_bytes.ts";
import { checkArguments, REFERENCE_PARAMS } from "./_arguments.ts";
import { allOf, attempt, type MP, then } from "./_maybe_promise.ts";
import {
  cloneValue,
  navigateValue,
  type Resolved,
  secretTexts,
  stringify,
  toValue,
  type Value,
} from "./value.ts";
import { hideRefTarget, toHoloconfError, withoutSecrets } from "./_resolver_errors.ts";

export type { Resolved, Value } from "./value.ts";
export type { TraceEvent } from "./dispatch.ts";
import { coerceString, coercionError, type CoercionType } from "./schema/coerce.ts";
import type { ResolvedTree, ValueFailure } from "./schema/_issues.ts";
import { dirname, resolve as resolvePosix } from "./_posix.ts";

/** What the engine needs from an attached schema (SPEC §8). */
export interface SchemaHooks {
  /** The schema default at a path. */
  defaultAt(path: PathSegment[]): { found: boolean; value?: unknown };
  /** Whether null is allowed at a path. */
  allowsNull(path: PathSegment[]): boolean;
  /** The type a resolved string is coerced to at a path, if any. */
  coercionTypeAt(path: PathSegment[]): CoercionType | undefined;
  /** A copy of `value` (found at `path`) with schema defaults filled in. */
  fillDefaults(value: unknown, path: readonly PathSegment[]): unknown;
}

/** Engine settings supplied by the Config. */
export interface EngineOptions {
  /** Per-config resolvers (looked up before the global registry). */
  registry: ResolverRegistry;
  /** Context handed to resolvers; `baseDir` is filled per node. */
  context: Omit<ResolverContext, "baseDir">;
  /** The settings a call of this resolver receives (`call.settings`). */
  settingsFor: (reg: RegisteredResolver) => Readonly<Record<string, unknown>>;
  /** How long this resolver's values live (below a call's `ttl=`). */
  liveFor: (reg: RegisteredResolver) => LivePolicy;
  /** The clock lifetimes are measured on, in ms. */
  now: () => number;
  /**
   * Told when the current tree's earliest expiry moves earlier (a value with a TTL was
   * memoized) or the tree is replaced, with that expiry (`Infinity`: none).
   */
  onExpiry?: ((expiresAt: number) => void) | undefined;
  /** Directory for values without a source file. */
  basePath: string | undefined;
  /** Working directory to make source files absolute. */
  cwd: string;
  /** Trace listener. */
  onTrace?: ((event: TraceEvent) => void) | undefined;
  /** Refuse the resolvers that declare `network` (test mode, `HOLOCONF_OFFLINE`). */
  offline?: boolean | undefined;
}

/** Options of one `resolveAll` batch. */
export interface BatchOptions {
  /** Deadline for the whole batch, ms. */
  timeout?: number | undefined;
  /** Narrows the process-wide limit for this batch. */
  maxConcurrency?: number | undefined;
  /** Caller's abort signal. */
  signal?: AbortSignal | undefined;
}

/** What `refresh` fetches again, and the deadline, limit and signal of its calls. */
export interface RefreshRequest extends BatchOptions {
  /** Every call, expired or not. */
  force: boolean;
  /** Only the calls the values at these paths are built from; undefined: all. */
  paths: readonly string[] | undefined;
}

/** A node being resolved: the vertex of the wait-for graph. */
interface Pending {
  path: string;
  promise: Promise<Resolved> | undefined;
  waitsOn: Set<Pending>;
  /** The longest chain of references below this vertex found so far (see `MAX_DEPTH`). */
  height: number;
  /** What the value (or, for a call's vertex, what it read) is built from, once known. */
  links?: Links<CallResult>;
  /**
   * A node's waiters, when some may give up (see `SharedWork`): its evaluation runs on their
   * shared signal, so it ends only once every request waiting for it gave up.
   */
  shared?: SharedWork | undefined;
}

/** What a resolver call's `call.config` handle works with: its vertex, slot and signal. */
interface CallState {
  /** The call's vertex of the wait-for graph: nested gets wait as part of it. */
  vertex: Pending;
  /** The slot the call holds, lent while a nested get waits. */
  lease: SlotLease | undefined;
  /** The call's signal: a nested get stops waiting (for a slot, too) when the call ends. */
  signal: AbortSignal | undefined;
  /** The generation of the request that made the call: nested gets read the same tree. */
  gen: Generation;
  /** Depth of the node that made the call: a nested get is one reference below it. */
  depth: number;
  /** Whether the call read a sensitive value through its handle: its result is sensitive. */
  sawSecret: boolean;
  /** The call's redaction set: secret inputs, and the secret texts it read through its handle. */
  secrets: string[];
  /** The refresh the call belongs to, if any (nested gets take part in it). */
  live: RefreshScope | undefined;
}

/** What a resolver call gives back to the node that made it. */
interface CallResult extends Resolved {
  /** The value came from `default=` (the resolver reported not found). */
  fromDefault?: boolean;
  /** The resolver read a sensitive value through `call.config`: inherited sensitivity. */
  readSecret?: boolean;
  /** The call, as the values built from it remember it. */
  record?: CallRecord<CallResult> | undefined;
}

/** A refresh or reload in progress: what its calls reuse or fall back on, what failed. */
interface RefreshScope {
  carry: CallCarry<CallResult>;
  /** Values that could not be fetched again (by path). */
  failures: RefreshFailure[];
}

interface RefFlag {
  on: boolean;
  inherited: boolean;
}

/** The `sensitive=` flag of a call or reference without one. */
const NO_FLAG: Readonly<RefFlag & { given: boolean }> = Object.freeze({
  given: false,
  on: false,
  inherited: false,
});

/**
 * One tree and everything resolved from it. `merge()`, `clearCache()` and `setSchema()` start a
 * new generation; a request reads and writes only the generation it started on, so a value
 * computed from an old tree is never memoized (nor joined, nor shared) under a new one, and
 * nodes common to both trees cannot carry an old value over.
 */
interface Generation {
  /** The raw tree. */
  root: MapNode;
  /** Resolved values by node (not by path text: `"a.b"` and `a: {b}` are different values). */
  memo: Map<TreeNode, Resolved>;
  /** Nodes being resolved. */
  pending: Map<TreeNode, Pending>;
  /** Resolver calls in flight, by single-flight key, with their vertex (for joins). */
  calls: InFlightCalls<Pending, CallResult>;
  /** Height of each memoized node that is not a plain scalar (see `MAX_DEPTH`). */
  heights: Map<TreeNode, number>;
  /** What each memoized node built from calls was built from. */
  links: Map<TreeNode, Links<CallResult>>;
  /** The earliest lifetime of the memoized values. */
  life: Lifetime;
}

function newGeneration(root: MapNode): Generation {
  return {
    root,
    memo: new Map(),
    pending: new Map(),
    calls: new Map(),
    heights: new Map(),
    links: new Map(),
    life: FOREVER,
  };
}

/** A request: what it reads, where it is in the graph, and its limits (for its calls). */
interface Ctx extends CallScope {
  /** The generation this request reads: a merge() meanwhile does not mix old and new values. */
  gen: Generation;
  depth: number;
  waiter: Pending | undefined;
  /** For a top-level read: what its value is built from (its lifetime). */
  top?: Links<CallResult> | undefined;
  /** The refresh or reload this request belongs to. */
  live?: RefreshScope | undefined;
}

/**
 * The longest chain of references a value may depend on. One rule for every way a value is
 * reached (lazy `get`, `resolveAll`, exports, nested `call.config` reads), whatever was resolved
 * before: every node that is not a plain scalar has a height, memoized with its value,
 * - a reference (`${x}`, `${ref:x}`, `${.x}`, or a resolver's `call.config.get(x)`) to such a
 *   node adds one to the target's height; a reference to a plain scalar adds nothing;
 * - a mapping or sequence is as high as its highest child; a resolver call as the highest
 *   value it read through `call.config`;
 * and a node higher than `MAX_DEPTH` fails with `MAX_DEPTH_EXCEEDED`. A request also counts the
 * references it has followed from its start (`Ctx.depth`), so it stops before a long chain can
 * exhaust the stack: reaching a node at depth d proves the start is at least d high.
 */
const MAX_DEPTH = 100;

function depthExceeded(path: string): ResolverError {
  return new ResolverError(
    `Maximum interpolation depth (${MAX_DEPTH}) exceeded at path '${path}'. This may ` +
      "indicate deeply nested defaults or a complex reference chain.",
    { code: "MAX_DEPTH_EXCEEDED", path },
  );
}

/** Raises a vertex's height to at least `height`. */
function raise(vertex: Pending | undefined, height: number): void {
  if (vertex && vertex.height < height) vertex.height = height;
}

/** A call of a resolver that declares `network`, on an offline Config. */
function offlineRefusal(
  resolver: string,
  path: string,
  source: SourceLocation | undefined,
): ResolverError {
  return new ResolverError(`Resolver '${resolver}' uses the network, and this Config is offline`, {
    code: "OFFLINE",
    path,
    resolver,
    ...(source ? { source: formatSource(source) } : {}),
    help: "Offline (the offline option, or HOLOCONF_OFFLINE=1) refuses network resolvers; in " +
      `tests give the Config a mock: resolvers: { ${resolver}: (key) => ... }`,
  });
}

/**
 * Thrown by `getSync` when an asynchronous resolver is needed (or a value expired past the
 * time it may still be used).
 *
 * @param path The path read.
 * @returns The error.
 */
export function asyncRequired(path: string): ResolverError {
  return new ResolverError("Asynchronous resolution required", {
    code: "ASYNC_RESOLUTION_REQUIRED",
    path,
    help: "Use `await config.get()` or `await config.resolveAll()`; the call has been " +
      "started and will be reused",
  });
}

/**
 * The engine behind a Config. Not part of the public API.
 */
export class Engine {
  /** Attached schema hooks. */
  schema: SchemaHooks | undefined;
  #options: EngineOptions;
  #gen: Generation;
  #templates = new Map<string, Template>();
  #baseDirs = new Map<string, string>();
  /**
   * `basePath` of values parsed from a string, by source: kept for the values' lifetime, so it
   * survives a merge into another config (see `inheritSourceBases`).
   */
  #sourceBases = new Map<SourceLocation, string>();
  /** Depth errors that prove the node they pass through is too high (not a request's own cut). */
  #tooHigh = new WeakSet<object>();
  #dispatcher: Dispatcher;
  /**
   * What the attached schema's coercion started from, by its result: the coerced value or the
   * coercion error (keyed by result, so that each evaluation finds its own).
   */
  #uncoerced = new WeakMap<object, Resolved>();

  /**
   * @param root The raw tree.
   * @param options Settings.
   */
  constructor(root: MapNode, options: EngineOptions) {
    this.#gen = newGeneration(root);
    this.#options = options;
    this.#dispatcher = new Dispatcher({
      onTrace: options.onTrace,
      onWarning: (message) => options.context.onWarning(message),
      now: options.now,
    });
  }

  /** The raw tree. */
  get root(): MapNode {
    return this.#gen.root;
  }

  /** Replaces the raw tree: a new generation (requests in flight finish on the old one). */
  set root(root: MapNode) {
    this.#swap(newGeneration(root));
  }

  /** Forgets every memoized value (in-flight work finishes on its own generation). */
  clear(): void {
    this.#swap(newGeneration(this.#gen.root));
  }

  /** The earliest lifetime of the values memoized for the current tree. */
  get life(): Lifetime {
    return this.#gen.life;
  }

  /** Makes `gen` the current generation. */
  #swap(gen: Generation): void {
    this.#gen = gen;
    this.#options.onExpiry?.(gen.life.expiresAt);
  }

  /** Memoizes what a node was built from, and its lifetime in its generation. */
  #remember(gen: Generation, node: TreeNode, links: Links<CallResult>): void {
    gen.links.set(node, links);
    const before = gen.life.expiresAt;
    gen.life = earliest(gen.life, links.life);
    if (gen.life.expiresAt < before && gen === this.#gen) {
      this.#options.onExpiry?.(gen.life.expiresAt);
    }
  }

  /**
   * Records `dir` as the directory relative `${file:}` paths of the current tree resolve
   * against, wherever its values are merged later (for a tree parsed from a string with a
   * `basePath`; file-loaded values use their file's directory).
   *
   * @param dir Absolute directory.
   * @param tree The values concerned (default: the whole current tree).
   */
  setSourceBase(dir: string, tree: TreeNode = this.root): void {
    const stack: TreeNode[] = [tree];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.source) this.#sourceBases.set(node.source, dir);
      if (node.kind === "map") { for (const v of node.entries.values()) stack.push(v); }
      else if (node.kind === "seq") { for (const v of node.items) stack.push(v); }
    }
  }

  /**
   * Takes over the source directories another engine recorded (its tree is being merged into
   * this one's).
   *
   * @param other The engine of the config merged in.
   */
  inheritSourceBases(other: Engine): void {
    for (const [source, dir] of other.#sourceBases) this.#sourceBases.set(source, dir);
  }

  // ---------------------------------------------------------------- public entry points

  /**
   * Resolves an access path.
   *
   * @param path Access path (`a.b[0]`).
   * @param mode `sync` for getSync; `nested` for gets from inside a resolver call.
   * @returns The resolved value and its sensitivity.
   */
  getResolved(
    path: string,
    mode: { sync: boolean; nested?: CallState | undefined },
  ): MP<Resolved> {
    const segments = parsePath(path);
    const nested = mode.nested;
    const ctx: Ctx = {
      ...this.#ctx(mode.sync),
      ...(nested ? { gen: nested.gen, depth: nested.depth + 1, live: nested.live } : {}),
      waiter: nested?.vertex,
      nested: nested !== undefined,
      signal: nested?.signal,
    };
    const r = this.#resolveSegments(segments, ctx, "get");
    if (mode.sync && isPromiseLike(r)) {
      r.catch(() => {});
      throw asyncRequired(formatPath(segments));
    }
    return r;
  }

  /**
   * Resolves an access path like `getResolved` (not nested), with the lifetime of the value:
   * the earliest of the calls it was built from.
   *
   * @param path Access path.
   * @param sync For `getSync`: throws `ASYNC_RESOLUTION_REQUIRED` rather than wait.
   * @returns The value and its lifetime.
   */
  read(path: string, sync: boolean): MP<{ resolved: Resolved; life: Lifetime }> {
    const segments = parsePath(path);
    const top = newLinks<CallResult>();
    const ctx: Ctx = { ...this.#ctx(sync), top };
    const r = this.#resolveSegments(segments, ctx, "get");
    if (sync && isPromiseLike(r)) {
      r.catch(() => {});
      throw asyncRequired(formatPath(segments));
    }
    return then(r, (resolved) => ({ resolved, life: top.life }));
  }

  /**
   * Resolves everything in parallel under the limits (SPEC §6).
   *
   * @param options Batch deadline, concurrency and signal.
   * @returns The whole resolved tree, with the schema's defaults.
   * @throws {ResolveAllError} Listing every failed path, after everything else settled.
   */
  async resolveAll(options: BatchOptions): Promise<Resolved> {
    const { ctx, leaves, outcomes } = await this.#settleAll(options);
    const failures: ResolveFailure[] = [];
    outcomes.forEach((o, i) => {
      if (!("error" in o)) return;
      const { path, node } = leaves[i]!;
      const error = toHoloconfError(o.error, path);
      const source = node.source ? formatSource(node.source) : error.source;
      failures.push(source === undefined ? { path, error } : { path, error, source });
    });
    if (failures.length > 0) throw new ResolveAllError(failures);
    const r = await this.#resolveNode("", [], ctx.gen.root, ctx);
    return this.#withSchemaDefaults(r, [], "get");
  }

  /**
   * Starts a batch (deadline, limit, signal) and resolves every interpolated value of the tree
   * in it, all in parallel, until all settled.
   */
  async #settleAll(
    options: BatchOptions,
  ): Promise<{ ctx: Ctx; leaves: Leaf[]; outcomes: LeafOutcome[] }> {
    const ctx = this.#batchCtx(options, this.#gen);
    const leaves: Leaf[] = [];
    collectInterpolated(ctx.gen.root, "", [], leaves);
    return { ctx, leaves, outcomes: await this.#settleLeaves(leaves, ctx) };
  }

  /** The context of a batch on `gen`: its deadline, limit and signal. */
  #batchCtx(options: BatchOptions, gen: Generation): Ctx {
    const signals: AbortSignal[] = [];
    if (options.signal) signals.push(options.signal);
    if (options.timeout !== undefined) {
      if (!(options.timeout > 0)) {
        throw new RangeError(`timeout must be > 0 ms, got ${options.timeout}`);
      }
      signals.push(AbortSignal.timeout(options.timeout));
    }
    let limit: Semaphore | undefined;
    if (options.maxConcurrency !== undefined) limit = new Semaphore(options.maxConcurrency);
    return {
      ...this.#ctx(false),
      gen,
      batchLimit: limit,
      deadline: options.timeout,
      endsAt: options.timeout === undefined ? undefined : Date.now() + options.timeout,
      signal: signals.length === 0
        ? undefined
        : signals.length === 1
        ? signals[0]
        : AbortSignal.any(signals),
    };
  }

  // ---------------------------------------------------------------- refresh and reload

  /**
   * Fetches again the calls that expired (every call with `force`; with `paths`, only those the
   * values there are built from), all in parallel under the usual limits and batching, into a
   * new generation. It keeps every memoized value not built from them, recomputes those that
   * were (references, concatenations, transforms), and is swapped in at once: a request never
   * sees a mix, and requests meanwhile read the old values. A call that fails keeps its earlier
   * result while its lifetime allows (stale-if-error), as does a value that fails to recompute.
   *
   * @param options What to refresh, and the deadline (`timeout`, ms) and `signal` of its calls.
   * @returns What changed and what failed; undefined when nothing was due, or when the tree was
   *   replaced meanwhile (`merge`, `clearCache`...: the refresh is dropped).
   * @throws {RangeError} For a `timeout` that is not > 0.
   */
  async refresh(options: RefreshRequest): Promise<ChangeSet | undefined> {
    const old = this.#gen;
    const now = this.#options.now();
    if (!options.force && old.life.expiresAt > now) return undefined;
    const candidates = options.paths === undefined
      ? allCalls(old.links)
      : callsUnder(options.paths.flatMap((p) => this.#nodesAt(old.root, p)), old.links);
    const due = [...candidates].filter((c) => options.force || c.own.expiresAt <= now);
    if (due.length === 0) return undefined;
    const stale = invalidated(due, old.links);
    const gen = newGeneration(old.root);
    for (const [node, value] of old.memo) {
      if (!stale.nodes.has(node)) this.#carry(old, gen, node, value);
    }
    const leaves: Leaf[] = [];
    collectInterpolated(old.root, "", [], leaves);
    const redo = leaves.filter((l) => stale.nodes.has(l.node) && old.memo.has(l.node));
    const live: RefreshScope = { carry: carryOf(stale, old.links), failures: [] };
    const ctx: Ctx = { ...this.#batchCtx(options, gen), live };
    const outcomes = await this.#settleLeaves(redo, ctx);
    const changes: Change[] = [];
    redo.forEach((leaf, i) => {
      const before = old.memo.get(leaf.node)!;
      const o = outcomes[i]!;
      const at = formatPath(leaf.segs, { quoteKeys: true });
      if ("value" in o) {
        const change = changeOf(at, before, o.value);
        if (change) changes.push(change);
        return;
      }
      live.failures.push({
        path: leaf.path,
        error: withoutSecrets(o.error, leaf.path, secretTexts(before)),
      });
      this.#keepStale(old, gen, leaf.node, before, now);
    });
    if (this.#gen !== old) return undefined;
    // Values memoized on the old tree while this ran, built only from what did not change. Not
    // with `force`: their calls may have been made before it was asked for (they are resolved
    // again when next read).
    const known = new Map<TreeNode, boolean>();
    for (const [node, value] of options.force ? [] : old.memo) {
      if (!gen.memo.has(node) && builtFromFresh(node, old.links, stale, known)) {
        this.#carry(old, gen, node, value);
      }
    }
    this.#swap(gen);
    return { changes, failures: inTreeOrder(live.failures, leaves) };
  }

  /**
   * Replaces the raw tree with `root` (the files loaded again) and recomputes, on the new tree,
   * the values that were known: literals, and every interpolated value resolved before, which
   * reuses the calls that have not expired (nothing is fetched again for an unchanged
   * `${ssm:...}`) unless they read the Config's environment and a variable they read changed
   * (a `.env` file edited). A value that fails keeps its earlier value when its text did not
   * change and its lifetime allows. Swapped in at once, like {@linkcode refresh}.
   *
   * @param root The new raw tree.
   * @returns What changed (literals included) and what failed; undefined when the tree was
   *   replaced meanwhile.
   */
  async reload(root: MapNode): Promise<ChangeSet | undefined> {
    const old = this.#gen;
    const now = this.#options.now();
    const gen = newGeneration(root);
    const reuse = new Map<string, CallResult>();
    const fallback = new Map<string, CarriedCall<CallResult>>();
    const env = this.#options.context.env;
    const sameEnv = (read: ReadonlyMap<string, string | undefined> | undefined) =>
      read === undefined || [...read].every(([name, value]) => env?.(name) === value);
    for (const c of allCalls(old.links)) {
      if (c.result === undefined) continue;
      // A call that read other values may see different ones in the new tree, one that read
      // the environment different variables: called again.
      if (c.reads.length === 0 && c.own.expiresAt > now && sameEnv(c.env)) {
        reuse.set(c.identity(), c.result);
      } else fallback.set(c.identity(), { result: c.result, life: c.own, ttl: c.ttl });
    }
    const before = new Map<string, { node: TreeNode; known: Resolved | undefined }>();
    for (const leaf of collectValues(old.root)) {
      before.set(leaf.at, {
        node: leaf.node,
        known: leaf.interpolated ? old.memo.get(leaf.node) : literalOf(leaf.node),
      });
    }
    const after = collectValues(root);
    const redo = after.filter((l) => l.interpolated && before.get(l.at)?.known !== undefined);
    const live: RefreshScope = { carry: { reuse, fallback }, failures: [] };
    const ctx: Ctx = { ...this.#batchCtx({}, gen), live };
    const outcomes = await this.#settleLeaves(redo, ctx);
    const changes: Change[] = [];
    const outcomeOf = new Map(redo.map((l, i) => [l, outcomes[i]!]));
    for (const leaf of after) {
      const was = before.get(leaf.at);
      if (!leaf.interpolated) {
        const change = changeOf(leaf.at, was?.known, literalOf(leaf.node));
        if (change) changes.push(change);
        continue;
      }
      const o = outcomeOf.get(leaf);
      if (o === undefined) continue; // not known before: resolved when first read
      if ("value" in o) {
        const change = changeOf(leaf.at, was?.known, o.value);
        if (change) changes.push(change);
        continue;
      }
      const known = was!.known!;
      live.failures.push({
        path: leaf.path,
        error: withoutSecrets(o.error, leaf.path, secretTexts(known)),
      });
      const oldNode = was!.node;
      const sameText = oldNode.kind === "scalar" && leaf.node.kind === "scalar" &&
        oldNode.value === leaf.node.value;
      if (sameText) this.#keepStale(old, gen, oldNode, known, now, leaf.node);
    }
    const kept = new Set(after.map((l) => l.at));
    for (const [at, was] of before) {
      if (kept.has(at)) continue;
      const change = changeOf(at, was.known, undefined);
      if (change) changes.push(change);
    }
    if (this.#gen !== old) return undefined;
    this.#swap(gen);
    return { changes, failures: inTreeOrder(live.failures, after) };
  }

  /** The nodes a refresh's `paths` entry names: its node, or the interpolated node it is inside. */
  #nodesAt(root: MapNode, path: string): TreeNode[] {
    let node: TreeNode = root;
    for (const s of parsePath(path)) {
      const next = child(node, s);
      if (!next) return node.kind === "scalar" ? [node] : [];
      node = next;
    }
    return [node];
  }

  /** Keeps a memoized value of `from` in `to` with what it was built from. */
  #carry(from: Generation, to: Generation, node: TreeNode, value: Resolved): void {
    to.memo.set(node, value);
    const height = from.heights.get(node);
    if (height !== undefined) to.heights.set(node, height);
    const links = from.links.get(node);
    if (links) this.#remember(to, node, links);
  }

  /**
   * Stale-if-error for a value that failed to recompute: its earlier value stays in `to` (at
   * `as`, the node in the new tree) while its lifetime allows, tried again like a call that
   * failed (see `retryLife`); else it is dropped, and the error surfaces when it is read.
   */
  #keepStale(
    from: Generation,
    to: Generation,
    node: TreeNode,
    value: Resolved,
    now: number,
    as: TreeNode = node,
  ): void {
    const links = from.links.get(node);
    const life = links?.life ?? FOREVER;
    if (!(now < life.staleUntil)) return;
    let ttl = Infinity;
    for (const c of callsUnder([node], from.links)) ttl = Math.min(ttl, c.ttl);
    const retry = retryLife({ result: undefined, life, ttl }, now);
    to.memo.set(as, value);
    const height = from.heights.get(node);
    if (height !== undefined) to.heights.set(as, height);
    const standIn: CallRecord<CallResult> = {
      identity: () => "",
      result: undefined,
      own: retry,
      ttl,
      reads: [],
      life: retry,
    };
    this.#remember(to, as, { calls: [standIn], nodes: [], life: retry });
  }

  /**
   * Resolves every leaf, all in parallel, and waits until all settled. Memoized and
   * synchronous leaves cost no promise.
   *
   * @returns Per leaf, what it resolved to or what it failed with.
   */
  async #settleLeaves(leaves: Leaf[], ctx: Ctx): Promise<LeafOutcome[]> {
    const outcomes: LeafOutcome[] = new Array(leaves.length);
    const waits: Promise<void>[] = [];
    leaves.forEach(({ path, segs, node }, i) => {
      const memo = ctx.gen.memo.get(node);
      if (memo) {
        outcomes[i] = { value: memo };
        return;
      }
      let r: MP<Resolved>;
      try {
        r = this.#resolveNode(path, segs, node, ctx);
      } catch (error) {
        outcomes[i] = { error };
        return;
      }
      if (isPromiseLike(r)) {
        waits.push(r.then((value) => {
          outcomes[i] = { value };
        }, (error) => {
          outcomes[i] = { error };
        }));
      } else {
        outcomes[i] = { value: r };
      }
    });
    await Promise.all(waits);
    return outcomes;
  }

  /**
   * Resolves the whole tree and builds the export (`redact` replaces sensitive values), with
   * the schema's defaults.
   *
   * @param redact Replace sensitive values by `[REDACTED]`.
   * @returns Plain data.
   */
  async exportResolved(redact: boolean): Promise<Value> {
    const ctx = this.#ctx(false);
    return this.#filled(await this.#exportNode(ctx.gen.root, "", [], redact, ctx), [], this.schema);
  }

  /**
   * Resolves a path like `getResolved` (lazily, schema defaults included), with its sensitive
   * parts replaced by `[REDACTED]` exactly where a redacted export puts them: below a node of
   * the config tree, per node; inside a sensitive resolved value (`${json:...}`, a reference to
   * a mapping), the whole value.
   *
   * @param path Access path.
   * @returns Plain data.
   */
  async getRedacted(path: string): Promise<Value> {
    const ctx = this.#ctx(false);
    const r = await this.getResolved(path, { sync: false });
    if (!r.sensitive) return r.value;
    const segs = parsePath(path);
    let node: TreeNode | undefined = ctx.gen.root;
    for (const s of segs) {
      node = child(node, s);
      if (!node) return REDACTED; // inside a resolved value, sensitive as a whole
    }
    const data = await this.#exportNode(node, path, segs, true, ctx);
    return this.#withSchemaDefaults({ value: data, sensitive: true }, segs, "get").value;
  }

  /**
   * Resolves the whole tree once for validation against `view` (the attached schema or another
   * one): every interpolated value is tried; the values that resolved are coerced by `view`
   * (the attached schema already did, on the same uncoerced values) and the tree is filled
   * with `view`'s defaults. A value that failed is reported once, by itself: not again through
   * the values that reference it.
   *
   * @param view The schema validated against (undefined: none, values as resolved).
   * @param options Batch deadline, concurrency and signal.
   * @returns The tree for the validator (unredacted), the failed values and where the
   *   sensitive values are (so that validation messages keep their keys to themselves).
   */
  async resolveForValidation(
    view: SchemaHooks | undefined,
    options: BatchOptions,
  ): Promise<ResolvedTree> {
    const { ctx, leaves, outcomes } = await this.#settleAll(options);
    const values = new Map<TreeNode, Resolved>();
    const failed: { at: number; failure: ValueFailure }[] = [];
    const failedPaths = new Set<string>();
    const unknown: PathSegment[][] = [];
    const sensitive: PathSegment[][] = [];
    const unresolved: { at: number; error: HoloconfError }[] = [];
    const fail = (leaf: Leaf) => {
      failedPaths.add(leaf.path);
      unknown.push(leaf.segs);
      values.set(leaf.node, FAILED_VALUE);
    };
    leaves.forEach((leaf, at) => {
      const o = outcomes[at]!;
      // The value before the attached schema's coercion: a coercion failure of the value itself
      // still has one; any other failure has none.
      const result = "value" in o ? o.value : o.error;
      const before =
        (typeof result === "object" && result !== null ? this.#uncoerced.get(result) : undefined) ??
          ("value" in o ? o.value : undefined);
      if (before === undefined) {
        fail(leaf);
        unresolved.push({ at, error: toHoloconfError(result, leaf.path) });
        return;
      }
      if (before.sensitive) sensitive.push(leaf.segs);
      // The attached schema's coercion of `before` is the value itself.
      const c = view === this.schema && "value" in o ? o.value : coerceBy(view, leaf.segs, before);
      if ("failed" in c) {
        fail(leaf);
        failed.push({
          at,
          failure: {
            kind: "coercion",
            segs: leaf.segs,
            expected: c.failed,
            value: before.value,
            sensitive: before.sensitive,
          },
        });
      } else if (ctx.gen.memo.get(leaf.node) !== c) {
        values.set(leaf.node, c);
      }
    });
    const reported = new Set<HoloconfError>();
    for (const { at, error } of unresolved) {
      const { path, segs } = leaves[at]!;
      // Reported where it started: by the failed value it names, and once when shared.
      if (reported.has(error)) continue;
      if (error.path !== undefined && error.path !== path && failedPaths.has(error.path)) continue;
      reported.add(error);
      failed.push({ at, failure: { kind: "resolution", segs, error } });
    }
    const failures = failed.sort((a, b) => a.at - b.at).map((f) => f.failure);
    const data = await this.#exportNode(ctx.gen.root, "", [], false, ctx, values);
    return { root: ctx.gen.root, data: this.#filled(data, [], view), failures, unknown, sensitive };
  }

  /**
   * The raw node at a path (no resolution).
   *
   * @param path Access path.
   * @returns The node, or undefined.
   */
  rawNode(path: string): TreeNode | undefined {
    const segs = parsePath(path);
    let node: TreeNode | undefined = this.root;
    for (const s of segs) {
      node = child(node, s);
      if (!node) return undefined;
    }
    return node;
  }

  /**
   * The raw value at a path (nothing resolved, placeholders kept) with the attached schema's
   * defaults, by the rule `get` follows: a path missing from the tree, or a null where the
   * schema does not allow null, gives the schema default; a mapping gets its missing children's
   * defaults.
   *
   * @param path Access path.
   * @param options `redact` replaces the values given sensitive (overrides) by `[REDACTED]`.
   * @returns Plain raw data (a copy).
   * @throws {PathNotFoundError} When the path is not in the raw tree and has no default.
   */
  rawValue(path: string, options: { redact?: boolean } = {}): Value {
    const segs = parsePath(path);
    const node = this.rawNode(path);
    if (!node) return this.#missing(segs, "get").value;
    const raw: Resolved = { value: rawPlain(node, options.redact ?? false), sensitive: false };
    return this.#withSchemaDefaults(raw, segs, "get").value;
  }

  /**
   * The whole raw tree as plain data (nothing resolved, no schema defaults).
   *
   * @param options `redact` replaces the values given sensitive (overrides) by `[REDACTED]`.
   * @returns Plain raw data (a copy).
   */
  rawExport(options: { redact?: boolean } = {}): Value {
    return rawPlain(this.root, options.redact ?? false);
  }

  /**
   * Whether a path's value is available without resolving anything.
   *
   * @param path Access path.
   * @returns True when memoized or literal.
   */
  isResolved(path: string): boolean {
    const node = this.rawNode(path);
    if (!node) return false;
    return isLiteralTree(node, this.#gen.memo);
  }

  // ---------------------------------------------------------------- navigation

  /** A request's context: the tree it starts on (kept even if `merge()` swaps it), no limits. */
  #ctx(sync: boolean): Ctx {
    return {
      gen: this.#gen,
      sync,
      depth: 0,
      waiter: undefined,
      nested: false,
      batchLimit: undefined,
      signal: undefined,
    };
  }

  /** Resolves a path given as segments: raw tree first, then inside resolved values. */
  #resolveSegments(segs: PathSegment[], ctx: Ctx, purpose: "get" | "ref"): MP<Resolved> {
    let node: TreeNode = ctx.gen.root;
    let i = 0;
    for (; i < segs.length; i++) {
      const next = child(node, segs[i]!);
      if (next) {
        node = next;
        continue;
      }
      if (
        node.kind === "scalar" && typeof node.value === "string" && needsInterpolation(node.value)
      ) {
        // navigate inside the value this node resolves to
        const nodePath = formatPath(segs.slice(0, i));
        const rest = segs.slice(i);
        return then(this.#resolveNode(nodePath, segs.slice(0, i), node, ctx), (r) => {
          this.#linked(ctx, node);
          const inner = navigateValue(r.value, rest);
          if (inner === undefined) return this.#missing(segs, purpose);
          const found: Resolved = r.secrets
            ? { value: inner, sensitive: r.sensitive, secrets: r.secrets }
            : { value: inner, sensitive: r.sensitive };
          return this.#withSchemaDefaults(found, segs, purpose);
        });
      }
      return this.#missing(segs, purpose);
    }
    const path = formatPath(segs);
    return then(this.#resolveNode(path, segs, node, ctx), (r) => {
      this.#linked(ctx, node);
      return this.#withSchemaDefaults(r, segs, purpose);
    });
  }

  /** A reference from the request's current vertex to `node` (just resolved): one more link. */
  #linked(ctx: Ctx, node: TreeNode): void {
    const height = ctx.gen.heights.get(node);
    if (height !== undefined) raise(ctx.waiter, height + 1);
    this.#builtFrom(ctx, node);
  }

  /** The value the request is building (its vertex's, or a top-level read's) used `node`. */
  #builtFrom(ctx: Ctx, node: TreeNode): void {
    if (!ctx.gen.links.has(node)) return;
    const into = ctx.waiter ? (ctx.waiter.links ??= newLinks()) : ctx.top;
    if (into) linkNode(into, node, ctx.gen.links);
  }

  /** Schema defaults for what a path resolved to: a disallowed null, missing children. */
  #withSchemaDefaults(r: Resolved, segs: PathSegment[], purpose: "get" | "ref"): Resolved {
    const schema = this.schema;
    if (!schema) return r;
    if (r.value === null && purpose === "get" && !schema.allowsNull(segs)) {
      const d = schema.defaultAt(segs);
      if (d.found) return { value: toValue(d.value), sensitive: false };
    }
    if (r.value !== null && typeof r.value === "object" && !(r.value instanceof Uint8Array)) {
      // A mapping or sequence comes back with its missing children's defaults.
      return { ...r, value: this.#filled(r.value, segs, schema) };
    }
    return r;
  }

  /**
   * The one place schema defaults are filled in (SPEC §8): a copy of `value` (found at `segs`)
   * with `schema`'s defaults for its missing children and disallowed nulls.
   */
  #filled(value: Value, segs: PathSegment[], schema: SchemaHooks | undefined): Value {
    return schema ? toValue(schema.fillDefaults(value, segs)) : value;
  }

  #missing(segs: PathSegment[], purpose: "get" | "ref"): Resolved {
    // A reference applies default= before the schema default: it handles both itself.
    const d = purpose === "get" ? this.schema?.defaultAt(segs) : undefined;
    if (d?.found) return { value: toValue(d.value), sensitive: false };
    throw new PathNotFoundError("Path not found", { path: formatPath(segs) });
  }

  // ---------------------------------------------------------------- nodes, memo, single-flight

  #resolveNode(path: string, segs: PathSegment[], node: TreeNode, ctx: Ctx): MP<Resolved> {
    if (node.kind === "scalar") {
      if (isMandatory(node)) throw missingMandatory(path, node.source);
      if (typeof node.value !== "string" || !needsInterpolation(node.value)) {
        return { value: node.value, sensitive: node.sensitive === true };
      }
    }
    const { memo, pending: inProgress } = ctx.gen;
    const memoized = memo.get(node);
    if (memoized) return memoized;
    const pending = inProgress.get(node);
    // A node every waiter gave up is ending: this request evaluates it again.
    if (pending && !pending.shared?.signal.aborted) {
      return waitFor(pending, ctx, pending.promise, pending.shared);
    }
    // Too high is a fact about a node in its generation (its links' heights are memoized):
    // remembered, so a long chain is not walked again for each value above it.
    if ((ctx.gen.heights.get(node) ?? 0) > MAX_DEPTH) throw this.#tooHighAt(path);
    if (ctx.depth > MAX_DEPTH) throw depthExceeded(path);
    // Other requests may join this evaluation: a deadline or abort ends it only once every one
    // of them gave up, so it runs on their shared signal (batched with its request's calls).
    const signal = ctx.signal;
    const shared = signal !== undefined && !signal.aborted ? new SharedWork() : undefined;
    const rec: Pending = { path, promise: undefined, waitsOn: new Set(), height: 0, shared };
    inProgress.set(node, rec);
    ctx.waiter?.waitsOn.add(rec);
    const inner: Ctx = shared
      ? { ...ctx, waiter: rec, signal: shared.signal, requestSignal: ctx.requestSignal ?? signal }
      : { ...ctx, waiter: rec };
    let r: MP<Resolved>;
    try {
      r = this.#evaluateNode(path, segs, node, inner);
    } catch (e) {
      return this.#nodeFailed(node, rec, ctx, e);
    }
    if (!isPromiseLike(r)) return this.#nodeResolved(node, rec, ctx, r);
    rec.promise = r.then(
      (v) => this.#nodeResolved(node, rec, ctx, v),
      (e) => this.#nodeFailed(node, rec, ctx, e),
    );
    return shared
      ? shared.wait(rec.promise, signal, (reason) => stoppedWaiting(path, reason, ctx.deadline))
      : rec.promise;
  }

  /** The evaluation of `node` (its vertex `rec`, started by `ctx`) is over. */
  #nodeDone(node: TreeNode, rec: Pending, ctx: Ctx): void {
    const inProgress = ctx.gen.pending;
    if (inProgress.get(node) === rec) inProgress.delete(node);
    ctx.waiter?.waitsOn.delete(rec);
    rec.shared?.dispose();
  }

  /** `node` evaluated to `v`: memoized with its height and links, unless it is too high. */
  #nodeResolved(node: TreeNode, rec: Pending, ctx: Ctx, v: Resolved): Resolved {
    this.#nodeDone(node, rec, ctx);
    if (rec.height > MAX_DEPTH) {
      ctx.gen.heights.set(node, rec.height);
      throw this.#tooHighAt(rec.path);
    }
    ctx.gen.heights.set(node, rec.height);
    if (rec.links) this.#remember(ctx.gen, node, rec.links);
    ctx.gen.memo.set(node, v);
    return v;
  }

  /** The evaluation of `node` failed with `e`. */
  #nodeFailed(node: TreeNode, rec: Pending, ctx: Ctx, e: unknown): never {
    this.#nodeDone(node, rec, ctx);
    // Depending on a node that is too high makes this one too high as well.
    if (this.#tooHigh.has(e as object)) ctx.gen.heights.set(node, Infinity);
    throw e;
  }

  /** A depth error that proves the node at `path` is too high. */
  #tooHighAt(path: string): ResolverError {
    const e = depthExceeded(path);
    this.#tooHigh.add(e);
    return e;
  }

  #evaluateNode(path: string, segs: PathSegment[], node: TreeNode, ctx: Ctx): MP<Resolved> {
    switch (node.kind) {
      case "scalar": {
        const text = node.value as string;
        const template = this.#parse(text, path, node.source);
        return then(
          this.#evaluateParts(template, path, node.source, ctx),
          // A value given sensitive (an override) is sensitive whatever it resolves to.
          (r) =>
            this.#coerce(
              path,
              segs,
              node.sensitive && !r.sensitive ? { ...r, sensitive: true } : r,
            ),
        );
      }
      case "map": {
        const entries = [...node.entries];
        const parts = allOf(
          entries,
          ([k, v]) => this.#resolveNode(path === "" ? k : `${path}.${k}`, [...segs, k], v, ctx),
        );
        return then(parts, (rs) => {
          const out: { [key: string]: Value } = {};
          rs.forEach((r, i) => defineOwn(out, entries[i]![0], r.value));
          this.#contains(ctx, entries.map((e) => e[1]));
          return withPieces(out, rs);
        });
      }
      case "seq": {
        const parts = allOf(
          node.items,
          (v, i) => this.#resolveNode(`${path}[${i}]`, [...segs, i], v, ctx),
        );
        return then(parts, (rs) => {
          this.#contains(ctx, node.items);
          return withPieces(rs.map((r) => r.value), rs);
        });
      }
    }
  }

  /**
   * A mapping or sequence (the request's current vertex) is as high as its highest child, and
   * built from what they were built from.
   */
  #contains(ctx: Ctx, children: TreeNode[]): void {
    const heights = ctx.gen.heights;
    for (const c of children) {
      raise(ctx.waiter, heights.get(c) ?? 0);
      this.#builtFrom(ctx, c);
    }
  }

  #parse(text: string, path: string, source: SourceLocation | undefined): Template {
    let t = this.#templates.get(text);
    if (t) return t;
    try {
      t = parseTemplate(text);
    } catch (e) {
      if (e instanceof HoloconfError) {
        e.withContext({ path, ...(source ? { source: formatSource(source) } : {}) });
      }
      throw e;
    }
    this.#templates.set(text, t);
    return t;
  }

  /** The attached schema's coercion of a scalar's value; what it did is kept for validation. */
  #coerce(path: string, segs: PathSegment[], r: Resolved): Resolved {
    const c = coerceBy(this.schema, segs, r);
    if (c === r) return r;
    if ("failed" in c) {
      const err = coercionError(path, c.failed, r);
      this.#uncoerced.set(err, r);
      throw err;
    }
    this.#uncoerced.set(c, r);
    return c;
  }

  // ---------------------------------------------------------------- templates and calls

  /**
   * A template or an argument value: exactly one interpolation keeps its type, anything else is
   * a concatenation.
   */
  #evaluateParts(
    t: { parts: Part[] },
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<Resolved> {
    if (isWholeInterpolation(t)) {
      return this.#evaluateInterp(t.parts[0] as Interpolation, path, source, ctx);
    }
    // Plain text (most arguments): what the concatenation of one text would give.
    const only = t.parts.length === 1 ? t.parts[0] : undefined;
    if (only?.kind === "text") return { value: only.text, sensitive: false };
    return this.#concat(t.parts, path, source, ctx);
  }

  #concat(parts: Part[], path: string, source: SourceLocation | undefined, ctx: Ctx): MP<Resolved> {
    const pieces = allOf(
      parts,
      (p): MP<Resolved> =>
        p.kind === "text"
          ? { value: p.text, sensitive: false }
          : this.#evaluateInterp(p, path, source, ctx),
    );
    return then(pieces, (rs) => {
      let s = "";
      let sensitive = false;
      let secrets: string[] | undefined;
      for (const r of rs) {
        const text = stringify(r.value);
        s += text;
        if (r.sensitive) {
          sensitive = true;
          (secrets ??= []).push(text, ...(r.secrets ?? []));
        }
      }
      return secrets ? { value: s, sensitive, secrets } : { value: s, sensitive };
    });
  }

  #evaluateInterp(
    interp: Interpolation,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<Resolved> {
    const body = interp.body;
    if (body.type === "relref") {
      const target = resolveRelativePath(path, body.levels, body.path);
      const segs = parsePath(target);
      return attempt(
        () => this.#resolveSegments(segs, { ...ctx, depth: ctx.depth + 1 }, "ref"),
        (e) => {
          if (e instanceof PathNotFoundError) {
            throw new ResolverError(`Referenced path not found: ${target}`, {
              code: "REF_NOT_FOUND",
              path,
              resolver: "ref",
              ...(source ? { source: formatSource(source) } : {}),
              help: `Check that '${target}' exists in the configuration`,
            });
          }
          throw e;
        },
      );
    }
    if (body.resolver === "ref") return this.#evaluateRef(body, path, source, ctx);
    return this.#evaluateCall(body, path, source, ctx);
  }

  #kwargs(call: Call): {
    sensitive: ArgValue | undefined;
    deflt: ArgValue | undefined;
    ttl: ArgValue | undefined;
    rest: Call["kwargs"];
  } {
    let sensitive: ArgValue | undefined;
    let deflt: ArgValue | undefined;
    let ttl: ArgValue | undefined;
    const rest: Call["kwargs"] = [];
    for (const k of call.kwargs) {
      if (k.name === "sensitive") sensitive = k.value;
      else if (k.name === "default") deflt = k.value;
      else if (k.name === "ttl") ttl = k.value;
      else rest.push(k);
    }
    return { sensitive, deflt, ttl, rest };
  }

  /** A call's `ttl=` (seconds) in ms; undefined when absent or blank. */
  #ttlArg(
    v: ArgValue | undefined,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<number | undefined> {
    if (!v) return undefined;
    return then(this.#evaluateParts(v, path, source, ctx), (r) => {
      const text = stringify(r.value).trim();
      if (text === "") return undefined;
      const seconds = coerceString(text, "number");
      if (!seconds.ok || !((seconds.value as number) > 0)) {
        // The value is not shown: it may come from a secret.
        throw new ParseError("Invalid value for keyword 'ttl'", {
          code: "INVALID_KEYWORD_VALUE",
          path,
          ...(source ? { source: formatSource(source) } : {}),
          help: "ttl= takes a positive number of seconds, e.g. ttl=300",
        });
      }
      return (seconds.value as number) * 1000;
    });
  }

  #sensitiveFlag(
    v: ArgValue | undefined,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<{ given: boolean; on: boolean; inherited: boolean }> {
    if (!v) return NO_FLAG;
    return then(this.#evaluateParts(v, path, source, ctx), (r) => {
      // `true`/`false` in any case; blank counts as absent; anything else (`yes`) is an error,
      // never a silent "not sensitive". The value is not shown: it may come from a secret.
      const text = stringify(r.value).trim();
      if (text === "") return { given: false, on: false, inherited: r.sensitive };
      const flag = coerceString(text, "boolean");
      if (!flag.ok) {
        throw new ParseError("Invalid value for keyword 'sensitive'", {
          code: "INVALID_KEYWORD_VALUE",
          path,
          ...(source ? { source: formatSource(source) } : {}),
          help: "sensitive= takes true or false, e.g. sensitive=true",
        });
      }
      return { given: true, on: flag.value === true, inherited: r.sensitive };
    });
  }

  #evaluateDefault(
    v: ArgValue,
    sensitiveOn: boolean,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<Resolved> {
    return then(this.#evaluateParts(v, path, source, ctx), (r) => ({
      value: stringify(r.value),
      sensitive: r.sensitive || sensitiveOn,
    }));
  }

  #evaluateRef(
    call: Call,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<Resolved> {
    checkArguments(call, REFERENCE_PARAMS, { path, source, kind: "reference" });
    const { sensitive, deflt } = this.#kwargs(call);
    const first = call.args[0];
    if (!first) {
      throw new ParseError("ref resolver requires a path argument", {
        path,
        ...(source ? { source: formatSource(source) } : {}),
      });
    }
    const inputs = allOf<() => MP<unknown>, unknown>([
      () => this.#evaluateParts(first, path, source, ctx),
      () => this.#sensitiveFlag(sensitive, path, source, ctx),
    ], (f) => f());
    return then(
      inputs,
      ([target, flag]) => {
        const t = target as Resolved;
        if (!t.sensitive) return this.#refTo(t, flag as RefFlag, deflt, path, source, ctx);
        // The target path itself came from a secret: keep it out of every message and field.
        return attempt(
          () => this.#refTo(t, flag as RefFlag, deflt, path, source, ctx),
          (e) => {
            throw hideRefTarget(e, {
              path,
              source: source ? formatSource(source) : undefined,
              target: stringify(t.value),
              secrets: t.secrets ?? [],
            });
          },
        );
      },
    );
  }

  #refTo(
    target: Resolved,
    f: RefFlag,
    deflt: ArgValue | undefined,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<Resolved> {
    const targetPath = stringify(target.value).trim();
    let segs: PathSegment[];
    try {
      segs = parsePath(targetPath);
    } catch (e) {
      // Its headline quotes a piece of the path: no piece of a secret one.
      if (!target.sensitive || !(e instanceof ParseError)) throw e;
      throw new ParseError(`Invalid reference path: ${REDACTED}`, {
        path,
        ...(source ? { source: formatSource(source) } : {}),
        ...(e.help ? { help: e.help } : {}),
      });
    }
    const present = this.#rawPresent(ctx.gen.root, segs);
    const useFallback = (): MP<Resolved> => {
      if (deflt) return this.#evaluateDefault(deflt, f.on, path, source, ctx);
      const d = this.schema?.defaultAt(segs);
      if (d?.found) return { value: toValue(d.value), sensitive: f.on };
      throw new PathNotFoundError("Path not found", {
        path: formatPath(segs),
        ...(source ? { source: formatSource(source) } : {}),
        detail: `Referenced from: ${path}`,
      });
    };
    // Precedence for a missing or null target: default=, then the schema default, then an error.
    if (!present) return useFallback();
    const wanted = formatPath(segs);
    const resolved = attempt(
      () => this.#resolveSegments(segs, { ...ctx, depth: ctx.depth + 1 }, "ref"),
      (e) => {
        // Missing inside a value produced by a resolver (`${data.b,default=5}`).
        if (e instanceof PathNotFoundError && e.path === wanted) return useFallback();
        throw e;
      },
    );
    return then(resolved, (r): Resolved => {
      const sensitive = r.sensitive || f.on || f.inherited || target.sensitive;
      return r.secrets
        ? { value: r.value, sensitive, secrets: r.secrets }
        : { value: r.value, sensitive };
    });
  }

  /** Whether a raw path is a null literal, missing, or something else. */
  /** Whether a reference target has a value: not missing, not null (an interpolated parent may
   * produce it). */
  #rawPresent(root: MapNode, segs: PathSegment[]): boolean {
    let node: TreeNode | undefined = root;
    for (const s of segs) {
      const next: TreeNode | undefined = child(node!, s);
      if (!next) {
        return node!.kind === "scalar" && typeof node!.value === "string" &&
          needsInterpolation(node!.value);
      }
      node = next;
    }
    return !(node!.kind === "scalar" && node!.value === null);
  }

  #evaluateCall(
    call: Call,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<Resolved> {
    const name = call.resolver;
    const own = this.#options.registry;
    // Offline, a network resolver registered lazily is refused without loading it.
    if (this.#options.offline) {
      const traits = own.declared(name) ?? globalRegistry().declared(name);
      if (traits?.network) throw offlineRefusal(name, path, source);
    }
    // A built-in registered lazily is a promise until its module has loaded.
    const found = own.lookup(name) ?? globalRegistry().lookup(name);
    if (!found) {
      throw new ResolverError(`Unknown resolver: ${name}`, {
        code: "UNKNOWN_RESOLVER",
        path,
        resolver: name,
        ...(source ? { source: formatSource(source) } : {}),
        help: `Register the '${name}' resolver or check for typos`,
      });
    }
    if (!isPromiseLike(found)) return this.#evaluateRegisteredCall(found, call, path, source, ctx);
    return found.then(
      (reg) => this.#evaluateRegisteredCall(reg, call, path, source, ctx),
      (e: unknown) => {
        // The load failed: a fresh error for this caller, placed like UNKNOWN_RESOLVER.
        if (e instanceof HoloconfError) {
          e.withContext({ path, ...(source ? { source: formatSource(source) } : {}) });
        }
        throw e;
      },
    );
  }

  #evaluateRegisteredCall(
    reg: RegisteredResolver,
    call: Call,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<Resolved> {
    if (reg.params) checkArguments(call, reg.params, { path, source, kind: "call" });
    if (reg.network && this.#options.offline) throw offlineRefusal(reg.name, path, source);
    const { sensitive, deflt, ttl, rest } = this.#kwargs(call);
    // Every argument, keyword value, the sensitive flag and the ttl, in one batch (order matters
    // below).
    const values = call.args.length + rest.length;
    const inputs: (ArgValue | undefined)[] = [...call.args];
    for (const k of rest) inputs.push(k.value);
    inputs.push(sensitive, ttl);
    return then(
      allOf(
        inputs,
        (v, i): MP<unknown> =>
          i < values
            ? this.#evaluateParts(v!, path, source, ctx)
            : i === values
            ? this.#sensitiveFlag(v, path, source, ctx)
            : this.#ttlArg(v, path, source, ctx),
      ),
      (results) => {
        const flag = results[values] as RefFlag & { given: boolean };
        const ttlMs = results[values + 1] as number | undefined;
        const policy = this.#options.liveFor(reg);
        const live = ttlMs === undefined ? policy : { ...policy, ttl: ttlMs };
        const secrets: string[] = [];
        let sensitiveInput = flag.inherited;
        const nArgs = call.args.length;
        const argValues = new Array<string | Uint8Array>(nArgs);
        for (let i = 0; i < nArgs; i++) {
          const r = results[i] as Resolved;
          const v = r.value instanceof Uint8Array ? r.value : stringify(r.value);
          if (r.sensitive) {
            sensitiveInput = true;
            secrets.push(typeof v === "string" ? v : bytesToText(v), ...(r.secrets ?? []));
          }
          argValues[i] = v;
        }
        const kwargsAll: [string, string][] = [];
        for (let i = 0; i < rest.length; i++) {
          const r = results[nArgs + i] as Resolved;
          const text = stringify(r.value);
          if (r.sensitive) {
            sensitiveInput = true;
            secrets.push(text, ...(r.secrets ?? []));
          }
          kwargsAll.push([rest[i]!.name, text]);
        }
        let result: MP<CallResult>;
        try {
          const r = this.#invoke(reg, argValues, kwargsAll, {
            path,
            source,
            ctx,
            sensitiveInput,
            secrets,
            live,
          });
          result = isPromiseLike(r)
            ? r.catch((e) => this.#callFailed(e, deflt, flag.on, path, source, ctx))
            : r;
        } catch (e) {
          result = this.#callFailed(e, deflt, flag.on, path, source, ctx);
        }
        return isPromiseLike(result)
          ? result.then((r) => callOutcome(r, sensitiveInput, flag, reg))
          : callOutcome(result, sensitiveInput, flag, reg);
      },
    );
  }

  /** A call failed: its `default=` applies when the resolver reported not found. */
  #callFailed(
    e: unknown,
    deflt: ArgValue | undefined,
    sensitiveOn: boolean,
    path: string,
    source: SourceLocation | undefined,
    ctx: Ctx,
  ): MP<CallResult> {
    if (e instanceof NotFoundError && deflt) {
      return then(
        this.#evaluateDefault(deflt, sensitiveOn, path, source, ctx),
        (d): CallResult => ({ ...d, fromDefault: true }),
      );
    }
    throw e;
  }

  #contexts = new Map<string | undefined, ResolverContext>();

  /** The resolver context for values defined in `source`'s file (cached per directory). */
  #contextFor(source: SourceLocation | undefined): ResolverContext {
    const baseDir = this.#baseDir(source);
    let c = this.#contexts.get(baseDir);
    if (!c) {
      c = Object.freeze({ ...this.#options.context, baseDir });
      this.#contexts.set(baseDir, c);
    }
    return c;
  }

  /**
   * The `call.config` handle: gets from inside a resolver wait as part of its node (cycles are
   * seen) and lend the caller's slot while they wait (no deadlock on the limit).
   */
  #handleFor(state: CallState): ConfigHandle {
    // What the resolver reads taints what it returns: a secret read is an input of the call.
    const read = (r: Resolved): Value => {
      if (r.sensitive) {
        state.sawSecret = true;
        state.secrets.push(...secretTexts(r));
      }
      return cloneValue(r.value);
    };
    const get = (p: string) =>
      Promise.resolve(this.getResolved(p, { sync: false, nested: state })).then(read);
    return {
      get: (p) => state.lease ? state.lease.lend(() => get(p)) : get(p),
      getSync: (p) => read(this.getResolved(p, { sync: true, nested: state }) as Resolved),
    };
  }

  #baseDir(source: SourceLocation | undefined): string | undefined {
    const own = source ? this.#sourceBases.get(source) : undefined;
    if (own !== undefined) return own;
    const file = source?.file;
    if (file === undefined || file === "<string>" || file === "<json>" || file === "<object>") {
      return this.#options.basePath;
    }
    let d = this.#baseDirs.get(file);
    if (d === undefined) {
      d = dirname(resolvePosix(this.#options.cwd, file));
      this.#baseDirs.set(file, d);
    }
    return d;
  }

  /**
   * Hands a resolver call to the dispatcher. The call is a vertex of the wait-for graph of its
   * own: the node that starts it and every node that joins it wait on it, and it waits on what
   * the resolver reads back through `call.config` (so a joiner never appears to wait on the
   * starter's other work).
   */
  #invoke(
    reg: RegisteredResolver,
    args: (string | Uint8Array)[],
    kwargsAll: [string, string][],
    info: {
      path: string;
      source: SourceLocation | undefined;
      ctx: Ctx;
      sensitiveInput: boolean;
      secrets: string[];
      live: LivePolicy;
    },
  ): MP<CallResult> {
    const { path, source, ctx } = info;
    const kwargs: Record<string, string> = Object.create(null);
    for (const [k, v] of kwargsAll) kwargs[k] = v;
    const made = new EngineCall(path, ctx, info.secrets);
    const context = this.#contextFor(source);
    const env = context.env;
    const callContext = env === undefined
      ? context
      : Object.freeze({ ...context, env: made.envReader(env) });
    const settingsFor = this.#options.settingsFor;
    return this.#dispatcher.dispatch<Pending, CallResult>({
      resolver: reg,
      call: {
        args,
        kwargs,
        kwargsAll,
        path,
        config: this.#handleFor(made),
        resolver: reg.name,
        source,
        sensitiveInput: info.sensitiveInput,
        context: callContext,
        // Read when the resolver reads it: a settings error then fails the call like any other.
        settingsOf: () => settingsFor(reg),
      },
      scope: ctx,
      inFlight: ctx.gen.calls,
      owner: made.vertex,
      secrets: info.secrets,
      live: info.live,
      carry: ctx.live?.carry,
      hooks: made,
    });
  }

  // ---------------------------------------------------------------- export

  #exportNode(
    node: TreeNode,
    path: string,
    segs: PathSegment[],
    redact: boolean,
    ctx: Ctx,
    replaced?: Map<TreeNode, Resolved>,
  ): MP<Value> {
    switch (node.kind) {
      case "scalar": {
        if (
          (typeof node.value !== "string" || !needsInterpolation(node.value)) && !isMandatory(node)
        ) return redact && node.sensitive ? REDACTED : node.value;
        // Memoized after resolveAll(); otherwise resolved here, siblings in parallel (a ???
        // fails there, or has its failure from `replaced`).
        const r = replaced?.get(node) ?? ctx.gen.memo.get(node) ??
          this.#resolveNode(path, segs, node, ctx);
        return then(r, (v) => (redact && v.sensitive ? REDACTED : cloneValue(v.value)));
      }
      case "map": {
        const entries = [...node.entries];
        return then(
          allOf(
            entries,
            ([k, v]) =>
              this.#exportNode(
                v,
                path === "" ? k : `${path}.${k}`,
                [...segs, k],
                redact,
                ctx,
                replaced,
              ),
          ),
          (values) => {
            const out: { [key: string]: Value } = {};
            values.forEach((v, i) => defineOwn(out, entries[i]![0], v));
            return out;
          },
        );
      }
      case "seq":
        return allOf(
          node.items,
          (v, i) => this.#exportNode(v, `${path}[${i}]`, [...segs, i], redact, ctx, replaced),
        );
    }
  }
}

/**
 * Schema coercion of one resolved value (ADR-012, SPEC §8), the only one: `r` itself when no
 * coercion applies, the coerced value, or the type it could not be coerced to.
 */
function coerceBy(
  schema: SchemaHooks | undefined,
  segs: PathSegment[],
  r: Resolved,
): Resolved | { failed: CoercionType } {
  if (!schema || typeof r.value !== "string") return r;
  const type = schema.coercionTypeAt(segs);
  if (!type) return r;
  const c = coerceString(r.value, type);
  return c.ok ? { value: c.value, sensitive: r.sensitive } : { failed: type };
}

/** What a call's node gets from its result (or from its `default=`), with its sensitivity. */
function callOutcome(
  r: CallResult,
  sensitiveInput: boolean,
  flag: { given: boolean; on: boolean },
  reg: RegisteredResolver,
): Resolved {
  if (r.fromDefault) return { value: r.value, sensitive: r.sensitive };
  // Inherited sensitivity (secret arguments, secrets read through call.config) and a resolver
  // registered as sensitive as a whole stay whatever sensitive= says.
  const inherited = sensitiveInput || r.readSecret === true || reg.sensitive;
  const sensitiveOut = flag.given ? flag.on || inherited : r.sensitive || inherited;
  return r.secrets
    ? { value: r.value, sensitive: sensitiveOut, secrets: r.secrets }
    : { value: r.value, sensitive: sensitiveOut };
}

/** A value that failed, in the tree handed to the validator (which does not check it). */
const FAILED_VALUE: Resolved = Object.freeze({ value: null, sensitive: false });

/** How one interpolated value of a batch settled. */
type LeafOutcome = { value: Resolved } | { error: unknown };

function child(node: TreeNode, seg: PathSegment): TreeNode | undefined {
  if (node.kind === "map") return typeof seg === "string" ? node.entries.get(seg) : undefined;
  if (node.kind === "seq") return typeof seg === "number" ? node.items[seg] : undefined;
  return undefined;
}

function isLiteralTree(node: TreeNode, memo: Map<TreeNode, Resolved>): boolean {
  if (memo.has(node)) return true;
  switch (node.kind) {
    case "scalar":
      return typeof node.value !== "string" ||
        (!needsInterpolation(node.value) && !isMandatory(node));
    case "map":
      for (const v of node.entries.values()) if (!isLiteralTree(v, memo)) return false;
      return true;
    case "seq":
      return node.items.every((v) => isLiteralTree(v, memo));
  }
}

/** An interpolated string (or a ??? to report) of the raw tree with its position. */
interface Leaf {
  path: string;
  segs: PathSegment[];
  node: TreeNode;
}

function collectInterpolated(node: TreeNode, path: string, segs: PathSegment[], out: Leaf[]): void {
  switch (node.kind) {
    case "scalar":
      if (typeof node.value === "string" && (needsInterpolation(node.value) || isMandatory(node))) {
        out.push({ path, segs, node });
      }
      return;
    case "map":
      for (const [k, v] of node.entries) {
        collectInterpolated(v, path === "" ? k : `${path}.${k}`, [...segs, k], out);
      }
      return;
    case "seq":
      node.items.forEach((v, i) => collectInterpolated(v, `${path}[${i}]`, [...segs, i], out));
      return;
  }
}

function findPath(from: Pending, to: Pending): Pending[] | undefined {
  // Iterative DFS over waitsOn edges; returns the vertices from `from` to `to`.
  const parent = new Map<Pending, Pending | null>([[from, null]]);
  const stack: Pending[] = [from];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (cur === to) {
      const chain: Pending[] = [];
      for (let p: Pending | null | undefined = cur; p; p = parent.get(p)) chain.push(p);
      return chain.reverse();
    }
    for (const next of cur.waitsOn) {
      if (!parent.has(next)) {
        parent.set(next, cur);
        stack.push(next);
      }
    }
  }
  return undefined;
}

/**
 * A mapping or sequence built from resolved pieces: sensitive when any piece is, with the
 * texts of its sensitive pieces (so a reader of the whole can keep them out of messages).
 */
function withPieces(value: Value, pieces: Resolved[]): Resolved {
  let secrets: string[] | undefined;
  for (const r of pieces) if (r.sensitive) (secrets ??= []).push(...secretTexts(r));
  return secrets ? { value, sensitive: true, secrets } : { value, sensitive: false };
}

/**
 * What a refresh's calls reuse (results of the stale values' calls that did not expire) and
 * fall back on (the results of the calls it makes again).
 */
function carryOf(
  stale: Invalidated<CallResult>,
  table: ReadonlyMap<TreeNode, Links<CallResult>>,
): CallCarry<CallResult> {
  const reuse = new Map<string, CallResult>();
  const fallback = new Map<string, CarriedCall<CallResult>>();
  for (const node of stale.nodes) {
    for (const c of table.get(node)?.calls ?? []) {
      if (c.result !== undefined && !stale.calls.has(c)) reuse.set(c.identity(), c.result);
    }
  }
  for (const c of stale.calls) {
    if (c.result !== undefined) {
      fallback.set(c.identity(), { result: c.result, life: c.own, ttl: c.ttl });
    }
  }
  return { reuse, fallback };
}

/** A value of the raw tree as a refresh or reload reports it. */
interface ValueAt extends Leaf {
  /** Its path with keys quoted where needed (`Change.path`). */
  at: string;
  /** An interpolated string (else a literal). */
  interpolated: boolean;
}

/** Every value of a raw tree: scalars, and empty mappings and sequences, in tree order. */
function collectValues(root: MapNode): ValueAt[] {
  const out: ValueAt[] = [];
  const walk = (node: TreeNode, path: string, segs: PathSegment[]) => {
    const entries: [PathSegment, TreeNode][] = node.kind === "map"
      ? [...node.entries]
      : node.kind === "seq"
      ? node.items.map((v, i) => [i, v])
      : [];
    if (entries.length === 0) {
      const interpolated = node.kind === "scalar" && typeof node.value === "string" &&
        needsInterpolation(node.value);
      out.push({ path, segs, node, at: formatPath(segs, { quoteKeys: true }), interpolated });
      return;
    }
    for (const [k, v] of entries) {
      const p = typeof k === "number" ? `${path}[${k}]` : path === "" ? k : `${path}.${k}`;
      walk(v, p, [...segs, k]);
    }
  };
  if (root.entries.size > 0) walk(root, "", []);
  return out;
}

/** A raw node as plain data; with `redact`, a value given sensitive is `[REDACTED]`. */
function rawPlain(node: TreeNode, redact: boolean): Value {
  if (!redact) return toPlain(node) as Value;
  switch (node.kind) {
    case "scalar":
      return node.sensitive ? REDACTED : node.value;
    case "seq":
      return node.items.map((n) => rawPlain(n, true));
    case "map": {
      const out: { [key: string]: Value } = {};
      for (const [k, v] of node.entries) defineOwn(out, k, rawPlain(v, true));
      return out;
    }
  }
}

/** A value that needs no resolving, as resolved; undefined for an interpolated string. */
function literalOf(node: TreeNode): Resolved | undefined {
  if (node.kind === "scalar") {
    if (typeof node.value === "string" && needsInterpolation(node.value)) return undefined;
    return { value: node.value, sensitive: node.sensitive === true };
  }
  return { value: node.kind === "map" ? {} : [], sensitive: false };
}

/**
 * Failures by the place of their path in the tree, paths quoted; each error once, and each path
 * once (its first failure: the resolver's own error comes before the caller's "stopped waiting").
 */
function inTreeOrder(failures: RefreshFailure[], leaves: readonly Leaf[]): RefreshFailure[] {
  const place = new Map<string, { index: number; at: string }>();
  leaves.forEach((l, index) => {
    if (!place.has(l.path)) {
      place.set(l.path, { index, at: formatPath(l.segs, { quoteKeys: true }) });
    }
  });
  const seen = new Set<unknown>();
  return failures
    .filter((f) => !seen.has(f.error) && !seen.has(f.path) && seen.add(f.error).add(f.path))
    .map((f, i) => ({ f, i, p: place.get(f.path) }))
    .sort((a, b) => (a.p?.index ?? Infinity) - (b.p?.index ?? Infinity) || a.i - b.i)
    .map(({ f, p }) => ({ path: p?.at ?? f.path, error: f.error }));
}

/** The value the request is building used the result of a call. */
function usedCall(
  vertex: Pending | undefined,
  ctx: Ctx,
  record: CallRecord<CallResult> | undefined,
): void {
  if (record === undefined) return;
  const into = vertex ? (vertex.links ??= newLinks()) : ctx.top;
  if (into) linkCall(into, record);
}

/**
 * Waits for `promise`, the outcome of another request's in-flight node or call (`target`),
 * refusing waits that close a loop; as one of its waiters (`shared`) when it has some that
 * may give up.
 */
function waitFor<T>(
  target: Pending,
  ctx: Ctx,
  promise: Promise<T> | undefined,
  shared: SharedWork | undefined,
): MP<T> {
  const waiter = ctx.waiter;
  if (waiter) {
    const chain = findPath(target, waiter);
    if (chain) {
      throw new CircularReferenceError([...chain.map((p) => p.path), target.path]);
    }
  }
  if (!promise) {
    // Only possible when the target is on the current synchronous stack, i.e. a loop
    // the graph could not see (no waiter): report it as a cycle rather than hang.
    throw new CircularReferenceError([target.path, target.path]);
  }
  let p = promise;
  if (waiter) {
    waiter.waitsOn.add(target);
    p = p.finally(() => waiter.waitsOn.delete(target));
  }
  // Work started by another request keeps running while anyone waits for it; this request
  // stops waiting at its own deadline.
  const signal = ctx.signal;
  const stop = (reason: unknown) => stoppedWaiting(target.path, reason, ctx.deadline);
  if (shared) return shared.wait(p, signal, stop);
  return signal ? abortable(p, signal, stop) : p;
}

/**
 * A resolver call the engine hands to the dispatcher, as one object: what its `call.config`
 * handle works with ({@linkcode CallState}) and the engine's part of each step of the call
 * (`CallHooks`), rather than a closure per step. The call is a vertex of the wait-for graph
 * of its own (see `#invoke`).
 */
class EngineCall implements CallState, CallHooks<Pending, CallResult> {
  readonly vertex: Pending;
  lease: SlotLease | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  readonly gen: Generation;
  readonly depth: number;
  sawSecret = false;
  readonly secrets: string[];
  readonly live: RefreshScope | undefined;
  /** The node that made the call (undefined: a top-level read). */
  readonly #caller: Pending | undefined;
  readonly #ctx: Ctx;
  /**
   * The variables the call reads from the Config's environment, for a reload to know whether
   * its result still holds (see `reload`).
   */
  #envRead: Map<string, string | undefined> | undefined = undefined;

  /**
   * @param path The path of the node that made the call.
   * @param ctx The request that made it.
   * @param secrets The call's redaction set (its secret inputs; what it reads is added).
   */
  constructor(path: string, ctx: Ctx, secrets: string[]) {
    this.vertex = { path, promise: undefined, waitsOn: new Set(), height: 0 };
    this.gen = ctx.gen;
    this.depth = ctx.depth;
    this.secrets = secrets;
    this.live = ctx.live;
    this.#caller = ctx.waiter;
    this.#ctx = ctx;
  }

  /** The Config's environment as the call reads it: each variable read is remembered. */
  envReader(env: (name: string) => string | undefined): (name: string) => string | undefined {
    return (name) => {
      const value = env(name);
      (this.#envRead ??= new Map()).set(name, value);
      return value;
    };
  }

  // Joining a call in flight goes through the wait-for graph (cycles) and stops at this
  // request's own deadline.
  join(
    owner: Pending,
    result: Promise<CallResult>,
    shared: SharedWork | undefined,
  ): MP<CallResult> {
    return then(waitFor(owner, this.#ctx, result, shared), (r) => {
      raise(this.#caller, owner.height);
      usedCall(this.#caller, this.#ctx, r.record);
      return r;
    });
  }

  reuse(r: CallResult): CallResult {
    usedCall(this.#caller, this.#ctx, r.record);
    return r;
  }

  fallBack(previous: CallResult, error: HoloconfError, life: CallLife): CallResult {
    // Stale-if-error: the earlier result stays, the failure is reported (without the earlier
    // value's secrets).
    const path = this.vertex.path;
    this.#ctx.live?.failures.push({
      path,
      error: withoutSecrets(error, path, secretTexts(previous)),
    });
    const { record: _, ...kept } = previous;
    return this.#recorded(kept, life);
  }

  notFound(life: CallLife): void {
    // A default= may apply: it lives as long as the answer would have, what the resolver read
    // to give it included.
    usedCall(this.#caller, this.#ctx, this.#record(undefined, life));
  }

  start(signal: AbortSignal, lease: SlotLease): void {
    this.signal = signal;
    this.lease = lease;
    this.#caller?.waitsOn.add(this.vertex);
  }

  settle(r: Resolved, life: CallLife): CallResult {
    // The node that made the call is as high as what the resolver read.
    raise(this.#caller, this.vertex.height);
    return this.#recorded(
      this.sawSecret
        ? {
          value: r.value,
          sensitive: true,
          secrets: [...this.secrets],
          readSecret: true,
          record: undefined,
        }
        : r.secrets
        ? { value: r.value, sensitive: r.sensitive, secrets: r.secrets, record: undefined }
        : { value: r.value, sensitive: r.sensitive, record: undefined },
      life,
    );
  }

  readSecret(): boolean {
    return this.sawSecret;
  }

  end(): void {
    this.#caller?.waitsOn.delete(this.vertex);
  }

  /**
   * The result callers get (`out`, a fresh object), remembered with the call's lifetime and
   * what it read.
   */
  #recorded(out: CallResult, life: CallLife): CallResult {
    out.record = this.#record(out, life);
    usedCall(this.#caller, this.#ctx, out.record);
    return out;
  }

  /**
   * The call as the values built from it remember it: its answer (none when it was not found),
   * its own lifetime, and what it read, whose lifetimes bound its own.
   */
  #record(result: CallResult | undefined, life: CallLife): CallRecord<CallResult> {
    const read = this.vertex.links;
    return {
      identity: life.identity,
      result,
      own: life.life,
      ttl: life.ttl,
      reads: read?.nodes ?? NOTHING,
      env: this.#envRead,
      life: read ? earliest(life.life, read.life) : life.life,
    };
  }
}
