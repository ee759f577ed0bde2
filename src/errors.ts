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

/** Where a value came from: file, 1-based line and 1-based column. */
export interface SourceLocation {
  /** File path as it was loaded (or `<string>` for `Config.loads`). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Options accepted by every holoconf error constructor. */
export interface HoloconfErrorOptions {
  /** Machine-readable code; each class has a default. */
  code?: string | undefined;
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

/** Formats a {@linkcode SourceLocation} as `file:line:column`.
 *
 * @param loc The location.
 * @returns The location as text.
 *
 * @example Format a location
 * ```ts
 * import { formatSource } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatSource({ file: "a.yaml", line: 2, column: 5 }), "a.yaml:2:5");
 * ```
 */
export function formatSource(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/**
 * Base class of every error holoconf throws.
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
  /** Machine-readable code, e.g. `PATH_NOT_FOUND`, `NOT_FOUND`, `RESOLVER_TIMEOUT`. */
  code: string;
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
    this.code = options.code ?? "HOLOCONF_ERROR";
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
    super(headline, { code: "PARSE_ERROR", ...options });
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
  /**
   * Creates the error.
   *
   * @param headline First line of the message.
   * @param options Context fields.
   */
  constructor(headline: string, options: HoloconfErrorOptions = {}) {
    super(headline, { code: "RESOLVER_ERROR", ...options });
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
  /** Set by built-ins: the headline already names the resource. */
  resource: string | undefined;

  /**
   * Creates the error.
   *
   * @param message Optional text (a custom resolver's explanation).
   * @param options Context; `resource` marks a complete built-in headline.
   */
  constructor(message = "", options: HoloconfErrorOptions & { resource?: string } = {}) {
    super(message, { code: "NOT_FOUND", ...options });
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
    super(headline, { code: "PATH_NOT_FOUND", ...(help ? { help } : {}), ...options });
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
      code: "CIRCULAR_REFERENCE",
      path: chain[0],
      detail: `Chain: ${chain.join(" → ")}`,
      help: "Break the circular dependency by removing one of the references " +
        "(a circular chain can never resolve)",
      ...options,
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
      code: "TYPE_COERCION",
      ...(info.path === undefined ? {} : { path: info.path }),
      detail: `Got: ${info.got}`,
      help: `Ensure the value can be converted to ${info.expected}`,
      ...options,
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
      code: "VALIDATION_ERROR",
      detail: issues.map(issueLine),
      help: "Fix the values to match the schema requirements",
      ...options,
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
      code: "RESOLVE_ALL_FAILED",
      detail: failures.map((f) =>
        `${f.path || "(root)"}: ${f.error.headline}` +
        (f.source === undefined ? "" : ` (at ${f.source})`)
      ),
      help: "Resolved values stay memoized; a later get() retries the failed ones",
      ...options,
    });
    this.failures = failures;
    this.errors = [...new Set(failures.map((f) => f.error))];
  }
}
