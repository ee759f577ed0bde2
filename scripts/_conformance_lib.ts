/**
 * Pure parts of the conformance runner (`scripts/conformance.ts`): reading case files, choosing
 * the load plan and the action of a case, mock resolvers, the loose comparator, checking a
 * case's `then` against what happened, and the known-failures list of `--gate` mode.
 *
 * Nothing here touches the file system, the environment or the holoconf API directly: the
 * runner passes in what is needed, so this module can be unit-tested on its own.
 *
 * @module
 */

import { load as loadYaml } from "js-yaml";

// ---------------------------------------------------------------------------------------------
// Case files

/** One conformance case: `given`, `when`, `then`, as written in the case file. */
export interface ConformanceCase {
  /** Case name (`name:`). */
  name: string;
  /** Setup (`given:`), `{}` when absent. */
  given: Record<string, unknown>;
  /** Action (`when:`), `{}` when absent. */
  when: Record<string, unknown>;
  /** Expectations (`then:`), `{}` when absent. */
  then: Record<string, unknown>;
}

/** A parsed case file. */
export interface CaseFile {
  /** The file's `suite:` value. */
  suite: string;
  /** Its cases in file order. */
  tests: ConformanceCase[];
}

/** Returns `value` when it is a plain mapping, else `undefined`. */
function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
      !(value instanceof Uint8Array)
    ? value as Record<string, unknown>
    : undefined;
}

/**
 * Parses a case file (YAML, duplicate keys allowed: the last one wins).
 *
 * @param text The file's text.
 * @returns The suite name and its cases.
 * @throws {Error} When the YAML is malformed or the file lacks `suite` / `tests` / case names.
 *
 * @example Parse a one-case file
 * ```ts
 * import { parseCaseFile } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * const f = parseCaseFile("suite: s\ntests:\n  - name: a\n    then: {value: 1, value: 2}\n");
 * assert.equal(f.suite, "s");
 * assert.equal(f.tests[0]?.then.value, 2);
 * ```
 */
export function parseCaseFile(text: string): CaseFile {
  const doc = asRecord(loadYaml(text, { json: true }));
  if (doc === undefined) throw new Error("case file is not a mapping");
  if (typeof doc.suite !== "string" || doc.suite === "") {
    throw new Error("case file has no `suite:` string");
  }
  if (!Array.isArray(doc.tests)) throw new Error("case file has no `tests:` list");
  const tests = doc.tests.map((raw, i) => {
    const t = asRecord(raw);
    if (t === undefined || typeof t.name !== "string" || t.name === "") {
      throw new Error(`test #${i + 1} has no \`name:\``);
    }
    return {
      name: t.name,
      given: asRecord(t.given) ?? {},
      when: asRecord(t.when) ?? {},
      then: asRecord(t.then) ?? {},
    };
  });
  return { suite: doc.suite, tests };
}

// ---------------------------------------------------------------------------------------------
// Load plan and action

/** An entry of `config_merge_specs`: a required path or `{ path, optional }`. */
export type MergeSpec = string | { path: string; optional: boolean };

/** How a case's config is loaded (README precedence: glob > merge specs > merge > config). */
export type LoadPlan =
  | { kind: "glob"; pattern: string; required: boolean }
  | { kind: "specs"; specs: MergeSpec[] }
  | { kind: "merge"; files: string[] }
  | { kind: "string"; text: string }
  | { kind: "none" };

/**
 * Chooses how a case's config is loaded from its `given`.
 *
 * @param given The case's `given`.
 * @returns The load plan (paths still relative to the case directory).
 * @throws {Error} When a load key has the wrong shape.
 *
 * @example A glob wins over a string config
 * ```ts
 * import { loadPlanOf } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(loadPlanOf({ config: "a: 1", config_glob: "c/*.yaml" }), {
 *   kind: "glob", pattern: "c/*.yaml", required: true,
 * });
 * ```
 */
export function loadPlanOf(given: Record<string, unknown>): LoadPlan {
  if (given.config_glob !== undefined && given.config_glob !== null) {
    if (typeof given.config_glob !== "string") throw new Error("config_glob must be a string");
    return { kind: "glob", pattern: given.config_glob, required: given.glob_required !== false };
  }
  if (given.config_merge_specs !== undefined && given.config_merge_specs !== null) {
    if (!Array.isArray(given.config_merge_specs)) {
      throw new Error("config_merge_specs must be a list");
    }
    const specs = given.config_merge_specs.map((s): MergeSpec => {
      if (typeof s === "string") return s;
      const r = asRecord(s);
      if (r === undefined || typeof r.path !== "string") {
        throw new Error("config_merge_specs entries are strings or {path, optional}");
      }
      return { path: r.path, optional: r.optional === true };
    });
    return { kind: "specs", specs };
  }
  if (given.config_merge !== undefined && given.config_merge !== null) {
    if (
      !Array.isArray(given.config_merge) || given.config_merge.some((f) => typeof f !== "string")
    ) {
      throw new Error("config_merge must be a list of file names");
    }
    return { kind: "merge", files: given.config_merge as string[] };
  }
  if (typeof given.config === "string") return { kind: "string", text: given.config };
  return { kind: "none" };
}

/** The action of a case (`when`), first present key wins: cli, dump, export, access, validate. */
export type Action =
  | { kind: "cli"; args: string }
  | { kind: "dump"; format: "yaml" | "json"; resolve: boolean; redact: boolean }
  | {
    kind: "export";
    format: "yaml" | "json" | "dict";
    resolve: boolean;
    redact: boolean;
    access?: string;
  }
  | { kind: "access"; path: string }
  | { kind: "validate" }
  | { kind: "none" };

/**
 * Chooses the action of a case from its `when`.
 *
 * @param when The case's `when`.
 * @returns The action with README defaults applied (`resolve` true, `redact` false).
 * @throws {Error} When the chosen key has an unusable value.
 *
 * @example Export defaults to a resolved export
 * ```ts
 * import { actionOf } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(actionOf({ export: "json" }), {
 *   kind: "export", format: "json", resolve: true, redact: false,
 * });
 * ```
 */
export function actionOf(when: Record<string, unknown>): Action {
  if (when.cli !== undefined && when.cli !== null) {
    return { kind: "cli", args: String(when.cli) };
  }
  if (when.dump !== undefined) {
    const d = asRecord(when.dump) ?? {};
    const format = d.format ?? "yaml";
    if (format !== "yaml" && format !== "json") {
      throw new Error(`unknown dump format: ${String(format)}`);
    }
    return { kind: "dump", format, resolve: d.resolve !== false, redact: d.redact === true };
  }
  if (when.export !== undefined && when.export !== null) {
    const format = when.export;
    if (format !== "yaml" && format !== "json" && format !== "dict") {
      throw new Error(`unknown export format: ${String(format)}`);
    }
    const action: Action = {
      kind: "export",
      format,
      resolve: when.resolve !== false,
      redact: when.redact === true,
    };
    if (format === "dict" && when.access !== undefined && when.access !== null) {
      action.access = String(when.access);
    }
    return action;
  }
  if (when.access !== undefined && when.access !== null) {
    return { kind: "access", path: String(when.access) };
  }
  if (when.validate !== undefined && when.validate !== null && when.validate !== false) {
    return { kind: "validate" };
  }
  return { kind: "none" };
}

/**
 * Follows a dotted path (with `[n]` indexes) into a plain value, as `export: dict` + `access`
 * does on the exported object.
 *
 * @param value The root value.
 * @param path E.g. `server.hosts[0].name`.
 * @returns The value found.
 * @throws {Error} When a segment is missing.
 *
 * @example Navigate a dict
 * ```ts
 * import { navigate } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.equal(navigate({ a: { b: [10, 20] } }, "a.b[1]"), 20);
 * ```
 */
export function navigate(value: unknown, path: string): unknown {
  const segments: (string | number)[] = [];
  for (const part of path.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null) {
      segments.push(part);
      continue;
    }
    if (m[1] !== "") segments.push(m[1] as string);
    for (const idx of (m[2] ?? "").matchAll(/\[(\d+)\]/g)) segments.push(Number(idx[1]));
  }
  let cur = value;
  for (const seg of segments) {
    if (typeof seg === "number" && Array.isArray(cur) && seg < cur.length) {
      cur = cur[seg];
    } else if (
      typeof seg === "string" && asRecord(cur) !== undefined && Object.hasOwn(cur as object, seg)
    ) {
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      throw new Error(`path '${path}' not found in exported dict (at '${seg}')`);
    }
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Comparator

/** Converts a `Map` to a plain record, leaves anything else alone. */
function normaliseMap(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

/** Decodes bytes for comparison as text. */
function scalarText(value: unknown): string {
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

/** A numeric reading of a string, or `undefined` when it is not a plain number. */
function numericString(s: string): number | undefined {
  const t = s.trim();
  if (t === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Python's `repr()` of a plain value (strings quoted), as upstream's comparator sees it. */
function pythonRepr(value: unknown): string {
  if (typeof value === "string") {
    return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  }
  return pythonStr(value);
}

/** Python's `str()` of a plain value: `None`, `True`, `[1, 'a']`, `{'k': 'v'}`. */
function pythonStr(value: unknown): string {
  const v = normaliseMap(value);
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(", ")}]`;
  const r = asRecord(v);
  if (r !== undefined) {
    return `{${
      Object.entries(r).map(([k, x]) => `${pythonRepr(k)}: ${pythonRepr(x)}`).join(", ")
    }}`;
  }
  return scalarText(v);
}

/**
 * The README's loose equality: maps by key set and values, lists element-wise,
 * numbers/booleans numerically, anything else as strings (so `30` equals `"30"`).
 *
 * A string compared with a map or list equals it when it is the structure's compact JSON or
 * its Python `str()` text: upstream's runner falls back to `str(actual) == str(expected)`, so
 * `value: {}` accepts the string `"{}"` (a `default=` value is always a string, SPEC §4).
 *
 * @param expected The value from the case's `then.value`.
 * @param actual The value the library produced.
 * @returns Whether they are loosely equal.
 *
 * @example Numbers and numeric strings compare equal
 * ```ts
 * import { looseEqual } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.ok(looseEqual({ port: 30, tags: ["a"] }, { port: "30", tags: ["a"] }));
 * assert.ok(!looseEqual([1, 2], [1, 2, 3]));
 * ```
 */
export function looseEqual(expected: unknown, actual: unknown): boolean {
  const e = normaliseMap(expected);
  const a = normaliseMap(actual);
  const er = asRecord(e);
  const ar = asRecord(a);
  if (
    (typeof a === "string" && (Array.isArray(e) || er !== undefined)) ||
    (typeof e === "string" && (Array.isArray(a) || ar !== undefined))
  ) {
    const text = typeof a === "string" ? a : e as string;
    const structure = typeof a === "string" ? e : a;
    return text === pythonStr(structure) || text === show(structure, Infinity);
  }
  if (Array.isArray(e) || Array.isArray(a)) {
    if (!Array.isArray(e) || !Array.isArray(a) || e.length !== a.length) return false;
    return e.every((v, i) => looseEqual(v, a[i]));
  }
  if (er !== undefined || ar !== undefined) {
    if (er === undefined || ar === undefined) return false;
    const ek = Object.keys(er);
    const ak = Object.keys(ar);
    if (ek.length !== ak.length || !ek.every((k) => Object.hasOwn(ar, k))) return false;
    return ek.every((k) => looseEqual(er[k], ar[k]));
  }
  const eNum = typeof e === "number" || typeof e === "boolean" || typeof e === "bigint";
  const aNum = typeof a === "number" || typeof a === "boolean" || typeof a === "bigint";
  if (eNum && aNum) {
    const x = Number(e);
    const y = Number(a);
    return x === y || (Number.isNaN(x) && Number.isNaN(y));
  }
  if (eNum !== aNum && (typeof e === "number" || typeof a === "number")) {
    const n = typeof e === "number" ? e : a as number;
    const other = typeof e === "number" ? a : e;
    if (typeof other === "string" && numericString(other) === n) return true;
  }
  if ((e === null || e === undefined) !== (a === null || a === undefined)) return false;
  return scalarText(e) === scalarText(a);
}

/**
 * Renders a value for a failure message (JSON-ish, shortened).
 *
 * @param value Any value.
 * @param max Longest text kept.
 * @returns Text.
 *
 * @example Render a map
 * ```ts
 * import { show } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.equal(show({ a: 1 }), '{"a":1}');
 * ```
 */
export function show(value: unknown, max = 200): string {
  let text: string;
  try {
    text = value === undefined ? "undefined" : JSON.stringify(
      value,
      (_k, v) =>
        typeof v === "bigint"
          ? `${v}n`
          : v instanceof Uint8Array
          ? `<${v.length} bytes>`
          : v instanceof Map
          ? Object.fromEntries(v)
          : v,
    ) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Checking the outcome

/** What running a case produced. */
export type Outcome =
  | { kind: "error"; phase: "load" | "action"; error: unknown }
  | { kind: "ok"; action: Action["kind"]; value?: unknown }
  | { kind: "cli"; exitCode: number; stdout: string; stderr: string; timedOut?: boolean };

/** Failures (the case fails when any) and warnings (reported, not failing). */
export interface CheckResult {
  /** Reasons the case failed. */
  failures: string[];
  /** Non-failing remarks, e.g. an `error.type` mismatch. */
  warnings: string[];
}

/** Reads a `then` key that may be one string or a list of strings. */
function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map((v) => String(v)) : [String(value)];
}

/** The message of anything thrown. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Joins the lines of a multi-line message with ` | ` so it fits on one report line.
 *
 * @param text Any text.
 * @returns The text on one line.
 *
 * @example Flatten an error message
 * ```ts
 * import { oneLine } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.equal(oneLine("Boom\n  Path: a\n"), "Boom | Path: a");
 * ```
 */
export function oneLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" | ");
}

/**
 * The class names along a thrown value's prototype chain, plus its `name`.
 *
 * @param error Anything thrown.
 * @returns Names, most specific first.
 *
 * @example A subclass also counts as its base classes
 * ```ts
 * import { errorTypeNames } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * class BaseError extends Error {}
 * class ChildError extends BaseError {}
 * assert.deepEqual(errorTypeNames(new ChildError("x")), ["Error", "ChildError", "BaseError"]);
 * ```
 */
export function errorTypeNames(error: unknown): string[] {
  const names: string[] = [];
  if (error instanceof Error && typeof error.name === "string") names.push(error.name);
  let proto: unknown = typeof error === "object" && error !== null
    ? Object.getPrototypeOf(error)
    : undefined;
  while (typeof proto === "object" && proto !== null && proto !== Object.prototype) {
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === "string" && !names.includes(ctor.name)) names.push(ctor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

/**
 * First line of a (possibly multi-line) text.
 *
 * @param text Any text.
 * @returns Its first line.
 *
 * @example
 * ```ts
 * import { firstLine } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.equal(firstLine("a\nb"), "a");
 * ```
 */
export function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

/**
 * Checks a case's `then` against its outcome (README semantics).
 *
 * @param then The case's `then`.
 * @param outcome What loading and the action produced.
 * @returns Failures and warnings; no failures means the case passed.
 *
 * @example An expected error with the wrong class is a warning only
 * ```ts
 * import { checkOutcome } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * const r = checkOutcome(
 *   { error: { type: "ResolverError", message_contains: "not found" } },
 *   { kind: "error", phase: "action", error: new TypeError("key not found") },
 * );
 * assert.deepEqual(r.failures, []);
 * assert.equal(r.warnings.length, 1);
 * ```
 */
export function checkOutcome(then: Record<string, unknown>, outcome: Outcome): CheckResult {
  const failures: string[] = [];
  const warnings: string[] = [];
  const expectedError = then.error !== undefined && then.error !== null
    ? asRecord(then.error) ?? {}
    : undefined;

  if (outcome.kind === "cli") {
    if (outcome.timedOut === true) return { failures: ["CLI timed out"], warnings };
    if (then.exit_code !== undefined && Number(then.exit_code) !== outcome.exitCode) {
      failures.push(
        `exit code ${outcome.exitCode}, expected ${String(then.exit_code)}` +
          (outcome.stderr.trim() === "" ? "" : ` (stderr: ${show(outcome.stderr.trim())})`),
      );
    }
    if (then.stdout !== undefined && String(then.stdout).trim() !== outcome.stdout.trim()) {
      failures.push(`stdout ${show(outcome.stdout.trim())}, expected ${show(String(then.stdout))}`);
    }
    for (
      const [key, stream] of [["stdout_contains", outcome.stdout], [
        "stderr_contains",
        outcome.stderr,
      ]] as const
    ) {
      for (const needle of stringList(then[key])) {
        if (!stream.toLowerCase().includes(needle.toLowerCase())) {
          failures.push(`${key}: ${show(needle)} not in ${show(stream.trim())}`);
        }
      }
    }
    return { failures, warnings };
  }

  if (outcome.kind === "error") {
    const message = messageOf(outcome.error);
    const where = outcome.phase === "load" ? "load failed" : "threw";
    if (expectedError !== undefined) {
      const needle = expectedError.message_contains;
      if (needle !== undefined && needle !== null && !message.includes(String(needle))) {
        failures.push(
          `error message does not contain ${show(String(needle))}: ${oneLine(message)}`,
        );
      }
      const type = expectedError.type;
      if (typeof type === "string" && !errorTypeNames(outcome.error).includes(type)) {
        warnings.push(
          `expected error type ${type}, got ${
            errorTypeNames(outcome.error)[0] ?? typeof outcome.error
          }`,
        );
      }
    } else if (!(then.valid === false && outcome.phase === "action")) {
      failures.push(`${where}: ${oneLine(message)}`);
    }
    if (then.valid === true) failures.push(`expected valid, but validation ${where}`);
    return { failures, warnings };
  }

  if (expectedError !== undefined) {
    const needle = expectedError.message_contains;
    failures.push(
      "expected an error" + (needle === undefined ? "" : ` containing ${show(String(needle))}`) +
        `, got ${outcome.value === undefined ? "success" : show(outcome.value)}`,
    );
  }
  if (then.valid === false) failures.push("expected validation to fail, it passed");
  if (Object.hasOwn(then, "value") && !looseEqual(then.value, outcome.value)) {
    failures.push(`value ${show(outcome.value)}, expected ${show(then.value)}`);
  }
  const text = typeof outcome.value === "string" ? outcome.value : show(outcome.value, Infinity);
  for (const key of ["output_contains", "contains"]) {
    for (const needle of stringList(then[key])) {
      if (!text.includes(needle)) {
        failures.push(`${key}: ${show(needle)} not in ${show(text, 400)}`);
      }
    }
  }
  for (const key of ["output_not_contains", "not_contains"]) {
    for (const needle of stringList(then[key])) {
      if (text.includes(needle)) {
        failures.push(`${key}: ${show(needle)} found in ${show(text, 400)}`);
      }
    }
  }
  return { failures, warnings };
}

// ---------------------------------------------------------------------------------------------
// Mocks

/** The part of a resolver call the mocks use. */
export interface MockCall {
  /** Keyword arguments (`region`, `profile`, `parse`, ...). */
  kwargs: Record<string, string>;
}

/** What the mocks need from the library: its error and value classes, and a YAML parser. */
export interface MockDeps {
  /** `NotFoundError` of the library (enables `default=`). */
  NotFoundError: new (headline: string) => Error;
  /** Error class for argument errors (`ResolverError`); plain `Error` when absent. */
  ResolverError?: new (headline: string) => Error;
  /** `ResolvedValue` of the library. */
  ResolvedValue: new (value: unknown, options?: { sensitive?: boolean }) => unknown;
  /** Parses YAML text to a value (`parseYamlValue` of src/yaml.ts). */
  parseYaml: (text: string) => unknown;
}

/** Picks the `s3` parse mode for `parse=auto`. */
function autoParseMode(key: string, contentType: unknown): "yaml" | "json" | "text" {
  const k = key.toLowerCase();
  if (k.endsWith(".yaml") || k.endsWith(".yml")) return "yaml";
  if (k.endsWith(".json")) return "json";
  const ct = typeof contentType === "string" ? contentType.toLowerCase() : "";
  if (ct.includes("yaml")) return "yaml";
  if (ct.includes("json")) return "json";
  return "text";
}

/**
 * Builds the mock resolver the README describes for resolver `name` with data `data`.
 *
 * @param name Resolver name (`ssm`, `cfn` and `s3` check their argument format).
 * @param data The case's `mocks[name]` mapping (key → entry).
 * @param deps Library classes and the YAML parser.
 * @param options `async: true` makes the mock return promises.
 * @returns A resolver function `(key, call) => value`.
 *
 * @example A StringList parameter
 * ```ts
 * import { makeMockResolver } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * class NotFoundError extends Error {}
 * class ResolvedValue { constructor(public value: unknown, public options?: unknown) {} }
 * const ssm = makeMockResolver("ssm", { "/a": { value: "x,y", type: "StringList" } }, {
 *   NotFoundError, ResolvedValue, parseYaml: JSON.parse,
 * });
 * assert.deepEqual(ssm("/a", { kwargs: {} }), ["x", "y"]);
 * ```
 */
export function makeMockResolver(
  name: string,
  data: unknown,
  deps: MockDeps,
  options: { async?: boolean } = {},
): (key: string, call: MockCall) => unknown {
  const entries = asRecord(data) ?? {};
  const ArgError = deps.ResolverError ?? Error;
  const notFound = (key: string) => new deps.NotFoundError(`Mock ${name}: '${key}' not found`);
  const resolve = (key: string, call: MockCall): unknown => {
    if (name === "ssm" && !key.startsWith("/")) {
      throw new ArgError(`SSM parameter path must start with /: ${key}`);
    }
    if (name === "cfn" && !key.includes("/")) {
      throw new ArgError(`CloudFormation argument must be in stack-name/OutputKey format: ${key}`);
    }
    if (name === "s3" && !key.includes("/")) {
      throw new ArgError(`S3 argument must be in bucket/key format: ${key}`);
    }
    if (!Object.hasOwn(entries, key)) throw notFound(key);
    const entry = entries[key];
    const rec = asRecord(entry);
    if (rec === undefined || (!Object.hasOwn(rec, "value") && !Object.hasOwn(rec, "content"))) {
      return entry;
    }
    for (const kw of ["region", "profile"]) {
      if (Object.hasOwn(rec, kw) && call.kwargs[kw] !== String(rec[kw])) throw notFound(key);
    }
    if (Object.hasOwn(rec, "content")) {
      const content = String(rec.content);
      if (name !== "s3") return content;
      const requested = call.kwargs.parse ?? "auto";
      const mode = requested === "auto" ? autoParseMode(key, rec.content_type) : requested;
      if (mode === "text") return content;
      if (mode === "yaml") return deps.parseYaml(content);
      if (mode === "json") return JSON.parse(content);
      throw new ArgError(`Mock s3: unknown parse mode '${requested}'`);
    }
    if (rec.type === "StringList") return String(rec.value).split(",");
    if (rec.type === "SecureString") return new deps.ResolvedValue(rec.value, { sensitive: true });
    return rec.value;
  };
  if (options.async === true) {
    return (key, call) => {
      try {
        return Promise.resolve(resolve(key, call));
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  return resolve;
}

// ---------------------------------------------------------------------------------------------
// CLI helpers

/**
 * Extracts the `deno run` flags from a deno.json task string such as
 * `deno run --allow-env --allow-read src/cli/main.ts`.
 *
 * @param task The task command.
 * @returns The flags between `run` and the script.
 * @throws {Error} When the task is not a `deno run <flags> <script>` command.
 *
 * @example Flags of the cli task
 * ```ts
 * import { denoRunFlags } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(denoRunFlags("deno run --allow-env -q src/cli/main.ts"), ["--allow-env", "-q"]);
 * ```
 */
export function denoRunFlags(task: string): string[] {
  const words = task.trim().split(/\s+/);
  const run = words.indexOf("run");
  if (words[0] !== "deno" || run < 0) throw new Error(`not a 'deno run' task: ${task}`);
  const flags: string[] = [];
  for (const w of words.slice(run + 1)) {
    if (!w.startsWith("-")) return flags;
    flags.push(w);
  }
  throw new Error(`no script in task: ${task}`);
}

/**
 * Quotes a word for a POSIX shell.
 *
 * @param word Any text.
 * @returns The word in single quotes.
 *
 * @example Quote a path with a quote in it
 * ```ts
 * import { shellQuote } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.equal(shellQuote("it's"), "'it'\\''s'");
 * ```
 */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Replaces `{name}` placeholders in CLI arguments by shell-quoted values; unknown placeholders
 * are left alone.
 *
 * @param args The `when.cli` text.
 * @param values Placeholder name → absolute path.
 * @returns The arguments ready for `sh -c`.
 *
 * @example Replace the config file
 * ```ts
 * import { substitutePlaceholders } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   substitutePlaceholders("get {config_file} a", { config_file: "/t/config.yaml" }),
 *   "get '/t/config.yaml' a",
 * );
 * ```
 */
export function substitutePlaceholders(args: string, values: Record<string, string>): string {
  return args.replace(
    /\{([^{}]+)\}/g,
    (whole, key: string) => Object.hasOwn(values, key) ? shellQuote(values[key] as string) : whole,
  );
}

// ---------------------------------------------------------------------------------------------
// Known failures

/** Parsed `known_failures.txt`. */
export interface KnownFailures {
  /** The leading comment/blank lines, kept by `--write-known`. */
  header: string[];
  /** `suite/case` → reason, in file order. */
  entries: Map<string, string>;
}

const SEPARATOR_REGEXP = /\s+(?:—|--|-)\s+/;

/**
 * Parses a known-failures list: lines `suite/case — reason`, `#` comments and blank lines
 * ignored.
 *
 * @param text The file's text.
 * @returns Header and entries.
 *
 * @example Parse two entries
 * ```ts
 * import { parseKnownFailures } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * const k = parseKnownFailures("# header\n\na/b — not yet\nc/d\n");
 * assert.deepEqual([...k.entries], [["a/b", "not yet"], ["c/d", ""]]);
 * assert.deepEqual(k.header, ["# header"]);
 * ```
 */
export function parseKnownFailures(text: string): KnownFailures {
  const lines = text.split(/\r?\n/);
  const header: string[] = [];
  let inHeader = true;
  const entries = new Map<string, string>();
  for (const line of lines) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) {
      if (inHeader) header.push(line);
      continue;
    }
    inHeader = false;
    const m = SEPARATOR_REGEXP.exec(t);
    const key = m === null ? t : t.slice(0, m.index).trim();
    const reason = m === null ? "" : t.slice(m.index + m[0].length).trim();
    entries.set(key, reason);
  }
  while (header.length > 0 && header[header.length - 1]?.trim() === "") header.pop();
  return { header, entries };
}

/** The result of one case, as the gate sees it. */
export interface CaseResult {
  /** `suite/case`. */
  key: string;
  /** Whether it passed. */
  passed: boolean;
  /** Failure reason (may be multi-line). */
  message: string;
}

/** Differences between a run and the known-failures list. */
export interface GateReport {
  /** Failing cases not in the list. */
  unexpectedFailures: CaseResult[];
  /** Listed cases that now pass. */
  nowPassing: string[];
  /** Listed cases that do not exist in the suite. */
  unknown: string[];
  /** Listed cases that failed as expected. */
  knownFailing: number;
}

/**
 * Compares a run with the known-failures list.
 *
 * @param results Every case that ran.
 * @param known Listed `suite/case` keys.
 * @param allKeys Every case key of the suite (also the ones a filter skipped).
 * @returns The differences; the gate fails when any list is non-empty.
 *
 * @example A listed case that passes is reported
 * ```ts
 * import { diffKnownFailures } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * const r = diffKnownFailures([{ key: "s/a", passed: true, message: "" }], ["s/a"], ["s/a"]);
 * assert.deepEqual(r.nowPassing, ["s/a"]);
 * ```
 */
export function diffKnownFailures(
  results: readonly CaseResult[],
  known: Iterable<string>,
  allKeys: Iterable<string>,
): GateReport {
  const knownSet = new Set(known);
  const all = new Set(allKeys);
  const ran = new Map(results.map((r) => [r.key, r]));
  const unexpectedFailures = results.filter((r) => !r.passed && !knownSet.has(r.key));
  const nowPassing: string[] = [];
  const unknown: string[] = [];
  let knownFailing = 0;
  for (const key of knownSet) {
    if (!all.has(key)) {
      unknown.push(key);
      continue;
    }
    const r = ran.get(key);
    if (r === undefined) continue;
    if (r.passed) nowPassing.push(key);
    else knownFailing++;
  }
  return { unexpectedFailures, nowPassing, unknown, knownFailing };
}

/**
 * Renders a known-failures file: the header, then one `suite/case — reason` line per failing
 * case (first line of the reason).
 *
 * @param header Header lines (comments) to keep.
 * @param failures Failing cases.
 * @returns The file text (ends with a newline).
 *
 * @example Render one entry
 * ```ts
 * import { formatKnownFailures } from "./_conformance_lib.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   formatKnownFailures(["# h"], [{ key: "s/a", passed: false, message: "boom\nmore" }]),
 *   "# h\n\ns/a — boom\n",
 * );
 * ```
 */
export function formatKnownFailures(
  header: readonly string[],
  failures: readonly CaseResult[],
): string {
  const lines = [...header];
  if (lines.length > 0 && failures.length > 0) lines.push("");
  for (const f of failures) {
    const full = firstLine(f.message).trim();
    const reason = full.length > 160 ? `${full.slice(0, 159)}…` : full;
    lines.push(reason === "" ? f.key : `${f.key} — ${reason}`);
  }
  return lines.join("\n") + "\n";
}
