/**
 * AWS resolvers (`ssm`, `s3`, `cfn`) and their client settings: the `./aws` entry point.
 *
 * Importing this module is cheap: the AWS SDK packages are loaded with a dynamic `import()` the
 * first time a resolver needs a client. The three resolvers are registered by holoconf's main
 * module; this entry exports them, plus the client settings.
 *
 * Settings precedence for each call: the interpolation's kwargs (`region=`, `profile=`,
 * `endpoint=`) > per-service settings ({@linkcode configureSsm}, {@linkcode configureS3},
 * {@linkcode configureCfn}) > global settings ({@linkcode configure}) > the SDK's default chain
 * (environment, shared config/credentials files, web identity, container, instance metadata).
 * Clients are cached per (service, region, profile, endpoint) until {@linkcode reset}.
 *
 * @example Point every SSM call at a local endpoint
 * ```ts
 * import { configureSsm, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configureSsm({ endpoint: "http://127.0.0.1:4566", region: "us-east-1" });
 * // ... load and resolve configs: no AWS request is made until an ${ssm:...} is resolved ...
 * assert.doesNotThrow(() => reset());
 * ```
 *
 * @module
 */

import { resetAll, setGlobalSettings, setServiceSettings } from "./_clients.ts";

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

/** Global AWS settings (every service). */
export interface AwsGlobalOptions {
  /** Region for every AWS service, unless a per-service setting or kwarg says otherwise. */
  region?: string;
  /** Named profile for every AWS service, unless a per-service setting or kwarg says otherwise. */
  profile?: string;
}

/** Settings of one AWS service. */
export interface AwsServiceOptions {
  /** Endpoint URL (a VPC endpoint, LocalStack, a test fake...). */
  endpoint?: string;
  /** Region for this service. */
  region?: string;
  /** Named profile for this service. */
  profile?: string;
}

/**
 * Sets the global region and/or profile. Additive: a field left out (or `undefined`) keeps its
 * current value; only {@linkcode reset} clears settings. Clients already created keep theirs;
 * calls made afterwards pick a client matching the new settings.
 *
 * @param options Region and/or profile.
 *
 * @example Use one region everywhere
 * ```ts
 * import { configure, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configure({ region: "eu-west-1" });
 * configure({ profile: "prod" }); // keeps eu-west-1
 * assert.doesNotThrow(() => reset());
 * ```
 */
export function configure(options: AwsGlobalOptions): void {
  setGlobalSettings({ region: options.region, profile: options.profile });
}

/**
 * Sets the endpoint, region and/or profile of the `ssm` resolver's clients (additive).
 *
 * @param options Endpoint, region and/or profile.
 *
 * @example Send SSM calls to a local endpoint
 * ```ts
 * import { configureSsm, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * assert.doesNotThrow(() => configureSsm({ endpoint: "http://127.0.0.1:4566" }));
 * reset();
 * ```
 */
export function configureSsm(options: AwsServiceOptions): void {
  setServiceSettings("ssm", options);
}

/**
 * Sets the endpoint, region and/or profile of the `s3` resolver's clients (additive). With an
 * endpoint, buckets are addressed path-style (`<endpoint>/<bucket>/<key>`).
 *
 * @param options Endpoint, region and/or profile.
 *
 * @example Read objects from a MinIO server
 * ```ts
 * import { configureS3, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * assert.doesNotThrow(() => configureS3({ endpoint: "http://127.0.0.1:9000", region: "us-east-1" }));
 * reset();
 * ```
 */
export function configureS3(options: AwsServiceOptions): void {
  setServiceSettings("s3", options);
}

/**
 * Sets the endpoint, region and/or profile of the `cfn` resolver's clients (additive).
 *
 * @param options Endpoint, region and/or profile.
 *
 * @example Read stack outputs from another region
 * ```ts
 * import { configureCfn, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * assert.doesNotThrow(() => configureCfn({ region: "us-west-2" }));
 * reset();
 * ```
 */
export function configureCfn(options: AwsServiceOptions): void {
  setServiceSettings("cfn", options);
}

/**
 * Clears every AWS setting (global and per-service) and the client cache (cached clients are
 * destroyed, closing their connections).
 *
 * @example Start over
 * ```ts
 * import { configure, reset } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * configure({ region: "eu-west-1" });
 * assert.doesNotThrow(() => reset());
 * ```
 */
export function reset(): void {
  resetAll();
}
