/**
 * AWS resolvers (`ssm`, `s3`, `cfn`, `secretsmanager`, `appconfig`) and their settings: the
 * `./aws` entry point.
 *
 * Importing this module is cheap, and so is a request: by default the resolvers send their own
 * SigV4-signed requests over the runtime's HTTP (the light transport: `aws4` + `node:http` on
 * Node, `aws4fetch` + `fetch` on Deno, Bun and edge runtimes), with credentials from the
 * environment or the container credentials endpoint and the region from the settings or the
 * environment. The AWS SDK is an option, not a weight: its packages are imported on first use,
 * and only when they are needed, which is
 * - when a profile, SSO, web identity, `credential_process`, the instance metadata or a shared
 *   credentials/config file supplies the credentials (`@aws-sdk/credential-providers`), or the
 *   region comes from the shared config file (`@smithy/core`);
 * - when the SDK transport is chosen (`transport: "sdk"`: `@aws-sdk/client-ssm`,
 *   `@aws-sdk/client-s3`, `@aws-sdk/client-cloudformation`, `@aws-sdk/client-secrets-manager`,
 *   `@aws-sdk/client-appconfigdata`), or a program passes its own SDK client (`client`: custom
 *   middleware, tracing).
 * A package that is needed and cannot be loaded fails the call with an error naming it
 * (`npm install ...`). The resolvers are registered by holoconf's main module; this entry
 * exports them, plus functions that set their settings for the process.
 *
 * The AWS settings are resolver settings (see `configureResolver`): a group `aws` that every
 * AWS resolver reads (`region`, `profile`, `transport`) and a group per service (`ssm`, `s3`,
 * `cfn`, `secretsmanager`, `appconfig`: `endpoint`, `region`, `profile`, `transport`, `client`;
 * `appconfig` also `extension`). Per process, {@linkcode configureAws} and
 * {@linkcode configureSsm}/{@linkcode configureS3}/{@linkcode configureCfn}/
 * {@linkcode configureSecretsManager}/{@linkcode configureAppConfig} set them (or
 * `configureResolver("aws", ...)`); per Config, `LoadOptions.resolverSettings` does:
 * `{ aws: { region: "eu-west-1" }, ssm: { endpoint: "http://127.0.0.1:4566" } }`.
 *
 * Precedence for each call: the interpolation's kwargs (`region=`, `profile=`, `endpoint=`) >
 * the Config's settings > the process's settings > the default chain (environment, container
 * endpoint, then the SDK's: shared config/credentials files, SSO, web identity, instance
 * metadata); within the Config's (or the process's) settings, the service's group > the `aws`
 * group. Credentials, regions read from files, connections and SDK clients are cached until
 * {@linkcode reset}.
 *
 * @example Settings per process and per Config
 * ```ts
 * import { configureSsm, reset } from "@holoconf/holoconf/aws";
 * import { Config } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * configureSsm({ endpoint: "http://127.0.0.1:4566", region: "us-east-1" });
 * const config = Config.loads("db: ${ssm:/app/db}\n", {
 *   resolverSettings: { aws: { profile: "dev" }, ssm: { region: "eu-west-1" } },
 * });
 * // Nothing is fetched (and the SDK is not loaded) until the value is asked for.
 * assert.equal(config.isResolved("db"), false);
 * reset();
 * ```
 *
 * @module
 */

import {
  AWS_SERVICE_SETTINGS,
  AWS_SETTINGS,
  checkClient,
  checkTransport,
  resetAll,
  type SdkClient,
} from "./_clients.ts";
import type { ResolverSettingsSpec } from "../../src/resolver.ts";
import { configureResolverGroup } from "../../src/resolver_settings.ts";

export type { AwsResolver, AwsTransport, SdkClient } from "./_clients.ts";
export type {
  ConfigHandle,
  ResolverCall,
  ResolverContext,
  ResolverObject,
} from "../../src/resolver.ts";
export type { SourceLocation } from "../../src/errors.ts";
export type { CfnResolver } from "./cfn.ts";
export type { SsmResolver } from "./ssm.ts";
export type { SecretsManagerResolver } from "./secretsmanager.ts";
export { ssmResolver } from "./ssm.ts";
export { s3Resolver } from "./s3.ts";
export { cfnResolver } from "./cfn.ts";
export { secretsmanagerResolver } from "./secretsmanager.ts";
export { appconfigResolver } from "./appconfig.ts";

/** Settings of every AWS resolver (the `aws` group). */
export interface AwsGlobalOptions {
  /** Region for every AWS service, unless a per-service setting or kwarg says otherwise. */
  region?: string | undefined;
  /** Named profile for every AWS service, unless a per-service setting or kwarg says otherwise. */
  profile?: string | undefined;
  /**
   * How requests reach AWS: `light` (holoconf's own signed requests over the runtime's HTTP) or
   * `sdk` (the AWS SDK's clients, imported on first use). @default {"light"}
   */
  transport?: "light" | "sdk" | undefined;
  /**
   * Where an `endpoint=` written in config text may send requests besides loopback URLs:
   * patterns as the http allowlist's (`https://*.vpce.amazonaws.com/*`; `*` in the host stays in
   * the host). Requests are signed with the program's credentials, so any other config-text
   * endpoint is refused (`AWS_ENDPOINT_NOT_ALLOWED`) before anything is sent. Endpoints the
   * program sets (`configureSsm({ endpoint })`, per-Config settings, `AWS_ENDPOINT_URL*`) are
   * trusted. @default {[]}
   */
  endpointAllowlist?: readonly string[] | undefined;
}

/**
 * Settings of one AWS service's resolver (the `ssm`, `s3`, `cfn`, `secretsmanager` or
 * `appconfig` group).
 */
export interface AwsServiceOptions {
  /** Endpoint URL (a VPC endpoint, LocalStack, a test fake...). */
  endpoint?: string | undefined;
  /** Region for this service. */
  region?: string | undefined;
  /** Named profile for this service. */
  profile?: string | undefined;
  /** The transport of this service (see {@linkcode AwsGlobalOptions.transport}). */
  transport?: "light" | "sdk" | undefined;
  /**
   * An AWS SDK v3 client of this service (`SSMClient`, `S3Client`, `CloudFormationClient`) made
   * by the program, with its own middleware, tracing, credentials and region: it serves every
   * call of the service whose kwargs name no `region=`, `profile=` or `endpoint=` of their own
   * (those go through holoconf's transport), whatever the transport setting. The endpoint,
   * region and profile settings do not apply to it. holoconf never destroys it.
   */
  client?: SdkClient | undefined;
}

/**
 * Sets the region, profile, transport and/or endpoint allowlist of every AWS resolver for the
 * process (the `aws` settings group). Additive: a field left out (or `undefined`) keeps its current value; only
 * {@linkcode reset} clears settings. Clients already created keep theirs; calls made afterwards
 * pick a client matching the new settings.
 *
 * @param options Region, profile and/or transport.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field (with a "did you mean"),
 *   `INVALID_SETTING` for a value that is not a string, or a transport other than `light` and
 *   `sdk`.
 *
 * @example Use one region everywhere
 * ```ts
 * import { configureAws, reset } from "@holoconf/holoconf/aws";
 * import { Config } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * configureAws({ region: "eu-west-1" });
 * configureAws({ profile: "prod" }); // keeps eu-west-1
 * const seen: unknown[] = [];
 * const config = Config.loads("a: ${probe:x}\n", {
 *   resolvers: {
 *     probe: {
 *       settingsSpec: [{ key: "aws", fields: { region: { type: "string" }, profile: { type: "string" } } }],
 *       resolve: (_key, call) => seen.push({ ...call.settings }),
 *     },
 *   },
 * });
 * await config.get("a");
 * assert.deepEqual(seen, [{ region: "eu-west-1", profile: "prod" }]);
 * reset();
 * ```
 *
 * @example Send every AWS request through the AWS SDK
 * ```ts
 * import { configureAws, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureAws({ transport: "sdk" }); // @aws-sdk/client-* are imported on first use
 * assert.throws(() => configureAws({ transport: "fast" } as object), /'light' or 'sdk'/);
 * reset();
 * ```
 */
export function configureAws(options: AwsGlobalOptions): void {
  configureChecked(AWS_SETTINGS, options);
}

/**
 * The name upstream's `holoconf_aws.configure(region=, profile=)` uses for
 * {@linkcode configureAws}: the same function.
 *
 * @param options Region, profile and/or transport.
 * @throws {ResolverError} As `configureAws`.
 *
 * @example
 * ```ts
 * import { configure, configureAws } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * assert.equal(configure, configureAws);
 * ```
 */
export const configure: (options: AwsGlobalOptions) => void = configureAws;

/** Stores the settings of one group once their transport and client are known to be ones. */
function configureChecked(
  spec: ResolverSettingsSpec,
  options: AwsGlobalOptions | AwsServiceOptions,
): void {
  const { transport, client } = options as { transport?: unknown; client?: unknown };
  if (transport !== undefined) checkTransport(transport);
  if (client !== undefined) checkClient(client);
  configureResolverGroup(spec, options);
}

/**
 * Sets the endpoint, region, profile, transport and/or SDK client of the `ssm` resolver for the
 * process (the `ssm` settings group; additive, as {@linkcode configureAws}).
 *
 * @param options Endpoint, region, profile, transport and/or client.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   of the wrong type, a transport other than `light` and `sdk`, or a client without `send`.
 *
 * @example Send SSM calls to a local endpoint
 * ```ts
 * import { configureSsm, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureSsm({ endpoint: "http://127.0.0.1:4566" });
 * assert.throws(() => configureSsm({ endpiont: "x" } as object), /Did you mean 'endpoint'\?/);
 * reset();
 * ```
 *
 * @example Serve ssm calls with the program's own SDK client (middleware, tracing)
 * ```ts
 * import { configureSsm, reset } from "@holoconf/holoconf/aws";
 * import { Config } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const sent: unknown[] = [];
 * const client = { // stands in for new SSMClient({ ... }) with middleware
 *   send: (command: { input: unknown }) => {
 *     sent.push(command.input);
 *     return Promise.resolve({ Parameters: [{ Name: "/app/db", Type: "String", Value: "db.internal" }] });
 *   },
 * };
 * configureSsm({ client });
 * assert.equal(await Config.loads("db: ${ssm:/app/db}\n").get("db"), "db.internal");
 * assert.deepEqual(sent, [{ Names: ["/app/db"], WithDecryption: true }]);
 * reset();
 * ```
 */
export function configureSsm(options: AwsServiceOptions): void {
  configureChecked(AWS_SERVICE_SETTINGS.ssm, options);
}

/**
 * Sets the endpoint, region, profile, transport and/or SDK client of the `s3` resolver for the
 * process (additive). With an endpoint, buckets are addressed path-style
 * (`<endpoint>/<bucket>/<key>`).
 *
 * @param options Endpoint, region, profile, transport and/or client.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   of the wrong type, a transport other than `light` and `sdk`, or a client without `send`.
 *
 * @example Read objects from a MinIO server
 * ```ts
 * import { configureS3, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureS3({ endpoint: "http://127.0.0.1:9000", region: "us-east-1" });
 * assert.throws(() => configureS3({ region: 1 } as object), /'s3.region' must be a string/);
 * reset();
 * ```
 */
export function configureS3(options: AwsServiceOptions): void {
  configureChecked(AWS_SERVICE_SETTINGS.s3, options);
}

/**
 * Sets the endpoint, region, profile, transport and/or SDK client of the `cfn` resolver for the
 * process (additive).
 *
 * @param options Endpoint, region, profile, transport and/or client.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   of the wrong type, a transport other than `light` and `sdk`, or a client without `send`.
 *
 * @example Read stack outputs from another region
 * ```ts
 * import { configureCfn, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureCfn({ region: "us-west-2" });
 * assert.throws(() => configureCfn({ regoin: "x" } as object), /Did you mean 'region'\?/);
 * reset();
 * ```
 */
export function configureCfn(options: AwsServiceOptions): void {
  configureChecked(AWS_SERVICE_SETTINGS.cfn, options);
}

/**
 * Sets the endpoint, region, profile, transport and/or SDK client of the `secretsmanager`
 * resolver for the process (additive).
 *
 * @param options Endpoint, region, profile, transport and/or client (a `SecretsManagerClient`).
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   of the wrong type, a transport other than `light` and `sdk`, or a client without `send`.
 *
 * @example Read secrets from a local endpoint
 * ```ts
 * import { configureSecretsManager, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureSecretsManager({ endpoint: "http://127.0.0.1:4566" });
 * assert.throws(() => configureSecretsManager({ regoin: "x" } as object), /Did you mean 'region'\?/);
 * reset();
 * ```
 */
export function configureSecretsManager(options: AwsServiceOptions): void {
  configureChecked(AWS_SERVICE_SETTINGS.secretsmanager, options);
}

/** Settings of the `appconfig` resolver: a service's, plus the AppConfig extension's address. */
export interface AppConfigOptions extends AwsServiceOptions {
  /**
   * Base URL of the AppConfig Lambda extension (or agent), e.g. `http://localhost:2772`: calls
   * that name no `region=`, `profile=` or `endpoint=` read through it instead of AWS. Without
   * it, `AWS_APPCONFIG_EXTENSION_HTTP_PORT` names the extension's port on `localhost`.
   */
  extension?: string | undefined;
}

/**
 * Sets the endpoint, region, profile, transport, SDK client and/or AppConfig extension of the
 * `appconfig` resolver for the process (additive).
 *
 * @param options Endpoint, region, profile, transport, client (an `AppConfigDataClient`) and/or
 *   the extension's base URL.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   of the wrong type, a transport other than `light` and `sdk`, or a client without `send`.
 *
 * @example Read through the AppConfig Lambda extension
 * ```ts
 * import { configureAppConfig, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureAppConfig({ extension: "http://localhost:2772" });
 * assert.throws(() => configureAppConfig({ extension: 2772 } as object), /must be a string/);
 * reset();
 * ```
 */
export function configureAppConfig(options: AppConfigOptions): void {
  configureChecked(AWS_SERVICE_SETTINGS.appconfig, options);
}

/**
 * Clears every AWS setting of the process (the `aws`, `ssm`, `s3`, `cfn`, `secretsmanager` and
 * `appconfig` groups; per-Config settings are the Config's), the SDK clients holoconf made
 * (destroyed, closing their connections; a client the program gave is left alone), the AppConfig
 * sessions, and what the light transport keeps:
 * cached credentials, regions read from the shared config, the retry quota, the learnt clock
 * offset and kept-alive connections.
 *
 * @example Start over
 * ```ts
 * import { configureAws, reset } from "@holoconf/holoconf/aws";
 * import { Config } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const probe = {
 *   settingsSpec: [{ key: "aws", fields: { region: { type: "string" as const } } }],
 *   resolve: (_key: string, call: { settings: Readonly<Record<string, unknown>> }) =>
 *     String(call.settings.region),
 * };
 * configureAws({ region: "eu-west-1" });
 * reset();
 * const config = Config.loads("a: ${probe:x}\n", { resolvers: { probe } });
 * assert.equal(await config.get("a"), "undefined");
 * ```
 */
export function reset(): void {
  resetAll();
}
