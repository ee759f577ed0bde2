import assert from "node:assert/strict";
import {
  backoffDelay,
  CONNECTION_ERROR_CODES,
  retryAfterMs,
  retryKind,
  RetryQuota,
  THROTTLING_ERROR_CODES,
  withRetries,
} from "../../../resolvers/aws/_retry.ts";
import { fakeClock, stuckClock } from "./_light.ts";

const never = new AbortController().signal;

function awsError(name: string, status?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(name), {
    name,
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
    ...extra,
  });
}

Deno.test("retryKind: throttling codes and 429 are throttling", () => {
  for (const code of THROTTLING_ERROR_CODES) {
    assert.equal(retryKind(awsError(code, 400)), "throttling", code);
  }
  assert.ok(THROTTLING_ERROR_CODES.includes("ThrottlingException"));
  assert.ok(THROTTLING_ERROR_CODES.includes("Throttling"));
  assert.ok(THROTTLING_ERROR_CODES.includes("SlowDown"));
  assert.equal(retryKind(awsError("Whatever", 429)), "throttling");
});

Deno.test("retryKind: 5xx, transient codes and connection errors are transient", () => {
  for (const status of [500, 502, 503, 504]) {
    assert.equal(retryKind(awsError("InternalError", status)), "transient", String(status));
  }
  assert.equal(retryKind(awsError("RequestTimeoutException", 400)), "transient");
  for (const code of CONNECTION_ERROR_CODES.filter((c) => c !== "ETIMEDOUT")) {
    assert.equal(retryKind(awsError(code)), "transient", code);
  }
  assert.equal(retryKind(awsError("ETIMEDOUT")), "timeout");
  assert.equal(retryKind(awsError("TimeoutError")), "timeout");
});

Deno.test("retryKind: client errors are not retried unless the clock skew was corrected", () => {
  for (
    const code of ["ParameterNotFound", "AccessDeniedException", "ValidationError", "NoSuchKey"]
  ) {
    assert.equal(retryKind(awsError(code, 400)), undefined, code);
  }
  assert.equal(retryKind(awsError("NotImplemented", 501)), undefined);
  assert.equal(retryKind(awsError("InvalidSignatureException", 400)), undefined);
  assert.equal(
    retryKind(awsError("InvalidSignatureException", 400, { $clockSkewCorrected: true })),
    "transient",
  );
  assert.equal(retryKind("a string"), undefined);
  assert.equal(retryKind(null), undefined);
});

Deno.test("backoffDelay: full jitter over 100 ms (500 ms after throttling) doubled per retry, capped at 20 s", () => {
  assert.equal(backoffDelay(0, "transient", () => 0.999), 99);
  assert.equal(backoffDelay(2, "transient", () => 0.5), 200);
  assert.equal(backoffDelay(2, "throttling", () => 0.5), 1000);
  assert.equal(backoffDelay(0, "transient", () => 0), 0);
  assert.equal(backoffDelay(20, "throttling", () => 0.99), 20_000);
});

Deno.test("retryAfterMs reads seconds and HTTP dates, capped at 20 s, never negative", () => {
  assert.equal(retryAfterMs("1.5", 0), 1500);
  assert.equal(retryAfterMs(" 2 ", 0), 2000);
  assert.equal(retryAfterMs("3600", 0), 20_000);
  const now = Date.UTC(2024, 0, 1);
  assert.equal(retryAfterMs(new Date(now + 7000).toUTCString(), now), 7000);
  assert.equal(retryAfterMs(new Date(now - 7000).toUTCString(), now), 0);
  assert.equal(retryAfterMs(undefined, now), undefined);
  assert.equal(retryAfterMs("-1", now), undefined);
});

Deno.test("withRetries: at most 3 attempts; the last error carries attempts and waits", async () => {
  const clock = fakeClock(0);
  let attempts = 0;
  const err = await withRetries(() => {
    attempts++;
    return Promise.reject(awsError("InternalError", 500));
  }, { signal: never, clock, random: () => 0.5, quota: new RetryQuota() }).catch((e) => e);
  assert.equal(attempts, 3);
  assert.equal(err.$metadata.attempts, 3);
  assert.deepEqual(clock.waits, [50, 100]);
  assert.equal(err.$metadata.totalRetryDelay, 150);
});

Deno.test("withRetries: a non-retryable failure is thrown after one attempt", async () => {
  let attempts = 0;
  await assert.rejects(
    withRetries(() => {
      attempts++;
      return Promise.reject(awsError("ParameterNotFound", 400));
    }, { signal: never, clock: fakeClock(0), quota: new RetryQuota() }),
    { name: "ParameterNotFound" },
  );
  assert.equal(attempts, 1);
});

Deno.test("withRetries: Retry-After longer than the backoff is waited", async () => {
  const clock = fakeClock(0);
  let attempts = 0;
  const value = await withRetries(() => {
    attempts++;
    return attempts === 1
      ? Promise.reject(awsError("SlowDown", 503, { $retryAfterMs: 4000 }))
      : Promise.resolve("ok");
  }, { signal: never, clock, random: () => 0.5, quota: new RetryQuota() });
  assert.equal(value, "ok");
  assert.deepEqual(clock.waits, [4000]);
});

Deno.test("withRetries: no wait is started that would end at or after the deadline", async () => {
  const clock = fakeClock(1000);
  let attempts = 0;
  await assert.rejects(
    withRetries(() => {
      attempts++;
      return Promise.reject(awsError("ThrottlingException", 400));
    }, { signal: never, clock, random: () => 0.5, deadline: 1250, quota: new RetryQuota() }),
    { name: "ThrottlingException" },
  );
  // The first wait would be 250 ms: 1000 + 250 reaches the deadline.
  assert.equal(attempts, 1);
  assert.deepEqual(clock.waits, []);
});

Deno.test("withRetries: an abort during a wait rejects with its reason at once", async () => {
  const clock = stuckClock(0);
  const controller = new AbortController();
  let attempts = 0;
  const pending = withRetries(() => {
    attempts++;
    return Promise.reject(awsError("InternalError", 500));
  }, { signal: controller.signal, clock, random: () => 0.5, quota: new RetryQuota() });
  await clock.waited;
  const reason = new Error("stop");
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  assert.equal(attempts, 1);
  assert.equal(clock.waiting, 0);
});

Deno.test("withRetries: a spent quota stops retries; successes pay it back", async () => {
  const quota = new RetryQuota(12);
  const clock = fakeClock(0);
  let attempts = 0;
  await assert.rejects(
    withRetries(() => {
      attempts++;
      return Promise.reject(awsError("InternalError", 500));
    }, { signal: never, clock, random: () => 0, quota, maxAttempts: 10 }),
  );
  // 12 tokens pay two retries of 5.
  assert.equal(attempts, 3);
  assert.equal(quota.available, 2);
  await withRetries(() => Promise.resolve(1), { signal: never, clock, quota });
  assert.equal(quota.available, 3);
  let second = 0;
  await withRetries(() => {
    second++;
    return second === 1 ? Promise.reject(awsError("ETIMEDOUT")) : Promise.resolve(1);
  }, { signal: never, clock, random: () => 0, quota: new RetryQuota(10) });
  assert.equal(second, 2);
});

Deno.test("withRetries: a bad attempt count is a RangeError naming it", async () => {
  await assert.rejects(
    withRetries(() => Promise.resolve(1), { signal: never, maxAttempts: 0 }),
    (e) => e instanceof RangeError && /maxAttempts.*0/.test(e.message),
  );
});
