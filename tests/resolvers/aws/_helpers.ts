// Shared set-up of the AWS resolver tests: fake credentials in the environment, a fake AWS
// endpoint, every service pointed at it, the transport under test, retries that do not
// sleep (a short SDK backoff; a fake clock for the light transport); all undone afterwards.
// Every test that talks to the fake runs once per transport (`transportTest`): the light
// transport and the AWS SDK pass the same suite.

import { type FakeAws, type FakeAwsOptions, startFakeAws } from "../../fakes/fake_aws.ts";
import {
  configureAppConfig,
  configureAws,
  configureCfn,
  configureS3,
  configureSecretsManager,
  configureSsm,
  reset,
} from "../../../resolvers/aws/mod.ts";
import {
  _setExtraClientConfig,
  _setLightTransportOptions,
  type AwsService,
  awsSettingsSpec,
  type AwsTransport,
} from "../../../resolvers/aws/_clients.ts";
import { AWS_TRANSPORTS } from "../../../resolvers/aws/_settings.ts";
import { type FakeClock, fakeClock } from "./_light.ts";
import { mergedSettings } from "../../../src/resolver_settings.ts";
import type { ResolverCall } from "../../../src/resolver.ts";
import { makeResolverCall } from "../../_call.ts";

const ENV_KEYS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_RETRY_MODE",
  "AWS_MAX_ATTEMPTS",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_SSM",
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL_CLOUDFORMATION",
  "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  "AWS_ENDPOINT_URL_APPCONFIGDATA",
  "AWS_APPCONFIG_EXTENSION_HTTP_PORT",
  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
];

/** Access key id of the environment credentials. */
export const ENV_ACCESS_KEY = "AKIDENVFAKE";
/** Access key id of the `other` profile in the temporary credentials file. */
export const PROFILE_ACCESS_KEY = "AKIDPROFILEFAKE";

/**
 * The SDK's own StandardRetryStrategy class (standard mode), taken from a default client so the
 * tests need no extra dependency; built with a 1 ms backoff so throttling tests run fast.
 */
async function fastRetryStrategy(): Promise<unknown> {
  const { SSMClient } = await import("@aws-sdk/client-ssm");
  const probe = new SSMClient({ region: "us-east-1" });
  const provider = probe.config.retryStrategy as unknown as () => Promise<object>;
  const strategy = await provider();
  probe.destroy();
  const Strategy = strategy.constructor as new (options: unknown) => unknown;
  return new Strategy({
    maxAttempts: 3,
    baseDelay: 1,
    backoff: { computeNextBackoffDelay: () => 1, setDelayBase: () => {} },
  });
}

/** The transports every AWS resolver test runs on. */
export const TRANSPORTS: readonly AwsTransport[] = AWS_TRANSPORTS;

/**
 * Registers a test once per transport, named `<name> [light]` and `<name> [sdk]`.
 *
 * @param name What the test checks.
 * @param fn The test, given the transport.
 */
export function transportTest(
  name: string,
  fn: (transport: AwsTransport) => Promise<void>,
): void {
  for (const transport of TRANSPORTS) {
    Deno.test(`${name} [${transport}]`, () => fn(transport));
  }
}

/** What a test sees besides the fake: the light transport's clock (its waits are recorded). */
export interface AwsTestContext {
  /** The clock of the light transport's requests: never sleeps, records each wait. */
  clock: FakeClock;
}

/**
 * Runs `fn` against a fresh fake AWS endpoint with fake credentials (environment plus a
 * temporary credentials file with profile `other`), every service on `transport`, then restores
 * everything.
 */
export async function withFakeAws(
  transport: AwsTransport,
  options: FakeAwsOptions,
  fn: (fake: FakeAws, context: AwsTestContext) => Promise<void>,
): Promise<void> {
  const saved = new Map(ENV_KEYS.map((k) => [k, Deno.env.get(k)]));
  const dir = await Deno.makeTempDir({ prefix: "holoconf_aws_" });
  const fake = await startFakeAws(options);
  try {
    await Deno.writeTextFile(
      `${dir}/credentials`,
      `[other]\naws_access_key_id = ${PROFILE_ACCESS_KEY}\naws_secret_access_key = s3cr3t\n`,
    );
    await Deno.writeTextFile(`${dir}/config`, "");
    for (const k of ENV_KEYS) Deno.env.delete(k);
    Deno.env.set("AWS_ACCESS_KEY_ID", ENV_ACCESS_KEY);
    Deno.env.set("AWS_SECRET_ACCESS_KEY", "fake-secret");
    Deno.env.set("AWS_REGION", "us-east-1");
    Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", `${dir}/credentials`);
    Deno.env.set("AWS_CONFIG_FILE", `${dir}/config`);
    Deno.env.set("AWS_EC2_METADATA_DISABLED", "true");
    reset();
    _setExtraClientConfig({ retryStrategy: await fastRetryStrategy() });
    // Jitter at half the backoff, waits recorded instead of slept.
    const clock = fakeClock();
    _setLightTransportOptions({ clock, random: () => 0.5 });
    configureAws({ transport });
    configureSsm({ endpoint: fake.url });
    configureS3({ endpoint: fake.url });
    configureCfn({ endpoint: fake.url });
    configureSecretsManager({ endpoint: fake.url });
    configureAppConfig({ endpoint: fake.url });
    await fn(fake, { clock });
  } finally {
    reset();
    _setExtraClientConfig(undefined);
    _setLightTransportOptions(undefined);
    await fake.close();
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * A resolver call as the engine would pass it (see tests/_call.ts for the defaults), with the
 * process-wide AWS settings of the service as its `call.settings`.
 */
export function makeCall(
  resolver: AwsService,
  arg: string | undefined,
  options: {
    kwargs?: Record<string, string>;
    signal?: AbortSignal;
    sensitiveInput?: boolean;
    deadline?: number;
  } = {},
): ResolverCall {
  const call = makeResolverCall({
    resolver,
    settings: mergedSettings(awsSettingsSpec(resolver), undefined),
    args: arg === undefined ? [] : [arg],
    kwargs: options.kwargs,
    signal: options.signal,
    sensitiveInput: options.sensitiveInput,
    path: "test.value",
  });
  return options.deadline === undefined ? call : { ...call, deadline: options.deadline };
}
