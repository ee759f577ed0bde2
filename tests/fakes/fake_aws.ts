/**
 * A loopback fake of the AWS APIs holoconf uses, speaking the wire protocols the AWS SDK for
 * JavaScript v3 sends:
 *
 * - SSM, JSON 1.1: `POST /` with `X-Amz-Target: AmazonSSM.GetParameter | GetParameters |
 *   GetParametersByPath` (pages of `MaxResults` ≤ 10 with `NextToken`);
 * - S3, REST-XML: path-style `GET /bucket/key` (GetObject), XML errors (`NoSuchKey`, ...);
 * - CloudFormation, Query: `POST /` form body `Action=DescribeStacks&StackName=...`, XML replies;
 * - Secrets Manager, JSON 1.1: `secretsmanager.GetSecretValue` (versions by id or stage) and
 *   `secretsmanager.BatchGetSecretValue` (≤ 20 ids, per-secret failures in `Errors`, pages of
 *   `secretsPageSize` ids with `NextToken`);
 * - AppConfig Data, REST-JSON: `POST /configurationsessions`, `GET /configuration?
 *   configuration_token=...` (each token used once; an empty body when the session already has
 *   the deployed version; `Next-Poll-*` headers); and the AppConfig Lambda extension's unsigned
 *   `GET /applications/<app>/environments/<env>/configurations/<profile>`.
 *
 * The server logic is a plain `(req: Request) => Promise<Response>` ({@linkcode FakeAwsCore.handle})
 * so the same fake can be mounted on Node's `http` server; {@linkcode startFakeAws} is a thin
 * `Deno.serve` wrapper on 127.0.0.1, port 0.
 *
 * Fault injection (changeable at any time with `fake.setFaults`): latency per request, the first N
 * requests throttled (a throttling error of the service's own shape, which the SDK retries), the
 * first N requests answered with HTTP 500, requests that hang until the client goes away, and
 * names that are denied (AccessDenied).
 *
 * Fixtures may be limited to a region and/or an access key id (the fake reads both from the
 * SigV4 `Authorization` header), which is how tests check that `region=`/`profile=` reach AWS.
 *
 * Every request must be signed (SigV4) with credentials the fake knows
 * ({@linkcode FAKE_AWS_CREDENTIALS} unless `credentials` is given): the signature is checked with
 * an implementation independent of the clients under test (`@smithy/signature-v4`), and a request
 * that is unsigned, signed wrongly, with an unknown key or session token, for another service, or
 * at a time more than 5 minutes (S3: 15) away from the fake's clock is refused with the error AWS
 * gives (`MissingAuthenticationTokenException`, `InvalidSignatureException`,
 * `SignatureDoesNotMatch`, `RequestTimeTooSkewed`, `UnrecognizedClientException`,
 * `InvalidAccessKeyId`, ...), with a `Date` header from which a client can correct its clock.
 *
 * @module
 */

import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "node:crypto";

/** Restriction of a fixture to the region and/or credentials a request was signed with. */
export interface FixtureScope {
  /** Only visible to requests signed for this region. */
  region?: string;
  /** Only visible to requests signed with this access key id. */
  accessKeyId?: string;
}

/** An SSM parameter. */
export interface SsmFixture extends FixtureScope {
  /** Parameter value (for `StringList`, comma-separated). */
  value: string;
  /** Parameter type. @default {"String"} */
  type?: "String" | "SecureString" | "StringList";
}

/** An S3 object. */
export interface S3Fixture extends FixtureScope {
  /** Object content. */
  body: string | Uint8Array;
  /** `Content-Type` header. @default {"application/octet-stream"} */
  contentType?: string;
}

/** A CloudFormation stack: its outputs (a `null` value is an output without `OutputValue`). */
export interface CfnStackFixture extends FixtureScope {
  /** OutputKey -> OutputValue. */
  outputs: Record<string, string | null>;
}

/** A Secrets Manager secret: its current value (stage `AWSCURRENT`) and other versions. */
export interface SecretFixture extends FixtureScope {
  /** The current value: a string is a `SecretString`, bytes a `SecretBinary`. */
  value: string | Uint8Array;
  /** Other versions by `VersionId`: their value and staging labels. */
  versions?: Record<string, { value: string | Uint8Array; stages?: string[] }>;
}

/** An AppConfig configuration (by `application/environment/profile`). */
export interface AppConfigFixture {
  /** The deployed content. */
  content: string | Uint8Array;
  /** Its `Content-Type`. @default {"application/json"} */
  contentType?: string;
  /** `Next-Poll-Interval-In-Seconds`. @default {60} */
  pollIntervalS?: number;
}

/** Faults to inject. */
export interface FakeAwsFaults {
  /** Delay before every answer, in ms. @default {0} */
  latencyMs?: number;
  /** Answer the next N requests with a throttling error. @default {0} */
  throttleFirst?: number;
  /** Answer the next N requests with HTTP 500. @default {0} */
  failFirst?: number;
  /**
   * Hold every request until the client disconnects or `releaseAll()` is called (released
   * requests are then answered normally). @default {false}
   */
  hang?: boolean;
  /**
   * Names whose requests are refused with AccessDenied: SSM parameter names (and paths), `bucket/key`
   * for S3, stack names for CloudFormation, secret ids. A GetParameters request naming any of them
   * fails as a whole, like IAM does; a BatchGetSecretValue answers them in its `Errors`.
   */
  deny?: string[];
  /** Secret ids whose value cannot be decrypted (`DecryptionFailure`). */
  decryptFail?: string[];
  /** Refuse `BatchGetSecretValue` itself (a role allowed `GetSecretValue` only). */
  denyBatch?: boolean;
  /** Secrets per `BatchGetSecretValue` page (values and errors). @default {20} */
  secretsPageSize?: number;
}

/** Credentials the fake accepts: a secret key, or a secret key and a session token. */
export type FakeCredential = string | { secretAccessKey: string; sessionToken?: string };

/**
 * The credentials this repository's tests and scripts sign with (access key id -> secret), which
 * the fake accepts when no `credentials` option is given.
 */
export const FAKE_AWS_CREDENTIALS: Readonly<Record<string, FakeCredential>> = {
  AKIDENVFAKE: "fake-secret", // tests/resolvers/aws/_helpers.ts (environment)
  AKIDPROFILEFAKE: "s3cr3t", // tests/resolvers/aws/_helpers.ts (profile `other`)
  AKIDCOLDSTART: "fake-secret", // tests/aws_cold_start_test.ts
  AKIDHOLOCONFEDGE: "holoconf-edge-secret", // tests/examples/deno_deploy_test.ts
  AKIDBENCHFAKE: "fake-secret", // scripts/_bench_ssm.ts
  AKIDDEMOFAKE: "demo-secret", // scripts/_demo_aws.ts
};

/** Fixtures and faults of a fake. */
export interface FakeAwsOptions extends FakeAwsFaults {
  /**
   * Credentials accepted (access key id -> secret key, or secret key and session token).
   * @default {FAKE_AWS_CREDENTIALS}
   */
  credentials?: Record<string, FakeCredential>;
  /** The fake's clock, for the signing-time check (ms since the epoch). @default {Date.now} */
  now?: () => number;
  /** SSM parameters by name; a string is a `String` parameter. */
  ssm?: Record<string, string | SsmFixture>;
  /** S3 objects by `bucket/key`; a string is a body with no particular content type. */
  s3?: Record<string, string | S3Fixture>;
  /** Stacks by name: OutputKey -> value, or a {@linkcode CfnStackFixture}. */
  cfn?: Record<string, Record<string, string | null> | CfnStackFixture>;
  /** Secrets by name: a value (string or bytes) or a {@linkcode SecretFixture}. */
  secrets?: Record<string, string | Uint8Array | SecretFixture>;
  /** AppConfig configurations by `application/environment/profile`. */
  appconfig?: Record<string, string | AppConfigFixture>;
}

/** What the fake saw of one request. */
export interface FakeAwsRequest {
  /**
   * `GetParameter`, `GetParameters`, `GetParametersByPath`, `GetObject`, `DescribeStacks`,
   * `GetSecretValue`, `BatchGetSecretValue`, `StartConfigurationSession`,
   * `GetLatestConfiguration`, `ExtensionGetConfiguration` (unsigned), or `Unknown`.
   */
  operation: string;
  /** Region from the SigV4 credential scope. */
  region: string | undefined;
  /** Access key id from the SigV4 credential scope. */
  accessKeyId: string | undefined;
  /**
   * Names asked for (parameter names or path, `bucket/key`, stack name, secret ids,
   * `application/environment/profile` of a session).
   */
  names: string[];
  /** `valid`, or the AWS error code the request was refused with for its signature. */
  signature: string;
  /** The `X-Amz-Security-Token` sent, if any. */
  sessionToken: string | undefined;
}

/** The runtime-independent part of the fake. */
export interface FakeAwsCore {
  /** Serves one request. */
  handle(req: Request): Promise<Response>;
  /** Number of requests seen for `operation` (all attempts, faults included). */
  count(operation: string): number;
  /** Every request seen, in arrival order. */
  readonly requests: readonly FakeAwsRequest[];
  /** Replaces the faults (fields left out keep their values). */
  setFaults(faults: FakeAwsFaults): void;
  /** Releases hanging requests and pending delays. */
  releaseAll(): void;
  /** Requests currently held by `hang` or latency. */
  readonly waiting: number;
  /** Resolves once `predicate` holds (checked now and after every arrival or release). */
  until(predicate: (fake: FakeAwsCore) => boolean): Promise<void>;
  /** Deploys new content for an AppConfig configuration (sessions see it on their next poll). */
  deployAppConfig(key: string, fixture: string | AppConfigFixture): void;
  /** Makes every AppConfig token given so far invalid (as after 24 hours). */
  expireAppConfigTokens(): void;
}

/** A running fake server. */
export interface FakeAws extends FakeAwsCore {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Stops the server (releases hanging requests first). */
  close(): Promise<void>;
}

const SSM_JSON = "application/x-amz-json-1.1";
const CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

function xmlEscape(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) =>
      c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === "&"
        ? "&amp;"
        : c === '"'
        ? "&quot;"
        : "&apos;",
  );
}

function requestId(): string {
  return crypto.randomUUID();
}

function parseAuthorization(req: Request): { region?: string; accessKeyId?: string } {
  const auth = req.headers.get("authorization") ?? "";
  const m = /Credential=([^/]+)\/[^/]+\/([^/]+)\//.exec(auth);
  if (!m) return {};
  return { accessKeyId: m[1]!, region: m[2]! };
}

function visible(scope: FixtureScope, seen: { region?: string; accessKeyId?: string }): boolean {
  if (scope.region !== undefined && scope.region !== seen.region) return false;
  if (scope.accessKeyId !== undefined && scope.accessKeyId !== seen.accessKeyId) return false;
  return true;
}

function ssmError(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: {
      "content-type": SSM_JSON,
      "x-amzn-errortype": type,
      "x-amzn-requestid": requestId(),
    },
  });
}

function s3Error(status: number, code: string, message: string, extra = ""): Response {
  const id = requestId();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${xmlEscape(message)}</Message>${extra}<RequestId>${id}</RequestId>` +
    `<HostId>fake</HostId></Error>`;
  return new Response(body, {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": id },
  });
}

function cfnError(status: number, code: string, message: string): Response {
  const id = requestId();
  const body = `<ErrorResponse xmlns="${CFN_NS}"><Error><Type>Sender</Type>` +
    `<Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>` +
    `<RequestId>${id}</RequestId></ErrorResponse>`;
  return new Response(body, {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": id },
  });
}

type Service = "ssm" | "s3" | "cfn" | "secretsmanager" | "appconfig";

/** The services whose errors are JSON (`__type` or `x-amzn-errortype`, `message`). */
function jsonStyle(service: Service): boolean {
  return service === "ssm" || service === "secretsmanager" || service === "appconfig";
}

/** SHA-256 and HMAC-SHA-256 for `@smithy/signature-v4`, over `node:crypto`. */
class NodeSha256 {
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined
      ? createHash("sha256")
      : createHmac("sha256", toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return new Uint8Array(data);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const SIGNING_NAMES: Record<Service, string> = {
  ssm: "ssm",
  s3: "s3",
  cfn: "cloudformation",
  secretsmanager: "secretsmanager",
  appconfig: "appconfig",
};
const AUTH_REGEXP =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE_REGEXP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature " +
  "you provided. Check your AWS Secret Access Key and signing method. Consult the service " +
  "documentation for details.";
const INVALID_TOKEN = "The security token included in the request is invalid.";

/** [status, code, message] of each refusal, per service (`detail` is appended to the message). */
const AUTH_ERRORS: Record<AuthFailure, Record<"ssm" | "s3" | "cfn", [number, string, string]>> = {
  missing: {
    ssm: [400, "MissingAuthenticationTokenException", "Missing Authentication Token"],
    s3: [403, "AccessDenied", "Access Denied"],
    cfn: [403, "MissingAuthenticationToken", "Request is missing Authentication Token"],
  },
  malformed: {
    ssm: [400, "IncompleteSignatureException", "Malformed Authorization header"],
    s3: [400, "AuthorizationHeaderMalformed", "The authorization header is malformed"],
    cfn: [400, "IncompleteSignature", "Malformed Authorization header"],
  },
  "unknown-key": {
    ssm: [400, "UnrecognizedClientException", INVALID_TOKEN],
    s3: [
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    ],
    cfn: [403, "InvalidClientTokenId", INVALID_TOKEN],
  },
  "bad-token": {
    ssm: [400, "UnrecognizedClientException", INVALID_TOKEN],
    s3: [400, "InvalidToken", "The provided token is malformed or otherwise invalid."],
    cfn: [403, "InvalidClientTokenId", INVALID_TOKEN],
  },
  skew: {
    ssm: [400, "InvalidSignatureException", ""],
    s3: [
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    ],
    cfn: [400, "SignatureDoesNotMatch", ""],
  },
  payload: {
    ssm: [400, "InvalidRequest", "Unexpected x-amz-content-sha256"],
    s3: [
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    ],
    cfn: [400, "InvalidRequest", "Unexpected x-amz-content-sha256"],
  },
  mismatch: {
    ssm: [400, "InvalidSignatureException", SIGNATURE_MISMATCH],
    s3: [403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH],
    cfn: [403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH],
  },
};

/** An AWS refusal of the request's authentication, in each service's shape. */
function authError(service: Service, kind: AuthFailure, detail = ""): Response {
  const style = jsonStyle(service) ? "ssm" : service as "s3" | "cfn";
  const [status, code, message] = AUTH_ERRORS[kind][style];
  // The skew messages are all detail (the times involved); S3's has none.
  const text = kind === "skew" && service === "s3" ? message : message + detail;
  switch (style) {
    case "ssm":
      return ssmError(status, code, text);
    case "s3":
      return s3Error(status, code, text);
    case "cfn":
      return cfnError(status, code, text);
  }
}

type AuthFailure =
  | "missing"
  | "malformed"
  | "unknown-key"
  | "bad-token"
  | "skew"
  | "payload"
  | "mismatch";

/**
 * Checks the request's SigV4 signature with `@smithy/signature-v4`: `undefined` when it holds,
 * else AWS's refusal.
 */
async function verifySignature(
  req: Request,
  body: Uint8Array,
  service: Service,
  context: {
    credentials: Map<string, { secretAccessKey: string; sessionToken?: string }>;
    now: number;
  },
): Promise<Response | undefined> {
  const auth = req.headers.get("authorization");
  if (auth === null) return authError(service, "missing");
  const m = AUTH_REGEXP.exec(auth);
  if (m === null) return authError(service, "malformed");
  const [, accessKeyId, scopeDate, region, scopeService, signedList, signature] =
    m as unknown as string[];
  const known = context.credentials.get(accessKeyId!);
  if (known === undefined) return authError(service, "unknown-key");
  const token = req.headers.get("x-amz-security-token") ?? undefined;
  if (token !== known.sessionToken) return authError(service, "bad-token");
  const amzDate = req.headers.get("x-amz-date") ?? "";
  const d = AMZ_DATE_REGEXP.exec(amzDate);
  if (d === null) return authError(service, "malformed", ": X-Amz-Date is missing or malformed");
  const signedAt = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!);
  const limit = (service === "s3" ? 15 : 5) * 60_000;
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
  if (context.now - signedAt > limit) {
    return authError(
      service,
      "skew",
      `Signature expired: ${amzDate} is now earlier than ${stamp(context.now - limit)} ` +
        `(${stamp(context.now)} - ${limit / 60_000} min.)`,
    );
  }
  if (signedAt - context.now > limit) {
    return authError(
      service,
      "skew",
      `Signature not yet current: ${amzDate} is still later than ${stamp(context.now + limit)} ` +
        `(${stamp(context.now)} + ${limit / 60_000} min.)`,
    );
  }
  if (scopeDate !== amzDate.slice(0, 8)) {
    return authError(service, "mismatch", " (the credential scope's date is not X-Amz-Date's)");
  }
  if (scopeService !== SIGNING_NAMES[service]) {
    return authError(
      service,
      "mismatch",
      ` Credential should be scoped to correct service: '${SIGNING_NAMES[service]}'.`,
    );
  }
  const signedHeaders = signedList!.split(";");
  if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) {
    return authError(service, "malformed", ": host and x-amz-date must be signed");
  }
  if (service === "s3") {
    const declared = req.headers.get("x-amz-content-sha256");
    if (declared === null) {
      return authError(service, "malformed", ": x-amz-content-sha256 is missing");
    }
    if (declared !== "UNSIGNED-PAYLOAD" && declared !== sha256Hex(body)) {
      return authError(service, "payload");
    }
  }
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers.get(name);
    if (value === null) {
      return authError(service, "mismatch", ` (signed header ${name} is missing)`);
    }
    headers[name] = value;
  }
  const signer = new SignatureV4({
    service: scopeService!,
    region: region!,
    credentials: {
      accessKeyId: accessKeyId!,
      secretAccessKey: known.secretAccessKey,
      ...(known.sessionToken === undefined ? {} : { sessionToken: known.sessionToken }),
    },
    sha256: NodeSha256,
    uriEscapePath: service !== "s3",
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prior = query[k];
    query[k] = prior === undefined ? v : [...(Array.isArray(prior) ? prior : [prior]), v];
  }
  const expected = await signer.sign({
    method: req.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === "" ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query,
    headers,
    body,
  }, { signingDate: new Date(signedAt), signableHeaders: new Set(signedHeaders) });
  const expectedAuth = String(expected.headers["authorization"] ?? "");
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(expectedAuth)?.[1];
  const expectedList = /SignedHeaders=([^,]+),/.exec(expectedAuth)?.[1];
  if (expectedSignature !== signature || expectedList !== signedList) {
    return authError(service, "mismatch");
  }
  return undefined;
}

const NEVER = new AbortController().signal;

interface Classified {
  service: Service | "appconfig-extension" | undefined;
  operation: string;
  names: string[];
  /** Parsed request details for the service handlers. */
  ssmBody?: {
    Name?: string;
    Names?: string[];
    Path?: string;
    Recursive?: boolean;
    MaxResults?: number;
    NextToken?: string;
  };
  /** A JSON body (Secrets Manager, AppConfig). */
  json?: Record<string, unknown>;
  /** The query string's `configuration_token`. */
  token?: string | undefined;
  s3?: { bucket: string; key: string };
  stackName?: string | undefined;
}

function jsonOf(text: string): Record<string, unknown> {
  try {
    const out = JSON.parse(text);
    return typeof out === "object" && out !== null ? out : {};
  } catch {
    return {};
  }
}

const EXTENSION_PATH_REGEXP =
  /^\/applications\/([^/]+)\/environments\/([^/]+)\/configurations\/([^/]+)$/;

function classify(req: Request, text: string): Classified {
  const target = req.headers.get("x-amz-target");
  if (target !== null && target.startsWith("AmazonSSM.")) {
    const operation = target.slice("AmazonSSM.".length);
    const body = jsonOf(text) as NonNullable<Classified["ssmBody"]>;
    const names = body.Names ??
      (body.Name !== undefined ? [body.Name] : body.Path !== undefined ? [body.Path] : []);
    return { service: "ssm", operation, names, ssmBody: body };
  }
  if (target !== null && target.startsWith("secretsmanager.")) {
    const json = jsonOf(text);
    const names = Array.isArray(json.SecretIdList)
      ? json.SecretIdList as string[]
      : typeof json.SecretId === "string"
      ? [json.SecretId]
      : [];
    return {
      service: "secretsmanager",
      operation: target.slice("secretsmanager.".length),
      names,
      json,
    };
  }
  const url = new URL(req.url);
  if (req.method === "POST" && url.pathname === "/configurationsessions") {
    const json = jsonOf(text);
    const key = `${json.ApplicationIdentifier}/${json.EnvironmentIdentifier}/` +
      `${json.ConfigurationProfileIdentifier}`;
    return { service: "appconfig", operation: "StartConfigurationSession", names: [key], json };
  }
  if (req.method === "GET" && url.pathname === "/configuration") {
    const token = url.searchParams.get("configuration_token") ?? undefined;
    return { service: "appconfig", operation: "GetLatestConfiguration", names: [], token };
  }
  const extension = req.method === "GET" ? EXTENSION_PATH_REGEXP.exec(url.pathname) : null;
  if (extension !== null) {
    const key = extension.slice(1).map(decodeURIComponent).join("/");
    return {
      service: "appconfig-extension",
      operation: "ExtensionGetConfiguration",
      names: [key],
    };
  }
  const contentType = req.headers.get("content-type") ?? "";
  if (req.method === "POST" && contentType.startsWith("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams(text);
    const stackName = form.get("StackName") ?? undefined;
    return {
      service: "cfn",
      operation: form.get("Action") ?? "Unknown",
      names: stackName === undefined ? [] : [stackName],
      stackName,
    };
  }
  if (req.method === "GET") {
    const url = new URL(req.url);
    const path = url.pathname.slice(1);
    const slash = path.indexOf("/");
    if (slash > 0) {
      const bucket = decodeURIComponent(path.slice(0, slash));
      const key = path.slice(slash + 1).split("/").map(decodeURIComponent).join("/");
      return {
        service: "s3",
        operation: "GetObject",
        names: [`${bucket}/${key}`],
        s3: { bucket, key },
      };
    }
  }
  return { service: undefined, operation: "Unknown", names: [] };
}

function throttled(service: Service): Response {
  switch (service) {
    case "ssm":
    case "secretsmanager":
      return ssmError(400, "ThrottlingException", "Rate exceeded");
    case "appconfig":
      return ssmError(429, "ThrottlingException", "Rate exceeded");
    case "cfn":
      return cfnError(400, "Throttling", "Rate exceeded");
    case "s3":
      return s3Error(503, "SlowDown", "Please reduce your request rate.");
  }
}

function internalError(service: Service): Response {
  switch (service) {
    case "ssm":
      return ssmError(500, "InternalServerError", "An internal error occurred");
    case "secretsmanager":
      return ssmError(500, "InternalServiceError", "An internal error occurred");
    case "appconfig":
      return ssmError(500, "InternalServerException", "An internal error occurred");
    case "cfn":
      return cfnError(500, "InternalFailure", "An internal error occurred");
    case "s3":
      return s3Error(500, "InternalError", "We encountered an internal error. Please try again.");
  }
}

/** IAM's wording of a refusal: the action and the one resource it refused. */
function deniedMessage(
  service: Service,
  operation: string,
  denied: { name: string; region: string | undefined },
): string {
  const { name, region } = denied;
  const arn = service === "ssm"
    ? `arn:aws:ssm:${region ?? "us-east-1"}:123456789012:parameter${name}`
    : name;
  const prefix = service === "cfn" ? "cloudformation" : service;
  const action = `${prefix}:${operation}`;
  return `User: arn:aws:iam::123456789012:user/fake is not authorized to perform: ` +
    `${action} on resource: ${arn} because no identity-based policy allows the ${action} action`;
}

/**
 * IAM's refusal, worded like AWS: it names the action and the one resource it refused (for a
 * `GetParameters` request, the first denied name; the request fails as a whole).
 */
function accessDenied(
  service: Service,
  operation: string,
  denied: { name: string; region: string | undefined },
): Response {
  const message = deniedMessage(service, operation, denied);
  switch (service) {
    case "ssm":
    case "secretsmanager":
    case "appconfig":
      return ssmError(400, "AccessDeniedException", message);
    case "cfn":
      return cfnError(403, "AccessDenied", message);
    case "s3":
      return s3Error(403, "AccessDenied", "Access Denied");
  }
}

function normaliseSsm(f: string | SsmFixture): SsmFixture {
  return typeof f === "string" ? { value: f } : f;
}

function normaliseS3(f: string | S3Fixture): S3Fixture {
  return typeof f === "string" ? { body: f } : f;
}

function normaliseCfn(f: Record<string, string | null> | CfnStackFixture): CfnStackFixture {
  const maybe = f as Partial<CfnStackFixture>;
  if (typeof maybe.outputs === "object" && maybe.outputs !== null) return f as CfnStackFixture;
  return { outputs: f as Record<string, string | null> };
}

function normaliseSecret(f: string | Uint8Array | SecretFixture): SecretFixture {
  return typeof f === "string" || f instanceof Uint8Array ? { value: f } : f;
}

function normaliseAppConfig(f: string | AppConfigFixture): AppConfigFixture {
  return typeof f === "string" ? { content: f } : f;
}

function bytesOf(content: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof content === "string" ? new TextEncoder().encode(content) : new Uint8Array(content);
}

/** A secret's ARN: AWS appends 6 characters to the name. */
function secretArn(name: string, region: string | undefined): string {
  const suffix = createHash("sha256").update(name).digest("hex").slice(0, 6);
  return `arn:aws:secretsmanager:${region ?? "us-east-1"}:123456789012:secret:${name}-${suffix}`;
}

/** The value fields of a secret version, as the JSON API gives them (bytes in base64). */
function secretFields(value: string | Uint8Array): Record<string, string> {
  return typeof value === "string"
    ? { SecretString: value }
    : { SecretBinary: btoa(String.fromCharCode(...value)) };
}

/**
 * Builds the fake's request handler and state, with no server attached.
 *
 * @param options Fixtures and initial faults.
 * @returns The handler with its counters.
 */
export function createFakeAwsCore(options: FakeAwsOptions = {}): FakeAwsCore {
  const ssm = new Map(Object.entries(options.ssm ?? {}).map(([k, v]) => [k, normaliseSsm(v)]));
  const s3 = new Map(Object.entries(options.s3 ?? {}).map(([k, v]) => [k, normaliseS3(v)]));
  const cfn = new Map(Object.entries(options.cfn ?? {}).map(([k, v]) => [k, normaliseCfn(v)]));
  const secrets = new Map(
    Object.entries(options.secrets ?? {}).map(([k, v]) => [k, normaliseSecret(v)]),
  );
  /** AppConfig configurations with the number of their current deployment. */
  const appconfig = new Map(
    Object.entries(options.appconfig ?? {}).map((
      [k, v],
    ) => [k, { fixture: normaliseAppConfig(v), version: 1 }]),
  );
  /** Unused AppConfig tokens: the configuration and the deployment the session last got. */
  const appconfigTokens = new Map<string, { key: string; seen: number }>();
  let nextToken = 1;
  const credentials = new Map(
    Object.entries(options.credentials ?? FAKE_AWS_CREDENTIALS).map((
      [id, c],
    ) => [id, typeof c === "string" ? { secretAccessKey: c } : c]),
  );
  const now = options.now ?? Date.now;
  const faults: Required<FakeAwsFaults> = {
    latencyMs: 0,
    throttleFirst: 0,
    failFirst: 0,
    hang: false,
    deny: [],
    decryptFail: [],
    denyBatch: false,
    secretsPageSize: 20,
  };
  const setFaults = (f: FakeAwsFaults): void => {
    if (f.latencyMs !== undefined) faults.latencyMs = f.latencyMs;
    if (f.throttleFirst !== undefined) faults.throttleFirst = f.throttleFirst;
    if (f.failFirst !== undefined) faults.failFirst = f.failFirst;
    if (f.hang !== undefined) faults.hang = f.hang;
    if (f.deny !== undefined) faults.deny = [...f.deny];
    if (f.decryptFail !== undefined) faults.decryptFail = [...f.decryptFail];
    if (f.denyBatch !== undefined) faults.denyBatch = f.denyBatch;
    if (f.secretsPageSize !== undefined) faults.secretsPageSize = f.secretsPageSize;
  };
  setFaults(options);

  const requests: FakeAwsRequest[] = [];
  const counts = new Map<string, number>();
  const waiters = new Set<() => void>();
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const w of [...watchers]) w();
  };

  /** Waits `ms` (or forever when `ms` is Infinity) unless the client or the fake gives up. */
  const wait = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener("abort", done);
        waiters.delete(done);
        resolve();
        notify();
      };
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", done);
      waiters.add(done);
      if (Number.isFinite(ms)) timer = setTimeout(done, ms);
      notify();
    });

  const serveSsm = (c: Classified, seen: { region?: string; accessKeyId?: string }) => {
    const body = c.ssmBody ?? {};
    const lookup = (name: string): SsmFixture | undefined => {
      const f = ssm.get(name);
      return f !== undefined && visible(f, seen) ? f : undefined;
    };
    const shape = (name: string, f: SsmFixture) => ({
      Name: name,
      Type: f.type ?? "String",
      Value: f.value,
      Version: 1,
      LastModifiedDate: 1_700_000_000,
      ARN: `arn:aws:ssm:${seen.region ?? "us-east-1"}:123456789012:parameter${name}`,
      DataType: "text",
    });
    if (c.operation === "GetParameter") {
      const name = body.Name ?? "";
      const f = lookup(name);
      if (f === undefined) {
        return ssmError(400, "ParameterNotFound", `Parameter ${name} not found.`);
      }
      return Response.json({ Parameter: shape(name, f) }, {
        headers: { "content-type": SSM_JSON },
      });
    }
    if (c.operation === "GetParameters") {
      const names = body.Names ?? [];
      if (names.length > 10) {
        return ssmError(
          400,
          "ValidationException",
          `1 validation error detected: Value at 'names' failed to satisfy constraint: ` +
            `Member must have length less than or equal to 10`,
        );
      }
      const found: unknown[] = [];
      const invalid: string[] = [];
      for (const name of names) {
        const f = lookup(name);
        if (f === undefined) invalid.push(name);
        else found.push(shape(name, f));
      }
      return Response.json({ Parameters: found, InvalidParameters: invalid }, {
        headers: { "content-type": SSM_JSON },
      });
    }
    if (c.operation === "GetParametersByPath") {
      const path = body.Path ?? "";
      const max = body.MaxResults ?? 10;
      if (max > 10) {
        return ssmError(
          400,
          "ValidationException",
          "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: " +
            "Member must have value less than or equal to 10",
        );
      }
      const prefix = path.endsWith("/") ? path : `${path}/`;
      const under = [...ssm.keys()].filter((name) =>
        name.startsWith(prefix) && lookup(name) !== undefined &&
        (body.Recursive === true || !name.slice(prefix.length).includes("/"))
      ).sort();
      const start = body.NextToken === undefined ? 0 : Number(body.NextToken.slice("page-".length));
      if (!Number.isInteger(start) || start < 0 || start > under.length) {
        return ssmError(400, "InvalidNextToken", "The specified token isn't valid.");
      }
      const page = under.slice(start, start + max);
      const end = start + page.length;
      return Response.json({
        Parameters: page.map((name) => shape(name, lookup(name)!)),
        ...(end < under.length ? { NextToken: `page-${end}` } : {}),
      }, { headers: { "content-type": SSM_JSON } });
    }
    return ssmError(400, "InvalidAction", `Unsupported operation ${c.operation}`);
  };

  /** The secret an id names (a name, a full ARN or a partial one), if visible. */
  const findSecret = (
    id: string,
    seen: { region?: string; accessKeyId?: string },
  ): { name: string; fixture: SecretFixture; arn: string } | undefined => {
    for (const [name, fixture] of secrets) {
      if (!visible(fixture, seen)) continue;
      const arn = secretArn(name, seen.region);
      if (id === name || id === arn || `${id}-${arn.slice(-6)}` === arn) {
        return { name, fixture, arn };
      }
    }
    return undefined;
  };

  const secretEntry = (
    found: { name: string; fixture: SecretFixture; arn: string },
    version: { id: string; value: string | Uint8Array; stages: string[] },
  ) => ({
    ARN: found.arn,
    Name: found.name,
    VersionId: version.id,
    ...secretFields(version.value),
    VersionStages: version.stages,
    CreatedDate: 1_700_000_000,
  });

  const CURRENT = (fixture: SecretFixture) => ({
    id: "v-current",
    value: fixture.value,
    stages: ["AWSCURRENT"],
  });

  const NOT_FOUND = "Secrets Manager can't find the specified secret.";

  const serveSecrets = (c: Classified, seen: { region?: string; accessKeyId?: string }) => {
    const json = c.json ?? {};
    if (c.operation === "GetSecretValue") {
      const id = String(json.SecretId ?? "");
      const found = findSecret(id, seen);
      if (found === undefined) return ssmError(400, "ResourceNotFoundException", NOT_FOUND);
      if (faults.decryptFail.includes(id)) {
        return ssmError(
          400,
          "DecryptionFailure",
          "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
        );
      }
      const versionId = json.VersionId as string | undefined;
      const stage = json.VersionStage as string | undefined;
      const versions = [
        CURRENT(found.fixture),
        ...Object.entries(found.fixture.versions ?? {}).map(([vid, v]) => ({
          id: vid,
          value: v.value,
          stages: v.stages ?? [],
        })),
      ];
      const version = versions.find((v) =>
        (versionId === undefined || v.id === versionId) &&
        (stage === undefined
          ? versionId !== undefined || v.stages.includes("AWSCURRENT")
          : v.stages.includes(stage))
      );
      if (version === undefined) {
        return ssmError(
          400,
          "ResourceNotFoundException",
          `Secrets Manager can't find the specified secret value for ${
            versionId === undefined ? `staging label: ${stage}` : `VersionId: ${versionId}`
          }`,
        );
      }
      return Response.json(secretEntry(found, version), { headers: { "content-type": SSM_JSON } });
    }
    if (c.operation === "BatchGetSecretValue") {
      if (json.Filters !== undefined) {
        return ssmError(400, "InvalidParameterException", "The fake answers SecretIdList only");
      }
      const ids = Array.isArray(json.SecretIdList) ? json.SecretIdList as string[] : [];
      if (ids.length === 0 || ids.length > 20) {
        return ssmError(
          400,
          "InvalidParameterException",
          "SecretIdList must hold between 1 and 20 secret ids",
        );
      }
      const token = json.NextToken as string | undefined;
      const start = token === undefined ? 0 : Number(token.slice("page-".length));
      if (!Number.isInteger(start) || start < 0 || start >= ids.length) {
        return ssmError(400, "InvalidNextTokenException", "The NextToken value is invalid.");
      }
      const page = ids.slice(start, start + faults.secretsPageSize);
      const values: unknown[] = [];
      const errors: unknown[] = [];
      for (const id of page) {
        const found = findSecret(id, seen);
        const error = (code: string, message: string) =>
          errors.push({ SecretId: id, ErrorCode: code, Message: message });
        if (faults.deny.includes(id)) {
          error(
            "AccessDeniedException",
            deniedMessage("secretsmanager", "GetSecretValue", { name: id, region: seen.region }),
          );
        } else if (found === undefined) error("ResourceNotFoundException", NOT_FOUND);
        else if (faults.decryptFail.includes(id)) {
          error(
            "DecryptionFailure",
            "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
          );
        } else values.push(secretEntry(found, CURRENT(found.fixture)));
      }
      const end = start + page.length;
      return Response.json({
        SecretValues: values,
        Errors: errors,
        ...(end < ids.length ? { NextToken: `page-${end}` } : {}),
      }, { headers: { "content-type": SSM_JSON } });
    }
    return ssmError(400, "InvalidAction", `Unsupported operation ${c.operation}`);
  };

  const newToken = (key: string, seen: number): string => {
    const token = `token-${nextToken++}-${crypto.randomUUID()}`;
    appconfigTokens.set(token, { key, seen });
    return token;
  };

  const serveAppConfig = (c: Classified) => {
    if (c.operation === "StartConfigurationSession") {
      const key = c.names[0]!;
      if (!appconfig.has(key)) {
        return ssmError(404, "ResourceNotFoundException", `Resource not found: ${key}`);
      }
      return Response.json({ InitialConfigurationToken: newToken(key, 0) }, { status: 201 });
    }
    const session = c.token === undefined ? undefined : appconfigTokens.get(c.token);
    if (session === undefined) {
      return ssmError(400, "BadRequestException", "Request is invalid: the token is not valid");
    }
    appconfigTokens.delete(c.token!);
    const deployed = appconfig.get(session.key)!;
    const changed = deployed.version !== session.seen;
    const body = changed ? bytesOf(deployed.fixture.content) : new Uint8Array(0);
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": deployed.fixture.contentType ?? "application/json",
        "next-poll-configuration-token": newToken(session.key, deployed.version),
        "next-poll-interval-in-seconds": String(deployed.fixture.pollIntervalS ?? 60),
        ...(changed ? { "version-label": `v${deployed.version}` } : {}),
      },
    });
  };

  const serveExtension = (c: Classified) => {
    const deployed = appconfig.get(c.names[0]!);
    if (deployed === undefined) return new Response("Not found", { status: 404 });
    return new Response(bytesOf(deployed.fixture.content), {
      status: 200,
      headers: { "content-type": deployed.fixture.contentType ?? "application/json" },
    });
  };

  const serveS3 = (c: Classified, seen: { region?: string; accessKeyId?: string }) => {
    const { bucket, key } = c.s3!;
    const f = s3.get(`${bucket}/${key}`);
    if (f === undefined || !visible(f, seen)) {
      const bucketExists = [...s3.keys()].some((k) => k.startsWith(`${bucket}/`));
      if (!bucketExists) {
        return s3Error(
          404,
          "NoSuchBucket",
          "The specified bucket does not exist",
          `<BucketName>${xmlEscape(bucket)}</BucketName>`,
        );
      }
      return s3Error(
        404,
        "NoSuchKey",
        "The specified key does not exist.",
        `<Key>${xmlEscape(key)}</Key>`,
      );
    }
    const bytes = typeof f.body === "string"
      ? new TextEncoder().encode(f.body)
      : new Uint8Array(f.body);
    return new Response(bytes, {
      status: 200,
      headers: {
        "content-type": f.contentType ?? "application/octet-stream",
        "content-length": String(bytes.length),
        "etag": `"${bytes.length.toString(16)}"`,
        "last-modified": new Date(1_700_000_000_000).toUTCString(),
        "x-amz-request-id": requestId(),
      },
    });
  };

  const serveCfn = (c: Classified, seen: { region?: string; accessKeyId?: string }) => {
    if (c.operation !== "DescribeStacks") {
      return cfnError(400, "InvalidAction", `Unsupported action ${c.operation}`);
    }
    const name = c.stackName ?? "";
    const stack = cfn.get(name);
    if (stack === undefined || !visible(stack, seen)) {
      return cfnError(400, "ValidationError", `Stack with id ${name} does not exist`);
    }
    const outputs = Object.entries(stack.outputs).map(([k, v]) =>
      `<member><OutputKey>${xmlEscape(k)}</OutputKey>` +
      (v === null ? "" : `<OutputValue>${xmlEscape(v)}</OutputValue>`) +
      `</member>`
    ).join("");
    const region = seen.region ?? "us-east-1";
    const body = `<DescribeStacksResponse xmlns="${CFN_NS}"><DescribeStacksResult><Stacks>` +
      `<member><StackName>${xmlEscape(name)}</StackName>` +
      `<StackId>arn:aws:cloudformation:${region}:123456789012:stack/${
        xmlEscape(name)
      }/1</StackId>` +
      `<CreationTime>2024-01-01T00:00:00.000Z</CreationTime>` +
      `<StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${outputs}</Outputs></member>` +
      `</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${requestId()}</RequestId>` +
      `</ResponseMetadata></DescribeStacksResponse>`;
    return new Response(body, { status: 200, headers: { "content-type": "text/xml" } });
  };

  /** Serves one request; every answer carries the fake's time in `Date`. */
  const handle = async (req: Request): Promise<Response> => {
    const response = await serve(req);
    response.headers.set("date", new Date(now()).toUTCString());
    return response;
  };

  const serve = async (req: Request): Promise<Response> => {
    const body = new Uint8Array(await req.arrayBuffer());
    const c = classify(req, new TextDecoder().decode(body));
    const seen = parseAuthorization(req);
    const refusal = c.service === undefined || c.service === "appconfig-extension"
      ? undefined
      : await verifySignature(req, body, c.service, { credentials, now: now() });
    const record: FakeAwsRequest = {
      operation: c.operation,
      names: c.names,
      ...seenFields(seen),
      signature: refusal === undefined ? "valid" : await refusalCode(refusal),
      sessionToken: req.headers.get("x-amz-security-token") ?? undefined,
    };
    requests.push(record);
    counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
    notify();
    if (c.service === undefined) return new Response("unsupported request", { status: 400 });
    if (refusal !== undefined) return refusal;
    if (c.service === "appconfig-extension") {
      if (faults.latencyMs > 0) await wait(faults.latencyMs, NEVER);
      return serveExtension(c);
    }

    if (faults.hang) {
      // Held until the client goes away, or released (then answered normally).
      await wait(Infinity, req.signal);
      if (req.signal.aborted) return new Response("client gone", { status: 499 });
    }
    // Latency does not watch the client (reading req.signal makes Deno.serve warn about its
    // legacy abort-on-success behaviour); a response to a client that left is dropped anyway.
    if (faults.latencyMs > 0) await wait(faults.latencyMs, NEVER);
    if (faults.throttleFirst > 0) {
      faults.throttleFirst--;
      return throttled(c.service);
    }
    if (faults.failFirst > 0) {
      faults.failFirst--;
      return internalError(c.service);
    }
    if (c.operation === "BatchGetSecretValue") {
      // IAM refuses the batch action as a whole; a denied secret is one of its Errors.
      if (faults.denyBatch) {
        return accessDenied(c.service, c.operation, { name: "*", region: seen.region });
      }
    } else {
      const denied = c.names.find((n) => faults.deny.includes(n));
      if (denied !== undefined) {
        return accessDenied(c.service, c.operation, { name: denied, region: seen.region });
      }
    }
    switch (c.service) {
      case "ssm":
        return serveSsm(c, seen);
      case "s3":
        return serveS3(c, seen);
      case "cfn":
        return serveCfn(c, seen);
      case "secretsmanager":
        return serveSecrets(c, seen);
      case "appconfig":
        return serveAppConfig(c);
    }
  };

  const core: FakeAwsCore = {
    deployAppConfig: (key, fixture) => {
      const prior = appconfig.get(key);
      appconfig.set(key, {
        fixture: normaliseAppConfig(fixture),
        version: (prior?.version ?? 0) + 1,
      });
    },
    expireAppConfigTokens: () => appconfigTokens.clear(),
    handle,
    count: (operation) => counts.get(operation) ?? 0,
    requests,
    setFaults,
    releaseAll: () => {
      for (const w of [...waiters]) w();
    },
    get waiting() {
      return waiters.size;
    },
    until: (predicate) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (predicate(core)) {
            watchers.delete(check);
            resolve();
          }
        };
        watchers.add(check);
        check();
      }),
  };
  return core;
}

/** The AWS error code of a refusal (read from a clone of it). */
async function refusalCode(response: Response): Promise<string> {
  const header = response.headers.get("x-amzn-errortype");
  if (header !== null) return header;
  const text = await response.clone().text();
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "Unknown";
}

function seenFields(
  seen: { region?: string; accessKeyId?: string },
): { region: string | undefined; accessKeyId: string | undefined } {
  return { region: seen.region, accessKeyId: seen.accessKeyId };
}

/**
 * Starts the fake on 127.0.0.1 with a random port (Deno).
 *
 * @param options Fixtures and initial faults.
 * @returns The running fake; call `close()` when done.
 */
export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const core = createFakeAwsCore(options);
  const ready = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => ready.resolve(addr as Deno.NetAddr),
  }, core.handle);
  const addr = await ready.promise;
  return {
    handle: core.handle,
    deployAppConfig: core.deployAppConfig,
    expireAppConfigTokens: core.expireAppConfigTokens,
    count: core.count,
    requests: core.requests,
    setFaults: core.setFaults,
    releaseAll: core.releaseAll,
    get waiting() {
      return core.waiting;
    },
    until: core.until,
    url: `http://127.0.0.1:${addr.port}`,
    close: async () => {
      core.releaseAll();
      await server.shutdown();
    },
  };
}
