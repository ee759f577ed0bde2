/**
 * Where a request of the light transport goes, and the name it is signed for.
 *
 * The endpoint: an explicit one (`endpoint=` kwarg, then the service's settings), else unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` the service's variable (`AWS_ENDPOINT_URL_SSM`,
 * `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_CLOUDFORMATION`), then `AWS_ENDPOINT_URL`, else the
 * service's AWS endpoint for the region (`https://ssm.eu-west-1.amazonaws.com`; `.amazonaws.com.cn`
 * in China). S3 objects are addressed path-style (`/bucket/key`) on a custom endpoint (a local
 * fake, MinIO, LocalStack), as the SDK client with `forcePathStyle` did; on AWS virtual-hosted
 * (`bucket.s3.region.amazonaws.com/key`) when the bucket name is a DNS label, path-style otherwise.
 * `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT` are not mapped to endpoints here: set
 * to `true`, they make the request fail instead of silently going elsewhere.
 *
 * @module
 */

import { ResolverError } from "../../src/errors.ts";
import { AWS_SERVICES, type AwsService } from "./_settings.ts";
import { awsEnv as env, awsFlag as flag } from "./_env.ts";

/**
 * Whether a URL's host (as `URL.hostname` gives it) is a loopback address: `127.0.0.0/8`,
 * `[::1]` or `localhost` (names are not resolved to check them).
 *
 * @param host The host.
 * @returns True for loopback.
 *
 * @example
 * ```ts
 * import { isLoopbackHost } from "./_endpoint.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isLoopbackHost(new URL("http://127.0.0.1:4566").hostname), true);
 * assert.equal(isLoopbackHost(new URL("http://127.0.0.1.example.com").hostname), false);
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "[::1]") return true;
  const parts = host.split(".");
  return parts.length === 4 && parts[0] === "127" &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * Checks an endpoint written in config text (`endpoint=`). The request is signed with the
 * program's credentials and carries its session token, so a hostile config could send a signed
 * request for a secret's name to its own server and replay it to AWS: such an endpoint must be a
 * loopback URL (a local fake, LocalStack) or match a pattern of the `aws` setting
 * `endpointAllowlist` (patterns as the http allowlist's, e.g.
 * `https://vpce-*.ssm.eu-west-1.vpce.amazonaws.com/*`). Endpoints the program sets (settings,
 * `configureSsm({ endpoint })`, `AWS_ENDPOINT_URL*`) are trusted and not checked here. A text that
 * is not a URL is left to the transport, which refuses it.
 *
 * @param endpoint The endpoint as written.
 * @param allowlist The `endpointAllowlist` setting.
 * @returns When allowed.
 * @throws {ResolverError} `AWS_ENDPOINT_NOT_ALLOWED`, naming neither the endpoint nor the path.
 *
 * @example
 * ```ts
 * import { checkConfigEndpoint } from "./_endpoint.ts";
 * import assert from "node:assert/strict";
 * await checkConfigEndpoint("http://127.0.0.1:4566", []);
 * await checkConfigEndpoint("https://ssm.internal.example.com", ["https://*.internal.example.com/*"]);
 * await assert.rejects(checkConfigEndpoint("https://evil.example.com", []), {
 *   code: "AWS_ENDPOINT_NOT_ALLOWED",
 * });
 * ```
 */
export async function checkConfigEndpoint(
  endpoint: string,
  allowlist: readonly string[],
): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return;
  }
  if ((url.protocol === "http:" || url.protocol === "https:") && isLoopbackHost(url.hostname)) {
    return;
  }
  if (allowlist.length > 0) {
    // The http resolver's matcher, loaded only for an endpoint that needs it.
    const { urlMatchesPattern } = await import("../http.ts");
    if (allowlist.some((pattern) => urlMatchesPattern(url, pattern))) return;
  }
  throw new ResolverError("The endpoint= written in the config is not allowed", {
    code: "AWS_ENDPOINT_NOT_ALLOWED",
    help: "Requests go there signed with the program's AWS credentials: an endpoint in config " +
      "text must be a loopback URL or match the aws setting endpointAllowlist " +
      "(configureAws({ endpointAllowlist: ['https://*.vpce.amazonaws.com/*'] })); an endpoint " +
      "the program sets (configureSsm({ endpoint }), AWS_ENDPOINT_URL...) is trusted",
  });
}

/** A resolved endpoint. */
export interface AwsEndpoint {
  /** Base URL (scheme, host, port and any path prefix; no trailing slash). */
  base: string;
  /** Set explicitly or by a variable (S3 then goes path-style). */
  custom: boolean;
}

function endpointError(headline: string, help: string): ResolverError {
  return new ResolverError(headline, { code: "AWS_ERROR", help });
}

/**
 * Finds the endpoint of a service.
 *
 * @param service The service.
 * @param settings The explicit endpoint, if any, and the region.
 * @returns The endpoint.
 * @throws {ResolverError} `AWS_ERROR` when the endpoint is not an http(s) URL, or FIPS/dual-stack
 *   endpoints are asked for without an explicit endpoint.
 *
 * @example
 * ```ts
 * import { resolveEndpoint } from "./_endpoint.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(resolveEndpoint("cfn", { region: "eu-west-1" }), {
 *   base: "https://cloudformation.eu-west-1.amazonaws.com",
 *   custom: false,
 * });
 * assert.deepEqual(resolveEndpoint("ssm", { region: "eu-west-1", endpoint: "http://127.0.0.1:4566/" }), {
 *   base: "http://127.0.0.1:4566",
 *   custom: true,
 * });
 * ```
 */
export function resolveEndpoint(
  service: AwsService,
  settings: { endpoint?: string | undefined; region: string },
): AwsEndpoint {
  const configured = settings.endpoint !== undefined && settings.endpoint !== ""
    ? settings.endpoint
    : flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    ? undefined
    : env(AWS_SERVICES[service].endpointEnv) ?? env("AWS_ENDPOINT_URL");
  if (configured !== undefined) {
    let url: URL;
    try {
      url = new URL(configured);
    } catch {
      throw endpointError(
        `The ${AWS_SERVICES[service].signingName} endpoint is not a URL`,
        "Give an absolute http:// or https:// URL",
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw endpointError(
        `The ${AWS_SERVICES[service].signingName} endpoint must be http:// or https://`,
        "Give an absolute http:// or https:// URL",
      );
    }
    return { base: `${url.origin}${url.pathname.replace(/\/+$/, "")}`, custom: true };
  }
  for (const name of ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"]) {
    if (flag(name)) {
      throw endpointError(
        `${name}=true is not supported by holoconf's AWS transport`,
        "Pass the endpoint explicitly (endpoint=... or configureSsm/S3/Cfn({ endpoint }))",
      );
    }
  }
  const prefix = AWS_SERVICES[service].endpointPrefix;
  return {
    base: `https://${prefix}.${settings.region}.${dnsSuffix(settings.region)}`,
    custom: false,
  };
}

function dnsSuffix(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/**
 * Encodes a path segment as SigV4 and S3 want it: `encodeURIComponent` plus `!'()*`.
 *
 * @param segment Raw text.
 * @returns The encoded segment.
 *
 * @example
 * ```ts
 * import { encodeSegment } from "./_endpoint.ts";
 * import assert from "node:assert/strict";
 * assert.equal(encodeSegment("a b+c(1)é"), "a%20b%2Bc%281%29%C3%A9");
 * ```
 */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Whether a bucket name can be a DNS label of an `https:` host (no dots, lower case). */
function virtualHostable(bucket: string): boolean {
  return bucket.length >= 3 && bucket.length <= 63 && /^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(bucket);
}

/**
 * The URL of an S3 object (see the module notes for the addressing style).
 *
 * @param endpoint The S3 endpoint.
 * @param bucket Bucket name.
 * @param key Object key (each `/`-separated segment encoded).
 * @returns The URL.
 *
 * @example
 * ```ts
 * import { s3ObjectUrl } from "./_endpoint.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   s3ObjectUrl({ base: "https://s3.eu-west-1.amazonaws.com", custom: false }, "my-bucket", "a b/c.yaml"),
 *   "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c.yaml",
 * );
 * assert.equal(
 *   s3ObjectUrl({ base: "http://127.0.0.1:9000", custom: true }, "my-bucket", "c.yaml"),
 *   "http://127.0.0.1:9000/my-bucket/c.yaml",
 * );
 * ```
 */
export function s3ObjectUrl(endpoint: AwsEndpoint, bucket: string, key: string): string {
  const path = key.split("/").map(encodeSegment).join("/");
  if (!endpoint.custom && virtualHostable(bucket)) {
    const url = new URL(endpoint.base);
    return `${url.protocol}//${bucket}.${url.host}/${path}`;
  }
  return `${endpoint.base}/${encodeSegment(bucket)}/${path}`;
}
