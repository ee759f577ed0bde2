/**
 * The region of a request of the light transport: the call's `region=` kwarg, then the settings
 * (`configureSsm/S3/Cfn`, then `configure`; merged by `effectiveSettings`), then `AWS_REGION`,
 * then `AWS_DEFAULT_REGION`, then the profile's `region` in the shared config files, read by the
 * AWS SDK's own loader (`@smithy/core/config`), which is imported only when such a file exists.
 *
 * @module
 */

import { ResolverError } from "../../src/errors.ts";
import { awsEnv as env, fileExists, sharedFiles } from "./_env.ts";
import { loadOnce } from "./_once.ts";
import { importOptional } from "./_sdk_package.ts";

/** Where a region comes from besides the environment. */
export interface RegionSettings {
  /** From the kwarg or the settings (already in that order). */
  region?: string | undefined;
  /** Profile whose shared-config `region` applies (`AWS_PROFILE`, then `default`, when absent). */
  profile?: string | undefined;
}

const fromFiles = new Map<string, Promise<string | undefined>>();

/** Test hook: forgets regions read from the shared config files. */
export function _resetRegions(): void {
  fromFiles.clear();
}

/**
 * Finds the region of a request.
 *
 * @param settings Region and profile from the kwargs and the settings.
 * @returns The region.
 * @throws {ResolverError} `AWS_ERROR` named `RegionMissingError` when no source has one.
 *
 * @example A kwarg or setting wins over the environment
 * ```ts
 * import { resolveRegion } from "./_region.ts";
 * import assert from "node:assert/strict";
 * const before = Deno.env.get("AWS_REGION");
 * Deno.env.set("AWS_REGION", "eu-west-1");
 * try {
 *   assert.equal(await resolveRegion({ region: "us-west-2" }), "us-west-2");
 *   assert.equal(await resolveRegion({}), "eu-west-1");
 * } finally {
 *   if (before === undefined) Deno.env.delete("AWS_REGION");
 *   else Deno.env.set("AWS_REGION", before);
 * }
 * ```
 */
export async function resolveRegion(settings: RegionSettings): Promise<string> {
  const region = nonEmpty(settings.region) ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ??
    await regionFromFiles(nonEmpty(settings.profile) ?? env("AWS_PROFILE") ?? "default");
  if (region === undefined) {
    const error = new ResolverError("AWS region is missing", {
      code: "AWS_ERROR",
      help: "Pass region=..., call configure({ region }), or set AWS_REGION",
    });
    error.name = "RegionMissingError";
    throw error;
  }
  return region;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/** The profile's `region` from the shared files, read by the SDK's loader, once per profile. */
function regionFromFiles(profile: string): Promise<string | undefined> {
  // No file (Deno Deploy has no home directory either): the SDK is not loaded, and its lookup
  // of the home directory, which needs --allow-sys on Deno, never runs.
  if (!sharedFiles().some(fileExists)) return Promise.resolve(undefined);
  return loadOnce(fromFiles, profile, () => loadRegion(profile));
}

async function loadRegion(profile: string): Promise<string | undefined> {
  const config = await importOptional(() => import("@smithy/core/config"), {
    pkg: "@smithy/core",
    neededBy: "Reading the region from the AWS config file",
    otherwise: "pass region=..., or set AWS_REGION",
  });
  const load = config.loadConfig<string | undefined>({
    environmentVariableSelector: () => undefined,
    configFileSelector: (section) => section[config.REGION_INI_NAME],
    default: () => undefined,
  }, { profile, ignoreCache: true }); // read the file as it is now (after a reset, too)
  return await load();
}
