// AWS settings declarations, the client cache, and helpers shared by the ssm, s3 and cfn
// resolvers.
// Nothing here imports the AWS SDK at module level: each client package is loaded with a
// dynamic import() the first time a client of that service is needed.

import type { SSMClient } from "@aws-sdk/client-ssm";
import type { S3Client } from "@aws-sdk/client-s3";
import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { ResolverError } from "../../src/errors.ts";
import { getEnv, runtimeName } from "../../src/runtime.ts";
import type { ResolverCall, ResolverObject } from "../../src/resolver.ts";
import { resetResolverSettings } from "../../src/resolver_settings.ts";
import { errorMessage, errorName, redactedCause } from "../_args.ts";

/** An AWS resolver object: `resolve` always returns a promise. */
export interface AwsResolver extends ResolverObject {
  /**
   * Resolves one call.
   *
   * @param key The argument (`/path`, `bucket/key`, `stack/Output`).
   * @param call The call (kwargs `region`, `profile`, `endpoint`; `signal` aborts the request).
   * @returns The value.
   */
  resolve(key: string, call: ResolverCall): Promise<unknown>;
}

/** The keyword arguments every AWS resolver reads (client settings; see `effectiveSettings`). */
export const AWS_KEYWORDS: readonly string[] = ["region", "profile", "endpoint"];

export type { AwsService } from "./_settings.ts";
export { AWS_SERVICE_SETTINGS, AWS_SETTINGS, awsSettingsSpec } from "./_settings.ts";
import type { AwsService } from "./_settings.ts";
import { AWS_SERVICE_SETTINGS, AWS_SETTINGS } from "./_settings.ts";

/** Settings after precedence: kwargs > `call.settings` > SDK default chain (undefined). */
export interface EffectiveSettings {
  /** Endpoint URL, or undefined for the SDK's default. */
  endpoint: string | undefined;
  /** Region, or undefined for the SDK's default chain. */
  region: string | undefined;
  /** Profile, or undefined for the SDK's default chain. */
  profile: string | undefined;
}

const clients = new Map<string, Promise<AnyClient>>();
let extraClientConfig: Record<string, unknown> = {};

type AnyClient = SSMClient | S3Client | CloudFormationClient;

/** Clears every AWS setting set for the process and drops (and destroys) every cached client. */
export function resetAll(): void {
  for (const spec of [AWS_SETTINGS, ...Object.values(AWS_SERVICE_SETTINGS)]) {
    resetResolverSettings(spec.key);
  }
  for (const p of clients.values()) {
    p.then((c) => c.destroy(), () => {});
  }
  clients.clear();
}

/**
 * The settings a call uses: its kwargs, then its `call.settings` (the service's group over the
 * `aws` group, per Config over per process). An empty kwarg counts as absent.
 */
export function effectiveSettings(
  call: Pick<ResolverCall, "kwargs" | "settings">,
): EffectiveSettings {
  const settings = call.settings as Partial<Record<"region" | "profile" | "endpoint", string>>;
  const pick = (k: "region" | "profile" | "endpoint"): string | undefined => {
    const v = call.kwargs[k];
    return v !== undefined && v !== "" ? v : settings[k];
  };
  return { endpoint: pick("endpoint"), region: pick("region"), profile: pick("profile") };
}

/** `region|profile|endpoint` of the settings: equal identities share one client. */
export function clientIdentity(settings: EffectiveSettings): string {
  return `${settings.region ?? ""}|${settings.profile ?? ""}|${settings.endpoint ?? ""}`;
}

const ENDPOINT_ENV: Record<AwsService, string> = {
  ssm: "AWS_ENDPOINT_URL_SSM",
  s3: "AWS_ENDPOINT_URL_S3",
  cfn: "AWS_ENDPOINT_URL_CLOUDFORMATION",
};

/**
 * Client settings for a sandbox without a home directory: Deno with no HOME (Deno Deploy, or
 * `deno run` with a cleared environment). There the SDK's shared-config loader asks the OS for the
 * user id and home directory, Deno refuses without `--allow-sys`, and the SDK leaves that
 * rejection unhandled, which ends the process. With no home directory there are no shared
 * config/credentials files to honour, so every setting the SDK would look up in them is given
 * explicitly here, from the environment variables the SDK reads, with the SDK's defaults; nothing
 * asks for the file system. Returns `undefined` (the SDK's own chain) everywhere else.
 */
function sandboxConfig(service: AwsService): Record<string, unknown> | undefined {
  if (runtimeName() !== "deno") return undefined;
  if (["HOME", "USERPROFILE", "HOMEPATH"].some((name) => getEnv(name))) return undefined;
  const env = (name: string): string | undefined => getEnv(name)?.trim() || undefined;
  const flag = (name: string): boolean | undefined => {
    const v = env(name)?.toLowerCase();
    return v === undefined ? undefined : v === "true";
  };
  const list = (name: string): string[] | undefined =>
    env(name)?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const provide = <T>(value: T) => () => Promise.resolve(value);
  const maxAttempts = Number(env("AWS_MAX_ATTEMPTS") ?? "3");
  const config: Record<string, unknown> = {
    defaultsMode: env("AWS_DEFAULTS_MODE") ?? "legacy",
    maxAttempts: Number.isInteger(maxAttempts) && maxAttempts > 0 ? maxAttempts : 3,
    retryMode: env("AWS_RETRY_MODE") ?? "standard",
    useDualstackEndpoint: flag("AWS_USE_DUALSTACK_ENDPOINT") ?? false,
    useFipsEndpoint: flag("AWS_USE_FIPS_ENDPOINT") ?? false,
    authSchemePreference: list("AWS_AUTH_SCHEME_PREFERENCE") ?? [],
    userAgentAppId: provide(env("AWS_SDK_UA_APP_ID")),
    disableClockSkewCorrection: flag("AWS_DISABLE_CLOCK_SKEW_CORRECTION") ?? false,
    // The endpoint comes from the environment below, not from a config file's `services`.
    ignoreConfiguredEndpointUrls: true,
  };
  const region = env("AWS_REGION");
  if (region !== undefined) config.region = region;
  if (!flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    const endpoint = env(ENDPOINT_ENV[service]) ?? env("AWS_ENDPOINT_URL");
    if (endpoint !== undefined) config.endpoint = endpoint;
  }
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = env("AWS_SESSION_TOKEN");
    config.credentials = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    };
  } else {
    config.credentials = () => {
      const error = new Error(
        "No AWS credentials: without a home directory only AWS_ACCESS_KEY_ID and " +
          "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the environment are used",
      );
      error.name = "CredentialsProviderError";
      return Promise.reject(error);
    };
  }
  if (service === "s3") {
    config.requestChecksumCalculation = env("AWS_REQUEST_CHECKSUM_CALCULATION") ??
      "WHEN_SUPPORTED";
    config.responseChecksumValidation = env("AWS_RESPONSE_CHECKSUM_VALIDATION") ??
      "WHEN_SUPPORTED";
    config.disableS3ExpressSessionAuth = flag("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH") ?? false;
    config.useArnRegion = provide(flag("AWS_S3_USE_ARN_REGION"));
    config.sigv4aSigningRegionSet = provide(list("AWS_SIGV4A_SIGNING_REGION_SET"));
  }
  return config;
}

function clientConfig(service: AwsService, settings: EffectiveSettings): Record<string, unknown> {
  const config: Record<string, unknown> = { ...sandboxConfig(service), ...extraClientConfig };
  if (settings.region !== undefined) config.region = settings.region;
  if (settings.profile !== undefined) config.profile = settings.profile;
  if (settings.endpoint !== undefined) {
    config.endpoint = settings.endpoint;
    // A custom endpoint (local fake, MinIO, LocalStack) cannot do virtual-hosted buckets.
    if (service === "s3") config.forcePathStyle = true;
  }
  return config;
}

function cached<T extends AnyClient>(
  service: AwsService,
  settings: EffectiveSettings,
  create: (config: Record<string, unknown>) => Promise<T>,
): Promise<T> {
  const key = `${service}|${clientIdentity(settings)}`;
  let p = clients.get(key);
  if (p === undefined) {
    p = create(clientConfig(service, settings));
    clients.set(key, p);
    // A failed SDK load is not cached: a later call retries.
    p.catch(() => {
      if (clients.get(key) === p) clients.delete(key);
    });
  }
  return p as Promise<T>;
}

type UserAgentSections = [string, string?][];

/**
 * The SDK's default user-agent provider calls `os.release()` on every request, which Deno refuses
 * without `--allow-sys` (NotCapable): every AWS call would fail under `--allow-env --allow-read
 * --allow-net`, and on hosts that grant no sys access. When (and only when) the OS version is not
 * permitted, this falls back to the same header without the `os/` section.
 */
function withoutSysPermission<T extends AnyClient>(client: T): T {
  const config = client.config as unknown as {
    defaultUserAgentProvider?: (...args: unknown[]) => Promise<UserAgentSections>;
  };
  const original = config.defaultUserAgentProvider;
  if (typeof original !== "function") return client;
  let denied = false;
  const fallback = (): UserAgentSections => [["aws-sdk-js"], ["ua", "2.1"], ["lang/js"]];
  config.defaultUserAgentProvider = async (...args: unknown[]) => {
    if (denied) return fallback();
    try {
      return await original(...args);
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (name !== "NotCapable" && name !== "PermissionDenied") throw err;
      denied = true;
      return fallback();
    }
  };
  return client;
}

/** The cached SSM client for these settings (loads `@aws-sdk/client-ssm` on first use). */
export function ssmClient(settings: EffectiveSettings): Promise<SSMClient> {
  return cached("ssm", settings, async (config) => {
    const { SSMClient } = await import("@aws-sdk/client-ssm");
    return withoutSysPermission(new SSMClient(config));
  });
}

/** The cached S3 client for these settings (loads `@aws-sdk/client-s3` on first use). */
export function s3Client(settings: EffectiveSettings): Promise<S3Client> {
  return cached("s3", settings, async (config) => {
    const { S3Client } = await import("@aws-sdk/client-s3");
    return withoutSysPermission(new S3Client(config));
  });
}

/** The cached CloudFormation client (loads `@aws-sdk/client-cloudformation` on first use). */
export function cfnClient(settings: EffectiveSettings): Promise<CloudFormationClient> {
  return cached("cfn", settings, async (config) => {
    const { CloudFormationClient } = await import("@aws-sdk/client-cloudformation");
    return withoutSysPermission(new CloudFormationClient(config));
  });
}

/** Test hook: number of cached clients. */
export function _clientCacheSize(): number {
  return clients.size;
}

/**
 * Test hook: extra client constructor settings (e.g. a retry strategy with a short backoff)
 * applied to clients created afterwards. `undefined` removes them.
 */
export function _setExtraClientConfig(config: Record<string, unknown> | undefined): void {
  extraClientConfig = config === undefined ? {} : { ...config };
}

/**
 * The ResolverError for a failed AWS request: aborts say so, anything else names the AWS
 * error and its message. When an input of the call was sensitive, only the AWS error's name
 * (code) is used: SDK messages name buckets, hosts, parameter and stack names, so neither the
 * message nor the `cause` (a stand-in with the name only) carries any of their text.
 *
 * @param what What was being fetched, e.g. `SSM parameter '/a/b'` (already redacted).
 * @param err The SDK error.
 * @param options The call's signal (to recognise aborts) and whether an input was sensitive.
 */
export function awsFailure(
  what: string,
  err: unknown,
  options: { signal: AbortSignal; sensitiveInput: boolean },
): ResolverError {
  if (options.signal.aborted) {
    return new ResolverError(`Request for ${what} was aborted`, {
      code: "RESOLVER_ABORTED",
      cause: options.signal.reason,
    });
  }
  const name = errorName(err);
  if (options.sensitiveInput) {
    const cause = redactedCause(err);
    return new ResolverError(`Failed to get ${what}: ${cause.name}`, {
      code: "AWS_ERROR",
      detail: "The AWS error message is hidden because an input of the call was sensitive",
      cause,
      help: awsHelp(cause.name),
    });
  }
  const message = errorMessage(err);
  const text = message === "" || message === name ? name : `${name}: ${message}`;
  return new ResolverError(`Failed to get ${what}: ${text}`, {
    code: "AWS_ERROR",
    cause: err,
    help: awsHelp(name),
  });
}

/**
 * A resolver's `resolve` made of its `resolveMany`: one call is a batch of one (so it makes the
 * same request, and needs the same IAM action, whichever way it is read).
 *
 * @param many The `resolveMany`.
 * @returns The `resolve`.
 */
export function oneCall(
  many: (keys: string[], calls: ResolverCall[]) => Promise<unknown[]>,
): (key: string, call: ResolverCall) => Promise<unknown> {
  return async (key, call) => {
    const [value] = await many([key], [call]);
    if (value instanceof Error) throw value;
    return value;
  };
}

/**
 * The error of a call that a `resolveMany` was not meant to serve. The dispatcher hands it the
 * calls of one batch group, at most `batchSize` of them; a direct caller that mixes groups (or
 * asks for more) gets this error for the calls outside the first call's group, never an answer
 * from another client or stack.
 *
 * @param resolver The resolver's name, e.g. `ssm`.
 * @returns The error for that call.
 */
export function outsideBatch(resolver: string): ResolverError {
  return new ResolverError(
    `The ${resolver} resolver's resolveMany serves one batch group at a time: this call was not ` +
      "in the group of the first call, or beyond batchSize",
    {
      help: "Let a Config batch the calls, or call resolveMany once per batchGroup with at " +
        "most batchSize calls",
    },
  );
}

function awsHelp(name: string): string | undefined {
  if (/AccessDenied|Unauthorized|Forbidden/i.test(name)) {
    return "Check the IAM permissions of the credentials in use";
  }
  if (/^KMS|Kms/.test(name)) return "Check access to the KMS key that encrypts the value";
  if (/Throttl|SlowDown|TooManyRequests|RequestLimitExceeded/i.test(name)) {
    return "AWS throttled the requests even after retries; lower the request rate";
  }
  if (/Credential/i.test(name)) {
    return "Configure AWS credentials (environment, shared files, or an instance role)";
  }
  return undefined;
}

/**
 * A signal that aborts once every signal joined to it has aborted (a shared request is given
 * up only when nobody waits for it any more): `signals` join at once, later callers through
 * `join` (one already aborted gives up at once and is not counted). `dispose` removes the
 * listeners.
 */
export function allAborted(
  signals: AbortSignal[],
): { signal: AbortSignal; join(signal: AbortSignal): void; dispose(): void } {
  const controller = new AbortController();
  const listeners = new Map<AbortSignal, () => void>();
  const join = (s: AbortSignal): void => {
    if (s.aborted || controller.signal.aborted || listeners.has(s)) return;
    const onAbort = () => {
      listeners.delete(s);
      if (listeners.size === 0) controller.abort(s.reason);
    };
    listeners.set(s, onAbort);
    s.addEventListener("abort", onAbort, { once: true });
  };
  signals.forEach(join);
  if (listeners.size === 0) controller.abort(signals[0]?.reason);
  return {
    signal: controller.signal,
    join,
    dispose: () => {
      for (const [s, l] of listeners) s.removeEventListener("abort", l);
      listeners.clear();
    },
  };
}
