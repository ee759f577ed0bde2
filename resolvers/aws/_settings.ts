// The settings every AWS resolver declares (`settingsSpec`), as data: read by the resolvers and
// by the catalogue, which declares them for resolvers that are not loaded yet.

import type { ResolverSettingsSpec } from "../../src/resolver.ts";

/** The AWS services holoconf talks to. */
export type AwsService = "ssm" | "s3" | "cfn";

/**
 * The settings every AWS resolver reads (group `aws`): region and profile. A new setting of
 * every AWS resolver (a transport, credentials) is one more field here, read in
 * `effectiveSettings` (`_clients.ts`).
 */
export const AWS_SETTINGS: ResolverSettingsSpec = Object.freeze<ResolverSettingsSpec>({
  key: "aws",
  fields: Object.freeze<ResolverSettingsSpec["fields"]>({
    region: { type: "string" },
    profile: { type: "string" },
  }),
});

function serviceSettings(service: AwsService): ResolverSettingsSpec {
  return Object.freeze<ResolverSettingsSpec>({
    key: service,
    fields: Object.freeze<ResolverSettingsSpec["fields"]>({
      endpoint: { type: "string" },
      region: { type: "string" },
      profile: { type: "string" },
    }),
  });
}

/** The settings of one service's resolver (groups `ssm`, `s3`, `cfn`): endpoint, region, profile. */
export const AWS_SERVICE_SETTINGS: Readonly<Record<AwsService, ResolverSettingsSpec>> = Object
  .freeze({ ssm: serviceSettings("ssm"), s3: serviceSettings("s3"), cfn: serviceSettings("cfn") });

/**
 * The settings declaration of a service's resolver: the shared `aws` group, then the service's
 * own (its fields win).
 */
export function awsSettingsSpec(service: AwsService): readonly ResolverSettingsSpec[] {
  return [AWS_SETTINGS, AWS_SERVICE_SETTINGS[service]];
}
