/**
 * AWS resolvers (`ssm`, `s3`, `cfn`) and their settings: the `./aws` entry point.
 *
 * Importing this module is cheap: the AWS SDK packages are loaded with a dynamic `import()` the
 * first time a resolver needs a client. The three resolvers are registered by holoconf's main
 * module; this entry exports them, plus functions that set their settings for the process.
 *
 * The AWS settings are resolver settings (see `configureResolver`): a group `aws` that every
 * AWS resolver reads (`region`, `profile`) and a group per service (`ssm`, `s3`, `cfn`:
 * `endpoint`, `region`, `profile`). Per process, {@linkcode configureAws} and
 * {@linkcode configureSsm}/{@linkcode configureS3}/{@linkcode configureCfn} set them (or
 * `configureResolver("aws", ...)`); per Config, `LoadOptions.resolverSettings` does:
 * `{ aws: { region: "eu-west-1" }, ssm: { endpoint: "http://127.0.0.1:4566" } }`.
 *
 * Precedence for each call: the interpolation's kwargs (`region=`, `profile=`, `endpoint=`) >
 * the Config's settings > the process's settings > the SDK's default chain (environment,
 * shared config/credentials files, web identity, container, instance metadata); within the
 * Config's (or the process's) settings, the service's group > the `aws` group. Clients are
 * cached per (service, region, profile, endpoint) until {@linkcode reset}.
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

import { AWS_SERVICE_SETTINGS, AWS_SETTINGS, type AwsService, resetAll } from "./_clients.ts";
import { configureResolverGroup } from "../../src/resolver_settings.ts";

export type { AwsResolver } from "./_clients.ts";
export type {
  ConfigHandle,
  ResolverCall,
  ResolverContext,
  ResolverObject,
} from "../../src/resolver.ts";
export type { SourceLocation } from "../../src/errors.ts";
export type { CfnResolver } from "./cfn.ts";
export type { SsmResolver } from "./ssm.ts";
export { ssmResolver } from "./ssm.ts";
export { s3Resolver } from "./s3.ts";
export { cfnResolver } from "./cfn.ts";

/** Settings of every AWS resolver (the `aws` group). */
export interface AwsGlobalOptions {
  /** Region for every AWS service, unless a per-service setting or kwarg says otherwise. */
  region?: string | undefined;
  /** Named profile for every AWS service, unless a per-service setting or kwarg says otherwise. */
  profile?: string | undefined;
}

/** Settings of one AWS service's resolver (the `ssm`, `s3` or `cfn` group). */
export interface AwsServiceOptions {
  /** Endpoint URL (a VPC endpoint, LocalStack, a test fake...). */
  endpoint?: string | undefined;
  /** Region for this service. */
  region?: string | undefined;
  /** Named profile for this service. */
  profile?: string | undefined;
}

/**
 * Sets the region and/or profile of every AWS resolver for the process (the `aws` settings
 * group). Additive: a field left out (or `undefined`) keeps its current value; only
 * {@linkcode reset} clears settings. Clients already created keep theirs; calls made afterwards
 * pick a client matching the new settings.
 *
 * @param options Region and/or profile.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field (with a "did you mean"),
 *   `INVALID_SETTING` for a value that is not a string.
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
 */
export function configureAws(options: AwsGlobalOptions): void {
  configureResolverGroup(AWS_SETTINGS, options);
}

/**
 * The name upstream's `holoconf_aws.configure(region=, profile=)` uses for
 * {@linkcode configureAws}: the same function.
 *
 * @param options Region and/or profile.
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

function configureService(service: AwsService, options: AwsServiceOptions): void {
  configureResolverGroup(AWS_SERVICE_SETTINGS[service], options);
}

/**
 * Sets the endpoint, region and/or profile of the `ssm` resolver for the process (the `ssm`
 * settings group; additive, as {@linkcode configureAws}).
 *
 * @param options Endpoint, region and/or profile.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   that is not a string.
 *
 * @example Send SSM calls to a local endpoint
 * ```ts
 * import { configureSsm, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureSsm({ endpoint: "http://127.0.0.1:4566" });
 * assert.throws(() => configureSsm({ endpiont: "x" } as object), /Did you mean 'endpoint'\?/);
 * reset();
 * ```
 */
export function configureSsm(options: AwsServiceOptions): void {
  configureService("ssm", options);
}

/**
 * Sets the endpoint, region and/or profile of the `s3` resolver for the process (additive).
 * With an endpoint, buckets are addressed path-style (`<endpoint>/<bucket>/<key>`).
 *
 * @param options Endpoint, region and/or profile.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   that is not a string.
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
  configureService("s3", options);
}

/**
 * Sets the endpoint, region and/or profile of the `cfn` resolver for the process (additive).
 *
 * @param options Endpoint, region and/or profile.
 * @throws {ResolverError} `UNKNOWN_SETTING` for another field, `INVALID_SETTING` for a value
 *   that is not a string.
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
  configureService("cfn", options);
}

/**
 * Clears every AWS setting of the process (the `aws`, `ssm`, `s3` and `cfn` groups; per-Config
 * settings are the Config's) and the client cache (cached clients are destroyed, closing their
 * connections).
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
