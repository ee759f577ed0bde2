// The AWS family's data: the services holoconf talks to (their signing names, endpoints and SDK
// packages) and the settings every AWS resolver declares (`settingsSpec`), read by the resolvers,
// the transports and the catalogue, which declares the settings for resolvers that are not
// loaded yet. Data only: nothing here loads or sends anything.

import type { ResolverSettingsSpec } from "../../src/resolver.ts";

/** The AWS services holoconf talks to (each the name of its resolver). */
export type AwsService = "ssm" | "s3" | "cfn" | "secretsmanager" | "appconfig";

/** What holoconf needs to know of one AWS service. */
export interface AwsServiceInfo {
  /** The name requests are signed for (SigV4 scope), e.g. `cloudformation`. */
  readonly signingName: string;
  /** The first label of AWS's host for the service (`<prefix>.<region>.amazonaws.com`). */
  readonly endpointPrefix: string;
  /** The service's endpoint variable, e.g. `AWS_ENDPOINT_URL_SSM`. */
  readonly endpointEnv: string;
  /** The npm package of the service's AWS SDK client (the `sdk` transport). */
  readonly sdkPackage: string;
}

/** The services, by resolver name. */
export const AWS_SERVICES: Readonly<Record<AwsService, AwsServiceInfo>> = Object.freeze({
  ssm: Object.freeze({
    signingName: "ssm",
    endpointPrefix: "ssm",
    endpointEnv: "AWS_ENDPOINT_URL_SSM",
    sdkPackage: "@aws-sdk/client-ssm",
  }),
  s3: Object.freeze({
    signingName: "s3",
    endpointPrefix: "s3",
    endpointEnv: "AWS_ENDPOINT_URL_S3",
    sdkPackage: "@aws-sdk/client-s3",
  }),
  cfn: Object.freeze({
    signingName: "cloudformation",
    endpointPrefix: "cloudformation",
    endpointEnv: "AWS_ENDPOINT_URL_CLOUDFORMATION",
    sdkPackage: "@aws-sdk/client-cloudformation",
  }),
  secretsmanager: Object.freeze({
    signingName: "secretsmanager",
    endpointPrefix: "secretsmanager",
    endpointEnv: "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    sdkPackage: "@aws-sdk/client-secrets-manager",
  }),
  // The AppConfig Data API (sessions and polls), signed as `appconfig`.
  appconfig: Object.freeze({
    signingName: "appconfig",
    endpointPrefix: "appconfigdata",
    endpointEnv: "AWS_ENDPOINT_URL_APPCONFIGDATA",
    sdkPackage: "@aws-sdk/client-appconfigdata",
  }),
});

/** How requests reach AWS: holoconf's own signed requests, or the AWS SDK's clients. */
export type AwsTransport = "light" | "sdk";

/** The transports, the default first. */
export const AWS_TRANSPORTS: readonly AwsTransport[] = Object.freeze(["light", "sdk"]);

/**
 * The settings every AWS resolver reads (group `aws`): region, profile, transport, and the
 * patterns an `endpoint=` written in config text may match besides loopback URLs. A new setting
 * of every AWS resolver is one more field here, read in `effectiveSettings` (`_clients.ts`).
 */
export const AWS_SETTINGS: ResolverSettingsSpec = Object.freeze<ResolverSettingsSpec>({
  key: "aws",
  fields: Object.freeze<ResolverSettingsSpec["fields"]>({
    region: { type: "string" },
    profile: { type: "string" },
    transport: { type: "string" },
    endpointAllowlist: { type: "string[]" },
  }),
});

function serviceSettings(
  service: AwsService,
  extra: ResolverSettingsSpec["fields"] = {},
): ResolverSettingsSpec {
  return Object.freeze<ResolverSettingsSpec>({
    key: service,
    fields: Object.freeze<ResolverSettingsSpec["fields"]>({
      endpoint: { type: "string" },
      region: { type: "string" },
      profile: { type: "string" },
      transport: { type: "string" },
      // An SDK client may hold credentials in its configuration: never shown.
      client: { type: "object", secret: true },
      ...extra,
    }),
  });
}

/**
 * The settings of one service's resolver (groups `ssm`, `s3`, `cfn`, `secretsmanager`,
 * `appconfig`): endpoint, region, profile, transport, and an AWS SDK client to send with;
 * `appconfig` also `extension`, the base URL of the AppConfig Lambda extension (or agent) to read
 * through instead of AWS, e.g. `http://localhost:2772`.
 */
export const AWS_SERVICE_SETTINGS: Readonly<Record<AwsService, ResolverSettingsSpec>> = Object
  .freeze({
    ssm: serviceSettings("ssm"),
    s3: serviceSettings("s3"),
    cfn: serviceSettings("cfn"),
    secretsmanager: serviceSettings("secretsmanager"),
    appconfig: serviceSettings("appconfig", { extension: { type: "string" } }),
  });

/**
 * The settings declaration of a service's resolver: the shared `aws` group, then the service's
 * own (its fields win).
 */
export function awsSettingsSpec(service: AwsService): readonly ResolverSettingsSpec[] {
  return [AWS_SETTINGS, AWS_SERVICE_SETTINGS[service]];
}
