/**
 * The `s3` resolver: an object from Amazon S3 (SPEC §7.9).
 *
 * `${s3:bucket/key}` (an `s3://` prefix is accepted) with kwargs `parse`
 * (`yaml|json|text|binary|auto`), `region`, `profile`, `endpoint`.
 *
 * @module
 */

import { NotFoundError, ResolverError } from "../../src/errors.ts";
import type { ResolverCall } from "../../src/resolver.ts";
import {
  AWS_KEYWORDS,
  awsFailure,
  type AwsResolver,
  awsSettingsSpec,
  callAws,
  type EffectiveSettings,
  effectiveSettings,
  type SdkPackage,
} from "./_clients.ts";
import { abortable } from "../../src/_abortable.ts";
import { awsEnv, awsFlag } from "./_env.ts";
import { enumKwarg, errorName, shown } from "../_args.ts";
import { describeS3 } from "./_describe.ts";
import { type ContentMode, decodeContent, modeOfContentType } from "./_content.ts";

type ParseMode = ContentMode;

const PARSE_MODES = ["yaml", "json", "text", "binary", "auto"] as const;

type S3Module = typeof import("@aws-sdk/client-s3");

/** The SDK transport's package. */
const S3_SDK: SdkPackage<S3Module> = {
  service: "s3",
  load: () => import("@aws-sdk/client-s3"),
  create: (module, config) => new module.S3Client(config),
  configure(config, { customEndpoint, sandbox }) {
    // A custom endpoint (local fake, MinIO, LocalStack) cannot do virtual-hosted buckets.
    if (customEndpoint) config.forcePathStyle = true;
    if (!sandbox) return;
    // S3's settings the SDK would otherwise look up in the shared files (see sandboxConfig).
    const provide = <T>(value: T) => () => Promise.resolve(value);
    const list = awsEnv("AWS_SIGV4A_SIGNING_REGION_SET")?.split(",").map((s) => s.trim())
      .filter((s) => s !== "");
    const useArnRegion = awsEnv("AWS_S3_USE_ARN_REGION");
    config.requestChecksumCalculation = awsEnv("AWS_REQUEST_CHECKSUM_CALCULATION") ??
      "WHEN_SUPPORTED";
    config.responseChecksumValidation = awsEnv("AWS_RESPONSE_CHECKSUM_VALIDATION") ??
      "WHEN_SUPPORTED";
    config.disableS3ExpressSessionAuth = awsFlag("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH");
    config.useArnRegion = provide(
      useArnRegion === undefined ? undefined : useArnRegion.toLowerCase() === "true",
    );
    config.sigv4aSigningRegionSet = provide(list);
  },
};

/** One `GetObject` on the transport the settings select: the object's bytes and content type. */
function fetchObject(
  bucket: string,
  key: string,
  settings: EffectiveSettings,
  signal: AbortSignal,
  deadline: number | undefined,
): Promise<{ bytes: Uint8Array; contentType: string }> {
  return callAws(S3_SDK, settings, {
    light: async (send) => {
      const response = await send({ protocol: "s3-get", bucket, key });
      return { bytes: response.body, contentType: response.headers["content-type"] ?? "" };
    },
    sdk: async (client, module, signal) => {
      const out = await client.send(new module.GetObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      }) as {
        ContentType?: string;
        Body?: { transformToByteArray(): Promise<Uint8Array> };
      };
      return {
        contentType: out.ContentType ?? "",
        bytes: out.Body === undefined
          ? new Uint8Array()
          : await abortable(out.Body.transformToByteArray(), signal),
      };
    },
  }, { signal, deadline });
}

/** Splits `bucket/key` (optionally `s3://bucket/key`) at the first `/`. */
function splitArgument(arg: string, call: ResolverCall): { bucket: string; key: string } {
  const rest = arg.startsWith("s3://") ? arg.slice("s3://".length) : arg;
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? "" : rest.slice(slash + 1);
  if (bucket === "" || key === "") {
    throw new ResolverError(`S3 argument must be in bucket/key format: ${shown(arg, call)}`, {
      help: "Write ${s3:my-bucket/path/to/object.yaml}",
    });
  }
  return { bucket, key };
}

function chooseMode(requested: ParseMode | "auto", key: string, contentType: string): ParseMode {
  if (requested !== "auto") return requested;
  const dot = key.lastIndexOf(".");
  const ext = dot < 0 ? "" : key.slice(dot + 1).toLowerCase();
  if (ext === "yaml" || ext === "yml") return "yaml";
  if (ext === "json") return "json";
  return modeOfContentType(contentType);
}

async function getObject(arg: string, call: ResolverCall): Promise<unknown> {
  const { bucket, key } = splitArgument(arg, call);
  const requested = enumKwarg(call, "parse", PARSE_MODES, "auto");
  const name = shown(`${bucket}/${key}`, call);
  const what = `S3 object '${name}'`;
  const settings = effectiveSettings(call);
  let bytes: Uint8Array;
  let contentType: string;
  try {
    ({ bytes, contentType } = await fetchObject(
      bucket,
      key,
      settings,
      call.signal,
      call.deadline,
    ));
  } catch (err) {
    const errName = errorName(err);
    if (!call.signal.aborted && (errName === "NoSuchKey" || errName === "NoSuchBucket")) {
      throw new NotFoundError(`S3 object not found: ${name}`, {
        resource: name,
        detail: errName === "NoSuchBucket" ? "The bucket does not exist" : [],
        help: `Check the bucket and key, or give a fallback: \${s3:${name},default=value}`,
      });
    }
    throw awsFailure(what, err, { signal: call.signal, sensitiveInput: call.sensitiveInput });
  }
  return decodeContent(bytes, chooseMode(requested, key, contentType), what);
}

/**
 * The `s3` resolver object (registered by default by holoconf's `mod.ts`): `GetObject`, then
 * parsing per `parse=` (`auto`/absent: `.yaml`/`.yml` keys are YAML, `.json` keys JSON, else
 * a content type containing `yaml`/`json`, else UTF-8 text; `binary` gives bytes).
 * `NoSuchKey`/`NoSuchBucket` are `NotFoundError`s (so `default=` applies); every other AWS
 * failure is a `ResolverError`. Values are not sensitive unless `sensitive=true`.
 *
 * @example Argument checks happen before any AWS call
 * ```ts
 * import { s3Resolver } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * const call = { args: ["just-a-bucket"], kwargs: {}, signal: new AbortController().signal,
 *   sensitiveInput: false } as unknown as Parameters<typeof s3Resolver.resolve>[1];
 * await assert.rejects(
 *   s3Resolver.resolve("just-a-bucket", call),
 *   /S3 argument must be in bucket\/key format: just-a-bucket/,
 * );
 * ```
 */
export const s3Resolver: AwsResolver = {
  params: { keywords: ["parse", ...AWS_KEYWORDS] },
  settingsSpec: awsSettingsSpec("s3"),
  network: true,
  resolve: getObject,
  describe: describeS3,
};
