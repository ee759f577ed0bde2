/**
 * Resolver registration: one process-wide registry (shared by every copy of the library
 * loaded in the process) and per-config registries that take precedence over it.
 *
 * @module
 */

import { ResolverError } from "./errors.ts";
import type {
  RegisterOptions,
  Resolver,
  ResolverObject,
  ResolverParams,
  ResolverSettingsSpec,
} from "./resolver.ts";

/** A resolver with its registration options. */
export interface RegisteredResolver {
  /** Name it is registered under. */
  name: string;
  /** The resolver. */
  resolver: Resolver;
  /** Per-call timeout in ms, when set. */
  timeout: number | undefined;
  /** How long its values live and may be used once expired, as registered (`ttl`...). */
  live: LivePolicy;
  /** Every value it returns is sensitive. */
  sensitive: boolean;
  /** It reaches the network (refused on an offline Config). */
  network: boolean;
  /** Largest group handed to `resolveMany`, read once at registration (objects with it only). */
  batchSize: number | undefined;
  /** The arguments it accepts, defaults applied; undefined: any. */
  params: Readonly<Required<ResolverParams>> | undefined;
  /** The groups of settings it reads (`settingsSpec`), checked and frozen; empty: none. */
  settingsSpec: readonly ResolverSettingsSpec[];
}

/**
 * How long values live and what may be done with them once expired (see `RegisterOptions`):
 * what a registration, a settings group or the Config says, each field optional.
 */
export type LivePolicy = Readonly<
  Pick<RegisterOptions, "ttl" | "staleWhileRevalidate" | "maxStale">
>;

/** Group size of a `resolveMany` resolver that sets none. */
const DEFAULT_BATCH_SIZE = 10;

const NAME_REGEXP = /^[\p{L}\p{N}_-]+$/u;
/**
 * The ASCII part of {@linkcode NAME_REGEXP}, tried first: V8 runs a Unicode property class in its
 * regexp interpreter at first (≈ 0.2–0.7 ms for the first test, ≈ 0.1 ms for each of the next
 * ones), and the library registers its 15 built-ins, with their keywords, when it is imported.
 */
const ASCII_NAME_REGEXP = /^[A-Za-z0-9_-]+$/;

/** Letters and digits of any script, `_` and `-`: a resolver's or a settings group's name. */
function isName(text: string): boolean {
  return ASCII_NAME_REGEXP.test(text) || NAME_REGEXP.test(text);
}

/** Imports a lazily registered resolver: see {@linkcode ResolverRegistry.registerLazy}. */
export type ResolverLoader = () => Promise<Resolver>;

/** What a resolver declares about itself that matters before it runs. */
export interface ResolverTraits {
  /** It reaches the network (refused on an offline Config). */
  network: boolean;
  /** Every value it returns is sensitive. */
  sensitive: boolean;
}

/** Options of {@linkcode ResolverRegistry.registerLazy}. */
export interface LazyRegisterOptions extends RegisterOptions {
  /** The settings groups the resolver declares (see `ResolverObject.settingsSpec`). */
  settingsSpec?: readonly ResolverSettingsSpec[];
  /**
   * What the resolver's object declares (`network`, `sensitive`), known before it loads; the
   * registration's own `network` and `sensitive` win over it, as over the loaded object's.
   * @default {{ network: false, sensitive: false }}
   */
  declares?: ResolverTraits;
}

/** A resolver registered by its loader and not loaded yet. */
interface LazyResolver {
  name: string;
  load: ResolverLoader;
  options: RegisterOptions;
  /** The settings groups it declares before it is loaded. */
  settingsSpec: readonly ResolverSettingsSpec[];
  /** Its traits before it is loaded. */
  traits: ResolverTraits;
  /** The load in progress (forgotten when it fails, so that the next use tries again). */
  loading: Promise<RegisteredResolver> | undefined;
}

/** A set of named resolvers with the registration rules of SPEC §7. */
export class ResolverRegistry {
  #map = new Map<string, RegisteredResolver | LazyResolver>();

  /**
   * Adds a resolver.
   *
   * @param name Resolver name (letters, digits, `_`, `-`).
   * @param resolver Function or object form.
   * @param options `force` replaces an existing one; `timeout`, `sensitive`, `params`.
   * @throws {ResolverError} For a taken name without `force`, `ref`, a bad name, keyword names
   *   in `params` that are not identifiers, or an object whose `resolveMany`, `batchGroup`,
   *   `requestKey` or `identity` is not a function.
   * @throws {RangeError} For a negative timeout, a `ttl` that is not > 0, a negative
   *   `maxStale`, a `params.positional` that is not an integer >= 0 or `Infinity`, or a
   *   `batchSize` that is not a positive integer.
   */
  register(name: string, resolver: Resolver, options: RegisterOptions = {}): void {
    const registered = checked(name, resolver, options);
    this.#claim(name, options);
    this.#map.set(name, registered);
  }

  /**
   * Adds a resolver that is imported on first use: `load` runs when a config first calls it
   * (or {@linkcode lookup} is asked for it), and what it returns is checked and registered as
   * {@linkcode register} would. Until then a synchronous read (`getSync`) that needs it fails
   * with `ASYNC_RESOLUTION_REQUIRED`, having started the load.
   *
   * @param name Resolver name (letters, digits, `_`, `-`).
   * @param load Imports the resolver (e.g. `() => import("./csv.ts").then((m) => m.csvResolver)`).
   * @param options As for {@linkcode register} (`params` and `batchSize` are read once loaded),
   *   and the `settingsSpec` the resolver declares, known before it loads so that its settings can
   *   be given meanwhile (the loaded resolver's own declaration then replaces it), and what it
   *   `declares` (`network`, `sensitive`): an offline Config refuses it without loading it.
   * @throws {ResolverError} For a taken name without `force`, `ref`, a bad name or a bad
   *   settings declaration.
   * @throws {RangeError} For a negative timeout, a `ttl` that is not > 0 or a negative
   *   `maxStale`.
   */
  registerLazy(name: string, load: ResolverLoader, options: LazyRegisterOptions = {}): void {
    checkName(name);
    checkTimeout(options);
    livePolicy(options);
    const { settingsSpec = [], declares, ...register } = options;
    const declared = declaredSettings(name, { resolve: () => undefined, settingsSpec });
    const traits = {
      network: register.network ?? declares?.network ?? false,
      sensitive: register.sensitive ?? declares?.sensitive ?? false,
    };
    this.#claim(name, options);
    this.#map.set(name, {
      name,
      load,
      options: register,
      settingsSpec: declared,
      traits,
      loading: undefined,
    });
  }

  /**
   * Whether a resolver reaches the network and returns sensitive values, loaded or not: for a
   * resolver registered lazily, what its registration declares until it loads.
   *
   * @param name Its name.
   * @returns Its traits, or undefined when the name is free.
   */
  declared(name: string): ResolverTraits | undefined {
    const entry = this.#map.get(name);
    if (entry === undefined) return undefined;
    if (isLazy(entry)) return entry.traits;
    return { network: entry.network, sensitive: entry.sensitive };
  }

  /**
   * The settings groups a resolver declares, loaded or not.
   *
   * @param name Its name.
   * @returns Its declaration (empty when it declares none or the name is free).
   */
  settingsSpecOf(name: string): readonly ResolverSettingsSpec[] {
    return this.#map.get(name)?.settingsSpec ?? [];
  }

  /** Refuses a taken name unless `force`. */
  #claim(name: string, options: RegisterOptions): void {
    if (this.#map.has(name) && !options.force) {
      throw new ResolverError(`Resolver '${name}' is already registered`, {
        code: "RESOLVER_ALREADY_REGISTERED",
        resolver: name,
        help: `Pass { force: true } to replace it: registerResolver("${name}", r, { force: true })`,
      });
    }
  }

  /** Removes a resolver. @param name Its name. @returns Whether it existed. */
  unregister(name: string): boolean {
    return this.#map.delete(name);
  }

  /** Whether a name is registered (loaded or not). @param name Its name. @returns Whether it is. */
  has(name: string): boolean {
    return this.#map.has(name);
  }

  /**
   * Looks a loaded resolver up.
   *
   * @param name Its name.
   * @returns It, or undefined when the name is free or its resolver is not loaded yet.
   */
  get(name: string): RegisteredResolver | undefined {
    const entry = this.#map.get(name);
    return entry === undefined || isLazy(entry) ? undefined : entry;
  }

  /**
   * Looks a resolver up, loading a lazily registered one on first use.
   *
   * @param name Its name.
   * @returns It; a promise of it while it loads; undefined when the name is free.
   * @throws {ResolverError} (through the promise) When the load fails; the next lookup tries
   *   again. A loaded value that is not a valid resolver fails as {@linkcode register} does.
   */
  lookup(name: string): RegisteredResolver | Promise<RegisteredResolver> | undefined {
    const entry = this.#map.get(name);
    if (entry === undefined || !isLazy(entry)) return entry;
    entry.loading ??= this.#load(entry);
    // Each caller gets an error of its own (the engine adds the path of the value to it).
    return entry.loading.catch((cause: unknown) => {
      throw new ResolverError(`Resolver '${name}' could not be loaded`, { resolver: name, cause });
    });
  }

  async #load(entry: LazyResolver): Promise<RegisteredResolver> {
    let registered: RegisteredResolver;
    try {
      registered = checked(entry.name, await entry.load(), entry.options);
    } catch (error) {
      entry.loading = undefined;
      throw error;
    }
    // Replaced or removed meanwhile: the newer registration stands.
    if (this.#map.get(entry.name) === entry) this.#map.set(entry.name, registered);
    return registered;
  }

  /** Registered names. @returns Names in registration order. */
  names(): string[] {
    return [...this.#map.keys()];
  }
}

function isLazy(entry: RegisteredResolver | LazyResolver): entry is LazyResolver {
  return "load" in entry;
}

/** Checks a registration and builds its entry. */
function checked(name: string, resolver: Resolver, options: RegisterOptions): RegisteredResolver {
  const batchSize = validate(name, resolver, options);
  return {
    name,
    resolver,
    timeout: options.timeout,
    live: livePolicy(options),
    sensitive: options.sensitive ??
      (typeof resolver === "object" && (resolver as { sensitive?: unknown }).sensitive === true),
    network: options.network ??
      (typeof resolver === "object" && (resolver as { network?: unknown }).network === true),
    batchSize,
    params: declaredParams(name, resolver, options),
    settingsSpec: declaredSettings(name, resolver),
  };
}

function checkName(name: string): void {
  if (name === "ref") {
    throw new ResolverError("The 'ref' resolver cannot be overridden", {
      code: "RESOLVER_RESERVED",
      resolver: name,
      help: "Choose another name; ${ref:path} and ${path} always read this configuration",
    });
  }
  if (!isName(name)) {
    throw new ResolverError(`Invalid resolver name: '${name}'`, {
      code: "RESOLVER_INVALID",
      help: "Resolver names use letters, digits, '_' and '-'",
    });
  }
}

function checkTimeout(options: RegisterOptions): void {
  if (options.timeout !== undefined && !(options.timeout >= 0)) {
    throw new RangeError(`timeout must be >= 0 ms, got ${options.timeout}`);
  }
}

/** The registration's `ttl`, `staleWhileRevalidate` and `maxStale`, checked and frozen. */
function livePolicy(options: RegisterOptions): LivePolicy {
  const { ttl, staleWhileRevalidate, maxStale } = options;
  if (ttl !== undefined && !(ttl > 0)) throw new RangeError(`ttl must be > 0 ms, got ${ttl}`);
  if (maxStale !== undefined && !(maxStale >= 0)) {
    throw new RangeError(`maxStale must be >= 0 ms, got ${maxStale}`);
  }
  return Object.freeze({
    ...(ttl === undefined ? {} : { ttl }),
    ...(staleWhileRevalidate === undefined ? {} : { staleWhileRevalidate }),
    ...(maxStale === undefined ? {} : { maxStale }),
  });
}

/** Checks a registration; returns the batch size of a `resolveMany` resolver. */
function validate(name: string, resolver: Resolver, options: RegisterOptions): number | undefined {
  checkName(name);
  const ok = typeof resolver === "function" ||
    (typeof resolver === "object" && resolver !== null &&
      typeof (resolver as { resolve?: unknown }).resolve === "function");
  if (!ok) {
    throw new ResolverError(`Resolver '${name}' must be a function or an object with resolve()`, {
      code: "RESOLVER_INVALID",
      resolver: name,
    });
  }
  checkTimeout(options);
  return typeof resolver === "function" ? undefined : batchSizeOf(name, resolver);
}

/**
 * The group size of an object resolver with `resolveMany`, checked once: a size that is not a
 * positive integer (NaN, 0, 2.5, Infinity) would never fill or never flush a group.
 */
function batchSizeOf(name: string, resolver: ResolverObject): number | undefined {
  for (const hook of ["resolveMany", "batchGroup", "identity", "requestKey"] as const) {
    if (resolver[hook] !== undefined && typeof resolver[hook] !== "function") {
      throw new ResolverError(`Resolver '${name}': ${hook} must be a function`, {
        code: "RESOLVER_INVALID",
        resolver: name,
      });
    }
  }
  if (resolver.resolveMany === undefined) return undefined;
  const size: unknown = resolver.batchSize;
  if (size === undefined) return DEFAULT_BATCH_SIZE;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(
      `Resolver '${name}': batchSize must be a positive integer, got ${
        typeof size === "string" ? JSON.stringify(size) : String(size)
      }`,
    );
  }
  return size;
}

const KEYWORD_REGEXP = /^[\p{L}\p{N}_]+$/u;
/** The ASCII part of {@linkcode KEYWORD_REGEXP}, tried first (see ASCII_NAME_REGEXP). */
const ASCII_KEYWORD_REGEXP = /^[A-Za-z0-9_]+$/;

/** The `params` a resolver declares (options first, then the object's), checked and frozen. */
function declaredParams(
  name: string,
  resolver: Resolver,
  options: RegisterOptions,
): Readonly<Required<ResolverParams>> | undefined {
  const declared = options.params ??
    (typeof resolver === "object" ? (resolver as { params?: ResolverParams }).params : undefined);
  if (declared === undefined) return undefined;
  const positional = declared.positional ?? 1;
  if (!(Number.isInteger(positional) && positional >= 0) && positional !== Infinity) {
    throw new RangeError(
      `params.positional of resolver '${name}' must be an integer >= 0 or Infinity, got ${positional}`,
    );
  }
  const keywords = declared.keywords ?? [];
  if (
    !Array.isArray(keywords) ||
    !keywords.every((k) =>
      typeof k === "string" && (ASCII_KEYWORD_REGEXP.test(k) || KEYWORD_REGEXP.test(k))
    )
  ) {
    throw new ResolverError(`Resolver '${name}' declares invalid keyword names`, {
      code: "RESOLVER_INVALID",
      resolver: name,
      help: "params.keywords lists names of letters, digits and '_', e.g. ['delim', 'limit']",
    });
  }
  return Object.freeze({ positional, keywords: Object.freeze([...keywords]) });
}

const SETTING_TYPES: readonly string[] = ["string", "boolean", "string[]", "object"];
const FIELD_REGEXP = /^[A-Za-z][A-Za-z0-9_]*$/;
/**
 * Field names a resolver may not declare: `call.settings`'s serialisation hook, and the
 * lifetime fields every group accepts (see `resolver_settings.ts`).
 */
const RESERVED_FIELDS: readonly string[] = ["toJSON", "ttl", "staleWhileRevalidate", "maxStale"];

/** An object's `settingsSpec`, checked and frozen (an empty list when it declares none). */
function declaredSettings(name: string, resolver: Resolver): readonly ResolverSettingsSpec[] {
  const declared: unknown = typeof resolver === "object"
    ? (resolver as { settingsSpec?: unknown }).settingsSpec
    : undefined;
  if (declared === undefined) return [];
  const invalid = (help: string) =>
    new ResolverError(`Resolver '${name}' declares invalid settings`, {
      code: "RESOLVER_INVALID",
      resolver: name,
      help,
    });
  if (!Array.isArray(declared)) {
    throw invalid("settingsSpec is a list of { key, fields } groups");
  }
  return Object.freeze(declared.map((group: unknown): ResolverSettingsSpec => {
    const { key, fields } = (group ?? {}) as { key?: unknown; fields?: unknown };
    if (typeof key !== "string" || !isName(key)) {
      throw invalid("A settings key uses letters, digits, '_' and '-'");
    }
    if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
      throw invalid(`The settings group '${key}' needs fields: { name: { type } }`);
    }
    const checked: ResolverSettingsSpec["fields"] = Object.create(null);
    for (const [field, spec] of Object.entries(fields)) {
      const { type, secret } = (spec ?? {}) as { type?: unknown; secret?: unknown };
      if (!FIELD_REGEXP.test(field) || RESERVED_FIELDS.includes(field)) {
        throw invalid(
          `Setting names use letters, digits and '_' (not ${
            RESERVED_FIELDS.join(", ")
          }): '${key}.${field}'`,
        );
      }
      if (typeof type !== "string" || !SETTING_TYPES.includes(type)) {
        throw invalid(
          `The type of setting '${key}.${field}' is one of ${SETTING_TYPES.join(", ")}`,
        );
      }
      if (secret !== undefined && typeof secret !== "boolean") {
        throw invalid(`secret of setting '${key}.${field}' is true or false`);
      }
      (checked as Record<string, unknown>)[field] = Object.freeze({
        type,
        secret: secret === true,
      });
    }
    return Object.freeze({ key, fields: Object.freeze(checked) });
  }));
}

const GLOBAL_KEY = Symbol.for("holoconf.registry");

/**
 * The process-wide registry (one per process even if the library is loaded twice).
 *
 * @returns The global registry.
 *
 * @example
 * ```ts
 * import { globalRegistry } from "./registry.ts";
 * import assert from "node:assert/strict";
 * const registry = globalRegistry();
 * assert.equal(globalRegistry(), registry);
 * // Kept under a global symbol: a second copy of the library finds the same registry.
 * const key = Symbol.for("holoconf.registry");
 * assert.equal((globalThis as Record<symbol, unknown>)[key], registry);
 * ```
 */
export function globalRegistry(): ResolverRegistry {
  const g = globalThis as unknown as Record<symbol, ResolverRegistry | undefined>;
  let r = g[GLOBAL_KEY];
  if (!r) {
    r = new ResolverRegistry();
    g[GLOBAL_KEY] = r;
  }
  return r;
}

/**
 * Registers a resolver for every Config in the process.
 *
 * @param name Resolver name, used as `${name:...}`.
 * @param resolver `(key, call) => value` (sync or async), or an object with `resolve`.
 * @param options `force` to replace, per-call `timeout` in ms, `sensitive` results, `ttl` (ms)
 *   of its values, `staleWhileRevalidate`, `maxStale` (ms).
 * @throws {ResolverError} When the name is taken (without `force`) or is `ref`.
 * @throws {RangeError} For a negative `timeout`, a `ttl` that is not > 0 or a negative
 *   `maxStale`.
 *
 * @example Register an async resolver
 * ```ts
 * import { Config, registerResolver, unregisterResolver } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * registerResolver("upper", (key) => Promise.resolve(key.toUpperCase()), { force: true });
 * assert.equal(await Config.loads("name: ${upper:app}\n").get("name"), "APP");
 * unregisterResolver("upper");
 * ```
 */
export function registerResolver(
  name: string,
  resolver: Resolver,
  options: RegisterOptions = {},
): void {
  globalRegistry().register(name, resolver, options);
}

/**
 * Removes a globally registered resolver (built-ins included).
 *
 * @param name Resolver name.
 *
 * @example
 * ```ts
 * import { registerResolver, resolverNames, unregisterResolver } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * registerResolver("tmp", () => 1, { force: true });
 * assert.ok(resolverNames().includes("tmp"));
 * unregisterResolver("tmp");
 * assert.ok(!resolverNames().includes("tmp"));
 * ```
 */
export function unregisterResolver(name: string): void {
  globalRegistry().unregister(name);
}

/**
 * Names of the resolvers registered for every Config (the built-ins included, loaded or not),
 * in registration order.
 *
 * @returns The names.
 *
 * @example The built-ins are registered by the main entry
 * ```ts
 * import { resolverNames } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.ok(resolverNames().includes("env"));
 * assert.ok(resolverNames().includes("ssm"));
 * ```
 */
export function resolverNames(): string[] {
  return globalRegistry().names();
}

/**
 * A resolver registered for every Config, as it was registered; a built-in that loads on first
 * use is loaded now.
 *
 * @param name Resolver name.
 * @returns The resolver (function or object), or undefined when none has that name.
 * @throws {ResolverError} When the resolver's module cannot be loaded.
 *
 * @example Read what a resolver declares
 * ```ts
 * import { getResolver, type ResolverObject } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const split = await getResolver("split") as ResolverObject;
 * assert.ok(split.params?.keywords?.includes("delim"));
 * assert.equal(await getResolver("no-such-resolver"), undefined);
 * ```
 */
export async function getResolver(name: string): Promise<Resolver | undefined> {
  return (await globalRegistry().lookup(name))?.resolver;
}
