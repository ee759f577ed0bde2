/**
 * How errors thrown by resolvers reach the user (SPEC §5.8): context added, bare not-found
 * errors named, foreign errors wrapped, and nothing of a sensitive input let through.
 *
 * Without a sensitive input the thrown error passes through (a HoloconfError gains context) or
 * is wrapped with its text. With one, the error is rebuilt, never passed through:
 * - a value that is not a HoloconfError loses its text entirely (substring replacement cannot
 *   catch a key that was upper-cased, encoded or sliced): the wrapper keeps its name or code;
 * - a HoloconfError (the built-ins already keep sensitive text out of theirs) becomes a fresh
 *   error of the same class and code, built from its headline, detail and help with every
 *   copy of a sensitive input replaced (verbatim, in any letter case, or URL-encoded); no other
 *   own field, a fresh stack;
 * - the `cause` is a chain of stand-ins that carry names only.
 *
 * Reading a thrown value never throws (revoked proxies, throwing getters, null prototypes).
 *
 * @module
 */

import {
  CircularReferenceError,
  formatSource,
  HoloconfError,
  type HoloconfErrorOptions,
  isErrorCode,
  NotFoundError,
  ParseError,
  PathNotFoundError,
  ResolveAllError,
  ResolverError,
  type SourceLocation,
  TypeCoercionError,
  ValidationError,
  type ValidationIssue,
} from "./errors.ts";
import { formatPath, parsePath } from "./path.ts";
import { REDACTED } from "./resolver.ts";

/** What a stand-in says instead of the original text. */
const HIDDEN_NOTE = "message hidden: an input of the call was sensitive";
/** How many `cause` links a stand-in chain follows. */
const MAX_CAUSE_DEPTH = 8;
const SAFE_NAME_REGEXP = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const REGEXP_SYNTAX_REGEXP = /[\\^$.*+?()[\]{}|/]/g;
/** A word (a path inside a message) is replaced only where no letter, digit or `_` touches it. */
const WORD_BEFORE = "(?<![A-Za-z0-9_])";
const WORD_AFTER = "(?![A-Za-z0-9_])";

/** `read()`, or `undefined` when it throws. */
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** `e instanceof C`, false when the check itself throws (a revoked proxy). */
function isA<T>(e: unknown, C: abstract new (...args: never[]) => T): e is T {
  return safely(() => e instanceof C) === true;
}

/** A string property of a thrown value, or undefined (also when reading it throws). */
function stringField(e: unknown, key: string): string | undefined {
  return safely(() => {
    if (typeof e !== "object" || e === null) return undefined;
    const v = (e as Record<string, unknown>)[key];
    return typeof v === "string" ? v : undefined;
  });
}

function hasSecret(text: string, secrets: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return secrets.some((s) => s !== "" && lower.includes(s.toLowerCase()));
}

/**
 * The name of an error for a message that must not carry its text: its `name` (unless it is
 * the generic `Error`), else its `code`; anything that does not look like an identifier, that
 * contains one of `secrets`, or that cannot be read is reported as `Error`.
 *
 * @param err What was thrown.
 * @param secrets Texts the name must not contain.
 * @returns A short identifier.
 */
export function errorName(err: unknown, secrets: readonly string[] = []): string {
  const name = stringField(err, "name");
  for (
    const v of [
      name !== "Error" ? name : undefined,
      ...["code", "Code"].map((k) => stringField(err, k)),
      name,
    ]
  ) {
    if (v !== undefined && SAFE_NAME_REGEXP.test(v) && !hasSecret(v, secrets)) return v;
  }
  return "Error";
}

/**
 * An error's message (`String(e)` for something that is not an error), or a description of
 * the value when it cannot be turned into text.
 *
 * @param err What was thrown.
 * @returns Its text.
 */
export function errorMessage(err: unknown): string {
  return textOf(err) ?? unprintable(err);
}

function textOf(err: unknown): string | undefined {
  return safely(() => {
    if (typeof err === "object" && err !== null) {
      const m = (err as { message?: unknown }).message;
      if (typeof m === "string") return m;
    }
    return String(err);
  });
}

function unprintable(err: unknown): string {
  return `a thrown ${typeof err} that cannot be shown as text`;
}

/**
 * A stand-in `cause` for an error whose text (or whose own causes' text) may quote a sensitive
 * input: a new error with the same name and no original text anywhere, not even in a `cause`.
 *
 * @param err What was thrown.
 * @param secrets Texts the name must not contain.
 * @returns The stand-in.
 */
export function redactedCause(err: unknown, secrets: readonly string[] = []): Error {
  const name = errorName(err, secrets);
  const stand = new Error(`${name} (${HIDDEN_NOTE})`);
  stand.name = name;
  return stand;
}

/** Stand-ins ({@linkcode redactedCause}) for an error and the errors along its `cause` chain. */
function redactedChain(err: unknown, secrets: readonly string[]): Error {
  const links: unknown[] = [];
  let current = err;
  while (links.length < MAX_CAUSE_DEPTH && !links.includes(current)) {
    links.push(current);
    const link = current;
    current = safely(() =>
      typeof link === "object" && link !== null ? (link as { cause?: unknown }).cause : undefined
    );
    if (current === undefined) break;
  }
  let out: Error | undefined;
  for (const link of links.reverse()) {
    const stand = redactedCause(link, secrets);
    if (out) {
      Object.defineProperty(stand, "cause", { value: out, writable: true, configurable: true });
    }
    out = stand;
  }
  return out!;
}

/**
 * Replaces every copy of a secret (verbatim, in any letter case, URL-encoded) and every copy of
 * a word (in any letter case, where no letter, digit or `_` touches it: a path inside a
 * message) by `[REDACTED]`, in one pass.
 */
function redactor(
  secrets: readonly string[],
  words: readonly string[] = [],
): (t: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s === "") continue;
    forms.add(s);
    for (const encode of [encodeURIComponent, encodeURI]) {
      const e = safely(() => encode(s)); // a lone surrogate cannot be encoded
      if (e !== undefined) forms.add(e);
    }
  }
  const escape = (s: string) => s.replace(REGEXP_SYNTAX_REGEXP, "\\$&");
  const byLength = (a: string, b: string) => b.length - a.length;
  const plain = [...forms].sort(byLength);
  const whole = words.filter((w) => w !== "").sort(byLength);
  return (text) => {
    const fits = (s: string) => s.length <= text.length;
    const alternatives = [
      ...plain.filter(fits).map(escape),
      ...whole.filter(fits).map((w) => WORD_BEFORE + escape(w) + WORD_AFTER),
    ];
    if (alternatives.length === 0) return text;
    return text.replace(new RegExp(alternatives.join("|"), "gi"), REDACTED);
  };
}

/** Parts of a rebuilt error. */
interface Parts {
  /** Redacts message text. */
  text: (t: string) => string;
  /** What a path-like field becomes. */
  path: (p: string) => string;
  /** Fallback context. */
  context: { path?: string | undefined; resolver?: string | undefined; source?: string };
  /** Texts a kept name (of a cause) must not contain; a code is one of the fixed codes. */
  secrets: readonly string[];
}

/** Constructor options of a rebuilt error, with its (redacted) headline. */
type RebuildOptions = HoloconfErrorOptions & { headline: string };
type Builder = (e: never, options: RebuildOptions, parts: Parts) => HoloconfError;

/**
 * How to build a fresh error of each holoconf class (most derived first): the class's own
 * fields from redacted parts, nothing else. A subclass of these (a resolver's own error class)
 * is built by its nearest holoconf ancestor with its own prototype, so `instanceof` still holds.
 */
const BUILDERS: [abstract new (...args: never[]) => HoloconfError, Builder][] = [
  [NotFoundError, (e: NotFoundError, o) =>
    new NotFoundError(o.headline, {
      ...o,
      ...(safely(() => e.resource) === undefined ? {} : { resource: REDACTED }),
    })],
  [PathNotFoundError, (_e, o) => new PathNotFoundError(o.headline, o)],
  [CircularReferenceError, (e: CircularReferenceError, o, p) => {
    const chain = safely(() => Array.isArray(e.chain) ? e.chain.map(String) : undefined) ?? [];
    return new CircularReferenceError(chain.map(p.path), o);
  }],
  [
    TypeCoercionError,
    (e: TypeCoercionError, o, p) =>
      new TypeCoercionError({ expected: p.text(stringField(e, "expected") ?? ""), got: "" }, o),
  ],
  [ValidationError, (e: ValidationError, o, p) => {
    const issues = safely(() =>
      Array.isArray(e.issues)
        ? e.issues.map((i): ValidationIssue => ({
          pointer: p.text(String(i.pointer)),
          path: p.text(String(i.path)),
          message: p.text(String(i.message)),
          kind: i.kind === "resolution" || i.kind === "coercion" ? i.kind : "schema",
          code: p.text(String(i.code)),
          ...(i.expected === undefined ? {} : { expected: p.text(String(i.expected)) }),
          ...(i.source === undefined ? {} : { source: p.text(String(i.source)) }),
        }))
        : undefined
    ) ?? [];
    return new ValidationError(issues, o);
  }],
  // Its failures are errors of other paths: only its (redacted) lines are kept.
  [ResolveAllError, (_e, o) => new ResolveAllError([], o)],
  [ParseError, (_e, o) => new ParseError(o.headline, o)],
  [ResolverError, (_e, o) => new ResolverError(o.headline, o)],
  [HoloconfError, (_e, o) => new HoloconfError(o.headline, o)],
];

/** A fresh copy of a HoloconfError made of redacted parts only (see the module notes). */
function rebuild(e: HoloconfError, parts: Parts): HoloconfError {
  const { text, path } = parts;
  const field = (k: string) => stringField(e, k);
  const detail =
    safely(() =>
      Array.isArray(e.detail) ? e.detail.filter((d) => typeof d === "string") : undefined
    ) ?? [];
  const code = field("code");
  const ownPath = field("path");
  const resolver = field("resolver");
  const source = field("source");
  const help = field("help");
  const cause = safely(() => e.cause);
  const options: RebuildOptions = {
    headline: text(field("headline") ?? ""),
    ...(isErrorCode(code) ? { code } : {}),
    path: ownPath === undefined ? parts.context.path : path(ownPath),
    resolver: resolver === undefined ? parts.context.resolver : text(resolver),
    source: source === undefined ? parts.context.source : text(source),
    help: help === undefined ? undefined : text(help),
    detail: detail.map(text),
    ...(cause === undefined ? {} : { cause: redactedChain(cause, parts.secrets) }),
  };
  for (const [cls, build] of BUILDERS) {
    if (!isA(e, cls)) continue;
    const fresh = build(e as never, options, parts);
    // The thrower's own class, when it is a plain subclass of this one.
    const proto = safely(() => Object.getPrototypeOf(e) as object);
    if (proto && proto !== cls.prototype && isA(Object.create(proto), cls)) {
      Object.setPrototypeOf(fresh, proto);
      const name = safely(() => (proto as { constructor?: { name?: unknown } }).constructor?.name);
      if (typeof name === "string" && SAFE_NAME_REGEXP.test(name)) fresh.name = name;
    }
    // Classes whose constructor writes its own headline (cycle, validation) get the original.
    fresh.headline = options.headline;
    fresh.refresh();
    return fresh;
  }
  return new ResolverError(options.headline, options);
}

/** Context of one failed resolver call. */
export interface ResolverFailure {
  /** Resolver name. */
  name: string;
  /** The call's first argument. */
  key: string;
  /** Config path being resolved. */
  path: string;
  /** Where the interpolation was written. */
  source: SourceLocation | undefined;
  /** Whether an input of the call (argument, keyword value, `sensitive=` flag) was sensitive. */
  sensitive: boolean;
  /** Texts of the sensitive inputs. */
  secrets: string[];
}

/**
 * What a resolver's failure becomes for the user (see the module notes). Never throws.
 *
 * @param e What the resolver threw (or its promise rejected with).
 * @param info The call.
 * @returns The error to throw.
 */
export function wrapResolverError(e: unknown, info: ResolverFailure): HoloconfError {
  const src = info.source ? formatSource(info.source) : undefined;
  try {
    return info.sensitive ? hiddenResolverError(e, info, src) : resolverError(e, info, src);
  } catch {
    // Looking at the thrown value threw in a way the guards above did not foresee.
    return foreignError(info, src, "a thrown value that cannot be shown", undefined);
  }
}

function foreignError(
  info: ResolverFailure,
  src: string | undefined,
  text: string,
  cause: unknown,
): ResolverError {
  return new ResolverError(`Resolver '${info.name}' error: ${text}`, {
    code: "RESOLVER_FAILED",
    path: info.path,
    resolver: info.name,
    ...(src ? { source: src } : {}),
    help: `Check the '${info.name}' resolver implementation`,
    ...(cause === undefined ? {} : { cause }),
  });
}

function isBareNotFound(e: unknown): e is NotFoundError {
  return isA(e, NotFoundError) && safely(() => e.resource) === undefined &&
    stringField(e, "code") === "NOT_FOUND";
}

/** No sensitive input: the error passes through or is wrapped with its text. */
function resolverError(
  e: unknown,
  info: ResolverFailure,
  src: string | undefined,
): HoloconfError {
  if (isBareNotFound(e)) {
    const own = e.headline;
    return new NotFoundError(`Resource not found: ${info.key}`, {
      resource: info.key,
      resolver: e.resolver ?? info.name,
      path: e.path ?? info.path,
      ...(src ? { source: src } : {}),
      detail: own ? [own, ...e.detail] : e.detail,
      ...(e.help ? { help: e.help } : {}),
      cause: e,
    });
  }
  if (isA(e, HoloconfError)) {
    return e.withContext({ path: info.path, resolver: info.name, ...(src ? { source: src } : {}) });
  }
  // A value that cannot be turned into text is not kept either: printing it could throw.
  const text = textOf(e);
  return foreignError(info, src, text ?? unprintable(e), text === undefined ? undefined : e);
}

/** A sensitive input: a fresh error made of redacted parts. */
function hiddenResolverError(
  e: unknown,
  info: ResolverFailure,
  src: string | undefined,
): HoloconfError {
  if (!isA(e, HoloconfError)) {
    return foreignError(
      info,
      src,
      `${errorName(e, info.secrets)} (${HIDDEN_NOTE})`,
      redactedChain(e, info.secrets),
    );
  }
  const text = redactor(info.secrets);
  const parts: Parts = {
    text,
    path: text,
    context: { path: info.path, resolver: info.name, ...(src ? { source: src } : {}) },
    secrets: info.secrets,
  };
  const fresh = rebuild(e, parts);
  if (isBareNotFound(e)) {
    // As without a sensitive input, with the key hidden.
    const own = fresh.headline;
    fresh.headline = `Resource not found: ${REDACTED}`;
    if (own) fresh.detail = [own, ...fresh.detail];
    (fresh as NotFoundError).resource = REDACTED;
    fresh.refresh();
  }
  return fresh;
}

/**
 * An error met while following a reference whose target path came from a sensitive value: a
 * fresh error in which that path (as written, as normalised, and every other path the error
 * names but the referencing one) is `[REDACTED]`. An error of the target (or of a value reached
 * through it) could still say which value the target is, by its text (`Environment variable
 * not found: X`) or its place: it keeps its class and code only, with the headline
 * `The value at [REDACTED] failed (CODE)`, its path `[REDACTED]` and the referencing node's
 * source. Never throws.
 *
 * @param e The error.
 * @param info The referencing path and its source, the target path text and the secrets
 *   inside it.
 * @returns The error to throw.
 */
export function hideRefTarget(
  e: unknown,
  info: { path: string; source: string | undefined; target: string; secrets: readonly string[] },
): HoloconfError {
  // Paths as written and as normalised; matched as whole words (a one-letter path is no reason
  // to hide every letter `a` of the message).
  const secrets = [info.target, info.target.trim(), ...info.secrets];
  const normal = safely(() => formatPath(parsePath(info.target.trim())));
  if (normal !== undefined) secrets.push(normal);
  const context = { path: info.path, ...(info.source ? { source: info.source } : {}) };
  // Codes and class names are not made of paths: they are kept (`secrets: []` below).
  try {
    if (!isA(e, HoloconfError)) {
      return new ResolverError(`Reference could not be resolved: ${errorName(e)}`, {
        ...context,
        resolver: "ref",
        cause: redactedChain(e, []),
      });
    }
    // Paths the error names are paths reached from the secret one.
    const ownPath = stringField(e, "path");
    const named = [ownPath];
    if (isA(e, CircularReferenceError)) {
      named.push(...(safely(() => Array.isArray(e.chain) ? e.chain.map(String) : []) ?? []));
    }
    const derived = named.filter((p): p is string => p !== undefined && p !== info.path);
    const fresh = rebuild(e, {
      text: redactor([], [...secrets, ...derived]),
      path: (p) => p === info.path ? p : REDACTED,
      context,
      secrets: [],
    });
    // An error of the referencing value itself (a malformed path, its default=) keeps its text.
    if (ownPath === info.path) return fresh;
    fresh.headline = `The value at ${REDACTED} failed (${fresh.code})`;
    fresh.detail = [];
    fresh.source = info.source;
    fresh.help = "The reference's path comes from a sensitive value: what failed at its " +
      "target is not shown, nor where the target is written";
    fresh.refresh();
    return fresh;
  } catch {
    return new ResolverError("Reference could not be resolved", context);
  }
}

/**
 * A failure to report where a sensitive value's texts must not appear (a refresh of a secret):
 * the error itself when there are none to hide, else a fresh error of the same class and code
 * with every copy of them (verbatim, in any letter case, URL-encoded) replaced by `[REDACTED]`
 * and a `cause` of stand-ins. Never throws.
 *
 * @param e The failure.
 * @param path Its path, when it names none.
 * @param secrets The texts to keep out.
 * @returns The error to report.
 */
export function withoutSecrets(
  e: unknown,
  path: string,
  secrets: readonly string[],
): HoloconfError {
  const error = toHoloconfError(e, path);
  if (secrets.every((s) => s === "")) return error;
  try {
    const text = redactor(secrets);
    return rebuild(error, { text, path: text, context: { path }, secrets });
  } catch {
    return new ResolverError("A value could not be fetched again", { path });
  }
}

/**
 * Any failure as a HoloconfError for a `ResolveAllError` line.
 *
 * @param e What a path failed with.
 * @param path The path.
 * @returns The error, with `path` filled in when missing.
 */
export function toHoloconfError(e: unknown, path: string): HoloconfError {
  if (isA(e, HoloconfError)) return e.withContext({ path });
  return new ResolverError(errorMessage(e), { path, cause: e });
}
