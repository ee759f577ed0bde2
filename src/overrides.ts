/**
 * Overrides: values set from outside the config files, merged over them last. Layers, lowest
 * first (each wins over the ones before it):
 *
 * 1. the files (and configs merged in with `merge()`);
 * 2. variables named with the prefix in `.env` files (`envFiles` with `envPrefix`), later files
 *    over earlier ones;
 * 3. variables named with the prefix in the environment (`envPrefix`);
 * 4. `overrides`: a record of paths (the API) or a list of `path=value` texts (the CLI's `--set`).
 *
 * An override replaces the value at its path (a mapping given as the value replaces the mapping
 * there). Its nodes carry a source without position naming where it came from
 * (`env APP__DB__PORT`, `--set db.port`, `override db.port`). Its text is data: `${...}` in it
 * stays literal (escaped as `\${`) unless `interpolate` is set.
 *
 * Sensitivity: a value from the environment (a variable with the prefix, from the process or a
 * `.env` file) is sensitive, since environments carry secrets; a `--set` or API override is
 * sensitive where it replaces a value that is not a literal (an interpolation, which might be a
 * secret, a `???` still to be supplied, or a value already sensitive), literal otherwise. A
 * sensitive override is redacted like a resolved secret; its source is still shown.
 *
 * @module
 */

import { closestName } from "./_did_you_mean.ts";
import { dotenvReady, loadDotenv, parseDotenv } from "./dotenv.ts";
import {
  formatSource,
  HoloconfError,
  NotFoundError,
  ParseError,
  type SourceLocation,
} from "./errors.ts";
import { type PathSpec, readConfigText } from "./loader.ts";
import { envEntries } from "./runtime.ts";
import { formatPath, parsePath, type PathSegment } from "./path.ts";
import { coerceString, type CoercionType } from "./schema/coerce.ts";
import { fromPlain, MANDATORY, type MapNode, type TreeNode } from "./tree.ts";
import { needsInterpolation } from "./interpolation/parser.ts";
import { parseYamlValue } from "./yaml.ts";

/** One value set from outside the files. */
export interface Override {
  /** Where it goes: keys and indexes. Keys from a variable's name are matched ignoring case. */
  path: readonly PathSegment[];
  /** The path came from an environment variable's name (see {@linkcode envOverrides}). */
  fromEnvName: boolean;
  /** Text from the environment (coerced by the schema), or data. */
  value: { text: string } | { data: unknown };
  /** Where it came from: no position (`line` and `column` are 0). */
  source: SourceLocation;
  /**
   * Sensitive whatever it replaces (a value from the environment); otherwise sensitive only
   * where it replaces a value that is not a literal.
   */
  sensitive: boolean;
}

/** Options of {@linkcode envOverrides}. */
export interface EnvOverrideOptions {
  /** The prefix, e.g. `APP` (letters, digits and `_`, not starting with a digit). */
  prefix: string;
  /** Between the prefix and each key. @default {"__"} */
  separator?: string;
  /** The `.env` file the variables were read from (undefined: the environment). */
  file?: string;
}

const PREFIX_REGEXP = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX_REGEXP = /^[0-9]+$/;
/** Keys an override never writes: a consumer merging the result into objects could be polluted. */
const RESERVED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

function invalid(headline: string, source: string | undefined, help: string): HoloconfError {
  return new HoloconfError(headline, {
    code: "INVALID_OVERRIDE",
    ...(source === undefined ? {} : { source }),
    help,
  });
}

/**
 * Checks an `envPrefix` / `envSeparator` pair.
 *
 * @param prefix The prefix.
 * @param separator The separator.
 * @throws {RangeError} For an empty or malformed prefix, or an empty separator.
 */
export function checkEnvPrefix(prefix: string, separator: string): void {
  if (!PREFIX_REGEXP.test(prefix)) {
    throw new RangeError(
      `envPrefix must be letters, digits and '_' (not starting with a digit), got ${
        JSON.stringify(prefix)
      }`,
    );
  }
  if (separator === "" || separator.includes("=")) {
    throw new RangeError(
      `envSeparator must be non-empty, without '=', got ${JSON.stringify(separator)}`,
    );
  }
}

/**
 * The overrides named by environment variables: `<prefix><separator><key>[<separator><key>...]`,
 * e.g. `APP__DB__PORT` for `db.port` (prefix `APP`, separator `__`). The prefix is matched
 * exactly (case included), and only followed by the separator: `APP` never picks up `APPLE` or
 * `HOME`. Each key is matched to the config's keys exactly, else ignoring case (`DB` finds
 * `db`); a number is an index where the config has a list (`APP__SERVERS__0__HOST`). Variables
 * are taken in name order, so the result does not depend on the environment's order.
 *
 * @param vars Variable names and values.
 * @param options Prefix, separator, and the `.env` file they come from.
 * @returns The overrides, in name order.
 * @throws {HoloconfError} `INVALID_OVERRIDE` for a name with an empty key (`APP__DB____PORT`),
 *   naming the variable, never its value.
 *
 * @example
 * ```ts
 * import { envOverrides } from "./overrides.ts";
 * import assert from "node:assert/strict";
 * const [o] = envOverrides([["APP__DB__PORT", "5433"], ["HOME", "/root"]], { prefix: "APP" });
 * assert.deepEqual(o?.path, ["DB", "PORT"]);
 * assert.equal(o?.source.file, "env APP__DB__PORT");
 * ```
 */
export function envOverrides(
  vars: Iterable<readonly [string, string]>,
  options: EnvOverrideOptions,
): Override[] {
  const separator = options.separator ?? "__";
  checkEnvPrefix(options.prefix, separator);
  const head = options.prefix + separator;
  const out: Override[] = [];
  const names = [...vars].filter(([name]) => name.startsWith(head) && name.length > head.length);
  names.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, text] of names) {
    const where = options.file === undefined ? `env ${name}` : `env ${name} (${options.file})`;
    const path = name.slice(head.length).split(separator);
    if (path.some((key) => key === "")) {
      throw invalid(
        `Environment variable ${name} has an empty key`,
        where,
        `Name a key between each '${separator}', e.g. ${head}DB${separator}PORT`,
      );
    }
    out.push({
      path,
      fromEnvName: true,
      value: { text },
      source: { file: where, line: 0, column: 0 },
      sensitive: true,
    });
  }
  return out;
}

/**
 * The overrides of the `overrides` option: a record of access paths and values (`{ "db.port":
 * 5433 }`, origin `override <path>`), or `path=value` texts as the CLI's `--set` takes them
 * (`"db.port=5433"`, origin `--set <path>`): the value is read as YAML (`5433` a number, `true`
 * a boolean, `null` or `~` null, `[a, b]` a list, `'5433'` a string, nothing the empty string).
 *
 * @param overrides The record or the texts.
 * @returns The overrides, in the order given.
 * @throws {HoloconfError} `INVALID_OVERRIDE` for a text without `=` or an empty path, or a
 *   value that is not valid YAML (the message never quotes the value).
 * @throws {ParseError} For a malformed path (`a[-1]`).
 *
 * @example
 * ```ts
 * import { givenOverrides } from "./overrides.ts";
 * import assert from "node:assert/strict";
 * const [set] = givenOverrides(["servers[0].port=8080"]);
 * assert.deepEqual(set?.path, ["servers", 0, "port"]);
 * assert.deepEqual(set?.value, { data: 8080 });
 * assert.equal(set?.source.file, "--set servers[0].port");
 * assert.equal(givenOverrides({ "db.port": 1 })[0]?.source.file, "override db.port");
 * ```
 */
export function givenOverrides(
  overrides: Readonly<Record<string, unknown>> | readonly string[],
): Override[] {
  if (!Array.isArray(overrides)) {
    return Object.entries(overrides).map(([key, data]) => ({
      path: checkedPath(key, `override ${key}`),
      fromEnvName: false,
      value: { data },
      source: { file: `override ${key}`, line: 0, column: 0 },
      sensitive: false,
    }));
  }
  return (overrides as readonly string[]).map((arg) => {
    const eq = arg.indexOf("=");
    if (eq < 0) {
      throw invalid(
        "An override is written path=value",
        undefined,
        "E.g. --set db.port=5433 (the value is read as YAML)",
      );
    }
    const written = arg.slice(0, eq).trim();
    const where = `--set ${written}`;
    const path = checkedPath(written, where);
    const text = arg.slice(eq + 1);
    let data: unknown;
    try {
      data = text.trim() === "" ? "" : parseYamlValue(text);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      // Neither the parser's message nor the error itself: both may quote the value.
      throw invalid(
        `The value of --set ${written} is not valid YAML`,
        where,
        "Quote a value with YAML's quotes, e.g. --set 'name=\"a: b\"'",
      );
    }
    return {
      path,
      fromEnvName: false,
      value: { data },
      source: { file: where, line: 0, column: 0 },
      sensitive: false,
    };
  });
}

function checkedPath(written: string, where: string): PathSegment[] {
  const path = parsePath(written);
  if (path.length === 0) {
    throw invalid("An override needs a path", where, "Name the value to set, e.g. db.port");
  }
  return path;
}

/** Options of {@linkcode applyOverrides}. */
export interface ApplyOverridesOptions {
  /** Create keys (and append list items) the config does not have. @default {false} */
  allowNew?: boolean;
  /** Resolve `${...}` in override values (off: they are literal text). @default {false} */
  interpolate?: boolean;
  /** The type a schema coerces the text of an environment variable to at a path. */
  coercionTypeAt?: (path: readonly PathSegment[]) => CoercionType | undefined;
}

/**
 * Sets each override in turn over `root`; neither changes (unchanged subtrees are shared).
 *
 * @param root The tree of the files.
 * @param overrides The overrides, lowest first.
 * @param options `allowNew`, `interpolate`, and the schema's coercion.
 * @returns The tree with the overrides.
 * @throws {HoloconfError} `UNKNOWN_OVERRIDE_KEY` for a key or index the config does not have
 *   (with a "did you mean"), unless `allowNew` (an index may then be the list's length, to
 *   append: never further); `INVALID_OVERRIDE` for `__proto__`, `constructor` or `prototype`, a
 *   key ambiguous ignoring case, a key under a scalar or a key used as an index.
 *
 * @example
 * ```ts
 * import { applyOverrides, envOverrides } from "./overrides.ts";
 * import { fromPlain, toPlain, type MapNode } from "./tree.ts";
 * import assert from "node:assert/strict";
 * const root = fromPlain({ db: { port: 5432 } }) as MapNode;
 * const env = envOverrides([["APP__DB__PORT", "5433"]], { prefix: "APP" });
 * assert.deepEqual(toPlain(applyOverrides(root, env, {})), { db: { port: "5433" } });
 * const typed = applyOverrides(root, env, { coercionTypeAt: () => "integer" });
 * assert.deepEqual(toPlain(typed), { db: { port: 5433 } });
 * ```
 */
export function applyOverrides(
  root: MapNode,
  overrides: readonly Override[],
  options: ApplyOverridesOptions,
): MapNode {
  let tree: MapNode = root;
  for (const o of overrides) tree = setAt(tree, o, 0, [], options) as MapNode;
  return tree;
}

function setAt(
  node: TreeNode,
  o: Override,
  i: number,
  at: PathSegment[],
  options: ApplyOverridesOptions,
): TreeNode {
  if (i === o.path.length) return valueNode(o, at, options, holdsPlaceholder(node));
  const token = o.path[i]!;
  const allowNew = options.allowNew ?? false;
  if (typeof token === "string" && RESERVED_KEYS.includes(token.toLowerCase())) {
    throw invalid(
      `An override cannot set the key '${token}'`,
      formatSource(o.source),
      "__proto__, constructor and prototype are refused in override paths",
    );
  }
  // A new container for the next step: a list for an index, else a mapping.
  const empty = (): TreeNode => emptyFor(o.path[i + 1]);
  // With allowNew, a null (or a ??? still to be supplied) becomes the container the path needs.
  if (node.kind === "scalar" && allowNew && (node.value === null || node.value === MANDATORY)) {
    node = emptyFor(token);
  }
  if (node.kind === "map") {
    if (typeof token === "number") {
      throw invalid(
        `'${formatPath(at)}' is a mapping: [${token}] indexes a list`,
        formatSource(o.source),
        "Name a key of the mapping",
      );
    }
    const key = matchKey(node, token, o, at, allowNew);
    const entries = new Map(node.entries);
    entries.set(key, setAt(node.entries.get(key) ?? empty(), o, i + 1, [...at, key], options));
    return { kind: "map", entries, source: node.source };
  }
  if (node.kind === "seq") {
    const index = typeof token === "number"
      ? token
      : o.fromEnvName && INDEX_REGEXP.test(token)
      ? Number(token)
      : undefined;
    if (index === undefined) {
      throw invalid(
        `'${formatPath(at)}' is a list: '${token}' is not an index`,
        formatSource(o.source),
        "Index a list with a number, e.g. servers[0]",
      );
    }
    const length = node.items.length;
    if (index > length || (index === length && !allowNew)) {
      throw new HoloconfError(
        `Override of an item the list does not have: ${formatPath([...at, index])}`,
        {
          code: "UNKNOWN_OVERRIDE_KEY",
          path: formatPath([...at, index]),
          source: formatSource(o.source),
          help: `The list has ${length} item${length === 1 ? "" : "s"}` +
            (allowNew ? `: append at [${length}]` : "; allowNew (--allow-new) appends at its end"),
        },
      );
    }
    const items = [...node.items];
    items[index] = setAt(node.items[index] ?? empty(), o, i + 1, [...at, index], options);
    return { kind: "seq", items, source: node.source };
  }
  if (!allowNew) throw unknownKey(o, at, token, []);
  throw invalid(
    `'${formatPath(at)}' is a value, not a mapping or a list: it has no '${String(token)}'`,
    formatSource(o.source),
    `Override '${formatPath(at)}' itself`,
  );
}

function emptyFor(step: PathSegment | undefined): TreeNode {
  return typeof step === "number"
    ? { kind: "seq", items: [] }
    : { kind: "map", entries: new Map() };
}

/** The config's key a token names: as written, else (variable names) ignoring case. */
function matchKey(
  node: MapNode,
  token: string,
  o: Override,
  at: PathSegment[],
  allowNew: boolean,
): string {
  if (node.entries.has(token)) return token;
  const keys = [...node.entries.keys()];
  if (o.fromEnvName) {
    const lower = token.toLowerCase();
    const same = keys.filter((k) => k.toLowerCase() === lower);
    if (same.length === 1) return same[0]!;
    if (same.length > 1) {
      throw invalid(
        `'${token}' matches several keys ignoring case: ${same.join(", ")}`,
        formatSource(o.source),
        "Keys that differ only in case cannot be told apart in a variable's name: " +
          "override them with --set or the overrides option",
      );
    }
    if (allowNew) return lower;
  } else if (allowNew) {
    return token;
  }
  throw unknownKey(o, at, token, keys);
}

function unknownKey(o: Override, at: PathSegment[], token: string | number, keys: string[]) {
  const path = formatPath([...at, token]);
  const near = typeof token === "string" ? closestName(token, keys) : undefined;
  return new HoloconfError(`Override of a key the config does not have: ${path}`, {
    code: "UNKNOWN_OVERRIDE_KEY",
    path,
    source: formatSource(o.source),
    help: (near === undefined ? "" : `Did you mean '${formatPath([...at, near])}'? `) +
      "An override sets a value the config files have; allowNew (--allow-new) adds new ones",
  });
}

/**
 * Whether a value an override replaces is not a literal: it holds an interpolation (which might
 * be a secret), a `???` still to be supplied, or a value already sensitive.
 */
function holdsPlaceholder(node: TreeNode): boolean {
  switch (node.kind) {
    case "scalar":
      return node.sensitive === true ||
        (typeof node.value === "string" &&
          (node.value === MANDATORY || needsInterpolation(node.value)));
    case "seq":
      return node.items.some(holdsPlaceholder);
    case "map":
      return [...node.entries.values()].some(holdsPlaceholder);
  }
}

/**
 * The override's value as nodes with its source; text escaped unless `interpolate`; sensitive
 * when the override is, or when it replaces a value that is not a literal.
 */
function valueNode(
  o: Override,
  at: PathSegment[],
  options: ApplyOverridesOptions,
  replacesPlaceholder: boolean,
): TreeNode {
  let data: unknown;
  if ("text" in o.value) {
    const type = options.coercionTypeAt?.(at);
    const c = type === undefined ? undefined : coerceString(o.value.text, type);
    data = c?.ok ? c.value : o.value.text;
  } else {
    data = o.value.data;
  }
  return withSource(fromPlain(data), {
    source: o.source,
    interpolate: options.interpolate ?? false,
    sensitive: o.sensitive || replacesPlaceholder,
  });
}

/** How {@linkcode withSource} marks an override's nodes. */
interface Marks {
  source: SourceLocation;
  /** Leave `${` as written (else escaped: literal text). */
  interpolate: boolean;
  /** Mark every scalar sensitive. */
  sensitive: boolean;
}

/** A copy of `node` whose nodes all have the source (and sensitivity) of `marks`. */
function withSource(node: TreeNode, marks: Marks): TreeNode {
  const source = marks.source;
  switch (node.kind) {
    case "scalar": {
      const v = node.value;
      const value = typeof v === "string" && !marks.interpolate ? v.replaceAll("${", "\\${") : v;
      return marks.sensitive
        ? { kind: "scalar", value, source, sensitive: true }
        : { kind: "scalar", value, source };
    }
    case "seq":
      return { kind: "seq", items: node.items.map((n) => withSource(n, marks)), source };
    case "map": {
      const entries = new Map<string, TreeNode>();
      for (const [k, v] of node.entries) entries.set(k, withSource(v, marks));
      return { kind: "map", entries, source };
    }
  }
}

/** What {@linkcode OverrideLayers} is built from: the override fields of `LoadOptions`. */
export interface OverrideSettings {
  /** `.env` files: their variables feed `${env:...}`; with `envPrefix`, they override too. */
  envFiles?: readonly (string | PathSpec)[] | undefined;
  /** Prefix of the variables that override values (`APP` for `APP__DB__PORT`). */
  envPrefix?: string | undefined;
  /** Between the prefix and each key. @default {"__"} */
  envSeparator?: string | undefined;
  /** Values set over everything else (see {@linkcode givenOverrides}). */
  overrides?: Readonly<Record<string, unknown>> | readonly string[] | undefined;
  /** Overrides may add keys and list items. @default {false} */
  allowNew?: boolean | undefined;
  /** Resolve `${...}` in override values. @default {false} */
  interpolateOverrides?: boolean | undefined;
}

/** A `.env` file as read: its text until parsed, then its variables. */
interface EnvFile {
  path: string;
  text: string;
  vars?: Map<string, string>;
}

/**
 * The overrides of one Config and its environment: the `.env` files (read when built, parsed
 * when the parser is there: see {@linkcode OverrideLayers.ready}), the variables with the
 * prefix, and the given overrides.
 */
export class OverrideLayers {
  #envFiles: EnvFile[];
  #settings: OverrideSettings;
  #fromEnv: Override[];
  #given: Override[];
  /** The `.env` files' variables, later files over earlier ones (once parsed). */
  #fileVars = new Map<string, string>();
  #fromFiles: Override[] = [];

  /**
   * Reads the `.env` files, the environment's variables with the prefix and the given
   * overrides; parses the `.env` files if the parser is loaded.
   *
   * @param settings The override fields of the load options.
   * @throws {NotFoundError} A missing `.env` file that is not optional (`FILE_NOT_FOUND`).
   * @throws {ParseError} A `.env` file that cannot be read (not a regular file, too large...).
   * @throws {HoloconfError} `INVALID_OVERRIDE`, or the environment cannot be listed.
   * @throws {RangeError} A malformed `envPrefix` or `envSeparator`.
   */
  constructor(settings: OverrideSettings) {
    this.#settings = settings;
    this.#envFiles = [];
    for (const entry of settings.envFiles ?? []) {
      const path = typeof entry === "string" ? entry : entry.path;
      try {
        this.#envFiles.push({ path, text: readConfigText(path) });
      } catch (error) {
        if (typeof entry !== "string" && entry.optional && error instanceof NotFoundError) {
          continue;
        }
        throw error;
      }
    }
    const prefix = settings.envPrefix;
    if (prefix === undefined) {
      this.#fromEnv = [];
    } else {
      checkEnvPrefix(prefix, settings.envSeparator ?? "__");
      const vars = envEntries();
      if (vars === undefined) {
        throw new HoloconfError("The environment cannot be listed for envPrefix", {
          help: "Allow reading every environment variable (Deno: --allow-env), or drop envPrefix",
        });
      }
      this.#fromEnv = envOverrides(vars, this.#envOptions());
    }
    this.#given = settings.overrides === undefined ? [] : givenOverrides(settings.overrides);
    if (dotenvReady()) this.#parse();
  }

  #envOptions(file?: string): EnvOverrideOptions {
    return {
      prefix: this.#settings.envPrefix!,
      ...(this.#settings.envSeparator === undefined
        ? {}
        : { separator: this.#settings.envSeparator }),
      ...(file === undefined ? {} : { file }),
    };
  }

  #parse(): void {
    for (const file of this.#envFiles) {
      if (file.vars !== undefined) continue;
      file.vars = parseDotenv(file.text);
      for (const [name, value] of file.vars) this.#fileVars.set(name, value);
      if (this.#settings.envPrefix !== undefined) {
        this.#fromFiles.push(...envOverrides(file.vars, this.#envOptions(file.path)));
      }
    }
  }

  /** Whether every `.env` file is parsed (none to parse, or the parser was loaded). */
  get ready(): boolean {
    return this.#envFiles.every((f) => f.vars !== undefined);
  }

  /**
   * Loads the `.env` parser and parses the files.
   *
   * @returns When {@linkcode ready}.
   * @throws {HoloconfError} When the parser cannot be loaded.
   */
  async prepare(): Promise<void> {
    if (this.ready) return;
    await loadDotenv();
    this.#parse();
  }

  /**
   * The same layers read again (a reload): the `.env` files, the environment's variables with
   * the prefix and the given overrides, the `.env` files parsed.
   *
   * @returns The new layers, ready; these are left as they are.
   * @throws {NotFoundError} A missing `.env` file that is not optional (`FILE_NOT_FOUND`).
   * @throws {ParseError} A `.env` file that cannot be read (not a regular file, too large...).
   * @throws {HoloconfError} As the constructor, or the parser could not be loaded.
   */
  async reread(): Promise<OverrideLayers> {
    const layers = new OverrideLayers(this.#settings);
    await layers.prepare();
    return layers;
  }

  /** The `.env` files, as given (missing optional ones too: their creation is a change). */
  get envFilePaths(): string[] {
    return (this.#settings.envFiles ?? []).map((e) => typeof e === "string" ? e : e.path);
  }

  /**
   * A variable of the `.env` files (later files over earlier ones); the process environment is
   * not read.
   *
   * @param name The variable.
   * @returns Its value, or undefined.
   */
  fileVar(name: string): string | undefined {
    return this.#fileVars.get(name);
  }

  /**
   * The tree with every override (those of the `.env` files once parsed), lowest layer first.
   *
   * @param base The files' tree.
   * @param coercionTypeAt The JSON Schema's coercion, if one is attached.
   * @returns The tree.
   * @throws {HoloconfError} As {@linkcode applyOverrides}.
   */
  apply(
    base: MapNode,
    coercionTypeAt?: (path: readonly PathSegment[]) => CoercionType | undefined,
  ): MapNode {
    if (this.#fromFiles.length + this.#fromEnv.length + this.#given.length === 0) return base;
    return applyOverrides(base, [...this.#fromFiles, ...this.#fromEnv, ...this.#given], {
      allowNew: this.#settings.allowNew ?? false,
      interpolate: this.#settings.interpolateOverrides ?? false,
      ...(coercionTypeAt === undefined ? {} : { coercionTypeAt }),
    });
  }
}
