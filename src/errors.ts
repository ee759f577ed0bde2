/**
 * The holoconf error family (SPEC §11). Every error has a machine-readable `code`, and a
 * message laid out as:
 *
 * ```
 * <Headline>
 *   Path: database.password
 *   Source: config/prod.yaml:12:13
 *   <detail lines>
 *   Help: <what to do>
 * ```
 *
 * `path`, `resolver` and `source` may be filled in after construction (the engine adds them
 * when an error passes through a node); the message is rebuilt each time.
 *
 * @module
 */

/**
 * Every code a holoconf error carries: a closed set, so `switch (error.code)` can be exhaustive.
 * A custom resolver reports its own failures with `ResolverError` (code `RESOLVER_ERROR`, its
 * own text in the headline) or `NotFoundError` (`NOT_FOUND`, so `default=` applies); anything
 * else it throws becomes `RESOLVER_FAILED`. A resolver that needs a machine-readable reason of
 * its own subclasses `ResolverError`: its class survives (`instanceof` still holds), its code
 * stays one of these.
 *
 * @example Handle a code
 * ```ts
 * import { type ErrorCode, PathNotFoundError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const code: ErrorCode = new PathNotFoundError("Path not found", { path: "a" }).code;
 * assert.equal(code, "PATH_NOT_FOUND");
 * ```
 */
export type ErrorCode =
  | "ASYNC_RESOLUTION_REQUIRED"
  | "AWS_ENDPOINT_NOT_ALLOWED"
  | "AWS_ERROR"
  | "CIRCULAR_REFERENCE"
  | "CYCLIC_VALUE"
  | "EXPANSION_LIMIT_EXCEEDED"
  | "FILE_ACCESS_DENIED"
  | "FILE_NOT_FOUND"
  | "FILE_NOT_REGULAR"
  | "FILE_TOO_LARGE"
  | "HOLOCONF_ERROR"
  | "HTTP_DISABLED"
  | "HTTP_ERROR"
  | "HTTP_NOT_ALLOWED"
  | "INVALID_KEYWORD_VALUE"
  | "INVALID_OVERRIDE"
  | "MAX_DEPTH_EXCEEDED"
  | "MAX_NESTING_EXCEEDED"
  | "MISSING_MANDATORY_VALUE"
  | "NOT_FOUND"
  | "OFFLINE"
  | "PARSE_ERROR"
  | "PATH_NOT_FOUND"
  | "REF_NOT_FOUND"
  | "RESOLVE_ALL_FAILED"
  | "RESOLVER_ABORTED"
  | "RESOLVER_ALREADY_REGISTERED"
  | "RESOLVER_BAD_VALUE"
  | "RESOLVER_ERROR"
  | "RESOLVER_FAILED"
  | "RESOLVER_INVALID"
  | "RESOLVER_RESERVED"
  | "RESOLVER_TIMEOUT"
  | "SCHEMA_NOT_READY"
  | "SCHEMA_VALIDATOR_UNAVAILABLE"
  | "INVALID_SETTING"
  | "TOO_MANY_ARGUMENTS"
  | "TYPE_COERCION"
  | "UNKNOWN_KEYWORD"
  | "UNKNOWN_OVERRIDE_KEY"
  | "UNKNOWN_RESOLVER"
  | "UNKNOWN_SETTING"
  | "VALIDATION_ERROR";

/**
 * What each code means: the runtime list of the codes (the compiler checks that it names every
 * code of {@linkcode ErrorCode} and nothing else).
 */
const ERROR_CODES: Readonly<Record<ErrorCode, string>> = {
  ASYNC_RESOLUTION_REQUIRED: "getSync met a value that needs an asynchronous resolver",
  AWS_ENDPOINT_NOT_ALLOWED:
    "an endpoint= written in the config is neither loopback nor in the aws endpointAllowlist",
  AWS_ERROR: "an AWS request failed",
  CIRCULAR_REFERENCE: "references form a loop",
  CYCLIC_VALUE: "an object given to Config.fromObject contains itself",
  EXPANSION_LIMIT_EXCEEDED: "an object given to Config.fromObject repeats shared values too often",
  FILE_ACCESS_DENIED: "a file is outside the allowed roots or cannot be read",
  FILE_NOT_FOUND: "a file does not exist",
  FILE_NOT_REGULAR: "a path is a directory, device or pipe, not a file",
  FILE_TOO_LARGE: "a file is larger than the limit",
  HOLOCONF_ERROR: "any other failure",
  HTTP_DISABLED: "an http/https resolver was used without allowHttp",
  HTTP_ERROR: "an HTTP request failed",
  HTTP_NOT_ALLOWED: "a URL is not in the HTTP allowlist",
  INVALID_KEYWORD_VALUE: "a keyword argument has a value the resolver does not accept",
  INVALID_OVERRIDE: "an override (environment variable, --set, overrides option) is malformed",
  MAX_DEPTH_EXCEEDED: "a value depends on a chain of more than 100 references",
  MAX_NESTING_EXCEEDED: "an object given to Config.fromObject is nested too deeply",
  MISSING_MANDATORY_VALUE: "a value marked ??? was not supplied by a later layer",
  NOT_FOUND: "a resolver found no such key (default= applies)",
  OFFLINE: "a network resolver was called while the Config is offline",
  PARSE_ERROR: "malformed YAML, JSON or interpolation syntax",
  PATH_NOT_FOUND: "a path does not exist in the config",
  REF_NOT_FOUND: "a relative reference's target does not exist",
  RESOLVE_ALL_FAILED: "resolveAll finished with failures",
  RESOLVER_ABORTED: "the caller aborted a resolver call",
  RESOLVER_ALREADY_REGISTERED: "a resolver name is taken",
  RESOLVER_BAD_VALUE: "a resolver returned something holoconf cannot use",
  RESOLVER_ERROR: "a resolver reported a failure",
  RESOLVER_FAILED: "a resolver threw something that is not a holoconf error",
  RESOLVER_INVALID: "a resolver is not a function or a valid resolver object",
  RESOLVER_RESERVED: "a resolver name is reserved",
  RESOLVER_TIMEOUT: "a resolver call ran out of time",
  SCHEMA_NOT_READY: "the schema validator is not loaded yet",
  SCHEMA_VALIDATOR_UNAVAILABLE: "the schema validator could not be loaded",
  INVALID_SETTING: "a resolver setting has the wrong type or is given twice",
  TOO_MANY_ARGUMENTS: "a resolver call has more positional arguments than it accepts",
  TYPE_COERCION: "a value cannot be converted to the type asked for",
  UNKNOWN_KEYWORD: "a resolver call has a keyword argument it does not accept",
  UNKNOWN_OVERRIDE_KEY: "an override names a key the config does not have (without allowNew)",
  UNKNOWN_RESOLVER: "no resolver of that name is registered",
  UNKNOWN_SETTING: "a resolver setting names a group or field no registered resolver declares",
  VALIDATION_ERROR: "the config does not match its schema",
};

/**
 * Whether a value is one of holoconf's error codes.
 *
 * @param value Anything, e.g. the `code` of an error from another library.
 * @returns True for a member of {@linkcode ErrorCode}.
 *
 * @example Narrow an unknown code
 * ```ts
 * import { isErrorCode } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.equal(isErrorCode("NOT_FOUND"), true);
 * assert.equal(isErrorCode("ENOENT"), false);
 * ```
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** `code` when it is one of holoconf's codes, else `fallback` (untyped callers). */
function knownCode(code: unknown, fallback: ErrorCode): ErrorCode {
  return isErrorCode(code) ? code : fallback;
}

/**
 * Where a value came from: file, 1-based line and 1-based column. A value set from outside the
 * files has no position (`line` and `column` are 0) and `file` names where it came from:
 * `env APP__DB__PORT`, `env APP__DB__PORT (/app/.env)`, `--set db.port`, `override db.port`.
 */
export interface SourceLocation {
  /** File path as it was loaded (or `<string>` for `Config.loads`), or the override's origin. */
  file: string;
  /** 1-based line (0: no position, an override). */
  line: number;
  /** 1-based column (0: no position, an override). */
  column: number;
}

/** Options accepted by every holoconf error constructor. */
export interface HoloconfErrorOptions {
  /**
   * Machine-readable code; each class has a default, which also replaces a code that is not an
   * {@linkcode ErrorCode} (possible only from untyped JavaScript).
   */
  code?: ErrorCode | undefined;
  /** Config path the error is about. */
  path?: string | undefined;
  /** Name of the resolver involved. */
  resolver?: string | undefined;
  /** `file:line:column` of the value involved. */
  source?: string | undefined;
  /** What the user can do about it. */
  help?: string | undefined;
  /** Extra lines shown between the context lines and the help line. */
  detail?: string | string[] | undefined;
  /** The underlying error. */
  cause?: unknown | undefined;
}

/** Formats a {@linkcode SourceLocation} as `file:line:column` (an override's origin alone).
 *
 * @param loc The location.
 * @returns The location as text.
 *
 * @example Format a location
 * ```ts
 * import { formatSource } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatSource({ file: "a.yaml", line: 2, column: 5 }), "a.yaml:2:5");
 * assert.equal(formatSource({ file: "env APP__DB__PORT", line: 0, column: 0 }), "env APP__DB__PORT");
 * ```
 */
export function formatSource(loc: SourceLocation): string {
  return loc.line === 0 ? loc.file : `${loc.file}:${loc.line}:${loc.column}`;
}

/** Where each error class keeps the symbol that marks its instances (see {@linkcode brand}). */
const BRAND = Symbol.for("holoconf.error");

/**
 * Marks the instances of a holoconf error class for `instanceof` across copies of holoconf: two
 * copies loaded in one process (the CLI's and a user's, npm and JSR) have two `ResolverError`
 * classes, and an error of one copy is still an `instanceof` the other's. The class's prototype
 * carries `Symbol.for("holoconf.error.<name>")`, so every instance, of a subclass too, inherits
 * it; the class keeps that symbol under `Symbol.for("holoconf.error")`.
 */
function brand(cls: abstract new (...args: never[]) => HoloconfError, name: string): void {
  const mark = Symbol.for(`holoconf.error.${name}`);
  Object.defineProperty(cls.prototype, mark, { value: true });
  Object.defineProperty(cls, BRAND, { value: mark });
}

/** Whether `value` carries the mark of class `cls` (not of a parent or subclass of its own). */
function branded(cls: object, value: unknown): boolean {
  if (typeof value !== "object" || value === null || !Object.hasOwn(cls, BRAND)) return false;
  try {
    return (value as Record<symbol, unknown>)[(cls as Record<symbol, symbol>)[BRAND]!] === true;
  } catch {
    return false; // a proxy whose traps throw is nobody's error
  }
}

/**
 * Base class of every error holoconf throws.
 *
 * `instanceof` works across copies of holoconf loaded in one process: an error thrown by one copy
 * is an `instanceof` the other copy's class of the same name (each class is branded with
 * `Symbol.for("holoconf.error.<ClassName>")`). A subclass declared outside holoconf is checked
 * the ordinary way.
 *
 * @example Catch any holoconf error
 * ```ts
 * import { HoloconfError, PathNotFoundError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const err = new PathNotFoundError("Path not found", { path: "a.b" });
 * assert.ok(err instanceof HoloconfError);
 * assert.equal(err.code, "PATH_NOT_FOUND");
 * assert.match(err.message, /Path: a\.b/);
 * ```
 */
export class HoloconfError extends Error {
  static {
    brand(this, "HoloconfError");
  }

  /**
   * `instanceof` for this class and its subclasses, across copies of holoconf (see the class
   * notes): the ordinary prototype check, then the brand.
   *
   * @param value Anything.
   * @returns Whether `value` is an instance.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, value) || branded(this, value);
  }

  /** Machine-readable code, e.g. `PATH_NOT_FOUND`, `NOT_FOUND`, `RESOLVER_TIMEOUT`. */
  code: ErrorCode;
  /** First line of the message. */
  headline: string;
  /** Config path the error is about. */
  path: string | undefined;
  /** Resolver involved, when any. */
  resolver: string | undefined;
  /** `file:line:column` of the value involved. */
  source: string | undefined;
  /** What to do about it. */
  help: string | undefined;
  /** Extra detail lines. */
  detail: string[];

  /**
   * Creates the error.
   *
   * @param headline First line of the message.
   * @param options Context fields.
   */
  constructor(headline: string, options: HoloconfErrorOptions = {}) {
    super(headline, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = knownCode(options.code, "HOLOCONF_ERROR");
    this.headline = headline;
    this.path = options.path;
    this.resolver = options.resolver;
    this.source = options.source;
    this.help = options.help;
    this.detail = options.detail === undefined
      ? []
      : Array.isArray(options.detail)
      ? options.detail
      : [options.detail];
    this.message = this.format();
  }

  /**
   * Fills in context fields that are not set yet and rebuilds the message.
   *
   * @param context Fields to add when missing.
   * @returns This error.
   */
  withContext(context: { path?: string; resolver?: string; source?: string }): this {
    if (this.path === undefined && context.path !== undefined) this.path = context.path;
    if (this.resolver === undefined && context.resolver !== undefined) {
      this.resolver = context.resolver;
    }
    if (this.source === undefined && context.source !== undefined) this.source = context.source;
    this.message = this.format();
    return this;
  }

  /** Rebuilds `message` from the fields (call after changing them). */
  refresh(): void {
    this.message = this.format();
  }

  /** The message layout of SPEC §11. */
  protected format(): string {
    const lines = [this.headline];
    if (this.path !== undefined && this.path !== "") lines.push(`  Path: ${this.path}`);
    if (this.source !== undefined) lines.push(`  Source: ${this.source}`);
    for (const d of this.detail) {
      for (const l of d.split("\n")) lines.push(`  ${l}`);
    }
    if (this.help !== undefined) lines.push(`  Help: ${this.help}`);
    return lines.join("\n");
  }
}

/**
 * Malformed YAML, JSON or interpolation syntax, and limits exceeded.
 *
 * @example
 * ```ts
 * import { ParseError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const e = new ParseError("Empty interpolation expression", { line: 1, column: 3 });
 * assert.equal(e.code, "PARSE_ERROR");
 * assert.equal(e.column, 3);
 * ```
 */
export class ParseError extends HoloconfError {
  static {
    brand(this, "ParseError");
  }

  /** 1-based line of the problem, when known. */
  line: number | undefined;
  /** 1-based column of the problem, when known. */
  column: number | undefined;

  /**
   * Creates the error.
   *
   * @param headline First line of the message.
   * @param options Context, plus the line and column of the problem.
   */
  constructor(
    headline: string,
    options: HoloconfErrorOptions & { line?: number; column?: number } = {},
  ) {
    super(headline, { ...options, code: knownCode(options.code, "PARSE_ERROR") });
    this.line = options.line;
    this.column = options.column;
  }
}

/**
 * A resolver failed (unknown resolver, disabled http, access denied, a thrown error...).
 *
 * @example
 * ```ts
 * import { ResolverError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const e = new ResolverError("Unknown resolver: vault", { resolver: "vault", path: "db.pw" });
 * assert.equal(e.code, "RESOLVER_ERROR");
 * assert.equal(e.resolver, "vault");
 * assert.match(e.message, /^Unknown resolver: vault\n\s*Path: db\.pw/);
 * ```
 */
export class ResolverError extends HoloconfError {
  static {
    brand(this, "ResolverError");
  }

  /**
   * Creates the error.
   *
   * @param headline First line of the message.
   * @param options Context fields.
   */
  constructor(headline: string, options: HoloconfErrorOptions = {}) {
    super(headline, { ...options, code: knownCode(options.code, "RESOLVER_ERROR") });
  }
}

/**
 * Thrown by a resolver to say "this key does not exist": it lets `default=` apply.
 * A custom resolver may throw it bare (`new NotFoundError()`); the engine then reports
 * `Resource not found: <key>`. Built-in resolvers pass `resource` to keep their own headline.
 *
 * @example Signal not-found from a custom resolver
 * ```ts
 * import { Config, NotFoundError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const lookup = (key: string) => {
 *   throw new NotFoundError(`no such key ${key}`);
 * };
 * const config = Config.loads("a: ${lookup:x,default=fallback}\nb: ${lookup:y}\n", {
 *   resolvers: { lookup },
 * });
 * assert.equal(await config.get("a"), "fallback"); // default= applies to "not found"
 * await assert.rejects(config.get("b"), NotFoundError);
 * ```
 */
export class NotFoundError extends ResolverError {
  static {
    brand(this, "NotFoundError");
  }

  /** Set by built-ins: the headline already names the resource. */
  resource: string | undefined;

  /**
   * Creates the error.
   *
   * @param message Optional text (a custom resolver's explanation).
   * @param options Context; `resource` marks a complete built-in headline.
   */
  constructor(message = "", options: HoloconfErrorOptions & { resource?: string } = {}) {
    super(message, { ...options, code: knownCode(options.code, "NOT_FOUND") });
    this.resource = options.resource;
  }
}

/**
 * A path does not exist in the config (`get`, or a reference's target). With a `path` and no
 * `help`, the help says to check that the path exists.
 *
 * @example
 * ```ts
 * import { PathNotFoundError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const e = new PathNotFoundError("Path not found", { path: "db.port" });
 * assert.equal(e.code, "PATH_NOT_FOUND");
 * assert.match(e.message, /Help: Check that 'db.port' exists in the configuration/);
 * ```
 */
export class PathNotFoundError extends HoloconfError {
  static {
    brand(this, "PathNotFoundError");
  }

  /**
   * Creates the error.
   *
   * @param headline First line of the message.
   * @param options Context fields.
   */
  constructor(headline = "Path not found", options: HoloconfErrorOptions = {}) {
    const help = options.path === undefined
      ? undefined
      : `Check that '${options.path}' exists in the configuration`;
    super(headline, {
      ...(help ? { help } : {}),
      ...options,
      code: knownCode(options.code, "PATH_NOT_FOUND"),
    });
  }
}

/**
 * References form a loop. `chain` lists the paths, starting at the accessed key.
 *
 * @example
 * ```ts
 * import { CircularReferenceError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const e = new CircularReferenceError(["a", "b", "a"]);
 * assert.match(e.message, /Chain: a → b → a/);
 * assert.match(e.message, /circular/);
 * ```
 */
export class CircularReferenceError extends HoloconfError {
  static {
    brand(this, "CircularReferenceError");
  }

  /** The loop, first and last element equal. */
  chain: string[];

  /**
   * Creates the error.
   *
   * @param chain Paths in the loop, starting at the accessed key.
   * @param options Context fields.
   */
  constructor(chain: string[], options: HoloconfErrorOptions = {}) {
    super("Circular reference detected", {
      path: chain[0],
      detail: `Chain: ${chain.join(" → ")}`,
      help: "Break the circular dependency by removing one of the references " +
        "(a circular chain can never resolve)",
      ...options,
      code: knownCode(options.code, "CIRCULAR_REFERENCE"),
    });
    this.chain = chain;
  }
}

/**
 * A value cannot be converted to the type asked for (typed getters, schema coercion).
 *
 * @example
 * ```ts
 * import { TypeCoercionError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const e = new TypeCoercionError({ path: "port", expected: "integer", got: 'string ("abc")' });
 * assert.match(e.message, /Got: string \("abc"\)/);
 * ```
 */
export class TypeCoercionError extends HoloconfError {
  static {
    brand(this, "TypeCoercionError");
  }

  /** Expected type name. */
  expected: string;

  /**
   * Creates the error.
   *
   * @param info Path, expected type and a description of the value (already redacted).
   * @param options Context fields.
   */
  constructor(
    info: { path?: string; expected: string; got: string },
    options: HoloconfErrorOptions = {},
  ) {
    super("Type coercion failed", {
      ...(info.path === undefined ? {} : { path: info.path }),
      detail: `Got: ${info.got}`,
      help: `Ensure the value can be converted to ${info.expected}`,
      ...options,
      code: knownCode(options.code, "TYPE_COERCION"),
    });
    this.expected = info.expected;
  }
}

/** One problem found by validation, as data (SPEC §8). */
export interface ValidationIssue {
  /** JSON pointer of the value (`""` for the root), e.g. `/servers/0/port`. */
  pointer: string;
  /** The same place as a config path (`""` for the root), e.g. `servers[0].port`. */
  path: string;
  /** What is wrong, never showing a sensitive value, e.g. `must be integer`. */
  message: string;
  /**
   * A value that could not be resolved, a resolved string that could not be coerced to the
   * schema's type, or a schema rule the resolved config breaks.
   */
  kind: "resolution" | "coercion" | "schema";
  /**
   * Machine-readable: the failing JSON Schema keyword for schema issues (`type`, `required`,
   * ...), `TYPE_COERCION` for coercion issues, the error's code for resolution issues
   * (`NOT_FOUND`, `RESOLVER_TIMEOUT`, ...).
   */
  code: string;
  /** The type the schema asks for there (`integer`, `string,null`), when it names one. */
  expected?: string | undefined;
  /** `file:line:column` of the value, or of the nearest mapping or sequence holding it. */
  source?: string | undefined;
}

/**
 * One line of a validation report: `<json-pointer>: <message> (at <file:line:column>)`, without
 * the pointer for the root and without the location when it is not known.
 *
 * @param issue The issue.
 * @returns The line.
 */
function issueLine(issue: ValidationIssue): string {
  const text = issue.pointer === "" ? issue.message : `${issue.pointer}: ${issue.message}`;
  return issue.source === undefined ? text : `${text} (at ${issue.source})`;
}

/**
 * Validation failed; `issues` lists every problem: values that could not be resolved, values
 * that could not be coerced, and schema violations. `detail` holds one line per issue.
 *
 * @example
 * ```ts
 * import { ValidationError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const e = new ValidationError([{
 *   pointer: "/port",
 *   path: "port",
 *   message: "must be integer",
 *   kind: "schema",
 *   code: "type",
 *   expected: "integer",
 *   source: "app.yaml:3:7",
 * }]);
 * assert.match(e.message, /\/port: must be integer \(at app\.yaml:3:7\)/);
 * ```
 */
export class ValidationError extends HoloconfError {
  static {
    brand(this, "ValidationError");
  }

  /** Every issue found. */
  issues: ValidationIssue[];

  /**
   * Creates the error.
   *
   * @param issues The problems found.
   * @param options Context fields.
   */
  constructor(issues: ValidationIssue[], options: HoloconfErrorOptions = {}) {
    super("Validation error", {
      detail: issues.map(issueLine),
      help: "Fix the values to match the schema requirements",
      ...options,
      code: knownCode(options.code, "VALIDATION_ERROR"),
    });
    this.issues = issues;
  }
}

/** One failed path of a `resolveAll`. */
export interface ResolveFailure {
  /** The config path that failed. */
  path: string;
  /** Why. */
  error: HoloconfError;
  /** `file:line:column` where the failed value is written, when known. */
  source?: string | undefined;
}

/**
 * `resolveAll` finished with failures: `failures` lists every failed path with its error
 * (several paths may share one error, e.g. two references to one broken value), `errors`
 * the distinct errors; everything else was resolved and memoized. One detail line per failed
 * path: `<path>: <headline> (at <file:line:column>)`.
 *
 * @example
 * ```ts
 * import { ResolveAllError, ResolverError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const error = new ResolverError("boom", { path: "a" });
 * const e = new ResolveAllError([{ path: "a", error, source: "app.yaml:1:4" }]);
 * assert.equal(e.errors.length, 1);
 * assert.match(e.message, /a: boom \(at app\.yaml:1:4\)/);
 * ```
 */
export class ResolveAllError extends HoloconfError {
  static {
    brand(this, "ResolveAllError");
  }

  /** Every failed path with its error. */
  failures: ResolveFailure[];
  /** The distinct errors. */
  errors: HoloconfError[];

  /**
   * Creates the error.
   *
   * @param failures The failed paths.
   * @param options Context fields.
   */
  constructor(failures: ResolveFailure[], options: HoloconfErrorOptions = {}) {
    super(`Failed to resolve ${failures.length} value${failures.length === 1 ? "" : "s"}`, {
      detail: failures.map((f) =>
        `${f.path || "(root)"}: ${f.error.headline}` +
        (f.source === undefined ? "" : ` (at ${f.source})`)
      ),
      help: "Resolved values stay memoized; a later get() retries the failed ones",
      ...options,
      code: knownCode(options.code, "RESOLVE_ALL_FAILED"),
    });
    this.failures = failures;
    this.errors = [...new Set(failures.map((f) => f.error))];
  }
}
