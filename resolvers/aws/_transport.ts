/**
 * The light AWS transport: one signed request to SSM, S3 or CloudFormation over the runtime's own
 * HTTP, without the AWS SDK where the platform hands over credentials and region.
 *
 * `awsRequest` finds the region (`_region.ts`), the endpoint (`_endpoint.ts`) and the credentials
 * (`_credentials.ts`), builds the request (`_protocol.ts`), signs it (`_signer.ts`), sends it
 * (`src/runtime_aws_http.ts`) and retries it like the SDK's standard mode (`_retry.ts`). A clock
 * skew reported by AWS is corrected from the answer's `Date` and the request sent again, as the SDK
 * does. A failure is an {@linkcode AwsRequestError} shaped like the SDK's errors (`name` = the AWS
 * error code, the AWS message, `$metadata.httpStatusCode`, `$metadata.requestId`), so the
 * resolvers' `awsFailure` words it as before. Nothing of the request body or URL path reaches an
 * error: request bodies may carry names computed from secrets.
 *
 * @module
 */

import { ResolverError } from "../../src/errors.ts";
import {
  type AwsHttpResponse,
  type AwsHttpSend,
  awsHttpSender,
  closeAwsConnections,
  HttpConnectionError,
} from "../../src/runtime_aws_http.ts";
import { AWS_SERVICES, type AwsService } from "./_settings.ts";
import { _resetCredentials, type CredentialProvider, credentialProvider } from "./_credentials.ts";
import { resolveEndpoint } from "./_endpoint.ts";
import { awsEnv } from "./_env.ts";
import {
  type AwsOperation,
  buildRequest,
  parseErrorResponse,
  withoutSigningDetails,
} from "./_protocol.ts";
import { _resetRegions, resolveRegion } from "./_region.ts";
import {
  _resetRetryQuota,
  type Clock,
  DEFAULT_MAX_ATTEMPTS,
  retryAfterMs,
  type RetryQuota,
  SYSTEM_CLOCK,
  withRetries,
} from "./_retry.ts";
import { type SignerImplementation, signRequest } from "./_signer.ts";

export type { AwsOperation } from "./_protocol.ts";

/** One request. */
export interface AwsRequest {
  /** The service. */
  service: AwsService;
  /** The operation and its input. */
  operation: AwsOperation;
  /** Region from the kwarg or the settings (else the environment, then the shared config). */
  region?: string | undefined;
  /** Profile from the kwarg or the settings (its credentials come from the AWS SDK). */
  profile?: string | undefined;
  /** Endpoint from the kwarg or the settings (else the variables, then AWS's). */
  endpoint?: string | undefined;
  /** Aborts the request and any wait between attempts, at once. */
  signal: AbortSignal;
  /** No retry wait is started that would end at or after this time (clock ms). */
  deadline?: number | undefined;
}

/** A successful answer (2xx). */
export interface AwsResponse {
  /** HTTP status. */
  status: number;
  /** Headers, names in lower case. */
  headers: Record<string, string>;
  /** The body's bytes. */
  body: Uint8Array;
  /** AWS's request id, when the answer had one. */
  requestId: string | undefined;
}

/** Test seams and tuning of {@linkcode awsRequest}. */
export interface AwsTransportOptions {
  /** Time source (signing time, backoff waits). @default {SYSTEM_CLOCK} */
  clock?: Clock | undefined;
  /** Jitter source, in [0, 1). @default {Math.random} */
  random?: (() => number) | undefined;
  /** HTTP sender. @default {the runtime's (node:http on Node, fetch elsewhere)} */
  send?: AwsHttpSend | undefined;
  /** Signing package. @default {the runtime's} */
  signer?: SignerImplementation | undefined;
  /** Credentials. @default {the chain of `_credentials.ts` for the request's profile} */
  credentials?: CredentialProvider | undefined;
  /** Attempts per request. @default {AWS_MAX_ATTEMPTS, else 3} */
  maxAttempts?: number | undefined;
  /** Retry tokens. @default {the process-wide quota} */
  quota?: RetryQuota | undefined;
}

/** Error codes with which AWS refuses a request signed at a skewed time. */
export const CLOCK_SKEW_ERROR_CODES: readonly string[] = [
  "AuthFailure",
  "InvalidSignatureException",
  "RequestExpired",
  "RequestInTheFuture",
  "RequestTimeTooSkewed",
  "SignatureDoesNotMatch",
];

/** A skew beyond this between our clock and AWS's is corrected (ms). */
const SKEW_TOLERANCE_MS = 5 * 60_000;

/** Our clock's offset from AWS's, learnt from answers (ms; added to the clock's time). */
let clockOffsetMs = 0;

/** Test hook: forgets the learnt clock offset. */
export function _resetTransport(): void {
  clockOffsetMs = 0;
}

/**
 * Forgets everything the transport keeps between requests: cached credentials (container and
 * SDK providers), regions read from the shared config, the retry quota, the learnt clock
 * offset, and the kept-alive connections of `node:http(s)`.
 *
 * @example
 * ```ts
 * import { resetTransport } from "./_transport.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resetTransport(), undefined);
 * ```
 */
export function resetTransport(): void {
  _resetCredentials();
  _resetRegions();
  _resetRetryQuota();
  _resetTransport();
  closeAwsConnections();
}

/**
 * A failed AWS request, shaped like the AWS SDK's service errors: `name` is the AWS error code
 * (`ParameterNotFound`, `NoSuchKey`, `ThrottlingException`, `AccessDeniedException`...) or the
 * connection error code (`ECONNRESET`...), `message` AWS's message, `$metadata` the HTTP status,
 * request id, attempts and time spent waiting between them. Its holoconf `code` is `AWS_ERROR`.
 *
 * @example
 * ```ts
 * import { AwsRequestError } from "./_transport.ts";
 * import assert from "node:assert/strict";
 * const e = new AwsRequestError("ParameterNotFound", "Parameter /a not found.", { httpStatusCode: 400 });
 * assert.equal(e.name, "ParameterNotFound");
 * assert.equal(e.$metadata.httpStatusCode, 400);
 * assert.equal(e.$fault, "client");
 * ```
 */
export class AwsRequestError extends ResolverError {
  /** `client` (4xx), `server` (5xx, connection errors). */
  $fault: "client" | "server";
  /** What the SDK keeps in its errors' `$metadata`. */
  $metadata: {
    httpStatusCode: number | undefined;
    requestId: string | undefined;
    attempts: number;
    totalRetryDelay: number;
  };
  /** How long the answer asked to wait before a retry (`Retry-After`), in ms. */
  $retryAfterMs: number | undefined;
  /** The request failed on clock skew, which has now been corrected (so it is retried). */
  $clockSkewCorrected: boolean;

  /**
   * Builds the error.
   *
   * @param name The AWS error code, or the connection error code.
   * @param message AWS's message (or what failed).
   * @param details HTTP status, request id, `Retry-After`, skew correction.
   */
  constructor(
    name: string,
    message: string,
    details: {
      httpStatusCode?: number | undefined;
      requestId?: string | undefined;
      retryAfterMs?: number | undefined;
      clockSkewCorrected?: boolean;
    } = {},
  ) {
    super(message === "" ? name : message, { code: "AWS_ERROR" });
    this.name = name;
    const status = details.httpStatusCode;
    this.$fault = status !== undefined && status < 500 ? "client" : "server";
    this.$metadata = {
      httpStatusCode: status,
      requestId: details.requestId,
      attempts: 1,
      totalRetryDelay: 0,
    };
    this.$retryAfterMs = details.retryAfterMs;
    this.$clockSkewCorrected = details.clockSkewCorrected ?? false;
  }
}

function maxAttemptsFromEnv(): number {
  const n = Number(awsEnv("AWS_MAX_ATTEMPTS") ?? NaN);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_ATTEMPTS;
}

/** Learns the offset from an answer's `Date` when our clock is off by more than 5 minutes. */
function learnClockOffset(headers: Record<string, string>, clock: Clock): void {
  const server = Date.parse(headers["date"] ?? "");
  if (Number.isNaN(server)) return;
  if (Math.abs(server - (clock.now() + clockOffsetMs)) >= SKEW_TOLERANCE_MS) {
    clockOffsetMs = server - clock.now();
  }
}

/**
 * Sends one request to AWS and returns its successful answer.
 *
 * @param request Service, operation, settings, signal and deadline.
 * @param options Test seams (clock, jitter, sender, signer, credentials) and retry tuning.
 * @returns The answer (status 2xx).
 * @throws {AwsRequestError} When AWS answers with an error, or the connection fails, after the
 *   retries.
 * @throws {ResolverError} When no region, endpoint or credentials can be found
 *   (`RegionMissingError`, `CredentialsProviderError`).
 * @throws {unknown} The signal's reason when it aborts.
 *
 * @example A request to a fake SSM endpoint
 * ```ts
 * import { awsRequest } from "./_transport.ts";
 * import assert from "node:assert/strict";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
 *   assert.match(req.headers.get("authorization") ?? "", /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
 *   return Response.json({ Parameters: [], InvalidParameters: ["/a"] });
 * });
 * const response = await awsRequest({
 *   service: "ssm",
 *   operation: { protocol: "json", target: "AmazonSSM.GetParameters", input: { Names: ["/a"] } },
 *   region: "us-east-1",
 *   endpoint: `http://127.0.0.1:${server.addr.port}`,
 *   signal: new AbortController().signal,
 * }, {
 *   credentials: () => Promise.resolve({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }),
 * });
 * assert.deepEqual(JSON.parse(new TextDecoder().decode(response.body)).InvalidParameters, ["/a"]);
 * await server.shutdown();
 * ```
 */
export async function awsRequest(
  request: AwsRequest,
  options: AwsTransportOptions = {},
): Promise<AwsResponse> {
  const { signal, operation } = request;
  if (signal.aborted) throw signal.reason;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const send = options.send ?? awsHttpSender();
  const region = await resolveRegion({ region: request.region, profile: request.profile });
  const endpoint = resolveEndpoint(request.service, { endpoint: request.endpoint, region });
  const credentials = options.credentials ?? credentialProvider({ profile: request.profile });
  const unsigned = buildRequest(operation, endpoint);
  const origin = new URL(unsigned.url).origin;

  const attempt = async (): Promise<AwsResponse> => {
    const creds = await credentials(signal);
    const offsetUsed = clockOffsetMs;
    const headers = await signRequest({
      ...unsigned,
      headers: { ...unsigned.headers, "user-agent": "holoconf" },
      service: AWS_SERVICES[request.service].signingName,
      region,
      credentials: creds,
      now: clock.now() + offsetUsed,
    }, { implementation: options.signer });
    let response: AwsHttpResponse;
    try {
      response = await send({
        method: unsigned.method,
        url: unsigned.url,
        headers,
        ...(unsigned.body === "" ? {} : { body: unsigned.body }),
        signal,
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (err instanceof HttpConnectionError) {
        throw new AwsRequestError(err.code, err.message);
      }
      throw new AwsRequestError("NetworkError", `the request to ${origin} failed`);
    }
    learnClockOffset(response.headers, clock);
    // Corrected by this answer or by another one since this request was signed.
    const skewed = clockOffsetMs !== offsetUsed;
    const requestId = response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"];
    if (response.status >= 200 && response.status < 300) {
      return { ...response, requestId };
    }
    const info = await parseErrorResponse(operation.protocol, response);
    // A signature error quotes the canonical request, the session token among its headers.
    const message = withoutSigningDetails(info.message, [creds.sessionToken, creds.accessKeyId]);
    throw new AwsRequestError(info.code, message, {
      httpStatusCode: response.status,
      requestId: requestId ?? info.requestId,
      retryAfterMs: retryAfterMs(response.headers["retry-after"], clock.now()),
      clockSkewCorrected: skewed && CLOCK_SKEW_ERROR_CODES.includes(info.code),
    });
  };

  return await withRetries(attempt, {
    signal,
    deadline: request.deadline,
    maxAttempts: options.maxAttempts ?? maxAttemptsFromEnv(),
    clock,
    random: options.random,
    quota: options.quota,
  });
}
