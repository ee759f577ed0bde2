// Shared by the AWS resolvers (ssm, s3, cfn, secretsmanager, appconfig): their settings after precedence, the transport a call
// goes through (holoconf's light transport by default; the AWS SDK when chosen, or through a
// client the program gives), the cache of SDK clients, and how failures are worded.
// Nothing here imports the AWS SDK at module level: a service's client package is loaded with a
// dynamic import() (given by the service's module) the first time the SDK transport needs it.

import { HoloconfError, ResolverError } from "../../src/errors.ts";
import { runtimeName } from "../../src/runtime.ts";
import type { ResolverCall, ResolverObject } from "../../src/resolver.ts";
import { resetResolverSettings } from "../../src/resolver_settings.ts";
import { abortable } from "../../src/_abortable.ts";
import { errorMessage, errorName, redactedCause } from "../_args.ts";
import {
  type AwsOperation,
  awsRequest,
  AwsRequestError,
  type AwsResponse,
  type AwsTransportOptions,
  resetTransport,
} from "./_transport.ts";
import { awsEnv, awsFlag, homeDirectory } from "./_env.ts";
import { importOptional } from "./_sdk_package.ts";
import { type Clock, SYSTEM_CLOCK } from "./_retry.ts";
import { resetAppConfigSessions } from "./_appconfig_sessions.ts";
import { withoutSigningDetails } from "./_protocol.ts";
import { checkConfigEndpoint } from "./_endpoint.ts";

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

export type { AwsService, AwsTransport } from "./_settings.ts";
export { AWS_SERVICE_SETTINGS, AWS_SETTINGS, awsSettingsSpec } from "./_settings.ts";
import type { AwsService, AwsTransport } from "./_settings.ts";
import { AWS_SERVICE_SETTINGS, AWS_SERVICES, AWS_SETTINGS, AWS_TRANSPORTS } from "./_settings.ts";

/**
 * What holoconf uses of an AWS SDK v3 client (`SSMClient`, `S3Client`, `CloudFormationClient`,
 * or one a program made with its own middleware).
 */
export interface SdkClient {
  /**
   * Sends a command.
   *
   * @param command The command (`new GetParametersCommand(...)`).
   * @param options The abort signal.
   * @returns The command's output.
   */
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  /** Closes the client's connections (holoconf calls it on the clients it made, at reset). */
  destroy?(): void;
}

/** Settings after precedence: kwargs > `call.settings` > the default chain (undefined). */
export interface EffectiveSettings {
  /** Endpoint URL, or undefined for the service's default. */
  endpoint: string | undefined;
  /**
   * The endpoint was written in config text (`endpoint=`): checked against loopback and
   * `endpointAllowlist` before any request.
   */
  endpointFromConfig: boolean;
  /** The `aws` setting `endpointAllowlist`: patterns a config-text endpoint may match. */
  endpointAllowlist: readonly string[];
  /** Region, or undefined for the default chain. */
  region: string | undefined;
  /** Profile, or undefined for the default chain. */
  profile: string | undefined;
  /** The transport (`light` unless a setting says `sdk`). */
  transport: AwsTransport;
  /**
   * The SDK client the program gave for the service (setting `client`), which then serves the
   * call; not for a call whose kwargs name a region, profile or endpoint of its own.
   */
  client: SdkClient | undefined;
}

const clients = new Map<string, Promise<SdkClient>>();
const clientIds = new WeakMap<object, number>();
let nextClientId = 1;
let extraClientConfig: Record<string, unknown> = {};
let lightOptions: AwsTransportOptions = {};

/**
 * Clears every AWS setting set for the process, drops (and destroys) every cached SDK client,
 * forgets the AppConfig sessions, and resets the light transport (credentials, regions, retry
 * quota, clock offset, kept-alive connections).
 */
export function resetAll(): void {
  resetAppConfigSessions();
  for (const spec of [AWS_SETTINGS, ...Object.values(AWS_SERVICE_SETTINGS)]) {
    resetResolverSettings(spec.key);
  }
  for (const p of clients.values()) {
    p.then((c) => c.destroy?.(), () => {});
  }
  clients.clear();
  resetTransport();
}

function invalidSetting(headline: string, help: string): ResolverError {
  return new ResolverError(headline, { code: "INVALID_SETTING", help });
}

/**
 * Checks a transport setting (never showing the value: settings may be secrets).
 *
 * @param value The value given.
 * @returns It, as a transport.
 * @throws {ResolverError} `INVALID_SETTING` for anything but `light` and `sdk`.
 */
export function checkTransport(value: unknown): AwsTransport {
  if (AWS_TRANSPORTS.includes(value as AwsTransport)) return value as AwsTransport;
  throw invalidSetting(
    "The AWS transport setting must be 'light' or 'sdk'",
    "transport: 'light' (holoconf's own signed requests, the default) or 'sdk' (the AWS SDK)",
  );
}

/**
 * Checks a client setting: an AWS SDK v3 client, that is an object with `send`.
 *
 * @param value The value given.
 * @returns It, as a client.
 * @throws {ResolverError} `INVALID_SETTING` for an object without `send`.
 */
export function checkClient(value: unknown): SdkClient {
  if (typeof (value as { send?: unknown } | null)?.send === "function") return value as SdkClient;
  throw invalidSetting(
    "The AWS client setting must be an AWS SDK client (an object with a send method)",
    "Pass a client of the service, e.g. new SSMClient({ ... }) for ssm",
  );
}

/**
 * The settings a call uses: its kwargs, then its `call.settings` (the service's group over the
 * `aws` group, per Config over per process). An empty kwarg counts as absent.
 *
 * @throws {ResolverError} `INVALID_SETTING` for a transport or client setting that is not one.
 */
export function effectiveSettings(
  call: Pick<ResolverCall, "kwargs" | "settings">,
): EffectiveSettings {
  const settings = call.settings as Partial<
    Record<
      "region" | "profile" | "endpoint" | "transport" | "client" | "endpointAllowlist",
      unknown
    >
  >;
  let own = false;
  const pick = (k: "region" | "profile" | "endpoint"): string | undefined => {
    const v = call.kwargs[k];
    if (v !== undefined && v !== "") {
      own = true;
      return v;
    }
    return settings[k] as string | undefined;
  };
  const endpoint = pick("endpoint");
  // Picked first: so far only the endpoint can have come from the kwargs.
  const endpointFromConfig = own;
  const region = pick("region");
  const profile = pick("profile");
  const transport = settings.transport === undefined ? "light" : checkTransport(settings.transport);
  const client = own || settings.client === undefined ? undefined : checkClient(settings.client);
  const endpointAllowlist = (settings.endpointAllowlist as readonly string[] | undefined) ?? [];
  return { endpoint, endpointFromConfig, endpointAllowlist, region, profile, transport, client };
}

/**
 * Which client the settings select: equal identities may share one request. A client the program
 * gave is known by its object identity; otherwise `transport|region|profile|endpoint`.
 */
export function clientIdentity(settings: EffectiveSettings): string {
  if (settings.client !== undefined) {
    let id = clientIds.get(settings.client);
    if (id === undefined) {
      id = nextClientId++;
      clientIds.set(settings.client, id);
    }
    return `client#${id}`;
  }
  return `${settings.transport}|${settings.region ?? ""}|${settings.profile ?? ""}|` +
    (settings.endpoint ?? "");
}

/**
 * The latest deadline of the calls a request serves (it goes on while any of them waits), or
 * `undefined` when one of them has none.
 *
 * @param calls The calls.
 * @returns Ms since the epoch, or `undefined`.
 */
export function latestDeadline(
  calls: readonly Pick<ResolverCall, "deadline">[],
): number | undefined {
  let latest = -Infinity;
  for (const call of calls) {
    if (call.deadline === undefined) return undefined;
    latest = Math.max(latest, call.deadline);
  }
  return Number.isFinite(latest) ? latest : undefined;
}

/**
 * What the SDK transport needs of a service's client package; each service's module gives its
 * own (its `load` is a literal `import()`, which bundlers and `deno compile` see).
 */
export interface SdkPackage<M> {
  /** The service. */
  service: AwsService;
  /** Imports the package. */
  load(): Promise<M>;
  /** Makes a client of the package. */
  create(module: M, config: Record<string, unknown>): SdkClient;
  /**
   * Adds the service's own client settings: for a custom endpoint (`customEndpoint`), and in a
   * sandbox without a home directory (`sandbox`, see `sandboxConfig`).
   */
  configure?(
    config: Record<string, unknown>,
    context: { customEndpoint: boolean; sandbox: boolean },
  ): void;
}

/** How one operation is sent on either transport; the service's module gives both. */
export interface AwsCall<M, T> {
  /** Light transport: builds the operation, sends it with `send`, reads the answer. */
  light(send: (operation: AwsOperation) => Promise<AwsResponse>): Promise<T>;
  /** SDK transport: sends the operation's command with `client`. */
  sdk(client: SdkClient, module: M, signal: AbortSignal): Promise<T>;
}

/**
 * Sends one operation on the transport the settings select: a client the program gave, else the
 * SDK transport (a cached client of the package, made on first use), else the light transport.
 * Both fail with errors shaped alike (`name` = the AWS error code, AWS's message), which
 * {@linkcode awsFailure} words.
 *
 * @param pkg The service's SDK package.
 * @param settings The call's settings.
 * @param call How the operation is sent on each transport.
 * @param context Signal (aborts at once) and deadline (no retry wait past it).
 * @returns What the operation gave.
 * @throws {ResolverError} `SdkPackageMissing` when the SDK transport's package cannot be loaded,
 *   and the transports' failures.
 */
export async function callAws<M, T>(
  pkg: SdkPackage<M>,
  settings: EffectiveSettings,
  call: AwsCall<M, T>,
  context: { signal: AbortSignal; deadline: number | undefined },
): Promise<T> {
  const { signal, deadline } = context;
  if (settings.endpointFromConfig && settings.endpoint !== undefined) {
    await abortable(checkConfigEndpoint(settings.endpoint, settings.endpointAllowlist), signal);
  }
  if (settings.client === undefined && settings.transport === "light") {
    const send = (operation: AwsOperation) =>
      awsRequest({
        service: pkg.service,
        operation,
        region: settings.region,
        profile: settings.profile,
        endpoint: settings.endpoint,
        signal,
        deadline,
      }, lightOptions);
    return await abortable(call.light(send), signal);
  }
  const module = await abortable(loadPackage(pkg), signal);
  const client = settings.client ?? await abortable(cachedClient(pkg, module, settings), signal);
  return await abortable(call.sdk(client, module, signal), signal);
}

/**
 * The JSON body of a light-transport answer (JSON 1.1, REST-JSON), `{}` for JSON that is not an
 * object.
 *
 * @param response The answer.
 * @returns The parsed body.
 * @throws {AwsRequestError} `SerializationException` when the body is not JSON (not quoted).
 */
export function jsonAnswer<T>(response: AwsResponse): T {
  let out: unknown;
  try {
    out = JSON.parse(new TextDecoder().decode(response.body));
  } catch {
    throw new AwsRequestError("SerializationException", "The answer is not JSON", {
      httpStatusCode: response.status,
      requestId: response.requestId,
    });
  }
  return (typeof out === "object" && out !== null ? out : {}) as T;
}

function loadPackage<M>(pkg: SdkPackage<M>): Promise<M> {
  return importOptional(() => pkg.load(), {
    pkg: AWS_SERVICES[pkg.service].sdkPackage,
    neededBy: `The AWS SDK transport of the ${pkg.service} resolver`,
    otherwise: "or use the light transport (transport: 'light')",
  });
}

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
  if (runtimeName() !== "deno" || homeDirectory() !== undefined) return undefined;
  const list = (name: string): string[] | undefined =>
    awsEnv(name)?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const provide = <T>(value: T) => () => Promise.resolve(value);
  const maxAttempts = Number(awsEnv("AWS_MAX_ATTEMPTS") ?? "3");
  const config: Record<string, unknown> = {
    defaultsMode: awsEnv("AWS_DEFAULTS_MODE") ?? "legacy",
    maxAttempts: Number.isInteger(maxAttempts) && maxAttempts > 0 ? maxAttempts : 3,
    retryMode: awsEnv("AWS_RETRY_MODE") ?? "standard",
    useDualstackEndpoint: awsFlag("AWS_USE_DUALSTACK_ENDPOINT"),
    useFipsEndpoint: awsFlag("AWS_USE_FIPS_ENDPOINT"),
    authSchemePreference: list("AWS_AUTH_SCHEME_PREFERENCE") ?? [],
    userAgentAppId: provide(awsEnv("AWS_SDK_UA_APP_ID")),
    disableClockSkewCorrection: awsFlag("AWS_DISABLE_CLOCK_SKEW_CORRECTION"),
    // The endpoint comes from the environment below, not from a config file's `services`.
    ignoreConfiguredEndpointUrls: true,
  };
  const region = awsEnv("AWS_REGION");
  if (region !== undefined) config.region = region;
  if (!awsFlag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    const endpoint = awsEnv(AWS_SERVICES[service].endpointEnv) ?? awsEnv("AWS_ENDPOINT_URL");
    if (endpoint !== undefined) config.endpoint = endpoint;
  }
  const accessKeyId = awsEnv("AWS_ACCESS_KEY_ID");
  const secretAccessKey = awsEnv("AWS_SECRET_ACCESS_KEY");
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = awsEnv("AWS_SESSION_TOKEN");
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
  return config;
}

function clientConfig<M>(pkg: SdkPackage<M>, settings: EffectiveSettings): Record<string, unknown> {
  const sandbox = sandboxConfig(pkg.service);
  const config: Record<string, unknown> = { ...sandbox, ...extraClientConfig };
  if (settings.region !== undefined) config.region = settings.region;
  if (settings.profile !== undefined) config.profile = settings.profile;
  if (settings.endpoint !== undefined) config.endpoint = settings.endpoint;
  pkg.configure?.(config, {
    customEndpoint: settings.endpoint !== undefined,
    sandbox: sandbox !== undefined,
  });
  return config;
}

/** The cached SDK client of the package for these settings, made on first use. */
function cachedClient<M>(
  pkg: SdkPackage<M>,
  module: M,
  settings: EffectiveSettings,
): Promise<SdkClient> {
  const key = `${pkg.service}|${clientIdentity(settings)}`;
  let p = clients.get(key);
  if (p === undefined) {
    p = Promise.resolve().then(() =>
      withoutSysPermission(pkg.create(module, clientConfig(pkg, settings)))
    );
    clients.set(key, p);
    // A failed creation is not cached: a later call tries again.
    p.catch(() => {
      if (clients.get(key) === p) clients.delete(key);
    });
  }
  return p;
}

type UserAgentSections = [string, string?][];

/**
 * The SDK's default user-agent provider calls `os.release()` on every request, which Deno refuses
 * without `--allow-sys` (NotCapable): every AWS call would fail under `--allow-env --allow-read
 * --allow-net`, and on hosts that grant no sys access. When (and only when) the OS version is not
 * permitted, this falls back to the same header without the `os/` section.
 */
function withoutSysPermission(client: SdkClient): SdkClient {
  const config = (client as { config?: unknown }).config as {
    defaultUserAgentProvider?: (...args: unknown[]) => Promise<UserAgentSections>;
  } | undefined;
  const original = config?.defaultUserAgentProvider;
  if (config === undefined || typeof original !== "function") return client;
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

/** Test hook: number of cached SDK clients. */
export function _clientCacheSize(): number {
  return clients.size;
}

/**
 * Test hook: extra client constructor settings (e.g. a retry strategy with a short backoff)
 * applied to SDK clients created afterwards. `undefined` removes them.
 */
export function _setExtraClientConfig(config: Record<string, unknown> | undefined): void {
  extraClientConfig = config === undefined ? {} : { ...config };
}

/**
 * The clock the AWS resolvers keep time by (AppConfig's poll intervals): the light transport's
 * (a test's fake clock), else the system's.
 *
 * @returns The clock.
 */
export function awsClock(): Clock {
  return lightOptions.clock ?? SYSTEM_CLOCK;
}

/**
 * Test hook: options of the light transport's requests (a clock, a jitter source, a sender)
 * from now on. `undefined` restores the defaults.
 */
export function _setLightTransportOptions(options: AwsTransportOptions | undefined): void {
  lightOptions = options === undefined ? {} : { ...options };
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
  // Refused before any request: nothing to add.
  if (err instanceof ResolverError && err.code === "AWS_ENDPOINT_NOT_ALLOWED") return err;
  const name = errorName(err);
  // holoconf's own errors (no region, no credentials, a package to install) say what to do;
  // their help names no input of the call.
  const own = err instanceof HoloconfError ? err : undefined;
  if (options.sensitiveInput) {
    const cause = redactedCause(err);
    return new ResolverError(`Failed to get ${what}: ${cause.name}`, {
      code: "AWS_ERROR",
      detail: "The AWS error message is hidden because an input of the call was sensitive",
      cause,
      help: own?.help ?? awsHelp(cause.name),
    });
  }
  const raw = own?.headline ?? errorMessage(err);
  // A signature error (the SDK's as well) quotes the signed request, the session token included:
  // cut there, and the original error is then not kept as the cause.
  const message = own ? raw : withoutSigningDetails(raw);
  const text = message === "" || message === name
    ? name
    : message.startsWith(`${name}: `)
    ? message
    : `${name}: ${message}`;
  return new ResolverError(`Failed to get ${what}: ${text}`, {
    code: "AWS_ERROR",
    cause: message === raw ? err : redactedCause(err),
    help: own?.help ?? awsHelp(name),
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
  if (/^KMS|Kms|DecryptionFailure/.test(name)) {
    return "Check access to the KMS key that encrypts the value (kms:Decrypt)";
  }
  if (/Throttl|SlowDown|TooManyRequests|RequestLimitExceeded/i.test(name)) {
    return "AWS throttled the requests even after retries; lower the request rate";
  }
  if (/Credential/i.test(name)) {
    return "Configure AWS credentials (environment, shared files, or an instance role)";
  }
  return undefined;
}
