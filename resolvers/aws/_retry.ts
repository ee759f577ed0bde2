/**
 * Retries of the light AWS transport, after the AWS SDK's `standard` retry mode: at most 3
 * attempts, exponential backoff with full jitter (base 100 ms, 500 ms after throttling, never
 * more than 20 s), a `Retry-After` answer honoured, a process-wide retry quota (500 tokens, 5 per
 * retry, 10 after a timeout, paid back on success) so that an outage does not multiply the load.
 *
 * Retried: throttling ({@linkcode THROTTLING_ERROR_CODES}, HTTP 429), transient failures
 * ({@linkcode TRANSIENT_ERROR_CODES}, HTTP 500/502/503/504), connection errors
 * ({@linkcode CONNECTION_ERROR_CODES}) and a request whose clock skew was just corrected.
 * Everything stays inside the call: a wait that would end after the deadline is not started
 * (the last failure is thrown at once), and an abort ends the wait at once.
 *
 * Time and chance are injectable ({@linkcode Clock}, `random`) so tests never sleep.
 *
 * @module
 */

/** Time for the transport: what time it is, and how to wait. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Waits `ms` milliseconds; rejects with the signal's reason as soon as it aborts.
   *
   * @param ms How long.
   * @param signal Ends the wait early.
   */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    }),
};

/** Error codes AWS uses for throttling (as the AWS SDK's standard mode lists them). */
export const THROTTLING_ERROR_CODES: readonly string[] = [
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
];

/** Error codes of transient failures. */
export const TRANSIENT_ERROR_CODES: readonly string[] = [
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
];

/** Codes of connection failures (see `HttpConnectionError`). */
export const CONNECTION_ERROR_CODES: readonly string[] = [
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "NetworkError",
];

/** HTTP statuses of transient server failures. */
const TRANSIENT_STATUS_CODES: readonly number[] = [500, 502, 503, 504];
const TIMEOUT_CODES: readonly string[] = ["ETIMEDOUT", "TimeoutError", "RequestTimeout"];

/** Backoff base after a transient failure, in ms. */
export const RETRY_DELAY_BASE = 100;
/** Backoff base after throttling, in ms. */
export const THROTTLING_RETRY_DELAY_BASE = 500;
/** Longest wait between two attempts, in ms (also the cap of a `Retry-After`). */
export const MAXIMUM_RETRY_DELAY = 20_000;
/** Attempts per call (the first one included). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** What the retry logic reads of a failure (the transport's errors have these fields). */
export interface RetryableFailure {
  /** Error code (AWS error name, or a connection error code). */
  name?: string;
  /** Connection error code. */
  code?: string;
  /** HTTP status, when AWS answered. */
  $metadata?: { httpStatusCode?: number | undefined; attempts?: number; totalRetryDelay?: number };
  /** How long the server asked to wait (`Retry-After`), in ms. */
  $retryAfterMs?: number | undefined;
  /** The request failed on clock skew, and the skew has now been corrected. */
  $clockSkewCorrected?: boolean | undefined;
}

/** Why a failure may be retried, or `undefined` when it may not. */
export type RetryKind = "throttling" | "transient" | "timeout";

/**
 * Classifies a failure.
 *
 * @param err What an attempt threw.
 * @returns `throttling`, `transient`, `timeout`, or `undefined` (not retried).
 *
 * @example
 * ```ts
 * import { retryKind } from "./_retry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(retryKind({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }), "throttling");
 * assert.equal(retryKind({ name: "InternalError", $metadata: { httpStatusCode: 503 } }), "transient");
 * assert.equal(retryKind({ name: "ParameterNotFound", $metadata: { httpStatusCode: 400 } }), undefined);
 * ```
 */
export function retryKind(err: unknown): RetryKind | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as RetryableFailure;
  const name = typeof e.name === "string" ? e.name : "";
  const code = typeof e.code === "string" ? e.code : "";
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING_ERROR_CODES.includes(name) || status === 429) return "throttling";
  if (TIMEOUT_CODES.includes(name) || TIMEOUT_CODES.includes(code)) return "timeout";
  if (e.$clockSkewCorrected === true) return "transient";
  if (TRANSIENT_ERROR_CODES.includes(name)) return "transient";
  if (
    status === undefined && (CONNECTION_ERROR_CODES.includes(code) ||
      CONNECTION_ERROR_CODES.includes(name))
  ) return "transient";
  if (status !== undefined && TRANSIENT_STATUS_CODES.includes(status)) return "transient";
  return undefined;
}

/**
 * The wait before the next attempt: full jitter over `base × 2^retries`, at most 20 s.
 *
 * @param retries Retries made so far (0 before the first retry).
 * @param kind Why the last attempt failed.
 * @param random A number in [0, 1).
 * @returns Milliseconds.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./_retry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(backoffDelay(1, "transient", () => 0.5), 100);
 * assert.equal(backoffDelay(0, "throttling", () => 0.5), 250);
 * ```
 */
export function backoffDelay(retries: number, kind: RetryKind, random: () => number): number {
  const base = kind === "throttling" ? THROTTLING_RETRY_DELAY_BASE : RETRY_DELAY_BASE;
  return Math.floor(Math.min(MAXIMUM_RETRY_DELAY, random() * 2 ** retries * base));
}

/**
 * Reads a `Retry-After` header: seconds, or an HTTP date.
 *
 * @param value The header, if any.
 * @param now The current time (ms since the epoch).
 * @returns Milliseconds to wait (capped at 20 s), or `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * import { retryAfterMs } from "./_retry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(retryAfterMs("2", 0), 2000);
 * assert.equal(retryAfterMs(new Date(5000).toUTCString(), 1000), 4000);
 * assert.equal(retryAfterMs("soon", 0), undefined);
 * ```
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // An HTTP date names its day and month (`Wed, 21 Oct 2015 07:28:00 GMT`).
    if (!/[A-Za-z]/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAXIMUM_RETRY_DELAY, Math.max(0, ms));
}

/** Tokens that pay for retries, shared by every call (the SDK's retry quota). */
export class RetryQuota {
  /** Tokens left. */
  available: number;
  #capacity: number;

  /**
   * A full quota.
   *
   * @param capacity Tokens at the start. @default {500}
   */
  constructor(capacity = 500) {
    this.#capacity = capacity;
    this.available = capacity;
  }

  /**
   * Takes the cost of one retry.
   *
   * @param kind Why the retry is needed (a timeout costs 10, anything else 5).
   * @returns The cost taken, or `undefined` when the quota is spent (no retry).
   */
  acquire(kind: RetryKind): number | undefined {
    const cost = kind === "timeout" ? 10 : 5;
    if (this.available < cost) return undefined;
    this.available -= cost;
    return cost;
  }

  /**
   * Pays back after a success: the cost of the retry that succeeded, or 1 for a first try.
   *
   * @param cost The cost of the last retry (0 when the first attempt succeeded).
   */
  release(cost: number): void {
    this.available = Math.min(this.#capacity, this.available + (cost > 0 ? cost : 1));
  }
}

let sharedQuota: RetryQuota | undefined;

/** The process-wide quota (made on first use). @returns It. */
function defaultQuota(): RetryQuota {
  return sharedQuota ??= new RetryQuota();
}

/** Test hook: forgets the process-wide quota (the next call starts full). */
export function _resetRetryQuota(): void {
  sharedQuota = undefined;
}

/** Options of {@linkcode withRetries}. */
export interface RetryOptions {
  /** Aborts the wait and the attempt at once. */
  signal: AbortSignal;
  /** No wait is started that would end at or after this time (ms since the epoch, clock time). */
  deadline?: number | undefined;
  /** Attempts, the first included. @default {3} */
  maxAttempts?: number | undefined;
  /** Time source. @default {SYSTEM_CLOCK} */
  clock?: Clock | undefined;
  /** Jitter source, in [0, 1). @default {Math.random} */
  random?: (() => number) | undefined;
  /** Retry tokens. @default {the process-wide quota} */
  quota?: RetryQuota | undefined;
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, the attempts or the quota are
 * spent, the next wait would pass the deadline, or the signal aborts. The failure thrown last
 * gets `$metadata.attempts` and `$metadata.totalRetryDelay` when it has `$metadata`.
 *
 * @param attempt One attempt (given its number, from 1).
 * @param options Signal, deadline, attempts, clock, jitter, quota.
 * @returns What the first successful attempt returned.
 * @throws {unknown} The last failure, or the signal's reason on abort.
 *
 * @example Throttled once, then served
 * ```ts
 * import { withRetries } from "./_retry.ts";
 * import assert from "node:assert/strict";
 * const waits: number[] = [];
 * const clock = { now: () => 0, sleep: (ms: number) => { waits.push(ms); return Promise.resolve(); } };
 * const value = await withRetries(async (n) => {
 *   if (n === 1) throw Object.assign(new Error("slow down"), { name: "ThrottlingException" });
 *   return "ok";
 * }, { signal: new AbortController().signal, clock, random: () => 0.5 });
 * assert.equal(value, "ok");
 * assert.deepEqual(waits, [250]);
 * ```
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  const clock = options.clock ?? SYSTEM_CLOCK;
  const random = options.random ?? Math.random;
  const quota = options.quota ?? defaultQuota();
  const { signal } = options;
  let totalDelay = 0;
  let lastCost = 0;
  for (let n = 1;; n++) {
    if (signal.aborted) throw signal.reason;
    try {
      const value = await attempt(n);
      quota.release(lastCost);
      return value;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const kind = retryKind(err);
      const stop = (): never => {
        annotate(err, n, totalDelay);
        throw err;
      };
      if (kind === undefined || n >= maxAttempts) stop();
      const delay = Math.max(
        backoffDelay(n - 1, kind!, random),
        (err as RetryableFailure).$retryAfterMs ?? 0,
      );
      if (options.deadline !== undefined && clock.now() + delay >= options.deadline) stop();
      const cost = quota.acquire(kind!);
      if (cost === undefined) stop();
      lastCost = cost!;
      totalDelay += delay;
      if (delay > 0) await clock.sleep(delay, signal);
    }
  }
}

/** Records the attempts and the time waited on a failure that carries `$metadata`. */
function annotate(err: unknown, attempts: number, totalRetryDelay: number): void {
  const meta = (err as RetryableFailure | null)?.$metadata;
  if (typeof meta === "object" && meta !== null) {
    meta.attempts = attempts;
    meta.totalRetryDelay = totalRetryDelay;
  }
}
