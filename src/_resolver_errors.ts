/**
 * How errors thrown by resolvers reach the user (SPEC §5.8): context added, bare not-found
 * errors named, foreign errors wrapped, and the text of every sensitive input replaced by
 * `[REDACTED]`.
 *
 * @module
 */

import {
  formatSource,
  HoloconfError,
  NotFoundError,
  ResolverError,
  type SourceLocation,
} from "./errors.ts";

import { REDACTED } from "./resolver.ts";

export function redactText(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length > 0) out = out.split(s).join(REDACTED);
  }
  return out;
}

export function wrapResolverError(
  e: unknown,
  info: {
    name: string;
    key: string;
    path: string;
    source: SourceLocation | undefined;
    secrets: string[];
  },
): HoloconfError {
  const src = info.source ? formatSource(info.source) : undefined;
  const shownKey = info.secrets.length > 0 ? redactText(info.key, info.secrets) : info.key;
  let err: HoloconfError;
  if (e instanceof NotFoundError && e.resource === undefined && e.code === "NOT_FOUND") {
    const own = e.headline;
    err = new NotFoundError(`Resource not found: ${shownKey}`, {
      resource: shownKey,
      resolver: e.resolver ?? info.name,
      path: e.path ?? info.path,
      ...(src ? { source: src } : {}),
      detail: own ? [own, ...e.detail] : e.detail,
      ...(e.help ? { help: e.help } : {}),
      cause: e,
    });
  } else if (e instanceof HoloconfError) {
    err = e.withContext({ path: info.path, resolver: info.name, ...(src ? { source: src } : {}) });
  } else {
    const text = e instanceof Error ? e.message : String(e);
    err = new ResolverError(`Resolver '${info.name}' error: ${text}`, {
      code: "RESOLVER_FAILED",
      path: info.path,
      resolver: info.name,
      ...(src ? { source: src } : {}),
      help: `Check the '${info.name}' resolver implementation`,
      cause: e,
    });
  }
  return info.secrets.length > 0 ? redactError(err, info.secrets) : err;
}

/** Replaces every secret text in an error's message parts, path and cause's message. */
export function redactError(err: HoloconfError, secrets: string[]): HoloconfError {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error && secrets.some((x) => x !== "" && cause.message.includes(x))) {
    // The original stays reachable for debugging only in redacted form.
    const copy = new Error(redactText(cause.message, secrets));
    copy.name = cause.name;
    (err as { cause?: unknown }).cause = copy;
  }
  err.headline = redactText(err.headline, secrets);
  err.detail = err.detail.map((d) => redactText(d, secrets));
  if (err.help) err.help = redactText(err.help, secrets);
  if (err.path) err.path = redactText(err.path, secrets);
  err.refresh();
  return err;
}

export function toHoloconfError(e: unknown, path: string): HoloconfError {
  if (e instanceof HoloconfError) return e.withContext({ path });
  return new ResolverError(e instanceof Error ? e.message : String(e), { path, cause: e });
}
