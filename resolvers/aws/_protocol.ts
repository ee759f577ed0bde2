/**
 * The four AWS wire protocols holoconf speaks, as the AWS SDK sends them:
 *
 * - `json`: AWS JSON 1.1 (SSM, Secrets Manager): `POST /`, `X-Amz-Target: <Prefix>.<Operation>`
 *   (`AmazonSSM.GetParameters`, `secretsmanager.GetSecretValue`),
 *   `Content-Type: application/x-amz-json-1.1`, a JSON body; errors as JSON (`__type`, `message`)
 *   or the `x-amzn-errortype` header.
 * - `rest-json`: AWS REST-JSON (the AppConfig Data API): the operation's method and path, its
 *   input in the query string (GET) or as a JSON body (POST); answers carry fields in headers and
 *   the body; errors as for `json`.
 * - `s3-get`: S3 GetObject (REST): `GET` of the object's URL; errors as XML
 *   (`<Error><Code>…</Code><Message>…</Message></Error>`).
 * - `query`: the Query protocol (CloudFormation): `POST /`, a form body
 *   `Action=…&Version=…&…`; replies and errors as XML (`<ErrorResponse><Error>…`).
 *
 * @module
 */

import { type AwsEndpoint, s3ObjectUrl } from "./_endpoint.ts";
import { childText, parseXml, type XmlElement } from "./_xml.ts";

/** One operation, in the shape of its protocol. */
export type AwsOperation =
  | {
    /** AWS JSON 1.1. */
    protocol: "json";
    /** `X-Amz-Target`, e.g. `AmazonSSM.GetParameters`. */
    target: string;
    /** The input, sent as JSON. */
    input: unknown;
  }
  | {
    /** AWS REST-JSON. */
    protocol: "rest-json";
    /** The operation's method. */
    method: "GET" | "POST";
    /** The operation's path, e.g. `/configurationsessions` (each segment already encoded). */
    path: string;
    /** Query parameters (encoded here). */
    query?: Record<string, string>;
    /** The body's input, sent as JSON (POST only). */
    input?: unknown;
  }
  | {
    /** S3 GetObject. */
    protocol: "s3-get";
    /** Bucket name. */
    bucket: string;
    /** Object key. */
    key: string;
  }
  | {
    /** The Query protocol. */
    protocol: "query";
    /** `Action`, e.g. `DescribeStacks`. */
    action: string;
    /** API `Version`, e.g. `2010-05-15`. */
    version: string;
    /** Other parameters. */
    params: Record<string, string>;
  };

/** An HTTP request before signing. */
export interface UnsignedRequest {
  /** `GET` or `POST`. */
  method: string;
  /** Absolute URL. */
  url: string;
  /** Headers to sign and send. */
  headers: Record<string, string>;
  /** Body (`""` for none). */
  body: string;
}

/** SHA-256 of the empty body (S3's `x-amz-content-sha256` of a GET). */
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Encodes a form value as the SDK does (RFC 3986: `!'()*` too). */
function formEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Builds the HTTP request of an operation.
 *
 * @param operation The operation.
 * @param endpoint Where it goes.
 * @returns The request, unsigned.
 *
 * @example
 * ```ts
 * import { buildRequest } from "./_protocol.ts";
 * import assert from "node:assert/strict";
 * const r = buildRequest(
 *   { protocol: "query", action: "DescribeStacks", version: "2010-05-15", params: { StackName: "a b" } },
 *   { base: "https://cloudformation.eu-west-1.amazonaws.com", custom: false },
 * );
 * assert.equal(r.body, "Action=DescribeStacks&Version=2010-05-15&StackName=a%20b");
 * ```
 */
export function buildRequest(operation: AwsOperation, endpoint: AwsEndpoint): UnsignedRequest {
  switch (operation.protocol) {
    case "json":
      return {
        method: "POST",
        url: `${endpoint.base}/`,
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": operation.target,
        },
        body: JSON.stringify(operation.input ?? {}),
      };
    case "rest-json": {
      const query = Object.entries(operation.query ?? {})
        .map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join("&");
      const url = `${endpoint.base}${operation.path}${query === "" ? "" : `?${query}`}`;
      return operation.method === "GET" ? { method: "GET", url, headers: {}, body: "" } : {
        method: "POST",
        url,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(operation.input ?? {}),
      };
    }
    case "s3-get":
      return {
        method: "GET",
        url: s3ObjectUrl(endpoint, operation.bucket, operation.key),
        headers: { "x-amz-content-sha256": EMPTY_BODY_SHA256 },
        body: "",
      };
    case "query": {
      const pairs = [
        ["Action", operation.action],
        ["Version", operation.version],
        ...Object
          .entries(operation.params),
      ];
      return {
        method: "POST",
        url: `${endpoint.base}/`,
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: pairs.map(([k, v]) => `${formEncode(k!)}=${formEncode(v!)}`).join("&"),
      };
    }
  }
}

/** What an error answer says. */
export interface AwsErrorInfo {
  /** The AWS error code (`ParameterNotFound`, `NoSuchKey`, `Throttling`, ...). */
  code: string;
  /** AWS's message (may be empty). */
  message: string;
  /** Request id from the body, when the headers had none. */
  requestId: string | undefined;
}

const CODE_REGEXP = /^[A-Za-z][A-Za-z0-9_.]{0,127}$/;

/** A code from `com.amazonaws.ssm#ParameterNotFound` or `ThrottlingException:http://...`. */
function sanitizeCode(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  let code = raw;
  const colon = code.indexOf(":");
  if (colon >= 0) code = code.slice(0, colon);
  const hash = code.lastIndexOf("#");
  if (hash >= 0) code = code.slice(hash + 1);
  code = code.trim();
  return CODE_REGEXP.test(code) ? code : undefined;
}

/** The code to use when the answer names none, from its status (as the SDK names them). */
function statusCode(status: number): string {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    default:
      return "UnknownError";
  }
}

/** Where a signature error starts to quote what was signed (headers, the session token...). */
const SIGNING_DETAILS_REGEXP =
  /\s*(?:the\s+)?(?:canonical\s*string|canonical\s*request|string[\s-]*to[\s-]*sign)\b[\s\S]*$/i;
/** A session token written as a header or a query parameter. */
const TOKEN_FIELD_REGEXP = /(x-amz-security-token\s*[:=]\s*)[^\s'"&;,]+/gi;
/** An access key id (long-term `AKIA…`, temporary `ASIA…`). */
const ACCESS_KEY_ID_REGEXP = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;

/**
 * An AWS error message without what a signature error quotes of the request: the text is cut
 * where "The Canonical String for this request should have been" (or the string to sign) starts,
 * since it lists the signed headers, the session token among them; a session token or access
 * key id still left (given in `credentials`, or shaped like one) becomes `[REDACTED]`. Both
 * transports' messages go through it.
 *
 * @param message AWS's message.
 * @param credentials The texts of the credentials the request was signed with, when known.
 * @returns The message to show.
 *
 * @example
 * ```ts
 * import { withoutSigningDetails } from "./_protocol.ts";
 * import assert from "node:assert/strict";
 * const m = "The request signature we calculated does not match.\n\nThe Canonical String for " +
 *   "this request should have been\n'POST\nx-amz-security-token:IQoJtoken\n'";
 * assert.equal(withoutSigningDetails(m), "The request signature we calculated does not match.");
 * assert.equal(withoutSigningDetails("key ASIAXXXXXXXXXXXXXXXX", []), "key [REDACTED]");
 * ```
 */
export function withoutSigningDetails(
  message: string,
  credentials: readonly (string | undefined)[] = [],
): string {
  let out = message.replace(SIGNING_DETAILS_REGEXP, "");
  for (const c of credentials) {
    if (c !== undefined && c.length >= 4) out = out.replaceAll(c, "[REDACTED]");
  }
  return out.replace(TOKEN_FIELD_REGEXP, "$1[REDACTED]").replace(
    ACCESS_KEY_ID_REGEXP,
    "[REDACTED]",
  );
}

/**
 * Reads an error answer. Never quotes the body: the message is AWS's `message` field, or
 * `HTTP <status>` when the body has none.
 *
 * @param protocol The operation's protocol.
 * @param response Status, headers (lower case) and body.
 * @returns Code, message and request id.
 *
 * @example
 * ```ts
 * import { parseErrorResponse } from "./_protocol.ts";
 * import assert from "node:assert/strict";
 * const body = new TextEncoder().encode('{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"gone"}');
 * const info = await parseErrorResponse("json", { status: 400, headers: {}, body });
 * assert.equal(info.code, "ParameterNotFound");
 * assert.equal(info.message, "gone");
 * ```
 */
export async function parseErrorResponse(
  protocol: AwsOperation["protocol"],
  response: { status: number; headers: Record<string, string>; body: Uint8Array },
): Promise<AwsErrorInfo> {
  const text = new TextDecoder().decode(response.body);
  let code: string | undefined;
  let message: string | undefined;
  let requestId: string | undefined;
  if (protocol === "json" || protocol === "rest-json") {
    let json: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) json = parsed;
    } catch {
      // not JSON: the header and the status say what they can
    }
    code = sanitizeCode(response.headers["x-amzn-errortype"]) ??
      sanitizeCode(json.__type) ?? sanitizeCode(json.code) ?? sanitizeCode(json.Code);
    const m = json.message ?? json.Message;
    message = typeof m === "string" ? m : undefined;
  } else if (text.trim().startsWith("<")) {
    let root: XmlElement | undefined;
    try {
      root = await parseXml(text);
    } catch {
      root = undefined;
    }
    if (root !== undefined) {
      // S3: <Error>…</Error>; Query: <ErrorResponse><Error>…</Error><RequestId/></ErrorResponse>.
      const error = root.name === "Error" ? root : root.children.find((c) => c.name === "Error") ??
        root.children.find((c) => c.name === "Errors")?.children.find((c) => c.name === "Error");
      if (error !== undefined) {
        code = sanitizeCode(childText(error, "Code"));
        message = childText(error, "Message");
        requestId = childText(error, "RequestId");
      }
      requestId ??= childText(root, "RequestId");
    }
  }
  return {
    code: code ?? statusCode(response.status),
    message: message ?? `HTTP ${response.status}`,
    requestId,
  };
}
