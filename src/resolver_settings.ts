/**
 * Resolver settings: the values a program gives to the resolvers that declare a group of
 * settings (`ResolverObject.settingsSpec`), per process ({@linkcode configureResolver}) and per
 * Config (`LoadOptions.resolverSettings`). For each call they are merged into `call.settings`:
 * per-Config values over per-process values, and within each, a later group of the resolver's
 * declaration over an earlier one. Config text never sets them. Nothing here knows a resolver:
 * the groups and their fields come from the declarations.
 *
 * @module
 */

import { closestName } from "./_did_you_mean.ts";
import { ResolverError } from "./errors.ts";
import {
  globalRegistry,
  type LivePolicy,
  type RegisteredResolver,
  type ResolverRegistry,
} from "./registry.ts";
import { REDACTED, type ResolverSettingsSpec, type ResolverSettingType } from "./resolver.ts";

/** Checked values of settings groups, by key (what a Config holds). */
export type SettingsLayer = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/** The values of one group: checked, frozen, only fields that were given. */
type GroupValues = Readonly<Record<string, unknown>>;

interface ProcessSettings {
  /** Bumped on every change: cached merges older than it are stale. */
  version: number;
  values: Map<string, GroupValues>;
}

const STATE_KEY = Symbol.for("holoconf.resolverSettings");

/** The process-wide values (one store per process, even if the library is loaded twice). */
function processSettings(): ProcessSettings {
  const g = globalThis as unknown as Record<symbol, ProcessSettings | undefined>;
  let s = g[STATE_KEY];
  if (!s) {
    s = { version: 0, values: new Map() };
    g[STATE_KEY] = s;
  }
  return s;
}

/** Every declaration of the group `key` among the resolvers of `registries`. */
function declarationsOf(
  key: string,
  registries: readonly ResolverRegistry[],
): ResolverSettingsSpec[] {
  const found: ResolverSettingsSpec[] = [];
  for (const registry of registries) {
    for (const name of registry.names()) {
      for (const spec of registry.settingsSpecOf(name)) {
        if (spec.key === key) found.push(spec);
      }
    }
  }
  return found;
}

/** The group keys the resolvers of `registries` declare, sorted. */
function declaredKeys(registries: readonly ResolverRegistry[]): string[] {
  const keys = new Set<string>();
  for (const registry of registries) {
    for (const name of registry.names()) {
      for (const spec of registry.settingsSpecOf(name)) keys.add(spec.key);
    }
  }
  return [...keys].sort();
}

/**
 * The fields every group accepts besides its declared ones: the lifetime of the values of the
 * resolvers that read the group (`ttl` and `maxStale` in ms, `staleWhileRevalidate`), as
 * `registerResolver` takes them. They are the framework's: checked here, merged with the same
 * precedence as declared fields, and kept out of `call.settings`.
 */
const LIVE_FIELDS: Readonly<Record<keyof LivePolicy, (v: unknown) => string | undefined>> = {
  ttl: (v) => typeof v === "number" && v > 0 ? undefined : "a number of ms > 0",
  staleWhileRevalidate: (v) => typeof v === "boolean" ? undefined : "a boolean",
  maxStale: (v) => typeof v === "number" && v >= 0 ? undefined : "a number of ms >= 0",
};

function isLiveField(field: string): field is keyof LivePolicy {
  return Object.hasOwn(LIVE_FIELDS, field);
}

function unknownKey(key: string, registries: readonly ResolverRegistry[]): ResolverError {
  const known = declaredKeys(registries);
  const near = closestName(key, known);
  return new ResolverError(`Unknown resolver settings '${key}'`, {
    code: "UNKNOWN_SETTING",
    detail: `Settings the registered resolvers read: ${known.join(", ") || "(none)"}`,
    help: (near === undefined ? "" : `Did you mean '${near}'? `) +
      "Settings belong to a resolver that declares them (settingsSpec); register it first",
  });
}

/**
 * Checks the values given for the group `key` against every declaration of it (none: no
 * check) and returns them frozen, `undefined` fields left out. Values are never shown in an
 * error: they may be secrets.
 */
function checkGroup(
  key: string,
  specs: readonly ResolverSettingsSpec[],
  values: unknown,
): GroupValues {
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new ResolverError(`The '${key}' settings must be an object`, {
      code: "INVALID_SETTING",
      help: `Pass { field: value } for '${key}'`,
    });
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const [field, value] of Object.entries(values)) {
    if (isLiveField(field)) {
      const wanted = value === undefined ? undefined : LIVE_FIELDS[field](value);
      if (wanted !== undefined) {
        throw new ResolverError(`Setting '${key}.${field}' must be ${wanted}`, {
          code: "INVALID_SETTING",
          detail: `Got ${describeType(value)}`,
        });
      }
      if (value !== undefined) out[field] = value;
      continue;
    }
    for (const spec of specs) {
      const declared = Object.hasOwn(spec.fields, field) ? spec.fields[field] : undefined;
      if (declared === undefined) {
        const names = Object.keys(spec.fields);
        const near = closestName(field, names);
        throw new ResolverError(`Unknown setting '${field}' in the '${key}' settings`, {
          code: "UNKNOWN_SETTING",
          detail: `Settings of '${key}': ${names.join(", ") || "(none)"}`,
          ...(near === undefined ? {} : { help: `Did you mean '${near}'?` }),
        });
      }
      if (value !== undefined && !hasType(value, declared.type)) {
        throw new ResolverError(`Setting '${key}.${field}' must be ${article(declared.type)}`, {
          code: "INVALID_SETTING",
          detail: `Got ${describeType(value)}`,
        });
      }
    }
    if (value !== undefined) out[field] = Array.isArray(value) ? Object.freeze([...value]) : value;
  }
  return Object.freeze(out);
}

function hasType(value: unknown, type: ResolverSettingType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "string[]":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
  }
}

function article(type: string): string {
  return type === "string[]" ? "a list of strings" : type === "object" ? "an object" : `a ${type}`;
}

/** The kind of a value, never the value (it may be a secret). */
function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list with a value that is not a string";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Sets process-wide settings of the group `key` for every Config, below the Config's own
 * (`LoadOptions.resolverSettings`). Additive: a field left out (or `undefined`) keeps its
 * current value; {@linkcode resetResolverSettings} clears them. Settings come from the
 * program, never from config text. The group must be declared by a registered resolver
 * (`settingsSpec`): register a custom resolver before configuring it.
 *
 * @param key The settings group, e.g. `http` (read by `http` and `https`).
 * @param settings Field values, e.g. `{ allow: true, allowlist: ["https://*.example.com/*"] }`.
 * @throws {ResolverError} `UNKNOWN_SETTING` for a group no registered resolver declares or a
 *   field it does not declare (with a "did you mean"); `INVALID_SETTING` for a value of the
 *   wrong type. Values are never shown in the message.
 *
 * @example Enable http for every Config of the process
 * ```ts
 * import { Config, configureResolver, resetResolverSettings } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * configureResolver("http", { allow: true, allowlist: ["http://127.0.0.1:1/*"] });
 * const config = Config.loads("a: ${http:example.com/x}\n");
 * await assert.rejects(config.get("a"), /URL not in allowlist/);
 * resetResolverSettings("http");
 * await assert.rejects(config.get("a"), /HTTP resolver is disabled/);
 * ```
 *
 * @example A misspelled field
 * ```ts
 * import { configureResolver } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => configureResolver("http", { alowlist: [] }),
 *   /Unknown setting 'alowlist' in the 'http' settings[\s\S]*Did you mean 'allowlist'\?/,
 * );
 * ```
 */
export function configureResolver(key: string, settings: object): void {
  const registries = [globalRegistry()];
  const specs = declarationsOf(key, registries);
  if (specs.length === 0) throw unknownKey(key, registries);
  storeProcessSettings(key, checkGroup(key, specs, settings));
}

/**
 * Sets process-wide settings of one group against the given declaration, for a resolver family
 * whose own configuration functions know it (e.g. the AWS ones), registered or not. Same rules
 * as {@linkcode configureResolver}.
 *
 * @param spec The group's declaration.
 * @param settings Field values.
 * @throws {ResolverError} `UNKNOWN_SETTING` or `INVALID_SETTING`, as `configureResolver`.
 */
export function configureResolverGroup(spec: ResolverSettingsSpec, settings: object): void {
  storeProcessSettings(spec.key, checkGroup(spec.key, [spec], settings));
}

function storeProcessSettings(key: string, values: GroupValues): void {
  const state = processSettings();
  state.values.set(key, Object.freeze({ ...state.values.get(key), ...values }));
  state.version++;
}

/**
 * Clears process-wide settings set with {@linkcode configureResolver}: of one group, or of
 * every group when `key` is left out. Per-Config settings are not affected.
 *
 * @param key The group to clear; all when undefined.
 *
 * @example
 * ```ts
 * import { Config, configureResolver, resetResolverSettings } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * configureResolver("http", { allow: true });
 * resetResolverSettings();
 * await assert.rejects(Config.loads("a: ${http:x.invalid/}\n").get("a"), /disabled/);
 * ```
 */
export function resetResolverSettings(key?: string): void {
  const state = processSettings();
  if (key === undefined) state.values.clear();
  else state.values.delete(key);
  state.version++;
}

/**
 * Checks the per-Config settings groups of `LoadOptions.resolverSettings`.
 *
 * @param groups Values by group key.
 * @param registries The Config's registry and the global one.
 * @param options `declared: false` accepts a group no registered resolver declares yet (it is
 *   checked when a declaring resolver is called); for values whose group the caller knows.
 * @returns The checked layer.
 * @throws {ResolverError} `UNKNOWN_SETTING` or `INVALID_SETTING`.
 */
export function checkSettingsLayer(
  groups: Readonly<Record<string, unknown>>,
  registries: readonly ResolverRegistry[],
  options: { declared?: boolean } = {},
): Map<string, GroupValues> {
  const layer = new Map<string, GroupValues>();
  for (const [key, values] of Object.entries(groups)) {
    if (values === undefined) continue;
    const specs = declarationsOf(key, registries);
    if (specs.length === 0 && (options.declared ?? true)) throw unknownKey(key, registries);
    layer.set(key, checkGroup(key, specs, values));
  }
  return layer;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null));

/**
 * The settings one resolver's call receives: for each layer (process, then the Config's), each
 * group of `specs` in order, later values over earlier ones; checked against `specs`, frozen,
 * with secret fields redacted when serialised or inspected.
 *
 * @param specs The resolver's declaration.
 * @param config The Config's layer, if any.
 * @returns `call.settings`.
 * @throws {ResolverError} `UNKNOWN_SETTING` or `INVALID_SETTING` for values this declaration
 *   does not accept (given for a group before this resolver was registered).
 *
 * @example
 * ```ts
 * import { mergedSettings } from "./resolver_settings.ts";
 * import assert from "node:assert/strict";
 * const spec = { key: "demo", fields: { word: { type: "string" as const } } };
 * const settings = mergedSettings([spec], new Map([["demo", { word: "hi" }]]));
 * assert.equal(settings.word, "hi");
 * ```
 */
export function mergedSettings(
  specs: readonly ResolverSettingsSpec[],
  config: SettingsLayer | undefined,
): Readonly<Record<string, unknown>> {
  if (specs.length === 0) return EMPTY;
  const out: Record<string, unknown> = Object.create(null);
  const secrets = new Set<string>();
  for (const layer of [processSettings().values, config]) {
    for (const spec of specs) {
      const values = layer?.get(spec.key);
      if (values !== undefined) Object.assign(out, checkGroup(spec.key, [spec], values));
    }
  }
  for (const field of Object.keys(LIVE_FIELDS)) delete out[field];
  for (const spec of specs) {
    for (const [field, declared] of Object.entries(spec.fields)) {
      if (declared.secret) secrets.add(field);
    }
  }
  return sealSettings(out, secrets);
}

/**
 * The lifetime fields (`ttl`, `staleWhileRevalidate`, `maxStale`) the groups of `specs` give,
 * with the precedence of {@linkcode mergedSettings}: per Config over per process, a later
 * group over an earlier one.
 *
 * @param specs The resolver's declaration.
 * @param config The Config's layer, if any.
 * @returns The fields given (none: an empty policy).
 */
export function mergedLivePolicy(
  specs: readonly ResolverSettingsSpec[],
  config: SettingsLayer | undefined,
): LivePolicy {
  const out: Record<string, unknown> = {};
  for (const layer of [processSettings().values, config]) {
    for (const spec of specs) {
      const values = layer?.get(spec.key);
      if (values === undefined) continue;
      for (const field of Object.keys(LIVE_FIELDS)) {
        if (values[field] !== undefined) out[field] = values[field];
      }
    }
  }
  return Object.freeze(out) as LivePolicy;
}

/**
 * Freezes the settings, adding (non-enumerable) `toJSON` and inspect hooks that show the
 * secret fields as `[REDACTED]`.
 */
function sealSettings(
  values: Record<string, unknown>,
  secrets: ReadonlySet<string>,
): Readonly<Record<string, unknown>> {
  const shown = (): Record<string, unknown> => {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) copy[k] = secrets.has(k) ? REDACTED : v;
    return copy;
  };
  const hidden = { enumerable: false, writable: false, configurable: false };
  Object.defineProperties(values, {
    toJSON: { ...hidden, value: shown },
    [Symbol.for("Deno.customInspect")]: {
      ...hidden,
      value: (inspect?: (value: unknown, options?: unknown) => string, options?: unknown) =>
        typeof inspect === "function" ? inspect(shown(), options) : JSON.stringify(shown()),
    },
    [Symbol.for("nodejs.util.inspect.custom")]: { ...hidden, value: shown },
  });
  return Object.freeze(values);
}

/**
 * The `call.settings` of each resolver of one Config, cached per registration until the
 * process-wide settings change.
 */
export class ResolverSettings {
  #layer: SettingsLayer;
  #cache = new WeakMap<RegisteredResolver, { version: number; settings: Readonly<object> }>();
  #live = new WeakMap<RegisteredResolver, { version: number; policy: LivePolicy }>();

  /** @param layer The Config's checked settings. */
  constructor(layer: SettingsLayer) {
    this.#layer = layer;
  }

  /**
   * The settings a call of `reg` receives.
   *
   * @param reg The registered resolver.
   * @returns Its merged settings.
   * @throws {ResolverError} As {@linkcode mergedSettings}.
   */
  for(reg: RegisteredResolver): Readonly<Record<string, unknown>> {
    if (reg.settingsSpec.length === 0) return EMPTY;
    const version = processSettings().version;
    const hit = this.#cache.get(reg);
    if (hit !== undefined && hit.version === version) {
      return hit.settings as Readonly<Record<string, unknown>>;
    }
    const settings = mergedSettings(reg.settingsSpec, this.#layer);
    this.#cache.set(reg, { version, settings });
    return settings;
  }

  /**
   * The lifetime fields the settings give a resolver's values (`ttl`, `staleWhileRevalidate`,
   * `maxStale`), over what its registration says.
   *
   * @param reg The registered resolver.
   * @returns Its policy: settings (per Config over per process) over registration, per field.
   */
  liveFor(reg: RegisteredResolver): LivePolicy {
    if (reg.settingsSpec.length === 0) return reg.live;
    const version = processSettings().version;
    const hit = this.#live.get(reg);
    if (hit !== undefined && hit.version === version) return hit.policy;
    const policy = Object.freeze({
      ...reg.live,
      ...mergedLivePolicy(reg.settingsSpec, this.#layer),
    });
    this.#live.set(reg, { version, policy });
    return policy;
  }
}
