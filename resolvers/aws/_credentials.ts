/**
 * AWS credentials for the light transport: taken without the AWS SDK where the platform hands
 * them over, from the SDK's own providers everywhere else.
 *
 * The chain (the SDK's default order where both can answer):
 *
 * 1. A profile (`profile=`, `configure({ profile })` or `AWS_PROFILE`): the SDK's chain for that
 *    profile (`fromNodeProviderChain` of `@aws-sdk/credential-providers`). As in the SDK, a
 *    profile makes the environment's keys be ignored.
 * 2. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`,
 *    `AWS_CREDENTIAL_EXPIRATION`): Lambda, CI. Read on every request, no SDK.
 * 3. The container credentials endpoint (ECS, Lambda SnapStart, EKS Pod Identity), no SDK:
 *    `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (a path starting with `/`, requested from
 *    `http://169.254.170.2` and nowhere else; preferred) or
 *    `AWS_CONTAINER_CREDENTIALS_FULL_URI`, which must be `https:` or name a loopback host
 *    (127.0.0.0/8, `[::1]`, `localhost`), the ECS host 169.254.170.2 or the EKS hosts
 *    169.254.170.23 / `[fd00:ec2::23]` (names are not resolved to check them); the
 *    `Authorization` header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read at every fetch,
 *    and preferred) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`. Skipped when a shared
 *    config/credentials file exists or `AWS_WEB_IDENTITY_TOKEN_FILE` is set: the SDK asks those
 *    first. Credentials are fetched again 5 minutes before they expire, by one fetch at a time
 *    (callers share it); a failed refresh keeps the old credentials while they are still valid.
 * 4. Anything else (shared files, SSO, web identity, `credential_process`, IMDS): the SDK's chain.
 *    Deno without a home directory (Deno Deploy) has none of these, and the SDK's file lookup would
 *    need `--allow-sys`: there this is a `CredentialsProviderError` instead.
 *
 * No credential, token or answer body ever appears in an error.
 *
 * @module
 */

import { ResolverError } from "../../src/errors.ts";
import { readTextFileSync, runtimeName } from "../../src/runtime.ts";
import { type AwsHttpSend, awsHttpSender } from "../../src/runtime_aws_http.ts";
import { type Clock, RetryQuota, SYSTEM_CLOCK, withRetries } from "./_retry.ts";
import { abortable, SharedWork, timeLimited } from "../../src/_abortable.ts";
import { awsEnv as env, fileExists, homeDirectory, sharedFiles } from "./_env.ts";
import { loadOnce } from "./_once.ts";
import { importOptional } from "./_sdk_package.ts";
import { isLoopbackHost } from "./_endpoint.ts";

/** Credentials to sign with. */
export interface AwsCredentials {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string | undefined;
  /** When they expire, ms since the epoch. */
  expiration?: number | undefined;
}

/** Gives the credentials of one request (cached and refreshed by the provider). */
export type CredentialProvider = (signal: AbortSignal) => Promise<AwsCredentials>;

/**
 * No credentials could be had. Its `name` is `CredentialsProviderError`, as the AWS SDK names it.
 *
 * @example
 * ```ts
 * import { CredentialsProviderError } from "./_credentials.ts";
 * import assert from "node:assert/strict";
 * const e = new CredentialsProviderError("No AWS credentials");
 * assert.equal(e.name, "CredentialsProviderError");
 * assert.equal(e.code, "AWS_ERROR");
 * ```
 */
export class CredentialsProviderError extends ResolverError {
  /**
   * Describes the failure (never a credential, a token or an answer body).
   *
   * @param headline What went wrong.
   * @param options Help and cause.
   */
  constructor(headline: string, options: { help?: string; cause?: unknown } = {}) {
    super(headline, {
      code: "AWS_ERROR",
      help: options.help ??
        "Configure AWS credentials (environment, shared files, or an instance role)",
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = "CredentialsProviderError";
  }
}

/** Base of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`. */
export const CONTAINER_LINK_LOCAL_BASE = "http://169.254.170.2";
/** Credentials are fetched again this long before they expire (ms). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** Time limit of one fetch from the container endpoint (ms), as in the SDK. */
const CONTAINER_TIMEOUT_MS = 1000;
/** Hosts `AWS_CONTAINER_CREDENTIALS_FULL_URI` may name over plain HTTP, besides loopback. */
const CONTAINER_HOSTS: readonly string[] = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"];
const SDK_PACKAGE = "@aws-sdk/credential-providers";

/** Options of {@linkcode credentialProvider}. */
export interface CredentialOptions {
  /** Named profile (from `profile=` or the settings); `AWS_PROFILE` when absent. */
  profile?: string | undefined;
  /** Time source (expiry, timeouts). @default {SYSTEM_CLOCK} */
  clock?: Clock | undefined;
  /** HTTP sender of the container endpoint fetches. @default {the runtime's} */
  send?: AwsHttpSend | undefined;
  /** Base of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (tests point it at loopback). */
  linkLocalBase?: string | undefined;
}

const containerProviders = new Map<string, CredentialProvider>();
const sdkProviders = new Map<string, Promise<CredentialProvider>>();

/** Test hook: forgets cached providers (and so cached container credentials). */
export function _resetCredentials(): void {
  containerProviders.clear();
  sdkProviders.clear();
}

/**
 * The provider the chain picks for these options right now (see the module notes). Providers
 * of the container endpoint and of the SDK are cached, so their credentials are shared.
 *
 * @param options Profile, clock, sender.
 * @returns The provider.
 * @throws {CredentialsProviderError} When `AWS_CONTAINER_CREDENTIALS_FULL_URI` is not a URL or
 *   names a host that is not allowed.
 *
 * @example Environment credentials need no SDK
 * ```ts
 * import { credentialProvider } from "./_credentials.ts";
 * import assert from "node:assert/strict";
 * const names = ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
 * const before = names.map((name) => Deno.env.get(name));
 * Deno.env.delete("AWS_PROFILE");
 * Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
 * Deno.env.set("AWS_SECRET_ACCESS_KEY", "example-secret");
 * try {
 *   const credentials = await credentialProvider()(new AbortController().signal);
 *   assert.equal(credentials.accessKeyId, "AKIDEXAMPLE");
 * } finally {
 *   names.forEach((name, i) => {
 *     if (before[i] === undefined) Deno.env.delete(name);
 *     else Deno.env.set(name, before[i]);
 *   });
 * }
 * ```
 */
export function credentialProvider(options: CredentialOptions = {}): CredentialProvider {
  const profile = options.profile ?? env("AWS_PROFILE");
  if (profile !== undefined) return sdkProvider(profile);
  const fromEnv = environmentCredentials();
  if (fromEnv !== undefined) return () => Promise.resolve(fromEnv);
  const relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if ((relative !== undefined || full !== undefined) && !sdkConfigured()) {
    return containerProvider(options, relative, full);
  }
  if (runtimeName() === "deno" && homeDirectory() === undefined) {
    return () =>
      Promise.reject(
        new CredentialsProviderError(
          "No AWS credentials: without a home directory only AWS_ACCESS_KEY_ID and " +
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the environment, or the " +
            "container credentials endpoint, are used",
        ),
      );
  }
  return sdkProvider(undefined);
}

/** The environment's keys, when both are set. */
function environmentCredentials(): AwsCredentials | undefined {
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = env("AWS_SESSION_TOKEN");
  const expiration = Date.parse(env("AWS_CREDENTIAL_EXPIRATION") ?? "");
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(Number.isNaN(expiration) ? {} : { expiration }),
  };
}

/** Whether the SDK would find a source before the container endpoint (files, web identity). */
function sdkConfigured(): boolean {
  return env("AWS_WEB_IDENTITY_TOKEN_FILE") !== undefined || sharedFiles().some(fileExists);
}

/** Loads the SDK's chain for `profile` (or the default one), once per profile. */
function sdkProvider(profile: string | undefined): CredentialProvider {
  const key = profile ?? "";
  return async (signal) => {
    const loading = loadOnce(sdkProviders, key, () => loadSdkProvider(profile));
    const provider = await abortable(loading, signal);
    return provider(signal);
  };
}

interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

async function loadSdkProvider(profile: string | undefined): Promise<CredentialProvider> {
  const module = await importOptional(() => import("@aws-sdk/credential-providers"), {
    pkg: SDK_PACKAGE,
    neededBy: `Reading AWS credentials from ${
      profile === undefined ? "shared files, SSO, web identity or the instance" : "a profile"
    }`,
    otherwise: "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    error: (headline, options) => new CredentialsProviderError(headline, options),
  });
  // The files as they are now (after a reset, too): the SDK keeps what it read before.
  const chain = module.fromNodeProviderChain({
    ignoreCache: true,
    ...(profile === undefined ? {} : { profile }),
  });
  return async (signal) => {
    const c = await abortable(chain(), signal);
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      ...(c.expiration ? { expiration: c.expiration.getTime() } : {}),
    };
  };
}

/**
 * Checks an `AWS_CONTAINER_CREDENTIALS_FULL_URI`: `https:`, or a host from the allowed list.
 *
 * @param uri The URI.
 * @returns The parsed URL.
 * @throws {CredentialsProviderError} When it is not a URL or names a host that is not allowed.
 *
 * @example
 * ```ts
 * import { checkContainerUri } from "./_credentials.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkContainerUri("http://169.254.170.23/v1/credentials").hostname, "169.254.170.23");
 * assert.throws(() => checkContainerUri("http://metadata.example/creds"), /not allowed/);
 * ```
 */
export function checkContainerUri(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new CredentialsProviderError(
      "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL",
    );
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && allowedHttpHost(url.hostname)) return url;
  throw new CredentialsProviderError(
    `The container credentials host ${url.host} is not allowed`,
    {
      help: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https:, or http: on a loopback address " +
        "(127.0.0.0/8, [::1], localhost), the ECS host 169.254.170.2, or the EKS hosts " +
        "169.254.170.23 and [fd00:ec2::23]",
    },
  );
}

/**
 * The URL of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on the link-local host: a path, and
 * nothing that moves the request elsewhere (`@attacker.example/creds` would make the base its
 * user name and send the container token to another host).
 */
function relativeContainerUrl(relative: string, base: string): URL {
  const home = new URL(base);
  let url: URL | undefined;
  if (relative.startsWith("/")) {
    try {
      url = new URL(`${home.origin}${relative}`);
    } catch {
      url = undefined;
    }
  }
  if (
    url === undefined || url.origin !== home.origin || url.username !== "" || url.password !== ""
  ) {
    throw new CredentialsProviderError(
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path on the container credentials host",
      {
        help: `It must start with '/' and is requested from ${home.origin} (e.g. ` +
          "/v2/credentials/<id>); use AWS_CONTAINER_CREDENTIALS_FULL_URI for another host",
      },
    );
  }
  return url;
}

function allowedHttpHost(host: string): boolean {
  return CONTAINER_HOSTS.includes(host) || isLoopbackHost(host);
}

/** The `Authorization` header value: the token file (read now) or the token variable. */
function containerToken(): string | undefined {
  const file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  let token: string | undefined;
  if (file !== undefined) {
    try {
      token = readTextFileSync(file).trim();
    } catch (err) {
      throw new CredentialsProviderError(
        "The container authorization token file could not be read",
        { cause: err },
      );
    }
  } else {
    token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (token !== undefined && /[\r\n]/.test(token)) {
    throw new CredentialsProviderError(
      "The container authorization token contains a line break",
    );
  }
  return token;
}

function containerProvider(
  options: CredentialOptions,
  relative: string | undefined,
  full: string | undefined,
): CredentialProvider {
  const url = relative !== undefined
    ? relativeContainerUrl(relative, options.linkLocalBase ?? CONTAINER_LINK_LOCAL_BASE)
    : checkContainerUri(full!);
  const key = `${url.href}|${env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") ?? ""}`;
  let provider = containerProviders.get(key);
  if (provider === undefined) {
    const clock = options.clock ?? SYSTEM_CLOCK;
    const send = options.send ?? awsHttpSender();
    provider = refreshing(
      (signal) => fetchContainerCredentials(url, { clock, send, signal }),
      clock,
    );
    containerProviders.set(key, provider);
  }
  return provider;
}

/**
 * Keeps credentials until 5 minutes before they expire, then fetches new ones with one fetch
 * at a time (every caller waits for the same one; a caller's abort ends only its own wait, and
 * the fetch once every caller gave up). A failed refresh keeps credentials that have not
 * expired yet.
 *
 * @param fetch Gets fresh credentials.
 * @param clock Time source.
 * @returns The caching provider.
 *
 * @example
 * ```ts
 * import { refreshing } from "./_credentials.ts";
 * import assert from "node:assert/strict";
 * let fetches = 0;
 * const provider = refreshing(() => {
 *   fetches++;
 *   return Promise.resolve({ accessKeyId: `AKID${fetches}`, secretAccessKey: "s" });
 * }, { now: () => 0, sleep: () => Promise.resolve() });
 * const signal = new AbortController().signal;
 * await Promise.all([provider(signal), provider(signal)]);
 * assert.equal(fetches, 1);
 * ```
 */
export function refreshing(
  fetch: (signal: AbortSignal) => Promise<AwsCredentials>,
  clock: Clock,
): CredentialProvider {
  let current: AwsCredentials | undefined;
  let inflight: { fetched: Promise<AwsCredentials>; shared: SharedWork } | undefined;
  const fresh = (c: AwsCredentials) =>
    c.expiration === undefined || c.expiration - clock.now() > REFRESH_BEFORE_EXPIRY_MS;
  const usable = (c: AwsCredentials) => c.expiration === undefined || c.expiration > clock.now();
  return (signal) => {
    if (current !== undefined && fresh(current)) return Promise.resolve(current);
    // A fetch every caller gave up is ending: this caller starts another.
    if (inflight === undefined || inflight.shared.signal.aborted) {
      const previous = current;
      // It has its own time limit, and ends early only once nobody waits for it.
      const shared = new SharedWork();
      const fetched = fetch(shared.signal).then(
        (c) => {
          current = c;
          return c;
        },
        (err) => {
          if (previous !== undefined && usable(previous)) return previous;
          throw err;
        },
      );
      const mine = { fetched, shared };
      inflight = mine;
      fetched.finally(() => {
        shared.dispose();
        if (inflight === mine) inflight = undefined;
      }).catch(() => {});
    }
    return inflight.shared.wait(inflight.fetched, signal, (reason) => reason);
  };
}

/** One fetch from the container endpoint, with up to 3 attempts of 1 s each. */
async function fetchContainerCredentials(
  url: URL,
  context: { clock: Clock; send: AwsHttpSend; signal: AbortSignal },
): Promise<AwsCredentials> {
  const { clock, send, signal } = context;
  return await withRetries(async () => {
    const token = containerToken();
    const limited = timeLimited(signal, CONTAINER_TIMEOUT_MS, {
      reason: () => new CredentialsProviderError("The container credentials endpoint timed out"),
      sleep: (ms, stop) => clock.sleep(ms, stop),
    });
    try {
      const response = await send({
        method: "GET",
        url: url.href,
        headers: {
          accept: "application/json",
          ...(token === undefined ? {} : { authorization: token }),
        },
        signal: limited.signal,
      }).catch((err) => {
        if (limited.timedOut) throw limited.signal.reason;
        throw err;
      });
      return containerAnswer(response.status, response.body);
    } finally {
      limited.clear();
    }
  }, { signal, clock, random: () => 0, quota: new RetryQuota() });
}

/** Credentials from the endpoint's answer; errors name the status and code, never the body. */
function containerAnswer(status: number, body: Uint8Array): AwsCredentials {
  let json: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body));
    if (typeof parsed === "object" && parsed !== null) json = parsed;
  } catch {
    json = undefined;
  }
  if (status !== 200) {
    const code = typeof json?.code === "string" && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(json.code)
      ? ` (${json.code})`
      : "";
    const error = new CredentialsProviderError(
      `The container credentials endpoint answered HTTP ${status}${code}`,
    );
    // 5xx is retried like a server failure.
    Object.assign(error, { $metadata: { httpStatusCode: status } });
    throw error;
  }
  const field = (name: string) =>
    typeof json?.[name] === "string" ? json[name] as string : undefined;
  const accessKeyId = field("AccessKeyId");
  const secretAccessKey = field("SecretAccessKey");
  const sessionToken = field("Token");
  const expiration = Date.parse(field("Expiration") ?? "");
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new CredentialsProviderError(
      "The container credentials endpoint did not answer with credentials",
    );
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(Number.isNaN(expiration) ? {} : { expiration }),
  };
}
