/**
 * AWS Signature Version 4 for the light transport, from a small package loaded on first use,
 * chosen per runtime by measurement (docs/aws-transport.md):
 *
 * - Node: `aws4`, which signs with `node:crypto` (≈ 1 ms for the first signature; Node's first
 *   WebCrypto HMAC costs 33–38 ms), loaded with `require` where it can (`requireOnNode`);
 * - Deno, Bun and edge runtimes: `aws4fetch`'s `AwsV4Signer`, which signs with WebCrypto (native
 *   there, and `aws4` would load Node's compatibility layer).
 *
 * The request's URL path must already be encoded once per segment (RFC 3986); both packages sign
 * that path as S3 wants it and as every other service wants it.
 *
 * @module
 */

import { onNodeItself } from "../../src/runtime_aws_http.ts";
import { requireOnNode } from "../../src/runtime.ts";
import type { AwsCredentials } from "./_credentials.ts";

/** Which package signs. */
export type SignerImplementation = "aws4" | "aws4fetch";

/** A request to sign. */
export interface SignInput {
  /** `GET` or `POST`. */
  method: string;
  /** The URL the request goes to (path encoded once per segment). */
  url: string;
  /** Headers to sign and send (no `authorization`, no `x-amz-date`). */
  headers: Record<string, string>;
  /** Request body (`""` for none). */
  body: string;
  /** Signing name of the service (`ssm`, `s3`, `cloudformation`). */
  service: string;
  /** Signing region. */
  region: string;
  /** Credentials to sign with. */
  credentials: AwsCredentials;
  /** The signing time, ms since the epoch. */
  now: number;
}

/** Options of {@linkcode signRequest}. */
export interface SignOptions {
  /** The package that signs. @default {the runtime's choice (defaultSignerImplementation)} */
  implementation?: SignerImplementation | undefined;
}

/**
 * The signer this runtime uses: `aws4` on Node (not Bun), `aws4fetch` elsewhere.
 *
 * @returns Its name.
 *
 * @example
 * ```ts
 * import { defaultSignerImplementation } from "./_signer.ts";
 * import assert from "node:assert/strict";
 * assert.equal(defaultSignerImplementation(), "aws4fetch"); // this example runs on Deno
 * ```
 */
export function defaultSignerImplementation(): SignerImplementation {
  return onNodeItself() ? "aws4" : "aws4fetch";
}

/** `YYYYMMDDTHHMMSSZ`. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
}

interface Aws4Request {
  host: string;
  path: string;
  method: string;
  service: string;
  region: string;
  headers: Record<string, string | number>;
  body: string;
}

interface Aws4Module {
  sign(request: Aws4Request, credentials: AwsCredentials): Aws4Request;
}

async function importAws4(): Promise<Aws4Module> {
  // @ts-ignore: aws4 ships no type declarations; Aws4Module above describes what is used.
  const imported = await import("aws4");
  return (imported.default ?? imported) as Aws4Module;
}

/**
 * Signs a request: the headers to send, in lower case, with `authorization`, `x-amz-date`,
 * `host`, `x-amz-security-token` (with a session token) and, for S3, `x-amz-content-sha256`.
 *
 * @param input The request, credentials, region, service and time.
 * @param options Which package signs.
 * @returns The headers to send.
 *
 * @example Sign an SSM request
 * ```ts
 * import { signRequest } from "./_signer.ts";
 * import assert from "node:assert/strict";
 * const headers = await signRequest({
 *   method: "POST", url: "https://ssm.us-east-1.amazonaws.com/", body: "{}",
 *   headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameters" },
 *   service: "ssm", region: "us-east-1", now: Date.UTC(2024, 0, 1),
 *   credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "example-secret", sessionToken: "token" },
 * });
 * assert.match(headers.authorization ?? "", /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240101\/us-east-1\/ssm\/aws4_request, /);
 * assert.equal(headers["x-amz-date"], "20240101T000000Z");
 * assert.equal(headers["x-amz-security-token"], "token");
 * ```
 */
export async function signRequest(
  input: SignInput,
  options: SignOptions = {},
): Promise<Record<string, string>> {
  const implementation = options.implementation ?? defaultSignerImplementation();
  const url = new URL(input.url);
  const date = amzDate(input.now);
  const out: Record<string, string> = {};
  if (implementation === "aws4") {
    // `require` where it can (a CommonJS package: see requireOnNode), else the import.
    const aws4 = (requireOnNode("aws4") ?? await importAws4()) as Aws4Module;
    const signed = aws4.sign({
      host: url.host,
      path: url.pathname + url.search,
      method: input.method,
      service: input.service,
      region: input.region,
      headers: { ...input.headers, "X-Amz-Date": date },
      body: input.body,
    }, {
      accessKeyId: input.credentials.accessKeyId,
      secretAccessKey: input.credentials.secretAccessKey,
      ...(input.credentials.sessionToken ? { sessionToken: input.credentials.sessionToken } : {}),
    });
    for (const [k, v] of Object.entries(signed.headers)) out[k.toLowerCase()] = String(v);
  } else {
    const { AwsV4Signer } = await import("aws4fetch");
    const signer = new AwsV4Signer({
      url: url.href,
      method: input.method,
      headers: input.headers,
      ...(input.body === "" ? {} : { body: input.body }),
      accessKeyId: input.credentials.accessKeyId,
      secretAccessKey: input.credentials.secretAccessKey,
      ...(input.credentials.sessionToken ? { sessionToken: input.credentials.sessionToken } : {}),
      service: input.service,
      region: input.region,
      datetime: date,
    });
    const signed = await signer.sign();
    signed.headers.forEach((v, k) => {
      out[k.toLowerCase()] = v;
    });
  }
  out.host = url.host;
  return out;
}
