/**
 * The public resolver API: what a resolver receives and may return.
 *
 * @module
 */

import type { SourceLocation } from "./errors.ts";

/**
 * What a call needs to know about the Config it belongs to: where relative paths start, which
 * directories may be read, where warnings go. Options of one resolver (http's allowlist, AWS
 * regions...) are not here: they reach the call as `call.settings` (see
 * {@linkcode ResolverSettingsSpec}).
 */
export interface ResolverContext {
  /** Directory relative paths resolve against: the defining file's directory, else `basePath`. */
  baseDir: string | undefined;
  /** Directories the file resolver may read (loaded files' directories, `basePath`, `fileRoots`). */
  fileRoots: readonly string[];
  /** Where warnings go (e.g. `insecure=true`). */
  onWarning: (message: string) => void;
  /**
   * The Config's environment: the process environment over the variables of the Config's
   * `.env` files (`LoadOptions.envFiles`). What `${env:NAME}` reads; absent: the process
   * environment alone.
   */
  env?: ((name: string) => string | undefined) | undefined;
}

/** The minimal view of a Config a resolver may use to read other values. */
export interface ConfigHandle {
  /** Resolves a path (see `Config.get`). */
  get(path: string): Promise<unknown>;
  /** Resolves a path synchronously when possible (see `Config.getSync`). */
  getSync(path: string): unknown;
}

/** What a resolver receives besides its key. */
export interface ResolverCall {
  /** Positional arguments after interpolation; bytes only from a whole-argument nested value. */
  args: (string | Uint8Array)[];
  /** Keyword arguments minus `default`, `sensitive` and `ttl` (last value wins). */
  kwargs: Record<string, string>;
  /** Every keyword argument in order, repeats included (`default`/`sensitive`/`ttl` excluded). */
  kwargsAll: [string, string][];
  /** Aborted on per-call timeout, batch deadline or caller abort. */
  signal: AbortSignal;
  /**
   * When `signal` aborts at the latest, in ms since the epoch (`Date.now()` time): the per-call
   * timeout, or the request's deadline when that comes first; `undefined` when neither is
   * known. A resolver that waits between retries starts no wait that would end after it.
   */
  deadline?: number | undefined;
  /** Config path being resolved (for messages). */
  path: string;
  /** The Config being resolved. */
  config: ConfigHandle;
  /** Name the resolver was called by. */
  resolver: string;
  /** Where the interpolation was written, when known. */
  source: SourceLocation | undefined;
  /** True when an argument came from a sensitive value: never echo inputs in messages. */
  sensitiveInput: boolean;
  /** What the call needs of its Config: base directory, file roots, warnings. */
  context: ResolverContext;
  /**
   * The settings this resolver declared in `settingsSpec`, with the values the program gave:
   * per Config (`LoadOptions.resolverSettings`) over per process (`configureResolver`), a later
   * group of the declaration over an earlier one; fields nobody set are absent. Checked
   * against the declaration before the call; frozen; `JSON.stringify` and inspect show a
   * secret field as `[REDACTED]`. Empty for resolvers that declare nothing.
   */
  settings: Readonly<Record<string, unknown>>;
}

/**
 * The arguments a resolver accepts, as data. The engine checks every call against it before
 * the resolver runs: more positional arguments than `positional`, or a keyword argument that
 * is not in `keywords` (besides `default`, `sensitive` and `ttl`, which every call takes), is a
 * `ParseError` (`TOO_MANY_ARGUMENTS`, `UNKNOWN_KEYWORD`) naming the accepted keywords, with a
 * "did you mean" suggestion and the quoting hint (`${split:'a,b,c'}`). A resolver that declares
 * nothing accepts anything. Values of the keywords are the resolver's to check.
 */
export interface ResolverParams {
  /** Most positional arguments a call may have (`Infinity`: any number). @default {1} */
  positional?: number;
  /**
   * Keyword arguments the resolver reads (`default`, `sensitive` and `ttl` are always accepted).
   * @default {[]}
   */
  keywords?: readonly string[];
}

/**
 * The kinds of value a resolver setting holds. `object` is any object that is not a list (a
 * client instance, a function's options): kept as given, not copied or frozen.
 */
export type ResolverSettingType = "string" | "boolean" | "string[]" | "object";

/** One setting a resolver reads. */
export interface ResolverSettingField {
  /** The kind of value; anything else is refused (`INVALID_SETTING`). */
  type: ResolverSettingType;
  /**
   * The value is a secret (a private key, a password, a URL with credentials): shown as
   * `[REDACTED]` when `call.settings` is serialised or inspected. @default {false}
   */
  secret?: boolean;
}

/**
 * A group of settings a resolver reads, stored under `key`. Programs give the values, never
 * config text: per process with `configureResolver(key, values)`, per Config with
 * `LoadOptions.resolverSettings[key]`. Several resolvers may read one group (`http` and
 * `https` share `http`; the AWS resolvers share `aws`, each with its own group too).
 * A field that is not in `fields` is refused with a "did you mean" suggestion.
 *
 * @example A resolver with a setting
 * ```ts
 * import { Config, type ResolverObject } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const greeting: ResolverObject = {
 *   settingsSpec: [{ key: "greeting", fields: { word: { type: "string" } } }],
 *   resolve: (key, call) => `${call.settings.word ?? "hello"} ${key}`,
 * };
 * const config = Config.loads("a: ${greet:world}\n", {
 *   resolvers: { greet: greeting },
 *   resolverSettings: { greeting: { word: "hi" } },
 * });
 * assert.equal(await config.get("a"), "hi world");
 * ```
 */
export interface ResolverSettingsSpec {
  /** The name the values are stored under (letters, digits, `_`, `-`). */
  key: string;
  /** The settings of the group, by name. */
  fields: Readonly<Record<string, ResolverSettingField>>;
}

/** A resolver as a function: `(key, call) => value`. `key` is `args[0]` as text. */
export type ResolverFn = (key: string, call: ResolverCall) => unknown;

/** A resolver as an object; may also serve several calls at once. */
export interface ResolverObject {
  /** Resolves one call. */
  resolve(key: string, call: ResolverCall): unknown;
  /**
   * Optional batching hook: serve several pending calls at once. Returns one entry per call,
   * in order: a value, or an `Error` instance for that call alone. The dispatcher groups the
   * calls: it hands over at most `batchSize` calls, all with the same `batchGroup`.
   */
  resolveMany?(keys: string[], calls: ResolverCall[]): Promise<unknown[]>;
  /**
   * Largest group handed to `resolveMany` (default 10), counted in distinct requests: calls
   * with the same {@linkcode ResolverObject.requestKey} count once.
   */
  batchSize?: number;
  /** Calls with different group keys never share a batch (e.g. different regions). */
  batchGroup?(key: string, call: ResolverCall): string;
  /**
   * What a call asks the source for, when calls that differ (another field of one secret,
   * another `default=`) ask it for the same thing: calls with one request key count once
   * towards `batchSize`, so a batch holds `batchSize` distinct requests however many calls
   * select from them. `resolveMany` still gets every call, and serves each request once.
   */
  requestKey?(key: string, call: ResolverCall): string;
  /**
   * Declares that `resolve` never returns a promise: `getSync` may then run it even while the
   * process-wide concurrency limit is saturated (it holds no slot across a tick).
   */
  synchronous?: boolean;
  /**
   * Declares that the resolver reaches the network (`http`, `https`, `ssm`, `s3`, `cfn`,
   * `secretsmanager`, `appconfig`): an
   * offline Config (`LoadOptions.offline`, `HOLOCONF_OFFLINE=1`) refuses its calls with code
   * `OFFLINE`. `RegisterOptions.network` wins over it. @default {false}
   */
  network?: boolean;
  /**
   * Declares that every value of this resolver is a secret (`secretsmanager`): like
   * `RegisterOptions.sensitive`, which wins over it. A reference's `sensitive=false` cannot
   * remove it (it can remove a single value's `ResolvedValue` hint, as upstream allows).
   * @default {false}
   */
  sensitive?: boolean;
  /**
   * Extra identity for single-flight de-duplication beyond name, args and kwargs
   * (e.g. the absolute path a relative file argument points to).
   */
  identity?(key: string, call: ResolverCall): string;
  /**
   * The arguments this resolver accepts (see {@linkcode ResolverParams}); undeclared: any.
   * `RegisterOptions.params` wins over it.
   */
  params?: ResolverParams;
  /**
   * The groups of settings this resolver reads, most general first: a later group's field
   * wins over an earlier group's field of the same name (e.g. `[aws, ssm]`: the `ssm` region
   * over the `aws` one). Their values reach the call as `call.settings`.
   */
  settingsSpec?: readonly ResolverSettingsSpec[];
  /**
   * Optional planning hook (`holoconf plan`): what resolving these calls would fetch, computed
   * from the calls as written, without fetching anything. Resolvers that share one `describe`
   * function (`http` and `https`) are asked once, with the calls of all of them. Resolvers
   * without it are counted by `plan` as local.
   *
   * @param calls Every call of the resolver(s) in the config (possibly none), in config order.
   * @returns The requests, the calls that cannot become one, and the IAM actions needed.
   */
  describe?(calls: readonly PlannedCall[]): ResolverDescription;
}

/** One call of a resolver as written in a config, as {@linkcode ResolverObject.describe} sees it. */
export interface PlannedCall {
  /** Config path of the value that makes the call. */
  path: string;
  /** Name the resolver is called by. */
  resolver: string;
  /** The first argument; undefined when it contains a nested interpolation. */
  key: string | undefined;
  /** The first argument with each nested interpolation replaced by `*`. */
  pattern: string;
  /**
   * Keyword arguments (last value wins; `default` and `sensitive` excluded), in a map without
   * prototype; undefined for a value that contains a nested interpolation.
   */
  kwargs: Readonly<Record<string, string | undefined>>;
}

/** One IAM action and the resources it is needed on. */
export interface IamPermission {
  /** E.g. `ssm:GetParameters`. */
  action: string;
  /** ARNs (sorted, distinct). */
  resources: string[];
  /** True when the need depends on data only known after fetching. */
  conditional: boolean;
  /** Why it is conditional. */
  note?: string;
}

/** A line of a plan's summary: a headline and the lines that detail it. */
export interface PlanSummaryLine {
  /** E.g. `23 ssm names → 3 GetParameters`. */
  text: string;
  /** Detail lines (e.g. one per client or stack); may be empty. */
  detail: string[];
}

/** What resolving some calls would fetch: the answer of {@linkcode ResolverObject.describe}. */
export interface ResolverDescription {
  /**
   * The requests as the resolver would send them (JSON data; `holoconf plan -f json` shows it
   * under the resolver's name, the first registered name of those sharing the hook).
   */
  data: Record<string, unknown>;
  /** Headlines of the requests (none when there are no calls). */
  summary: PlanSummaryLine[];
  /** Indexes (into the calls) of calls whose target is only known at resolve time. */
  dynamic: number[];
  /** Calls that can never become a request (a bad argument): index into the calls, and why. */
  invalid: { call: number; reason: string }[];
  /** The IAM actions the requests need, in the order to list them. */
  permissions: IamPermission[];
  /** The calls fail unless the Config allows http (`allowHttp`). @default {false} */
  needsAllowHttp?: boolean;
}

/** A resolver: function or object form. */
export type Resolver = ResolverFn | ResolverObject;

/** Options for registering a resolver. */
export interface RegisterOptions {
  /** Replace an existing resolver of the same name. @default {false} */
  force?: boolean;
  /** Per-call timeout in ms (overrides the global default). */
  timeout?: number;
  /**
   * Mark every value of this resolver sensitive; a reference's `sensitive=false` cannot remove
   * it. @default {false}
   */
  sensitive?: boolean;
  /**
   * The resolver reaches the network: refused on an offline Config (see
   * `ResolverObject.network`, which this wins over). @default {false}
   */
  network?: boolean;
  /**
   * The arguments the resolver accepts, checked before every call (see
   * {@linkcode ResolverParams}); for function resolvers, or to override an object's `params`.
   * @default {undefined} (any arguments)
   */
  params?: ResolverParams;
  /**
   * How long a value of this resolver lives, in ms: once expired, the next read or
   * `config.refresh()` fetches it again. Below the `ttl` of its settings group and a call's
   * `ttl=` (seconds). @default {undefined} (resolved once)
   */
  ttl?: number;
  /**
   * Reads of an expired value of this resolver return the last value at once and refresh it in
   * the background (as the Config option of that name, for this resolver).
   * @default {undefined} (the Config's option)
   */
  staleWhileRevalidate?: boolean;
  /**
   * How long past its expiry a value of this resolver may still be used when fetching it again
   * fails (stale-if-error), in ms; after that the error surfaces on access.
   * @default {undefined} (the Config's option; none: no limit)
   */
  maxStale?: number;
}

/** What every message, dump and trace shows instead of a sensitive value. */
export const REDACTED = "[REDACTED]";

/**
 * A value returned by a resolver together with its sensitivity.
 *
 * @example Mark a secret
 * ```ts
 * import { ResolvedValue } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const v = new ResolvedValue("hunter2", { sensitive: true });
 * assert.equal(v.sensitive, true);
 * assert.equal(String(v), "[REDACTED]");
 * ```
 */
export class ResolvedValue {
  /** The value. */
  readonly value: unknown;
  /** Whether it must be redacted in dumps. */
  readonly sensitive: boolean;
  /**
   * How long the value lives, in ms, as the resolver suggests it (e.g. a poll interval the
   * service asks for): used when the program gave the call no TTL (`ttl=`, the settings' `ttl`,
   * `registerResolver`'s `ttl`). Only read on the value a resolver returns, not inside it.
   */
  readonly ttl: number | undefined;

  /**
   * Wraps a value.
   *
   * @param value The value.
   * @param options `sensitive: true` marks a secret; `ttl` (ms) suggests how long it lives.
   * @throws {RangeError} For a `ttl` that is not a number > 0.
   */
  constructor(value: unknown, options: { sensitive?: boolean; ttl?: number } = {}) {
    if (options.ttl !== undefined && !(options.ttl > 0)) {
      throw new RangeError(`ttl must be > 0 ms, got ${options.ttl}`);
    }
    this.value = value;
    this.sensitive = options.sensitive ?? false;
    this.ttl = options.ttl;
  }

  /** Never prints a sensitive value. @returns Text. */
  toString(): string {
    return this.sensitive ? REDACTED : String(this.value);
  }

  /** Never serialises a sensitive value. @returns JSON value. */
  toJSON(): unknown {
    return this.sensitive ? REDACTED : this.value;
  }
}
