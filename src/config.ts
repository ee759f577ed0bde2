/**
 * The `Config` facade: loading, access, resolution, validation and export, tying the
 * loader, engine, scheduler, registry, schema and export rooms together.
 *
 * @module
 */

import {
  HoloconfError,
  ResolverError,
  type SourceLocation,
  ValidationError,
  type ValidationIssue,
} from "./errors.ts";
import { Engine, type TraceEvent } from "./engine.ts";
import { cloneValue } from "./value.ts";
import { coerceString, coercionError, NUMBER_REGEXP } from "./schema/coerce.ts";
import { isGlob, type LoadedTrees, loadTrees, type PathSpec } from "./loader.ts";
import { mergeTrees } from "./merge.ts";
import { formatPath, type PathSegment } from "./path.ts";
import { globalRegistry, ResolverRegistry } from "./registry.ts";
import type { RegisterOptions, Resolver } from "./resolver.ts";
import { checkSettingsLayer, ResolverSettings, type SettingsLayer } from "./resolver_settings.ts";
import { cwd as runtimeCwd, getEnv } from "./runtime.ts";
import { OverrideLayers } from "./overrides.ts";
import {
  type AutoRefreshOptions,
  type ChangeListener,
  Live,
  type LiveHandle,
  type RefreshOptions,
} from "./live.ts";
import type { ChangeSet } from "./change_set.ts";
import { type FileWatch, watchFiles } from "./_file_watch.ts";
import { toHoloconfError } from "./_resolver_errors.ts";
import type { LivePolicy } from "./registry.ts";
import { Schema } from "./schema/schema.ts";
import { collectIssues, withSources } from "./schema/_issues.ts";
import {
  type InferSchemaOutput,
  isStandardSchema,
  type StandardSchemaV1,
  validateStandard,
} from "./schema/standard.ts";
import type { ConfigData, ConfigPath, ConfigValue, Redacted } from "./typed_path.ts";
import {
  defineOwn,
  fromPlain,
  isMandatory,
  MANDATORY,
  type MapNode,
  toPlain,
  type TreeNode,
} from "./tree.ts";
import { parseJsonTree, parseYamlTree } from "./yaml.ts";
import { exportText } from "./export.ts";
import { dirname, resolve as resolvePosix } from "./_posix.ts";
import { needsInterpolation } from "./interpolation/parser.ts";

export type { PathSpec } from "./loader.ts";
export type { TraceEvent } from "./engine.ts";
export type { AutoRefreshOptions, ChangeListener, LiveHandle, RefreshOptions } from "./live.ts";
export type { Change, ChangeSet, RefreshFailure } from "./change_set.ts";

/**
 * Options for loading a config.
 *
 * @typeParam T The config's type, inferred from a Standard Schema `schema` (its input type).
 * @typeParam Out What `validate()` returns, inferred from a Standard Schema (its output type).
 */
export interface LoadOptions<T = unknown, Out = T> {
  /** Directory for relative `${file:}` paths of a string config; also a file root. */
  basePath?: string;
  /**
   * What messages and source locations call a config parsed from text (`loads`, `fromJson`):
   * the path it was read from, `<stdin>`, ... Without `basePath`, relative `${file:}` paths in
   * it resolve against the directory of this name taken as a path (the working directory for a
   * name such as `<stdin>`); reading still needs a file root (`basePath` or `fileRoots`), as for
   * any config parsed from text. Ignored by `load`, whose files name themselves.
   * @default {"<string>"} (`"<json>"` for `fromJson`)
   */
  sourceName?: string;
  /** Extra directories the file resolver may read. */
  fileRoots?: string[];
  /**
   * A schema to attach: a JSON Schema (or its path) gives defaults and coercion (SPEC §8); a
   * Standard Schema validator (zod, valibot, arktype...) types the config and is what
   * `validate()` checks against by default.
   */
  schema?: Schema | string | StandardSchemaV1<T, Out>;
  /**
   * Settings of the resolvers for this Config, by settings group: e.g.
   * `{ http: { allow: true, allowlist: ["https://*.example.com/*"] }, aws: { region: "eu-west-1" },
   * ssm: { endpoint: "http://127.0.0.1:4566" } }`. They win over the process-wide ones
   * (`configureResolver`); a resolver's keyword arguments win over both. Each group must be
   * declared by a registered resolver (`settingsSpec`); unknown groups and fields are refused.
   */
  resolverSettings?: Readonly<Record<string, object>>;
  /** Enable the http/https resolvers: alias of `resolverSettings.http.allow`. @default {false} */
  allowHttp?: boolean;
  /** URL patterns allowed for http/https: alias of `resolverSettings.http.allowlist`. */
  httpAllowlist?: string[];
  /** Proxy URL for http/https: alias of `resolverSettings.http.proxy`. */
  httpProxy?: string;
  /** Take the proxy from `HTTPS_PROXY`/`HTTP_PROXY`: alias of `resolverSettings.http.proxyFromEnv`. */
  httpProxyFromEnv?: boolean;
  /** CA bundle replacing the default roots (path or PEM): alias of `resolverSettings.http.caBundle`. */
  httpCaBundle?: string;
  /** CA bundle added to the default roots: alias of `resolverSettings.http.extraCaBundle`. */
  httpExtraCaBundle?: string;
  /** Client certificate (path or PEM text): alias of `resolverSettings.http.clientCert`. */
  httpClientCert?: string;
  /** Client key (path or PEM text): alias of `resolverSettings.http.clientKey`. */
  httpClientKey?: string;
  /** Password of the client key: alias of `resolverSettings.http.clientKeyPassword`. */
  httpClientKeyPassword?: string;
  /** Per-config resolvers (override global ones of the same name). */
  resolvers?: Record<string, Resolver>;
  /** Called once per resolver invocation after it settles (never with the value). */
  onTrace?: (event: TraceEvent) => void;
  /** Where warnings go (e.g. `insecure=true` on https). @default {() => {}} */
  onWarning?: (message: string) => void;
  /**
   * Reads of an expired value (see `ttl`) return the last value at once and refresh it in the
   * background, for every resolver that does not say otherwise (`staleWhileRevalidate` of its
   * registration or settings). @default {false} (a read waits for the fresh value)
   */
  staleWhileRevalidate?: boolean;
  /**
   * How long past its expiry a value may still be used when fetching it again fails
   * (stale-if-error), in ms, for every resolver that does not say otherwise; after that the
   * error surfaces on access. @default {undefined} (no limit)
   */
  maxStale?: number;
  /**
   * The clock TTLs are measured on, in ms (any origin): inject one to test expiry without
   * waiting. @default {() => performance.now()}
   */
  now?: () => number;
  /**
   * `.env` files whose variables feed `${env:...}` for this Config only (the process
   * environment is not changed, and its variables win over the files'); later files win over
   * earlier ones. With `envPrefix`, their variables with the prefix override values too (below
   * the environment's). Read like config files (regular files of at most 16 MiB);
   * `{ path, optional: true }` skips a missing one. Parsed with the `dotenv` package, imported
   * on first use: until it is loaded (the first Config with `.env` files in a process),
   * synchronous reads wait for `await config.ready()`. `watch()` watches them, and a reload
   * reads them again; `merge()` carries them into the config merged into.
   */
  envFiles?: (string | PathSpec)[];
  /**
   * Environment variables named `<envPrefix><envSeparator><key>...` override values:
   * `APP__DB__PORT=5433` sets `db.port` (a key matches ignoring case; a number indexes a list:
   * `APP__SERVERS__0__HOST`). The text is coerced by the attached JSON Schema (a string
   * otherwise). Only `<envPrefix><envSeparator>` is matched: `APP` never reads `APPLE` or `HOME`.
   * Their values (from the environment or an `envFiles` file) are sensitive: redacted by
   * redacted exports, their source still shown.
   */
  envPrefix?: string;
  /** Between `envPrefix` and each key. @default {"__"} */
  envSeparator?: string;
  /**
   * Values set over everything else, by access path: `{ "db.port": 5433 }` (origin
   * `override db.port`), or `path=value` texts read as YAML, as the CLI's `--set`
   * (`["db.port=5433"]`, origin `--set db.port`). Sensitive where it replaces a value that is
   * not a literal (an interpolation, a `???`, a sensitive value); literal otherwise.
   */
  overrides?: Readonly<Record<string, unknown>> | readonly string[];
  /**
   * Let overrides add keys (and append list items) the config does not have; without it such
   * an override is an `UNKNOWN_OVERRIDE_KEY` error with a "did you mean".
   * @default {false}
   */
  allowNew?: boolean;
  /**
   * Resolve `${...}` in override values (environment variables, `overrides`); by default they
   * are literal text, as a resolver's value is.
   * @default {false}
   */
  interpolateOverrides?: boolean;
  /**
   * Refuse every resolver that declares `network` (`http`, `https`, `ssm`, `s3`, `cfn`,
   * `secretsmanager`, `appconfig`, and custom ones that say so) with code `OFFLINE`. Also on when
   * the environment has `HOLOCONF_OFFLINE=1` (or `true`, `yes`, `on`), whatever this says, read
   * when the Config loads and only where the runtime lets the program read it: under Deno without
   * env permission for that variable it is not seen (the Config is online, and nothing warns).
   * This option is the guarantee. Per-Config mocks (`resolvers: { ssm: ... }`) that do not
   * declare `network` still run.
   * @default {false}
   */
  offline?: boolean;
}

/**
 * Whether a value of `HOLOCONF_OFFLINE` turns test mode on (`LoadOptions.offline`): `1`,
 * `true`, `yes` or `on`, in any letter case, blanks around ignored. A Config reads the variable
 * itself; a tool with its own view of the environment (the CLI) asks this with its value.
 *
 * @param value The variable's value (undefined: unset, or not readable).
 * @returns True when it asks for offline mode.
 *
 * @example
 * ```ts
 * import { isOfflineFlag } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.equal(isOfflineFlag(" TRUE "), true);
 * assert.equal(isOfflineFlag("0"), false);
 * assert.equal(isOfflineFlag(undefined), false);
 * ```
 */
export function isOfflineFlag(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test(value?.trim() ?? "");
}

/** Whether `HOLOCONF_OFFLINE` asks for offline mode (when it can be read). */
function offlineFromEnv(): boolean {
  return isOfflineFlag(getEnv("HOLOCONF_OFFLINE"));
}

/**
 * The load options kept from upstream's API (`allow_http`, `http_allowlist`, ...) and the
 * `resolverSettings.http` field each one stands for: the one place they are mapped.
 */
const HTTP_OPTION_ALIASES = {
  allowHttp: "allow",
  httpAllowlist: "allowlist",
  httpProxy: "proxy",
  httpProxyFromEnv: "proxyFromEnv",
  httpCaBundle: "caBundle",
  httpExtraCaBundle: "extraCaBundle",
  httpClientCert: "clientCert",
  httpClientKey: "clientKey",
  httpClientKeyPassword: "clientKeyPassword",
} as const satisfies Partial<Record<keyof LoadOptions, string>>;

/**
 * The Config's settings layer: `resolverSettings`, plus the http aliases folded into its
 * `http` group (a field given both ways is refused). The aliases' group is checked against
 * the http resolvers' declaration when they are registered, else when they are called.
 */
function settingsLayer(options: LoadOptions, registries: ResolverRegistry[]): SettingsLayer {
  const layer = checkSettingsLayer(options.resolverSettings ?? {}, registries);
  const aliased: Record<string, unknown> = {};
  const given = layer.get("http") ?? {};
  for (const [option, field] of Object.entries(HTTP_OPTION_ALIASES)) {
    const value = options[option as keyof typeof HTTP_OPTION_ALIASES];
    if (value === undefined) continue;
    if (Object.hasOwn(given, field)) {
      throw new ResolverError(`Setting 'http.${field}' is given twice`, {
        code: "INVALID_SETTING",
        help: `Pass either ${option} or resolverSettings.http.${field}, not both`,
      });
    }
    aliased[field] = value;
  }
  if (Object.keys(aliased).length === 0) return layer;
  const checked = checkSettingsLayer({ http: aliased }, registries, { declared: false });
  layer.set("http", Object.freeze({ ...given, ...checked.get("http") }));
  return layer;
}

/** Options of `config.watch()`. */
export interface WatchOptions {
  /** Quiet time after the last change of a file before reloading, in ms. @default {100} */
  debounce?: number;
  /**
   * How often the files are checked on runtimes where they are polled (Deno: its watcher
   * opens changed files, and blocks forever on a FIFO), in ms. @default {1000}
   */
  interval?: number;
}

/**
 * How to load the config's tree again: the same files, merged the same way, each merged config's
 * override layers read again and applied to its own files (`envs`: their `.env` variables, in
 * merge order).
 */
type Recipe = () => Promise<Pick<LoadedTrees, "tree" | "files"> & { envs: OverrideLayers[] }>;

/** How many times a reload starts over when the config changed while it ran. */
const RELOAD_ATTEMPTS = 3;

/** Options of `resolveAll`. */
export interface ResolveAllOptions {
  /** Deadline for the whole batch, in ms. */
  timeout?: number;
  /** Narrows the process-wide concurrency limit for this batch. */
  maxConcurrency?: number;
  /** Aborts the batch. */
  signal?: AbortSignal;
}

/** Options of `toObject`, `toYaml` and `toJson`. */
export interface ExportOptions {
  /** Resolve interpolations. @default {false} (true when `redact` is set) */
  resolve?: boolean;
  /**
   * Replace sensitive values by `[REDACTED]`; with `resolve: false`, the override values that
   * are sensitive (see `envPrefix` and `overrides`). @default {false}
   */
  redact?: boolean;
}

/** Options of `get`. */
export interface GetOptions {
  /**
   * Replace sensitive values by `[REDACTED]`, as `toYaml({ redact: true })` does: inside a
   * mapping or sequence, each sensitive value; a sensitive value asked for itself, whole.
   * @default {false}
   */
  redact?: boolean;
}

const STRING_SOURCE = "<string>";

interface Settings {
  basePath: string | undefined;
  roots: string[];
  onWarning: (message: string) => void;
  resolverSettings: ResolverSettings;
  files: string[];
  onTrace: ((event: TraceEvent) => void) | undefined;
  offline: boolean;
  /** The Config's `staleWhileRevalidate` and `maxStale`, below each resolver's own. */
  live: LivePolicy | undefined;
  now: () => number;
}

/**
 * A loaded configuration. Values resolve lazily on access (memoized per node) or all at once
 * with `resolveAll()`.
 *
 * With a type, `Config<T>` (from `Config.load<T>()`, or inferred from a Standard Schema
 * validator given as `schema`), `get` and `getSync` accept only the paths of `T` and return
 * the type there, and `resolveAll()` returns `T`. Without one, any path is accepted and values
 * are `unknown`.
 *
 * @typeParam T The type of the resolved config (`unknown` or `any`: untyped).
 * @typeParam Out What `validate()` returns: a Standard Schema validator's output type.
 *
 * @example Load, access lazily, dump redacted
 * ```ts
 * import { Config } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const config = Config.loads("db:\n  host: localhost\n  url: postgres://${db.host}/app\n");
 * assert.equal(await config.get("db.url"), "postgres://localhost/app");
 * ```
 *
 * @example A typed config: only its paths compile, each with its type
 * ```ts
 * import { Config } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * interface App {
 *   db: { host: string; port: number };
 *   servers: { name: string }[];
 * }
 * const config = Config.loads<App>("db: { host: h, port: 5432 }\nservers: [{ name: a }]\n");
 * const port: number = await config.get("db.port");
 * const name: string = config.getSync("servers[0].name");
 * // @ts-expect-error: "db.prot" is not a path of App
 * await assert.rejects(config.get("db.prot"));
 * assert.deepEqual([port, name], [5432, "a"]);
 * ```
 */
// `Config` without type arguments is any config, typed or not: a `Config<App>` can be passed
// where a `Config` is expected (the type argument is invariant: paths in, values out).
// deno-lint-ignore no-explicit-any
export class Config<in out T = any, in out Out = T> {
  #engineRef: Engine;
  #settings: Settings;
  /** The files and the configs merged in, without the overrides. */
  #base: MapNode;
  /** Overrides and the `.env` files (src/overrides.ts), applied over `#base`. */
  #layers: OverrideLayers;
  /** The override layers of the configs merged in, in merge order: their `.env` variables. */
  #mergedLayers: OverrideLayers[] = [];
  /**
   * While a reload recomputes the values: the layers it read again, whose environment its calls
   * (and the calls it reuses) are checked against; kept when the reload is applied.
   */
  #reloading: { layers: OverrideLayers; merged: OverrideLayers[] } | undefined;
  /** The `.env` files being parsed (the parser loads on first use): reads wait or refuse. */
  #pending: Promise<void> | undefined;
  #registry = new ResolverRegistry();
  #schema: Schema | StandardSchemaV1 | undefined;
  #live: Live;
  /** Loads the tree again, for `watch()`. */
  #recipe: Recipe;
  /**
   * Files to watch besides those loaded: the paths loaded from (optional files that were missing
   * included) and the `.env` files, this config's and those of the configs merged in.
   */
  #watchPaths: string[] = [];
  /** The running file watches, told of the files of a config merged in. */
  #watches = new Set<FileWatch>();

  private constructor(root: MapNode, options: LoadOptions<T, Out>, files: string[]) {
    const cwd = runtimeCwd();
    const basePath = options.basePath === undefined
      ? undefined
      : resolvePosix(cwd, options.basePath);
    const roots = uniq([
      ...files.map((f) => dirname(f)),
      ...(basePath === undefined ? [] : [basePath]),
      ...(options.fileRoots ?? []).map((r) => resolvePosix(cwd, r)),
    ]);
    for (const [name, r] of Object.entries(options.resolvers ?? {})) {
      this.#registry.register(name, r, { force: true });
    }
    const layer = settingsLayer(options, [this.#registry, globalRegistry()]);
    if (options.maxStale !== undefined && !(options.maxStale >= 0)) {
      throw new RangeError(`maxStale must be >= 0 ms, got ${options.maxStale}`);
    }
    const live = options.staleWhileRevalidate === undefined && options.maxStale === undefined
      ? undefined
      : Object.freeze({
        ...(options.staleWhileRevalidate === undefined
          ? {}
          : { staleWhileRevalidate: options.staleWhileRevalidate }),
        ...(options.maxStale === undefined ? {} : { maxStale: options.maxStale }),
      });
    this.#settings = {
      basePath,
      roots,
      files,
      onTrace: options.onTrace,
      onWarning: options.onWarning ?? (() => {}),
      resolverSettings: new ResolverSettings(layer),
      offline: options.offline === true || offlineFromEnv(),
      live,
      now: options.now ?? (() => performance.now()),
    };
    this.#base = root;
    this.#layers = new OverrideLayers(options);
    this.#watchPaths.push(...this.#layers.envFilePaths.map((p) => resolvePosix(cwd, p)));
    this.#recipe = () => Promise.resolve({ tree: root, files: [...files], envs: [] });
    this.#engineRef = this.#newEngine(root, cwd);
    this.#live = new Live(this.#engineRef, {
      now: this.#settings.now,
      onWarning: this.#settings.onWarning,
    });
    // Values parsed from a string keep their basePath through merges into other configs.
    if (basePath !== undefined && files.length === 0) this.#engineRef.setSourceBase(basePath);
    if (options.schema !== undefined) {
      this.setSchema(
        typeof options.schema === "string" ? Schema.load(options.schema) : options.schema,
      );
    } else {
      this.#engineRef.root = this.#withOverrides(root);
    }
    if (!this.#layers.ready) {
      const parsed = this.#layers.prepare().then(() => {
        this.#engineRef.root = this.#withOverrides(this.#base);
        this.#pending = undefined;
      });
      parsed.catch(() => {}); // reported by the reads that wait for it
      this.#pending = parsed;
    }
  }

  /** The engine, for reads: refused while the `.env` files are being parsed. */
  get #engine(): Engine {
    this.#assertParsed();
    return this.#engineRef;
  }

  /** Refuses synchronous reads while the `.env` files are being parsed. */
  #assertParsed(): void {
    if (this.#pending !== undefined) {
      throw new HoloconfError("The .env files of this Config are not parsed yet", {
        code: "ASYNC_RESOLUTION_REQUIRED",
        help: "await config.ready() (or any asynchronous read) first: the .env parser is " +
          "imported on first use",
      });
    }
  }

  /** `base` with the overrides (this config's, or `layers`), coerced by the attached JSON Schema. */
  #withOverrides(base: MapNode, layers: OverrideLayers = this.#layers): MapNode {
    const schema = this.#schema instanceof Schema ? this.#schema : undefined;
    return layers.apply(base, schema && ((path) => schema.coercionTypeAt(path)));
  }

  /**
   * The Config's environment (`${env:...}`): the process environment, else the `.env` files of
   * the configs merged in (the latest merged first), else this config's own.
   */
  #env(name: string): string | undefined {
    const own = getEnv(name);
    if (own !== undefined) return own;
    const { layers, merged } = this.#reloading ??
      { layers: this.#layers, merged: this.#mergedLayers };
    for (let i = merged.length - 1; i >= 0; i--) {
      const v = merged[i]!.fileVar(name);
      if (v !== undefined) return v;
    }
    return layers.fileVar(name);
  }

  /**
   * Waits until the Config can be read synchronously: its `.env` files parsed (the parser is
   * imported on first use) and the overrides they hold applied. Asynchronous reads (`get`,
   * `resolveAll`, `validate`, exports) wait by themselves; `getSync`, `getRaw`, `has`,
   * `getSource` and `dumpSources` throw `ASYNC_RESOLUTION_REQUIRED` until then. Resolves at
   * once for a Config without `.env` files.
   *
   * @returns When ready.
   * @throws {HoloconfError} An override from a `.env` file that cannot be applied
   *   (`UNKNOWN_OVERRIDE_KEY`...), or the parser could not be loaded.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const dir = Deno.makeTempDirSync();
   * Deno.writeTextFileSync(`${dir}/.env`, "HOLOCONF_DOC_DB_HOST=db.internal\n");
   * const config = Config.loads("host: ${env:HOLOCONF_DOC_DB_HOST}\n", {
   *   envFiles: [`${dir}/.env`],
   * });
   * await config.ready();
   * assert.equal(config.getSync("host"), "db.internal");
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  async ready(): Promise<void> {
    await this.#pending;
  }

  #newEngine(root: MapNode, cwd: string): Engine {
    return new Engine(root, {
      registry: this.#registry,
      context: {
        onWarning: this.#settings.onWarning,
        fileRoots: this.#settings.roots,
        env: (name) => this.#env(name),
      },
      settingsFor: (reg) => this.#settings.resolverSettings.for(reg),
      liveFor: (reg) => {
        const own = this.#settings.resolverSettings.liveFor(reg);
        const config = this.#settings.live;
        return config === undefined ? own : { ...config, ...own };
      },
      now: this.#settings.now,
      onExpiry: (expiresAt) => this.#live?.expiryChanged(expiresAt),
      basePath: this.#settings.basePath,
      cwd,
      onTrace: this.#settings.onTrace,
      offline: this.#settings.offline,
    });
  }

  // ------------------------------------------------------------------ loading

  /**
   * Loads one or more YAML/JSON files (globs allowed), deep-merged in order. Nothing is
   * resolved here.
   *
   * @param path A path, a `{ path, optional }` spec, or a list of them.
   * @param options Load options.
   * @returns The config.
   * @throws {NotFoundError} `File not found: <path>` (code `FILE_NOT_FOUND`).
   * @throws {ParseError} Invalid YAML, or a root that is not a mapping.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const dir = Deno.makeTempDirSync();
   * Deno.writeTextFileSync(`${dir}/app.yaml`, "port: 8080\n");
   * const config = Config.load(`${dir}/app.yaml`);
   * assert.equal(await config.get("port"), 8080);
   * ```
   */
  static load<T = unknown, Out = T>(
    path: string | PathSpec | (string | PathSpec)[],
    options: LoadOptions<T, Out> = {},
  ): Config<T, Out> {
    const { tree, files, texts } = loadTrees(path);
    const config = new Config(tree, options, files);
    // Entries given as text resolve relative `${file:}` paths against basePath, as `loads`.
    const base = config.#settings.basePath;
    if (base !== undefined) { for (const t of texts) config.#engineRef.setSourceBase(base, t); }
    config.#reloadsFrom(path, () => Promise.resolve({ ...loadTrees(path), envs: [] }));
    return config;
  }

  /**
   * Like `load`, but a missing file (or a glob matching nothing) gives an empty config.
   *
   * @param path A path or glob.
   * @param options Load options.
   * @returns The config.
   * @throws {ParseError} When the file exists but is invalid.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.optional("/nonexistent/local.yaml");
   * assert.deepEqual(await config.toObject(), {});
   * ```
   */
  static optional<T = unknown, Out = T>(
    path: string,
    options: LoadOptions<T, Out> = {},
  ): Config<T, Out> {
    const { tree, files } = loadTrees(path, { optional: true });
    const config = new Config(tree, options, files);
    config.#reloadsFrom(
      path,
      () => Promise.resolve({ ...loadTrees(path, { optional: true }), envs: [] }),
    );
    return config;
  }

  /** Remembers how the files were loaded, for `watch()`. */
  #reloadsFrom(path: string | PathSpec | (string | PathSpec)[], recipe: Recipe): void {
    this.#recipe = recipe;
    const cwd = runtimeCwd();
    for (const spec of Array.isArray(path) ? path : [path]) {
      const p = typeof spec === "string" ? spec : spec.path;
      if (!isGlob(p)) this.#watchPaths.push(resolvePosix(cwd, p));
    }
  }

  /**
   * Parses YAML (or JSON) text.
   *
   * @param text The document.
   * @param options Load options (`basePath` for relative `${file:}` paths, `sourceName` for
   *   messages).
   * @returns The config.
   * @throws {ParseError} Invalid YAML, several documents, or a root that is not a mapping.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: 1\nb: ${a}\n");
   * assert.equal(await config.get("b"), 1);
   * ```
   *
   * @example Name the text in messages and source locations
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.throws(() => Config.loads("a: [1\n", { sourceName: "<stdin>" }), { source: "<stdin>:2:1" });
   * assert.equal(Config.loads("a: 1\n", { sourceName: "<stdin>" }).dumpSources()["a"]?.file, "<stdin>");
   * ```
   */
  static loads<T = unknown, Out = T>(
    text: string,
    options: LoadOptions<T, Out> = {},
  ): Config<T, Out> {
    const tree = parseYamlTree(text, { file: options.sourceName ?? STRING_SOURCE });
    return new Config(tree, options, []);
  }

  /**
   * Parses strict JSON text.
   *
   * @param text The JSON document (an object).
   * @param options Load options.
   * @returns The config.
   * @throws {ParseError} Invalid JSON or a root that is not an object.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.fromJson('{"a": {"b": [1, 2]}}');
   * assert.equal(await config.get("a.b[1]"), 2);
   * ```
   */
  static fromJson<T = unknown, Out = T>(
    text: string,
    options: LoadOptions<T, Out> = {},
  ): Config<T, Out> {
    const tree = parseJsonTree(text, { file: options.sourceName ?? "<json>" });
    return new Config(tree, options, []);
  }

  /**
   * Wraps a plain object (its strings may hold interpolations).
   *
   * @param value The object.
   * @param options Load options.
   * @returns The config.
   * @throws {ParseError} For input nested more than 1,000 levels deep, an object that contains
   *   itself, or objects used at so many places that copying them would exceed 10,000 nodes
   *   (codes `MAX_NESTING_EXCEEDED`, `CYCLIC_VALUE`, `EXPANSION_LIMIT_EXCEEDED`).
   * @throws {TypeError} For values that are not JSON-like.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.fromObject({ host: "h", url: "http://${host}/" });
   * assert.equal(await config.get("url"), "http://h/");
   * ```
   */
  static fromObject<T = unknown, Out = T>(
    value: Record<string, unknown>,
    options: LoadOptions<T, Out> = {},
  ): Config<T, Out> {
    const tree = fromPlain(value);
    if (tree.kind !== "map") throw new TypeError("Config.fromObject expects an object");
    return new Config(tree, options, []);
  }

  // ------------------------------------------------------------------ access

  /**
   * Resolves a path lazily (only what it needs), memoized. A mapping or sequence comes back
   * resolved deeply. A value whose TTL passed is fetched again first, in a refresh shared by
   * every read meanwhile (see {@linkcode refresh}); with `staleWhileRevalidate` the last value
   * comes back at once while it refreshes.
   *
   * @param path Access path such as `database.hosts[0].name` (`""` for the whole config); for a
   *   typed `Config<T>`, one of the paths of `T`.
   * @param options `redact` replaces the sensitive values in the result by `[REDACTED]`.
   * @returns The resolved value (of the type at `path` in `T` for a typed config).
   * @throws {PathNotFoundError} When the path does not exist (and no schema default).
   * @throws {ResolverError} When a resolver fails.
   * @throws {CircularReferenceError} When references loop.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("servers:\n  - host: a\n    url: http://${.host}/\n");
   * assert.equal(await config.get("servers[0].url"), "http://a/");
   * ```
   *
   * @example A mapping with its sensitive values redacted
   * ```ts
   * import { Config, ResolvedValue } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("db:\n  user: app\n  password: ${vault:db}\n", {
   *   resolvers: { vault: () => new ResolvedValue("s3cr3t", { sensitive: true }) },
   * });
   * assert.deepEqual(await config.get("db", { redact: true }), {
   *   user: "app",
   *   password: "[REDACTED]",
   * });
   * assert.equal(await config.get("db.password"), "s3cr3t");
   * ```
   */
  get<P extends ConfigPath<T>>(
    path: P,
    options?: GetOptions & { redact?: false | undefined },
  ): Promise<ConfigValue<T, P>>;
  /**
   * Resolves a path with its sensitive values replaced by `[REDACTED]`: any part of the value
   * may then be that text, whatever the type at `path` says (see {@linkcode Redacted}).
   *
   * @param path Access path (for a typed `Config<T>`, one of the paths of `T`).
   * @param options `redact: true`.
   * @returns The resolved value, redacted.
   * @throws {PathNotFoundError} When the path does not exist (and no schema default).
   * @throws {ResolverError} When a resolver fails.
   *
   * @example
   * ```ts
   * import { Config, ResolvedValue } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads<{ port: number }>("port: ${vault:p}\n", {
   *   resolvers: { vault: () => new ResolvedValue(5432, { sensitive: true }) },
   * });
   * const port = await config.get("port", { redact: true }); // number | "[REDACTED]"
   * assert.equal(port, "[REDACTED]");
   * ```
   */
  get<P extends ConfigPath<T>>(
    path: P,
    options: GetOptions & { redact: true },
  ): Promise<Redacted<ConfigValue<T, P>>>;
  /**
   * Resolves a path, redacted or not as `options.redact` says (typed as possibly redacted).
   *
   * @param path Access path (for a typed `Config<T>`, one of the paths of `T`).
   * @param options `redact` replaces the sensitive values in the result by `[REDACTED]`.
   * @returns The resolved value.
   * @throws {PathNotFoundError} When the path does not exist (and no schema default).
   * @throws {ResolverError} When a resolver fails.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const redact: boolean = false;
   * assert.equal(await Config.loads("a: 1\n").get("a", { redact }), 1);
   * ```
   */
  get<P extends ConfigPath<T>>(
    path: P,
    options?: GetOptions,
  ): Promise<Redacted<ConfigValue<T, P>>>;
  async get<P extends ConfigPath<T>>(
    path: P,
    options: GetOptions = {},
  ): Promise<ConfigValue<T, P> | Redacted<ConfigValue<T, P>>> {
    await this.#pending;
    const r = await this.#live.get(path);
    if (options.redact) {
      return cloneValue(await this.#engine.getRedacted(path)) as ConfigValue<T, P>;
    }
    return cloneValue(r.value) as ConfigValue<T, P>;
  }

  /**
   * Resolves a path synchronously. Works when the value is memoized or needs only synchronous
   * resolvers; otherwise starts the asynchronous call (memoized for a later `get`) and throws.
   * A value whose TTL passed comes back as it is (up to `maxStale` past its expiry) and its
   * refresh is started.
   *
   * @param path Access path (for a typed `Config<T>`, one of the paths of `T`).
   * @returns The resolved value (of the type at `path` in `T` for a typed config).
   * @throws {ResolverError} Code `ASYNC_RESOLUTION_REQUIRED` when an async resolver is needed.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: 1\nb: x-${a}\n");
   * assert.equal(config.getSync("b"), "x-1");
   * ```
   */
  getSync<P extends ConfigPath<T>>(path: P): ConfigValue<T, P> {
    this.#assertParsed();
    const r = this.#live.getSync(path);
    return cloneValue(r.value) as ConfigValue<T, P>;
  }

  /**
   * The raw value at a path: interpolations kept as written, nothing resolved. With a schema
   * attached, its defaults count as written, as for `get` (SPEC §8): a missing path or a
   * disallowed null gives the default, a mapping gets its missing children's defaults.
   *
   * @param path Access path.
   * @param options `redact` replaces the override values that are sensitive (see `envPrefix`
   *   and `overrides`) by `[REDACTED]`.
   * @returns Plain raw data.
   * @throws {PathNotFoundError} When the path does not exist and has no schema default.
   *
   * @example
   * ```ts
   * import { Config, Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: ${env:HOME}\n");
   * assert.equal(config.getRaw("a"), "${env:HOME}");
   * config.setSchema(Schema.fromObject({ properties: { port: { default: 8080 } } }));
   * assert.equal(config.getRaw("port"), 8080);
   * // An override of an interpolation is sensitive: it may be a secret.
   * const set = Config.loads("db:\n  pw: ${env:PW}\n", { overrides: { "db.pw": "x" } });
   * assert.deepEqual(set.getRaw("db", { redact: true }), { pw: "[REDACTED]" });
   * ```
   */
  getRaw(path: string, options: GetOptions = {}): unknown {
    return this.#engine.rawValue(path, options);
  }

  /**
   * Whether a path has a value without resolving anything: it is in the raw tree, or the
   * attached schema has a default for it (the rule of `getRaw` and `get`).
   *
   * @param path Access path.
   * @returns True when present.
   *
   * @example
   * ```ts
   * import { Config, Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a:\n  b: 1\n");
   * assert.equal(config.has("a.b"), true);
   * assert.equal(config.has("a.c"), false);
   * config.setSchema(Schema.fromObject({ properties: { port: { default: 8080 } } }));
   * assert.equal(config.has("port"), true);
   * ```
   */
  has(path: string): boolean {
    const engine = this.#engine;
    try {
      const node = engine.rawNode(path);
      // A value still marked ??? has none yet.
      if (node !== undefined && isMandatory(node)) return false;
      engine.rawValue(path);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether the value at a path is available without running a resolver.
   *
   * @param path Access path.
   * @returns True when memoized or literal.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: ${b}\nb: 1\n");
   * assert.equal(config.isResolved("a"), false);
   * await config.get("a");
   * assert.equal(config.isResolved("a"), true);
   * ```
   */
  isResolved(path: string): boolean {
    const engine = this.#engine;
    try {
      return engine.isResolved(path);
    } catch {
      return false;
    }
  }

  /**
   * The value as a string: strings as is, numbers/booleans as text, null as `"null"`.
   *
   * @param path Access path.
   * @returns Text.
   * @throws {TypeCoercionError} For bytes, lists and maps.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(await Config.loads("p: 8080\n").getString("p"), "8080");
   * ```
   */
  async getString(path: string): Promise<string> {
    await this.#pending;
    const r = await this.#live.get(path);
    const v = r.value;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (v === null) return "null";
    throw coercionError(path, "string", r);
  }

  /**
   * The value as an integer: integers, or strings that parse strictly as integers.
   *
   * @param path Access path.
   * @returns The integer.
   * @throws {TypeCoercionError} Otherwise.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(await Config.loads('p: "8080"\n').getInt("p"), 8080);
   * ```
   */
  async getInt(path: string): Promise<number> {
    await this.#pending;
    const r = await this.#live.get(path);
    const v = r.value;
    if (typeof v === "number" && Number.isInteger(v)) return v;
    const c = typeof v === "string" ? coerceString(v, "integer") : undefined;
    if (c?.ok) return c.value as number;
    throw coercionError(path, "integer", r);
  }

  /**
   * The value as a float: numbers or numeric strings.
   *
   * @param path Access path.
   * @returns The number.
   * @throws {TypeCoercionError} Otherwise.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(await Config.loads('r: "0.5"\n').getFloat("r"), 0.5);
   * ```
   */
  async getFloat(path: string): Promise<number> {
    await this.#pending;
    const r = await this.#live.get(path);
    const v = r.value;
    if (typeof v === "number") return v;
    if (typeof v === "string") {
      // Upstream parses with Rust's f64 rules: `inf` and `NaN` too, no surrounding blanks.
      if (NUMBER_REGEXP.test(v)) return Number(v);
      if (/^[+-]?(inf|infinity)$/i.test(v)) return v.startsWith("-") ? -Infinity : Infinity;
      if (/^nan$/i.test(v)) return NaN;
    }
    throw coercionError(path, "float", r);
  }

  /**
   * The value as a boolean: booleans or `"true"`/`"false"` in any case.
   *
   * @param path Access path.
   * @returns The boolean.
   * @throws {TypeCoercionError} Otherwise.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(await Config.loads('d: "TRUE"\n').getBool("d"), true);
   * ```
   */
  async getBool(path: string): Promise<boolean> {
    await this.#pending;
    const r = await this.#live.get(path);
    const v = r.value;
    if (typeof v === "boolean") return v;
    const c = typeof v === "string" ? coerceString(v, "boolean") : undefined;
    if (c?.ok) return c.value as boolean;
    throw coercionError(path, "boolean", r);
  }

  /**
   * Resolves every interpolation in parallel under the concurrency limit, respecting
   * references, and returns the resolved config. Afterwards `getSync` works everywhere.
   *
   * @param options Batch deadline (`timeout`, ms), `maxConcurrency`, `signal`.
   * @returns The resolved plain object: a `T` for a typed `Config<T>` (the type argument `R`
   *   is an unchecked cast, kept for untyped configs).
   * @throws {ResolveAllError} Listing every failed path, after everything else settled.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const slow = (key: string) => new Promise((r) => setTimeout(() => r(key + "!"), 5));
   * const config = Config.loads("a: ${slow:x}\nb: ${slow:y}\n", { resolvers: { slow } });
   * const all = await config.resolveAll<{ a: string; b: string }>({ timeout: 5000 });
   * assert.deepEqual(all, { a: "x!", b: "y!" });
   * assert.equal(config.getSync("b"), "y!");
   * ```
   */
  async resolveAll<R = ConfigData<T>>(options: ResolveAllOptions = {}): Promise<R> {
    await this.#pending;
    await this.#live.whole();
    const r = await this.#engine.resolveAll(options);
    // Like get(): the caller's copy, bytes included.
    return cloneValue(r.value) as R;
  }

  /**
   * The files this config was loaded from (absolute paths, in load order; those of merged
   * configs follow): empty for a config parsed from text or built from an object, and for
   * `optional` files that were missing.
   *
   * @returns A copy of the list.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const dir = Deno.makeTempDirSync();
   * Deno.writeTextFileSync(`${dir}/app.yaml`, "port: 8080\n");
   * const config = Config.load([`${dir}/app.yaml`, { path: `${dir}/local.yaml`, optional: true }]);
   * assert.deepEqual(config.files, [`${dir}/app.yaml`]);
   * assert.deepEqual(Config.loads("a: 1\n").files, []);
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  get files(): string[] {
    return [...this.#settings.files];
  }

  // ------------------------------------------------------------------ changing

  /**
   * Merges another config on top of this one (the other wins; SPEC §2). Clears the memo. The
   * other config's overrides stay applied to its values, its `.env` variables feed `${env:...}`
   * here too (over this config's `.env` files, under the process environment), and a running
   * {@linkcode watch} watches its files and `.env` files too.
   *
   * @param other The overlay (its `.env` files parsed: see {@linkcode ready}).
   * @throws {HoloconfError} `ASYNC_RESOLUTION_REQUIRED` while the other config's `.env` files
   *   are being parsed.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const base = Config.loads("a: 1\nb: 2\n");
   * base.merge(Config.loads("b: 3\n"));
   * assert.deepEqual(await base.toObject(), { a: 1, b: 3 });
   * ```
   */
  merge(other: Config): void {
    // Over this config's files, under its overrides (applied again: they stay on top).
    const base = mergeTrees(this.#base, other.#engine.root) as MapNode;
    const merged = this.#withOverrides(base);
    this.#settings.roots.push(
      ...other.#settings.roots.filter((r) => !this.#settings.roots.includes(r)),
    );
    this.#settings.files.push(...other.#settings.files);
    this.#base = base;
    const [own, overlay] = [this.#recipe, other.#recipe];
    // A reload merges the files again (each side's overrides are applied by its own Config: this
    // one's over the result when it reloads, the other's, read again, over its own files here).
    this.#recipe = async () => {
      const a = await own();
      const b = await overlay();
      const layers = await other.#layers.reread();
      return {
        tree: mergeTrees(a.tree, other.#withOverrides(b.tree, layers)) as MapNode,
        files: [...a.files, ...b.files],
        envs: [...a.envs, ...b.envs, layers],
      };
    };
    // Its .env variables feed ${env:...} here too, over this config's .env files.
    this.#mergedLayers.push(...other.#mergedLayers, other.#layers);
    this.#watchPaths.push(...other.#watchPaths);
    for (const watch of this.#watches) watch.add([...other.#settings.files, ...other.#watchPaths]);
    this.#engineRef.root = merged;
    this.#engineRef.inheritSourceBases(other.#engine);
    this.#engineRef.clear();
  }

  /**
   * Registers a resolver for this config only (it overrides a global one of that name).
   *
   * @param name Resolver name.
   * @param resolver Function or object form.
   * @param options `timeout`, `sensitive`, `ttl` (ms), `staleWhileRevalidate`, `maxStale`;
   *   `force` is implied for globals, required to replace one registered on this config.
   * @throws {ResolverError} For `ref` or an invalid name.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("v: ${twice:ab}\n");
   * config.registerResolver("twice", (k) => k + k);
   * assert.equal(await config.get("v"), "abab");
   * ```
   */
  registerResolver(name: string, resolver: Resolver, options: RegisterOptions = {}): void {
    this.#registry.register(name, resolver, options);
    this.#engineRef.clear();
  }

  /**
   * Attaches a schema; never validates by itself. Clears the memo. A JSON Schema gives defaults
   * and coercion; a Standard Schema validator is what `validate()` checks against by default
   * (and replaces an attached JSON Schema: no defaults or coercion then).
   *
   * @param schema The schema or validator.
   *
   * @example
   * ```ts
   * import { Config, Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: 1\n");
   * config.setSchema(Schema.fromObject({ properties: { b: { default: 2 } } }));
   * assert.equal(await config.get("b"), 2);
   * ```
   */
  setSchema(schema: Schema | StandardSchemaV1): void {
    const previous = this.#schema;
    this.#schema = schema;
    let root: MapNode;
    try {
      root = this.#withOverrides(this.#base); // environment overrides coerced by it
    } catch (error) {
      this.#schema = previous;
      throw error;
    }
    this.#engineRef.schema = schema instanceof Schema ? schema : undefined;
    this.#engineRef.root = root;
  }

  /**
   * The attached JSON Schema.
   *
   * @returns It, or undefined (also when a Standard Schema validator is attached).
   *
   * @example
   * ```ts
   * import { Config, Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: 1\n");
   * assert.equal(config.getSchema(), undefined);
   * const schema = Schema.fromObject({ properties: { a: { type: "integer" } } });
   * config.setSchema(schema);
   * assert.equal(config.getSchema(), schema);
   * ```
   */
  getSchema(): Schema | undefined {
    return this.#schema instanceof Schema ? this.#schema : undefined;
  }

  /**
   * Forgets every memoized value: the next access resolves again.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * let n = 0;
   * const config = Config.loads("v: ${count:x}\n", { resolvers: { count: () => ++n } });
   * await config.get("v");
   * config.clearCache();
   * assert.equal(await config.get("v"), 2);
   * ```
   */
  clearCache(): void {
    this.#engineRef.clear();
  }

  // ------------------------------------------------------------------ live config

  /**
   * Fetches again the values that expired (see `ttl`), or all of them with `force`, in
   * parallel under the usual limits and batching, then applies every change at once:
   * references, concatenations and transforms built from a changed value are recomputed, and
   * no read ever sees some changes of a refresh without the others (reads meanwhile see the
   * previous values). A value that cannot be fetched keeps its last value (up to `maxStale`
   * past its expiry) and is listed in `failures`. Concurrent calls share one refresh. Listeners
   * of {@linkcode onChange} are called before it returns, when anything changed or failed.
   *
   * @param options `force`, `paths` (only the values these are built from), `timeout` (ms, for
   *   its calls), `signal`.
   * @returns What changed (a sensitive value by path only) and what failed.
   * @throws {RangeError} For a `timeout` that is not > 0.
   *
   * @example The Lambda pattern: refresh what expired at the start of each invocation
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * let time = 0;
   * let version = 1;
   * const config = Config.loads("flag: ${remote:flag,ttl=60}\n", {
   *   resolvers: { remote: () => `v${version}` },
   *   now: () => time,
   * });
   * assert.equal(await config.get("flag"), "v1");
   * version = 2;
   * assert.deepEqual(await config.refresh(), { changes: [], failures: [] }); // not expired yet
   * time = 60_000;
   * const { changes } = await config.refresh();
   * assert.deepEqual(changes, [{ path: "flag", sensitive: false, before: "v1", after: "v2" }]);
   * assert.equal(config.getSync("flag"), "v2");
   * ```
   */
  refresh(options: RefreshOptions = {}): Promise<ChangeSet> {
    return this.#live.refresh(options);
  }

  /**
   * Calls `listener` after each refresh or file reload that changed or failed something, with
   * its change set. A listener that throws (or rejects) is reported once through `onWarning`
   * and never breaks the config or the other listeners; it may call `refresh()` itself.
   *
   * @param listener Receives the change set.
   * @returns Removes the listener.
   *
   * @example
   * ```ts
   * import { Config, type ChangeSet } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * let n = 0;
   * const config = Config.loads("a: ${count:x}\n", { resolvers: { count: () => ++n } });
   * const seen: ChangeSet[] = [];
   * const off = config.onChange((set) => void seen.push(set));
   * await config.get("a");
   * await config.refresh({ force: true });
   * off();
   * await config.refresh({ force: true });
   * assert.deepEqual(seen, [{
   *   changes: [{ path: "a", sensitive: false, before: 1, after: 2 }],
   *   failures: [],
   * }]);
   * ```
   */
  onChange(listener: ChangeListener): () => void {
    return this.#live.onChange(listener);
  }

  /**
   * Refreshes by itself: at the earliest expiry of the values read so far (their TTLs, or what
   * a resolver suggests with `ResolvedValue`'s `ttl`), or every `interval` ms. Its timers never
   * keep the process alive. Pair it with {@linkcode onChange}.
   *
   * @param options `interval` (ms).
   * @returns `stop()` ends it.
   * @throws {RangeError} For an `interval` that is not > 0.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: 1\n");
   * const auto = config.startAutoRefresh({ interval: 60_000 });
   * auto.stop();
   * assert.throws(() => config.startAutoRefresh({ interval: 0 }), RangeError);
   * ```
   */
  startAutoRefresh(options: AutoRefreshOptions = {}): LiveHandle {
    return this.#live.startAutoRefresh(options);
  }

  /**
   * Watches the files the config was loaded from (and optional files that were missing), its
   * `.env` files, and those of the configs merged in (before or after it started): after a
   * change (a burst of them, `debounce` ms quiet), loads them again, merges them the same way,
   * reads the `.env` files and the environment's prefixed variables again, recomputes the
   * values that were known (literals, and values resolved before: calls that did not expire
   * are reused, unless they read an environment variable that changed) and calls the
   * {@linkcode onChange} listeners. A reload never overlaps a refresh: it waits for the one
   * running, and a refresh asked meanwhile runs after it. A file that no longer loads (it does
   * not parse, a required one was deleted, it became a FIFO) leaves the previous values in
   * place; the error goes to the listeners (`failures`, path `""`) and to `onWarning`, as does
   * a reload given up because the config kept changing under it (`merge()`, `clearCache()`...
   * during three attempts in a row). A deleted optional file counts as empty, as when loading.
   * On Node the files' directories are watched (`node:fs`); on Deno the files are checked every
   * `interval` ms (`Deno.watchFs` opens changed files, and a FIFO blocks it forever). Files a
   * glob would match anew are found at the next reload. Nothing of it keeps the process alive.
   *
   * @param options `debounce` and `interval` (ms).
   * @returns `stop()` ends it.
   * @throws {RangeError} For a negative `debounce` or an `interval` that is not > 0.
   * @throws {Error} When the runtime cannot watch files (no permission, no file system).
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const dir = Deno.makeTempDirSync();
   * Deno.writeTextFileSync(`${dir}/app.yaml`, "port: 8080\n");
   * const config = Config.load(`${dir}/app.yaml`);
   * const watch = config.watch({ debounce: 50 });
   * watch.stop();
   * assert.equal(await config.get("port"), 8080);
   * assert.throws(() => config.watch({ interval: 0 }), RangeError);
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  watch(options: WatchOptions = {}): LiveHandle {
    const debounce = options.debounce ?? 100;
    const interval = options.interval ?? 1_000;
    if (!(debounce >= 0)) throw new RangeError(`debounce must be >= 0 ms, got ${debounce}`);
    if (!(interval > 0)) throw new RangeError(`interval must be > 0 ms, got ${interval}`);
    const watch = watchFiles(uniq([...this.#settings.files, ...this.#watchPaths]), {
      debounce,
      interval,
      // Run by the live side: never at the same time as a refresh or another reload.
      reload: () => this.#live.reload(() => this.#reloadFiles()),
      onError: (e) => this.#warn(`Watching the config files stopped: ${errorText(e)}`),
    });
    this.#watches.add(watch);
    return {
      stop: () => {
        this.#watches.delete(watch);
        watch.stop();
      },
    };
  }

  /**
   * Loads the files and the override layers again and applies what changed (see `watch`), from
   * the start again when the config changed meanwhile (`merge()`, `clearCache()`...: the
   * engine refuses to replace a tree it did not start from); never rejects.
   */
  async #reloadFiles(): Promise<void> {
    for (let attempt = 1; attempt <= RELOAD_ATTEMPTS; attempt++) {
      let loaded: Awaited<ReturnType<Recipe>>;
      let layers: OverrideLayers;
      let tree: MapNode;
      try {
        await this.#pending; // the .env files of the load, parsed
        loaded = await this.#recipe();
        layers = await this.#layers.reread();
        // The overrides stay on top of the files read again (an override of a key the edit
        // removed fails here, and the previous values stay).
        tree = this.#withOverrides(loaded.tree, layers);
      } catch (e) {
        this.#reloadFailed(
          "The config files could not be loaded again; the previous values stay.",
          toHoloconfError(e, ""),
        );
        return;
      }
      // The environment the values are recomputed with (and the calls reused are checked
      // against): the one read again, kept if the engine takes the new tree.
      this.#reloading = { layers, merged: loaded.envs };
      let set: ChangeSet | undefined;
      try {
        set = await this.#engineRef.reload(tree);
      } catch (e) {
        this.#warn(`Reloading the config failed: ${errorText(e)}`);
        return;
      } finally {
        this.#reloading = undefined;
      }
      if (set !== undefined) {
        this.#base = loaded.tree;
        this.#layers = layers;
        this.#mergedLayers = loaded.envs;
        this.#settings.files.splice(0, this.#settings.files.length, ...loaded.files);
        this.#live.emit(set);
        return;
      }
    }
    this.#reloadFailed(
      "The config changed during each attempt to reload its files; the previous values stay " +
        "until the next change of the files.",
      new HoloconfError("The config files could not be reloaded", {
        help: "merge(), clearCache(), setSchema() or registerResolver() ran during each of " +
          `${RELOAD_ATTEMPTS} reloads in a row`,
      }),
    );
  }

  /** Reports a reload that left the previous values: to `onWarning` and the listeners. */
  #reloadFailed(message: string, error: HoloconfError): void {
    this.#warn(`${message} ${error.message}`);
    this.#live.emit({ changes: [], failures: [{ path: "", error }] });
  }

  #warn(message: string): void {
    try {
      this.#settings.onWarning(message);
    } catch {
      // A warning listener that throws is ignored.
    }
  }

  // ------------------------------------------------------------------ validation

  /**
   * Resolves everything, then validates, and reports every issue in one `ValidationError`:
   * values that cannot be resolved, values that cannot be coerced to the schema's type, and
   * schema violations. With a JSON Schema the config is resolved with its defaults and coercion;
   * a Standard Schema validator (zod, valibot, arktype...) gets the config as `resolveAll()`
   * returns it and applies its own defaults and transforms.
   *
   * @param schema A JSON Schema or a Standard Schema validator (default: the attached one).
   * @param options Batch deadline (`timeout`, ms), `maxConcurrency`, `signal`, as for
   *   `resolveAll`.
   * @returns The validated config: a Standard Schema validator's output (typed by it), or the
   *   resolved config with the JSON Schema's defaults and coercion (typed as the config).
   * @throws {ValidationError} Listing each issue as `<json-pointer>: <text> (at file:line:col)`.
   *
   * @example Validate against a JSON Schema
   * ```ts
   * import { Config, Schema, ValidationError } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({
   *   type: "object",
   *   properties: { port: { type: "integer" }, host: { default: "localhost" } },
   * });
   * await assert.rejects(Config.loads("port: abc\n").validate(schema), ValidationError);
   * assert.deepEqual(await Config.loads("port: 80\n").validate(schema), {
   *   port: 80,
   *   host: "localhost",
   * });
   * ```
   *
   * @example Validate with a Standard Schema validator (here a hand-written one)
   * ```ts
   * import { Config, type StandardSchemaV1 } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const portOnly: StandardSchemaV1<{ port: number }, { port: number; tls: boolean }> = {
   *   "~standard": {
   *     version: 1,
   *     vendor: "example",
   *     validate: (v) => {
   *       const port = (v as { port?: unknown }).port;
   *       return typeof port === "number"
   *         ? { value: { port, tls: port === 443 } }
   *         : { issues: [{ message: "port must be a number", path: ["port"] }] };
   *     },
   *   },
   * };
   * const out = await Config.loads("port: 443\n").validate(portOnly);
   * assert.deepEqual(out, { port: 443, tls: true });
   * await assert.rejects(Config.loads("port: x\n").validate(portOnly), /\/port: port must be a number/);
   * ```
   */
  validate<S extends StandardSchemaV1>(
    schema: S,
    options?: ResolveAllOptions,
  ): Promise<InferSchemaOutput<S>>;
  /**
   * Resolves everything with the JSON Schema's defaults and coercion (or checks the attached
   * Standard Schema validator), then validates.
   *
   * @param schema The JSON Schema (default: the attached schema or validator).
   * @param options Batch deadline (`timeout`, ms), `maxConcurrency`, `signal`.
   * @returns The validated config.
   * @throws {ValidationError} Listing each issue.
   */
  validate(schema?: Schema, options?: ResolveAllOptions): Promise<ConfigData<Out>>;
  async validate(
    schema?: Schema | StandardSchemaV1,
    options: ResolveAllOptions = {},
  ): Promise<unknown> {
    const { issues, value } = await this.#check(schema, options);
    if (issues.length > 0) throw new ValidationError(issues);
    return value;
  }

  /**
   * Structural check of the raw tree against a JSON Schema: `${...}` placeholders match any
   * type.
   *
   * @param schema The JSON Schema (default: the attached one).
   * @throws {ValidationError} Listing each issue; also when no JSON Schema is given or
   *   attached (a Standard Schema validator checks resolved values only).
   *
   * @example
   * ```ts
   * import { Config, Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({ type: "object", properties: { port: { type: "integer" } } });
   * await schema.ready();
   * Config.loads("port: ${env:PORT}\n").validateRaw(schema);
   * assert.throws(() => Config.loads("port: eighty\n").validateRaw(schema), /must be integer/);
   * ```
   */
  validateRaw(schema?: Schema): void {
    const s = this.#requireSchema(schema);
    if (!(s instanceof Schema)) {
      throw new ValidationError([], {
        detail: "validateRaw() checks against a JSON Schema; the attached schema is a validator",
        help: "Use validate() with a Standard Schema validator, or pass a Schema to validateRaw()",
      });
    }
    const root = this.#engine.root;
    // A placeholder stands for a value of any type: issues about it, and combinator issues
    // about a value that contains one, are dropped.
    const issues = s.validateSync(toPlain(root), {
      isWildcard: (v) => typeof v === "string" && (needsInterpolation(v) || v === MANDATORY),
    });
    if (issues.length > 0) throw new ValidationError(withSources(issues, root));
  }

  /**
   * Like `validate`, but returns the issues instead of throwing.
   *
   * @param schema A JSON Schema or a Standard Schema validator (default: the attached one).
   * @param options Batch deadline (`timeout`, ms), `maxConcurrency`, `signal`.
   * @returns Every issue, as data: `pointer` (JSON pointer), `path` (config path), `message`,
   *   `kind` (`resolution`, `coercion` or `schema`), `code`, `expected` and `source` when known.
   *   A Standard Schema validator's issue has its `code` (zod) or `type` (valibot) as `code`
   *   (else `invalid`) and its `expected` if it names one; at or inside a sensitive value it is
   *   reported at that value, and about a mapping or sequence holding one at its own path, both
   *   with a fixed message naming its code instead of the validator's.
   *
   * @example
   * ```ts
   * import { Config, Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({ type: "object", required: ["host"] });
   * const issues = await Config.loads("port: 1\n").validateCollect(schema);
   * assert.deepEqual(issues, [{
   *   pointer: "",
   *   path: "",
   *   message: "must have required property 'host'",
   *   kind: "schema",
   *   code: "required",
   *   expected: "object",
   *   source: "<string>:1:1",
   * }]);
   * ```
   */
  async validateCollect(
    schema?: Schema | StandardSchemaV1,
    options: ResolveAllOptions = {},
  ): Promise<ValidationIssue[]> {
    return (await this.#check(schema, options)).issues;
  }

  /** Validates once: the issues, and the validated value when there are none. */
  async #check(
    schema: Schema | StandardSchemaV1 | undefined,
    options: ResolveAllOptions,
  ): Promise<{ issues: ValidationIssue[]; value: unknown }> {
    await this.#pending;
    const s = this.#requireSchema(schema);
    await this.#live.whole();
    if (s instanceof Schema) {
      // Resolved once, through the memo every consumer shares; coerced and filled by `s`.
      const tree = await this.#engine.resolveForValidation(s, options);
      const issues = await collectIssues(s, tree);
      // The tree is built for this call: the caller's own copy, as from resolveAll().
      return { issues, value: issues.length > 0 ? undefined : tree.data };
    }
    // As resolveAll() gives it: with the attached JSON Schema's defaults and coercion, if any.
    const attached = this.getSchema();
    const tree = await this.#engine.resolveForValidation(attached, options);
    const outcome = await validateStandard(s, tree, attached);
    return outcome.ok
      ? { issues: [], value: outcome.value }
      : { issues: outcome.issues, value: undefined };
  }

  #requireSchema(schema: Schema | StandardSchemaV1 | undefined): Schema | StandardSchemaV1 {
    const s = schema ?? this.#schema;
    if (s === undefined) {
      throw new ValidationError([], {
        detail: "No schema provided and none attached",
        help: "Pass a Schema to validate() or attach one with setSchema() / { schema }",
      });
    }
    if (!(s instanceof Schema) && !isStandardSchema(s)) {
      throw new TypeError("validate() expects a Schema or a Standard Schema v1 validator");
    }
    return s;
  }

  // ------------------------------------------------------------------ export

  /**
   * The config as plain data.
   *
   * @param options `resolve` (default false; true when `redact` is set) and `redact`.
   * @returns Plain data (bytes as `Uint8Array`).
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: ${b}\nb: 1\n");
   * assert.deepEqual(await config.toObject(), { a: "${b}", b: 1 });
   * assert.deepEqual(await config.toObject({ resolve: true }), { a: 1, b: 1 });
   * ```
   */
  async toObject(options: ExportOptions = {}): Promise<Record<string, unknown>> {
    await this.#pending;
    const redact = options.redact ?? false;
    const resolve = options.resolve ?? redact;
    if (!resolve) return this.#engine.rawExport({ redact }) as Record<string, unknown>;
    await this.#live.whole();
    return await this.#engine.exportResolved(redact) as Record<string, unknown>;
  }

  /**
   * The config as block-style YAML (bytes as base64).
   *
   * @param options `resolve` and `redact`.
   * @returns YAML text.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("a: 1\n");
   * assert.equal(await config.toYaml(), "a: 1\n");
   * ```
   */
  async toYaml(options: ExportOptions = {}): Promise<string> {
    return exportText(await this.toObject(options), "yaml");
  }

  /**
   * The config as 2-space-indented JSON (bytes as base64).
   *
   * @param options `resolve` and `redact`.
   * @returns JSON text.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(await Config.loads("a: 1\n").toJson(), '{\n  "a": 1\n}');
   * ```
   */
  async toJson(options: ExportOptions = {}): Promise<string> {
    return exportText(await this.toObject(options), "json");
  }

  /**
   * Where the value at a path was written.
   *
   * @param path Access path.
   * @returns File, line and column, or undefined.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(Config.loads("a:\n  b: 1\n").getSource("a.b")?.line, 2);
   * ```
   */
  getSource(path: string): SourceLocation | undefined {
    const engine = this.#engine;
    try {
      const s = engine.rawNode(path)?.source;
      return s ? { ...s } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The source of every leaf value, by path. A key with `.`, `[` or `]` (or the empty key) is
   * written quoted, `["a.b"]`, so it never shares an entry with the nested path `a.b`.
   *
   * @returns Map of path to location.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.deepEqual(Object.keys(Config.loads("a:\n  b: 1\n").dumpSources()), ["a.b"]);
   * ```
   */
  dumpSources(): Record<string, SourceLocation> {
    const out: Record<string, SourceLocation> = {};
    for (const [segs, node] of leaves(this.#engine.root, [])) {
      if (node.source) defineOwn(out, formatPath(segs, { quoteKeys: true }), { ...node.source });
    }
    return out;
  }

  /**
   * The values still marked `???` (mandatory, to be supplied by a later layer), in document
   * order: reading one fails with `MISSING_MANDATORY_VALUE`. Paths are written as in
   * {@linkcode dumpSources}.
   *
   * @returns Each path with the place that declared it.
   *
   * @example
   * ```ts
   * import { Config } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const config = Config.loads("db:\n  host: h\n  password: ???\n");
   * assert.deepEqual(config.missingMandatory(), [
   *   { path: "db.password", source: { file: "<string>", line: 3, column: 13 } },
   * ]);
   * await assert.rejects(config.get("db.password"), { code: "MISSING_MANDATORY_VALUE" });
   * assert.equal(config.has("db.password"), false);
   * ```
   */
  missingMandatory(): { path: string; source: SourceLocation | undefined }[] {
    const out: { path: string; source: SourceLocation | undefined }[] = [];
    for (const [segs, node] of leaves(this.#engine.root, [])) {
      if (!isMandatory(node)) continue;
      const source = node.source ? { ...node.source } : undefined;
      out.push({ path: formatPath(segs, { quoteKeys: true }), source });
    }
    return out;
  }

  /** A safe summary for `JSON.stringify` (never a resolved value). @returns Summary. */
  toJSON(): Record<string, unknown> {
    return this.#summary();
  }

  #summary(): Record<string, unknown> {
    return {
      type: "holoconf.Config",
      files: [...this.#settings.files],
      keys: [...this.#engineRef.root.entries.keys()],
      resolved: this.#pending === undefined && this.isResolved(""),
    };
  }

  /** Deno's inspect hook: a redacted summary. @returns Text. */
  [Symbol.for("Deno.customInspect")](): string {
    return `Config ${JSON.stringify(this.#summary())}`;
  }

  /** Node's inspect hook: a redacted summary. @returns Text. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Config ${JSON.stringify(this.#summary())}`;
  }
}

/** Every scalar of a tree with its path, in document order. */
function* leaves(node: TreeNode, segs: PathSegment[]): Generator<[PathSegment[], TreeNode]> {
  if (node.kind === "map") {
    for (const [k, v] of node.entries) yield* leaves(v, [...segs, k]);
  } else if (node.kind === "seq") {
    for (const [i, v] of node.items.entries()) yield* leaves(v, [...segs, i]);
  } else {
    yield [segs, node];
  }
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
