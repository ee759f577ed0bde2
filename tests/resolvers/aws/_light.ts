// Shared set-up of the light AWS transport's tests: an environment with only the variables a
// test sets (every AWS variable saved and restored), a fake clock that records waits instead of
// sleeping, and the transport's caches reset.

import type { Clock } from "../../../resolvers/aws/_retry.ts";
import { resetTransport } from "../../../resolvers/aws/_transport.ts";

/** Every variable the transport reads, cleared for each test. */
const AWS_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_SSM",
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL_CLOUDFORMATION",
  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
  "AWS_USE_FIPS_ENDPOINT",
  "AWS_USE_DUALSTACK_ENDPOINT",
  "AWS_MAX_ATTEMPTS",
  "AWS_EC2_METADATA_DISABLED",
  "HOME",
];

/**
 * Runs `fn` with every AWS variable cleared, `HOME` pointed at an empty temporary directory (no
 * shared files), `vars` set and the transport's caches reset; restores everything afterwards.
 */
export async function withAwsEnv(
  vars: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const saved = new Map(AWS_VARIABLES.map((k) => [k, Deno.env.get(k)]));
  const dir = await Deno.makeTempDir({ prefix: "holoconf_light_aws_" });
  try {
    for (const k of AWS_VARIABLES) Deno.env.delete(k);
    Deno.env.set("HOME", dir);
    Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
    for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
    resetTransport();
    await fn(dir);
  } finally {
    resetTransport();
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    await Deno.remove(dir, { recursive: true });
  }
}

/** A clock whose time moves only when told to, or by the waits it is asked for. */
export interface FakeClock extends Clock {
  /** Moves time forward. */
  advance(ms: number): void;
  /** Every wait asked for, in ms. */
  readonly waits: number[];
}

/**
 * A fake clock starting at `start`; each `sleep` records its length, moves time by it and
 * returns at once (or rejects when the signal has aborted).
 */
export function fakeClock(start: number = Date.now()): FakeClock {
  let now = start;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: (ms, signal) => {
      if (signal.aborted) return Promise.reject(signal.reason);
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      now += ms;
    },
    waits,
  };
}

/**
 * A clock whose waits never end by themselves: only an abort ends them (rejecting). `waited`
 * resolves when the first wait starts.
 */
export function stuckClock(
  start: number = Date.now(),
): Clock & { readonly waiting: number; waited: Promise<void> } {
  let waiting = 0;
  const first = Promise.withResolvers<void>();
  return {
    waited: first.promise,
    now: () => start,
    sleep: (_ms, signal) =>
      new Promise<void>((_resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        waiting++;
        first.resolve();
        signal.addEventListener("abort", () => {
          waiting--;
          reject(signal.reason);
        }, { once: true });
      }),
    get waiting() {
      return waiting;
    },
  };
}

/**
 * A clock whose time moves only by `advance`, and whose waits end only by an abort (time-outs
 * never fire by themselves).
 */
export function manualClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  const stuck = stuckClock(start);
  return {
    now: () => now,
    sleep: (ms, signal) => stuck.sleep(ms, signal),
    advance: (ms) => {
      now += ms;
    },
  };
}
